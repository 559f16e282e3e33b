"""Reports of a grade: text for people, Gradescope's results.json, and a class CSV."""

import csv
import json
import os
import tempfile
from pathlib import Path

from grader.feedback import markdown_output
from grader.plain import markdown_text


def _points(value):
    return f"{value:g}"


def text_report(result):
    """A human-readable report of one :class:`grader.grade.SubmissionResult`."""
    lines = [f"Grading {result.submission} against {result.master} (student id {result.student_id!r})", ""]
    width = max([len(q.id) for q in result.questions] + [4])
    for q in result.questions:
        if getattr(q, "title", ""):
            lines.append(f"{q.id}: {q.title}")
        lines.append(
            f"{q.id:<{width}} {_points(q.points):>4}/{_points(q.max_points):<4} {q.status:<14} {q.message}"
        )
        if q.hint:
            lines.append(f"{'':<{width + 25}}hint: {q.hint}")
        if getattr(q, "next_step", ""):
            lines.append(f"{'':<{width + 25}}next step: {q.next_step}")
        if getattr(q, "marked", "own chain") != "own chain":
            lines.append(f"{'':<{width + 25}}marked through follow-through, not on your own chain")
    if any(getattr(q, "marked", "own chain") != "own chain" for q in result.questions):
        lines.append("  note: the other questions were marked on your own chain of answers")
    lines += [f"  note: {note}" for note in result.notes]
    lines += ["", f"Total: {_points(result.score)}/{_points(result.max_score)}"]
    return "\n".join(lines)


def question_output(q):
    """The feedback text of one question (Gradescope's ``output``)."""
    text = f"{q.status}: {q.message}"
    return f"{text}\nHint: {q.hint}" if q.hint else text


def gradescope_results(result, seconds=None):
    """Gradescope's results.json shape; Gradescope knows only passed/failed, our status is in extra_data."""
    data = {
        "score": result.score,
        "max_score": result.max_score,
        "output": markdown_text("\n".join(result.notes) or f"student id {result.student_id}"),
        "output_format": "md",  # Gradescope renders every output as Markdown; each text is escaped
        "test_output_format": "md",
        "tests": [
            {
                "name": f"{q.id}",
                "number": q.id,
                "score": q.points,
                "max_score": q.max_points,
                "status": "passed" if q.status == "passed" else "failed",
                "output": markdown_output(q),
                "extra_data": {
                    "status": q.status,
                    "hint": q.hint,
                    "title": getattr(q, "title", ""),
                    "marked": getattr(q, "marked", "own chain"),
                    "checks": [{"name": label, "passed": passed} for label, passed in q.checks],
                },
            }
            for q in result.questions
        ],
        "extra_data": {
            "student_id": result.student_id,
            "submission": result.submission,
            "master": result.master,
        },
    }
    if seconds is not None:
        data["execution_time"] = round(seconds, 3)
    return data


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename, replacing whatever was there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
    os.replace(temporary, path)


def write_json(path, result, seconds=None):
    write_atomically(path, json.dumps(gradescope_results(result, seconds), indent=2) + "\n")


def write_gradebook_csv(path, results, questions, id_column, assignment):
    """A gradebook import (Canvas, Moodle): one row per student keyed by ``id_column``, points only.

    Columns: ``id_column`` (the student id) and one column ``"<assignment> <question>"`` per question.
    The total goes to a file of its own, :func:`totals_path` (``id_column``, ``"<assignment> total"``):
    in one file, Canvas would import it as one more assignment and count every point twice.
    Statuses and hints stay in the default CSV and the JSON reports.
    """
    header = [id_column] + [f"{assignment} {q.id}" for q in questions]
    rows, totals = [], []
    for result in results:
        by_id = {q.id: q for q in result.questions}
        points = [_points(by_id[q.id].points) if q.id in by_id else "0" for q in questions]
        rows.append([result.student_id, *points])
        totals.append([result.student_id, _points(result.score)])
    _write_rows(path, header, rows)
    _write_rows(totals_path(path), [id_column, f"{assignment} total"], totals)


def totals_path(path):
    """Where the gradebook's totals go: ``grades.csv`` -> ``grades-totals.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-totals{path.suffix or '.csv'}")


def _write_rows(path, header, rows):
    lines = []

    class _Sink:
        def write(self, text):
            lines.append(text)

    writer = csv.writer(_Sink())
    writer.writerow(header)
    writer.writerows(rows)
    write_atomically(path, "".join(lines))


def write_csv(path, results, questions):
    """One row per submission: file, student id, total, max, then points and status per question."""
    header = ["submission", "student_id", "total", "max_score"]
    for q in questions:
        header += [q.id, f"{q.id}_status"]
    header.append("id_check")  # grader.identity: the file name and STUDENT_ID disagree
    rows = []
    for result in results:
        by_id = {q.id: q for q in result.questions}
        row = [
            Path(result.submission).name,
            result.student_id,
            _points(result.score),
            _points(result.max_score),
        ]
        for q in questions:
            graded = by_id.get(q.id)
            row += [_points(graded.points), graded.status] if graded else ["0", "error"]
        row.append(getattr(result, "id_check", ""))
        rows.append(row)
    _write_rows(path, header, rows)
