"""Sphinx directive ``practice-exam``: render a practice exam or its key at build time.

The sample exam pages contain only::

    ```{practice-exam}
    :seed: 2026
    :part: exam
    ```

and the directive inserts ``exam.practice.render(seed, part)`` (MyST markdown, parsed here), so
every number on those pages is computed by ``nnlib`` while the book builds. ``:seed:`` is the exam
number, i.e. the random seed that draws the exam's numbers and questions.
"""

import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

BOOK_ROOT = Path(__file__).resolve().parent.parent
if str(BOOK_ROOT) not in sys.path:  # the ``exam`` package lives at the book's root
    sys.path.insert(0, str(BOOK_ROOT))

from exam import practice  # noqa: E402


def _part(argument):
    return directives.choice(argument, ("exam", "key"))


class PracticeExamDirective(SphinxDirective):
    """Insert the exam (``:part: exam``) or the answer key (``:part: key``) for ``:seed:``."""

    option_spec = {"seed": directives.nonnegative_int, "part": _part}

    def run(self):
        if "seed" not in self.options or "part" not in self.options:
            raise self.error("practice-exam needs the options :seed: and :part: (exam or key)")
        for module in ("practice", "problems", "concepts"):  # rebuild when the generator changes
            self.env.note_dependency(str(BOOK_ROOT / "exam" / f"{module}.py"))
        text = practice.render(self.options["seed"], self.options["part"], title=False, links=True)
        holder = nodes.container()
        lines = StringList(text.splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, holder, match_titles=True)
        return holder.children


def setup(app):
    app.add_directive("practice-exam", PracticeExamDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
