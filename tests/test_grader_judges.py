"""The judges, without any kernel: the master's spec and plain data in, a verdict out.

The reports here are written by hand in the shape :mod:`grader.run._kernel_side` produces; the
expected verdicts follow from the numbers (hand arithmetic in the comments).
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from grader.check import check_master
from grader.judge.compare import compare_values
from grader.judge.forbid import static_use
from grader.judge.judges import Check, Task, Verdict, judge, match_mistake


def f(value):
    return {"t": "float", "v": float(value)}


def arr(values):
    values = np.asarray(values, dtype=float)
    return {"t": "array", "dtype": "float", "shape": list(values.shape), "v": values.ravel().tolist()}


def lst(items):
    return {"t": "list", "v": items}


def strs(names):
    return lst([{"t": "str", "v": name} for name in names])


def task(kind, reference, spec=None, mistakes=(), **settings):
    base = {"rtol": 1e-6, "atol": 1e-9, "time_limit": 5.0, "domain": {}, "forbid": [], "partial": False}
    base.update(settings)
    return Task(kind, "answer", spec or {}, base, reference, list(mistakes))


# --- value: no hint of the expected value ---------------------------------------------------------


def test_value_feedback_never_shows_the_expected_value():
    # The example: an answer of 2.724 where 1.24 is expected; the old message said
    # "absolute error 1.48", from which 2.724 - 1.48 = 1.244 gives the reference away.
    verdict = judge(task("value", {"ok": f(1.24)}), {"ok": f(2.724)})
    assert verdict.status == "failed"
    assert not re.search(r"\d", str(verdict.message)), verdict.message
    assert verdict.points(1) == 0


def test_value_mistake_hint_is_the_masters_declared_hint():
    hint = "too large by a factor of about 2: you forgot to halve"
    verdict = judge(task("value", {"ok": f(1.24)}, mistakes=[(hint, {"ok": f(2.48)})]), {"ok": f(2.48)})
    assert (verdict.status, verdict.hint) == ("failed", hint)
    assert judge(task("value", {"ok": f(1.24)}), {"ok": f(1.24 + 1e-7)}).status == "passed"


def test_huge_integers_are_a_failed_answer_not_a_crash():
    verdict = judge(task("value", {"ok": f(0.5)}), {"ok": {"t": "int", "v": 10**400}})
    assert verdict.status == "failed" and "inf" in verdict.message


def test_not_attempted_exception_and_forbidden_items():
    assert judge(task("value", {"ok": f(1)}), {"nie": "stub"}).status == "not attempted"
    raised = judge(task("value", {"ok": f(1)}), {"exc": "ZeroDivisionError", "msg": "division by zero"})
    # neither the class name nor the text: the student's code chooses both (issue 20)
    assert raised.status == "error" and str(raised.message) == "`answer` raised an exception"
    forbidden = judge(task("value", {"ok": f(1)}), {"forbidden": "nnlib.losses"})
    assert forbidden.status == "failed" and "forbids" in forbidden.message


# --- function: the master's inputs decide how many results count --------------------------------------


def function_task(mistakes=()):
    spec = {"inputs": lst([{"t": "tuple", "v": [f(x)]} for x in (1.0, 2.0, 3.0)])}
    return task("function", [{"ok": f(2 * x)} for x in (1.0, 2.0, 3.0)], spec, mistakes)


def test_function_judge_counts_inputs_from_the_master():
    good = [{"ok": f(2.0)}, {"ok": f(4.0)}, {"ok": f(6.0)}]
    assert judge(function_task(), good).status == "passed"
    short = judge(function_task(), good[:2])  # a report that dropped an input is not a pass
    assert short.status == "error" and "expected 3 results" in short.message
    wrong = judge(
        function_task([("doubled twice", [{"ok": f(4 * x)} for x in (1, 2, 3)])]),
        [{"ok": f(4.0)}, {"ok": f(8.0)}, {"ok": f(12.0)}],
    )
    assert (wrong.status, wrong.hint) == ("failed", "doubled twice")
    assert "3 of 3" in wrong.message


def test_partial_credit_is_a_sum_over_checks():
    # 2 of 3 inputs right: with partial credit 3 points * 2/3 = 2; without, 0.
    verdict = judge(function_task(), [{"ok": f(2.0)}, {"ok": f(4.0)}, {"ok": f(7.0)}])
    assert [c.passed for c in verdict.checks] == [True, True, False]
    assert verdict.points(3, partial=True) == pytest.approx(2.0)
    assert verdict.points(3, partial=False) == 0.0
    assert Verdict("error", "x", checks=[Check("a", True)]).points(3, partial=True) == 0.0


def test_a_malformed_mistake_is_skipped():
    broken = task(
        "value", {"ok": f(1)}, mistakes=[("broken", {"ok": {"t": "eval"}}), ("right", {"ok": f(3)})]
    )
    assert (
        match_mistake(broken, lambda wrong: judge(task("value", wrong), {"ok": f(3)}).status == "passed")
        == "right"
    )


# --- layer_backward: the master's parameter names are checked, whatever the report says ---------------


def layer_report(x, w, g, names=("W",), drop_fd=False):
    """A Linear layer y = x w (no bias); reports as the kernel side would, with exact differences."""
    y = x @ w
    h = 1e-6
    fd_x = []
    for i in range(x.size):
        pair = []
        for sign in (1, -1):
            shifted = x.copy()
            shifted.flat[i] += sign * h
            pair.append(arr(shifted @ w))
        fd_x.append(pair)
    fd_w = []
    for j in range(w.size):
        pair = []
        for sign in (1, -1):
            shifted = w.copy()
            shifted.flat[j] += sign * h
            pair.append(arr(x @ shifted))
        fd_w.append(pair)
    report = {
        "y": arr(y),
        "gx": arr(g @ w.T),
        "pgrads": [[name, arr(x.T @ g)] for name in names],
        "fd_x": fd_x,
        "fd_p": [] if drop_fd else [[name, fd_w] for name in names],
    }
    return {"ok": report}


def test_layer_judge_refuses_a_report_without_the_masters_parameters():
    x = np.array([[1.0, 2.0]])
    w = np.array([[0.5], [-1.0]])
    seed = 7
    g = np.random.default_rng(seed).standard_normal(size=(1, 1))
    spec = {"inputs": lst([arr(x)]), "param_grads": strs(["W"])}
    reference = [layer_report(x, w, g)]
    layer = Task("layer_backward", "L", spec, {"rtol": 1e-6, "atol": 1e-9}, reference, [], seed)
    assert judge(layer, [layer_report(x, w, g)]).status == "passed"
    emptied = judge(layer, [layer_report(x, w, g, names=())])  # the stack-walk attack's report
    assert emptied.status == "error" and "master checks" in emptied.message
    no_fd = judge(layer, [layer_report(x, w, g, drop_fd=True)])
    assert no_fd.status == "error"


def test_optimizer_judge_refuses_renamed_or_missing_state():
    spec = {"grads": lst([lst([arr([1.0])])]), "initial_values": lst([arr([0.0])]), "state": strs(["m"])}
    step = {"values": [arr([-0.1])], "state": [["m", arr([0.1])]]}
    reference = {"ok": [step]}
    opt = task("optimizer", reference, spec)
    assert judge(opt, {"ok": [step]}).status == "passed"
    no_state = judge(opt, {"ok": [{"values": [arr([-0.1])], "state": []}]})
    assert no_state.status == "error" and "state" in no_state.message
    two_steps = judge(opt, {"ok": [step, step]})
    assert two_steps.status == "error" and "1 optimizer steps" in two_steps.message


def test_sympy_judge_is_bounded():
    y = sp.Symbol("y", real=True)
    reference = {"ok": {"t": "sympy", "v": sp.srepr(2 * y)}}
    same = judge(task("sympy", reference), {"ok": {"t": "sympy", "v": sp.srepr(2 * y)}})
    assert same.status == "passed" and "same expression" in same.message
    unevaluated = "Add(Symbol('y', real=True), Symbol('y', real=True))"  # y + y, proved in a child process
    proved = judge(task("sympy", reference), {"ok": {"t": "sympy", "v": unevaluated}})
    assert proved.status == "passed" and "simplifies the difference to 0" in proved.message
    for text in ("Integer(1e999)", "Pow(Integer(10), Integer(1000000000), evaluate=True)", "Symbol('x' * 3)"):
        verdict = judge(task("sympy", reference), {"ok": {"t": "sympy", "v": text}})
        assert verdict.status == "failed" and "could not be read" in verdict.message, (text, verdict)


# --- forbidden helpers, statically --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import nnlib.losses", "nnlib.losses"),
        ("from nnlib.losses import Huber", "nnlib.losses"),
        ("from nnlib import losses", "nnlib.losses"),
        ("import nnlib\nx = nnlib.losses.Huber()", "nnlib.losses"),
        ("import importlib\nimportlib.import_module('nnlib.losses')", "nnlib.losses"),
        ("import nnlib.optim\nx = 1", None),
        ("def f(x):\n    return x  # nnlib.losses in a comment is no use", None),
    ],
)
def test_static_forbidden_use(source, found):
    assert static_use(source, ["nnlib.losses"]) == found


# --- grader check --------------------------------------------------------------------------------------


def _cell(source, grader=None, tags=None):
    metadata = {}
    if grader:
        metadata["grader"] = grader
    if tags is not None:
        metadata["tags"] = tags
    return {
        "cell_type": "code",
        "metadata": metadata,
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def test_check_names_the_cell_and_the_fix(tmp_path):
    cells = [
        _cell(
            "### BEGIN SOLUTION\nanswer_x = 1\n### END SOLUTION",
            {"role": "answer", "id": "q1", "points": 1, "kind": "value", "answer": "not_defined"},
            ["hide-input", "solution"],
        ),
        _cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION",
            {"role": "answer", "id": "q2", "points": 1, "kind": "function", "answer": "f"},
            [],
        ),
        _cell(
            "### BEGIN HIDDEN TESTS\nrtol = 1e-3\nforbid = 'nnlib'\n### END HIDDEN TESTS",
            {"role": "hidden", "id": "q2"},
            [],
        ),
    ]
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    problems = check_master(path)
    text = "\n".join(problems)
    assert "cell 0 (answer of q1): the cell does not define `not_defined`" in text
    assert "cell 1 (answer of q2): add the tag(s) hide-input, solution" in text
    assert "cell 2 (hidden checks of q2): add the tag remove-cell" in text
    assert "cell 2 (hidden checks of q2): a function question needs `inputs`" in text
    assert "`forbid` must be a list" in text
    assert len(problems) == 5, problems


def test_partial_credit_per_named_part_of_a_value():
    # A tuple (m, v) of which v is right: with parts named, 1 of 2 parts holds, 2 points * 1/2 = 1.
    reference = {"ok": {"t": "tuple", "v": [f(0.1), f(0.001)]}}
    value = task("value", reference, parts=["m", "v"], partial=True)
    verdict = judge(value, {"ok": {"t": "tuple", "v": [f(0.2), f(0.001)]}})
    assert verdict.status == "failed" and [(c.label, c.passed) for c in verdict.checks] == [
        ("m", False),
        ("v", True),
    ]
    assert verdict.points(2, partial=True) == pytest.approx(1.0)
    wrong_length = judge(value, {"ok": {"t": "tuple", "v": [f(0.1)]}})
    assert wrong_length.points(2, partial=True) == 0.0


# --- check groups: a function's inputs bundled into one check each (`groups`) -----------------------


def doubling_task(**settings):
    """f(x) = 2x on the inputs 1, 2, 3, 4 (references 2, 4, 6, 8)."""
    spec = {"inputs": lst([{"t": "tuple", "v": [f(x)]} for x in (1.0, 2.0, 3.0, 4.0)])}
    return task("function", [{"ok": f(2 * x)} for x in (1.0, 2.0, 3.0, 4.0)], spec, partial=True, **settings)


def test_groups_make_one_check_per_group_that_holds_only_when_all_its_inputs_do():
    # Right on inputs 1-3 (2, 4, 6), wrong on 4 (9, not 8). Per input: 3 of 4 checks, 3 * 3/4 = 2.25.
    # Grouped [[1], [2, 4], [3]]: input 1 holds, 2+4 fails (4 is wrong), 3 holds: 3 * 2/3 = 2.
    answer = [{"ok": f(2.0)}, {"ok": f(4.0)}, {"ok": f(6.0)}, {"ok": f(9.0)}]
    assert judge(doubling_task(), answer).points(3, partial=True) == pytest.approx(2.25)
    verdict = judge(doubling_task(groups=[[1], [2, 4], [3]]), answer)
    assert verdict.status == "failed"
    assert [(c.label, c.passed) for c in verdict.checks] == [
        ("input 1", True),
        ("inputs 2+4", False),
        ("input 3", True),
    ]
    assert verdict.points(3, partial=True) == pytest.approx(2.0)
    right = judge(doubling_task(groups=[[4, 1], [2, 3]]), [{"ok": f(2 * x)} for x in (1, 2, 3, 4)])
    assert right.status == "passed" and [c.label for c in right.checks] == ["inputs 4+1", "inputs 2+3"]
    # A constant earns nothing, grouped or not: 2.0 is right on input 1 alone, a group of its own.
    constant = judge(doubling_task(groups=[[1], [2, 3, 4]]), [{"ok": f(2.0)}] * 4)
    assert [c.passed for c in constant.checks] == [False, False]


BAD_GROUPS = [  # (groups, what the message says), with the 4 inputs of doubling_task
    ([[1], [2], [3], [5]], "`groups` names input 5, but `inputs` has inputs 1 to 4"),
    ([[0], [1, 2], [3, 4]], "`groups` names input 0, but `inputs` has inputs 1 to 4"),
    ([[1, 2], [2, 3], [4]], "`groups` puts input 2 in two groups"),
    ([[1], [2], [3]], "`groups` leaves input(s) 4 out"),
    ([[1, 2, 3, 4], []], "`groups` has an empty group"),
    ([[1.0], [2], [3], [4]], "not an integer"),
    ([["1"], [2], [3], [4]], "not an integer"),
    ([[True], [2], [3], [4]], "not an integer"),
    ([1, 2, 3, 4], "`groups` must be a list of lists of 1-based input numbers"),
]


@pytest.mark.parametrize(("groups", "said"), BAD_GROUPS)
def test_the_judge_refuses_groups_that_do_not_partition_the_inputs(groups, said):
    # The master's mistake, never the student's points: an error naming `groups`, even for a right answer.
    verdict = judge(doubling_task(groups=groups), [{"ok": f(2 * x)} for x in (1, 2, 3, 4)])
    assert verdict.status == "error" and "master notebook" in verdict.message
    assert said in verdict.message, verdict.message


def groups_master(tmp_path, hidden, kind="function"):
    answer = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    if kind == "value":
        answer = "### BEGIN SOLUTION\nf = 2.0\n### END SOLUTION"
    cells = [
        _cell(
            answer,
            {"role": "answer", "id": "q1", "points": 3, "kind": kind, "answer": "f"},
            ["hide-input", "solution"],
        ),
        _cell(
            f"### BEGIN HIDDEN TESTS\n{hidden}\npartial = True\n### END HIDDEN TESTS",
            {"role": "hidden", "id": "q1"},
            ["remove-cell"],
        ),
    ]
    path = tmp_path / "m.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


FOUR_INPUTS = "inputs = [(1.0,), (2.0,), (3.0,), (4.0,)]"


@pytest.mark.parametrize(
    ("hidden", "said"),
    [(f"{FOUR_INPUTS}\ngroups = {groups!r}", said) for groups, said in BAD_GROUPS]
    + [
        (f"{FOUR_INPUTS}\ngroups = [[n] for n in range(1, 5)]", "`groups` must be written out as a list"),
        (f"{FOUR_INPUTS}\ngroups = [[1, 2]]\ngroups += [[3, 4]]", "`groups` must be assigned once"),
        (
            "inputs = [(x,) for x in (1.0, 2.0, 3.0, 4.0)]\ngroups = [[1, 2], [3, 4]]",
            "`inputs` must be assigned once, as a list written out input by input",
        ),
    ],
)
def test_check_refuses_groups_that_do_not_partition_the_inputs(tmp_path, hidden, said):
    problems = check_master(groups_master(tmp_path, hidden))
    assert len(problems) == 1, problems
    assert problems[0].startswith("cell 1 (hidden checks of q1): `groups`"), problems
    assert said in problems[0], problems


def test_check_refuses_groups_on_another_kind_and_accepts_a_partition(tmp_path):
    value = check_master(groups_master(tmp_path, "groups = [[1]]", kind="value"))
    assert value == [
        "cell 1 (hidden checks of q1): `groups` is only for function questions "
        "(this question is a value question); remove it"
    ]
    assert check_master(groups_master(tmp_path, f"{FOUR_INPUTS}\ngroups = [[1, 3], [2], [4]]")) == []
    assert check_master(groups_master(tmp_path, FOUR_INPUTS)) == []


def test_the_command_line_check_fails_on_bad_groups(tmp_path):
    path = groups_master(tmp_path, f"{FOUR_INPUTS}\ngroups = [[1, 2], [2, 3], [4]]")
    run = subprocess.run(
        [sys.executable, "-m", "grader", "check", str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode != 0
    assert "`groups` puts input 2 in two groups" in run.stderr, run.stderr


# --- NaN and inf never pass, not even against a NaN or an inf (issue 20) ------------------------------
# A NaN claimed early in a chain gives NaN in every later step; accepting NaN against NaN let a
# chain of NaN answers score 7/13 by follow-through. Every reference of the course's masters is
# finite, so inf against inf is refused too: an infinite answer is an overflow, never a result.

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("got", "expected", "said"),
    [
        (NAN, NAN, "contains NaN"),
        (NAN, 0.5, "contains NaN"),
        (INF, INF, "contains inf"),
        (-INF, -INF, "contains inf"),
        (INF, 1e308, "contains inf"),
        (np.array([NAN, 1.0]), np.array([NAN, 1.0]), "contains NaN"),
        (np.array([[1.0, INF]]), np.array([[1.0, INF]]), "contains inf"),
        ([1.0, NAN], [1.0, NAN], "contains NaN"),
        ((NAN, "a"), (NAN, "a"), "contains NaN"),  # a tuple of a number and a choice, item by item
    ],
)
def test_compare_never_accepts_nan_or_inf(got, expected, said):
    assert said in compare_values(got, expected, 1e-6, 1e-9)


def test_compare_still_accepts_finite_values_next_to_the_rule():
    assert compare_values(np.array([1e308, -0.0]), np.array([1e308, 0.0]), 1e-6, 1e-9) is None
    assert compare_values([1.0, 2.0], (1.0, 2.0 + 1e-7), 1e-6, 1e-9) is None


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_value_judge_refuses_a_non_finite_answer_against_the_same(bad):
    verdict = judge(task("value", {"ok": f(bad)}), {"ok": f(bad)})
    assert verdict.status == "failed" and verdict.points(2, partial=True) == 0
    array = judge(task("value", {"ok": arr([bad, 1.0])}), {"ok": arr([bad, 1.0])})
    assert array.status == "failed"


def test_function_judge_refuses_nan_results_against_nan_references():
    spec = {"inputs": lst([{"t": "tuple", "v": [f(x)]} for x in (1.0, 2.0)])}
    nan_task = task("function", [{"ok": f(NAN)}, {"ok": f(2.0)}], spec)
    verdict = judge(nan_task, [{"ok": f(NAN)}, {"ok": f(2.0)}])
    assert verdict.status == "failed" and [c.passed for c in verdict.checks] == [False, True]
    assert verdict.points(2, partial=True) == pytest.approx(1.0)  # only the finite input counts


def test_optimizer_judge_refuses_a_nan_state_against_a_nan_state():
    spec = {"grads": lst([lst([arr([1.0])])]), "initial_values": lst([arr([0.0])]), "state": strs(["m"])}
    step = {"values": [arr([-0.1])], "state": [["m", arr([NAN])]]}
    verdict = judge(task("optimizer", {"ok": [step]}, spec), {"ok": [step]})
    assert verdict.status == "failed" and "NaN" in verdict.message


def test_layer_judge_refuses_nan_gradients_that_match_nan_differences():
    # backward gives NaN, and so do forward's values at the perturbed inputs: the gradient check
    # compares NaN with NaN, and a reference with NaN in it would have been matched too.
    x = np.array([[1.0, 2.0]])
    w = np.array([[0.5], [-1.0]])
    g = np.random.default_rng(7).standard_normal(size=(1, 1))
    spec = {"inputs": lst([arr(x)]), "param_grads": strs(["W"])}
    report = layer_report(x, w, g)
    report["ok"]["gx"] = arr(np.full(x.shape, NAN))
    report["ok"]["fd_x"] = [[arr([[NAN]]), arr([[NAN]])] for _ in range(x.size)]
    layer = Task("layer_backward", "L", spec, {"rtol": 1e-6, "atol": 1e-9}, [report], [], 7)
    verdict = judge(layer, [report])
    assert verdict.status == "failed" and "NaN" in verdict.message
