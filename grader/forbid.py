"""Forbidden helpers: a question's ``forbid = ["nnlib.losses", ...]`` in its hidden cell.

An answer breaks the rule when its answer cell imports a forbidden module or names it
(``import nnlib.losses``, ``from nnlib import losses``, ``nnlib.losses.Huber``,
``importlib.import_module("nnlib.losses")``): checked here, on the source, in the grader; or
when the answer, called by the grader, runs code of a forbidden module: checked at run time
in the kernel by :mod:`grader._kernel_side` (a profiler that sees every call).
"""

import ast

MAX_SOURCE = 200_000


def _matches(dotted, names):
    for name in names:
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def static_use(source, names):
    """The first forbidden name the source imports or names, or None (a syntax error is not a use)."""
    names = [str(name) for name in names if str(name)]
    if not names or not isinstance(source, str) or len(source) > MAX_SOURCE:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        candidates = []
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            candidates = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute):
            candidates = [_dotted(node) or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
            candidates = [node.value.strip()]
        for candidate in candidates:
            found = _matches(candidate, names)
            if found:
                return found
    return None
