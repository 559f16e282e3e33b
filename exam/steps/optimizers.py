"""Steps of the optimizer problems, unrolled (chapters "Momentum and Nesterov", "Adaptive methods").

Momentum (PyTorch's form): :math:`b_t = \\mu b_{t-1} + g_t`, :math:`\\theta_t = \\theta_{t-1} - \\eta b_t`
(Nesterov: :math:`\\theta_t = \\theta_{t-1} - \\eta(g_t + \\mu b_t)`), on :math:`J = \\tfrac a2\\theta^2`.
AdaGrad :math:`G_t = G_{t-1} + g_t^2`; RMSprop :math:`v_t = \\alpha v_{t-1} + (1-\\alpha)g_t^2`; both step
:math:`\\theta_t = \\theta_{t-1} - \\eta g_t/(\\sqrt{\\cdot} + \\epsilon)`. Adam adds :math:`m_t` and the bias
corrections :math:`\\hat m_t = m_t/(1-\\beta_1^t)`, :math:`\\hat v_t = v_t/(1-\\beta_2^t)`.
"""

import sympy

from exam.steps import Mistake, Spec, Step, g, v

SIGN_HINT = "Gradient descent steps against the gradient: subtract the step."


def _momentum(nesterov):
    a, lr, mu = g("a"), g("lr"), g("mu")
    steps, theta, buffer, notes = [], g("theta0"), 0, 0
    for t in (1, 2, 3):
        step = v(f"g{t}") + mu * v(f"b{t}") if nesterov else v(f"b{t}")
        mistakes = [Mistake("sign", theta + lr * step, SIGN_HINT)]
        if nesterov:
            mistakes.append(
                Mistake(
                    "classical",
                    theta - lr * v(f"b{t}"),
                    "That is the classical momentum step; Nesterov's step is g + μb.",
                )
            )
        steps += [
            Step(f"g{t}", a * theta, 1, f"g<sub>{t}</sub>", f"g sub {t}"),
            Step(
                f"b{t}",
                mu * buffer + v(f"g{t}"),
                1,
                f"b<sub>{t}</sub>",
                f"b sub {t}",
                [
                    Mistake(
                        "lr-in-buffer",
                        mu * buffer + lr * v(f"g{t}"),
                        "In PyTorch's form the buffer adds the plain gradient; η comes in at the step.",
                    )
                ]
                if t > 1
                else [],
            ),
            Step(f"theta{t}", theta - lr * step, 1, f"θ<sub>{t}</sub>", f"theta sub {t}", mistakes),
        ]
        theta, buffer = v(f"theta{t}"), v(f"b{t}")
    steps.append(
        Step(
            "gd_theta3",
            g("theta0") * (1 - lr * a) ** 3,
            1,
            "θ<sub>3</sub> of plain GD",
            "theta sub 3 of plain gradient descent",
        )
    )
    if not nesterov:
        for t in (1, 2, 3):
            steps.append(Step(f"v{t}", mu * notes + lr * v(f"g{t}"), 2, f"v<sub>{t}</sub>", f"v sub {t}"))
            notes = v(f"v{t}")
    return steps


