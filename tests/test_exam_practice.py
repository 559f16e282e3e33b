"""The practice-exam generator (exam/): reproducible from its seed, and its key agrees with
answers worked out here independently (plain math, written out from the formulas)."""

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the exam package sits at the root
from exam import practice, site_data  # noqa: E402
from exam.problems import (  # noqa: E402
    fmt,
    make_adam_problem,
    make_cross_entropy_problem,
    make_huber_problem,
    make_network_problem,
    make_schedule_problem,
)

SEEDS = range(12)


def _and_site(slug):
    """``SEEDS`` and the seeds of every variant of type ``slug`` that the practice site ships."""
    return [*SEEDS, *(site_data.variant_seed(slug, n) for n in site_data.variant_numbers(slug))]

NUMBER = r"-?\d+(?:\.\d+)?"


def _given(statement, name):
    """A number the statement gives, e.g. ``w_{11} = 0.3`` or ``b_1 = -0.2``."""
    match = re.search(re.escape(name) + r" = (" + NUMBER + r")\$", statement)
    assert match, f"{name} not found in the statement"
    return float(match.group(1))


def _pair(statement, name):
    match = re.search(re.escape(name) + r" = \((" + NUMBER + r"), (" + NUMBER + r")\)", statement)
    assert match, f"{name} not found in the statement"
    return float(match.group(1)), float(match.group(2))


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_same_seed_same_exam_and_key():
    assert practice.render(3, "exam") == practice.render(3, "exam")
    assert practice.render(3, "key") == practice.render(3, "key")


def test_different_seeds_give_different_exams():
    assert len({practice.render(seed, "exam") for seed in SEEDS}) == len(SEEDS)


def test_exam_has_one_problem_per_area_and_no_answers():
    for seed in range(5):
        exam, key = practice.render(seed, "exam"), practice.render(seed, "key")
        problems, concepts = practice.make_exam(seed)
        assert len(problems) == len(practice.PROBLEM_AREAS) and len(concepts) == practice.N_CONCEPTS
        for problem, makers in zip(problems, practice.PROBLEM_AREAS.values(), strict=True):
            assert any(problem.title == maker(np.random.default_rng(0)).title or
                       problem.title.startswith("A learning-rate schedule") for maker in makers)
        assert "2-2-1 network" in exam and "concepts" in exam
        assert "*Answer.*" in key and "*Answer.*" not in exam
        assert "computed by `nnlib`" in key
        assert f"Practice exam number {seed}" in exam and "seed" not in exam.replace("SEED=", "")


