"""Sphinx extension of the book: student downloads, and a switch that leaves the solutions out.

Add ``grader.sphinx_ext`` to ``sphinx: extra_extensions`` in ``_config.yml``. It provides

* the directive ``student-downloads``: a list of every master notebook in ``exercises/`` with a
  link to its student version, which the HTML build writes into ``_build/html/student/``;
* on every exercise page (a master notebook), the download button gives the student version and
  the Binder and Colab buttons open the student version committed in ``student/`` of the
  repository (``make student`` writes it; a test keeps it current), never the master;
* the build switch ``COURSE_HIDE_SOLUTIONS=1`` (environment variable; ``make book-students``):
  every code cell tagged ``solution`` shows the student's stub instead of the solution, every
  output below the first answer of an exercise page is dropped (it may be computed from a
  solution), sphinx-exercise's ``hide_solutions`` removes every ``{solution}`` directive, the
  answer-key pages (``course_answer_key_pages``) say that the key is not published, and the
  page sources under ``_sources/`` are rewritten the same way, so that no file of the built
  site holds a solution, a hidden check or a key.
"""

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from grader.master.notebook import MasterError, parse_master
from grader.master.release import master_paths, release, replace_solutions

ENV_SWITCH = "COURSE_HIDE_SOLUTIONS"
STUDENT_FOLDER = "student"  # in the built site, and in the repository (what the launch buttons open)
KEY_NOT_PUBLISHED = "The answer key is not published in this build of the course; your teacher has it."
SOLUTION_NOT_PUBLISHED = "(The solution is not published in this build of the course.)"
LAUNCH_GROUP = "launch-buttons"  # sphinx-book-theme's group of Binder, JupyterHub, Colab... buttons
logger = logging.getLogger(__name__)


def solutions_hidden(config):
    return bool(config.exercises_hide_solutions) or os.environ.get(ENV_SWITCH, "") not in ("", "0")


def _title(master):
    for cell in master.notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return master.path.stem


class StudentDownloads(Directive):
    """``student-downloads``: one bullet per master notebook, linking its student version."""

    optional_arguments = 1  # the folder of the masters, relative to the source directory
    option_spec = {"folder": directives.unchanged}

    def run(self):
        env = self.state.document.settings.env
        folder = Path(env.srcdir) / (self.arguments[0] if self.arguments else "exercises")
        items = nodes.bullet_list()
        for path in master_paths(folder):
            env.note_dependency(str(path))
            try:
                master = parse_master(path)
            except MasterError as error:
                logger.warning("student-downloads: %s", error, location=(env.docname, self.lineno))
                continue
            target = relative_uri(
                env.app.builder.get_target_uri(env.docname), f"{STUDENT_FOLDER}/{path.name}"
            )
            paragraph = nodes.paragraph()
            docname = str(path.relative_to(env.srcdir).with_suffix("")).replace(os.sep, "/")
            if docname in env.found_docs:
                reference = nodes.reference(
                    "",
                    "",
                    internal=True,
                    refuri=relative_uri(
                        env.app.builder.get_target_uri(env.docname), env.app.builder.get_target_uri(docname)
                    ),
                )
                reference += nodes.Text(_title(master))
                paragraph += reference
            else:
                paragraph += nodes.Text(_title(master))
            paragraph += nodes.Text(f" ({len(master.questions)} questions, {master.max_score:g} points): ")
            paragraph += nodes.raw(
                "",
                f'<a class="reference download" href="{target}" download>'
                f"<code>{path.name}</code> (student version)</a>",
                format="html",
            )
            items += nodes.list_item("", paragraph)
        return [items]


