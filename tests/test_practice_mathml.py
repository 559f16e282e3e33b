"""The practice pages' math as MathML (_ext/practice_mathml.py): MathJax's TeX input, in Node at build time.

Expected MathML is written here by hand from the MathML Core elements each TeX construct means (a fraction
is <mfrac> of numerator and denominator, x_i^2 is <msubsup>...), not copied from the converter's output.
"""

import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.utils import new_document
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT))
import practice_mathml  # noqa: E402

from exam import site_data  # noqa: E402

VARIANT_TEXT_BUDGET = 30_000  # bytes of one variant's statement and solution as MathML


@pytest.fixture(scope="module")
def convert():
    converter = practice_mathml.TexToMathML()
    yield converter
    converter.close()


@pytest.mark.parametrize(("tex", "expected"), [
    (r"\frac{1}{N}", "<math><mfrac><mn>1</mn><mi>N</mi></mfrac></math>"),
    ("x_i^2", "<math><msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup></math>"),
    (r"w_{11}", "<math><msub><mi>w</mi><mrow><mn>11</mn></mrow></msub></math>"),
    (r"\sum_{i=1}^{N} x_i",
     "<math><munderover><mo>\u2211</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mrow><mi>N</mi></mrow>"
     "</munderover><msub><mi>x</mi><mi>i</mi></msub></math>"),
    # an accent is one on its <mover> (MathML Core reads it there)
    (r"\hat y",
     '<math><mrow><mover accent="true"><mi>y</mi><mo stretchy="false">^</mo></mover></mrow></math>'),
    # TeX's unary minus after a relation or a comma; a binary one stays infix
    ("b = -0.1, a - c",
     '<math><mi>b</mi><mo>=</mo><mo form="prefix">\u2212</mo><mn>0.1</mn><mo>,</mo><mi>a</mi><mo>\u2212</mo>'
     "<mi>c</mi></math>"),
    (r"(z) - y", '<math><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>\u2212</mo>'
                 "<mi>y</mi></math>"),
    (r"\partial L/\partial z",
     '<math><mi>\u2202</mi><mi>L</mi><mo lspace="0" rspace="0">/</mo><mi>\u2202</mi><mi>z</mi></math>'),
    # a sentence's full stop, moved into its formula (_ext/math_punctuation.py), sits close as in TeX
    ("L = 0.5.", '<math><mi>L</mi><mo>=</mo><mn>0.5</mn><mo lspace="0" rspace="0">.</mo></math>'),
    ("x<y", "<math><mi>x</mi><mo>&lt;</mo><mi>y</mi></math>"),
    (r"\lvert d\rvert", '<math><mo form="prefix" fence="false" stretchy="false">|</mo><mi>d</mi>'
                        '<mo form="postfix" fence="false" stretchy="false">|</mo></math>'),
])
def test_tex_becomes_compact_mathml_core(convert, tex, expected):
    assert convert(tex, False) == expected


def test_a_long_inline_formula_is_cut_after_its_relations_and_commas_short_ones_are_not(convert):
    assert convert("a = b + c", False).count("<math") == 1
    long = convert(r"L = \frac{1}{2} = (0.2500,\ 0.5000,\ 0.7500)", False)
    assert long == ("<math><mi>L</mi><mo>=</mo></math>"
                    "<math><mfrac><mn>1</mn><mn>2</mn></mfrac><mo>=</mo></math>"
                    '<math><mo stretchy="false">(</mo><mn>0.2500</mn><mo>,</mo></math>'
                    "<math><mtext>\u00a0</mtext><mn>0.5000</mn><mo>,</mo></math>"
                    '<math><mtext>\u00a0</mtext><mn>0.7500</mn><mo stretchy="false">)</mo></math>')


def test_display_math_is_a_block_in_a_box_that_can_scroll(convert):
    assert convert("x = 1", True) == ('<div class="practice-math"><math display="block"><mi>x</mi><mo>=</mo>'
                                      "<mn>1</mn></math></div>")


def test_aligned_becomes_a_table(convert):
    mathml = convert(r"\begin{aligned} a &= 1\\ b &= 2 \end{aligned}", True)
    assert mathml.count("<mtr>") == 2 and mathml.count("<mtd>") == 4 and "&amp;" not in mathml


@pytest.mark.parametrize("tex", [r"\undefinedmacro x", "x^{"])
def test_tex_mathjax_cannot_read_stops_the_build(convert, tex):
    with pytest.raises(ExtensionError, match="cannot read"):
        convert(tex, False)


class _App:
    def __init__(self, builder_format):
        self.builder = type("Builder", (), {"format": builder_format})()


def _doctree():
    document = new_document("test")
    paragraph = nodes.paragraph()
    paragraph += nodes.math(text="x^2")
    document += paragraph
    document += nodes.math_block(text=r"\frac{1}{2}")
    return document


@pytest.mark.parametrize(("builder_format", "docname", "converted"), [
    ("html", "practice/network", True),
    ("latex", "practice/network", False),   # the PDF keeps its math
    ("html", "chapters/06_optimization_basics", False),   # the chapters keep MathJax
])
def test_only_practice_pages_of_the_html_builder_get_mathml(builder_format, docname, converted):
    doctree = _doctree()
    practice_mathml._math_to_mathml(_App(builder_format), doctree, docname)
    math_left = list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))))
    raw = [n.astext() for n in doctree.findall(nodes.raw)]
    if converted:
        assert not math_left
        assert raw == ["<math><msup><mi>x</mi><mn>2</mn></msup></math>",
                       '<div class="practice-math"><math display="block"><mfrac><mn>1</mn><mn>2</mn></mfrac>'
                       "</math></div>"]
    else:
        assert len(math_left) == 2 and not raw


def test_the_network_variants_as_mathml_hold_no_tex_and_are_small(convert):
    """The book build's data of the heaviest type: every formula converted, each variant's text small."""
    data, texts = site_data.type_files("network", {}, math=convert)
    assert len(data.encode()) <= 150_000
    for n, text in texts.items():
        assert "<math" in text and "\\(" not in text and "\\[" not in text and "$" not in text, n
        assert len(text.encode()) <= VARIANT_TEXT_BUDGET, (n, len(text.encode()))
