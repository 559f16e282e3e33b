"""Text that is safe to show: printable ASCII only (a stand-in for the shared safe-output function).

The similarity report's file names (:mod:`grader.report.similarity`) are shown through :func:`plain`, and
the Markdown of Gradescope's results (:mod:`grader.report.late`, :mod:`grader.report.outputs`)
through :func:`markdown_text`; every other text goes through :mod:`grader.vocabulary`.
"""

import re

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


MARKDOWN_SPECIAL = "\\*_[]<>#|~&$!"
CODE_SPAN = re.compile(r"(`+)([^`]|[^`].*?[^`])\1(?!`)", re.DOTALL)
LINE_START = re.compile(r"^(\s*)([+\-=]|\d+(?=[.)]))", re.MULTILINE)


def _intraword(text, index):
    """An underscore between two letters or digits: CommonMark never reads it as emphasis (grad_out)."""
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def _escape(text):
    text = "".join(
        c if c == "_" and _intraword(text, i) else f"\\{c}" if c in MARKDOWN_SPECIAL or c == "`" else c
        for i, c in enumerate(text)
    )
    return LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if not m.group(2).isdigit()
                          else f"{m.group(1)}{m.group(2)}\\", text)


def markdown_text(text):
    """``text`` as Markdown that renders as that text, with no markup of its own.

    Code spans (`` `name` ``, as the grader's messages write names) are kept: Markdown shows their content
    literally. Everywhere else every character that starts emphasis, a link, an image, HTML, a heading, a
    table, an entity or math is escaped with a backslash, and so is a list or heading marker at the start of
    a line.
    """
    text, out, last = str(text), [], 0
    for match in CODE_SPAN.finditer(text):
        out.append(_escape(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)
