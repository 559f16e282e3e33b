"""The practice-exam generator's newer problem types, its mix and its concept bank.

Every key number is recomputed here from the problem's inputs (``Problem.givens``, each of which
must also appear in the statement) with the formulas written out by hand in plain Python: never
from ``nnlib`` and never from the generator's own output.
"""

import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the exam package sits at the root
from exam import practice  # noqa: E402
from exam.concepts import CONCEPTS  # noqa: E402
from exam.problems import (  # noqa: E402
    DISTRIBUTIONS,
    fmt,
    given,
    kl_problem,
    make_adagrad_problem,
    make_batches_problem,
    make_hidden_delta_problem,
    make_hinge_problem,
    make_huber_problem,
    make_kl_problem,
    make_label_smoothing_problem,
    make_mae_mse_problem,
    make_momentum_problem,
    make_nesterov_problem,
    make_rmsprop_problem,
    make_schedule_problem,
    make_stability_problem,
    make_warm_restart_problem,
)
from exam.site_data import VARIANTS, draw, variant_numbers  # noqa: E402
from exam.types import TYPES  # noqa: E402

SEEDS = range(25)
#: the practice site's types drawn by each maker (the schedule maker draws three types)
SLUGS = {maker: [slug] for slug, (maker, _) in TYPES.items() if not slug.startswith("schedule-")}
SLUGS[make_schedule_problem] = [slug for slug in TYPES if slug.startswith("schedule-")]


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def _problems(maker, seeds=SEEDS):
    return [maker(np.random.default_rng(seed)) for seed in seeds]


def _params(maker, seeds=SEEDS):
    """The maker's draws for ``seeds``, then every variant of its types that the practice site ships."""
    return ([pytest.param(maker(np.random.default_rng(seed)), id=f"draw{seed}") for seed in seeds]
            + [pytest.param(draw(slug, n), id=f"{slug}-{n}") for slug in SLUGS.get(maker, [])
               for n in variant_numbers(slug)])


def _shown(problem, *names):
    """Each named given is printed in the statement (as the short form ``given`` writes)."""
    for name in names:
        values = problem.givens[name]
        for value in np.ravel(values):
            assert given(value) in problem.statement, f"{name} = {value} not in the statement"


def _keyed(problem, names):
    """The key prints each named answer to four decimals."""
    for name in names:
        assert fmt(problem.answers[name]) in problem.solution, name


# ------------------------------------------------------------------------------- the mix


def test_200_exam_numbers_reach_at_least_15_problem_types():
    titles = Counter(problem.title for seed in range(200) for problem in practice.make_exam(seed)[0])
    assert len(titles) >= 15, sorted(titles)


def test_every_paper_takes_60_to_90_minutes():
    for seed in range(200):
        problems, concepts = practice.make_exam(seed)
        assert 60 <= practice.minutes(problems, concepts) <= 90, seed
        assert f"{practice.minutes(problems, concepts)} minutes" in practice.render(seed, "exam")


def test_concepts_come_from_different_chapters():
    for seed in range(50):
        labels = [label for _, _, label in practice.make_exam(seed)[1]]
        assert len(set(labels)) == len(labels) == practice.N_CONCEPTS


def test_the_concept_bank_has_40_distinct_questions_with_answers_and_real_chapters():
    assert len(CONCEPTS) >= 40
    assert len({question for question, _, _ in CONCEPTS}) == len(CONCEPTS)
    labels = set()
    for path in (ROOT / "chapters").glob("*.ipynb"):
        labels |= set(re.findall(r"\((chap-[a-z-]+)\)=", path.read_text(encoding="utf-8")))
    for question, answer, label in CONCEPTS:
        assert len(answer) > 80, question
        assert label in labels, f"{label} is not a chapter label"
        assert "seed" not in (question + answer).lower()


def test_the_numbers_in_concept_answers():
    """The few numbers the concept answers state, worked out independently."""
    texts = " ".join(answer for _, answer, _ in CONCEPTS)
    assert math.ceil(10_000 / 32) == 313 and 10_000 - 312 * 32 == 16 and "313" in texts
    assert f"{math.log1p(math.exp(-3)):.3f}" == "0.049" and "0.049" in texts
    assert f"{0.1 / math.sqrt(0.001):.2f}" == "3.16" and "3.16" in texts
    restarts, start, length = [], 0, 10
    while start + length < 100:
        start += length
        restarts.append(start)
        length *= 2
    assert restarts == [10, 30, 70] and "10, 30 and 70" in texts
    assert 0.1 * (1 + math.cos(math.pi * 15 / 30)) / 2 == pytest.approx(0.05)
    assert 0.1 / math.sqrt(1 - 0.99) == pytest.approx(1.0)  # RMSprop's first step: 10 times eta = 0.01


