r"""Gradient checking: backpropagation's gradients against central differences.

:ref:`chap-worked-example` and :ref:`chap-training-cycle` use it; so does the grader for
an exercise that asks a student to write ``backward``.

For each entry :math:`\theta_k` of every parameter (and of the input ``x``) the numerical
gradient is the central difference

.. math::

    \frac{\partial L}{\partial \theta_k} \approx
    \frac{L(\theta + \varepsilon e_k) - L(\theta - \varepsilon e_k)}{2\varepsilon},

whose error is :math:`O(\varepsilon^2)` (truncation) plus :math:`O(u\,|L|/\varepsilon)`
(rounding, :math:`u \approx 1.1\times 10^{-16}` in float64); :math:`\varepsilon = 10^{-6}`
balances the two. The analytic gradient :math:`a` and the numerical one :math:`n` are compared
per parameter by the relative error

.. math::

    r = \frac{\lVert a - n \rVert_2}{\max(\lVert a \rVert_2 + \lVert n \rVert_2,\ 10^{-12})}.

Tolerance: in float64, a correct ``backward`` gives :math:`r` around :math:`10^{-9}` to
:math:`10^{-11}`; a wrong one (a missing factor, a transposed matrix) gives :math:`r` of order
:math:`10^{-2}` to 1. The default ``tol=1e-7`` separates the two with room to spare. Avoid points
where a ReLU input is within :math:`\varepsilon` of its kink at 0, where no derivative exists.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib._validation import as_float_array, check_finite, check_positive

__all__ = ["numerical_gradient", "relative_error", "GradCheckRow", "GradCheckResult", "gradient_check"]


def numerical_gradient(f, x, eps=1e-6):
    r"""Central-difference gradient of the scalar function ``f`` at the float64 array ``x``.

    ``x`` is perturbed *in place* one entry at a time and restored, so ``f`` may read ``x``
    through a reference (as a network reads its parameters).

    .. math::

        \frac{\partial f}{\partial x_k}
        \approx \frac{f(x + \varepsilon e_k) - f(x - \varepsilon e_k)}{2\varepsilon}
    """
    check_positive(eps, "eps")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (it is perturbed in place)")
    gradient = np.zeros_like(x)
    flat_x, flat_gradient = x.reshape(-1), gradient.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for k in range(flat_x.size):
        original = flat_x[k]
        flat_x[k] = original + eps
        f_plus = float(f())
        flat_x[k] = original - eps
        f_minus = float(f())
        flat_x[k] = original
        flat_gradient[k] = (f_plus - f_minus) / (2.0 * eps)
    return gradient


def relative_error(analytic, numerical):
    r"""Relative error :math:`\lVert a - n\rVert / \max(\lVert a\rVert + \lVert n\rVert, 10^{-12})`."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numerical = np.asarray(numerical, dtype=np.float64)
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numerical), 1e-12)
    return float(np.linalg.norm(analytic - numerical) / scale)


@dataclass
class GradCheckRow:
    """One compared array: its name and shape, the largest absolute and the relative error."""

    name: str
    shape: tuple
    max_abs_diff: float
    rel_error: float
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)


#: Errors below this are rounding: a correct ``backward`` in float64 gives 1e-9 to 1e-11 (module docstring).
ROUND_OFF = 1e-8


def _shown(error, round_off):
    """``error`` with two significant digits, or the bound ``< round_off`` when it is below it."""
    return f"< {round_off:.0e}" if error < round_off else f"{error:.1e}"


