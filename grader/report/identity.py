"""Who handed a notebook in: the file name and the notebook's ``STUDENT_ID`` must agree.

In folder grading the student id comes from one of them (``--id-from``); a notebook named
``dave.ipynb`` whose ``STUDENT_ID`` says ``s1234`` was perhaps handed in for someone else, or copied.
The grader flags every such mismatch and trusts neither for anything else: the id that seeds the
numbers is still the one ``--id-from`` chose.
"""

from pathlib import Path

from grader.master.notebook import NotebookError, declared_student_id_text, read_notebook
from grader.vocabulary import Message, StudentId

DEMO = "demo"  # the student version's placeholder: a student who never set the id


def id_mismatch(path, name):
    """The message flagging a mismatch between the file name and ``STUDENT_ID``, or None when they agree.

    Parameters
    ----------
    path : str
        The submission's file.
    name : str
        The name it is shown under (its file name).

    Returns
    -------
    grader.vocabulary.Message or None
        Both ids shown escaped (:class:`grader.vocabulary.StudentId`); None when the notebook
        declares the file's stem, or cannot be read (its grade says so).
    """
    try:
        declared = declared_student_id_text(read_notebook(path, follow_links=False))
    except (NotebookError, RecursionError, MemoryError):
        return None
    stem = Path(name).stem
    if declared is None:
        return Message("id none", file_id=StudentId(stem))
    if declared == stem:
        return None
    if declared == DEMO:
        return Message("id demo", file_id=StudentId(stem))
    return Message("id mismatch", file_id=StudentId(stem), declared=StudentId(declared))
