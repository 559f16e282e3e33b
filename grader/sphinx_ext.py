"""Sphinx extension of the book: student downloads, and a switch that leaves the solutions out.

Add ``grader.sphinx_ext`` to ``sphinx: extra_extensions`` in ``_config.yml``. It provides

* the directive ``student-downloads``: a list of every master notebook in ``exercises/`` with a
  link to its student version, which the HTML build writes into ``_build/html/student/``;
* the build switch ``COURSE_HIDE_SOLUTIONS=1`` (environment variable): every code cell tagged
  ``solution`` shows the student's stub instead of the solution and loses its outputs, and
  sphinx-exercise's ``hide_solutions`` removes every ``{solution}`` directive.
"""

import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from grader.master import MasterError, parse_master
from grader.release import master_paths, release, replace_solutions

ENV_SWITCH = "COURSE_HIDE_SOLUTIONS"
STUDENT_FOLDER = "student"
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


def hide_solution_cells(app, doctree):
    """With the switch on, show the student's stub in every cell tagged ``solution`` and drop its outputs."""
    if not solutions_hidden(app.config):
        return
    for cell in list(doctree.findall(nodes.container)):
        if "tag_solution" not in cell.get("classes", []):
            continue
        for child in list(cell.children):
            if child.get("nb_element") == "cell_code_source":
                for block in child.findall(nodes.literal_block):
                    stub = replace_solutions(block.astext())
                    block.children = [nodes.Text(stub)]
                    block.rawsource = stub
            elif child.get("nb_element") == "cell_code_output":
                cell.remove(child)


def configure(app, config):
    if solutions_hidden(config):
        config.hide_solutions = True  # sphinx-exercise: leave every {solution} out
        logger.info("exercises: solutions are left out (%s)", ENV_SWITCH)


def write_student_versions(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    masters = master_paths(Path(app.srcdir) / "exercises")
    release(masters, Path(app.outdir) / STUDENT_FOLDER)


def setup(app):
    app.add_config_value("exercises_hide_solutions", False, "env")
    app.add_directive("student-downloads", StudentDownloads)
    app.connect("config-inited", configure, priority=900)
    app.connect("doctree-read", hide_solution_cells)
    app.connect("build-finished", write_student_versions)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
