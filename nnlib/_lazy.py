"""Submodules that load on first use: ``import nnlib`` then ``nnlib.losses`` works.

A package's ``__init__`` sets ``__getattr__, __dir__ = lazy_submodules(__name__, NAMES)``
(PEP 562): an unknown attribute that names a submodule imports it, so importing the package
costs nothing and no submodule imports another through the package (no import cycles).
"""

import importlib
import sys


def lazy_submodules(package, names):
    """Return the module-level ``__getattr__`` and ``__dir__`` of ``package`` for its submodules ``names``."""

    def __getattr__(name):
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__
