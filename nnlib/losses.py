r"""Loss functions: the loss of one prediction and the cost over a data set.

Keras' names and argument order ``loss(y_true, y_pred)``, PyTorch's reductions:

* ``reduction="none"``: the per-sample (for elementwise losses: per-element) losses;
* ``reduction="mean"``: their mean, the *cost* (chapter "Loss vs cost");
* ``reduction="sum"``: their sum.

``loss.grad(y_true, y_pred)`` is the derivative of the reduced value with respect to
``y_pred`` and has the shape of ``y_pred``; with ``reduction="none"`` it is the gradient of
the sum, i.e. the derivative of each sample's loss with respect to its own prediction.

Elementwise losses (``MSE``, ``MAE``, ``Huber``, ``BinaryCrossEntropy``, ``Hinge``) have one
loss per element, so ``"mean"`` divides by the number of elements. Row losses
(``CategoricalCrossEntropy``, ``KLDivergence``) sum over the classes of a row, so ``"mean"``
divides by the number of rows N.

Every loss refuses NaN and infinity, shapes that differ (no broadcasting), non-numeric input
(``TypeError``) and values outside its domain (``ValueError`` naming the argument). No input
makes numpy warn: logarithms of 0 are clamped at -100 (as PyTorch does) and a value that
overflows float64 raises ``ValueError`` instead of returning ``inf``.
"""

from contextlib import contextmanager

import numpy as np

from nnlib._validation import (
    as_float_array,
    check_choice,
    check_finite,
    check_in_range,
    check_positive,
    check_same_shape,
)
from nnlib.activations import log_softmax, sigmoid, softmax

REDUCTIONS = ("none", "mean", "sum")

LOG_CLAMP = -100.0
"""Lower bound of every logarithm of a probability (PyTorch's ``BCELoss`` clamps at -100)."""

ROW_SUM_TOLERANCE = 1e-6
"""How far a probability row may sum away from 1 (absolute) before it is rejected."""

BCE_GRAD_EPS = 1e-12
"""Floor of ``p (1 - p)`` in the gradient of ``BinaryCrossEntropy`` (PyTorch's ``EPSILON``)."""


class Loss:
    """Base class: input checks and reductions, shared by every loss.

    A subclass implements ``_per_sample(y_true, y_pred)``, the unreduced losses, and
    ``_per_sample_grad(y_true, y_pred)``, the derivative of their sum with respect to
    ``y_pred``. ``"mean"`` divides both by the number of unreduced losses.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the unreduced losses are combined.
    """

    def __init__(self, reduction="mean"):
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"

    def _check(self, y_true, y_pred):
        """Convert and validate the inputs; subclasses add their own conditions."""
        y_true = as_float_array(y_true, "y_true")
        y_pred = as_float_array(y_pred, "y_pred")
        check_same_shape(y_true, y_pred)
        check_finite(y_true, "y_true")
        check_finite(y_pred, "y_pred")
        return y_true, y_pred

    def __call__(self, y_true, y_pred):
        """Return the loss of ``y_pred`` against ``y_true``, reduced as ``self.reduction`` says."""
        y_true, y_pred = self._check(y_true, y_pred)
        with _overflow_is_an_error():
            losses = self._per_sample(y_true, y_pred)
            if self.reduction == "none":
                return losses
            total = float(np.sum(losses))
        return total / max(losses.size, 1) if self.reduction == "mean" else total

    def grad(self, y_true, y_pred):
        """Return d(value)/d(y_pred), an array with the shape of ``y_pred``."""
        y_true, y_pred = self._check(y_true, y_pred)
        with _overflow_is_an_error():
            gradient = self._per_sample_grad(y_true, y_pred)
        if self.reduction == "mean":
            n_losses = self._n_losses(y_pred)
            gradient = gradient / max(n_losses, 1)
        return gradient

    def _n_losses(self, y_pred):
        """Number of unreduced losses; elementwise losses have one per element."""
        return y_pred.size

    def _per_sample(self, y_true, y_pred):
        raise NotImplementedError

    def _per_sample_grad(self, y_true, y_pred):
        raise NotImplementedError


