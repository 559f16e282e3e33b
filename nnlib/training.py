r"""Training routines: loops that fit a model's parameters to data with an :mod:`nnlib.optim` optimizer.

* :func:`fit_line` -- fit :math:`\hat y = w x + b` by gradient descent on any elementwise loss,
  used by :ref:`chap-regression-losses` and :ref:`chap-choosing-a-loss`.
"""

import numpy as np

from nnlib._validation import as_finite_array, check_int
from nnlib.optim import SGD
from nnlib.parameter import Parameter


def fit_line(loss, x, y, lr=0.05, steps=3000):
    r"""Fit :math:`\hat y = w x + b` by gradient descent on ``loss(y, w * x + b)``; return ``(w, b)``.

    ``loss.grad`` gives :math:`\partial J/\partial \hat y_i`; the chain rule through
    :math:`\hat y_i = w x_i + b` gives

    .. math::

        \frac{\partial J}{\partial w} &= \sum_i \frac{\partial J}{\partial \hat y_i}\, x_i, \\
        \frac{\partial J}{\partial b} &= \sum_i \frac{\partial J}{\partial \hat y_i},

    and :class:`nnlib.optim.SGD` takes the steps with the decaying step size
    :math:`\eta_t = \eta_0 / \sqrt{1 + t/100}` (with a constant step, MAE's gradient, which
    does not shrink near the minimum, would keep the line hopping around it).
    :ref:`chap-regression-losses` and :ref:`chap-choosing-a-loss` fit the same data with
    MSE, MAE and Huber.

    Parameters
    ----------
    loss : nnlib.losses.Loss
        An elementwise loss (``MSE``, ``MAE``, ``Huber``...).
    x, y : array_like, same shape
        Inputs and targets.
    lr : float, default 0.05
        The initial step size :math:`\eta_0`.
    steps : int, default 3000

    Returns
    -------
    (float, float)
        The fitted slope ``w`` and intercept ``b``, both starting from 0.

    Examples
    --------
    Three points on the line :math:`y = 2x + 1`:

    >>> from nnlib.losses import MSE
    >>> w, b = fit_line(MSE(), [0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    >>> round(w, 3), round(b, 3)
    (2.0, 1.0)
    """
    x = as_finite_array(x, "x")
    steps = check_int(steps, "steps", minimum=0)
    w, b = Parameter(0.0, "w"), Parameter(0.0, "b")
    optimizer = SGD([w, b], lr=lr)
    for t in range(steps):
        optimizer.lr = lr / np.sqrt(1 + t / 100)
        dJ_dy_pred = loss.grad(y, w.value * x + b.value)  # checks y against the prediction's shape
        optimizer.zero_grad()
        w.grad += np.sum(dJ_dy_pred * x)
        b.grad += np.sum(dJ_dy_pred)
        optimizer.step()
    return float(w.value), float(b.value)
