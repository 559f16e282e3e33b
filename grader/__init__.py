"""The course's autograder: release student notebooks, grade submissions.

Run ``python -m grader --help``. The grader runs a student's notebook in a fresh Jupyter
kernel inside a bubblewrap sandbox of its own (:mod:`grader.run.sandbox`; where bwrap cannot work,
as a user id of its own: :mod:`grader.run.unprivileged`), calls the student's
answers on inputs the master chooses (:mod:`grader.run.protocol`), and a judge per question kind
decides in the grader's process (:mod:`grader.judge.judges`; see ``exercises/teachers.md``).
``nnlib`` never imports this package.
"""

import zlib

__version__ = "0.1.0"

__all__ = ["student_seed", "__version__"]


def student_seed(student_id):
    """Return the seed of a student's numbers: ``zlib.crc32(student_id.encode("utf-8"))``.

    The parameters cell of a master notebook does the same arithmetic itself (notebooks do
    not import the grader), so this function documents it and the tests hold both equal.
    """
    if not isinstance(student_id, str):
        raise TypeError(f"student_id must be a str, got {type(student_id).__name__}")
    return zlib.crc32(student_id.encode("utf-8"))
