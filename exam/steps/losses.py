"""Steps of the loss problems (chapters "Regression losses", "Classification losses", "Margins ...").

Huber :math:`\\ell(d) = \\tfrac12 d^2` if :math:`|d| \\le \\delta`
else :math:`\\delta(|d| - \\tfrac12\\delta)`;
MSE/MAE :math:`\\frac1N\\sum d^2`, :math:`\\frac1N\\sum|d|`; softmax cross-entropy
:math:`L = \\ln\\sum_c e^{z_c} - \\sum_c t_c z_c` with gradient :math:`\\operatorname{softmax}(z) - t`;
hinge :math:`\\max(0, 1 - ys)`; :math:`D_{KL}(P\\Vert Q) = \\sum_c p_c\\ln(p_c/q_c)`.
"""

import sympy

from exam.steps import Mistake, Spec, Step, g, log10, sign, v

FORGOT_MEAN = "The cost is the mean: divide the sum by N."


def _huber():
    delta, n = g("delta"), 3
    steps = []
    for i in range(n):
        d = g("y_hat", i) - g("y", i)
        quadratic = sympy.Abs(d) <= delta
        steps.append(
            Step(
                f"loss[{i}]",
                sympy.Piecewise((d**2 / 2, quadratic), (delta * (sympy.Abs(d) - delta / 2), True)),
                1,
                f"ℓ<sub>{i + 1}</sub>",
                f"loss of sample {i + 1}",
                [
                    Mistake(
                        "wrong-piece",
                        sympy.Piecewise((delta * (sympy.Abs(d) - delta / 2), quadratic), (d**2 / 2, True)),
                        "Compare |d| with δ to pick the piece: quadratic inside, linear outside.",
                    )
                ],
            )
        )
    total = sum(v(f"loss[{i}]") for i in range(n))
    steps.append(Step("cost", total / n, 1, "J", "cost J", [Mistake("sum", total, FORGOT_MEAN)]))
    for i in range(n):
        d = g("y_hat", i) - g("y", i)
        pointwise = sympy.Piecewise((d, sympy.Abs(d) <= delta), (delta * sign(d), True))
        steps.append(
            Step(
                f"grad[{i}]",
                pointwise / n,
                2,
                f"∂J/∂ŷ<sub>{i + 1}</sub>",
                f"d J by d y hat sub {i + 1}",
                [Mistake("forgot-mean", pointwise, "The cost is a mean: divide the pointwise slope by N.")],
            )
        )
    return steps


def _mae_mse():
    n = 4
    d = [g("y_hat", i) - g("y", i) for i in range(n)]
    steps = [
        Step(
            "mse",
            sum(x**2 for x in d) / n,
            1,
            "MSE",
            "M S E",
            [
                Mistake("sum", sum(x**2 for x in d), FORGOT_MEAN),
                Mistake(
                    "root", sympy.sqrt(sum(x**2 for x in d) / n), "MSE is the mean square, without a root."
                ),
            ],
        ),
        Step(
            "mae",
            sum(sympy.Abs(x) for x in d) / n,
            1,
            "MAE",
            "M A E",
            [Mistake("sum", sum(sympy.Abs(x) for x in d), FORGOT_MEAN)],
        ),
    ]
    for i in range(n):
        steps.append(
            Step(
                f"mse_grad[{i}]",
                2 * d[i] / n,
                2,
                f"∂MSE/∂ŷ<sub>{i + 1}</sub>",
                f"d M S E by d y hat sub {i + 1}",
                [
                    Mistake("forgot-2", d[i] / n, "The derivative of d² is 2d."),
                    Mistake("forgot-mean", 2 * d[i], "The cost is a mean: divide by N."),
                ],
            )
        )
        steps.append(
            Step(
                f"mae_grad[{i}]",
                sign(d[i]) / n,
                2,
                f"∂MAE/∂ŷ<sub>{i + 1}</sub>",
                f"d M A E by d y hat sub {i + 1}",
                [Mistake("forgot-mean", sign(d[i]), "The cost is a mean: divide by N.")],
            )
        )
    sizes = [sympy.Abs(v(f"mse_grad[{i}]")) for i in range(n)]
    steps.append(
        Step(
            "outlier_share",
            sympy.Max(*sizes) / sum(sizes),
            3,
            "outlier's share under MSE",
            "the outlier's share of the M S E gradient",
        )
    )
    return steps


