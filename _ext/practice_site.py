"""The practice pages: static problem forms, the data files of the practice site, "Practise this" links.

* ``practice-problem`` (directive, argument: a type slug of ``exam.types.TYPES``): the statement and
  the worked solution of the type's first variant, rendered by Sphinx so they read without JavaScript
  and in the PDF, inside ``<div class="practice-problem" data-practice-type=... data-practice-src=...>``
  over which the page's JavaScript (``_static/practice/``) builds the interactive form. On HTML the
  solution is folded in a ``<details>``; in LaTeX it follows the statement under "Worked solution".
* ``practice-index`` (directive): every type by chapter, each with a link and a progress slot.
* ``practice-app`` (directive, argument: ``mock``, ``review`` or ``progress``): the container the
  JavaScript fills (with a line for readers without JavaScript); nothing in the PDF.
* At the end of each chapter that teaches a type: "Practise this: ..." links (HTML only; the
  notebooks are not edited).
* When the HTML build finishes: ``exam.site_data.write`` puts the data files (variants, step
  functions, mock papers, concepts) under ``<outdir>/practice/``; the format is documented there. Their
  math, and the pages', is MathML (``_ext/practice_mathml.py``): the practice pages load no MathJax.
  (The pages' scripts and styles, ``_static/practice/``, reach every page as Jupyter Book adds each
  file under ``_static`` to all of them.)
"""

import html
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

BOOK_ROOT = Path(__file__).resolve().parent.parent
if str(BOOK_ROOT) not in sys.path:  # the ``exam`` package lives at the book's root
    sys.path.insert(0, str(BOOK_ROOT))

import practice_mathml  # noqa: E402  (beside this file in _ext/)

from exam import site_data  # noqa: E402
from exam.types import TYPES  # noqa: E402

PRACTICE_DIR = "practice"
APPS = ("mock", "review", "progress")
NO_SCRIPT = {
    "mock": "The timed mock exam needs JavaScript. The sample exam and its key are readable without it.",
    "review": "The review needs JavaScript: it keeps what you practised in this browser.",
    "progress": "Progress needs JavaScript: it is kept in this browser only.",
}


class practice_problem(nodes.General, nodes.Element):
    """The container of a type's static form; the JavaScript builds the interactive form over it."""


class practice_solution(nodes.General, nodes.Element):
    """The worked solution of the static form: folded on HTML, a titled paragraph in LaTeX."""


class practice_app(nodes.General, nodes.Element):
    """The container of the mock exam, the review or the progress page (HTML only)."""


def _visit_problem_html(self, node):
    self.body.append(
        f'<div class="practice-problem" data-practice-type="{node["slug"]}" '
        f'data-practice-src="data/{node["slug"]}.js">\n'
    )


def _depart_div_html(self, node):
    self.body.append("</div>\n")


def _visit_solution_html(self, node):
    self.body.append(
        f'<details class="practice-solution"><summary>Worked solution (variant {node["n"]})</summary>\n'
    )


def _depart_solution_html(self, node):
    self.body.append("</details>\n")


def _visit_solution_latex(self, node):
    self.body.append("\n\n\\textbf{Worked solution.}\n\n")


def _visit_app_html(self, node):
    app = node["app"]
    self.body.append(
        f'<div class="practice-app" data-practice-app="{app}" data-practice-data="data/" '
        f'data-practice-papers="papers/"><noscript><p>{html.escape(NO_SCRIPT[app])}</p></noscript>\n'
    )


def _skip(self, node):
    raise nodes.SkipNode


def _pass(self, node):
    pass


