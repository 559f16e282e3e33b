"""Steps of the 2-2-1 network's forward and backward pass (chapter "A worked example").

:math:`z_1 = w_{11}x_1 + w_{21}x_2 + b_1`, :math:`a_k = \\sigma(z_k)`,
:math:`z_3 = w_{13}a_1 + w_{23}a_2 + b_3`, :math:`\\hat y = \\sigma(z_3)`,
:math:`L = -[y\\ln\\hat y + (1-y)\\ln(1-\\hat y)]`, :math:`\\delta_3 = \\hat y - y`,
:math:`\\delta_k = w_{k3}\\delta_3 a_k(1-a_k)`, one gradient-descent step with rate :math:`\\eta`.
"""

import sympy

from exam.steps import Mistake, Spec, Step, g, log10, sigmoid, v

SUBSCRIPT = {
    "w11": ("w<sub>11</sub>", "w sub 1 1"),
    "w21": ("w<sub>21</sub>", "w sub 2 1"),
    "b1": ("b<sub>1</sub>", "b sub 1"),
    "w12": ("w<sub>12</sub>", "w sub 1 2"),
    "w22": ("w<sub>22</sub>", "w sub 2 2"),
    "b2": ("b<sub>2</sub>", "b sub 2"),
    "w13": ("w<sub>13</sub>", "w sub 1 3"),
    "w23": ("w<sub>23</sub>", "w sub 2 3"),
    "b3": ("b<sub>3</sub>", "b sub 3"),
}


def _steps():
    x1, x2, y, lr = g("x", 0), g("x", 1), g("y"), g("lr")
    w = {name: g(name) for name in SUBSCRIPT}
    steps = [
        Step("z1", w["w11"] * x1 + w["w21"] * x2 + w["b1"], 1, "z<sub>1</sub>", "z sub 1"),
        Step("a1", sigmoid(v("z1")), 1, "a<sub>1</sub>", "a sub 1"),
        Step("z2", w["w12"] * x1 + w["w22"] * x2 + w["b2"], 1, "z<sub>2</sub>", "z sub 2"),
        Step("a2", sigmoid(v("z2")), 1, "a<sub>2</sub>", "a sub 2"),
        Step("z3", w["w13"] * v("a1") + w["w23"] * v("a2") + w["b3"], 1, "z<sub>3</sub>", "z sub 3"),
        Step("y_hat", sigmoid(v("z3")), 1, "ŷ", "y hat"),
        Step(
            "loss",
            -(y * sympy.log(v("y_hat")) + (1 - y) * sympy.log(1 - v("y_hat"))),
            1,
            "L",
            "loss L",
            [
                Mistake(
                    "log10",
                    -(y * log10(v("y_hat")) + (1 - y) * log10(1 - v("y_hat"))),
                    "The loss uses the natural logarithm (ln), not log base 10.",
                ),
                Mistake(
                    "log-of-other-class",
                    -(y * sympy.log(1 - v("y_hat")) + (1 - y) * sympy.log(v("y_hat"))),
                    "Check which term survives: for label y the loss is −ln of the probability given to y.",
                ),
            ],
        ),
        Step(
            "delta3",
            v("y_hat") - y,
            2,
            "δ<sub>3</sub>",
            "delta sub 3",
            [
                Mistake("sign", y - v("y_hat"), "Check the sign: δ₃ = ∂L/∂z₃ is prediction minus label."),
                Mistake(
                    "extra-sigmoid-derivative",
                    (v("y_hat") - y) * v("y_hat") * (1 - v("y_hat")),
                    "With BCE on a sigmoid output, σ′(z₃) cancels: do not multiply by ŷ(1 − ŷ) again.",
                ),
            ],
        ),
    ]
    for k in (1, 2):
        a = v(f"a{k}")
        steps.append(
            Step(
                f"delta{k}",
                w[f"w{k}3"] * v("delta3") * a * (1 - a),
                2,
                f"δ<sub>{k}</sub>",
                f"delta sub {k}",
                [
                    Mistake(
                        "forgot-derivative",
                        w[f"w{k}3"] * v("delta3"),
                        f"Multiply by the sigmoid's derivative a{k}(1 − a{k}) at the hidden neuron.",
                    )
                ],
            )
        )
    grads = [
        ("w11", v("delta1") * x1),
        ("w21", v("delta1") * x2),
        ("b1", v("delta1")),
        ("w12", v("delta2") * x1),
        ("w22", v("delta2") * x2),
        ("b2", v("delta2")),
        ("w13", v("delta3") * v("a1")),
        ("w23", v("delta3") * v("a2")),
        ("b3", v("delta3")),
    ]
    for name, expr in grads:
        html, aria = SUBSCRIPT[name]
        steps.append(Step(f"dL/d{name}", expr, 2, f"∂L/∂{html}", f"d L by d {aria}"))
    steps += [
        Step(
            "new_w13",
            w["w13"] - lr * v("dL/dw13"),
            3,
            f"new {SUBSCRIPT['w13'][0]}",
            "new w sub 1 3",
            [
                Mistake(
                    "sign",
                    w["w13"] + lr * v("dL/dw13"),
                    "Gradient descent steps against the gradient: subtract η times it.",
                )
            ],
        ),
        Step(
            "new_b1",
            w["b1"] - lr * v("dL/db1"),
            3,
            f"new {SUBSCRIPT['b1'][0]}",
            "new b sub 1",
            [
                Mistake(
                    "sign",
                    w["b1"] + lr * v("dL/db1"),
                    "Gradient descent steps against the gradient: subtract η times it.",
                )
            ],
        ),
    ]
    return steps


SPECS = {"network": Spec(_steps())}