# ------------------------------------------------------------------------------- losses


@pytest.mark.parametrize("problem", _params(make_mae_mse_problem))
def test_mae_mse_key(problem):
    _shown(problem, "y", "y_hat")
    d = [p - y for y, p in zip(problem.givens["y"], problem.givens["y_hat"], strict=True)]
    n = len(d)
    assert problem.answers["mse"] == approx(sum(x * x for x in d) / n)
    assert problem.answers["mae"] == approx(sum(abs(x) for x in d) / n)
    for i, x in enumerate(d):
        assert problem.answers[f"mse_grad[{i}]"] == approx(2 * x / n)
        assert problem.answers[f"mae_grad[{i}]"] == approx(((x > 0) - (x < 0)) / n)
    big = max(range(n), key=lambda i: abs(d[i]))
    assert problem.answers["outlier_share"] == approx(abs(d[big]) / sum(abs(x) for x in d))
    _keyed(problem, ["mse", "mae", "outlier_share"])
    assert "subgradient $0$" in problem.solution


@pytest.mark.parametrize("problem", _params(make_hinge_problem))
def test_hinge_key(problem):
    _shown(problem, "y", "s")
    y, s = problem.givens["y"], problem.givens["s"]
    losses = [max(0.0, 1 - yi * si) for yi, si in zip(y, s, strict=True)]
    assert problem.answers["cost"] == approx(sum(losses) / 4)
    for i in range(4):
        assert problem.answers[f"loss[{i}]"] == approx(losses[i])
        assert problem.answers[f"grad[{i}]"] == approx(-y[i] / 4 if y[i] * s[i] < 1 else 0.0)
        if y[i] * s[i] == 1:
            assert "margin exactly 1" in problem.solution
    # support vectors: margin <= 1 (a point exactly on the margin is one too), not "inside the margin" only
    assert "The support vectors are the\npoints on or inside the margin ($ys \\le 1$)" in problem.solution
    _keyed(problem, ["cost"])


@pytest.mark.parametrize("problem", _params(make_kl_problem))
def test_kl_key(problem):
    _shown(problem, "p", "q")
    p, q = problem.givens["p"], problem.givens["q"]
    assert problem.answers["kl_pq"] == approx(sum(a * math.log(a / b) for a, b in zip(p, q, strict=True)))
    assert problem.answers["kl_qp"] == approx(sum(b * math.log(b / a) for a, b in zip(p, q, strict=True)))
    assert problem.answers["h_pq"] == approx(-sum(a * math.log(b) for a, b in zip(p, q, strict=True)))
    assert problem.answers["h_p"] == approx(-sum(a * math.log(a) for a in p))
    for c in range(3):
        assert problem.answers[f"grad[{c}]"] == approx(-p[c] / q[c])
    _keyed(problem, ["kl_pq", "kl_qp", "h_pq", "h_p"])


def _kl_difference_50_digits(p, q):
    """D(P||Q) - D(Q||P) = sum_c (p_c + q_c) ln(p_c / q_c), at 50 significant digits (mpmath, not numpy)."""
    import mpmath

    with mpmath.workdps(50):
        exact_p, exact_q = [mpmath.mpf(str(a)) for a in p], [mpmath.mpf(str(b)) for b in q]
        return sum((a + b) * mpmath.log(a / b) for a, b in zip(exact_p, exact_q, strict=True))


@pytest.mark.parametrize(("i", "j"), [(i, j) for i in range(len(DISTRIBUTIONS))
                                      for j in range(len(DISTRIBUTIONS)) if i != j])
def test_kl_key_says_symmetric_exactly_when_it_is(i, j):
    """All 56 ordered pairs: the key says "equal" where the exact difference is 0, "differ" elsewhere."""
    p, q = DISTRIBUTIONS[i], DISTRIBUTIONS[j]
    problem = kl_problem(np.array(p), np.array(q))
    difference = _kl_difference_50_digits(p, q)
    symmetric = abs(difference) < 1e-40  # an exact 0 at 50 digits; the real gaps are 5e-4 or more (below)
    assert symmetric or abs(difference) > 5e-4
    if symmetric:
        assert "for this pair, equal" in problem.solution and "but they differ" not in problem.solution
        assert "not symmetric in general" in problem.solution
        assert fmt(problem.answers["kl_pq"]) == fmt(problem.answers["kl_qp"])
        # the counterexample R of the key: its two directions differ at the printed digits
        r = [float(v) for v in re.search(r"R = \(([^)]*)\)", problem.solution).group(1).split(",")]
        assert abs(_kl_difference_50_digits(p, r)) > 5e-4
        forward = sum(a * math.log(a / b) for a, b in zip(p, r, strict=True))
        backward = sum(b * math.log(b / a) for a, b in zip(p, r, strict=True))
        shown = f"D_{{KL}}(P\\Vert R) = {fmt(forward)}$ but $D_{{KL}}(R\\Vert P) = {fmt(backward)}"
        assert shown in problem.solution
    else:
        assert "but they differ" in problem.solution and "for this pair, equal" not in problem.solution
        assert fmt(problem.answers["kl_pq"]) != fmt(problem.answers["kl_qp"])


