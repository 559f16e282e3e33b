"""Which submissions of a class share their code: a similarity report for the teacher.

For each submission, the code it wrote (:func:`student_code`) is fingerprinted with `copydetect
<https://pypi.org/project/copydetect/>`_ (winnowed k-grams over Pygments tokens with names, strings
and numbers replaced by placeholders, after Schleimer, Wilkerson and Aiken, SIGMOD 2003), with the
master's given code (its student version) as boilerplate, so the stubs and signatures every student
gets count for nothing. The score of a pair of submissions is the smaller of the two shares: the share
of each submission's code also found in the other (1 for identical code, whatever the variable names).

The master's answer and hidden cells (its reference solutions) take part as one more "submission";
against it the score is the share of the submission's code found in the master, so a copy of the
master, renamed or with its variables renamed, is reported as "matches the reference solution".

The report is a lead for a teacher to read the two notebooks, not a verdict: short answers (a letter,
a one-line formula) are alike in honest work too. The submissions are never run here; a notebook
that cannot be read, or holds no code, is left out and counted.
"""

import io
import itertools

from grader.master.notebook import STUDENT_ID_LINE, NotebookError, cell_info, read_notebook
from grader.master.release import student_notebook
from grader.report.plain import plain

K, WINDOW = 25, 1  # copydetect's defaults for k; window 1 keeps every k-gram (small notebooks)
THRESHOLD = 0.8  # pairs at or above it are listed in the class summary
MAX_CODE = 200_000  # characters of a submission's code that are compared (the rest is dropped)
REFERENCE = "the reference solution"


def _given_sources(master):
    """The code cells of the student version: what every student is handed."""
    cells = student_notebook(master.notebook).cells
    return [cell.get("source", "") for cell in cells if cell.cell_type == "code"]


def _without_id(source):
    return STUDENT_ID_LINE.sub("", source).strip()


def student_code(notebook, given):
    """The code a submission wrote: its code cells that are not a cell it was handed unchanged.

    Cells are compared without their ``STUDENT_ID = ...`` line; the cells' metadata is not trusted
    (a submission could label any cell as hidden or as the parameters).
    """
    handed = {_without_id(source) for source in given}
    cells = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        source = _without_id(cell.get("source", ""))
        if source and source not in handed:
            cells.append(source)
    return "\n\n".join(cells)[:MAX_CODE]


def reference_code(master):
    """The master's answer and hidden cells: what a copy of the master holds that no student is handed."""
    return "\n\n".join(
        cell.source for cell in master.notebook.cells if cell_info(cell).get("role") in ("answer", "hidden")
    )


def _fingerprint(name, code, boilerplate):
    from copydetect import CodeFingerprint  # imports matplotlib: only when a report is asked for

    return CodeFingerprint(f"{name}.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code))


def pair_scores(codes, given=()):
    """``[(name a, name b, share of a, share of b)]`` for every pair of ``codes`` ({name: code}).

    ``given`` is code every submission was handed; its fingerprints are ignored.
    """
    from copydetect import compare_files

    boilerplate = []
    if given:
        boilerplate = list(_fingerprint("given", "\n\n".join(given), []).hashes)
    prints = {
        name: _fingerprint(str(index), code, boilerplate) for index, (name, code) in enumerate(codes.items())
    }
    rows = []
    for a, b in itertools.combinations(prints, 2):
        if not prints[a].hashes or not prints[b].hashes:
            rows.append((a, b, 0.0, 0.0))
            continue
        _, (share_a, share_b), _ = compare_files(prints[a], prints[b])
        rows.append((a, b, float(share_a), float(share_b)))
    return rows


def class_report(master, submissions):
    """Score every pair of ``submissions`` ([(shown name, path)]) and the reference solution.

    Returns
    -------
    (list of dict, int)
        Rows sorted by score, highest first: ``a``, ``b`` (shown names, escaped to printable ASCII),
        ``score`` (the smaller share), ``share_a``, ``share_b``, ``note``; and the number of submissions
        left out (unreadable, or no code of their own).
    """
    given = _given_sources(master)
    codes, left_out = {}, 0
    for shown, path in submissions:
        try:
            code = student_code(read_notebook(path), given)
        except (NotebookError, RecursionError, MemoryError):
            code = ""
        if code.strip():
            codes[("submission", shown)] = code
        else:
            left_out += 1
    codes[("reference", REFERENCE)] = reference_code(master)
    rows = []
    for a, b, share_a, share_b in pair_scores(codes, given):
        if a[0] == "reference":
            a, b, share_a, share_b = b, a, share_b, share_a
        # against the reference: how much of the submission is the master's; else both ways
        score = share_a if b[0] == "reference" else min(share_a, share_b)
        note = ""
        if score >= THRESHOLD:
            note = "matches the reference solution" if b[0] == "reference" else "near-identical"
        rows.append({
            "a": plain(a[1]), "b": b[1] if b[0] == "reference" else plain(b[1]), "score": round(score, 3),
            "share_a": round(share_a, 3), "share_b": round(share_b, 3), "note": note,
        })
    rows.sort(key=lambda row: (-row["score"], row["a"], row["b"]))
    return rows, left_out


def summary_lines(rows, left_out):
    """The class summary's section: the pairs at or above :data:`THRESHOLD`."""
    lines = [f"Similarity (pairs scoring {THRESHOLD:g} or more of 1; the master's given code ignored):"]
    flagged = [row for row in rows if row["score"] >= THRESHOLD]
    lines += [f"  {row['a']} ~ {row['b']}: {row['score']:.2f} ({row['note']})" for row in flagged]
    if not flagged:
        lines.append("  none")
    if left_out:
        lines.append(f"  {left_out} submission(s) left out: unreadable, or no code of their own")
    return lines


def write_csv(path, rows):
    """One row per pair: ``submission_a, submission_b, score, share_a, share_b, note``."""
    from grader.report.outputs import _text, _write_rows
    from grader.vocabulary import MasterText

    header = ["submission_a", "submission_b", "score", "share_a", "share_b", "note"]
    table = [[_text(MasterText(name)) for name in header]]
    table += [
        [_text(MasterText(r["a"])), _text(MasterText(r["b"])), float(r["score"]), float(r["share_a"]),
         float(r["share_b"]), _text(MasterText(r["note"]))]
        for r in rows
    ]
    _write_rows(path, table)  # names escaped (printable ASCII) and every cell neutralised
