"""Every exercise master's own solutions pass its own self-checks, for every student id.

A self-check that fails stops a student's *Run All* at that cell. nbval runs each master only for
the id ``"demo"``; this test runs the cells a student runs (every cell but the hidden ones, the
parameters cell with a student id put in by the grader's own ``with_student_id``) for many student
ids, each in a fresh namespace in this process. The ids are drawn at random every run; the seed is
printed, and ``SELF_CHECK_SEED=<seed> pytest tests/test_self_checks.py`` draws the same ones again.
``SELF_CHECK_IDS`` sets how many (100 by default).
"""

import contextlib
import io
import os
import random
import secrets
import string
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import sympy as sp
from IPython.display import display

from grader.master.notebook import cell_info, parse_master, student_id_problem, with_student_id
from grader.master.release import master_paths
from nnlib.optim import Adam
from nnlib.parameter import Parameter

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

ROOT = Path(__file__).resolve().parent.parent
MASTERS = master_paths(ROOT / "exercises")
SEED = int(os.environ.get("SELF_CHECK_SEED") or secrets.randbelow(2**32))
N_IDS = int(os.environ.get("SELF_CHECK_IDS") or 100)
ID_ALPHABET = string.ascii_letters + string.digits + "._-@ "


def draw_student_ids(seed, n):
    """``n`` distinct valid student ids (1 to 20 printable characters), drawn from ``seed``."""
    rng = random.Random(seed)
    ids = set()
    while len(ids) < n:
        candidate = "".join(rng.choice(ID_ALPHABET) for _ in range(rng.randint(1, 20))).strip()
        if student_id_problem(candidate) is None and candidate != "demo":
            ids.add(candidate)
    return sorted(ids)


def student_cells(master):
    """The code a student's *Run All* runs: every code cell but the hidden ones, as (index, role, source)."""
    cells = []
    for index, cell in enumerate(master.notebook.cells):
        role = cell_info(cell).get("role")
        if cell.cell_type == "code" and role != "hidden":
            cells.append((index, role, cell.source))
    return cells


def run_for(cells, student_id):
    """Run the cells for one student id afresh: None, or (cell index, error) of the first failure."""
    namespace = {"__name__": "__main__", "display": display}  # what a kernel provides
    for number, role, source in cells:
        if role == "parameters":
            source = with_student_id(source, student_id)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, f"<cell {number} for {student_id!r}>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # an assert of a self-check, or any error a student would see
            return number, f"{type(error).__name__}: {error}"
        finally:
            plt.close("all")
    return None


def test_draw_student_ids_is_reproducible_and_valid():
    ids = draw_student_ids(SEED, N_IDS)
    assert ids == draw_student_ids(SEED, N_IDS)
    assert len(set(ids)) == N_IDS >= 100 or "SELF_CHECK_IDS" in os.environ
    assert all(student_id_problem(i) is None for i in ids)


@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.name)
def test_master_solutions_pass_their_self_checks_for_every_student(master_path, monkeypatch):
    print(f"SELF_CHECK_SEED={SEED} ({N_IDS} student ids)")
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)  # Agg cannot show; run_for closes figures
    monkeypatch.chdir(master_path.parent)  # as the master runs (its matplotlibrc, its relative paths)
    cells = student_cells(parse_master(master_path))
    ids = draw_student_ids(SEED, N_IDS)
    failures = {}
    for student_id in ids:
        failure = run_for(cells, student_id)
        if failure is not None:
            failures[student_id] = failure
    assert not failures, (
        f"{master_path.name}: the master's own solutions fail for {len(failures)} of {len(ids)} student ids "
        f"(SELF_CHECK_SEED={SEED}); e.g. " + "; ".join(
            f"id {student_id!r}, cell {number}: {message}"
            for student_id, (number, message) in list(failures.items())[:3]
        )
    )


def test_two_adam_steps_bound_of_the_optimization_q3_self_check():
    """The bound 2.0014 lr of optimization q3's self-check is a theorem, and 2 lr (the old check) is not.

    Step 1 is lr |g1| / (|g1| + eps) <= lr. Step 2 is lr |m_hat| / (sqrt(v_hat) + eps), with
    m_hat = w1 g1 + w2 g2 and v_hat = u1 g1**2 + u2 g2**2, so by Cauchy-Schwarz
    |m_hat| / sqrt(v_hat) <= K = sqrt(w1**2/u1 + w2**2/u2), with equality at g2 / g1 = beta2 / beta1.
    """
    b1, b2 = sp.Rational(9, 10), sp.Rational(999, 1000)
    w1, w2 = b1 * (1 - b1) / (1 - b1**2), (1 - b1) / (1 - b1**2)
    u1, u2 = b2 * (1 - b2) / (1 - b2**2), (1 - b2) / (1 - b2**2)
    bound = float(sp.sqrt(w1**2 / u1 + w2**2 / u2))
    assert 1.00135 < bound < 1.00136  # sqrt(1.0027177) by hand

    def second_steps(g1, g2):
        param = Parameter(np.zeros_like(g1))
        adam = Adam([param], lr=1.0)
        param.grad[...] = g1
        adam.step()
        first = param.value.copy()
        param.grad[...] = g2
        adam.step()
        return np.abs(first), np.abs(param.value - first)

    ratio = np.exp(np.linspace(-3.0, 3.0, 20001))  # g2 / g1, every sign pattern below
    for sign in (1.0, -1.0):
        first, second = second_steps(np.ones_like(ratio), sign * ratio)
        assert np.all(first <= 1.0)
        assert np.all(second <= bound * (1 + 1e-12))
    first, second = second_steps(np.array([0.9]), np.array([1.0]))  # a student's g2 = 1.11 g1, rounded
    assert first[0] + second[0] > 2.0013  # beyond the old check's 2 lr, within the new 2.0014 lr
    assert first[0] + second[0] <= 1 + bound < 2.0014
