r"""Loss functions: the loss of one prediction and the cost over a data set.

Keras' names and argument order ``loss(y_true, y_pred)``, PyTorch's reductions:

* ``reduction="none"``: the per-sample (for elementwise losses: per-element) losses;
* ``reduction="mean"``: their mean, the *cost* (:ref:`chap-loss-vs-cost`);
* ``reduction="sum"``: their sum.

``loss.grad(y_true, y_pred)`` is the derivative of the reduced value with respect to
``y_pred`` and has the shape of ``y_pred``; with ``reduction="none"`` it is the gradient of
the sum, i.e. the derivative of each sample's loss with respect to its own prediction.

Elementwise losses (:class:`MSE`, :class:`MAE`, :class:`Huber`, :class:`BinaryCrossEntropy`,
:class:`Hinge`) have one loss per element, so ``"mean"`` divides by the number of elements.
Row losses (:class:`CategoricalCrossEntropy`, :class:`KLDivergence`) sum over the classes of
a row, so ``"mean"`` divides by the number of rows N.

Every loss refuses NaN and infinity, shapes that differ (no broadcasting), non-numeric input
(``TypeError``) and values outside its domain (``ValueError`` naming the argument). No input
makes numpy warn: logarithms of 0 are clamped at -100 (as PyTorch does) and a value that
overflows float64 raises ``ValueError`` instead of returning ``inf``.

Chapters: :ref:`chap-loss-vs-cost`, :ref:`chap-regression-losses`,
:ref:`chap-classification-losses`, :ref:`chap-margins-divergences` and
:ref:`chap-choosing-a-loss`.

Examples
--------
>>> from nnlib.losses import MSE
>>> loss = MSE()
>>> loss([1.0, 2.0], [1.5, 2.0])         # ((1 - 1.5)^2 + 0^2) / 2
0.125
>>> loss.grad([1.0, 2.0], [1.5, 2.0])    # 2 (y_pred - y_true) / N
array([0.5, 0. ])
"""

from contextlib import contextmanager

import numpy as np

from nnlib._validation import (
    ROW_SUM_TOLERANCE,
    as_finite_array,
    as_float_array,
    check_bool,
    check_choice,
    check_class_labels,
    check_finite,
    check_fraction,
    check_in_range,
    check_ndim,
    check_plus_minus_one,
    check_positive,
    check_positive_where,
    check_probability_rows,
    check_same_shape,
)
from nnlib.activations import log_softmax, sigmoid, softmax
from nnlib.data import one_hot

__all__ = [
    "Loss",
    "MSE",
    "MAE",
    "Huber",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Hinge",
    "KLDivergence",
    "REDUCTIONS",
    "LOG_CLAMP",
    "ROW_SUM_TOLERANCE",
    "BCE_GRAD_EPS",
]

REDUCTIONS = ("none", "mean", "sum")
"""The values ``reduction`` may take."""

LOG_CLAMP = -100.0
"""Lower bound of every logarithm of a probability (PyTorch's ``BCELoss`` clamps at -100)."""

BCE_GRAD_EPS = 1e-12
"""Floor of ``p (1 - p)`` in the gradient of ``BinaryCrossEntropy`` (PyTorch's ``EPSILON``)."""


