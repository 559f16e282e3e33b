"""``make grade``: a student's one command. Below full marks is a result (exit 0), not a failure of make."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_grade(*variables):
    return subprocess.run(
        ["make", "--no-print-directory", "grade", *variables],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_a_notebook_below_full_marks_is_graded_without_a_make_error():
    completed = make_grade("NB=student/00_warmup.ipynb", "SET=00_warmup")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Total" in completed.stdout and "0/11" in completed.stdout
    assert "Error" not in completed.stderr


def test_a_wrong_set_or_a_missing_notebook_argument_fails():
    wrong_set = make_grade("NB=student/00_warmup.ipynb", "SET=no_such_set")
    assert wrong_set.returncode == 2 and "no exercise set 'no_such_set'" in wrong_set.stdout
    no_notebook = make_grade("SET=00_warmup")
    assert no_notebook.returncode == 2 and "say which notebook" in no_notebook.stdout
