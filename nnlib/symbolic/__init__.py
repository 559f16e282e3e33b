"""SymPy derivations: the symbolic side of every gradient the course computes numerically.

==========================  ================================================================
``nnlib.symbolic.losses``   each loss as a SymPy expression, its derivative, a lambdified one
``nnlib.symbolic.optim``    the stability bound of gradient descent, Adam's bias correction
``nnlib.symbolic.network``  the exam notes' 2-2-1 network as one expression, differentiated
==========================  ================================================================
"""

from nnlib._lazy import lazy_submodules

SUBMODULES = ("losses", "optim", "network")

__all__ = list(SUBMODULES)

__getattr__, __dir__ = lazy_submodules(__name__, SUBMODULES)
