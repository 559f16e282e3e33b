"""The practice pages' math as MathML, written at build time, so those pages do not load MathJax.

Issue 21 asks that a practice page's first load be at most 1 MB. The theme's styles and scripts weigh
about 0.8 MB on every page, and MathJax 4 (``_ext/mathjax4.py``) another 0.7 MB. Browsers render MathML
Core themselves (Chromium 109 and later, Firefox, Safari) and screen readers read it, so the practice pages
get their formulas as ``<math>`` elements:

* The Markdown math of a page under ``practice/`` (the static form of each problem type) becomes MathML
  when the HTML builder resolves the page (``doctree-resolved``); the LaTeX builder keeps its math, and so
  do the chapters, which still typeset with MathJax (its line breaking of long formulas on a phone).
  ``_ext/page_weight.py`` then leaves MathJax out of those pages, as they have no math node left.
* The statements, solutions and concept questions that ``exam.site_data`` writes for the pages'
  scripts get the same MathML (``exam.site_data.write``'s ``math`` argument).

The converter is MathJax's own TeX input, run once in Node at build time (``_ext/practice_tex2mml.cjs``;
the same parser as on the other pages, ``aligned`` and ``pmatrix`` included), not a second TeX parser.
Its output is made compact and fit for MathML Core here (:func:`compact`): a formula is written once per
TeX string (cached), without MathJax's ``data-*`` attributes or indentation, and an accent (``\\hat y``)
is marked as one, which MathML Core reads from the ``<mover>`` only. A display formula sits in a
``<div class="practice-math">`` that scrolls sideways when it is wider than the column (on a phone).
"""

import atexit
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from docutils import nodes
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).with_name("practice_tex2mml.cjs")
PRACTICE_PREFIX = "practice/"

DROPPED_ATTRIBUTES = re.compile(r'\s(?:data-[a-z-]+|xmlns)="[^"]*"')
ALL_BUT_CLASS = re.compile(r'\s(?:data-(?!mjx-texclass)[a-z-]+|xmlns)="[^"]*"')
BETWEEN_TAGS = re.compile(r">\s+<")
CHARACTER_REFERENCE = re.compile(r"&#x([0-9A-Fa-f]+);")
KEPT_ESCAPED = {"<", ">", "&", '"'}
# \hat y: MathJax writes <mover><mi>y</mi><mo stretchy="false">^</mo></mover>; MathML Core takes
# accent="true" from the <mover> itself (the operator dictionary's accent property is not read).
ACCENT_OVER = re.compile(r'<mover>((?:(?!<mover).)*?<mo(?: stretchy="false")?>'
                         r"[\^~\u02c6\u02dc\u00af\u02d9\u2192]</mo></mover>)")


# A sign after an operator, a comma or an opening bracket is unary, as in TeX (b = -0.1, (2, -1), a + -b):
# MathJax spaces it so itself, but its MathML leaves the sign infix, which MathML Core spaces as binary.
UNARY_SIGN = re.compile(r"(<mo[^>]*>([^<]*)</mo>(?:<mtext>[\s\u00a0]*</mtext>|<mspace[^>]*></mspace>)*)"
                        r"<mo>([\u2212+\u00b1\u2213])</mo>")
CLOSING = {")", "]", "}", "|", "\u2016", "\u2309", "\u230b", "\u27e9"}
# \lvert d\rvert: MathJax marks the bars' TeX class; MathML Core spaces a bar as a fence only by its form
FENCE_CLASS = re.compile(r' data-mjx-texclass="(OPEN|CLOSE)"')
FENCE_FORMS = {"OPEN": "prefix", "CLOSE": "postfix"}
# a slash is an ordinary symbol in TeX (\partial L/\partial z), not a spaced operator; so is a full stop
# (a sentence's, moved into its formula: _ext/math_punctuation.py), which MathML Core spaced as "0.1 ."
UNSPACED = ("/", ".")


def _unary(match):
    before, previous, sign = match.groups()
    if previous in CLOSING and 'OPEN"' not in before:
        return match.group(0)
    return f'{before}<mo form="prefix">{sign}</mo>'


