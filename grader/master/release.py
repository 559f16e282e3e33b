"""Write the student version of master notebooks (what ``make student`` calls).

Solutions are replaced by a stub that raises ``NotImplementedError``, hidden cells are
removed, outputs and execution counts are cleared, and the ``solution`` / ``hide-input``
tags are dropped (they only concern the book).
"""

import copy
import json
from pathlib import Path

from grader.master.notebook import BEGIN_SOLUTION, END_SOLUTION, cell_info, parse_master

STUB = ("# YOUR CODE HERE", 'raise NotImplementedError("replace this line with your answer")')
BOOK_ONLY_TAGS = {"solution", "hide-input", "remove-cell"}


def replace_solutions(source):
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region by the stub."""
    out, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in STUB)
            inside = True
        elif stripped == END_SOLUTION:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def student_notebook(master_notebook):
    """Return the student version of a master notebook (a new notebook; the input is unchanged)."""
    notebook = copy.deepcopy(master_notebook)
    cells = []
    for cell in notebook.cells:
        info = cell_info(cell)
        if info.get("role") == "hidden":
            continue
        cell.metadata.pop("execution", None)  # nbconvert's timing of the master's own run
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if info.get("role") == "answer":
                cell.source = replace_solutions(cell.source)
        tags = [tag for tag in cell.metadata.get("tags", []) if tag not in BOOK_ONLY_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cells.append(cell)
    notebook.cells = cells
    return notebook


def master_paths(folder):
    """The master notebooks of a folder: every ``*.ipynb`` in it, sorted by name."""
    return sorted(path for path in Path(folder).glob("*.ipynb") if not path.name.startswith("."))


def release(masters, out_dir):
    """Write the student version of every master into ``out_dir``; return the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in masters:
        master = parse_master(path)
        target = out_dir / Path(path).name
        text = json.dumps(student_notebook(master.notebook), indent=1, sort_keys=True, ensure_ascii=False)
        target.write_text(text + "\n", encoding="utf-8")
        written.append(target)
    return written