@pytest.mark.parametrize("seed", _and_site("network"))
def test_network_key_matches_a_hand_computation(seed):
    problem = make_network_problem(np.random.default_rng(seed))
    s = problem.statement
    w = {name: _given(s, name) for name in ("w_{11}", "w_{21}", "b_1", "w_{12}", "w_{22}", "b_2",
                                            "w_{13}", "w_{23}", "b_3")}
    x1, x2 = _pair(s, "$x")
    y, lr = _given(s, "label $y"), _given(s, "\\eta")
    # forward, written out as in the exam notes' section 10
    z1 = w["w_{11}"] * x1 + w["w_{21}"] * x2 + w["b_1"]
    z2 = w["w_{12}"] * x1 + w["w_{22}"] * x2 + w["b_2"]
    a1, a2 = _sigmoid(z1), _sigmoid(z2)
    z3 = w["w_{13}"] * a1 + w["w_{23}"] * a2 + w["b_3"]
    y_hat = _sigmoid(z3)
    loss = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
    # backward: dL/dy_hat * sigmoid'(z3), kept as a product (not simplified to y_hat - y)
    delta3 = (-(y / y_hat) + (1 - y) / (1 - y_hat)) * y_hat * (1 - y_hat)
    delta1 = w["w_{13}"] * delta3 * a1 * (1 - a1)
    delta2 = w["w_{23}"] * delta3 * a2 * (1 - a2)
    expected = {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "z3": z3, "y_hat": y_hat, "loss": loss,
                "delta3": delta3, "delta1": delta1, "delta2": delta2,
                "dL/dw11": delta1 * x1, "dL/dw21": delta1 * x2, "dL/db1": delta1,
                "dL/dw12": delta2 * x1, "dL/dw22": delta2 * x2, "dL/db2": delta2,
                "dL/dw13": delta3 * a1, "dL/dw23": delta3 * a2, "dL/db3": delta3,
                "new_w13": w["w_{13}"] - lr * delta3 * a1, "new_b1": w["b_1"] - lr * delta1}
    for name, value in expected.items():
        assert problem.answers[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
        assert fmt(value) in problem.solution, name


@pytest.mark.parametrize("seed", _and_site("adam"))
def test_adam_key_matches_the_formulas(seed):
    problem = make_adam_problem(np.random.default_rng(seed))
    s = problem.statement
    lr = _given(s, "\\eta")
    theta = list(_pair(s, "\\theta_0"))
    gradients = [_pair(s, "g_1"), _pair(s, "g_2")]
    for i in range(2):
        m = v = 0.0
        for t, g in enumerate((gradients[0][i], gradients[1][i]), start=1):
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
            theta[i] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
            assert problem.answers[f"m{t}[{i}]"] == pytest.approx(m, rel=1e-12)
            assert problem.answers[f"v{t}[{i}]"] == pytest.approx(v, rel=1e-12)
            assert problem.answers[f"mhat{t}[{i}]"] == pytest.approx(m_hat, rel=1e-12)
            assert problem.answers[f"vhat{t}[{i}]"] == pytest.approx(v_hat, rel=1e-12)
            assert problem.answers[f"theta{t}[{i}]"] == pytest.approx(theta[i], rel=1e-9, abs=1e-12)
        # the first step is lr * sign(g1), as the key says
    first = problem.answers["theta1[0]"] - _pair(s, "\\theta_0")[0]
    assert abs(first) == pytest.approx(lr, rel=1e-6)


@pytest.mark.parametrize("seed", _and_site("huber"))
def test_huber_key_matches_the_piecewise_formula(seed):
    problem = make_huber_problem(np.random.default_rng(seed))
    s = problem.statement
    y = [float(v) for v in re.search(r"Targets \$y = \(([^)]*)\)", s).group(1).split(",")]
    y_hat = [float(v) for v in re.search(r"\\hat y = \(([^)]*)\)", s).group(1).split(",")]
    delta = _given(s, "\\delta")
    losses, grads = [], []
    for target, prediction in zip(y, y_hat, strict=True):
        d = prediction - target
        losses.append(0.5 * d * d if abs(d) <= delta else delta * (abs(d) - 0.5 * delta))
        grads.append((d if abs(d) <= delta else math.copysign(delta, d)) / len(y))
    assert problem.answers["cost"] == pytest.approx(sum(losses) / len(y), rel=1e-12)
    for i in range(3):
        assert problem.answers[f"loss[{i}]"] == pytest.approx(losses[i], rel=1e-12)
        assert problem.answers[f"grad[{i}]"] == pytest.approx(grads[i], rel=1e-12)


@pytest.mark.parametrize("seed", _and_site("cross-entropy"))
def test_cross_entropy_key_matches_softmax_by_hand(seed):
    problem = make_cross_entropy_problem(np.random.default_rng(seed))
    s = problem.statement
    z = [float(v) for v in re.search(r"logits \$z = \(([^)]*)\)", s).group(1).split(",")]
    label = int(re.search(r"true class is class (\d)", s).group(1)) - 1
    smoothing = float(m.group(1)) if (m := re.search(r"\\varepsilon = (" + NUMBER + r")\$", s)) else 0.0
    exps = [math.exp(v) for v in z]
    p = [e / sum(exps) for e in exps]
    target = [(1 - smoothing) * (c == label) + smoothing / 3 for c in range(3)]
    expected = -sum(t * math.log(q) for t, q in zip(target, p, strict=True))
    assert problem.answers["loss"] == pytest.approx(expected)
    for c in range(3):
        assert problem.answers[f"grad[{c}]"] == pytest.approx(p[c] - target[c], abs=1e-12)
    assert ("smoothed" in problem.solution) == (smoothing > 0), "the key calls the target what it is"


@pytest.mark.parametrize(("seed", "schedule"), [*((seed, None) for seed in range(40)), *(
    (site_data.variant_seed(f"schedule-{kind}", n), kind) for kind in ("step", "exponential", "cosine")
    for n in site_data.variant_numbers(f"schedule-{kind}"))])
def test_schedule_key_matches_the_closed_form(seed, schedule):
    problem = make_schedule_problem(np.random.default_rng(seed), schedule=schedule)
    assert problem.kind == f"schedule-{problem.answers['kind']}"
    s = problem.statement
    lr0 = _given(s, "\\eta_0")
    t = int(re.search(r"epoch \$t = (\d+)\$", s).group(1))
    kind = problem.answers["kind"]
    if kind == "step":
        step, gamma = _given(s, "s"), _given(s, "\\gamma")
        expected = lr0 * gamma ** (t // int(step))
    elif kind == "exponential":
        expected = lr0 * _given(s, "\\gamma") ** t
    elif kind == "cosine":
        expected = lr0 * (1 + math.cos(math.pi * t / _given(s, "T_{\\max}"))) / 2
    else:
        t_0, t_mult = int(_given(s, "T_0")), int(_given(s, "T_{mult}"))
        t_cur, t_i = t, t_0
        while t_cur >= t_i:  # walk through the finished cycles
            t_cur, t_i = t_cur - t_i, t_i * t_mult
        expected = lr0 * (1 + math.cos(math.pi * t_cur / t_i)) / 2
    assert problem.answers["lr"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert f"{expected:.6g}" in problem.solution


def test_cli_writes_exam_and_key(tmp_path, capsys):
    practice.main(["--seed", "11", "--out", str(tmp_path)])
    assert (tmp_path / "exam_seed11.md").read_text() == practice.render(11, "exam")
    assert (tmp_path / "key_seed11.md").read_text() == practice.render(11, "key")
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3"])
def test_bad_seed_is_an_error(seed):
    with pytest.raises(ValueError, match="seed"):
        practice.make_exam(seed)


def test_bad_part_is_an_error():
    with pytest.raises(ValueError, match="part"):
        practice.render(1, "answers")