class PracticeProblemDirective(SphinxDirective):
    """The static form of a problem type: its variant 1's statement and worked solution."""

    required_arguments = 1

    def _parse(self, text, into):
        lines = StringList(text.splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, into)
        return into

    def run(self):
        slug = self.arguments[0]
        if slug not in TYPES:
            raise self.error(f"practice-problem: unknown type {slug!r}; the types are {', '.join(TYPES)}")
        for path in (BOOK_ROOT / "exam").rglob("*.py"):  # rebuild when the generator changes
            self.env.note_dependency(str(path))
        n = site_data.variant_numbers(slug)[0]  # the first variant the site ships
        problem = site_data.draw(slug, n)
        node = practice_problem(slug=slug, n=n)
        node += nodes.paragraph(
            text=f"Variant {n} ({problem.points} points, about {problem.minutes} minutes):"
        )
        self._parse(problem.statement, node)
        node += self._parse(problem.solution, practice_solution(n=n))
        return [node]


class PracticeIndexDirective(SphinxDirective):
    """Every problem type by chapter: a link to its page and a slot for the progress (filled by the JS)."""

    def run(self):
        by_chapter = {}
        for slug, (_, docname) in TYPES.items():
            by_chapter.setdefault(docname, []).append(slug)
        lines = []
        for docname, slugs in by_chapter.items():
            lines.append(f"- {{doc}}`/{docname}`")
            for slug in slugs:
                lines.append(
                    f"  - {{doc}}`{site_data.draw(slug, 1).title} <{slug}>` "
                    f'<span class="practice-progress" data-practice-type="{slug}"></span>'
                )
        holder = nodes.container(classes=["practice-index"])
        self.state.nested_parse(
            StringList(lines, source=self.get_source_info()[0]), self.content_offset, holder
        )
        return [holder]


class PracticeAppDirective(SphinxDirective):
    """The container of the mock exam, review or progress page."""

    required_arguments = 1

    def run(self):
        if self.arguments[0] not in APPS:
            raise self.error(f"practice-app: the argument is one of {', '.join(APPS)}")
        return [practice_app(app=self.arguments[0])]


def _chapter_links(app, doctree, docname):
    """Append "Practise this: ..." to a chapter that teaches a problem type (HTML builds only)."""
    if app.builder.format != "html":
        return
    slugs = [slug for slug, (_, chapter) in TYPES.items() if chapter == docname]
    if not slugs:
        return
    paragraph = nodes.paragraph(classes=["practice-links"])
    paragraph += nodes.strong(text="Practise this: ")
    for i, slug in enumerate(slugs):
        if i:
            paragraph += nodes.Text(", ")
        uri = app.builder.get_relative_uri(docname, f"{PRACTICE_DIR}/{slug}")
        paragraph += nodes.reference("", site_data.draw(slug, 1).title, refuri=uri, internal=True)
    paragraph += nodes.Text(" (your own numbers, checked step by step).")
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(paragraph)


def _chapter_titles(env):
    return {docname: title.astext() for docname, title in env.titles.items()}


def _write_data(app, exception):
    """Write the data files into the HTML output (not for LaTeX)."""
    if exception is not None or app.builder.format != "html":
        return
    labels = app.env.get_domain("std").labels
    titles = _chapter_titles(app.env)

    def chapter_of_label(label):
        docname, anchor, _ = labels.get(label, (None, None, None))
        if docname is None:
            return {"title": label, "href": None}
        return {
            "title": titles.get(docname, docname),
            "href": f"../{docname}.html" + (f"#{anchor}" if anchor else ""),
        }

    site_data.write(app.outdir, titles, chapter_of_label, math=practice_mathml.to_mathml_html)


def setup(app):
    app.add_node(
        practice_problem,
        html=(_visit_problem_html, _depart_div_html),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    app.add_node(
        practice_solution,
        html=(_visit_solution_html, _depart_solution_html),
        latex=(_visit_solution_latex, _pass),
        text=(_pass, _pass),
    )
    app.add_node(
        practice_app, html=(_visit_app_html, _depart_div_html), latex=(_skip, None), text=(_skip, None)
    )
    app.setup_extension("practice_mathml")  # the practice pages' math as MathML, without MathJax
    app.add_directive("practice-problem", PracticeProblemDirective)
    app.add_directive("practice-index", PracticeIndexDirective)
    app.add_directive("practice-app", PracticeAppDirective)
    app.connect("doctree-resolved", _chapter_links)
    app.connect("build-finished", _write_data)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
