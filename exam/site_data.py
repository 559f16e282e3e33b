"""The practice site's data: variants, step functions and mistakes of each type; mock papers; concepts.

Written at build time into the HTML output by ``_ext/practice_site.py`` (never committed); read by
the pages' JavaScript (``_static/practice/``) through ``<script>`` tags, so the site works from disk.

Files and format (the contract with the pages' JavaScript)
----------------------------------------------------------
``<outdir>/practice/data/<type>.js``, one per slug of :data:`exam.types.TYPES`, holds one call::

    CoursePractice.register(<JSON>, {"<step>": function (g, v) {...}, ...},
                            {"<step>:<mistake id>": function (g, v) {...}, ...});

The JSON object has ``type``, ``title``, ``chapter`` (``title``, ``href`` relative to the practice
pages), ``points``, ``minutes``, ``steps`` (``name``, ``label_html``, ``aria``, ``part``, ``uses``:
the earlier steps its function reads), ``mistakes`` (``id`` = ``"<step>:<slip>"``, ``step``,
``hint``: never the value), ``variants`` and ``generator`` (the seed rule below, in words).
A variant is ``{"n", "givens", "answers"}``; its text is in ``<outdir>/practice/data/<type>/<n>.js``,
``CoursePractice.registerVariantText("<type>", <n>, {"statement_html", "solution_html"})``, loaded when the
variant is shown (as MathML the forty texts would outweigh the rest of the page). ``givens`` are the
maker's drawn inputs plus the derived numbers the step functions read (``C``, ``activation_index``),
``answers`` map each step to ``nnlib``'s number in full double precision (``Problem.answers``).
A step that a variant does not ask (label smoothing with 3 classes has no ``target[3]``) is absent
from that variant's ``answers``. A step function ``f(g, v)`` takes the givens and the values of
earlier steps (``v["z1"]``), so the page can check a step on the student's own earlier numbers.

``<outdir>/practice/papers/<N>.js`` for N = 1..``MOCK_PAPERS``: ``CoursePractice.registerPaper(<JSON>,
{<problem index>: {step functions}}, {<problem index>: {mistake functions}})``, the paper that
``exam.practice.make_exam(N)`` draws (``make practice SEED=N``): ``number``, ``points``, ``minutes``,
``problems`` (as a type's record, one variant's fields inlined: ``type``, ``title``, ``points``,
``minutes``, ``chapter``, ``steps``, ``mistakes``, ``givens``, ``answers``, ``statement_html``,
``solution_html``) and ``concepts`` (``id``, ``question_html``, ``answer_html``, ``points``,
``chapter``). Number 2026 is the sample exam of the book and never a mock paper.

``<outdir>/practice/papers/index.js``: ``CoursePractice.registerPaperList([1, 2, 4, ...])``, the
numbers of the papers that exist.

``<outdir>/practice/data/concepts.js``: ``CoursePractice.registerConcepts([{"id", "question_html",
"answer_html", "chapter"}, ...])``, the conceptual questions of ``exam.concepts.CONCEPTS``.

Seed rule: variant ``n`` of type ``slug`` is drawn by the type's maker with
``numpy.random.default_rng([zlib.crc32(slug), n])``, so ``practice/momentum.html#momentum-17``
shows the same numbers in every build. The sample exam's key is withheld from the students' site,
so no variant or paper may show one of its numbers that the chapters do not print anyway: a
draw whose text holds one (:func:`withheld_numbers`) is left out, on both sites alike, and the
next ``n`` is drawn instead. The variants' ``n`` therefore rise with a few gaps (``#kl-1`` does
not exist); the papers' numbers likewise skip the few that are left out. Text is MyST markdown
rendered by markdown-it-py; the book build writes its math as MathML (``write``'s ``math``, given by
``_ext/practice_mathml.py``: the practice pages do not load MathJax); without it the math is left as
``\\( ... \\)`` and ``\\[ ... \\]`` for MathJax.
"""

