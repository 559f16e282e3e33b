"""The trainable parameter: a value and the gradient accumulated for it."""

import numpy as np

from nnlib._validation import as_float_array, check_finite


class Parameter:
    """A trainable array with its gradient, as optimizers and layers share it.

    Attributes
    ----------
    value : numpy.ndarray
        The current value (float64). Optimizers update it in place.
    grad : numpy.ndarray
        d(loss)/d(value), same shape as ``value``; layers *accumulate* into it during
        ``backward`` and ``optimizer.zero_grad()`` sets it back to zero.
    name : str
        A label for error messages and tables.
    """

    def __init__(self, value, name="parameter"):
        self.name = name
        self.value = np.array(as_float_array(value, name), dtype=np.float64)
        check_finite(self.value, name)
        self.grad = np.zeros_like(self.value)

    @property
    def shape(self):
        return self.value.shape

    def zero_grad(self):
        """Set the accumulated gradient to zero, in place."""
        self.grad[...] = 0.0

    def __repr__(self):
        return f"Parameter(name={self.name!r}, shape={self.value.shape})"