@dataclass
class GradCheckResult:
    """The rows of a gradient check, the tolerance, and whether every row passed.

    ``bool(result)`` is ``result.passed``; ``print(result)`` prints the table.
    """

    rows: list
    tol: float

    @property
    def passed(self):
        return all(row.rel_error < self.tol for row in self.rows)

    @property
    def max_rel_error(self):
        return max(row.rel_error for row in self.rows)

    def __bool__(self):
        return self.passed

    def table(self, round_off=ROUND_OFF):
        """A plain aligned table, one line per compared array.

        An error below ``round_off`` is printed as the bound ``< 1e-08``, not as its digits: it is
        rounding, and its digits change with the CPU (the order in which OpenBLAS and numpy's SIMD
        loops add), so a printed table is the same on every machine. A larger error, the sign of
        a wrong gradient, is printed with two significant digits.
        """
        width = max(len("array"), *(len(row.name) for row in self.rows))
        lines = [f"{'array':<{width}}  {'shape':>10}  {'max |a-n|':>10}  {'rel. error':>10}  ok"]
        for row in self.rows:
            mark = "yes" if row.rel_error < self.tol else "NO"
            lines.append(
                f"{row.name:<{width}}  {str(row.shape):>10}  {_shown(row.max_abs_diff, round_off):>10}  "
                f"{_shown(row.rel_error, round_off):>10}  {mark}"
            )
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"gradient check {verdict} (tolerance {self.tol:.0e} on the relative error)")
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def gradient_check(model, loss, x, y_true, eps=1e-6, tol=1e-7, check_input=True):
    r"""Compare ``model.backward``'s gradients with central differences of ``loss``.

    Parameters
    ----------
    model : object with ``forward``, ``backward`` and ``parameters``
        A :class:`nnlib.nn.Sequential`, a single layer, or any object with that interface.
        Its parameters' ``.grad`` are overwritten (zeroed, then one backward pass).
    loss : callable with ``.grad``
        A loss of :mod:`nnlib.losses` with reduction ``"mean"`` or ``"sum"``, called as
        ``loss(y_true, y_pred)``.
    x, y_true : array_like
        One batch of inputs and targets.
    eps : float, default 1e-6
        Step of the central differences.
    tol : float, default 1e-7
        Largest relative error (see the module docstring) that passes.
    check_input : bool, default True
        Also compare :math:`\partial L/\partial x`, the value ``backward`` returns.

    Returns
    -------
    GradCheckResult
        ``.rows`` (one per parameter, then ``"input x"``), ``.passed``, ``.table()``.

    Examples
    --------
    >>> from nnlib.losses import MSE
    >>> from nnlib.nn import Linear, Sequential, Sigmoid
    >>> model = Sequential(Linear(2, 3, rng=0), Sigmoid(), Linear(3, 1, rng=1))
    >>> result = gradient_check(model, MSE(), [[0.5, -1.0]], [[1.0]])
    >>> result.passed, result.max_rel_error < 1e-7
    (True, True)
    """
    if getattr(loss, "reduction", "mean") == "none":
        raise ValueError("loss must reduce to a number (reduction 'mean' or 'sum'), got reduction 'none'")
    check_positive(tol, "tol")
    x = np.array(as_float_array(x, "x"), dtype=np.float64)
    check_finite(x, "x")

    parameters = model.parameters()
    for parameter in parameters:
        parameter.zero_grad()
    y_pred = model.forward(x)
    grad_x = np.asarray(model.backward(loss.grad(y_true, y_pred)), dtype=np.float64)

    def current_loss():
        return loss(y_true, model.forward(x))

    rows = []
    for index, parameter in enumerate(parameters):
        numerical = numerical_gradient(current_loss, parameter.value, eps)
        name = getattr(parameter, "name", f"parameter {index}")
        rows.append(_row(name, parameter.grad.copy(), numerical))
    if check_input:
        rows.append(_row("input x", grad_x, numerical_gradient(current_loss, x, eps)))
    model.forward(x)  # leave the caches as after the analytic pass
    return GradCheckResult(rows=rows, tol=tol)


def _row(name, analytic, numerical):
    if analytic.shape != numerical.shape:
        raise ValueError(
            f"gradient of {name} has shape {analytic.shape}, expected {numerical.shape} (the shape of {name})"
        )
    difference = float(np.max(np.abs(analytic - numerical))) if analytic.size else 0.0
    return GradCheckRow(
        name, analytic.shape, difference, relative_error(analytic, numerical), analytic, numerical
    )
