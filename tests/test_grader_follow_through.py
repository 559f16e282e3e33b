"""Follow-through (error carried forward) marking: a slip early in a chain does not cost every later step.

The backprop set is a chain: q2 and q3 read q1's y_hat_q1 (and q1's a_hidden), q4 reads q3's
delta_out_q3, q5 reads q4's delta_hidden_q4, q6 reads q3's. Points (from the master's metadata):
q1 2, q2 1, q3 1, q4 2, q5 2, q6 1, q7 3, q8 1 = 13. Expected totals below are sums of these by hand.

Before follow-through existed, the hang case scored 4/13 (q7 + q8: q2-q6 raise NameError) and the
wrong-number case 4/13 as well (q2-q6 differ from the references); every test here failed then.
"""

import json
import time
from pathlib import Path

import pytest

from grader.check import check_master
from grader.grade import Limits, grade
from grader.judge import follow_through
from grader.master.notebook import parse_master
from grader.report.outputs import gradescope_results, text_report

ROOT = Path(__file__).resolve().parents[1]
BACKPROP = ROOT / "exercises" / "backprop.ipynb"
OPTIMIZATION = ROOT / "exercises" / "optimization.ipynb"
POINTS = {"q1": 2, "q2": 1, "q3": 1, "q4": 2, "q5": 2, "q6": 1, "q7": 3, "q8": 1}

HANG_Q1 = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n\n\nwhile True:\n    pass\n"
# q1 with the hidden cell's first mistake (x @ W1_p instead of W1_p @ x): a wrong, defined y_hat_q1,
# with a_hidden computed the same wrong way; q2-q6 are the master's cells, so they are right when
# run again on the master's values of q1 (and q3, q4).
WRONG_Q1 = (
    "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n\n\n"
    "z_hidden = W1_p.T @ x_p + b1_p\n"
    "a_hidden = sigmoid(z_hidden)\n"
    "z_out = W2_p @ a_hidden + b2_p\n"
    "y_hat_q1 = float(sigmoid(z_out[0]))\n"
)
WRONG_Q4 = "delta_hidden_q4 = W2_p[0] * delta_out_q3\n"  # no sigmoid derivative: wrong given any input


def _submission(tmp_path, replace, master=BACKPROP, name="s.ipynb"):
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    for qid, body in replace.items():
        cell = next(c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("id") == qid)
        cell["source"] = body
    path = tmp_path / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def _by_id(result):
    return {q.id: q for q in result.questions}


def test_backprop_and_optimization_declare_their_chains():
    # By reading the masters' answer cells by hand: which earlier answers each one reads.
    backprop = follow_through.declarations(parse_master(BACKPROP))
    assert {qid: d.uses for qid, d in backprop.items() if d.uses} == {
        "q2": ["q1"],
        "q3": ["q1"],
        "q4": ["q1", "q3"],
        "q5": ["q4"],
        "q6": ["q1", "q3"],
    }
    assert backprop["q4"].names == ["a_hidden", "delta_out_q3"]
    # Each declaration agrees with the names the answer cell reads (derived from its code).
    for path in (BACKPROP, OPTIMIZATION):
        master = parse_master(path)
        declared = follow_through.declarations(master)
        derived = follow_through.derived_uses(master)
        assert {q: d.uses for q, d in declared.items()} == derived, path
    # Optimization's answers are independent: none reads an earlier answer.
    assert not any(d.uses for d in follow_through.declarations(parse_master(OPTIMIZATION)).values())


def test_hang_in_q1_scores_every_later_step(tmp_path):
    result = grade(
        parse_master(BACKPROP), _submission(tmp_path, {"q1": HANG_Q1}), limits=Limits(cell_timeout=3)
    )
    q = _by_id(result)
    assert q["q1"].status == "timeout" and q["q1"].points == 0
    for qid in ("q2", "q3", "q4", "q5", "q6"):
        assert q[qid].status == "passed" and q[qid].points == POINTS[qid], q[qid]
        assert q[qid].marked == "follow-through", q[qid]
        assert "reference" in q[qid].message
    assert q["q7"].marked == "own chain" and q["q8"].points == 1
    assert result.score == pytest.approx(13 - 2)  # before follow-through: 4 (q7 + q8)
    text = text_report(result)
    assert text.count("marked through follow-through") == 5
    assert "the other questions were marked on your own chain" in text
    tests = {t["number"]: t for t in gradescope_results(result)["tests"]}
    assert tests["q2"]["extra_data"]["marked"] == "follow-through"
    assert tests["q7"]["extra_data"]["marked"] == "own chain"


