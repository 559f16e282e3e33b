"""Follow-through marks only for the student's own method, re-run on the master's values (issue 20).

A later question of a chain earns follow-through marks only when the student's own answer cell,
run again in their kernel on the master's values of the earlier answers it uses, gives the
master's answer. Two attacks on the old second route (the master's cell run on the student's
claimed earlier values) are written here as submissions built from the student version of the
backprop set, ``student/backprop.ipynb``; both scored on the grader before this change:

- every chain answer NaN of the right shape: 7/13 (q2-q6 "correct, following through from your
  q1": the master's cells run on NaN give NaN, and NaN was accepted against a NaN reference);
- a degenerate claimed q1 (hidden activations of zeros, which no sigmoid gives) and constant
  answers to q4-q6 that the master's cells give on it: 5/13, with no backprop at all.

Both score 0 now. Points (backprop's metadata): q1 2, q2 1, q3 1, q4 2, q5 2, q6 1, q7 3, q8 1.

The property at the end draws forged chain answers; its number of examples is read from the
environment (``GRADER_FUZZ_EXAMPLES``, see ``EXAMPLES``), so ``make test`` runs a few and ``make fuzz`` many.
"""

import ast
import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grader.grade import Limits, MasterSession, grade
from grader.master.notebook import parse_master

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "exercises" / "backprop.ipynb"
STUDENT = ROOT / "student" / "backprop.ipynb"
POINTS = {"q1": 2, "q2": 1, "q3": 1, "q4": 2, "q5": 2, "q6": 1, "q7": 3, "q8": 1}
SIGMOID = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n\n\n"


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _answer(notebook, qid):
    """The answer cell of question ``qid`` in a notebook dictionary."""
    return next(
        c
        for c in notebook["cells"]
        if c["metadata"].get("grader", {}).get("role") == "answer" and c["metadata"]["grader"]["id"] == qid
    )


NAN_CHAIN = {
    "q1": SIGMOID + "a_hidden = np.full(2, np.nan)\ny_hat_q1 = float('nan')\n",
    "q2": "loss_q2 = float('nan')\n",
    "q3": "delta_out_q3 = float('nan')\n",
    "q4": "delta_hidden_q4 = np.full(2, np.nan)\n",
    "q5": "grad_W1_q5 = np.full((2, 2), np.nan)\n",
    "q6": "W2_new_q6 = np.full((1, 2), np.nan)\n",
}
# With a_hidden = 0 the master's q4 gives 0 (a factor a (1 - a)), q5 the outer product of 0 and x,
# and q6 W2 - lr * delta_3 * 0 = W2: constants that need no backprop.
ZERO_ACTIVATION = {
    "q1": SIGMOID + "a_hidden = np.zeros(2)\ny_hat_q1 = 0.5\n",
    "q4": "delta_hidden_q4 = np.zeros(2)\n",
    "q5": "grad_W1_q5 = np.zeros((2, 2))\n",
    "q6": "W2_new_q6 = np.array(W2_p)\n",
}
# An honest student: q1 forgets the hidden sigmoid (the master's second known mistake), and every
# later answer is computed, right, from the names the earlier cells define; q7 and q8 right.
HONEST_WRONG_Q1 = {
    "q1": SIGMOID
    + "a_hidden = W1_p @ x_p + b1_p\nz_out = W2_p @ a_hidden + b2_p\ny_hat_q1 = float(sigmoid(z_out[0]))\n",
    "q2": "loss_q2 = float(-(y_p * np.log(y_hat_q1) + (1 - y_p) * np.log(1 - y_hat_q1)))\n",
    "q3": "delta_out_q3 = y_hat_q1 - y_p\n",
    "q4": "delta_hidden_q4 = W2_p[0] * delta_out_q3 * a_hidden * (1 - a_hidden)\n",
    "q5": "grad_W1_q5 = np.outer(delta_hidden_q4, x_p)\n",
    "q6": "W2_new_q6 = W2_p - lr_p * delta_out_q3 * a_hidden[None, :]\n",
    "q7": "".join(line for line in _answer(_load(MASTER), "q7")["source"] if "SOLUTION" not in line),
    "q8": 'q8_answer = "a"\n',
}