@contextmanager
def _overflow_is_an_error():
    """Turn a float64 overflow into ``ValueError`` (instead of a RuntimeWarning and ``inf``)."""
    try:
        with np.errstate(over="raise"):
            yield
    except FloatingPointError:
        raise ValueError(
            "y_true and y_pred are too large: the loss or its gradient overflows float64"
        ) from None


def _clamped_log(x):
    r""":math:`\max(\ln x, -100)` for :math:`x \ge 0`, with :math:`\ln 0 = -100` and no warning."""
    logs = np.full(x.shape, LOG_CLAMP)
    np.log(x, out=logs, where=x > 0)
    return np.maximum(logs, LOG_CLAMP)


def _check_from_logits(from_logits):
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(f"from_logits must be True or False, got {from_logits!r}")
    return bool(from_logits)


def _check_rows_sum_to_one(array, name):
    """Raise ``ValueError`` naming ``name`` and the first row whose sum is not 1 (within the tolerance)."""
    sums = array.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if sums.ndim else ()
        where = f"row {first[0] if len(first) == 1 else first}" if first else "the row"
        raise ValueError(
            f"{name} must hold probability rows that sum to 1 (within {ROW_SUM_TOLERANCE:g}); "
            f"{where} sums to {float(sums[first] if first else sums)!r}"
        )


# ----------------------------------------------------------------------------------------
# Regression losses (chapter "Regression losses")
# ----------------------------------------------------------------------------------------


class MSE(Loss):
    r"""Mean squared error, the regression loss of chapters "Loss vs cost" and "Regression losses".

    .. math::

        \ell_i = (y_i - \hat y_i)^2, \qquad
        \mathrm{MSE} = \frac{1}{N}\sum_{i=1}^{N} (y_i - \hat y_i)^2, \qquad
        \frac{\partial\,\mathrm{MSE}}{\partial \hat y_i} = \frac{2}{N}(\hat y_i - y_i)

    Elementwise: ``"mean"`` divides by the number of elements of ``y_pred``.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> MSE(reduction="none")([1.0], [0.8])
    array([0.04])
    """

    def _per_sample(self, y_true, y_pred):
        return (y_true - y_pred) ** 2

    def _per_sample_grad(self, y_true, y_pred):
        return 2.0 * (y_pred - y_true)


class MAE(Loss):
    r"""Mean absolute error (L1 loss), chapter "Regression losses".

    .. math::

        \ell_i = |\hat y_i - y_i|, \qquad
        \frac{\partial \ell_i}{\partial \hat y_i} = \operatorname{sign}(\hat y_i - y_i)

    At :math:`\hat y_i = y_i` the absolute value has a kink; the subgradient 0 is returned
    there, as PyTorch's ``L1Loss`` does. Elementwise: ``"mean"`` divides by the number of
    elements.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> MAE(reduction="none")([1.0, 2.0], [0.5, 2.0])
    array([0.5, 0. ])
    """

    def _per_sample(self, y_true, y_pred):
        return np.abs(y_pred - y_true)

    def _per_sample_grad(self, y_true, y_pred):
        return np.sign(y_pred - y_true)


class Huber(Loss):
    r"""Huber loss :cite:`huber1964`: quadratic near the target, linear beyond ``delta``.

    With the residual :math:`d = \hat y - y`,

    .. math::

        \ell(d) = \begin{cases} \tfrac12 d^2 & |d| \le \delta \\
                  \delta\,(|d| - \tfrac12 \delta) & |d| > \delta \end{cases}, \qquad
        \frac{\partial \ell}{\partial \hat y} = \begin{cases} d & |d| \le \delta \\
                  \delta \operatorname{sign}(d) & |d| > \delta \end{cases}

    This is PyTorch's ``HuberLoss`` form. The seed writes ":math:`|d| < \delta`" and
    ":math:`\delta|d| - \delta^2/2`": the same function, because both pieces equal
    :math:`\delta^2/2` at :math:`|d| = \delta` (chapter "Regression losses" shows that the
    value and the slope are continuous there). Elementwise: ``"mean"`` divides by the number
    of elements.

    Parameters
    ----------
    delta : float, default 1.0
        Where the loss switches from quadratic to linear; must be > 0.
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> Huber(delta=1.0, reduction="none")([0.0, 0.0], [0.5, 3.0])
    array([0.125, 2.5  ])
    """

    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(reduction)
        self.delta = check_positive(delta, "delta")

    def __repr__(self):
        return f"Huber(delta={self.delta!r}, reduction={self.reduction!r})"

    def _per_sample(self, y_true, y_pred):
        d = np.abs(y_pred - y_true)
        return np.where(d <= self.delta, 0.5 * d * d, self.delta * (d - 0.5 * self.delta))

    def _per_sample_grad(self, y_true, y_pred):
        d = y_pred - y_true
        return np.clip(d, -self.delta, self.delta)


