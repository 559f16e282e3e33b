"""A sentence's punctuation stays on the line of the formula it follows (issue 22).

On a phone the answer key showed "L = ... = 0.6579" and a lone "." on the next line: a browser may
break a line between an inline formula (MathJax's ``mjx-container``) and the text that follows it,
so the full stop of "$L = 0.6579$." started a line of its own. This HTML post-transform moves a
full stop, comma or semicolon that directly follows an inline formula into the formula
(``$L = 0.6579.$``): MathJax breaks an inline formula only after a relation or an operator, never
before that punctuation. The PDF keeps the sources' form (LaTeX does not start a line with "."). The
practice pages' data files get the same (``exam.site_data``).
"""

import sys
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

BOOK_ROOT = Path(__file__).resolve().parents[1]
if str(BOOK_ROOT) not in sys.path:  # the ``exam`` package lives at the book's root
    sys.path.insert(0, str(BOOK_ROOT))

from exam.site_data import TRAILING_MARK  # noqa: E402 - the practice data's text follows the same rule


class PunctuationIntoInlineMath(SphinxPostTransform):
    default_priority = 790  # before phone_tables copies the headings (800): the copies are moved already
    formats = ("html",)

    def run(self, **kwargs):
        for formula in list(self.document.findall(nodes.math)):
            following = formula.next_node(descend=False, siblings=True)
            if not isinstance(following, nodes.Text):
                continue
            mark = TRAILING_MARK.match(str(following))
            if mark is None:
                continue
            formula.children = [nodes.Text(formula.astext() + mark.group(1))]
            # found by identity: docutils' own replace() and remove() find a Text by its value, and
            # "$a$, $b$, $c$" holds two equal ", " texts
            siblings = following.parent.children
            place = next(i for i, child in enumerate(siblings) if child is following)
            rest = nodes.Text(str(following)[1:])
            rest.parent = following.parent
            siblings[place : place + 1] = [rest] if len(rest) else []  # a node is always true


def setup(app):
    app.add_post_transform(PunctuationIntoInlineMath)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
