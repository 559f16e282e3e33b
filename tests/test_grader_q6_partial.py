"""Partial credit of optimization q6 (cosine annealing with warm restarts) pays for the schedule's shape.

q6 gives one check per group of grader inputs (the hidden cell's ``groups``); a group holds only when
the answer is right on every input in it. At a restart (T_cur = 0) the true rate is base_lr whatever
the shape, so a check on a restart alone pays the constant ``return base_lr``: an adversarial review
found it earned 0.6 of 3 points. With no restart at all, an answer that restarts one epoch late
(``while t_cur > t_i``, wrong only at restarts) earned full marks. So every restart input shares its
group with an input strictly inside a cycle. The expectations below come from the schedule, not from
the grader's output: which inputs each answer gets right, by a rule, then which groups hold:

- a constant base_lr is right exactly at restarts (T_cur = 0); eta_min is never right (base_lr > eta_min
  and strictly inside a cycle the cosine term is strictly between -1 and 1);
- plain cosine decay without restarts is right exactly in the first cycle (t < T_0);
- restarts every T_0 epochs (T_mult ignored) are right exactly when T_mult = 1, in the first cycle, or at
  a restart (every restart epoch is a multiple of T_0, where the rate is base_lr);
- restarting one epoch late is right everywhere except at the restarts after t = 0 (there it gives
  eta_min, the end of the previous cycle).

The master's inputs avoid the epochs where a wrong schedule agrees by chance (a midpoint, an even cycle
of the cosine's period 2 T_0), which the tests check through the grader's points. The late restart is
also a known mistake of the master (``_late_restart``): its report names it with a hint that gives no
number and no code.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from grader_support import student_version, write

from grader.grade import grade
from grader.master.notebook import parse_master
from grader.report.outputs import text_report

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "exercises" / "optimization.ipynb"
POINTS = 3.0
STUB = '    # YOUR CODE HERE\n    raise NotImplementedError("replace this line with your answer")'

ANSWERS = {
    "constant base_lr": "return base_lr",
    "constant eta_min": "return eta_min",
    "no restart": "return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t / T_0)) / 2",
    "T_mult ignored": (
        "t_cur = t % T_0\nreturn eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t_cur / T_0)) / 2"
    ),
    "late restart": (
        "t_cur, t_i = t, T_0\n"
        "while t_cur > t_i:\n"
        "    t_cur -= t_i\n"
        "    t_i *= T_mult\n"
        "return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2"
    ),
}


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def master_hidden_names():
    """The names q6's hidden cell defines (it only defines names), as the grader's master kernel runs it."""
    notebook = json.loads(MASTER.read_text(encoding="utf-8"))
    cell = next(
        c for c in notebook["cells"] if c["metadata"].get("grader", {}) == {"id": "q6", "role": "hidden"}
    )
    names = {"np": np}
    exec(_source(cell), names)  # the master's own hidden cell
    return names


def master_inputs():
    return [tuple(args) for args in master_hidden_names()["inputs"]]


def master_groups():
    """q6's groups of 1-based input numbers; one group per input if it declares none."""
    names = master_hidden_names()
    return names.get("groups") or [[n] for n in range(1, len(names["inputs"]) + 1)]


def t_cur_and_length(t, T_0, T_mult):
    """Epochs since the last restart and the current cycle's length, by listing the cycles' starts."""
    start, length = 0, T_0
    while start + length <= t:
        start, length = start + length, length * T_mult
    return t - start, length


def at_restart(t, T_0, T_mult):
    return t_cur_and_length(t, T_0, T_mult)[0] == 0


def rate(t, base_lr, T_0, T_mult, eta_min):
    """The schedule's rate, from the cycles listed by ``t_cur_and_length``."""
    t_cur, length = t_cur_and_length(t, T_0, T_mult)
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t_cur / length)) / 2


RIGHT_ON = {  # which inputs (t, T_0, T_mult) each answer gets right, by the rules of the docstring
    "constant base_lr": at_restart,
    "constant eta_min": lambda t, T_0, T_mult: False,
    "no restart": lambda t, T_0, T_mult: t < T_0,
    "T_mult ignored": lambda t, T_0, T_mult: T_mult == 1 or t < T_0 or at_restart(t, T_0, T_mult),
    "late restart": lambda t, T_0, T_mult: not (t > 0 and at_restart(t, T_0, T_mult)),
}