def _adaptive(kind):
    lr = g("lr")
    n_steps, name, eps = (2, "v", sympy.Float(1e-8)) if kind == "rmsprop" else (3, "G", sympy.Float(1e-10))
    steps = []
    for i in (0, 1):
        theta, acc = g("theta0", i), 0
        for t in range(1, n_steps + 1):
            grad = g("g", t - 1, i)
            if kind == "rmsprop":
                new_acc = g("alpha") * acc + (1 - g("alpha")) * grad**2
                forgot = g("alpha") * acc + grad**2
                forgot_hint = "Weight the new squared gradient by (1 − α)."
            else:
                new_acc = acc + grad**2
                forgot = acc + grad
                forgot_hint = "The accumulator adds the squared gradient."
            acc_name, theta_name = f"{name}{t}[{i}]", f"theta{t}[{i}]"
            steps.append(
                Step(
                    acc_name,
                    new_acc,
                    1,
                    f"{name}<sub>{t}</sub>[{i + 1}]",
                    f"{name} sub {t}, coordinate {i + 1}",
                    [Mistake("accumulator", forgot, forgot_hint)],
                )
            )
            steps.append(
                Step(
                    theta_name,
                    theta - lr * grad / (sympy.sqrt(v(acc_name)) + eps),
                    1,
                    f"θ<sub>{t}</sub>[{i + 1}]",
                    f"theta sub {t}, coordinate {i + 1}",
                    [
                        Mistake("sign", theta + lr * grad / (sympy.sqrt(v(acc_name)) + eps), SIGN_HINT),
                        Mistake(
                            "no-root",
                            theta - lr * grad / (v(acc_name) + eps),
                            "Divide by the square root of the accumulator.",
                        ),
                    ],
                )
            )
            theta, acc = v(theta_name), v(acc_name)
    order = {
        f"{n}{t}[{i}]": (t, i, n != name)
        for t in range(1, n_steps + 1)
        for i in (0, 1)
        for n in (name, "theta")
    }
    steps.sort(key=lambda s: order[s.name])
    if kind == "rmsprop":
        steps.append(
            Step(
                "first_step", lr / sympy.sqrt(1 - g("alpha")), 2, "first step size", "size of the first step"
            )
        )
    return steps


def _adam():
    lr, b1, b2, eps = g("lr"), g("beta1"), g("beta2"), g("eps")
    steps = []
    for t in (1, 2):
        for i in (0, 1):
            grad = g("g", t - 1, i)
            m_old = v(f"m{t - 1}[{i}]") if t > 1 else 0
            v_old = v(f"v{t - 1}[{i}]") if t > 1 else 0
            theta = v(f"theta{t - 1}[{i}]") if t > 1 else g("theta0", i)
            m, vv, mhat, vhat = (v(f"{n}{t}[{i}]") for n in ("m", "v", "mhat", "vhat"))
            sub = f"<sub>{t}</sub>[{i + 1}]"
            said = f" sub {t}, coordinate {i + 1}"
            steps += [
                Step(f"m{t}[{i}]", b1 * m_old + (1 - b1) * grad, 1, "m" + sub, "m" + said),
                Step(
                    f"v{t}[{i}]",
                    b2 * v_old + (1 - b2) * grad**2,
                    1,
                    "v" + sub,
                    "v" + said,
                    [
                        Mistake(
                            "not-squared", b2 * v_old + (1 - b2) * grad, "v averages the squared gradient."
                        )
                    ],
                ),
                Step(
                    f"mhat{t}[{i}]",
                    m / (1 - b1**t),
                    1,
                    "m̂" + sub,
                    "m hat" + said,
                    [Mistake("power", m / (1 - b1), f"The bias correction uses β₁ to the power t = {t}.")]
                    if t > 1
                    else [],
                ),
                Step(
                    f"vhat{t}[{i}]",
                    vv / (1 - b2**t),
                    1,
                    "v̂" + sub,
                    "v hat" + said,
                    [Mistake("power", vv / (1 - b2), f"The bias correction uses β₂ to the power t = {t}.")]
                    if t > 1
                    else [],
                ),
                Step(
                    f"theta{t}[{i}]",
                    theta - lr * mhat / (sympy.sqrt(vhat) + eps),
                    1,
                    "θ" + sub,
                    "theta" + said,
                    [
                        Mistake(
                            "no-bias-correction",
                            theta - lr * m / (sympy.sqrt(vv) + eps),
                            "Use the bias-corrected m̂ and v̂ in the step, not m and v.",
                        ),
                        Mistake("sign", theta + lr * mhat / (sympy.sqrt(vhat) + eps), SIGN_HINT),
                    ],
                ),
            ]
    return steps


SPECS = {
    "momentum": Spec(_momentum(False)),
    "nesterov": Spec(_momentum(True)),
    "adagrad": Spec(_adaptive("adagrad")),
    "rmsprop": Spec(_adaptive("rmsprop")),
    "adam": Spec(_adam()),
}
