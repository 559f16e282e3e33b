"""Steps of the short problems: stability, batches, schedules, warm restarts, a hidden layer's deltas.

Chapters "Optimization basics" (factor :math:`1 - \\eta a_i`, bound :math:`2/L`), "Batch GD, SGD,
mini-batch" (:math:`\\lceil N/B\\rceil` updates), "Learning-rate schedules" (StepLR
:math:`\\eta_0\\gamma^{\\lfloor t/s\\rfloor}`, ExponentialLR :math:`\\eta_0\\gamma^t`, cosine
:math:`\\tfrac12\\eta_0(1 + \\cos(\\pi t/T_{\\max}))`, warm restarts) and "Backpropagation in matrix
form" (:math:`\\delta = (W^\\top\\delta^{next})\\odot f'(z)`).
"""

import sympy

from exam.steps import Mistake, Spec, Step, g, sigmoid, v


def _stability():
    a1, a2, lr = g("a1"), g("a2"), g("lr")
    steps = [
        Step(
            "bound",
            2 / a2,
            1,
            "largest stable η",
            "largest stable learning rate",
            [
                Mistake(
                    "flat-coordinate", 2 / a1, "The steepest coordinate (largest curvature) sets the bound."
                ),
                Mistake("one-over-L", 1 / a2, "The bound is 2/L, not 1/L."),
            ],
        )
    ]
    for i, a in enumerate((a1, a2)):
        steps.append(
            Step(
                f"factor[{i}]",
                1 - lr * a,
                2,
                f"factor 1 − ηa<sub>{i + 1}</sub>",
                f"factor one minus eta a sub {i + 1}",
            )
        )
    for i in range(2):
        steps.append(
            Step(
                f"theta3[{i}]",
                v(f"factor[{i}]") ** 3,
                2,
                f"θ<sub>3</sub>[{i + 1}]",
                f"theta sub 3, coordinate {i + 1}",
                [Mistake("one-step", v(f"factor[{i}]"), "Three steps: the factor applies three times.")],
            )
        )
    steps += [
        Step("best_lr", 2 / (a1 + a2), 3, "best fixed η", "best fixed learning rate"),
        Step("best_rate", (a2 - a1) / (a2 + a1), 3, "its factor", "the factor at the best learning rate"),
    ]
    return steps


def _batches():
    n, b = g("n"), g("batch")
    return [
        Step("batch_updates", sympy.Integer(1), 1, "updates per epoch, batch GD", "updates per epoch, batch"),
        Step("sgd_updates", n, 1, "updates per epoch, SGD", "updates per epoch, S G D"),
        Step(
            "mini_updates",
            sympy.ceiling(n / b),
            1,
            "updates per epoch, mini-batch",
            "updates per epoch, mini-batch",
            [Mistake("floor", sympy.floor(n / b), "The last, partial batch is kept: round up.")],
        ),
        Step(
            "last_batch",
            n - (v("mini_updates") - 1) * b,
            1,
            "samples in the last mini-batch",
            "samples in the last mini-batch",
        ),
        Step(
            "total_updates",
            v("mini_updates") * g("epochs"),
            2,
            "updates in the whole run",
            "updates in the whole run",
        ),
    ]


def _schedule(kind):
    lr0, t = g("lr0"), g("epoch")
    if kind == "step":
        expr = lr0 * g("gamma") ** sympy.floor(t / g("step_size"))
        mistakes = [
            Mistake(
                "every-epoch",
                lr0 * g("gamma") ** t,
                "StepLR decays only every s epochs: the exponent is ⌊t/s⌋.",
            ),
            Mistake(
                "one-early",
                lr0 * g("gamma") ** (sympy.floor(t / g("step_size")) + 1),
                "Epoch 0 runs at η₀; the first decay comes at epoch s.",
            ),
        ]
    elif kind == "exponential":
        expr = lr0 * g("gamma") ** t
        mistakes = [
            Mistake("one-late", lr0 * g("gamma") ** (t + 1), "Epoch 0 runs at η₀: the exponent is t.")
        ]
    else:
        expr = lr0 / 2 * (1 + sympy.cos(sympy.pi * t / g("t_max")))
        mistakes = [
            Mistake(
                "no-half",
                lr0 * (1 + sympy.cos(sympy.pi * t / g("t_max"))),
                "Cosine annealing starts at η₀: the factor is ½(1 + cos).",
            )
        ]
    return [Step("lr", expr, 1, "η<sub>t</sub>", "learning rate at epoch t", mistakes)]


