"""Add the self-check quiz to every chapter: one markdown cell, ``## Self-check quiz`` + ``{quiz}``.

Run from the repository root (idempotent: a chapter that already has a ``{quiz}`` cell is left alone)::

    python scripts/add_quizzes.py

For ``chapters/NN_name.ipynb`` with a ``quizzes/NN_name.yml`` the cell is appended at the end of
the chapter (after the exam points and exercises). Only a markdown cell is added, so the code
cells, their outputs, nbval and the execution cache are untouched.
"""

import argparse
from pathlib import Path

import nbformat


def quiz_cell(name):
    cell = nbformat.v4.new_markdown_cell(f"## Self-check quiz\n\n```{{quiz}} {name}\n```")
    cell["id"] = f"quiz-{name.replace('_', '-')}"  # a stable id: the notebook stays reproducible
    return cell


def add_quiz(notebook_path, quiz_dir):
    """Insert the quiz cell into one notebook; return True when the notebook changed."""
    path = Path(notebook_path)
    if not (Path(quiz_dir) / f"{path.stem}.yml").is_file():
        return False
    notebook = nbformat.read(path, as_version=4)
    if any(cell.cell_type == "markdown" and "```{quiz}" in cell.source for cell in notebook.cells):
        return False
    notebook.cells.append(quiz_cell(path.stem))
    nbformat.write(notebook, path)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the book's root folder (default: .)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    for notebook in sorted((root / "chapters").glob("*.ipynb")):
        if add_quiz(notebook, root / "quizzes"):
            print(f"added the quiz to {notebook.relative_to(root)}")


if __name__ == "__main__":
    main()