def test_kl_symmetric_pairs_are_the_two_by_hand():
    """By hand: (0.2, 0.2, 0.6) and (0.3, 0.3, 0.4) give 0.4 ln(2/3) + 0.6 ln(3/2) = 0.2 ln 1.5 both ways."""
    pairs = [(DISTRIBUTIONS[i], DISTRIBUTIONS[j]) for i in range(8) for j in range(8)
             if i != j and abs(_kl_difference_50_digits(DISTRIBUTIONS[i], DISTRIBUTIONS[j])) < 1e-40]
    assert sorted(pairs) == [((0.2, 0.2, 0.6), (0.3, 0.3, 0.4)), ((0.3, 0.3, 0.4), (0.2, 0.2, 0.6))]
    problem = kl_problem(np.array([0.2, 0.2, 0.6]), np.array([0.3, 0.3, 0.4]))
    assert problem.answers["kl_pq"] == approx(0.2 * math.log(1.5))
    assert problem.answers["kl_qp"] == approx(0.2 * math.log(1.5))


@pytest.mark.parametrize("problem", _params(make_label_smoothing_problem))
def test_label_smoothing_key(problem):
    _shown(problem, "z", "eps")
    z, label, eps = problem.givens["z"], problem.givens["label"], problem.givens["eps"]
    c = len(z)
    exps = [math.exp(v) for v in z]
    prob = [e / sum(exps) for e in exps]
    target = [(1 - eps) * (k == label) + eps / c for k in range(c)]
    assert problem.answers["plain"] == approx(-math.log(prob[label]))
    smoothed = -sum(t * math.log(p) for t, p in zip(target, prob, strict=True))
    assert problem.answers["smooth"] == approx(smoothed)
    floor = -sum(t * math.log(t) for t in target)
    assert problem.answers["floor"] == approx(floor)
    assert problem.answers["floor_check"] == approx(floor)  # nnlib at the optimal logits reaches it
    assert problem.answers["gap"] == approx(math.log((1 - eps + eps / c) / (eps / c)))
    for k in range(c):
        assert problem.answers[f"target[{k}]"] == approx(target[k])
        assert problem.answers[f"grad[{k}]"] == approx(prob[k] - target[k])
    _keyed(problem, ["plain", "smooth", "floor", "gap"])


def test_huber_key_explains_the_seam():
    """Problems with |d| = delta say which branch and why; found among the first 60 exam draws."""
    seam = [p for p in _problems(make_huber_problem, range(60))
            if any(abs(b - a) == p.givens["delta"]
                   for a, b in zip(p.givens["y"], p.givens["y_hat"], strict=True))]
    assert len(seam) >= 10
    for problem in seam:
        delta = problem.givens["delta"]
        assert "on the seam" in problem.solution and "Either piece" in problem.solution
        assert fmt(0.5 * delta * delta) in problem.solution
    for problem in _problems(make_huber_problem, range(60)):
        branches = problem.solution.count("piece; ") + problem.solution.count("on the seam")
        assert branches == 3, "every sample gets its branch"


# ------------------------------------------------------------------------------- optimizers