class Loss:
    r"""Base class: input checks and reductions, shared by every loss.

    A subclass implements ``_per_sample(y_true, y_pred)``, the unreduced losses
    :math:`\ell_i`, and ``_per_sample_grad(y_true, y_pred)``, the derivative of their sum
    with respect to ``y_pred``. ``"mean"`` divides both by the number N of unreduced losses:

    .. math::

        J &= \frac{1}{N} \sum_{i=1}^{N} \ell_i, \\
        \frac{\partial J}{\partial \hat y_i} &= \frac{1}{N} \frac{\partial \ell_i}{\partial \hat y_i}

    (:ref:`chap-loss-vs-cost`).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the unreduced losses are combined.
    """

    def __init__(self, reduction="mean"):
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"

    def __call__(self, y_true, y_pred):
        """Return the loss of ``y_pred``, reduced as ``self.reduction`` says."""
        y_true, y_pred = self._check(y_true, y_pred)
        with _overflow_is_an_error():
            losses = self._per_sample(y_true, y_pred)  # l_i, one per sample
            if self.reduction == "none":
                return losses
            total = float(np.sum(losses))  # sum_i l_i
        if self.reduction == "sum":
            return total
        return total / max(losses.size, 1)  # J = (1/N) sum_i l_i

    def grad(self, y_true, y_pred):
        """Return d(value)/d(y_pred), an array with the shape of ``y_pred``."""
        y_true, y_pred = self._check(y_true, y_pred)
        with _overflow_is_an_error():
            gradient = self._per_sample_grad(y_true, y_pred)
        if self.reduction == "mean":
            gradient = gradient / max(self._n_losses(y_pred), 1)
        return gradient

    def _check(self, y_true, y_pred):
        """Return the inputs as float64 arrays of one shape, finite; subclasses add their domain."""
        y_true = as_float_array(y_true, "y_true")
        y_pred = as_float_array(y_pred, "y_pred")
        check_same_shape(y_true, y_pred)
        check_finite(y_true, "y_true")
        check_finite(y_pred, "y_pred")
        return y_true, y_pred

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


def _log_where(x, where, otherwise=0.0):
    r""":math:`\ln x` where ``where`` holds, ``otherwise`` elsewhere (``log`` never sees those entries)."""
    logs = np.full(x.shape, otherwise)
    np.log(x, out=logs, where=where)
    return logs


def _clamped_log(x):
    r""":math:`\max(\ln x, -100)` for :math:`x \ge 0`, with :math:`\ln 0 = -100` and no warning."""
    return np.maximum(_log_where(x, x > 0, otherwise=LOG_CLAMP), LOG_CLAMP)


def _ratio_where(numerator, denominator, where):
    """``numerator / denominator`` where ``where`` holds, 0 elsewhere (no division there)."""
    ratio = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=ratio, where=where)
    return ratio


# ----------------------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------------------


class MSE(Loss):
    r"""Mean squared error, the regression loss of :ref:`chap-loss-vs-cost` and :ref:`chap-regression-losses`.

    .. math::

        \ell_i &= (y_i - \hat y_i)^2, \\
        \mathrm{MSE} &= \frac{1}{N}\sum_{i=1}^{N} (y_i - \hat y_i)^2, \\
        \frac{\partial\,\mathrm{MSE}}{\partial \hat y_i} &= \frac{2}{N}(\hat y_i - y_i)

    Elementwise: ``"mean"`` divides by the number of elements of ``y_pred``.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    The exam notes' example, a prediction of 0.8 for a target of 1:

    >>> MSE(reduction="none")([1.0], [0.8])
    array([0.04])
    >>> MSE()([1.0, 2.0, 3.0], [1.5, 2.0, 1.0])   # (0.25 + 0 + 4) / 3
    1.4166666666666667
    """

    def _per_sample(self, y_true, y_pred):
        return (y_true - y_pred) ** 2

    def _per_sample_grad(self, y_true, y_pred):
        return 2.0 * (y_pred - y_true)


class MAE(Loss):
    r"""Mean absolute error (L1 loss), :ref:`chap-regression-losses`.

    .. math::

        \ell_i &= |\hat y_i - y_i|, \\
        \frac{\partial \ell_i}{\partial \hat y_i} &= \operatorname{sign}(\hat y_i - y_i)

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
    >>> MAE(reduction="none").grad([1.0, 2.0], [0.5, 2.0])   # sign, 0 at the kink
    array([-1.,  0.])
    """

    def _per_sample(self, y_true, y_pred):
        return np.abs(y_pred - y_true)

    def _per_sample_grad(self, y_true, y_pred):
        return np.sign(y_pred - y_true)


