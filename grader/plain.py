"""Text that is safe to show: printable ASCII only (a stand-in for the shared safe-output function).

Every line that :mod:`grader.feedback`, :mod:`grader.similarity`, :mod:`grader.late` and the
student-id check add to a report goes through :func:`plain`. When the grader's one safe-output
function lands (issue 20, item 2), :func:`plain` becomes a call of it.
"""

MAX_SHOWN = 80


def plain(text, limit=MAX_SHOWN):
    """``text`` with every character outside printable ASCII escaped, cut to ``limit`` characters.

    Parameters
    ----------
    text : str
        Any text, for instance a file name a student chose.
    limit : int
        The longest result; a longer one ends with ``...``.

    Returns
    -------
    str
        Printable ASCII (``0x20``-``0x7e``), so no control sequence reaches a terminal.
    """
    shown = str(text).encode("ascii", "backslashreplace").decode("ascii")
    shown = "".join(c if " " <= c <= "~" else f"\\x{ord(c):02x}" for c in shown)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~&$"


def markdown_text(text):
    """``text`` as Markdown that renders as that text: every Markdown or HTML character escaped."""
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIAL else c for c in str(text))