# ----------------------------------------------------------------------------------------
# Classification losses (chapter "Classification losses")
# ----------------------------------------------------------------------------------------


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy (log loss), chapter "Classification losses".

    On probabilities :math:`p = \hat y \in [0, 1]` (``from_logits=False``), as PyTorch's ``BCELoss``:

    .. math::

        \ell = -\big[\, y \max(\ln p, -100) + (1 - y) \max(\ln(1 - p), -100) \,\big], \qquad
        \frac{\partial \ell}{\partial p} = \frac{p - y}{\max\big(p(1 - p),\, 10^{-12}\big)}

    The clamp keeps :math:`p = 0` and :math:`p = 1` finite (at most 100 per element). The
    gradient is PyTorch's: the exact derivative :math:`-y/p + (1-y)/(1-p)` wherever
    :math:`p(1-p) \ge 10^{-12}` and no log is clamped; closer to 0 or 1 it is PyTorch's
    bounded surrogate, not the derivative of the clamped (flat) value.

    On logits :math:`z` (``from_logits=True``), as ``BCEWithLogitsLoss``, the overflow-free form

    .. math::

        \ell = \max(z, 0) - z\,y + \ln\!\big(1 + e^{-|z|}\big), \qquad
        \frac{\partial \ell}{\partial z} = \sigma(z) - y

    Targets :math:`y` lie in :math:`[0, 1]` (soft targets allowed). Elementwise: ``"mean"``
    divides by the number of elements.

    Parameters
    ----------
    from_logits : bool, default False
        ``y_pred`` holds logits (any real number) instead of probabilities.
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> BinaryCrossEntropy(reduction="none")([0.0], [0.99])   # -ln(0.01)
    array([4.60517019])
    """

    def __init__(self, from_logits=False, reduction="mean"):
        super().__init__(reduction)
        self.from_logits = _check_from_logits(from_logits)

    def __repr__(self):
        return f"BinaryCrossEntropy(from_logits={self.from_logits!r}, reduction={self.reduction!r})"

    def _check(self, y_true, y_pred):
        y_true, y_pred = super()._check(y_true, y_pred)
        check_in_range(y_true, "y_true", 0, 1)
        if not self.from_logits:
            check_in_range(y_pred, "y_pred", 0, 1)
        return y_true, y_pred

    def _per_sample(self, y_true, y_pred):
        if self.from_logits:
            z = y_pred
            return np.maximum(z, 0.0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
        # "0.0 -" rather than unary minus, so that a perfect prediction gives 0.0 and not -0.0
        return 0.0 - (y_true * _clamped_log(y_pred) + (1.0 - y_true) * _clamped_log(1.0 - y_pred))

    def _per_sample_grad(self, y_true, y_pred):
        if self.from_logits:
            return sigmoid(y_pred) - y_true
        return (y_pred - y_true) / np.maximum(y_pred * (1.0 - y_pred), BCE_GRAD_EPS)


class CategoricalCrossEntropy(Loss):
    r"""Categorical cross-entropy over C classes, chapter "Classification losses".

    ``y_pred`` has shape (N, C): probability rows (``from_logits=False``; entries in [0, 1],
    each row summing to 1 within ``ROW_SUM_TOLERANCE`` = 1e-6) or logits (``from_logits=True``).
    ``y_true`` is one-hot or soft (N, C) with entries in [0, 1] (rows need not sum to 1), or
    integer class labels (N,) in 0..C-1. Label smoothing replaces the target by

    .. math::

        \tilde y_k = (1 - \varepsilon)\, y_k + \varepsilon / C .

    Probabilities (log clamped at -100 as in ``BinaryCrossEntropy``):

    .. math::

        \ell = -\sum_{k=1}^{C} \tilde y_k \max(\ln p_k, -100), \qquad
        \frac{\partial \ell}{\partial p_k} = \begin{cases} -\tilde y_k / p_k & \ln p_k \ge -100 \\
        0 & \text{otherwise (the clamped log is flat)} \end{cases}

    Logits, with the log-softmax computed stably:

    .. math::

        \ell = -\sum_k \tilde y_k \log\operatorname{softmax}(z)_k
             = S \log\sum_j e^{z_j} - \sum_k \tilde y_k z_k, \qquad
        \frac{\partial \ell}{\partial z_k} = S\,\operatorname{softmax}(z)_k - \tilde y_k,

    where :math:`S = \sum_k \tilde y_k` is 1 for one-hot or normalised soft targets, so the
    gradient is the familiar :math:`p - y`. ``"mean"`` divides by N, the number of rows.

    Parameters
    ----------
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0.0
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> CategoricalCrossEntropy(reduction="none")([1], [[0.2, 0.5, 0.3]])   # -ln(0.5)
    array([0.69314718])
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, reduction="mean"):
        super().__init__(reduction)
        self.from_logits = _check_from_logits(from_logits)
        self.label_smoothing = check_positive(label_smoothing, "label_smoothing", allow_zero=True)
        if self.label_smoothing > 1:
            raise ValueError(f"label_smoothing must lie in [0, 1], got {label_smoothing!r}")

    def __repr__(self):
        return (
            f"CategoricalCrossEntropy(from_logits={self.from_logits!r}, "
            f"label_smoothing={self.label_smoothing!r}, reduction={self.reduction!r})"
        )

    def _check(self, y_true, y_pred):
        y_true = as_float_array(y_true, "y_true")
        y_pred = as_float_array(y_pred, "y_pred")
        if y_pred.ndim != 2:
            raise ValueError(
                "y_pred must have shape (N, C) (one row of C class scores per sample), "
                f"got shape {y_pred.shape}"
            )
        check_finite(y_true, "y_true")
        check_finite(y_pred, "y_pred")
        n_classes = y_pred.shape[1]
        if y_true.shape == (y_pred.shape[0],):
            y_true = _one_hot(y_true, n_classes)
        else:
            check_same_shape(y_true, y_pred)
            check_in_range(y_true, "y_true", 0, 1)
        if not self.from_logits:
            check_in_range(y_pred, "y_pred", 0, 1)
            _check_rows_sum_to_one(y_pred, "y_pred")
        eps = self.label_smoothing
        return (1.0 - eps) * y_true + eps / max(n_classes, 1), y_pred

    def _n_losses(self, y_pred):
        return y_pred.shape[0]

    def _per_sample(self, y_true, y_pred):
        log_p = log_softmax(y_pred) if self.from_logits else _clamped_log(y_pred)
        return 0.0 - (y_true * log_p).sum(axis=1)

    def _per_sample_grad(self, y_true, y_pred):
        if self.from_logits:
            return y_true.sum(axis=1, keepdims=True) * softmax(y_pred) - y_true
        unclamped = _clamped_log(y_pred) > LOG_CLAMP
        ratio = np.zeros_like(y_pred)
        np.divide(y_true, y_pred, out=ratio, where=unclamped)
        return 0.0 - ratio


