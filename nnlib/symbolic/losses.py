r"""Every loss of ``nnlib.losses`` as a SymPy expression, differentiated symbolically.

:ref:`chap-regression-losses`, :ref:`chap-classification-losses` and
:ref:`chap-margins-divergences` derive the gradients here; the tests hold ``nnlib.losses``'
numeric gradients against the ``lambdify``-ed derivatives at random points.

Per-sample expressions use the symbols ``y`` (target), ``y_hat`` (prediction, printed
``yhat``, which LaTeX renders as :math:`\hat y`), ``z`` (logit) and ``delta`` (Huber's
threshold). Row losses (categorical cross-entropy, KL) take the number of classes ``K`` and
use indexed symbols ``y_1..y_K``, ``p_1..p_K``, ``z_1..z_K``.

Examples
--------
>>> import sympy as sp
>>> sp.simplify(sp.diff(mse(), y_hat))
-2*y + 2*yhat
>>> sigmoid_bce_logit_gradient()
-y + 1/(1 + exp(-z))
>>> sp.simplify(sigmoid_bce_logit_gradient() - (sigmoid(z) - y))
0
"""

import numpy as np
import sympy as sp

# "yhat" prints as \hat{y} in LaTeX (SymPy reads the suffix "hat" as an accent)
y, y_hat, z = sp.symbols("y yhat z", real=True)
delta = sp.Symbol("delta", positive=True)


def sigmoid(x):
    r"""SymPy sigmoid :math:`1 / (1 + e^{-x})`."""
    return 1 / (1 + sp.exp(-x))


# ---------------------------------------------------------------- per-sample losses


def mse():
    r"""Squared error :math:`(y - \hat y)^2`."""
    return (y - y_hat) ** 2


def mae():
    r"""Absolute error :math:`|\hat y - y|`; its derivative is :math:`\operatorname{sign}(\hat y - y)`."""
    return sp.Abs(y_hat - y)


def huber(threshold=delta):
    r"""Huber loss of the residual :math:`d = \hat y - y`, PyTorch's form.

    :math:`\tfrac12 d^2` for :math:`|d| \le \delta`, :math:`\delta(|d| - \tfrac12\delta)` otherwise.
    """
    d = y_hat - y
    return sp.Piecewise(
        (d**2 / 2, sp.Abs(d) <= threshold),
        (threshold * (sp.Abs(d) - threshold / 2), True),
    )


def binary_cross_entropy():
    r"""Binary cross-entropy on a probability: :math:`-[y \ln\hat y + (1-y)\ln(1-\hat y)]`."""
    return -(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat))


def binary_cross_entropy_logits():
    r"""Binary cross-entropy of :math:`\hat y = \sigma(z)`, a function of the logit :math:`z`."""
    return binary_cross_entropy().subs(y_hat, sigmoid(z))


def hinge():
    r"""Hinge loss :math:`\max(0, 1 - y\hat y)` as a piecewise function.

    Written as ``Piecewise((1 - y*y_hat, 1 - y*y_hat > 0), (0, True))`` so that its
    derivative carries the same kink choice as ``nnlib.losses.Hinge``: 0 where ``y*y_hat >= 1``.
    """
    margin = 1 - y * y_hat
    return sp.Piecewise((margin, margin > 0), (0, True))


def class_symbols(letter, n_classes):
    """``letter_1 .. letter_K`` as a list of real SymPy symbols."""
    return list(sp.symbols(f"{letter}_1:{n_classes + 1}", real=True))


def cross_entropy(p, q):
    r"""Cross-entropy :math:`H(P, Q) = -\sum_k p_k \ln q_k` of two lists of expressions."""
    return -sum(pk * sp.log(qk) for pk, qk in zip(p, q, strict=True))


def entropy(p):
    r"""Entropy :math:`H(P) = -\sum_k p_k \ln p_k`."""
    return cross_entropy(p, p)


def kl_divergence_expr(p, q):
    r""":math:`D_{KL}(P\|Q) = \sum_k p_k \ln(p_k / q_k)`."""
    return sum(pk * sp.log(pk / qk) for pk, qk in zip(p, q, strict=True))


def softmax(logits):
    r"""SymPy softmax :math:`e^{z_k} / \sum_j e^{z_j}` of a list of expressions."""
    total = sum(sp.exp(zj) for zj in logits)
    return [sp.exp(zk) / total for zk in logits]


def categorical_cross_entropy(n_classes=3):
    r"""Categorical cross-entropy :math:`-\sum_k y_k \ln p_k`; returns ``(expr, ys, ps)``."""
    ys, ps = class_symbols("y", n_classes), class_symbols("p", n_classes)
    return cross_entropy(ys, ps), ys, ps


def softmax_cross_entropy(n_classes=3):
    r"""Cross-entropy of :math:`p = \operatorname{softmax}(z)`; returns ``(expr, ys, zs)``."""
    ys, zs = class_symbols("y", n_classes), class_symbols("z", n_classes)
    return cross_entropy(ys, softmax(zs)), ys, zs


def kl_divergence(n_classes=3):
    r""":math:`D_{KL}(P\|Q)` over K classes; returns ``(expr, ps, qs)``."""
    ps, qs = class_symbols("p", n_classes), class_symbols("q", n_classes)
    return kl_divergence_expr(ps, qs), ps, qs


# ---------------------------------------------------------------- derivations


