"""Every input check of nnlib, in one place.

Each check names the argument it rejects and says what was expected, so a student reads
``y_pred has shape (3, 1) but y_true has shape (3,)`` instead of a broadcast that silently
turns three residuals into nine. A wrong *type* is a ``TypeError``, a wrong *value* a
``ValueError``. The checks that take a scalar return it converted (``float``, ``int``,
``bool``), so a constructor checks each argument in one line::

    self.momentum = check_nonnegative(momentum, "momentum")
    self.nesterov = check_bool(nesterov, "nesterov")

Examples
--------
>>> check_nonnegative(0, "weight_decay")
0.0
>>> check_int(3, "batch_size", minimum=1)
3
>>> check_bool(1, "nesterov")
Traceback (most recent call last):
    ...
TypeError: nesterov must be True or False, got 1
"""

import numbers

import numpy as np

# ---------------------------------------------------------------- scalars


def check_bool(value, name):
    """Return ``value`` as a ``bool``; ``TypeError`` unless it is ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_int(value, name, minimum=0):
    """Return ``value`` as an ``int`` >= ``minimum``.

    ``TypeError`` for anything but an integer (``True`` and ``2.0`` are not integers here),
    ``ValueError`` for an integer below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_number(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_positive(value, name):
    """Return ``value`` as a ``float``; ``ValueError`` unless it is a finite number > 0."""
    value = _check_number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_nonnegative(value, name):
    """Return ``value`` as a ``float``; ``ValueError`` unless it is a finite number >= 0."""
    value = _check_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def check_fraction(value, name):
    """Return ``value`` as a ``float``; ``ValueError`` unless ``0 <= value <= 1``."""
    value = check_nonnegative(value, name)
    if value > 1:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return value


def check_open_fraction(value, name):
    """Return ``value`` as a ``float``; ``ValueError`` unless ``0 < value < 1`` (a share of a data set)."""
    value = check_positive(value, name)
    if value >= 1:
        raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
    return value


def check_decay_rate(value, name):
    """Return ``value`` as a ``float``; ``ValueError`` unless ``0 <= value < 1``.

    The decay rate of a running average :math:`a_t = \\beta a_{t-1} + (1 - \\beta) x_t`:
    at :math:`\\beta = 1` the average never changes.
    """
    value = check_nonnegative(value, name)
    if value >= 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}: at 1 the running average never changes")
    return value


def check_pair(value, name):
    """Return ``value`` as a tuple of two items; ``ValueError`` unless it unpacks into two."""
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (first, second), got {value!r}") from None
    return first, second


def check_choice(value, name, allowed):
    """Return ``value``; ``ValueError`` unless it is one of ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_instance(value, name, cls, expected):
    """Return ``value``; ``TypeError`` saying ``expected`` unless it is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    return value


def as_generator(rng, name="rng"):
    """Return a ``numpy.random.Generator``: ``rng`` itself, one seeded with the integer ``rng``,
    or, for ``None``, one seeded with 0 (so that an unseeded call is reproducible)."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be an integer seed or a numpy.random.Generator, got {type(rng).__name__}")


# ---------------------------------------------------------------- arrays


def as_samples(X, y, minimum=1):
    """Return ``X, y`` as arrays with the same number of rows (samples), at least ``minimum``."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per sample, got a scalar")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must have the same length")
    if len(X) == 0:
        raise ValueError("X is empty: no samples to iterate over")
    if len(X) < minimum:
        raise ValueError(f"X has {len(X)} samples, needs at least {minimum}")
    return X, y


def as_float_array(x, name):
    """Return ``x`` as a float64 array, or raise ``TypeError`` naming ``name``.

    Booleans, strings, objects and complex numbers are rejected: a loss of a string is a bug.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    try:
        array = np.asarray(x)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers: {error}") from None
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def as_finite_array(x, name):
    """:func:`as_float_array`, then :func:`check_finite`: a float64 array of finite numbers."""
    array = as_float_array(x, name)
    check_finite(array, name)
    return array


def check_finite(array, name):
    """Raise ``ValueError`` if ``array`` holds NaN or infinity, saying how many and where."""
    bad = ~np.isfinite(array)
    if bad.any():
        kind = "NaN" if np.isnan(array).any() else "infinite"
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        index = first[0] if len(first) == 1 else first
        raise ValueError(
            f"{name} contains {int(bad.sum())} {kind} value(s) (first at index {index}); "
            "expected finite numbers"
        )


def check_same_shape(y_true, y_pred, true_name="y_true", pred_name="y_pred"):
    """Raise ``ValueError`` unless the two arrays have exactly the same shape.

    Broadcasting is refused on purpose: ``(N,)`` against ``(N, 1)`` would give ``(N, N)``.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{pred_name} has shape {y_pred.shape} but {true_name} has shape {y_true.shape}; "
            "they must have the same shape (nnlib never broadcasts one against the other)"
        )