def _one_hot(labels, n_classes):
    """One-hot rows for integer class labels in 0..n_classes-1 (``ValueError`` saying the range otherwise)."""
    valid = (labels == np.round(labels)) & (labels >= 0) & (labels <= n_classes - 1)
    if not valid.all():
        bad = float(labels[~valid][0])
        raise ValueError(
            f"y_true class labels must be integers in 0..{n_classes - 1} (y_pred has {n_classes} "
            f"columns), found {bad!r}"
        )
    return (labels[:, None] == np.arange(n_classes)[None, :]).astype(np.float64)


# ----------------------------------------------------------------------------------------
# Margins and divergences (chapter "Margins and divergences")
# ----------------------------------------------------------------------------------------


class Hinge(Loss):
    r"""Hinge loss of a margin classifier (SVM), chapter "Margins and divergences".

    Labels :math:`y \in \{-1, +1\}`, scores :math:`s` (any real number):

    .. math::

        \ell = \max(0,\, 1 - y s), \qquad
        \frac{\partial \ell}{\partial s} = \begin{cases} -y & 1 - y s > 0 \\ 0 & \text{otherwise} \end{cases}

    At the kink :math:`y s = 1` the loss has no derivative; the subgradient 0 is returned
    there (the point already has margin 1, like ``relu'(0) = 0``). Labels 0/1 are refused:
    convert them with :math:`2y - 1`. Elementwise: ``"mean"`` divides by the number of elements.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> Hinge(reduction="none")([1.0, -1.0, 1.0], [2.0, 0.5, -1.0])
    array([0. , 1.5, 2. ])
    """

    def _check(self, y_true, y_pred):
        y_true, y_pred = super()._check(y_true, y_pred)
        wrong = (y_true != 1.0) & (y_true != -1.0)
        if wrong.any():
            raise ValueError(
                f"y_true labels must be -1 or +1 for the hinge loss, found {float(y_true[wrong].flat[0])!r}; "
                "convert 0/1 labels with 2*y - 1"
            )
        return y_true, y_pred

    def _per_sample(self, y_true, y_pred):
        return np.maximum(0.0, 1.0 - y_true * y_pred)

    def _per_sample_grad(self, y_true, y_pred):
        return np.where(1.0 - y_true * y_pred > 0, -y_true, 0.0)