import functools
import html
import json
import re
import shutil
import zlib
from pathlib import Path

import numpy as np
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from exam import practice
from exam.concepts import CONCEPTS
from exam.steps import SPECS, answer_of, js_function
from exam.types import TYPES

VARIANTS = 40
MOCK_PAPERS = 100
SAMPLE_EXAM = 2026  # the book's sample exam: never a mock paper
CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
GENERATOR = (
    "Variant n of type T is drawn by T's maker in exam/problems.py with "
    "numpy.random.default_rng([zlib.crc32(T), n]): the same numbers in every build."
)


@functools.cache
def withheld_numbers():
    """The sample key's numbers (3+ significant digits) that no chapter prints: the site never shows them.

    The students' site leaves the sample exam's key out (``tests/built/test_student_site.py``); a number
    such as 0.1667 that a chapter prints anyway gives nothing away.
    """
    numbers = re.findall(r"(?<![\d.])-?\d+\.\d+(?![\d.])", practice.render(SAMPLE_EXAM, "key"))
    chapters = "".join(path.read_text(encoding="utf-8") for path in sorted(CHAPTERS.glob("*.ipynb")))
    return frozenset(
        n for n in numbers if len(n.lstrip("-").replace(".", "").strip("0")) >= 3 and n not in chapters
    )


def shows_sample_key(text):
    """Whether ``text`` holds a withheld number of the sample key (as a substring, as a search finds it)."""
    return any(number in text for number in withheld_numbers())


def variant_seed(slug, n):
    """The seed of variant ``n`` of type ``slug`` (see the module docstring)."""
    return [zlib.crc32(slug.encode("utf-8")), n]


def draw(slug, n):
    """Variant ``n`` (1, 2, ...) of type ``slug``: the maker's :class:`~exam.problems.Problem`."""
    maker, _ = TYPES[slug]
    return maker(np.random.default_rng(variant_seed(slug, n)))


@functools.cache
def variant_numbers(slug, count=VARIANTS):
    """The ``n`` of the ``count`` variants the site ships: 1, 2, ... less those showing the sample key."""
    numbers, n = [], 0
    while len(numbers) < count:
        n += 1
        record = variant_record(slug, draw(slug, n), n)
        if not shows_sample_key(json.dumps(record, ensure_ascii=False)):
            numbers.append(n)
    return tuple(numbers)


# A full stop, comma or semicolon right after an inline formula, with what follows it (the end of the text, a
# space, a closing bracket): it goes into the formula, so that a browser never starts a line with it ("L =
# 0.6579" and a lone "." on a phone). _ext/math_punctuation.py does the same for the book's pages. Not a
# colon: in a formula TeX spaces it as a relation ("a_k(1 - a_k) : delta_1").
TRAILING_MARK = re.compile(r"^([.,;])(?=$|[\s)\]])")


def _math_inline(self, tokens, idx, options, env):
    tex = tokens[idx].content
    following = tokens[idx + 1] if idx + 1 < len(tokens) and tokens[idx + 1].type == "text" else None
    mark = TRAILING_MARK.match(following.content) if following is not None else None
    if mark is not None:
        tex += mark.group(1)
        following.content = following.content[1:]
    if env.get("math"):
        return env["math"](tex, False)
    return "\\(" + html.escape(tex, quote=False) + "\\)"


def _math_block(self, tokens, idx, options, env):
    if env.get("math"):
        return env["math"](tokens[idx].content.strip(), True) + "\n"
    return "<p>\\[" + html.escape(tokens[idx].content.strip(), quote=False) + "\\]</p>\n"


def _markdown():
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin, double_inline=True)
    md.add_render_rule("math_inline", _math_inline)
    md.add_render_rule("math_block", _math_block)
    md.add_render_rule("math_block_label", _math_block)
    return md


_MD = _markdown()


def to_html(text, math=None):
    """MyST markdown of a statement or key as compact HTML, the math kept for MathJax, or written by
    ``math(tex, display)`` (the book build's MathML, ``_ext/practice_mathml.py``) when given."""
    return _MD.render(text, {"math": math})


