"""A sentence's full stop, comma or semicolon after an inline formula goes into the formula (issue 22: on a
phone the key showed "L = ... = 0.6579" and a lone "." on the next line). The book's pages get it from
_ext/math_punctuation.py, the practice pages' data from exam.site_data; tests/browser/visible.js checks
what a reader sees at 390 px."""

import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT))  # the exam package sits at the root
import math_punctuation  # noqa: E402

from exam.site_data import to_html  # noqa: E402


def _paragraph(*parts):
    """A document of one paragraph: ("math", tex) or ("text", text) parts, in order."""
    document = new_document("test", get_default_settings(Parser))
    paragraph = nodes.paragraph()
    for kind, value in parts:
        paragraph += nodes.math(value, value) if kind == "math" else nodes.Text(value)
    document += paragraph
    math_punctuation.PunctuationIntoInlineMath(document).run()
    return [(type(child).__name__, child.astext()) for child in paragraph.children]


def test_the_mark_after_a_formula_goes_into_it():
    assert _paragraph(("text", "Loss "), ("math", "L = 0.6579"), ("text", ".")) == [
        ("Text", "Loss "), ("math", "L = 0.6579.")]
    assert _paragraph(("math", "z_3 = 1"), ("text", ", then more; ")) == [
        ("math", "z_3 = 1,"), ("Text", " then more; ")]


def test_equal_texts_between_formulas_are_each_moved_once():
    # "[link], $a$, $b$, $c$": the ", " texts are equal strings, and docutils finds a Text by its value
    assert _paragraph(("text", ", "), ("math", "a"), ("text", ", "), ("math", "b"), ("text", ", "),
                      ("math", "c"), ("text", ".")) == [("Text", ", "), ("math", "a,"), ("Text", " "),
                                                        ("math", "b,"), ("Text", " "), ("math", "c.")]


@pytest.mark.parametrize("after", [".5 more", ":", "...", "x.", ",5"])
def test_other_text_after_a_formula_stays(after):
    # a decimal, a colon (TeX spaces it as a relation), an ellipsis, a word
    assert _paragraph(("math", "x"), ("text", after)) == [("math", "x"), ("Text", after)]


def test_the_practice_data_follows_the_same_rule():
    assert to_html("Loss $L = 0.6579$. Then $a$, $b$; $c$: and $x$.5") == (
        "<p>Loss \\(L = 0.6579.\\) Then \\(a,\\) \\(b;\\) \\(c\\): and \\(x\\).5</p>\n")
