"""Tests of the grader: every master notebook, its student version, the command line, the pieces.

The catalogue of wrong and bad submissions is in ``test_grader_cases.py``.
"""

import json
import zlib
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from grader_support import run_cli

from grader import student_seed
from grader.grade import grade
from grader.judge.compare import BadReport, Other, central_differences, compare_values, decode
from grader.judge.sympy_safe import UnsafeExpression, compare, parse_srepr
from grader.master.notebook import MasterError, NotebookError, parse_master, read_notebook, with_student_id
from grader.master.release import master_paths, replace_solutions, student_notebook
from grader.report.outputs import gradescope_results

ROOT = Path(__file__).resolve().parent.parent
MASTERS = master_paths(ROOT / "exercises")
WARMUP = ROOT / "exercises" / "00_warmup.ipynb"
CASES = ROOT / "tests" / "grader_cases"




# --- every master notebook: full marks; its student version: 0, all "not attempted" -------------------


def test_masters_are_found():
    assert WARMUP in MASTERS


@pytest.mark.parametrize("master", MASTERS, ids=[path.stem for path in MASTERS])
def test_master_scores_full_marks_and_student_version_zero(master, tmp_path):
    parsed = parse_master(master)
    full = grade(parsed, master)
    assert [q.status for q in full.questions] == ["passed"] * len(parsed.questions), full.questions
    assert full.score == full.max_score == parsed.max_score > 0
    student_path = tmp_path / master.name
    student_path.write_text(json.dumps(student_notebook(parsed.notebook)), encoding="utf-8")
    empty = grade(parsed, student_path)
    assert empty.score == 0
    assert {q.status for q in empty.questions} == {"not attempted"}, empty.questions
    assert not empty.notes


@pytest.mark.parametrize("master", MASTERS, ids=[path.stem for path in MASTERS])
def test_student_version_has_no_solution_and_no_hidden_check(master):
    parsed = parse_master(master)
    student = student_notebook(parsed.notebook)
    text = json.dumps(student)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "mistakes"):
        assert marker not in text
    code_cells = [cell for cell in student.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    stubs = sum(cell.source.count("raise NotImplementedError") for cell in code_cells)
    assert stubs == len(parsed.questions)
    roles = [cell.metadata.get("grader", {}).get("role") for cell in student.cells]
    assert "hidden" not in roles and roles.count("answer") == len(parsed.questions)
    assert "selfcheck" in roles or not any(
        c.metadata.get("grader", {}).get("role") == "selfcheck" for c in parsed.notebook.cells
    )


# --- authoring format ----------------------------------------------------------------------------------


def test_student_seed_is_crc32():
    # The published CRC-32 check value: crc32("123456789") = 0xCBF43926.
    assert student_seed("123456789") == 0xCBF43926
    assert student_seed("demo") == zlib.crc32(b"demo")
    with pytest.raises(TypeError, match="student_id"):
        student_seed(42)


def test_warmup_parameters_cell_uses_the_documented_seed():
    parameters = parse_master(WARMUP).parameters_source
    assert 'zlib.crc32(STUDENT_ID.encode("utf-8"))' in parameters
    replaced = with_student_id(parameters, 'al"ice')
    assert replaced.splitlines()[0] == 'STUDENT_ID = "al\\"ice"'
    assert replaced.splitlines()[1:] == parameters.splitlines()[1:]


def test_replace_solutions_keeps_the_signature_and_indentation():
    source = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n'
    assert replace_solutions(source) == (
        'def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n'
        '    raise NotImplementedError("replace this line with your answer")'
    )


def _master_with(tmp_path, metadata, source="### BEGIN SOLUTION\nx = 1\n### END SOLUTION"):
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"grader": metadata},
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
        ],
    }
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"role": "answer", "id": "q1", "kind": "value", "answer": "x"}, "lacks 'points'"),
        ({"role": "answer", "id": "q1", "points": 0, "kind": "value", "answer": "x"}, "positive number"),
        ({"role": "answer", "id": "q1", "points": 1, "kind": "essay", "answer": "x"}, "kind must be one of"),
        ({"role": "answer", "id": "q 1", "points": 1, "kind": "value", "answer": "x"}, "id must be"),
        ({"role": "answer", "id": "q1", "points": 1, "kind": "value", "answer": "1x"}, "Python name"),
        ({"role": "teacher"}, "role must be one of"),
    ],
)
def test_malformed_master_is_rejected(tmp_path, metadata, message):
    with pytest.raises(MasterError, match=message):
        parse_master(_master_with(tmp_path, metadata))


