"""Who handed a notebook in: the file name and the notebook's ``STUDENT_ID`` must agree.

In folder grading the student id comes from one of them (``--id-from``); a notebook named
``dave.ipynb`` whose ``STUDENT_ID`` says ``s1234`` was perhaps handed in for someone else, or copied.
The grader flags every such mismatch and trusts neither for anything else: the id that seeds the
numbers is still the one ``--id-from`` chose.
"""

from pathlib import Path

from grader.master import NotebookError, declared_student_id_text, read_notebook
from grader.plain import plain

DEMO = "demo"  # the student version's placeholder: a student who never set the id


def id_mismatch(path, name):
    """The sentence flagging a mismatch between the file name and ``STUDENT_ID``, or "" when they agree.

    Parameters
    ----------
    path : str
        The submission's file.
    name : str
        The name it is shown under (its file name).

    Returns
    -------
    str
        Printable ASCII: both ids escaped (:func:`grader.plain.plain`), or "" when the notebook
        declares the file's stem, or cannot be read (its grade says so).
    """
    try:
        declared = declared_student_id_text(read_notebook(path))
    except (NotebookError, RecursionError, MemoryError):
        return ""
    stem = Path(name).stem
    if declared is None:
        return f"the notebook declares no STUDENT_ID; its file name says {plain(stem)}"
    if declared == stem:
        return ""
    if declared == DEMO:
        return f"the notebook's STUDENT_ID is still {DEMO}; its file name says {plain(stem)}"
    return f"the file name says {plain(stem)} but the notebook's STUDENT_ID says {plain(declared)}"