def _one_hot(c):
    return sympy.Piecewise((1, sympy.Eq(g("label"), c)), (0, True))


def _cross_entropy():
    z = [g("z", c) for c in range(3)]
    log_sum = sympy.log(sum(sympy.exp(x) for x in z))
    true_logit = sum(_one_hot(c) * z[c] for c in range(3))
    steps = [
        Step(
            "loss",
            log_sum - true_logit,
            1,
            "L",
            "loss L",
            [
                Mistake(
                    "log10",
                    (log_sum - true_logit) / sympy.log(10),
                    "Cross-entropy uses the natural logarithm (ln), not log base 10.",
                )
            ],
        )
    ]
    for c in range(3):
        p = sympy.exp(z[c]) / sum(sympy.exp(x) for x in z)
        steps.append(
            Step(
                f"grad[{c}]",
                p - _one_hot(c),
                2,
                f"∂L/∂z<sub>{c + 1}</sub>",
                f"d L by d z sub {c + 1}",
                [Mistake("sign", _one_hot(c) - p, "The gradient is softmax minus target, not the reverse.")],
            )
        )
    return steps


def _classes(make):
    """``make(C)`` for the variant's class count (3 or 4): entries past ``C`` stay in the untaken branch."""
    return sympy.Piecewise((make(4), sympy.Eq(g("C"), 4)), (make(3), True))


def _label_smoothing():
    eps, big_c = g("eps"), g("C")
    high, low = 1 - eps + eps / big_c, eps / big_c

    def target(c):
        return sympy.Piecewise((high, sympy.Eq(g("label"), c)), (low, True))

    def log_sum(n):
        return sympy.log(sum(sympy.exp(g("z", c)) for c in range(n)))

    steps = [
        Step(
            f"target[{c}]",
            target(c),
            1,
            f"t<sub>{c + 1}</sub>",
            f"t sub {c + 1}",
            [
                Mistake(
                    "no-share",
                    sympy.Piecewise((1 - eps, sympy.Eq(g("label"), c)), (0, True)),
                    "Every class, the true one too, gets ε/C on top of (1 − ε)y.",
                )
            ],
        )
        for c in range(4)
    ]
    steps.append(
        Step(
            "plain",
            _classes(lambda n: log_sum(n) - sum(_one_hot(c) * g("z", c) for c in range(n))),
            2,
            "L without smoothing",
            "loss without smoothing",
        )
    )
    steps.append(
        Step(
            "smooth",
            _classes(lambda n: log_sum(n) - sum(v(f"target[{c}]") * g("z", c) for c in range(n))),
            2,
            "L with smoothing",
            "loss with smoothing",
        )
    )
    for c in range(4):
        steps.append(
            Step(
                f"grad[{c}]",
                sympy.exp(g("z", c)) / _classes(lambda n: sympy.exp(log_sum(n))) - v(f"target[{c}]"),
                2,
                f"∂L/∂z<sub>{c + 1}</sub>",
                f"d L by d z sub {c + 1}",
                [
                    Mistake(
                        "one-hot",
                        sympy.exp(g("z", c)) / _classes(lambda n: sympy.exp(log_sum(n))) - _one_hot(c),
                        "With smoothing the gradient is p minus the smoothed target t.",
                    )
                ],
            )
        )
    steps.append(
        Step(
            "floor",
            -(high * sympy.log(high) + (big_c - 1) * low * sympy.log(low)),
            3,
            "lowest loss",
            "lowest possible loss",
        )
    )
    steps.append(Step("gap", sympy.log(high / low), 3, "logit gap", "logit gap"))
    return steps