def check_ndim(array, name, ndims, expected):
    """Raise ``ValueError`` unless ``array.ndim`` is in ``ndims``; ``expected`` describes the shape."""
    if array.ndim not in ndims:
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")


def check_in_range(array, name, low, high):
    """Raise ``ValueError`` if a value of ``array`` lies outside ``[low, high]``."""
    outside = (array < low) | (array > high)
    if outside.any():
        value = array[outside].flat[0]
        raise ValueError(f"{name} must lie in [{low}, {high}], found {float(value)!r}")


ROW_SUM_TOLERANCE = 1e-6
"""How far a probability row may sum away from 1 (absolute) before it is rejected."""


def check_probability_rows(array, name):
    """Raise ``ValueError`` unless every entry lies in [0, 1] and every row (last axis) sums to 1.

    The sum may miss 1 by ``ROW_SUM_TOLERANCE``; the message names the first bad row.
    """
    check_in_range(array, name, 0, 1)
    sums = array.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if sums.ndim else ()
        where = f"row {first[0] if len(first) == 1 else first}" if first else "the row"
        raise ValueError(
            f"{name} must hold probability rows that sum to 1 (within {ROW_SUM_TOLERANCE:g}); "
            f"{where} sums to {float(sums[first] if first else sums)!r}"
        )


def check_class_labels(labels, name, n_classes):
    """Raise ``ValueError`` unless every label is a whole number in ``0 .. n_classes - 1``."""
    valid = (labels == np.round(labels)) & (labels >= 0) & (labels <= n_classes - 1)
    if not valid.all():
        bad = float(labels[~valid].flat[0])
        raise ValueError(
            f"{name} class labels must be integers in 0..{n_classes - 1} ({n_classes} classes), "
            f"found {bad!r}"
        )


def check_plus_minus_one(labels, name, loss="the hinge loss"):
    """Raise ``ValueError`` unless every label is -1 or +1 (the labels of a margin ``loss``)."""
    wrong = (labels != 1.0) & (labels != -1.0)
    if wrong.any():
        raise ValueError(
            f"{name} labels must be -1 or +1 for {loss}, found {float(labels[wrong].flat[0])!r}; "
            "convert 0/1 labels with 2*y - 1"
        )


def check_positive_where(q, p, q_name, p_name):
    """Raise ``ValueError`` naming the place where ``q`` is 0 although ``p`` is > 0.

    Kullback-Leibler's :math:`p \\ln(p/q)` is infinite there.
    """
    infinite = (p > 0) & (q <= 0)
    if infinite.any():
        place = tuple(int(i) for i in np.argwhere(infinite)[0])
        raise ValueError(
            f"KL divergence is infinite: {q_name} (Q) is {float(q[place])!r} at index {place} "
            f"where {p_name} (P) is {float(p[place])!r} > 0; Q must be > 0 wherever P is"
        )


def check_parameters(params):
    """Return ``params`` as a list of distinct :class:`~nnlib.parameter.Parameter` objects.

    ``TypeError`` for a single Parameter, a non-iterable or an item that is no Parameter;
    ``ValueError`` for an empty list or a Parameter listed twice (it would be updated twice).
    """
    from nnlib.parameter import Parameter  # parameter.py imports this module

    if isinstance(params, Parameter):
        raise TypeError("params must be an iterable of Parameter (e.g. [p] or model.parameters()), "
                        "got a single Parameter")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be an iterable of Parameter, got {type(params).__name__}") from None
    if not params:
        raise ValueError("params is empty: the optimizer got no parameters to optimize")
    for index, p in enumerate(params):
        check_instance(p, f"params[{index}]", Parameter, "a Parameter")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("params holds the same Parameter more than once; it would be updated twice")
    return params