def chapter_record(slug, chapters):
    """``{"title", "href"}`` of the chapter teaching ``slug``; ``chapters`` maps docname -> title."""
    docname = TYPES[slug][1]
    return {"title": chapters.get(docname, docname), "href": f"../{docname}.html"}


def _type_fields(slug):
    spec = SPECS[slug]
    steps = [
        {"name": s.name, "label_html": s.label_html, "aria": s.aria, "part": s.part, "uses": s.uses()}
        for s in spec.steps
    ]
    mistakes = [
        {"id": f"{s.name}:{m.id}", "step": s.name, "hint": m.hint} for s in spec.steps for m in s.mistakes
    ]
    return steps, mistakes


def _functions(slug):
    spec = SPECS[slug]
    steps = {s.name: js_function(s.expr) for s in spec.steps}
    mistakes = {f"{s.name}:{m.id}": js_function(m.expr) for s in spec.steps for m in s.mistakes}
    return steps, mistakes


def _js_object(functions):
    return "{" + ",\n".join(f"{json.dumps(name)}: {code}" for name, code in functions.items()) + "}"


def variant_record(slug, problem, n=None, math=None):
    """A drawn problem as the page's variant: givens, nnlib's answers per step, its statement and key."""
    spec = SPECS[slug]
    answers = {}
    for step in spec.steps:
        try:
            answers[step.name] = answer_of(problem.answers, step.name)
        except (KeyError, IndexError):
            continue  # a step this variant does not ask (fewer classes)
    record = {
        "givens": spec.givens(problem),
        "answers": answers,
        "statement_html": to_html(problem.statement, math),
        "solution_html": to_html(problem.solution, math),
    }
    return record if n is None else {"n": n, **record}


def type_data(slug, chapters, variants=VARIANTS, math=None):
    """The JSON object of ``<type>.js`` (see the module docstring), each variant with its text, which
    :func:`type_files` moves into the variant's own file."""
    numbers = variant_numbers(slug, variants)
    steps, mistakes = _type_fields(slug)
    first = draw(slug, numbers[0])
    return {
        "type": slug,
        "title": first.title,
        "chapter": chapter_record(slug, chapters),
        "points": first.points,
        "minutes": first.minutes,
        "steps": steps,
        "mistakes": mistakes,
        "variants": [variant_record(slug, draw(slug, n), n, math) for n in numbers],
        "generator": GENERATOR,
    }


TEXT_FIELDS = ("statement_html", "solution_html")


def type_files(slug, chapters, variants=VARIANTS, math=None):
    """The text of ``practice/data/<slug>.js`` (the variants without their text) and of each
    ``practice/data/<slug>/<n>.js`` (one variant's statement and solution), as ``{n: text}``."""
    steps, mistakes = _functions(slug)
    data = type_data(slug, chapters, variants, math)
    texts = {}
    for variant in data["variants"]:
        fields = {name: variant.pop(name) for name in TEXT_FIELDS}
        fields = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        call = f"CoursePractice.registerVariantText({json.dumps(slug)}, {variant['n']}, {fields});\n"
        texts[variant["n"]] = call
    data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"CoursePractice.register({data},\n{_js_object(steps)},\n{_js_object(mistakes)});\n", texts


def concept_record(index, chapter_of_label, math=None):
    """Concept ``index`` of ``CONCEPTS`` for the pages; ``chapter_of_label`` maps a label to {title, href}."""
    question, answer, label = CONCEPTS[index]
    return {
        "id": f"concept-{index}",
        "question_html": to_html(question, math),
        "answer_html": to_html(answer, math),
        "chapter": chapter_of_label(label),
    }


