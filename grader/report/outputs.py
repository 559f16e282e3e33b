"""Reports of a grade: text for people, Gradescope's results.json, and a class CSV.

Every piece of text comes from :mod:`grader.vocabulary` (a ``str`` where a message belongs is
refused with a ``TypeError``): the submission's file name and student id are shown escaped, the
messages and hints are the grader's own sentences and the master's text. A spreadsheet opens the
CSV files: a cell that would start a formula is neutralised (:func:`spreadsheet_cell`).
"""

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from grader.report.plain import markdown_text
from grader.vocabulary import FileName, MasterText, Message, StudentId, render

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not attempted")
MARKS = ("own chain", "follow-through")
#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _points(value):
    return f"{float(value) + 0.0:g}"  # + 0.0: never "-0"


def _status(q):
    """The question's status, one of :data:`STATUSES` (anything else is shown as "error")."""
    return MasterText(q.status if q.status in STATUSES else "error")


def _marked(q):
    marked = getattr(q, "marked", "own chain")
    return marked if marked in MARKS else "own chain"


def _hint(q):
    return render(q.hint) if q.hint is not None else None


def text_report(result):
    """A human-readable report of one :class:`grader.grade.SubmissionResult`."""
    lines = [
        render(
            Message(
                "report head",
                submission=FileName(str(result.submission)),
                master=MasterText(str(result.master)),
                student_id=StudentId(str(result.student_id)),
            )
        ),
        "",
    ]
    width = max([len(q.id) for q in result.questions] + [4])
    indent = " " * (width + 25)
    for q in result.questions:
        if getattr(q, "title", ""):
            lines.append(render(Message("report title", id=MasterText(q.id), title=MasterText(q.title))))
        line = Message(
            "report line",
            id=MasterText(q.id.ljust(width)),
            points=MasterText(_points(q.points).rjust(4)),
            max_points=MasterText(_points(q.max_points).ljust(4)),
            status=MasterText(_status(q).text.ljust(14)),
            message=q.message,
        )
        lines.append(render(line))
        if q.hint is not None:
            lines.append(indent + render(Message("report hint", hint=q.hint)))
        if getattr(q, "next_step", None) is not None:
            lines.append(indent + render(Message("report next step", step=q.next_step)))
        if _marked(q) != "own chain":
            lines.append(indent + render(Message("report followed")))
    if any(_marked(q) != "own chain" for q in result.questions):
        lines.append(render(Message("report own chain")))
    lines += [render(Message("report note", note=note)) for note in result.notes]
    lines += ["", render(Message("total", score=float(result.score), max_score=float(result.max_score)))]
    return "\n".join(lines)


def question_output(q):
    """The feedback text of one question (Gradescope's ``output``)."""
    if q.hint is None:
        return render(Message("question output", status=_status(q), message=q.message))
    return render(Message("question output hint", status=_status(q), message=q.message, hint=q.hint))


def question_markdown(q):
    """A question's Gradescope feedback as Markdown: its title, status and message, hint, next step.

    Every text is escaped (:func:`grader.report.plain.markdown_text`), so none of it is markup.
    """
    lines = []
    if getattr(q, "title", ""):
        title = f"{MasterText(q.id).shown()}: {MasterText(q.title).shown()}"
        lines.append(f"**{markdown_text(title)}**")
    lines.append(markdown_text(question_output(q)))
    if getattr(q, "next_step", None) is not None:
        lines.append(markdown_text(render(Message("report next step", step=q.next_step))))
    return "\n\n".join(lines)


def gradescope_results(result):
    """Gradescope's results.json shape; Gradescope knows only passed/failed, our status is in extra_data.

    Without Gradescope's optional ``execution_time``: the submission's code decides how long it runs,
    and could sleep for as many milliseconds as a hidden value (issue 20).
    """
    output = (
        "\n".join(render(note) for note in result.notes)
        if result.notes
        else render(Message("student id line", student_id=StudentId(str(result.student_id))))
    )
    data = {
        "score": result.score,
        "max_score": result.max_score,
        "output": markdown_text(output),
        "output_format": "md",  # Gradescope renders every output as Markdown; each text is escaped
        "test_output_format": "md",
        "tests": [
            {
                "name": MasterText(q.id).shown(),
                "number": MasterText(q.id).shown(),
                "score": q.points,
                "max_score": q.max_points,
                "status": "passed" if q.status == "passed" else "failed",
                "output": question_markdown(q),
                "extra_data": {
                    "status": _status(q).text,
                    "hint": _hint(q),
                    "title": MasterText(getattr(q, "title", "")).shown(),
                    "marked": _marked(q),
                    "checks": [{"name": render(label), "passed": bool(passed)} for label, passed in q.checks],
                },
            }
            for q in result.questions
        ],
        "extra_data": {
            "student_id": StudentId(str(result.student_id)).shown(),
            "submission": FileName(str(result.submission)).shown(),
            "master": MasterText(str(result.master)).shown(),
        },
    }
    return data


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename, replacing whatever was there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
    os.replace(temporary, path)


