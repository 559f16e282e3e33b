"""Late submissions on Gradescope: the penalty rule the teacher set, applied from the submission's dates.

The rule is set when the autograder zip is built
(``python -m grader gradescope MASTER --out ZIP --late-penalty 10%/day --late-cap 50%``) and travels in
the zip as ``late_policy.json``. Gradescope writes ``/autograder/submission_metadata.json`` with the
submission time ``created_at`` and the assignment's ``due_date`` (ISO 8601 with a UTC offset); a
user's own ``assignment.due_date``, where Gradescope gives one (an extension), wins over the
assignment's. A submission that is late by ``t`` loses ``min(cap, rate * ceil(t / unit))`` of its score
(a share of the score it earned): one second late counts as one started day.

Anything that cannot be read (no metadata, a date that is not ISO 8601, a date without its offset, a
rule that is not a rule) means no penalty, and the output says so in one line: never a crash.
"""

import json
import math
import re
from datetime import datetime
from pathlib import Path

from grader.report.plain import markdown_text

UNITS = {"day": 86400.0, "hour": 3600.0}
RULE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*/\s*(day|hour)\s*$")
CAP = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
POLICY_FILE = "late_policy.json"


class RuleError(ValueError):
    """A late-penalty rule the teacher wrote that is not one (raised when the zip is built)."""


def parse_rule(penalty, cap="100%"):
    """``{"rate": 0.1, "unit": "day", "cap": 0.5}`` from ``"10%/day"`` and ``"50%"``.

    Raises
    ------
    RuleError
        Naming the argument and the form expected.
    """
    match = RULE.match(str(penalty))
    if not match or not 0 < float(match.group(1)) <= 100:
        raise RuleError(f"--late-penalty: expected a share per day or hour such as 10%/day or 2%/hour "
                        f"(more than 0%, at most 100%), got {penalty!r}")
    capped = CAP.match(str(cap))
    if not capped or not 0 < float(capped.group(1)) <= 100:
        raise RuleError(f"--late-cap: expected a share such as 50% (more than 0%, at most 100%), got {cap!r}")
    return {"rate": float(match.group(1)) / 100, "unit": match.group(2), "cap": float(capped.group(1)) / 100}


def describe(rule):
    return f"{rule['rate'] * 100:g}% per started {rule['unit']}, at most {rule['cap'] * 100:g}%"


def _date(text):
    """A timezone-aware datetime from Gradescope's ISO 8601 text, else None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _read_json(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def lateness(metadata):
    """(seconds late, None) from the metadata dict, or (None, why the dates cannot be used)."""
    if not isinstance(metadata, dict):
        return None, "the submission metadata could not be read"
    assignment = metadata.get("assignment")
    if not isinstance(assignment, dict) or "due_date" not in assignment:
        return None, "the metadata gives no assignment due date"
    due_text = assignment.get("due_date")
    users = metadata.get("users")
    if isinstance(users, list) and users and isinstance(users[0], dict):
        own = users[0].get("assignment")
        if isinstance(own, dict) and own.get("due_date") is not None:
            due_text = own.get("due_date")  # an extension for this student
    submitted, due = _date(metadata.get("created_at")), _date(due_text)
    if due_text is None and submitted is not None:
        return 0.0, None  # a due date of null: the assignment has none, never late
    if submitted is None or due is None:
        return None, "the submission time or the due date could not be read"
    return max(0.0, (submitted - due).total_seconds()), None


def penalty_share(seconds_late, rule):
    """The share of the score lost: ``min(cap, rate * started units late)``."""
    if seconds_late <= 0:
        return 0.0
    return min(rule["cap"], rule["rate"] * math.ceil(seconds_late / UNITS[rule["unit"]]))


def apply(results, metadata_path, policy_path):
    """Apply the teacher's rule to Gradescope's ``results`` (changed in place and returned).

    Sets ``score`` to the penalised score when the submission is late, adds one line to ``output``
    and the details to ``extra_data.late``. With no policy file, nothing changes.
    """
    policy = _read_json(policy_path) if Path(policy_path).exists() else None
    if policy is None:
        return results
    try:
        rule = parse_rule(policy.get("penalty"), policy.get("cap", "100%"))
    except RuleError:
        return _say(results, "Late penalty: not applied (the autograder's rule could not be read).")
    seconds, problem = lateness(_read_json(metadata_path))
    if problem is not None:
        return _say(results, f"Late penalty: not applied ({problem}).")
    score = results.get("score")
    if not isinstance(score, int | float) or isinstance(score, bool):
        score = sum(t.get("score", 0) for t in results.get("tests", []) if isinstance(t, dict))
    share = penalty_share(seconds, rule)
    results.setdefault("extra_data", {})["late"] = {
        "seconds_late": seconds, "penalty_share": share, "rule": describe(rule), "score_before": score
    }
    if share == 0:
        return _say(results, "Submitted on time: no late penalty.")
    units = math.ceil(seconds / UNITS[rule["unit"]])
    penalised = round(score * (1 - share), 6)
    results["score"] = penalised
    return _say(
        results,
        f"Late penalty: submitted {units} {rule['unit']}(s) after the due date (started); "
        f"{share * 100:g}% off ({describe(rule)}): score {score:g} -> {penalised:g}.",
    )


def _say(results, line):
    output = results.get("output")
    line = markdown_text(line)  # results.json's output is Markdown (output_format "md")
    results["output"] = f"{output}\n\n{line}" if output else line
    return results
