"""Forbidden helpers: a question's ``forbid = ["nnlib.losses", ...]`` in its hidden cell, read and scanned.

The rule holds by absence (:mod:`grader.run.absent`): a question that forbids modules is judged in
a kernel where they are stubs. The static scan here (:func:`notebook_use`) no longer decides a
mark: it gives a hint in the feedback ("code cell 5 names nnlib.losses"), since a student may
have meant to use the module.
"""

import ast

from grader.run.absent import ForbidError

MAX_SOURCE = 200_000


def declared(hidden_source):
    """The module names of a hidden cell's top-level ``forbid = [...]`` (a list of strings), sorted.

    Read from the master's source, so that the kernels of a submission can start before the
    master has run; :func:`grader.grade.grade` checks that the master's run gives the same list.
    """
    try:
        tree = ast.parse(hidden_source or "")
    except SyntaxError:
        return ()
    names = ()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "forbid" for t in node.targets
        ):
            value = node.value
            if not isinstance(value, ast.List | ast.Tuple) or not all(
                isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value
                for item in value.elts
            ):
                raise ForbidError(
                    '`forbid` must be a list of module names as strings, e.g. forbid = ["nnlib.losses"]'
                )
            names = tuple(sorted({item.value for item in value.elts}))
    return names


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
    """(forbidden name, cell number) for the first cell of the submission's own that names one, or None.

    A hint for the feedback only: cells identical to one the course gives are skipped (they
    import the library for the self-checks).
    """
    for index, _, source in cells_info:
        if str(source).strip() in course:
            continue
        rule = static_use(source, names)
        if rule:
            return rule, index
    return None
