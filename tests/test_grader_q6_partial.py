"""Partial credit of optimization q6 (cosine annealing with warm restarts) pays for the schedule's shape.

q6 gives one check per grader input. At a restart (T_cur = 0) the true rate is base_lr whatever the
shape, so an input there pays the constant ``return base_lr``: an adversarial review found it earned
0.6 of 3 points. The expectations below come from the schedule, not from the grader's output:
a constant is never right strictly inside a cycle (the cosine term is strictly between -1 and 1);
plain cosine decay without restarts is right exactly in the first cycle (t < T_0); restarts every
T_0 epochs (T_mult ignored) are right exactly when T_mult = 1 or in the first cycle. The master's
inputs avoid the epochs where a wrong schedule agrees by chance (a midpoint, an even cycle of the
cosine's period 2 T_0), which the last test checks through the grader's points.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from grader_support import student_version, write

from grader.grade import grade
from grader.master import parse_master

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
}


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def master_inputs():
    """The grader inputs of q6, read from the master's hidden cell (it only defines names)."""
    notebook = json.loads(MASTER.read_text(encoding="utf-8"))
    cell = next(
        c for c in notebook["cells"] if c["metadata"].get("grader", {}) == {"id": "q6", "role": "hidden"}
    )
    names = {"np": np}
    exec(_source(cell), names)  # the master's own hidden cell, as the grader's master kernel runs it
    return [tuple(args) for args in names["inputs"]]


def t_cur_and_length(t, T_0, T_mult):
    """Epochs since the last restart and the current cycle's length, by listing the cycles' starts."""
    start, length = 0, T_0
    while start + length <= t:
        start, length = start + length, length * T_mult
    return t - start, length


def test_every_input_is_strictly_inside_a_cycle():
    for t, base_lr, T_0, T_mult, eta_min in master_inputs():
        t_cur, length = t_cur_and_length(t, T_0, T_mult)
        assert 0 < t_cur < length, f"input {(t, base_lr, T_0, T_mult, eta_min)} is at a restart"
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
def q6_points(tmp_path_factory):
    folder = tmp_path_factory.mktemp("q6")
    master = parse_master(MASTER)
    points = {}
    for name, body in ANSWERS.items():
        result = grade(master, _submission(body, folder, name))
        q6 = next(q for q in result.questions if q.id == "q6")
        points[name] = (q6.status, q6.points)
    return points


@pytest.mark.parametrize("name", ["constant base_lr", "constant eta_min"])
def test_a_constant_scores_nothing(q6_points, name):
    assert q6_points[name] == ("failed", 0.0)


@pytest.mark.parametrize(
    ("name", "right_on"),
    [
        ("no restart", lambda t, T_0, T_mult: t < T_0),
        ("T_mult ignored", lambda t, T_0, T_mult: T_mult == 1 or t < T_0),
    ],
)
def test_a_partly_right_schedule_scores_what_it_gets_right(q6_points, name, right_on):
    inputs = master_inputs()
    right = sum(bool(right_on(t, T_0, T_mult)) for t, _, T_0, T_mult, _ in inputs)
    status, points = q6_points[name]
    assert status == "failed"
    assert 0 < points < POINTS
    assert points == pytest.approx(POINTS * right / len(inputs))
