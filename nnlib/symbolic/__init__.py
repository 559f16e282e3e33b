"""SymPy derivations: the symbolic side of every gradient the course computes numerically.

=========================  ===================================================================
``nnlib.symbolic.losses``  each loss as a SymPy expression, its derivative, a lambdified derivative
``nnlib.symbolic.optim``   the stability bound of gradient descent, Adam's bias correction
``nnlib.symbolic.network`` the exam notes' 2-2-1 network as one expression, differentiated directly
=========================  ===================================================================
"""

import importlib

SUBMODULES = ("losses", "optim", "network")

__all__ = list(SUBMODULES)


def __getattr__(name):
    """Import a submodule on first use, so that ``nnlib.symbolic.network`` works after ``import nnlib``."""
    if name in SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *SUBMODULES})