def sigmoid_bce_logit_gradient():
    r""":math:`\partial\,\mathrm{BCE}(y, \sigma(z)) / \partial z`, simplified: :math:`\sigma(z) - y`.

    The raw derivative is simplified after taking :math:`\sigma(z)` out of it, so that SymPy
    shows the remainder, :math:`-y`, instead of one fraction over :math:`e^z + 1`.
    """
    gradient = sp.diff(binary_cross_entropy_logits(), z)
    return sigmoid(z) + sp.simplify(gradient - sigmoid(z))


def softmax_cce_logit_gradient(n_classes=3):
    r"""The K partial derivatives :math:`\partial\,\mathrm{CE}(y, \operatorname{softmax}(z)) / \partial z_k`.

    Returns ``(gradients, ys, zs)``; each gradient simplifies to
    :math:`p_k \sum_j y_j - y_k`, which is :math:`p_k - y_k` for targets that sum to 1.
    """
    expr, ys, zs = softmax_cross_entropy(n_classes)
    return [sp.simplify(sp.diff(expr, zk)) for zk in zs], ys, zs


def huber_at_delta():
    r"""Both pieces of Huber's loss and of its derivative at :math:`d = \delta` (the right kink).

    Returns a dict with the quadratic and linear pieces' values and slopes at
    :math:`d = \delta`; equal values show continuity, equal slopes differentiability.
    (By symmetry the same holds at :math:`d = -\delta`.)
    """
    d = sp.Symbol("d", positive=True)
    quadratic = d**2 / 2
    linear = delta * (d - delta / 2)  # |d| = d for d > 0
    return {
        "quadratic_value": quadratic.subs(d, delta),
        "linear_value": sp.expand(linear.subs(d, delta)),
        "quadratic_slope": sp.diff(quadratic, d).subs(d, delta),
        "linear_slope": sp.diff(linear, d).subs(d, delta),
        "second_derivative_jump": sp.diff(quadratic, d, 2) - sp.diff(linear, d, 2),
    }


def bernoulli_negative_log_likelihood():
    r""":math:`-\ln\big(\hat y^{\,y} (1-\hat y)^{1-y}\big)`, expanded: the binary cross-entropy."""
    likelihood = y_hat**y * (1 - y_hat) ** (1 - y)
    return sp.expand_log(-sp.log(likelihood), force=True)


def cross_entropy_minus_entropy_minus_kl(n_classes=3):
    r""":math:`H(P, Q) - H(P) - D_{KL}(P\|Q)`, simplified: 0, so cross-entropy = entropy + KL."""
    ps, qs = class_symbols("p", n_classes), class_symbols("q", n_classes)
    ps = [sp.Symbol(p.name, positive=True) for p in ps]
    qs = [sp.Symbol(q.name, positive=True) for q in qs]
    difference = cross_entropy(ps, qs) - entropy(ps) - kl_divergence_expr(ps, qs)
    return sp.simplify(sp.expand_log(difference, force=True))


# ---------------------------------------------------------------- lambdified derivatives


_ELEMENTWISE = {
    "mse": mse,
    "mae": mae,
    "huber": huber,
    "bce": binary_cross_entropy,
    "hinge": hinge,
}


def gradient_function(name, huber_delta=1.0):
    r"""Numpy function ``f(y_true, y_pred)`` of the SymPy derivative of one elementwise loss.

    ``name`` is one of ``"mse"``, ``"mae"``, ``"huber"``, ``"bce"``, ``"bce_logits"`` (the
    derivative with respect to the logit) and ``"hinge"``. The result is the per-element
    derivative, i.e. ``loss.grad`` with ``reduction="none"``.
    """
    if name == "bce_logits":
        derivative, wrt = sp.diff(binary_cross_entropy_logits(), z), z
    elif name in _ELEMENTWISE:
        derivative, wrt = sp.diff(_ELEMENTWISE[name](), y_hat), y_hat
    else:
        options = ", ".join(repr(n) for n in [*_ELEMENTWISE, "bce_logits"])
        raise ValueError(f"name must be one of {options}, got {name!r}")
    derivative = derivative.subs(delta, huber_delta)
    function = sp.lambdify((y, wrt), derivative, modules="numpy")

    def gradient(y_true, y_pred):
        y_true, y_pred = np.broadcast_arrays(np.asarray(y_true, float), np.asarray(y_pred, float))
        return np.asarray(function(y_true, y_pred), dtype=float) * np.ones_like(y_pred)

    return gradient


def row_gradient_function(name, n_classes):
    r"""Numpy function ``f(targets, predictions)`` of (N, K) arrays: the SymPy gradient of a row loss.

    ``name``: ``"cce"`` (derivative of :math:`-\sum y_k\ln p_k` w.r.t. :math:`p`),
    ``"cce_logits"`` (of the softmax cross-entropy w.r.t. :math:`z`) or ``"kl"`` (of
    :math:`D_{KL}(P\|Q)` w.r.t. :math:`Q`). Returns an (N, K) array.
    """
    builders = {"cce": categorical_cross_entropy, "cce_logits": softmax_cross_entropy, "kl": kl_divergence}
    if name not in builders:
        raise ValueError(f"name must be one of 'cce', 'cce_logits', 'kl', got {name!r}")
    expr, targets, variables = builders[name](n_classes)
    functions = [sp.lambdify((targets, variables), sp.diff(expr, v), modules="numpy") for v in variables]

    def gradient(true_rows, pred_rows):
        columns_true = list(np.asarray(true_rows, float).T)
        columns_pred = list(np.asarray(pred_rows, float).T)
        return np.stack([f(columns_true, columns_pred) for f in functions], axis=-1)

    return gradient