def test_function_question_without_inputs_is_a_master_error(tmp_path):
    notebook = json.loads(WARMUP.read_text(encoding="utf-8"))
    q4_hidden = {"role": "hidden", "id": "q4"}
    hidden = next(c for c in notebook["cells"] if c["metadata"].get("grader") == q4_hidden)
    hidden["source"] = "### BEGIN HIDDEN TESTS\nrng_q4 = 1\n### END HIDDEN TESTS"
    master = tmp_path / "master.ipynb"
    master.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(MasterError, match="q4: its hidden cell must define a non-empty `inputs` list"):
        grade(master, WARMUP)


def test_answer_without_markers_is_rejected(tmp_path):
    metadata = {"role": "answer", "id": "q1", "points": 1, "kind": "value", "answer": "x"}
    with pytest.raises(MasterError, match="BEGIN SOLUTION"):
        parse_master(_master_with(tmp_path, metadata, source="x = 1"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.bad", "empty file"),
        ("corrupt.bad", "invalid JSON"),
        ("not_a_notebook.bad", "invalid JSON"),
        ("list_not_notebook.bad", "no list of cells"),
        ("missing.bad", "cannot read"),
    ],
)
def test_unreadable_notebooks_are_named(name, message):
    with pytest.raises(NotebookError, match=message):
        read_notebook(CASES / name)


# --- comparisons in the grader's process -------------------------------------------------------------


def test_tolerance_is_relative_and_absolute():
    assert compare_values(1.0 + 5e-7, 1.0, rtol=1e-6, atol=0.0) is None  # |error| 5e-7 <= 1e-6 * 1
    assert "not close" in compare_values(1.0 + 2e-6, 1.0, rtol=1e-6, atol=0.0)
    assert compare_values(1e-10, 0.0, rtol=1e-6, atol=1e-9) is None  # absolute tolerance near zero
    assert (
        compare_values([0.5, 1.0], np.array([0.5, 1.0]), 1e-6, 1e-9) is None
    )  # a list of numbers is accepted


@pytest.mark.parametrize(
    ("got", "expected", "message"),
    [
        (np.array([np.nan, 1.0]), np.array([0.0, 1.0]), "contains NaN"),
        (np.array([np.inf]), np.array([1.0]), "contains inf"),
        (np.zeros((3, 1)), np.zeros(3), "wrong shape"),
        (np.zeros(1), 0.0, "wrong shape"),
        ("0.5", 0.5, "wrong type"),
        (Other("Liar"), 0.5, "an object of another type"),  # not its class name: the student chose it
        (None, np.zeros(2), "wrong type"),
        (1.0, "b", "should be a string"),
        ("a", "b", "not the right choice"),
    ],
)
def test_comparison_failures_say_which(got, expected, message):
    assert message in compare_values(got, expected, 1e-6, 1e-9)


def test_feedback_does_not_show_the_expected_value():
    message = compare_values(0.123456, 0.987654, 1e-6, 1e-9)
    assert "0.987" not in message and "0.988" not in message


@pytest.mark.parametrize(
    "node",
    [
        {"t": "array", "dtype": "float", "shape": [2], "v": [1.0]},
        {"t": "array", "dtype": "object", "shape": [1], "v": [1.0]},
        {"t": "array", "dtype": "float", "shape": [1], "v": ["1.0"]},
        {"t": "float", "v": "1.0"},
        {"t": "int", "v": 1.5},
        {"t": "eval", "v": "__import__('os')"},
        ["not", "a", "dict"],
    ],
)
def test_malformed_reports_are_rejected(node):
    with pytest.raises(BadReport):
        decode(node)


def test_decode_rebuilds_arrays_and_tuples():
    value = decode(
        {
            "t": "tuple",
            "v": [{"t": "array", "dtype": "float", "shape": [2, 1], "v": [1.0, 2.0]}, {"t": "int", "v": 3}],
        }
    )
    assert isinstance(value, tuple) and value[1] == 3
    assert value[0].shape == (2, 1) and value[0].dtype == np.float64 and value[0][1, 0] == 2.0


