"""The grader's layout: rooms that follow a submission's path, and no import circle between modules.

``exercises/teachers.md`` ("How the grader works") describes the rooms. A module imports only from its own
room and the rooms before it in ``ORDER``, so the path of a submission reads in one direction:
the master is read, notebooks run, judges decide, reports are written, and ``grade``/``cli`` drive them.
"""

import ast
from pathlib import Path

GRADER = Path(__file__).resolve().parent.parent / "grader"
ORDER = ["master", "run", "judge", "report"]  # a room may import only from the rooms before it and itself
TOP = {"__init__", "__main__", "cli", "grade", "check", "sphinx_ext"}  # the drivers, above the rooms
BASE = {"grader", "grader.vocabulary"}  # what every room may use: the seed function and the one way to output


def module_name(path):
    parts = path.relative_to(GRADER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path):
    """Every grader module a file imports, at any depth of its code (a function-level import counts)."""
    found = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("grader"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.startswith("grader"):
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    is_module = (GRADER.parent / (candidate.replace(".", "/") + ".py")).exists()
                    found.add(candidate if is_module else base)
    return found


def graph():
    modules = {module_name(p): p for p in GRADER.rglob("*.py")}
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def room(name):
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ORDER) else None


def test_every_module_is_in_a_room_or_drives_them():
    for name in graph():
        parts = name.split(".")
        if name == "grader":
            continue
        assert room(name) in ORDER or name in BASE or (len(parts) == 2 and parts[1] in TOP), (
            f"{name} is in no room"
        )


def test_rooms_import_only_from_the_rooms_before_them():
    for name, uses in graph().items():
        here = room(name)
        if here is None:
            continue
        for used in uses:
            there = room(used)
            assert used in BASE or there in ORDER[: ORDER.index(here) + 1], (
                f"{name} (room {here}) imports {used} (room {there})"
            )


def test_no_import_circle():
    edges = graph()
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                raise AssertionError("import circle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