def _warm_restart():
    lr0, low, t_0, mult = g("lr0"), g("eta_min"), g("t_0"), g("t_mult")

    def rate(t_cur, t_i):
        return low + (lr0 - low) / 2 * (1 + sympy.cos(sympy.pi * t_cur / t_i))

    return [
        Step("restarts[0]", t_0, 1, "first restart epoch", "first restart epoch"),
        Step(
            "restarts[1]",
            t_0 + t_0 * mult,
            1,
            "second restart epoch",
            "second restart epoch",
            [Mistake("no-growth", 2 * t_0, "The second cycle lasts T₀·T_mult epochs.")],
        ),
        Step(
            "lr_before",
            rate(g("before"), t_0),
            2,
            "η at the epoch before the restart",
            "learning rate at the epoch before the first restart",
        ),
        Step("lr_restart", rate(0, t_0), 2, "η at the restart", "learning rate at the first restart"),
        Step(
            "lr_mid",
            rate(g("mid") - t_0, t_0 * mult),
            2,
            "η at the later epoch",
            "learning rate at the later epoch",
            [
                Mistake(
                    "no-restart", rate(g("mid"), t_0 * mult), "Count T_cur from the last restart, not from 0."
                ),
                Mistake(
                    "first-cycle-length",
                    rate(g("mid") - t_0, t_0),
                    "The second cycle is T₀·T_mult epochs long.",
                ),
            ],
        ),
    ]


#: the hidden layer's activation by its index in the givens (``g.activation_index``)
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu")


def _by_activation(sigmoid_form, tanh_form, relu_form):
    index = g("activation_index")
    return sympy.Piecewise(
        (sigmoid_form, sympy.Eq(index, 0)), (tanh_form, sympy.Eq(index, 1)), (relu_form, True)
    )


def _hidden_delta():
    steps = []
    for j in range(3):
        steps.append(
            Step(
                f"signal[{j}]",
                sum(g("W", k, j) * g("delta_next", k) for k in range(2)),
                1,
                f"∂L/∂a<sub>{j + 1}</sub>",
                f"d L by d a sub {j + 1}",
                [
                    Mistake(
                        "row",
                        sum(g("W", j % 2, k) * g("delta_next", k) for k in range(2)),
                        "Use column j of W (the weights out of neuron j): Wᵀδ.",
                    )
                ],
            )
        )
    for j in range(3):
        z = g("z", j)
        steps.append(
            Step(
                f"fprime[{j}]",
                _by_activation(
                    sigmoid(z) * (1 - sigmoid(z)),
                    1 - sympy.tanh(z) ** 2,
                    sympy.Piecewise((1, z > 0), (0, True)),
                ),
                1,
                f"f′(z<sub>{j + 1}</sub>)",
                f"f prime of z sub {j + 1}",
            )
        )
    for j in range(3):
        steps.append(
            Step(
                f"delta[{j}]",
                v(f"signal[{j}]") * v(f"fprime[{j}]"),
                1,
                f"δ<sub>{j + 1}</sub>",
                f"delta sub {j + 1}",
                [Mistake("no-derivative", v(f"signal[{j}]"), "Multiply by f′(z) of the neuron.")],
            )
        )
    steps.append(Step("dw_x", v("delta[1]") * g("x_i"), 2, "∂L/∂w<sub>i2</sub>", "d L by d w sub i 2"))
    for k in range(2):
        for j in range(3):
            z = g("z", j)
            a = _by_activation(sigmoid(z), sympy.tanh(z), sympy.Max(0, z))
            steps.append(
                Step(
                    f"dW2[{k},{j}]",
                    g("delta_next", k) * a,
                    3,
                    f"∂L/∂W<sub>{k + 1}{j + 1}</sub>",
                    f"d L by d W sub {k + 1} {j + 1}",
                    [
                        Mistake(
                            "used-z", g("delta_next", k) * z, "Multiply by the activation a = f(z), not z."
                        )
                    ],
                )
            )
    return steps


SPECS = {
    "stability": Spec(_stability()),
    "batches": Spec(_batches()),
    "schedule-step": Spec(_schedule("step")),
    "schedule-exponential": Spec(_schedule("exponential")),
    "schedule-cosine": Spec(_schedule("cosine")),
    "warm-restart": Spec(_warm_restart()),
    "hidden-delta": Spec(
        _hidden_delta(),
        derived=lambda givens: {"activation_index": ACTIVATION_NAMES.index(givens["activation"])},
    ),
}
