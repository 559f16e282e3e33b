"""Input checks shared by every public function of nnlib.

Each check names the argument it rejects and says what was expected, so a student reads
``y_pred has shape (3, 1) but y_true has shape (3,)`` instead of a broadcast that silently
turns three residuals into nine.
"""

import numpy as np


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


def check_in_range(array, name, low, high):
    """Raise ``ValueError`` if a value of ``array`` lies outside ``[low, high]``."""
    outside = (array < low) | (array > high)
    if outside.any():
        value = array[outside].flat[0]
        raise ValueError(f"{name} must lie in [{low}, {high}], found {float(value)!r}")


def check_choice(value, name, allowed):
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_positive(value, name, allow_zero=False):
    """Raise ``ValueError`` unless ``value`` is a finite number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return float(value)