def expected_points(name):
    """3 points times the share of groups whose every input the answer gets right."""
    inputs = master_inputs()
    right = [RIGHT_ON[name](t, T_0, T_mult) for t, _, T_0, T_mult, _ in inputs]
    groups = master_groups()
    held = sum(all(right[n - 1] for n in group) for group in groups)
    return POINTS * held / len(groups)


def test_every_restart_input_shares_its_group_with_an_input_inside_a_cycle():
    inputs = master_inputs()
    groups = master_groups()
    assert sorted(n for group in groups for n in group) == list(range(1, len(inputs) + 1))
    restarts = [n for n, (t, _, T_0, T_mult, _) in enumerate(inputs, start=1) if at_restart(t, T_0, T_mult)]
    assert any(inputs[n - 1][0] == 0 for n in restarts), "an input at t = 0"
    later = [inputs[n - 1] for n in restarts if inputs[n - 1][0] > 0]
    assert any(T_mult == 2 for _, _, _, T_mult, _ in later), "a restart after t = 0 with T_mult = 2"
    for group in groups:
        inside = [n for n in group if n not in restarts]
        assert inside, f"group {group} holds restarts only: `return base_lr` would earn it"
    for _, base_lr, _, _, eta_min in inputs:
        assert base_lr > eta_min, "the schedule must move between base_lr and eta_min"


def _submission(body, folder, name):
    notebook = student_version(MASTER)
    cell = next(
        c
        for c in notebook["cells"]
        if c["metadata"].get("grader", {}).get("id") == "q6" and c["metadata"]["grader"]["role"] == "answer"
    )
    text = _source(cell)
    assert STUB in text, "the student version of q6 has the standard stub"
    cell["source"] = text.replace(STUB, "\n".join("    " + line for line in body.splitlines()))
    return write(notebook, folder / f"{name.replace(' ', '_')}.ipynb")


@pytest.fixture(scope="module")
def q6_graded(tmp_path_factory):
    """Each answer's q6 result and its text report."""
    folder = tmp_path_factory.mktemp("q6")
    master = parse_master(MASTER)
    graded = {}
    for name, body in ANSWERS.items():
        result = grade(master, _submission(body, folder, name))
        q6 = next(q for q in result.questions if q.id == "q6")
        graded[name] = (q6, text_report(result))
    return graded


@pytest.fixture(scope="module")
def q6_points(q6_graded):
    return {name: (q6.status, q6.points) for name, (q6, _) in q6_graded.items()}


@pytest.mark.parametrize("name", ["constant base_lr", "constant eta_min"])
def test_a_constant_scores_nothing(q6_points, name):
    assert expected_points(name) == 0.0
    assert q6_points[name] == ("failed", 0.0)


@pytest.mark.parametrize("name", ["no restart", "T_mult ignored", "late restart"])
def test_a_partly_right_schedule_scores_the_groups_it_gets_right(q6_points, name):
    expected = expected_points(name)
    assert 0 < expected < POINTS
    status, points = q6_points[name]
    assert status == "failed"
    assert points == pytest.approx(expected)


LATE_RESTART_HINT = "first epoch of a new cycle"  # a phrase of the hint the master declares for it


def test_a_late_restart_gets_the_hint_that_names_it(q6_graded):
    q6, report = q6_graded["late restart"]
    hint = str(q6.hint)  # a message of the vocabulary: the master's hint, as shown
    assert q6.status == "failed"
    assert hint and LATE_RESTART_HINT in hint
    assert "one epoch late" in hint
    assert f"hint: {hint}" in report
    # the hint names the mistake, not the answer: no number (no expected rate, no epoch), no code
    expected = [rate(*args) for args in master_inputs()]
    assert not any(f"{value:g}" in hint or f"{value:.4f}" in hint for value in expected)
    assert not any(ch.isdigit() for ch in hint)
    assert ">=" not in hint and "while" not in hint and "base_lr" not in hint
    for other in ANSWERS:  # the other wrong answers do not get it
        if other != "late restart":
            assert q6_graded[other][0].hint != hint
