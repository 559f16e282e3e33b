"""The class CSV as a gradebook import (``--id-column``): one row per student, one column per question."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

from grader.grade import QuestionResult, SubmissionResult
from grader.report.outputs import write_gradebook_csv
from grader.vocabulary import Message

ROOT = Path(__file__).resolve().parent.parent


class Question:
    def __init__(self, qid):
        self.id = qid


def result(student, points):
    questions = [QuestionResult(id=q, max_points=2.0, status="passed", message=Message("correct"), points=p)
                 for q, p in points.items()]
    return SubmissionResult(submission=f"{student}.ipynb", master="losses.ipynb", student_id=student,
                            questions=questions)


def test_gradebook_rows_by_hand(tmp_path):
    path = tmp_path / "grades.csv"
    results = [result("s001", {"q1": 2.0, "q2": 0.5}), result("s002", {"q1": 0.0})]  # s002 lacks q2: 0
    write_gradebook_csv(path, results, [Question("q1"), Question("q2")], "SIS User ID", "losses")
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows == [
        ["SIS User ID", "losses q1", "losses q2"],
        ["s001", "2", "0.5"],
        ["s002", "0", "0"],
    ]
    # the total in a file of its own: the documented import would take a total column as one more item
    totals = list(csv.reader((tmp_path / "grades-totals.csv").read_text().splitlines()))
    assert totals == [["SIS User ID", "losses total"], ["s001", "2.5"], ["s002", "0"]]


def test_class_run_writes_the_gradebook(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(ROOT / "exercises" / "00_warmup.ipynb", folder / "alice.ipynb")
    shutil.copy(ROOT / "student" / "00_warmup.ipynb", folder / "bob.ipynb")
    out = tmp_path / "gradebook.csv"
    completed = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(ROOT / "exercises" / "00_warmup.ipynb"), str(folder),
         "--csv", str(out), "--id-column", "ID number", "--jobs", "2"],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    rows = {row["ID number"]: row for row in csv.DictReader(out.read_text().splitlines())}
    assert set(rows) == {"alice", "bob"}
    totals = tmp_path / "gradebook-totals.csv"
    total = {row["ID number"]: row for row in csv.DictReader(totals.read_text().splitlines())}
    assert total["alice"]["00_warmup total"] == "11" and total["bob"]["00_warmup total"] == "0"
    questions = [name for name in rows["alice"] if name.startswith("00_warmup q")]
    assert questions == [f"00_warmup q{i}" for i in range(1, 9)]


def test_id_column_needs_a_folder(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(ROOT / "exercises" / "00_warmup.ipynb"),
         str(ROOT / "student" / "00_warmup.ipynb"), "--id-column", "ID number"],
        capture_output=True, text=True,
    )
    assert completed.returncode == 2 and "--id-column" in completed.stderr


def test_a_student_id_that_is_a_formula_is_imported_as_text(tmp_path):
    # OWASP's rule, by hand: a quote in front, and the cell quoted (its comma and quotes kept inside)
    path = tmp_path / "grades.csv"
    results = [result("=SUM(A1,A2)", {"q1": 2.0}), result("-2+3", {"q1": 1.0})]
    write_gradebook_csv(path, results, [Question("q1")], "SIS User ID", "losses")
    for written in (path, tmp_path / "grades-totals.csv"):  # the import and its totals apart
        lines = written.read_text(encoding="utf-8").splitlines()
        assert lines[1:] == ['"\'=SUM(A1,A2)",2', "\"'-2+3\",1"]
        rows = list(csv.reader(lines))
        assert [row[0] for row in rows[1:]] == ["'=SUM(A1,A2)", "'-2+3"]