def _notebook(replace):
    """The student version of the backprop set with the answer cells of ``replace`` filled in."""
    notebook = _load(STUDENT)
    for qid, body in replace.items():
        _answer(notebook, qid)["source"] = body
    return notebook


def _write(replace, folder, name="s.ipynb"):
    path = Path(folder) / name
    path.write_text(json.dumps(_notebook(replace)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def session():
    """One master kernel for the whole file (every submission here has the id "demo")."""
    master = parse_master(MASTER)
    session = MasterSession(master, Limits())
    yield master, session
    session.close()


def _grade(session, path):
    master, master_session = session
    return grade(master, path, limits=Limits(), session=master_session)


def test_nan_chain_scores_nothing(session, tmp_path):
    result = _grade(session, _write(NAN_CHAIN, tmp_path))
    assert result.score == 0, [(q.id, q.points, q.message) for q in result.questions]  # before: 7/13
    assert all(q.marked == "own chain" for q in result.questions)
    assert all("NaN" in q.message for q in result.questions if q.id in NAN_CHAIN)


def test_constants_on_a_degenerate_q1_score_nothing(session, tmp_path):
    result = _grade(session, _write(ZERO_ACTIVATION, tmp_path))
    assert result.score == 0, [(q.id, q.points, q.message) for q in result.questions]  # before: 5/13
    assert all(q.marked == "own chain" for q in result.questions)


def test_honest_student_with_a_wrong_q1_keeps_follow_through(session, tmp_path):
    result = _grade(session, _write(HONEST_WRONG_Q1, tmp_path))
    q = {question.id: question for question in result.questions}
    assert q["q1"].points == 0 and q["q1"].hint and "sigmoid" in q["q1"].hint
    for qid in ("q2", "q3", "q4", "q5", "q6"):
        assert q[qid].status == "passed" and q[qid].points == POINTS[qid], q[qid]
        assert q[qid].marked == "follow-through"
    assert "reference values of q1, q3 (a_hidden, delta_out_q3)" in q["q4"].message
    assert result.score == pytest.approx(13 - 2)  # before this change: 11 too


def test_the_master_scores_full_and_the_stub_nothing(session):
    assert _grade(session, MASTER).score == 13
    assert _grade(session, STUDENT).score == 0


# --- the property: forged chain answers never score more than the right ones among them ---------------

# How many forged notebooks the property grades: each is one submission (a kernel in its sandbox,
# 3-5 s on 2 shared cores). make test runs 8, the same each time; GRADER_FUZZ_EXAMPLES (make fuzz)
# runs that many, random ones, as the grader's other property tests do.
FUZZ = os.environ.get("GRADER_FUZZ_EXAMPLES")
EXAMPLES = int(FUZZ) if FUZZ else 8

# The chain's answers: question, name, shape (the names of q1 are its answer and an intermediate).
CHAIN = [
    ("q1", "a_hidden", (2,)),
    ("q1", "y_hat_q1", ()),
    ("q2", "loss_q2", ()),
    ("q3", "delta_out_q3", ()),
    ("q4", "delta_hidden_q4", (2,)),
    ("q5", "grad_W1_q5", (2, 2)),
    ("q6", "W2_new_q6", (1, 2)),
]
ANSWERS = {"q1": "y_hat_q1", "q2": "loss_q2", "q3": "delta_out_q3", "q4": "delta_hidden_q4"}
ANSWERS |= {"q5": "grad_W1_q5", "q6": "W2_new_q6"}


def _parameters():
    """x, y, W1, b1, W2, b2, lr of the id "demo", from the notebook's parameters cell (the course's own)."""
    cell = next(
        c for c in _notebook({})["cells"] if c["metadata"].get("grader", {}).get("role") == "parameters"
    )
    space = {}
    with contextlib.redirect_stdout(io.StringIO()):  # it prints the parameters
        exec("".join(cell["source"]), space)  # noqa: S102 - the course's own cell, STUDENT_ID = "demo"
    return [space[n] for n in ("x_p", "y_p", "W1_p", "b1_p", "W2_p", "b2_p", "lr_p")]


PARAMETERS = _parameters()


def _chain_from(a, y_hat):
    """Every answer of the chain from the hidden activations ``a`` and the output ``y_hat``.

    The formulas of the exam notes (section 10), written here: on the true ``a`` and ``y_hat``
    they give the references; on forged ones, what the master's cells give on the forged claim.
    """
    x, y, _, _, w2, _, lr = PARAMETERS
    with np.errstate(all="ignore"):
        delta_3 = y_hat - y
        delta_h = w2[0] * delta_3 * a * (1.0 - a)
        return {
            "a_hidden": a,
            "y_hat_q1": np.float64(y_hat),
            "loss_q2": np.float64(-(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))),
            "delta_out_q3": np.float64(delta_3),
            "delta_hidden_q4": delta_h,
            "grad_W1_q5": np.outer(delta_h, x),
            "W2_new_q6": w2 - lr * delta_3 * a[None, :],
        }


def _references():
    x, _, w1, b1, w2, b2, _ = PARAMETERS
    a = 1.0 / (1.0 + np.exp(-(w1 @ x + b1)))
    return _chain_from(a, 1.0 / (1.0 + np.exp(-(w2[0] @ a + b2[0]))))


REFERENCES = _references()


def _forged(name, shape):
    """A forged value of ``shape``: NaN, inf, a constant, zeros, any array, or the right one with noise."""
    full = st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 0.5, 1.0, -1.0, 1e300]).map(
        lambda v: np.full(shape, v)
    )
    constant = st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda v: np.full(shape, v))
    anything = arrays(np.float64, shape, elements=st.floats(width=64))
    noise = st.sampled_from([0.0, 1e-12, 1e-7, 1e-3, 0.1, 1.0])
    near = st.tuples(noise, st.integers(0, 2**32 - 1)).map(
        lambda ns: REFERENCES[name] + ns[0] * np.random.default_rng(ns[1]).standard_normal(shape)
    )
    return st.one_of(full, constant, anything, near)