def _momentum_by_hand(a, theta, lr, mu, nesterov, steps=3):
    rows, b = [], 0.0
    for t in range(1, steps + 1):
        g = a * theta
        b = g if t == 1 else mu * b + g  # b_0 = 0 gives the same first buffer
        theta -= lr * (g + mu * b if nesterov else b)
        rows.append((g, b, theta))
    return rows


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("seed", [*SEEDS, *(f"site-{i}" for i in range(VARIANTS))])
def test_momentum_and_nesterov_keys(seed, nesterov):
    maker = make_nesterov_problem if nesterov else make_momentum_problem
    if isinstance(seed, str):  # the practice site's variant n of this type
        slug = "nesterov" if nesterov else "momentum"
        problem = draw(slug, variant_numbers(slug)[int(seed.split("-")[1])])
    else:
        problem = maker(np.random.default_rng(seed))
    _shown(problem, "a", "theta0", "lr", "mu")
    a, theta0, lr, mu = (problem.givens[k] for k in ("a", "theta0", "lr", "mu"))
    for t, (g, b, theta) in enumerate(_momentum_by_hand(a, theta0, lr, mu, nesterov), start=1):
        assert problem.answers[f"g{t}"] == approx(g)
        assert problem.answers[f"b{t}"] == approx(b)
        assert problem.answers[f"theta{t}"] == approx(theta)
        assert fmt(theta) in problem.solution
        if not nesterov:  # the exam notes' form: v_t = mu v_{t-1} + lr g_t = lr b_t
            assert problem.answers[f"v{t}"] == approx(lr * b)
            assert problem.answers[f"notes_theta{t}"] == approx(theta)
    assert problem.answers["gd_theta3"] == approx(theta0 * (1 - lr * a) ** 3)
    assert ("Nesterov" in problem.title) == nesterov


@pytest.mark.parametrize("problem", _params(make_rmsprop_problem))
def test_rmsprop_key(problem):
    lr, alpha = problem.givens["lr"], problem.givens["alpha"]
    _shown(problem, "theta0", "lr", "alpha")
    for i in range(2):
        v, theta = 0.0, problem.givens["theta0"][i]
        for t, g in enumerate(problem.givens["g"], start=1):
            v = alpha * v + (1 - alpha) * g[i] ** 2
            theta -= lr * g[i] / (math.sqrt(v) + 1e-8)
            assert problem.answers[f"v{t}[{i}]"] == approx(v)
            assert problem.answers[f"theta{t}[{i}]"] == approx(theta)
    assert problem.answers["first_step"] == approx(lr / math.sqrt(1 - alpha))


@pytest.mark.parametrize("problem", _params(make_adagrad_problem))
def test_adagrad_key(problem):
    lr = problem.givens["lr"]
    _shown(problem, "theta0", "lr")
    assert len(problem.givens["g"]) == 3
    for i in range(2):
        total, theta = 0.0, problem.givens["theta0"][i]
        for t, g in enumerate(problem.givens["g"], start=1):
            total += g[i] ** 2
            theta -= lr * g[i] / (math.sqrt(total) + 1e-10)
            assert problem.answers[f"G{t}[{i}]"] == approx(total)
            assert problem.answers[f"theta{t}[{i}]"] == approx(theta)


@pytest.mark.parametrize("problem", _params(make_stability_problem, range(40)))
def test_stability_key(problem):
    a1, a2, lr = problem.givens["a1"], problem.givens["a2"], problem.givens["lr"]
    _shown(problem, "a1", "a2", "lr")
    assert problem.answers["bound"] == approx(2 / max(a1, a2))
    assert problem.answers["best_lr"] == approx(2 / (a1 + a2))
    assert problem.answers["best_rate"] == approx((a2 - a1) / (a2 + a1))
    for i, a in enumerate((a1, a2)):
        assert problem.answers[f"factor[{i}]"] == approx(1 - lr * a)
        assert problem.answers[f"theta3[{i}]"] == approx((1 - lr * a) ** 3)
    diverges = abs(1 - lr * a2) > 1
    assert ("diverges" in problem.solution) == diverges
    assert (lr >= 2 / a2) == diverges
    # Part 3 asks for the eta that makes the larger factor max|1 - eta a_i| smallest (not "the slower
    # coordinate", which reads as the flat one): a grid over the stable range finds the key's 2/(a1 + a2).
    assert "slower coordinate shrink fastest" not in problem.statement
    assert "larger factor as small as possible" in problem.statement.replace("\n   ", " ")
    etas = np.linspace(0.0, 2 / max(a1, a2), 200_001)[1:-1]
    worst = np.maximum(np.abs(1 - etas * a1), np.abs(1 - etas * a2))
    assert etas[np.argmin(worst)] == pytest.approx(problem.answers["best_lr"], abs=2e-5)
    assert worst.min() == pytest.approx(problem.answers["best_rate"], abs=1e-4)
    # the key's aside: below 2/(a1 + a2) the flat coordinate (a1 < a2) is the slower one, above it the steep
    below, above = etas < problem.answers["best_lr"], etas > problem.answers["best_lr"]
    assert a1 < a2
    assert np.all(np.abs(1 - etas[below] * a1) >= np.abs(1 - etas[below] * a2))
    assert np.all(np.abs(1 - etas[above] * a2) >= np.abs(1 - etas[above] * a1))


