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


# Tools that get around the run-time watch (switch or read the profiler, run code in a thread it
# does not follow, run a copy of a module under another file name, read a module's source): a
# question with a ``forbid`` list gives 0 to a notebook whose own cells use any of them.
BYPASS_TOOLS = frozenset(
    {
        "setprofile",
        "getprofile",
        "settrace",
        "gettrace",
        "_getframe",
        "f_back",
        "f_globals",
        "_thread",
        "threading",
        "multiprocessing",
        "concurrent",
        "exec",
        "eval",
        "compile",
        "__import__",
        "importlib",
        "runpy",
        "inspect",
        "getsource",
        "find_spec",
        "submodule_search_locations",
        "__file__",
        "__spec__",
        "__loader__",
        "__builtins__",
        "ctypes",
    }
)


def _names_in(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield from alias.name.split(".")
        elif isinstance(node, ast.ImportFrom):
            yield from (node.module or "").split(".")
            for alias in node.names:
                yield alias.name


def bypass_use(source):
    """The first tool of :data:`BYPASS_TOOLS` the source names, or None."""
    if not isinstance(source, str):
        return None
    if len(source) > MAX_SOURCE:
        return "a cell too long to check"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # it does not run either
    for name in _names_in(tree):
        if name in BYPASS_TOOLS:
            return name
    return None


def course_sources(master):
    """The code cells the course itself gives (the master's, neither answer nor hidden), stripped."""
    found = set()
    for cell in master.notebook.cells:
        info = cell.get("metadata", {}).get("grader", {})
        role = info.get("role") if isinstance(info, dict) else None
        if cell.get("cell_type") == "code" and role not in ("answer", "hidden"):
            found.add(str(cell.get("source", "")).strip())
    return frozenset(found)


def notebook_use(cells_info, names, course=frozenset()):
    """(rule broken, cell number) for the first cell of the submission's own that breaks one, or None.

    Every cell is checked except those identical to a cell the course gives (which import the
    library for the other questions): the forbidden names, and every tool of :data:`BYPASS_TOOLS`.
    """
    for index, _, source in cells_info:
        if str(source).strip() in course:
            continue
        rule = static_use(source, names)
        if rule:
            return f"`{rule}`", index
        tool = bypass_use(source)
        if tool:
            return f"`{tool}` (a way around this rule)", index
    return None