def test_wrong_q1_with_the_rest_right_from_it(tmp_path):
    result = grade(parse_master(BACKPROP), _submission(tmp_path, {"q1": WRONG_Q1}))
    q = _by_id(result)
    assert q["q1"].status == "failed" and q["q1"].hint and "W1_p" in q["q1"].hint
    for qid in ("q2", "q3", "q4", "q5", "q6"):
        assert q[qid].status == "passed" and q[qid].points == POINTS[qid], q[qid]
        assert q[qid].marked == "follow-through"
    # Marked by running the student's own cells on the master's values (the only route since
    # issue 20; before, "following through from your q1" judged them against the master's cells
    # run on the student's values, which a forged q1 could steer).
    assert "following through from the reference values of q1 (y_hat_q1)" in q["q2"].message
    assert "following through from the reference values of q4 (delta_hidden_q4)" in q["q5"].message
    assert result.score == pytest.approx(13 - 2)  # before follow-through: 4


def test_a_later_step_wrong_too_is_not_rescued(tmp_path):
    result = grade(parse_master(BACKPROP), _submission(tmp_path, {"q1": WRONG_Q1, "q4": WRONG_Q4}))
    q = _by_id(result)
    assert q["q4"].status == "failed" and q["q4"].points == 0 and q["q4"].marked == "own chain"
    assert q["q1"].points == 0
    # q5's cell is right on the master's q4: it follows through; q2, q3, q6 on the master's q1 and q3.
    for qid in ("q2", "q3", "q5", "q6"):
        assert q[qid].status == "passed" and q[qid].marked == "follow-through", q[qid]
    assert result.score == pytest.approx(13 - 2 - 2)


def test_follow_through_can_be_off_or_reduced(tmp_path):
    notebook = json.loads(BACKPROP.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer" and info["id"] == "q2":
            info["follow_through"] = False
        if info.get("role") == "answer" and info["id"] == "q3":
            info["follow_through"] = 0.5
    master_path = tmp_path / "backprop.ipynb"
    master_path.write_text(json.dumps(notebook), encoding="utf-8")
    result = grade(parse_master(master_path), _submission(tmp_path, {"q1": WRONG_Q1}))
    q = _by_id(result)
    assert q["q2"].points == 0 and q["q2"].marked == "own chain"
    assert q["q3"].points == pytest.approx(0.5) and q["q3"].marked == "follow-through"


@pytest.mark.parametrize(
    "value, message",
    [(["q9"], "unknown or later"), (["q3"], "unknown or later"), ("q1", "list"), (None, "list")],
)
def test_malformed_declarations_are_master_errors(tmp_path, value, message):
    notebook = json.loads(BACKPROP.read_text(encoding="utf-8"))
    cell = next(
        c
        for c in notebook["cells"]
        if c["metadata"].get("grader", {}).get("role") == "answer" and c["metadata"]["grader"]["id"] == "q2"
    )
    cell["metadata"]["grader"]["uses"] = value
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(follow_through.MasterError, match=message):
        follow_through.declarations(parse_master(path))


def test_check_reports_a_chain_read_but_not_declared(tmp_path):
    notebook = json.loads(BACKPROP.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        info = cell["metadata"].get("grader", {})
        if info.get("role") == "answer" and info["id"] == "q4":
            del info["uses"]
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    problems = check_master(path)
    assert len(problems) == 1 and "answer of q4" in problems[0] and '"uses": ["q1", "q3"]' in problems[0]
    assert check_master(BACKPROP) == [] and check_master(OPTIMIZATION) == []


def test_a_rerun_that_hangs_is_stopped_at_the_question_time_limit(tmp_path):
    # q2's cell loops forever once y_hat_q1 exists, which happens only in its follow-through rerun.
    hang_q2 = "while 'y_hat_q1' in globals():\n    pass\nloss_q2 = 0.0\n"
    submission = _submission(tmp_path, {"q1": HANG_Q1, "q2": hang_q2})
    limits = Limits(cell_timeout=3, question_timeout=2)
    start = time.monotonic()
    result = grade(parse_master(BACKPROP), submission, limits=limits)
    seconds = time.monotonic() - start
    q = _by_id(result)
    assert q["q2"].points == 0 and q["q2"].marked == "own chain"
    for qid in ("q3", "q4", "q5", "q6"):  # the kernel survives the stopped rerun
        assert q[qid].status == "passed" and q[qid].marked == "follow-through", q[qid]
    assert result.score == pytest.approx(13 - 2 - 1)
    assert seconds < 60, seconds