class Huber(Loss):
    r"""Huber loss :cite:`huber1964`: quadratic near the target, linear beyond ``delta``.

    With the residual :math:`d = \hat y - y`,

    .. math::

        \ell(d) &= \begin{cases} \tfrac12 d^2 & |d| \le \delta \\
                   \delta\,(|d| - \tfrac12 \delta) & |d| > \delta \end{cases} \\
        \frac{\partial \ell}{\partial \hat y} &= \begin{cases} d & |d| \le \delta \\
                   \delta \operatorname{sign}(d) & |d| > \delta \end{cases}

    This is PyTorch's ``HuberLoss`` form. The exam notes write :math:`|d| < \delta` and
    :math:`\delta|d| - \delta^2/2`: the same function, because both pieces equal
    :math:`\delta^2/2` at :math:`|d| = \delta` (:ref:`chap-regression-losses` shows that the
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
    >>> Huber(delta=1.0, reduction="none").grad([0.0, 0.0], [0.5, 3.0])   # d, then delta sign(d)
    array([0.5, 1. ])
    """

    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(reduction)
        self.delta = check_positive(delta, "delta")

    def __repr__(self):
        return f"Huber(delta={self.delta!r}, reduction={self.reduction!r})"

    def _per_sample(self, y_true, y_pred):
        abs_d = np.abs(y_pred - y_true)
        quadratic = 0.5 * abs_d * abs_d
        linear = self.delta * (abs_d - 0.5 * self.delta)
        return np.where(abs_d <= self.delta, quadratic, linear)

    def _per_sample_grad(self, y_true, y_pred):
        d = y_pred - y_true
        # d inside [-delta, delta], delta * sign(d) outside
        return np.clip(d, -self.delta, self.delta)