def _literal(value):
    """Python code for ``value`` that reads nothing: exact floats, NaN and inf included."""
    value = np.asarray(value, dtype=np.float64)
    numbers = ", ".join(f"float.fromhex({float(v).hex()!r})" for v in value.ravel())
    if value.shape == ():
        return numbers
    return f"np.array([{numbers}]).reshape({value.shape!r})"


@st.composite
def forged_chains(draw):
    """Per answer cell of q1-q6: left as the stub, or literals that do not compute from any input.

    Half the chains are forged value by value; the other half forge q1 only and give, as
    literals, what the master's cells compute on that claim (the attack on the old second route).
    """
    if draw(st.booleans()):
        values = {name: draw(_forged(name, shape)) for _, name, shape in CHAIN}
    else:
        values = _chain_from(draw(_forged("a_hidden", (2,))), draw(_forged("y_hat_q1", ())))
    cells = {}
    for qid in ANSWERS:
        if draw(st.booleans()):
            names = [name for q, name, _ in CHAIN if q == qid]
            body = "".join(f"{name} = {_literal(values[name])}\n" for name in names)
            cells[qid] = (SIGMOID if qid == "q1" else "") + body
    return values, cells


def _right(value, reference):
    """The master's tolerances (rtol 1e-6, atol 1e-9, backprop's defaults) on a finite value."""
    value = np.asarray(value, dtype=np.float64)
    return bool(np.isfinite(value).all() and np.allclose(value, reference, rtol=1e-6, atol=1e-9))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=FUZZ is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(chain=forged_chains())
def test_forged_chains_never_score_more_than_their_right_answers(session, chain):
    values, cells = chain
    right = sum(
        POINTS[qid]
        for qid, name in ANSWERS.items()
        if qid in cells and _right(values[name], REFERENCES[name])
    )
    with tempfile.TemporaryDirectory() as folder:
        result = _grade(session, _write(cells, folder))
    scored = {q.id: q.points for q in result.questions if q.points}
    assert result.score <= right + 1e-9, (scored, right, cells)


def test_follow_through_does_not_import_grade():
    # grade imports follow_through; the other way round made a circle (a lazy import of g_seed).
    tree = ast.parse((ROOT / "grader" / "judge" / "follow_through.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert imported and not {"grader.grade", "grader.cli"} & imported, imported