def write_json(path, result):
    write_atomically(path, json.dumps(gradescope_results(result), indent=2) + "\n")


def spreadsheet_cell(text):
    """One CSV cell that a spreadsheet reads as text, never as a formula (OWASP's rule for CSV injection).

    A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single
    quote in front; it is then quoted, as is any cell holding a comma, a semicolon (the separator
    of some locales), a quote or a line break, so that no separator starts a new cell inside it.

    >>> spreadsheet_cell('=HYPERLINK("http://x")')
    '"\\'=HYPERLINK(""http://x"")"'
    >>> spreadsheet_cell("s001")
    's001'
    """
    if text.startswith(FORMULA_START):
        text = "'" + text
    if text.startswith("'") or any(char in text for char in ",;\"'\r\n"):
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_rows(path, rows):
    """Write rows of cells (messages, or the grader's numbers as text) as CSV, each cell neutralised."""
    lines = []
    for row in rows:
        cells = [render(cell) if not isinstance(cell, float) else _points(cell) for cell in row]
        lines.append(",".join(spreadsheet_cell(cell) for cell in cells) + "\r\n")
    write_atomically(path, "".join(lines))


def _text(value):
    return Message("teacher text", text=value)


def claimed_twice(results):
    """``{student id: number of submissions}`` for the ids that more than one submission gives."""
    counts = Counter(str(result.student_id) for result in results)
    return {student_id: count for student_id, count in sorted(counts.items()) if count > 1}


def write_gradebook_csv(path, results, questions, id_column, assignment):
    """A gradebook import (Canvas, Moodle): one row per student keyed by ``id_column``, points only.

    Columns: ``id_column`` (the student id) and one column ``"<assignment> <question>"`` per question.
    The total goes to a file of its own, :func:`totals_path` (``id_column``, ``"<assignment> total"``):
    in one file, Canvas would import it as one more assignment and count every point twice.
    Statuses and hints stay in the default CSV and the JSON reports.

    An id that several submissions give (:func:`claimed_twice`; with ``--id-from notebook`` a
    ``STUDENT_ID`` can name a classmate) gets no row: Canvas and Moodle apply rows in order, so the
    last one would replace the others' grade. Returns those ids, for the teacher to settle by hand.
    """
    ambiguous = claimed_twice(results)
    results = [result for result in results if str(result.student_id) not in ambiguous]
    header = [_text(MasterText(id_column))]
    header += [_text(MasterText(f"{assignment} {q.id}")) for q in questions]
    rows = [header]
    totals = [[_text(MasterText(id_column)), _text(MasterText(f"{assignment} total"))]]
    for result in results:
        by_id = {q.id: q for q in result.questions}
        points = [float(by_id[q.id].points) if q.id in by_id else 0.0 for q in questions]
        rows.append([_text(StudentId(str(result.student_id))), *points])
        totals.append([_text(StudentId(str(result.student_id))), float(result.score)])
    _write_rows(path, rows)
    _write_rows(totals_path(path), totals)  # a file of its own: an LMS import would take it as one more item
    return ambiguous


def totals_path(path):
    """Where the gradebook's totals go: ``grades.csv`` -> ``grades-totals.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-totals{path.suffix or '.csv'}")


def write_csv(path, results, questions):
    """One row per submission: file, student id, total, max, then points and status per question."""
    header = ["submission", "student_id", "total", "max_score"]
    for q in questions:
        header += [q.id, f"{q.id}_status"]
    header.append("id_check")  # grader.report.identity: the file name and STUDENT_ID disagree
    rows = [[_text(MasterText(name)) for name in header]]
    for result in results:
        by_id = {q.id: q for q in result.questions}
        row = [
            _text(FileName(Path(result.submission).name)),
            _text(StudentId(str(result.student_id))),
            float(result.score),
            float(result.max_score),
        ]
        for q in questions:
            graded = by_id.get(q.id)
            row += (
                [float(graded.points), _text(_status(graded))]
                if graded
                else [0.0, _text(MasterText("error"))]
            )
        check = getattr(result, "id_check", None)
        row.append(_text(check if check is not None else MasterText("")))
        rows.append(row)
    _write_rows(path, rows)
