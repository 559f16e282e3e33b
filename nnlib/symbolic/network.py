r"""The exam notes' 2-2-1 network as one SymPy expression, differentiated directly.

:ref:`chap-worked-example`. Two inputs, two sigmoid hidden neurons, one sigmoid
output, binary cross-entropy; the exam notes' naming, :math:`w_{ij}` from input (or hidden
neuron) :math:`i` to neuron :math:`j`:

.. math::

    z_1 = w_{11}x_1 + w_{21}x_2 + b_1,\quad z_2 = w_{12}x_1 + w_{22}x_2 + b_2,\quad
    z_3 = w_{13}\sigma(z_1) + w_{23}\sigma(z_2) + b_3,

    L = -\big[y \log \sigma(z_3) + (1-y)\log(1-\sigma(z_3))\big].

:func:`loss_expression` substitutes everything into one expression of the nine parameters,
and :func:`gradient_expressions` differentiates *that* expression with ``sympy.diff``: no
chain rule is applied by hand, which makes it an independent check of backpropagation.
"""

import sympy as sp

__all__ = [
    "x1",
    "x2",
    "y",
    "PARAMETERS",
    "NOTES_EXAMPLE",
    "sigmoid",
    "forward_expressions",
    "loss_expression",
    "gradient_expressions",
    "lambdify_gradient",
    "evaluate",
    "layer_arrays",
]

x1, x2, y = sp.symbols("x_1 x_2 y", real=True)
w11, w21, b1, w12, w22, b2, w13, w23, b3 = sp.symbols("w_11 w_21 b_1 w_12 w_22 b_2 w_13 w_23 b_3", real=True)
#: The nine parameters in the exam notes' order (hidden neuron 1, hidden neuron 2, output neuron).
PARAMETERS = (w11, w21, b1, w12, w22, b2, w13, w23, b3)

#: The worked example of the exam notes (their section 10), with its inputs, label,
#: initial parameters and learning rate.
NOTES_EXAMPLE = {
    "x": (1.0, 0.0),
    "y": 1.0,
    "params": {
        "w_11": 0.2,
        "w_21": 0.4,
        "b_1": 0.1,
        "w_12": 0.3,
        "w_22": 0.1,
        "b_2": 0.2,
        "w_13": 0.7,
        "w_23": 0.5,
        "b_3": 0.3,
    },
    "lr": 0.1,
}


def sigmoid(z):
    r""":math:`\sigma(z) = 1/(1+e^{-z})` as a SymPy expression."""
    return 1 / (1 + sp.exp(-z))


def forward_expressions():
    """z1, a1, z2, a2, z3, y_hat and the loss L, each an expression of x1, x2, y and the parameters."""
    z1 = w11 * x1 + w21 * x2 + b1
    z2 = w12 * x1 + w22 * x2 + b2
    a1, a2 = sigmoid(z1), sigmoid(z2)
    z3 = w13 * a1 + w23 * a2 + b3
    y_hat = sigmoid(z3)
    loss = -(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat))
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "z3": z3, "y_hat": y_hat, "L": loss}


def loss_expression():
    """The binary cross-entropy of the whole network: one expression of x1, x2, y and the nine parameters."""
    return forward_expressions()["L"]


def gradient_expressions():
    r"""``{parameter symbol: dL/dparameter}``, each by ``sympy.diff`` of the whole loss expression."""
    loss = loss_expression()
    return {parameter: sp.diff(loss, parameter) for parameter in PARAMETERS}


def lambdify_gradient():
    """A numpy function ``f(x1, x2, y, *nine_parameters)``: the nine gradients, in ``PARAMETERS`` order."""
    gradients = gradient_expressions()
    return sp.lambdify((x1, x2, y, *PARAMETERS), [gradients[p] for p in PARAMETERS], modules="numpy")


def evaluate(x=None, label=None, params=None):
    """Every quantity of the worked example as a float, computed from the SymPy expressions.

    Parameters
    ----------
    x : pair of floats, optional
        The input (default: the exam notes' ``(1, 0)``).
    label : float, optional
        The label y (default: the exam notes' 1).
    params : dict, optional
        ``{"w_11": ..., ...}`` by symbol name (default: the exam notes' initial values).

    Returns
    -------
    dict
        ``"z1" ... "y_hat", "L"``: the forward values; ``"grad"``: ``{name: dL/dname}``;
        ``"delta1", "delta2", "delta3"``: :math:`\\partial L/\\partial z_j`, which equal
        :math:`\\partial L/\\partial b_j` because :math:`\\partial z_j/\\partial b_j = 1`.
    """
    x = NOTES_EXAMPLE["x"] if x is None else x
    label = NOTES_EXAMPLE["y"] if label is None else label
    params = NOTES_EXAMPLE["params"] if params is None else params
    missing = {p.name for p in PARAMETERS} - set(params)
    if missing:
        raise ValueError(
            f"params is missing {sorted(missing)}; expected the nine names {[p.name for p in PARAMETERS]}"
        )
    values = {x1: x[0], x2: x[1], y: label, **{p: params[p.name] for p in PARAMETERS}}
    result = {name: float(expr.subs(values).evalf(30)) for name, expr in forward_expressions().items()}
    result["grad"] = {p.name: float(g.subs(values).evalf(30)) for p, g in gradient_expressions().items()}
    for j in (1, 2, 3):
        result[f"delta{j}"] = result["grad"][f"b_{j}"]
    return result


def layer_arrays(params=None):
    """The exam notes' parameters as nnlib arrays: ``(W1, b1, W2, b2)``, PyTorch's ``(n_out, n_in)`` layout.

    ``W[j-1, i-1] = w_ij``: row ``j`` holds the weights *into* neuron ``j`` (the notes'
    second index), so the notes' ``w_21`` (input 2 to hidden 1) sits at ``W1[0, 1]``.
    """
    p = NOTES_EXAMPLE["params"] if params is None else params
    W1 = [[p["w_11"], p["w_21"]], [p["w_12"], p["w_22"]]]
    b1_ = [p["b_1"], p["b_2"]]
    W2 = [[p["w_13"], p["w_23"]]]
    b2_ = [p["b_3"]]
    return W1, b1_, W2, b2_
