"""nnlib: the small numpy library that the course's chapters call.

Every public name carries a numpydoc docstring with its formula and the chapter that
teaches it. Submodules:

======================  ==========================================================================
``nnlib.losses``        loss functions with values, gradients and reductions
``nnlib.activations``   sigmoid, relu, tanh, softmax, log_softmax and their derivatives
``nnlib.parameter``     the trainable ``Parameter``: a value and its gradient
``nnlib.nn``            layers and ``Sequential``
``nnlib.optim``         SGD, HeavyBall, Adagrad, RMSprop, Adam, AdamW (PyTorch's formulas)
``nnlib.schedules``     learning-rate schedules
``nnlib.data``          mini-batch iterator and small data sets
``nnlib.functions``     test objectives (quadratic, Rosenbrock) and the ``descend`` loop
``nnlib.training``      training routines (``fit_line``)
``nnlib.gradcheck``     central-difference gradient checks
``nnlib.display``       Markdown tables for the chapters
``nnlib.animation``     animated optimizer paths for the chapters
``nnlib.symbolic``      SymPy derivations the tests hold the numbers against
======================  ==========================================================================

``import nnlib`` makes every submodule reachable as an attribute; each is imported the
first time it is used (``nnlib.symbolic`` imports SymPy, which takes a moment).

Examples
--------
>>> import nnlib
>>> nnlib.losses.MSE()([1.0, 2.0], [1.5, 2.0])
0.125
"""

from nnlib._lazy import lazy_submodules

__version__ = "0.1.0"

SUBMODULES = (
    "losses",
    "activations",
    "parameter",
    "nn",
    "optim",
    "schedules",
    "data",
    "functions",
    "training",
    "gradcheck",
    "display",
    "animation",
    "symbolic",
)

__all__ = list(SUBMODULES)

__getattr__, __dir__ = lazy_submodules(__name__, SUBMODULES)