@pytest.mark.parametrize("problem", _params(make_batches_problem))
def test_batches_key(problem):
    n, batch, epochs = problem.givens["n"], problem.givens["batch"], problem.givens["epochs"]
    _shown(problem, "n", "batch", "epochs")
    full, rest = divmod(n, batch)
    assert problem.answers["batch_updates"] == 1
    assert problem.answers["sgd_updates"] == n
    assert problem.answers["mini_updates"] == full + (rest > 0)
    assert problem.answers["last_batch"] == (rest or batch)
    assert problem.answers["total_updates"] == epochs * (full + (rest > 0))
    assert f"= {problem.answers['total_updates']}$" in problem.solution


# ------------------------------------------------------------------------------- backprop, schedules


@pytest.mark.parametrize("problem", _params(make_hidden_delta_problem, range(30)))
def test_hidden_delta_key(problem):
    g = problem.givens
    _shown(problem, "z", "W", "delta_next", "x_i")
    derivative = {"sigmoid": lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
                  "tanh": lambda z: 1 - math.tanh(z) ** 2,
                  "relu": lambda z: 1.0 if z > 0 else 0.0}[g["activation"]]
    function = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh,
                "relu": lambda z: max(z, 0.0)}[g["activation"]]
    for j in range(3):
        signal = sum(g["W"][k][j] * g["delta_next"][k] for k in range(2))
        assert problem.answers[f"signal[{j}]"] == approx(signal)
        assert problem.answers[f"fprime[{j}]"] == approx(derivative(g["z"][j]))
        assert problem.answers[f"delta[{j}]"] == approx(signal * derivative(g["z"][j]))
        for k in range(2):
            assert problem.answers[f"dW2[{k},{j}]"] == approx(g["delta_next"][k] * function(g["z"][j]))
    delta2 = sum(g["W"][k][1] * g["delta_next"][k] for k in range(2)) * derivative(g["z"][1])
    assert problem.answers["dw_x"] == approx(delta2 * g["x_i"])
    _keyed(problem, ["dw_x", "delta[0]", "delta[1]", "delta[2]"])


def _warm_restart_by_hand(lr0, eta_min, t_0, t_mult, epoch):
    start, length = 0, t_0
    while epoch >= start + length:
        start, length = start + length, length * t_mult
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * (epoch - start) / length)) / 2, epoch == start


@pytest.mark.parametrize("problem", _params(make_warm_restart_problem, range(40)))
def test_warm_restart_key(problem):
    g = problem.givens
    _shown(problem, "lr0", "eta_min", "t_0", "t_mult")
    args = (g["lr0"], g["eta_min"], g["t_0"], g["t_mult"])
    restarts = [t for t in range(1, 40) if _warm_restart_by_hand(*args, t)[1]]
    assert problem.answers["restarts"] == restarts
    assert ", ".join(map(str, restarts)) in problem.solution
    for name, epoch in (("lr_mid", g["mid"]), ("lr_before", g["before"])):
        value = _warm_restart_by_hand(*args, epoch)[0]
        assert problem.answers[name] == approx(value)
        assert f"{value:.6g}" in problem.solution
    assert problem.answers["lr_restart"] == approx(g["lr0"])
    assert "*Sketch*" in problem.solution


@pytest.mark.parametrize("problem", _params(make_schedule_problem, range(40)))
def test_schedule_sketch_is_described(problem):
    """The qualitative part ("sketch the schedule") has a described sketch with correct numbers."""
    assert "*Sketch*" in problem.solution
    rates = problem.answers["rates"]
    assert len(rates) == 25 and rates[0] == pytest.approx(float(re.search(
        r"\\eta_0 = ([\d.]+)\$", problem.statement).group(1)))
    if problem.answers["kind"] == "exponential":
        for t in (5, 10, 24):
            assert f"{rates[t]:.6g}" in problem.solution
    if problem.answers["kind"] == "cosine":
        assert "steepest" in problem.solution


def test_every_key_number_is_printed():
    """Across the problem types, each scalar answer's four-decimal form appears in the key."""
    for seed in range(20):
        for problem in practice.make_exam(seed)[0]:
            for name, value in problem.answers.items():
                if isinstance(value, (float, np.floating)) and name not in ("lr", "lr_mid", "lr_before",
                                                                             "lr_restart", "floor_check"):
                    shown = {fmt(value, digits) for digits in (4, 6, 8)}  # Adam's v has 8 decimals
                    assert any(text in problem.solution for text in shown), (problem.title, name)