def _hinge():
    n = 4
    steps = []
    for i in range(n):
        margin = g("y", i) * g("s", i)
        steps.append(
            Step(
                f"loss[{i}]",
                sympy.Max(0, 1 - margin),
                1,
                f"ℓ<sub>{i + 1}</sub>",
                f"loss of sample {i + 1}",
                [Mistake("no-clip", 1 - margin, "Hinge is max(0, 1 − ys): a margin above 1 costs 0.")],
            )
        )
    total = sum(v(f"loss[{i}]") for i in range(n))
    steps.append(Step("cost", total / n, 1, "J", "cost J", [Mistake("sum", total, FORGOT_MEAN)]))
    for i in range(n):
        margin = g("y", i) * g("s", i)
        steps.append(
            Step(
                f"grad[{i}]",
                sympy.Piecewise((-g("y", i) / n, margin < 1), (0, True)),
                2,
                f"∂J/∂s<sub>{i + 1}</sub>",
                f"d J by d s sub {i + 1}",
                [
                    Mistake(
                        "sign",
                        sympy.Piecewise((g("y", i) / n, margin < 1), (0, True)),
                        "The slope of 1 − ys in s is −y.",
                    ),
                    Mistake(
                        "forgot-mean",
                        sympy.Piecewise((-g("y", i), margin < 1), (0, True)),
                        "The cost is a mean: divide by N.",
                    ),
                ],
            )
        )
    return steps


def _kl():
    p, q = [g("p", c) for c in range(3)], [g("q", c) for c in range(3)]
    kl_pq = sum(p[c] * sympy.log(p[c] / q[c]) for c in range(3))
    kl_qp = sum(q[c] * sympy.log(q[c] / p[c]) for c in range(3))
    ln_hint = "Use natural logarithms (ln), not log base 10."
    steps = [
        Step(
            "kl_pq",
            kl_pq,
            1,
            "D<sub>KL</sub>(P‖Q)",
            "K L divergence of P from Q",
            [
                Mistake("log10", kl_pq / sympy.log(10), ln_hint),
                Mistake("swapped", kl_qp, "D(P‖Q) weights by p: Σ p ln(p/q)."),
            ],
        ),
        Step(
            "kl_qp",
            kl_qp,
            1,
            "D<sub>KL</sub>(Q‖P)",
            "K L divergence of Q from P",
            [Mistake("log10", kl_qp / sympy.log(10), ln_hint)],
        ),
    ]
    for c in range(3):
        steps.append(
            Step(
                f"grad[{c}]",
                -p[c] / q[c],
                2,
                f"∂D/∂q<sub>{c + 1}</sub>",
                f"d D by d q sub {c + 1}",
                [Mistake("sign", p[c] / q[c], "Check the sign: ln(p/q) falls as q grows.")],
            )
        )
    steps += [
        Step(
            "h_pq",
            -sum(p[c] * sympy.log(q[c]) for c in range(3)),
            3,
            "H(P, Q)",
            "cross-entropy H of P and Q",
            [Mistake("log10", -sum(p[c] * log10(q[c]) for c in range(3)), ln_hint)],
        ),
        Step(
            "h_p",
            -sum(p[c] * sympy.log(p[c]) for c in range(3)),
            3,
            "H(P)",
            "entropy H of P",
            [Mistake("log10", -sum(p[c] * log10(p[c]) for c in range(3)), ln_hint)],
        ),
    ]
    return steps


SPECS = {
    "huber": Spec(_huber()),
    "mae-mse": Spec(_mae_mse()),
    "cross-entropy": Spec(_cross_entropy()),
    "label-smoothing": Spec(_label_smoothing(), derived=lambda givens: {"C": len(givens["z"])}),
    "hinge": Spec(_hinge()),
    "kl": Spec(_kl()),
}