# ----------------------------------------------------------------------------------------
# Classification losses
# ----------------------------------------------------------------------------------------


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy (log loss), :ref:`chap-classification-losses`.

    On probabilities :math:`p = \hat y \in [0, 1]` (``from_logits=False``), as PyTorch's ``BCELoss``:

    .. math::

        \ell &= -\big[\, y \max(\ln p, -100) \\
             &\qquad + (1 - y) \max(\ln(1 - p), -100) \,\big], \\
        \frac{\partial \ell}{\partial p} &= \frac{p - y}{\max\big(p(1 - p),\, 10^{-12}\big)}

    The clamp keeps :math:`p = 0` and :math:`p = 1` finite (at most 100 per element). The
    gradient is PyTorch's: the exact derivative :math:`-y/p + (1-y)/(1-p)` wherever
    :math:`p(1-p) \ge 10^{-12}` and no log is clamped; closer to 0 or 1 it is PyTorch's
    bounded surrogate, not the derivative of the clamped (flat) value.

    On logits :math:`z` (``from_logits=True``), as ``BCEWithLogitsLoss``, the overflow-free form

    .. math::

        \ell &= \max(z, 0) - z\,y + \ln\!\big(1 + e^{-|z|}\big), \\
        \frac{\partial \ell}{\partial z} &= \sigma(z) - y

    Targets :math:`y` lie in :math:`[0, 1]` (soft targets allowed). Elementwise: ``"mean"``
    divides by the number of elements.

    Parameters
    ----------
    from_logits : bool, default False
        ``y_pred`` holds logits (any real number) instead of probabilities.
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    The exam notes' confident mistake, 0.99 for a label 0:

    >>> BinaryCrossEntropy(reduction="none")([0.0], [0.99])   # -ln(0.01)
    array([4.60517019])
    >>> BinaryCrossEntropy(from_logits=True, reduction="none").grad([1.0], [0.0])   # sigmoid(0) - 1
    array([-0.5])
    """

    def __init__(self, from_logits=False, reduction="mean"):
        super().__init__(reduction)
        self.from_logits = check_bool(from_logits, "from_logits")

    def __repr__(self):
        return f"BinaryCrossEntropy(from_logits={self.from_logits!r}, reduction={self.reduction!r})"

    def _check(self, y_true, y_pred):
        y_true, y_pred = super()._check(y_true, y_pred)
        check_in_range(y_true, "y_true", 0, 1)
        if not self.from_logits:
            check_in_range(y_pred, "y_pred", 0, 1)
        return y_true, y_pred

    def _per_sample(self, y_true, y_pred):
        y = y_true
        if self.from_logits:
            z = y_pred
            return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
        p = y_pred
        # "0.0 -", not a unary minus: a perfect prediction gives 0.0, not -0.0
        return 0.0 - (y * _clamped_log(p) + (1.0 - y) * _clamped_log(1.0 - p))

    def _per_sample_grad(self, y_true, y_pred):
        y = y_true
        if self.from_logits:
            z = y_pred
            return sigmoid(z) - y
        p = y_pred
        return (p - y) / np.maximum(p * (1.0 - p), BCE_GRAD_EPS)


class CategoricalCrossEntropy(Loss):
    r"""Categorical cross-entropy over C classes, :ref:`chap-classification-losses`.

    ``y_pred`` has shape (N, C): probability rows (``from_logits=False``; entries in [0, 1],
    each row summing to 1 within ``ROW_SUM_TOLERANCE`` = 1e-6) or logits (``from_logits=True``).
    ``y_true`` is one-hot or soft (N, C) with entries in [0, 1] (rows need not sum to 1), or
    integer class labels (N,) in 0..C-1, which are one-hot encoded first. Label smoothing
    then replaces the target by

    .. math::

        \tilde y_k = (1 - \varepsilon)\, y_k + \varepsilon / C .

    Probabilities (log clamped at -100 as in :class:`BinaryCrossEntropy`):

    .. math::

        \ell &= -\sum_{k=1}^{C} \tilde y_k \max(\ln p_k, -100), \\
        \frac{\partial \ell}{\partial p_k} &= \begin{cases} -\tilde y_k / p_k & \ln p_k \ge -100 \\
        0 & \text{otherwise (the clamped log is flat)} \end{cases}

    Logits, with the log-softmax computed stably:

    .. math::

        \ell &= -\sum_k \tilde y_k \log\operatorname{softmax}(z)_k \\
             &= S \log\sum_j e^{z_j} - \sum_k \tilde y_k z_k, \\
        \frac{\partial \ell}{\partial z_k} &= S\,\operatorname{softmax}(z)_k - \tilde y_k,

    where :math:`S = \sum_k \tilde y_k` is 1 for one-hot or normalised soft targets, so the
    gradient is the familiar :math:`p - y`. ``"mean"`` divides by N, the number of rows.

    Parameters
    ----------
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0.0
        :math:`\varepsilon`.
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> CategoricalCrossEntropy(reduction="none")([1], [[0.2, 0.5, 0.3]])   # -ln(0.5)
    array([0.69314718])
    >>> CategoricalCrossEntropy(from_logits=True, reduction="none").grad([0], [[0.0, 0.0]])   # p - y
    array([[-0.5,  0.5]])
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, reduction="mean"):
        super().__init__(reduction)
        self.from_logits = check_bool(from_logits, "from_logits")
        self.label_smoothing = check_fraction(label_smoothing, "label_smoothing")

    def __repr__(self):
        return (
            f"CategoricalCrossEntropy(from_logits={self.from_logits!r}, "
            f"label_smoothing={self.label_smoothing!r}, reduction={self.reduction!r})"
        )

    def _check(self, y_true, y_pred):
        y_true = as_finite_array(y_true, "y_true")
        y_pred = as_finite_array(y_pred, "y_pred")
        check_ndim(y_pred, "y_pred", (2,), "(N, C) (one row of C class scores per sample)")
        if y_true.shape == y_pred.shape[:1]:
            check_class_labels(y_true, "y_true", n_classes=y_pred.shape[1])
        else:
            check_same_shape(y_true, y_pred)
            check_in_range(y_true, "y_true", 0, 1)
        if not self.from_logits:
            check_probability_rows(y_pred, "y_pred")
        return y_true, y_pred

    def _n_losses(self, y_pred):
        return y_pred.shape[0]

    def _targets(self, y_true, n_classes):
        r"""The target rows :math:`\tilde y`: labels one-hot encoded, then label smoothing."""
        y = one_hot(y_true.astype(np.int64), n_classes) if y_true.ndim == 1 else y_true
        eps = self.label_smoothing
        return (1.0 - eps) * y + eps / max(n_classes, 1)

    def _per_sample(self, y_true, y_pred):
        y = self._targets(y_true, n_classes=y_pred.shape[1])
        if self.from_logits:
            log_p = log_softmax(y_pred)
        else:
            log_p = _clamped_log(y_pred)
        return 0.0 - (y * log_p).sum(axis=1)

    def _per_sample_grad(self, y_true, y_pred):
        y = self._targets(y_true, n_classes=y_pred.shape[1])
        if self.from_logits:
            z = y_pred
            S = y.sum(axis=1, keepdims=True)
            return S * softmax(z) - y
        p = y_pred
        unclamped = _clamped_log(p) > LOG_CLAMP
        return 0.0 - _ratio_where(y, p, where=unclamped)  # -y / p, 0 if clamped


