"""The book as one PDF (``make pdf``: Jupyter Book's LaTeX builder, then xelatex through latexmk).

What the HTML site shows interactively gets a static form on paper:

* ``student-downloads`` (grader.sphinx_ext) links files of the website, which a PDF does not have
  (and the LaTeX builder cannot give a URI for, so it stopped the build with ``NoUri``): in a LaTeX
  build the directive becomes a sentence that names the notebooks and where to get them.
* a notebook output that is an animation (matplotlib's ``to_jshtml``, ``text/html`` only) is
  replaced by the still image the same cell shows when it has one; myst-nb's LaTeX priority
  already prefers ``image/png`` over ``text/html``.
* the quizzes (``_ext/quiz.py``) render as ordinary paragraphs and lists, readable on paper.
"""

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive


class StaticStudentDownloads(Directive):
    """``student-downloads`` in a PDF: the list of exercise notebooks, without links."""

    optional_arguments = 1
    option_spec = {"folder": lambda argument: argument}

    def run(self):
        env = self.state.document.settings.env
        folder = Path(env.srcdir) / (self.arguments[0] if self.arguments else "exercises")
        names = sorted(path.name for path in folder.glob("*.ipynb"))
        text = ("The student versions of the exercise notebooks ("
                + ", ".join(names)
                + ") are downloads on the course website, next to each set's page.")
        return [nodes.paragraph(text=text)]


def _static_downloads_in_latex(app):
    if app.builder.format == "latex":
        app.add_directive("student-downloads", StaticStudentDownloads, override=True)


def setup(app):
    app.connect("builder-inited", _static_downloads_in_latex)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