class KLDivergence(Loss):
    r"""Kullback-Leibler divergence :math:`D_{KL}(P \,\|\, Q)`, chapter "Margins and divergences".

    ``y_true`` is P, ``y_pred`` is Q: probability rows of shape (N, C), or one row of shape (C,)
    (then N = 1 and ``"none"`` returns a 0-d array). Entries lie in [0, 1] and each row sums
    to 1 within ``ROW_SUM_TOLERANCE`` = 1e-6.

    .. math::

        D_{KL}(P \,\|\, Q) = \sum_{k} p_k \ln\frac{p_k}{q_k} \quad (0 \ln 0 = 0), \qquad
        \frac{\partial D_{KL}}{\partial q_k} = -\frac{p_k}{q_k}

    A class with :math:`q_k = 0 < p_k` makes the divergence infinite: that is a ``ValueError``
    (naming the row and class), never ``inf``; so is a :math:`p_k / q_k` too large for float64.
    Where :math:`p_k = 0` the term and its gradient are 0. ``"mean"`` divides by N.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> KLDivergence(reduction="none")([[0.5, 0.5]], [[0.25, 0.75]])
    array([0.14384104])
    """

    def _check(self, y_true, y_pred):
        y_true, y_pred = super()._check(y_true, y_pred)
        if y_pred.ndim not in (1, 2):
            raise ValueError(
                f"y_pred must have shape (N, C) or (C,) (probability rows), got shape {y_pred.shape}"
            )
        for array, name in ((y_true, "y_true"), (y_pred, "y_pred")):
            check_in_range(array, name, 0, 1)
            _check_rows_sum_to_one(array, name)
        ratio = np.zeros_like(y_true)
        with np.errstate(over="ignore", divide="ignore"):
            np.divide(y_true, y_pred, out=ratio, where=y_true > 0)
        infinite = ~np.isfinite(ratio)
        if infinite.any():
            place = tuple(int(i) for i in np.argwhere(infinite)[0])
            raise ValueError(
                "KL divergence is infinite (or p/q overflows float64): "
                f"y_pred (Q) is {float(y_pred[place])!r} at index {place} "
                f"where y_true (P) is {float(y_true[place])!r} > 0; Q must be > 0 wherever P is"
            )
        return y_true, y_pred

    def _n_losses(self, y_pred):
        return y_pred.size // max(y_pred.shape[-1], 1)

    def _per_sample(self, y_true, y_pred):
        positive = y_true > 0
        log_ratio = np.zeros_like(y_true)
        np.log(y_true, out=log_ratio, where=positive)
        log_ratio -= np.log(y_pred, out=np.zeros_like(y_pred), where=positive)
        return (y_true * log_ratio).sum(axis=-1)

    def _per_sample_grad(self, y_true, y_pred):
        ratio = np.zeros_like(y_pred)
        np.divide(y_true, y_pred, out=ratio, where=y_true > 0)
        return 0.0 - ratio