# ----------------------------------------------------------------------------------------
# Margins and divergences
# ----------------------------------------------------------------------------------------


class Hinge(Loss):
    r"""Hinge loss of a margin classifier (SVM), :ref:`chap-margins-divergences`.

    Labels :math:`y \in \{-1, +1\}`, scores :math:`s` (any real number):

    .. math::

        \ell &= \max(0,\, 1 - y s), \\
        \frac{\partial \ell}{\partial s} &= \begin{cases} -y & 1 - y s > 0 \\ 0 & \text{otherwise} \end{cases}

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
        check_plus_minus_one(y_true, "y_true")
        return y_true, y_pred

    def _per_sample(self, y_true, y_pred):
        margin = y_true * y_pred
        return np.maximum(0.0, 1.0 - margin)

    def _per_sample_grad(self, y_true, y_pred):
        margin = y_true * y_pred
        return np.where(1.0 - margin > 0, -y_true, 0.0)


class KLDivergence(Loss):
    r"""Kullback-Leibler divergence :math:`D_{KL}(P \,\|\, Q)`, :ref:`chap-margins-divergences`.

    ``y_true`` is P, ``y_pred`` is Q: probability rows of shape (N, C), or one row of shape (C,)
    (then N = 1 and ``"none"`` returns a 0-d array). Entries lie in [0, 1] and each row sums
    to 1 within ``ROW_SUM_TOLERANCE`` = 1e-6.

    .. math::

        D_{KL}(P \,\|\, Q) &= \sum_{k} p_k \ln\frac{p_k}{q_k} \quad (0 \ln 0 = 0), \\
        \frac{\partial D_{KL}}{\partial q_k} &= -\frac{p_k}{q_k}

    A class with :math:`q_k = 0 < p_k` makes the divergence infinite: that is a ``ValueError``
    (naming the row and class), never ``inf``; so is a gradient :math:`p_k / q_k` too large
    for float64. Where :math:`p_k = 0` the term and its gradient are 0. ``"mean"`` divides by N.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> KLDivergence(reduction="none")([[0.5, 0.5]], [[0.25, 0.75]])
    array([0.14384104])
    >>> KLDivergence(reduction="none").grad([[0.5, 0.5]], [[0.25, 0.75]])   # -p / q
    array([[-2.        , -0.66666667]])
    """

    def _check(self, y_true, y_pred):
        y_true, y_pred = super()._check(y_true, y_pred)
        check_ndim(y_pred, "y_pred", (1, 2), "(N, C) or (C,) (probability rows)")
        check_probability_rows(y_true, "y_true")
        check_probability_rows(y_pred, "y_pred")
        check_positive_where(y_pred, y_true, "y_pred", "y_true")
        return y_true, y_pred

    def _n_losses(self, y_pred):
        return y_pred.size // max(y_pred.shape[-1], 1)

    def _per_sample(self, y_true, y_pred):
        p, q = y_true, y_pred
        positive = p > 0  # 0 ln 0 = 0: only the classes with p > 0 count
        log_p_over_q = _log_where(p, positive) - _log_where(q, positive)
        return (p * log_p_over_q).sum(axis=-1)

    def _per_sample_grad(self, y_true, y_pred):
        p, q = y_true, y_pred
        return 0.0 - _ratio_where(p, q, where=p > 0)  # -p / q, 0 where p = 0