def test_central_differences_of_a_square():
    # forward(x) = x**2 elementwise at x = (1, 3), weights g = (1, 2), h = 0.5:
    # element 0: g . (f(1.5, 3) - f(0.5, 3)) / 1 = 1 * (2.25 - 0.25) = 2
    # element 1: g . (f(1, 3.5) - f(1, 2.5)) / 1 = 2 * (12.25 - 6.25) = 12  (= g * 2x exactly for a square)
    pairs = [(np.array([2.25, 9.0]), np.array([0.25, 9.0])), (np.array([1.0, 12.25]), np.array([1.0, 6.25]))]
    assert np.allclose(central_differences(np.array([1.0, 2.0]), pairs, 0.5), [2.0, 12.0])


# --- SymPy answers ------------------------------------------------------------------------------------


def test_srepr_round_trip():
    y, yhat = sp.symbols("y yhat", real=True)
    expression = sp.log(1 + sp.exp(-yhat)) * y / 3 + sp.Rational(1, 2) * sp.pi
    assert sp.simplify(parse_srepr(sp.srepr(expression)) - expression) == 0


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "Symbol('x').__class__",
        "(lambda: 1)()",
        "Integer(2) + Integer(3)",
        "getattr(Symbol('x'), 'name')",
        "Symbol(**{'name': 'x'})",
        "x" * 60_000,
    ],
)
def test_unsafe_text_is_refused(text):
    with pytest.raises(UnsafeExpression):
        parse_srepr(text)


def test_sympy_compare_verdicts():
    y, yhat = sp.symbols("y yhat", real=True)
    reference = sp.srepr(2 * (yhat - y))
    mistakes = [["sign", sp.srepr(2 * (y - yhat))]]
    assert compare(sp.srepr(-2 * y + 2 * yhat), reference, mistakes, {}, 5.0)["verdict"] == "passed"
    wrong = compare(sp.srepr(2 * (y - yhat)), reference, mistakes, {}, 5.0)
    assert wrong["verdict"] == "failed" and wrong["hint"] == "sign"
    # sqrt(x**2) equals x only for x > 0: the default domain (-2, 2) sees the difference
    x = sp.Symbol("x", real=True)
    assert compare(sp.srepr(sp.sqrt(x**2)), sp.srepr(x), [], {}, 5.0)["verdict"] == "failed"
    assert compare(sp.srepr(sp.sqrt(x**2)), sp.srepr(x), [], {"x": [0.1, 3.0]}, 5.0)["verdict"] == "passed"


# --- command line and reports -------------------------------------------------------------------------


def test_command_line_exit_codes_and_results_json(tmp_path):
    student_dir = tmp_path / "student"
    assert run_cli("release", WARMUP, "--out", student_dir).returncode == 0
    student = student_dir / WARMUP.name
    # The submission writes a fake results file where the grader will write its own.
    fake = tmp_path / "results.json"
    notebook = json.loads(student.read_text(encoding="utf-8"))
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": f"open({str(fake)!r}, 'w').write('{{\"score\": 11, \"tests\": []}}')",
        }
    )
    student.write_text(json.dumps(notebook), encoding="utf-8")
    completed = run_cli("grade", WARMUP, student, "--json", fake)
    assert completed.returncode == 1, completed.stderr
    assert "Total: 0/11" in completed.stdout and "not attempted" in completed.stdout
    results = json.loads(fake.read_text(encoding="utf-8"))
    assert results["score"] == 0 and results["max_score"] == 11
    assert [test["name"] for test in results["tests"]] == [f"q{i}" for i in range(1, 9)]
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
        assert test["status"] == "failed" and test["extra_data"]["status"] == "not attempted"
    full = run_cli("grade", WARMUP, WARMUP, "--student-id", "alice", "--quiet")
    assert (full.returncode, full.stdout.strip()) == (0, "Total: 11/11")
    assert run_cli("grade", tmp_path / "missing.ipynb", WARMUP).returncode == 2
    assert run_cli("grade", CASES / "corrupt.bad", WARMUP).returncode == 2
    assert run_cli("grade", WARMUP).returncode == 2
    assert run_cli("bogus").returncode == 2


def test_gradescope_shape_keeps_our_status():
    from grader.grade import QuestionResult, SubmissionResult
    from grader.vocabulary import MasterText, Message

    name = Message("name", name=MasterText("mse"))
    result = SubmissionResult(
        "s.ipynb",
        "m.ipynb",
        "demo",
        [
            QuestionResult("q1", 2.0, "passed", Message("correct"), 2.0),
            QuestionResult("q2", 1.0, "timeout", Message("query timeout", what=name, seconds=10.0), 0.0),
            QuestionResult(
                "q3", 1.0, "failed", Message("not close", where=name), 0.0,
                Message("hint", text=MasterText("you forgot the 1/N")),
            ),
        ],
    )
    data = gradescope_results(result)
    assert (data["score"], data["max_score"]) == (2.0, 4.0)
    assert "execution_time" not in data  # how long it ran is the submission's choice (issue 20)
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed"]
    assert data["tests"][1]["extra_data"]["status"] == "timeout"
    assert data["tests"][2]["output"].endswith("Hint: you forgot the 1/N")


