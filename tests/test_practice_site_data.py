"""The practice site's data files (exam/site_data.py): counts, stable addresses, sizes, mock papers.

The files are written here into a temporary folder, as the book build writes them into _build/html
(tests/js/practice_steps.test.cjs checks the built ones in Node).
"""

import json
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the exam package sits at the root
from exam import practice, site_data  # noqa: E402
from exam.concepts import CONCEPTS  # noqa: E402
from exam.problems import fmt  # noqa: E402
from exam.steps import SPECS, answer_of  # noqa: E402
from exam.types import TYPES  # noqa: E402

TYPE_BUDGET = 150_000  # bytes of one type's data file (issue 21)


def _call(text, function):
    """The JSON argument of ``CoursePractice.<function>(<JSON>, ...)`` in a data file."""
    prefix = f"CoursePractice.{function}("
    assert text.startswith(prefix), text[:80]
    value, _ = json.JSONDecoder().raw_decode(text[len(prefix) :])
    return value


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    paths = site_data.write(out, {"chapters/08_momentum_nesterov": "Momentum and Nesterov"})
    return out / "practice", paths


def _type(written, slug):
    return _call((written[0] / "data" / f"{slug}.js").read_text(encoding="utf-8"), "register")


def _variant_text(written, slug, n):
    """The arguments of ``CoursePractice.registerVariantText("<slug>", n, {...});`` in data/<slug>/<n>.js."""
    text = (written[0] / "data" / slug / f"{n}.js").read_text(encoding="utf-8")
    prefix, suffix = "CoursePractice.registerVariantText(", ");\n"
    assert text.startswith(prefix) and text.endswith(suffix), text[:80]
    return json.loads("[" + text[len(prefix) : -len(suffix)] + "]")


def test_every_type_has_at_least_40_numbered_variants(written):
    total = 0
    for slug in TYPES:
        data = _type(written, slug)
        assert data["type"] == slug
        numbers = [variant["n"] for variant in data["variants"]]
        assert numbers == sorted(set(numbers)) and numbers[0] >= 1 and len(numbers) >= 40, slug
        for n in set(range(1, numbers[-1])) - set(numbers):  # a gap: that draw shows a sample key number
            assert site_data.shows_sample_key(
                json.dumps(site_data.variant_record(slug, site_data.draw(slug, n)))
            )
        steps = [step["name"] for step in data["steps"]]
        for variant in data["variants"]:
            assert set(variant["answers"]) <= set(steps) and variant["answers"], (slug, variant["n"])
            total += len(variant["answers"])
        assert {m["step"] for m in data["mistakes"]} <= set(steps)
    assert len(TYPES) == 19
    print(f"{len(TYPES)} types x >= 40 variants; {total} checkable numbers")


def test_the_chapter_and_the_seed_rule_are_in_the_file(written):
    data = _type(written, "momentum")
    assert data["chapter"] == {
        "title": "Momentum and Nesterov",
        "href": "../chapters/08_momentum_nesterov.html",
    }
    assert "default_rng([zlib.crc32(T), n])" in data["generator"]


@pytest.mark.parametrize("slug", ["momentum", "network", "schedule-cosine", "label-smoothing"])
def test_addresses_are_stable(written, slug):
    """Variant n is the maker's draw with numpy.random.default_rng([crc32(slug), n]), as documented."""
    maker = TYPES[slug][0]
    for variant in _type(written, slug)["variants"]:
        problem = maker(np.random.default_rng([zlib.crc32(slug.encode()), variant["n"]]))
        for name, value in problem.givens.items():
            assert variant["givens"][name] == value, (slug, variant["n"], name)
        for name, value in variant["answers"].items():
            assert value == answer_of(problem.answers, name)


def test_momentum_17_is_the_same_numbers_in_every_build(written):
    """Pinned: a teacher's link to #momentum-17 must keep showing these numbers."""
    givens = _type(written, "momentum")["variants"][16]["givens"]
    assert givens == {"a": 2.0, "theta0": -1.0, "lr": 0.2, "mu": 0.9}


def test_answers_are_nnlibs_in_full_precision(written):
    data = _type(written, "network")
    variant = data["variants"][2]
    problem = site_data.draw("network", variant["n"])
    assert variant["answers"]["loss"] == float(problem.answers["loss"])


