r"""Activation functions and their derivatives (:ref:`chap-classification-losses` and
:ref:`chap-chain-rule`).

Every function is written so that ``|z| = 1000`` neither overflows nor warns:
``sigmoid`` never evaluates ``exp`` of a positive number, ``softmax`` and ``log_softmax``
subtract the row maximum first.
"""

import numpy as np

from nnlib._validation import as_float_array, check_finite


def _checked(z, name="z"):
    z = as_float_array(z, name)
    check_finite(z, name)
    return z


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, computed without overflow.

    For :math:`z \ge 0` it uses :math:`1/(1+e^{-z})`, for :math:`z < 0` the equal
    :math:`e^{z}/(1+e^{z})`, so ``exp`` only ever sees non-positive numbers.

    Examples
    --------
    >>> sigmoid([0.0, 2.0]).round(4)
    array([0.5   , 0.8808])
    >>> sigmoid([-1000.0, 1000.0])   # no overflow, no warning
    array([0., 1.])
    """
    z = _checked(z)
    e = np.exp(-np.abs(z))  # in (0, 1], never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    r""":math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    r"""Rectified linear unit :math:`\mathrm{relu}(z) = \max(0, z)`."""
    z = _checked(z)
    return np.maximum(z, 0.0)


def relu_derivative(z):
    r""":math:`\mathrm{relu}'(z) = 1` for :math:`z > 0`, else 0.

    At :math:`z = 0` the subgradient 0 is taken, as PyTorch does.
    """
    z = _checked(z)
    return (z > 0).astype(np.float64)


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh z = (e^{z} - e^{-z}) / (e^{z} + e^{-z})`."""
    return np.tanh(_checked(z))


def tanh_derivative(z):
    r""":math:`\tanh'(z) = 1 - \tanh^2 z`."""
    t = tanh(z)
    return 1.0 - t * t


def _rows(z):
    z = _checked(z)
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the classes), got a scalar")
    return z


def log_softmax(z):
    r"""Log-softmax along the last axis, computed without overflow.

    .. math:: \log p_k = z_k - m - \log\sum_j e^{z_j - m}, \qquad m = \max_j z_j
    """
    z = _rows(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z):
    r"""Softmax along the last axis: :math:`p_k = e^{z_k} / \sum_j e^{z_j}` (shifted by the row maximum).

    Examples
    --------
    >>> softmax([0.0, np.log(3.0)]).round(4)   # e^0 : e^(ln 3) = 1 : 3
    array([0.25, 0.75])
    """
    z = _rows(z)
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def softmax_derivative(z):
    r"""Jacobian of softmax for each row: :math:`\partial p_i/\partial z_j = p_i(\delta_{ij} - p_j)`.

    Returns an array of shape ``z.shape + (K,)``, one ``K x K`` Jacobian per row.
    """
    p = softmax(z)
    return p[..., :, None] * (np.eye(p.shape[-1]) - p[..., None, :])


def log_softmax_derivative(z):
    r"""Jacobian of log-softmax for each row: :math:`\partial \log p_i/\partial z_j = \delta_{ij} - p_j`."""
    p = softmax(z)
    return np.eye(p.shape[-1]) - p[..., None, :]