class hidden_solution_start(nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """Where a gated ``{solution-start}`` began, in a build without solutions (removed at doctree-read)."""


def _solution_start_directive():
    """sphinx-exercise's ``solution-start``, leaving a marker when solutions are hidden.

    With ``hide_solutions`` sphinx-exercise drops the ``solution-start`` node but keeps the cells up
    to ``solution-end`` and the end node itself (rendered as "unknown node type"): the content of a
    gated solution would be published. The marker lets :func:`remove_gated_solutions` cut it out.
    """
    from sphinx_exercise.directive import SolutionStartDirective

    class SolutionStart(SolutionStartDirective):
        def run(self):
            result = super().run()  # records the start for sphinx-exercise's structure check
            return [hidden_solution_start()] if self.env.app.config.hide_solutions else result

    return SolutionStart


def remove_gated_solutions(app, doctree):
    """Remove everything from a hidden gated solution's start to its ``solution-end``."""
    from sphinx_exercise.nodes import solution_end_node

    for marker in list(doctree.findall(hidden_solution_start)):
        parent = marker.parent
        start = parent.index(marker)
        children = parent.children
        ends = [i for i in range(start, len(children)) if isinstance(children[i], solution_end_node)]
        stop = ends[0] if ends else start
        for child in parent.children[start : stop + 1]:
            parent.remove(child)
        parent.insert(start, nodes.paragraph(text=SOLUTION_NOT_PUBLISHED))


def _is_master_page(app, docname):
    source = Path(app.srcdir) / f"{docname}.ipynb"
    return docname.startswith("exercises/") and source in master_paths(source.parent)


def hide_solution_cells(app, doctree):
    """With the switch on: stubs for solutions, no outputs below an exercise page's first answer, no key."""
    if not solutions_hidden(app.config):
        return
    docname = app.env.docname
    if docname in app.config.course_answer_key_pages:
        _replace_by_notice(doctree, KEY_NOT_PUBLISHED)
        return
    master_page = _is_master_page(app, docname)
    answer_seen = False
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code":
            continue
        is_solution = "tag_solution" in cell.get("classes", [])
        answer_seen = answer_seen or is_solution
        for child in list(cell.children):
            if is_solution and child.get("nb_element") == "cell_code_source":
                for block in child.findall(nodes.literal_block):
                    stub = replace_solutions(block.astext())
                    block.children = [nodes.Text(stub)]
                    block.rawsource = stub
            elif child.get("nb_element") == "cell_code_output":
                if is_solution or (master_page and answer_seen):
                    cell.remove(child)


def _replace_by_notice(doctree, text):
    """Keep a page's title, replace everything else by one paragraph."""
    section = next(iter(doctree.findall(nodes.section)), None)
    parent = section if section is not None else doctree
    for child in list(parent.children):
        if not isinstance(child, nodes.title):
            parent.remove(child)
    parent += nodes.paragraph(text=text)


def point_launch_buttons_at_student_version(app, pagename, templatename, context, doctree):
    """On an exercise page, Binder/Colab/JupyterHub open ``student/<set>.ipynb``, not the master."""
    if not _is_master_page(app, pagename):
        return
    master_path = f"{pagename}.ipynb"
    student_path = f"{STUDENT_FOLDER}/{Path(master_path).name}"
    for group in context.get("header_buttons", []):
        if not isinstance(group, dict) or group.get("label") != LAUNCH_GROUP:
            continue
        replacements = [(master_path, student_path)]
        replacements.append((quote(master_path, safe=""), quote(student_path, safe="")))  # Deepnote's form
        for button in group.get("buttons", []):
            for old, new in replacements:
                button["url"] = button.get("url", "").replace(old, new)


_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}")


def strip_solution_blocks(markdown):
    """Remove every ``{solution}`` directive block (backtick or colon fence) from MyST text."""
    out, closing = [], None
    for line in markdown.splitlines(keepends=True):
        if closing is not None:
            if line.strip() == closing:
                closing = None
                out.append(SOLUTION_NOT_PUBLISHED + "\n")
            continue
        match = _FENCE.match(line.strip())
        if match and match.group("name") == "solution":
            closing = match.group("fence")
            continue
        out.append(line)
    return "".join(out)


def strip_notebook_solutions(notebook):
    """A notebook's ``{solution}`` blocks and gated ``{solution-start}``..``{solution-end}`` cells removed."""
    cells, gated = [], False
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "{solution-start}" in text:
            gated = True
        if gated:
            if cell["cell_type"] == "markdown" and "{solution-end}" in text:
                gated = False
                cells.append({"cell_type": "markdown", "id": cell.get("id", "solution"), "metadata": {},
                              "source": SOLUTION_NOT_PUBLISHED})
            continue
        if cell["cell_type"] == "markdown":
            cell["source"] = strip_solution_blocks(text)
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def _rewrite_sources_without_solutions(app):
    sources = Path(app.outdir) / "_sources"
    for path in sources.rglob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(strip_notebook_solutions(notebook), indent=1, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
    for path in list(sources.rglob("*.md")) + list(sources.rglob("*.md.txt")):
        path.write_text(strip_solution_blocks(path.read_text(encoding="utf-8")), encoding="utf-8")
    for docname in app.config.course_answer_key_pages:
        for path in sources.glob(f"{docname}.*"):
            path.write_text(f"{KEY_NOT_PUBLISHED}\n", encoding="utf-8")


def configure(app, config):
    if solutions_hidden(config):
        config.hide_solutions = True  # sphinx-exercise: leave every {solution} out
        logger.info("exercises: solutions are left out (%s)", ENV_SWITCH)


def write_student_versions(app, exception):
    """Write ``student/`` into the site and serve each exercise page's download as its student version."""
    if exception is not None or app.builder.format != "html":
        return
    masters = master_paths(Path(app.srcdir) / "exercises")
    written = release(masters, Path(app.outdir) / STUDENT_FOLDER)
    sources = Path(app.outdir) / "_sources" / "exercises"
    for student_version in written:
        if (sources / student_version.name).exists():
            shutil.copyfile(student_version, sources / student_version.name)
    if solutions_hidden(app.config):
        _rewrite_sources_without_solutions(app)


def setup(app):
    app.add_config_value("exercises_hide_solutions", False, "env")
    app.add_config_value("course_answer_key_pages", ["exam/sample_key"], "env")
    app.add_directive("student-downloads", StudentDownloads)
    app.connect("config-inited", configure, priority=900)
    app.add_directive("solution-start", _solution_start_directive(), override=True)
    app.connect("doctree-read", remove_gated_solutions, priority=400)  # before sphinx-exercise's handler
    app.connect("doctree-read", hide_solution_cells)
    app.connect("html-page-context", point_launch_buttons_at_student_version, priority=510)  # after the theme
    app.connect("build-finished", write_student_versions)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
