"""The student notebooks committed in student/ (what Binder and Colab open from an exercise page)."""

import json
from pathlib import Path

import nbformat
import pytest

from grader.master.notebook import parse_master
from grader.master.release import master_paths, student_notebook

ROOT = Path(__file__).resolve().parent.parent
MASTERS = master_paths(ROOT / "exercises")


def solution_lines(master_path):
    """Lines inside the master's BEGIN/END SOLUTION regions that no student version keeps."""
    lines, inside = set(), False
    for cell in nbformat.read(master_path, as_version=4).cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == "### BEGIN SOLUTION":
                inside = True
            elif stripped == "### END SOLUTION":
                inside = False
            elif inside and len(stripped) >= 12:
                lines.add(stripped)
    return lines


def test_there_are_masters():
    assert len(MASTERS) >= 4


@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.name)
def test_committed_student_version_is_current(master_path):
    committed = ROOT / "student" / master_path.name
    assert committed.exists(), f"student/{master_path.name} is missing: run `make student` and commit it"
    fresh = json.dumps(student_notebook(parse_master(master_path).notebook), indent=1, sort_keys=True,
                       ensure_ascii=False) + "\n"
    assert committed.read_text(encoding="utf-8") == fresh, (
        f"student/{master_path.name} is stale: run `make student` and commit it"
    )


@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.name)
def test_student_version_holds_no_solution_and_no_hidden_check(master_path):
    text = (ROOT / "student" / master_path.name).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", '"role": "hidden"'):
        assert marker not in text
    leaked = [line for line in solution_lines(master_path) if line in text]
    assert not leaked, f"solution lines in student/{master_path.name}: {leaked[:3]}"
    assert "install-nnlib" in text, "the student version keeps the Colab/Binder install cell"