def test_statements_are_html_with_the_math_left_for_mathjax(written):
    n = _type(written, "network")["variants"][0]["n"]
    slug, number, text = _variant_text(written, "network", n)
    assert (slug, number) == ("network", n)
    assert "\\(" in text["statement_html"] and "\\[" in text["statement_html"]
    assert "$" not in text["statement_html"] and "<table>" in text["solution_html"]
    problem = site_data.draw("network", n)
    assert text == {"statement_html": site_data.to_html(problem.statement),
                    "solution_html": site_data.to_html(problem.solution)}
    assert site_data.to_html("a $x<y$ b\n\n$$z$$") == "<p>a \\(x&lt;y\\) b</p>\n<p>\\[z\\]</p>\n"


def test_math_is_written_by_the_given_converter():
    """The book build passes its MathML converter; what it returns stands where the formula was."""
    seen = []

    def math(tex, display):
        seen.append((tex, display))
        return f"[{'D' if display else 'I'}:{tex}]"

    assert site_data.to_html("a $x<y$ b\n\n$$z$$", math) == "<p>a [I:x<y] b</p>\n[D:z]\n"
    assert seen == [("x<y", False), ("z", True)]


def test_each_variant_has_its_text_file_and_the_type_file_holds_none(written):
    for slug in TYPES:
        data = _type(written, slug)
        numbers = {variant["n"] for variant in data["variants"]}
        files = {int(path.stem) for path in (written[0] / "data" / slug).glob("*.js")}
        assert files == numbers, slug
        for variant in data["variants"]:
            assert set(variant) == {"n", "givens", "answers"}, (slug, variant["n"])


def test_sizes_are_within_budget(written):
    sizes = {slug: (written[0] / "data" / f"{slug}.js").stat().st_size for slug in TYPES}
    print("largest type file:", max(sizes.items(), key=lambda item: item[1]))
    assert max(sizes.values()) <= TYPE_BUDGET


def test_100_mock_papers_drawn_by_make_exam_and_never_2026(written):
    papers = sorted(int(path.stem) for path in (written[0] / "papers").glob("*.js") if path.stem != "index")
    listed = (written[0] / "papers" / "index.js").read_text(encoding="utf-8")
    assert listed == f"CoursePractice.registerPaperList({json.dumps(papers)});\n"
    assert (
        papers == list(site_data.paper_numbers())
        and len(papers) == 100
        and site_data.SAMPLE_EXAM not in papers
    )
    for number in (1, 7, 54, papers[-1]):
        paper = _call((written[0] / "papers" / f"{number}.js").read_text(encoding="utf-8"), "registerPaper")
        problems, concepts = practice.make_exam(number)
        assert paper["number"] == number
        assert [p["type"] for p in paper["problems"]] == [p.kind for p in problems]
        for record, problem in zip(paper["problems"], problems, strict=True):
            assert record["points"] == problem.points and record["minutes"] == problem.minutes
            assert record["statement_html"] == site_data.to_html(problem.statement)
            for name, value in record["answers"].items():
                assert value == answer_of(problem.answers, name)
            assert set(record["answers"]) >= {s.name for s in SPECS[problem.kind].steps} - {
                "target[3]",
                "grad[3]",
            }
        assert [c["question_html"] for c in paper["concepts"]] == [
            site_data.to_html(q) for q, _, _ in concepts
        ]
        assert paper["minutes"] == practice.minutes(problems, concepts)
        assert paper["points"] == sum(p.points for p in problems) + 3 * len(concepts)
    with pytest.raises(ValueError, match="2026"):
        site_data.paper_data(site_data.SAMPLE_EXAM, {}, site_data._no_label)


def test_concepts_file_holds_every_concept(written):
    records = _call((written[0] / "data" / "concepts.js").read_text(encoding="utf-8"), "registerConcepts")
    assert len(records) == len(CONCEPTS) >= 40
    assert len({r["id"] for r in records}) == len(records)


def test_no_file_shows_a_number_of_the_withheld_sample_key(written):
    """The students' site leaves out the sample exam's key: no variant or paper may print its numbers."""
    problems, _ = practice.make_exam(site_data.SAMPLE_EXAM)
    network = problems[0]
    assert network.kind == "network"
    chapters = "".join(p.read_text(encoding="utf-8") for p in site_data.CHAPTERS.glob("*.ipynb"))
    shown = {fmt(network.answers[name]) for name in ("loss", "delta3", "y_hat")} - {
        n for n in site_data.withheld_numbers() if n in chapters
    }
    assert shown and shown <= site_data.withheld_numbers()
    for path in written[1]:
        text = path.read_text(encoding="utf-8")
        assert not [n for n in shown | site_data.withheld_numbers() if n in text], path.name