def paper_data(number, chapters, chapter_of_label, math=None):
    """The JSON object of mock paper ``number``: exactly ``exam.practice.make_exam(number)``."""
    if number == SAMPLE_EXAM:
        raise ValueError(f"{SAMPLE_EXAM} is the sample exam of the book, not a mock paper")
    problems, concepts = practice.make_exam(number)
    records = []
    for problem in problems:
        steps, mistakes = _type_fields(problem.kind)
        records.append(
            {
                "type": problem.kind,
                "title": problem.title,
                "points": problem.points,
                "minutes": problem.minutes,
                "chapter": chapter_record(problem.kind, chapters),
                "steps": steps,
                "mistakes": mistakes,
                **variant_record(problem.kind, problem, math=math),
            }
        )
    concept_records = [
        {**concept_record(CONCEPTS.index(c), chapter_of_label, math), "points": practice.CONCEPT_POINTS}
        for c in concepts
    ]
    total = sum(p.points for p in problems) + practice.CONCEPT_POINTS * len(concepts)
    return {
        "number": number,
        "points": total,
        "minutes": practice.minutes(problems, concepts),
        "problems": records,
        "concepts": concept_records,
    }


def paper_file(number, chapters, chapter_of_label, math=None):
    """The text of ``practice/papers/<number>.js``."""
    data = paper_data(number, chapters, chapter_of_label, math)
    steps = {i: _functions(p["type"]) for i, p in enumerate(data["problems"])}
    step_js = "{" + ",\n".join(f'"{i}": {_js_object(s)}' for i, (s, _) in steps.items()) + "}"
    mistake_js = "{" + ",\n".join(f'"{i}": {_js_object(m)}' for i, (_, m) in steps.items()) + "}"
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"CoursePractice.registerPaper({text},\n{step_js},\n{mistake_js});\n"


@functools.cache
def paper_numbers():
    """The mock papers' numbers: from 1 up, less the sample exam's and those showing its key's numbers."""
    numbers, n = [], 0
    while len(numbers) < MOCK_PAPERS:
        n += 1
        if n != SAMPLE_EXAM and not shows_sample_key(
            json.dumps(paper_data(n, {}, _no_label), ensure_ascii=False)
        ):
            numbers.append(n)
    return tuple(numbers)


def concepts_file(chapter_of_label, math=None):
    """The text of ``practice/data/concepts.js``."""
    records = [concept_record(i, chapter_of_label, math) for i in range(len(CONCEPTS))]
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    return f"CoursePractice.registerConcepts({text});\n"


def _no_label(label):
    return {"title": label, "href": None}


def write(outdir, chapters=None, chapter_of_label=_no_label, math=None):
    """Write every data file under ``<outdir>/practice`` (an earlier build's replaced); return their paths.
    ``math(tex, display)``, when given, writes each formula's HTML (else ``\\( \\)`` for MathJax)."""
    chapters = chapters or {}
    data_dir, paper_dir = Path(outdir, "practice", "data"), Path(outdir, "practice", "papers")
    for folder in (data_dir, paper_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    written = []
    for slug in TYPES:
        data, texts = type_files(slug, chapters, math=math)
        written.append(data_dir / f"{slug}.js")
        written[-1].write_text(data, encoding="utf-8")
        (data_dir / slug).mkdir()
        for n, text in texts.items():
            written.append(data_dir / slug / f"{n}.js")
            written[-1].write_text(text, encoding="utf-8")
    written.append(data_dir / "concepts.js")
    written[-1].write_text(concepts_file(chapter_of_label, math), encoding="utf-8")
    for number in paper_numbers():
        written.append(paper_dir / f"{number}.js")
        written[-1].write_text(paper_file(number, chapters, chapter_of_label, math), encoding="utf-8")
    written.append(paper_dir / "index.js")
    listed = json.dumps(list(paper_numbers()))
    written[-1].write_text(f"CoursePractice.registerPaperList({listed});\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    import sys
    import time

    start = time.perf_counter()
    for path in write(sys.argv[1] if len(sys.argv) > 1 else "_build/practice-data"):
        print(f"{path.stat().st_size:8d} {path}")
    print(f"{time.perf_counter() - start:.1f} s")