def compact(mathml):
    """MathJax's MathML without its data attributes, indentation and numeric character references, with the
    spacing MathJax gives by TeX's rules written out where MathML Core would read it otherwise: an accent
    marked on its ``<mover>``, a unary sign as a prefix, the bars of ``\\lvert d\\rvert`` as fences, a
    slash and a full stop unspaced."""
    text = BETWEEN_TAGS.sub("><", mathml.strip())
    text = CHARACTER_REFERENCE.sub(
        lambda m: m.group(0) if chr(int(m.group(1), 16)) in KEPT_ESCAPED else chr(int(m.group(1), 16)), text)
    text = UNARY_SIGN.sub(_unary, ALL_BUT_CLASS.sub("", text))  # the class tells an opening bar
    text = FENCE_CLASS.sub(lambda m: f' form="{FENCE_FORMS[m.group(1)]}"', text)
    text = DROPPED_ATTRIBUTES.sub("", text)
    for symbol in UNSPACED:
        text = text.replace(f"<mo>{symbol}</mo>", f'<mo lspace="0" rspace="0">{symbol}</mo>')
    return ACCENT_OVER.sub(r'<mover accent="true">\1', text)


# Inline math: a browser does not break a <math> element across lines (MathJax breaks inline formulas at
# their relations and commas), so on a phone a long one ran past the column. A formula longer than
# LONG_INLINE characters is cut after each of its top-level relations and commas into several <math>
# elements, between which the line may break; their spacing stays that of the operator.
LONG_INLINE = 24
BREAK_AFTER = {"=", ",", ";", "<", ">", "\u2248", "\u2264", "\u2265", "\u2260", "\u2192", "\u2190"}


def breakable(mathml):
    """An inline ``<math>`` element, or several when it is long: cut after its top-level relations, commas."""
    root = ElementTree.fromstring(mathml)
    if len("".join(root.itertext())) <= LONG_INLINE or root.attrib:
        return mathml
    pieces, current = [], []
    for child in root:
        current.append(child)
        if child.tag == "mo" and (child.text or "") in BREAK_AFTER:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    if len(pieces) == 1:
        return mathml
    return "".join("<math>" + "".join(ElementTree.tostring(c, encoding="unicode", short_empty_elements=False)
                                      for c in piece) + "</math>" for piece in pieces)


class TexToMathML:
    """MathJax's TeX input in one Node process for the whole build; ``convert(tex, display)`` -> HTML."""

    def __init__(self):
        self._process = None
        self._cache = {}

    def _start(self):
        node = shutil.which("node")
        if node is None:
            raise ExtensionError("node is missing: the practice pages' math is converted to MathML by "
                                 "MathJax in Node at build time (scripts/ensure_node.sh installs it)")
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1,
        )
        atexit.register(self.close)

    def mathml(self, tex, display):
        """The ``<math>`` element of one formula (TeX source, as MathJax reads it)."""
        key = (tex, bool(display))
        if key not in self._cache:
            if self._process is None or self._process.poll() is not None:
                self._start()
            self._process.stdin.write(json.dumps([tex, bool(display)]) + "\n")
            answer = self._process.stdout.readline()
            if not answer:
                raise ExtensionError(f"MathJax in Node stopped while converting {tex!r}")
            mathml = json.loads(answer)
            if "<merror" in mathml:
                raise ExtensionError(f"MathJax cannot read the TeX {tex!r}: {mathml}")
            self._cache[key] = compact(mathml)
        return self._cache[key]

    def __call__(self, tex, display=False):
        """HTML of one formula: inline, the ``<math>`` element (a long one cut where a line may break);
        display, it inside a scrolling block."""
        mathml = self.mathml(tex, display)
        return f'<div class="practice-math">{mathml}</div>' if display else breakable(mathml)

    def close(self):
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process.stdout.close()
        self._process = None


CONVERTER = TexToMathML()


def to_mathml_html(tex, display=False):
    """One formula as HTML (the converter of the build); TeX as written between ``$`` or ``$$``."""
    return CONVERTER(tex, display)


def _math_to_mathml(app, doctree, docname):
    """Replace the math of a practice page by MathML (HTML builders only)."""
    if app.builder.format != "html" or not docname.startswith(PRACTICE_PREFIX):
        return
    for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        display = isinstance(node, nodes.math_block)
        if display and node.get("label"):
            raise ExtensionError(f"{docname}: a numbered equation ({node['label']}) on a practice page; "
                                 "_ext/practice_mathml.py writes its formulas without numbers")
        raw = nodes.raw("", to_mathml_html(node.astext(), display), format="html")
        node.replace_self(raw)


def _close(app, exception):
    CONVERTER.close()


def setup(app):
    app.connect("doctree-resolved", _math_to_mathml)
    app.connect("build-finished", _close, priority=900)  # after the data files are written
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

