"""Late penalties from Gradescope's ``submission_metadata.json``, with the rule set when the zip is built.

Expected scores are worked out by hand from the dates: 2018-08-02 14:22 -07:00 is 1 day 15 h 22 min
after 2018-07-31 23:00 -07:00, so 2 started days; at 10 % per day, 20 % off: 8 -> 6.4.
"""

import json
import zipfile
from pathlib import Path

import pytest
from grader_support import ROOT, run_cli

from grader.report import gradescope, late

DUE = "2018-07-31T23:00:00.000000-07:00"
POLICY = {"penalty": "10%/day", "cap": "50%"}


def metadata(created_at, due_date=DUE, **extra):
    data = {"id": 1, "created_at": created_at, "assignment": {"due_date": due_date, "late_due_date": None}}
    data.update(extra)
    return data


def applied(tmp_path, meta, policy=POLICY, score=8.0):
    meta_path, policy_path = tmp_path / "submission_metadata.json", tmp_path / "late_policy.json"
    meta_path.write_text(meta if isinstance(meta, str) else json.dumps(meta), encoding="utf-8")
    policy_path.write_text(json.dumps(policy), encoding="utf-8")
    results = {"score": score, "output": "graded", "tests": [{"score": score, "max_score": 10}]}
    return late.apply(results, meta_path, policy_path)


def test_two_started_days_late_lose_twenty_percent(tmp_path):
    results = applied(tmp_path, metadata("2018-08-02T14:22:32.365935-07:00"))
    assert results["score"] == pytest.approx(6.4)
    output = results["output"]  # Markdown: its ">" escaped
    assert "2 day(s) after the due date" in output and "8 -\\> 6.4" in output
    assert results["extra_data"]["late"]["penalty_share"] == pytest.approx(0.2)


def test_one_second_late_is_one_started_day(tmp_path):
    results = applied(tmp_path, metadata("2018-07-31T23:00:01-07:00"))
    assert results["score"] == pytest.approx(7.2)


def test_the_offset_counts(tmp_path):
    # 23:30 at UTC-06:00 is 22:30 at UTC-07:00: on time
    results = applied(tmp_path, metadata("2018-07-31T23:30:00-06:00"))
    assert results["score"] == 8.0 and "on time" in results["output"]


def test_the_cap_holds(tmp_path):
    results = applied(tmp_path, metadata("2018-08-30T00:00:00-07:00"))
    assert results["score"] == pytest.approx(4.0)  # 30 days x 10 % capped at 50 %


def test_per_hour(tmp_path):
    results = applied(tmp_path, metadata("2018-08-01T01:30:00-07:00"), {"penalty": "2%/hour", "cap": "100%"})
    assert results["score"] == pytest.approx(8.0 * 0.94)  # 2 h 30 min: 3 started hours, 6 %


def test_an_extension_in_the_users_assignment_wins(tmp_path):
    meta = metadata("2018-08-02T14:22:32-07:00", users=[
        {"email": "a@example.org", "id": 1, "assignment": {"due_date": "2018-08-03T23:00:00-07:00"}}
    ])
    assert applied(tmp_path, meta)["score"] == 8.0


def test_no_policy_changes_nothing(tmp_path):
    results = {"score": 8.0, "output": "graded"}
    meta_path = tmp_path / "m.json"
    meta_path.write_text(json.dumps(metadata("2018-09-01T00:00:00-07:00")))
    assert late.apply(results, meta_path, tmp_path / "absent.json") == {"score": 8.0, "output": "graded"}


@pytest.mark.parametrize(
    "meta",
    [
        metadata("yesterday"),
        metadata("2018-08-02T14:22:32"),  # no offset: which time zone?
        metadata("2018-08-02T14:22:32-07:00", due_date="the 31st"),
        metadata(12345),
        metadata(None),
        {"created_at": "2018-08-02T14:22:32-07:00", "assignment": "due soon"},
        {"created_at": "2018-08-02T14:22:32-07:00"},
        [1, 2, 3],
        "not json {",
        "[" * 100_000 + "]" * 100_000,  # nested past Python's recursion limit
        "",
    ],
)
def test_malformed_metadata_applies_no_penalty_and_says_so(tmp_path, meta):
    results = applied(tmp_path, meta)
    assert results["score"] == 8.0
    assert "Late penalty: not applied" in results["output"]


def test_no_due_date_is_never_late(tmp_path):
    results = applied(tmp_path, metadata("2018-08-02T14:22:32-07:00", due_date=None))
    assert results["score"] == 8.0 and "on time" in results["output"]


def test_a_broken_policy_file_applies_no_penalty(tmp_path):
    results = applied(tmp_path, metadata("2018-08-02T14:22:32-07:00"), {"penalty": "lots", "cap": "50%"})
    assert results["score"] == 8.0 and "not applied" in results["output"]


@pytest.mark.parametrize(
    ("penalty", "cap", "argument"),
    [
        ("10%/week", "100%", "--late-penalty"),
        ("10", "100%", "--late-penalty"),
        ("0%/day", "100%", "--late-penalty"),
        ("10%/day", "150%", "--late-cap"),
        ("10%/day", "half", "--late-cap"),
    ],
)
def test_a_rule_that_is_not_one_is_refused_naming_the_argument(penalty, cap, argument):
    with pytest.raises(late.RuleError, match=argument):
        late.parse_rule(penalty, cap)


def test_the_zip_carries_the_rule_and_the_command_line_refuses_a_bad_one(tmp_path):
    out = tmp_path / "a.zip"
    assert gradescope.build_main(str(ROOT / "exercises" / "00_warmup.ipynb"), str(out), "10%/day", "50%") == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read(late.POLICY_FILE)) == POLICY
    completed = run_cli("gradescope", ROOT / "exercises" / "00_warmup.ipynb", "--out", tmp_path / "b.zip",
                        "--late-penalty", "10%/fortnight")
    assert completed.returncode == 2 and "--late-penalty" in completed.stderr
    assert not (tmp_path / "b.zip").exists()


def test_run_applies_the_penalty_to_results_json(tmp_path, monkeypatch):
    """gradescope.run with the grading itself replaced: the late rule reaches results.json."""
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    (root / "submission" / "mine.ipynb").write_text("{}")
    (root / "source" / "master.ipynb").write_text(json.dumps({"cells": []}))
    (root / "source" / late.POLICY_FILE).write_text(json.dumps(POLICY))
    (root / "submission_metadata.json").write_text(json.dumps(metadata("2018-08-02T14:22:32-07:00")))

    def fake_grade(command, **kwargs):
        out = Path(command[command.index("--json") + 1])
        out.write_text(json.dumps({"score": 8.0, "max_score": 10.0, "output": "graded", "tests": []}))

        class Completed:
            returncode, stdout, stderr = 1, "", ""

        return Completed()

    monkeypatch.setattr(gradescope, "isolation_flags", lambda: ([], None))
    monkeypatch.setattr(gradescope.subprocess, "run", fake_grade)
    monkeypatch.setattr(gradescope.os, "geteuid", lambda: 1000)
    results = gradescope.run(root)
    written = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == written["score"] == pytest.approx(6.4)
    assert "Late penalty" in written["output"]
