"""The book as one PDF (``make pdf``: Jupyter Book's LaTeX builder, then xelatex through latexmk).

What the HTML site shows interactively gets a static form on paper:

* ``student-downloads`` (grader.sphinx_ext) links files of the website, which a PDF does not have
  (and the LaTeX builder cannot give a URI for, so it stopped the build with ``NoUri``): in a LaTeX
  build the directive becomes a sentence that names the notebooks and where to get them.
* a notebook output that is an animation (matplotlib's ``to_jshtml``, ``text/html`` only) is
  replaced by the still image the same cell shows when it has one; myst-nb's LaTeX priority
  already prefers ``image/png`` over ``text/html``.
* the quizzes (``_ext/quiz.py``) render as ordinary paragraphs and lists, readable on paper.
* exercises are numbered per chapter as on the web ("Exercise 8.1", not "Exercise 8.11.1"): see
  ``_number_exercises_per_chapter``.
"""

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.environment.collectors.toctree import TocTreeCollector

# The section numbers an exercise's number keeps: 1, its chapter's ("8" of section 8.11), so that
# the n-th exercise of chapter 8 is "Exercise 8.n", as the web (numfig_secnum_depth: 1) numbers it.
CHAPTER_ONLY = 1


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


def _number_exercises_per_chapter(app, env):
    """Exercise numbers in the PDF counted per chapter, as on the web.

    In a book with parts, sphinx-jupyterbook-latex sets ``numfig_secnum_depth`` to 2 for the LaTeX
    build: the writer subtracts the part level from it, so that LaTeX's own counters (figures,
    code listings, equations) restart at each ``\\chapter`` and read "8.1". Sphinx also numbers
    the environment's figures with that depth, which on this book's chapter-numbered toctree means
    chapter *and section*; figures and equations do not use those numbers in LaTeX, but
    sphinx-exercise writes them as text into each exercise's title, its solution's title and each
    reference to it: "Exercise 8.11.1" in section 8.11. This numbers the environment again,
    after Sphinx, as the HTML build does (chapter only); the LaTeX writer keeps depth 2.
    """
    if app.builder.format != "latex":
        return []
    depth_for_the_writer = env.config.numfig_secnum_depth
    env.config.numfig_secnum_depth = CHAPTER_ONLY
    try:
        TocTreeCollector().assign_figure_numbers(env)
    finally:
        env.config.numfig_secnum_depth = depth_for_the_writer
    return []


def setup(app):
    app.connect("builder-inited", _static_downloads_in_latex)
    # after Sphinx's own numbering (TocTreeCollector, default priority 500)
    app.connect("env-get-updated", _number_exercises_per_chapter, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