# --- partial credit (a sum over checks, where the master declares it) ---------------------------------


def _master_copy_with(master, qid, body):
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    notebook["cells"] = [
        c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("role") != "hidden"
    ]
    cell = next(c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("id") == qid)
    cell["source"] = body
    return notebook


def test_partial_credit_per_input_of_a_function(tmp_path):
    # warm_restarts_lr with cycles of constant length T_0 (T_mult ignored). By hand, over the
    # master's 14 inputs (t, base_lr, T_0, T_mult, eta_min) in 10 checks (its `groups`): T_mult = 1
    # (inputs 1-3) is right; (4, 0.3, 6, 2, 0.02) is in the first cycle, where both agree (input 6).
    # The restarts 11-14 (t = 0, 14, 35, 39: multiples of T_0, rate base_lr) are right too, but each
    # shares a check with an input inside a later cycle that differs, e.g. inputs 4+11: (3, 1, 2, 2)
    # has T_cur = 1 of 4, not 1 of 2; inputs 8 and 9 differ as well. 4 of 10 checks: 3 * 0.4 = 1.2.
    master = ROOT / "exercises" / "optimization.ipynb"
    body = (
        "def warm_restarts_lr(t, base_lr, T_0, T_mult, eta_min):\n"
        "    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * (t % T_0) / T_0)) / 2\n"
    )
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(_master_copy_with(master, "q6", body)), encoding="utf-8")
    result = grade(parse_master(master), path)
    q6 = next(q for q in result.questions if q.id == "q6")
    assert q6.status == "failed" and q6.points == pytest.approx(1.2), q6
    assert "4 of 10 checks passed" in q6.message and "T_mult" in q6.hint
    assert [c for c in q6.checks if c[1]] == [
        ("input 1", True),
        ("input 2", True),
        ("input 3", True),
        ("input 6", True),
    ]
    assert result.score == pytest.approx(15 - 3 + 1.2)


def test_partial_credit_per_part_of_a_layer(tmp_path):
    # MyLinear whose bias gradient is the batch mean instead of the sum: forward, the input gradient
    # and W's gradient hold; b's fails on every batch of more than one row. forward earns no credit
    # on its own (it is the stub's given code): 2 of the 3 gradients, 3 * 2/3.
    master = ROOT / "exercises" / "backprop.ipynb"
    notebook = _master_copy_with(master, "q7", "")
    parsed = parse_master(master)
    source = next(
        c
        for c in parsed.notebook.cells
        if c.metadata.get("grader", {}).get("id") == "q7" and c.metadata["grader"]["role"] == "answer"
    ).source
    wrong = source.replace("grad_out.sum(axis=0)", "grad_out.mean(axis=0)")
    assert wrong != source
    next(c for c in notebook["cells"] if c["metadata"].get("grader", {}).get("id") == "q7")["source"] = wrong
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    q7 = next(q for q in grade(parsed, path).questions if q.id == "q7")
    assert q7.status == "failed" and q7.points == pytest.approx(2.0), q7
    assert dict(q7.checks) == {
        "forward": True,
        "the input gradient returned by backward": True,
        "the gradient of W": True,
        "the gradient of b": False,
    }


def test_folder_mode_prints_hints_and_refuses_a_json_file(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    notebook = _master_copy_with(WARMUP, "q1", "loss_one = abs(y_true_p[0] - y_pred_p[0])")
    (folder / "ann.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    refused = run_cli("grade", WARMUP, folder, "--json", tmp_path / "results.json")
    assert refused.returncode == 2 and "--json-dir" in refused.stderr
    assert not (tmp_path / "results.json").exists()
    graded = run_cli("grade", WARMUP, folder)
    assert graded.returncode == 0, graded.stderr
    assert "ann.ipynb: 10/11" in graded.stdout
    assert "q1: failed: `loss_one` is not close to the reference" in graded.stdout
    assert "hint: The squared-error loss squares the error" in graded.stdout
