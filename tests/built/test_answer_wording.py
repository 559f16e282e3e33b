"""Each built site says of its answers what it holds (issue 22).

The full site (``_build/html``) and the students' site (``COURSE_HIDE_SOLUTIONS=1``,
``_build/students/_build/html``) are built from the same pages. The students' site had said
"each answer is in a collapsed cell" where the cell holds ``raise NotImplementedError``, "the
answers are on the page" of a key that says it is not published, and "solutions are folded away"
where they are gone; the full site said the answers were collapsed while their outputs showed.

What each site holds is read from its HTML, independently of the wording's source
(_ext/answers.py):

* the key: the answer-key page has no "not published" notice;
* the exercise pages' answers: the cells tagged ``solution`` hold code other than the stub
  ``raise NotImplementedError``; they count as folded when the cell's code and its output are
  both inside a closed ``<details>``;
* the chapters' solutions: a chapter page has a sphinx-exercise solution block.

Then every sentence of every page's article that speaks of answers, solutions or keys is matched
against a list of claims: a sentence that promises what the site lacks, or says a thing is left
out that the site holds, fails.
"""

import os
import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
SITES = {
    "full": Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html")),
    "students": Path(os.environ.get("COURSE_STUDENT_SITE", ROOT / "_build" / "students" / "_build" / "html")),
}
KEY_PAGE = "exam/sample_key.html"
SKIP = {"_static", "_sources", "_images", "_downloads", "jupyter_execute", "student"}
SPEAKS_OF_ANSWERS = re.compile(r"\b(answers?|solutions?|key)\b", re.I)

# (what the sentence claims, pattern): "has X" claims that the site shows X, "lacks X" that it does not
CLAIMS = [
    ("has key", re.compile(r"answers are on the page|worked answers to", re.I)),
    ("lacks key", re.compile(r"(answer )?key is not published", re.I)),
    ("has folded exercise answers",
     re.compile(r"each answer is in a collapsed cell|click it to show the answer", re.I)),
    ("lacks exercise answers", re.compile(r"exercise sets without their answers", re.I)),
    ("has chapter solutions", re.compile(r"solutions are folded away", re.I)),
    ("lacks chapter solutions", re.compile(r"leaves their solutions out|solution is not published", re.I)),
]


def _pages(site):
    return sorted(p for p in site.rglob("*.html") if not SKIP.intersection(p.relative_to(site).parts[:-1]))


@cache
def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _article(path):
    return _soup(path).find("article", class_="bd-article")


def _answer_cells(site):
    cells = []
    for path in sorted((site / "exercises").glob("*.html")):
        article = _article(path)
        if article is not None:
            cells.extend((path.name, cell) for cell in article.select("div.cell.tag_solution"))
    return cells


def _folded(cell):
    """The cell's code and output (when it has one) are inside a closed <details>."""
    parts = cell.select("div.cell_input") + cell.select("div.cell_output")
    return bool(parts) and all(
        (details := part.find_parent("details")) is not None and not details.has_attr("open")
        for part in parts)


@cache
def facts(name):
    site = SITES[name]
    key = _article(site / KEY_PAGE)
    cells = _answer_cells(site)
    answered = [c for _, c in cells if "NotImplementedError" not in c.select_one("div.cell_input").get_text()]
    chapters = sorted((site / "chapters").glob("*.html"))
    return {
        "key": key is not None and "not published" not in key.get_text(),
        "exercise answers": bool(answered),
        "folded exercise answers": bool(answered) and all(_folded(c) for c in answered),
        "chapter solutions": any(_article(p).select(".solution") for p in chapters),
    }


def _sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.;:!?])\s+", " ".join(text.split())) if s.strip()]


def _wrong_claims(name):
    fact = facts(name)
    wrong = []
    for path in _pages(SITES[name]):
        article = _article(path)
        if article is None:
            continue
        for sentence in _sentences(article.get_text(" ")):
            if not SPEAKS_OF_ANSWERS.search(sentence):
                continue
            for claim, pattern in CLAIMS:
                if not pattern.search(sentence):
                    continue
                polarity, what = claim.split(" ", 1)
                holds = fact[what] if polarity == "has" else not fact[what.removeprefix("folded ")]
                if not holds:
                    wrong.append(f"{path.relative_to(SITES[name])}: says it {claim}, the site does not: "
                                 f"{sentence[:140]!r}")
    return wrong


@pytest.mark.parametrize("name", SITES)
def test_built_site_exists(name):
    assert (SITES[name] / "intro.html").is_file(), f"{SITES[name]}: no built site (make book / book-students)"


def test_the_sites_differ_in_what_they_hold():
    """The facts are read, not assumed: the full site has the key and the answers, the students' none."""
    assert facts("full") == {"key": True, "exercise answers": True, "folded exercise answers": True,
                             "chapter solutions": True}, facts("full")
    assert facts("students") == {"key": False, "exercise answers": False, "folded exercise answers": False,
                                 "chapter solutions": False}, facts("students")


@pytest.mark.parametrize("name", SITES)
def test_every_page_says_what_its_build_holds(name):
    wrong = _wrong_claims(name)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", SITES)
def test_pages_that_speak_of_answers_are_checked(name):
    """The claims above match the pages' wording: each of the three pages that speak of the
    answers makes a claim this test reads (so a rewording cannot slip past it unread)."""
    matched = set()
    for path in _pages(SITES[name]):
        article = _article(path)
        text = " ".join(article.get_text(" ").split()) if article is not None else ""
        if any(pattern.search(text) for _, pattern in CLAIMS):
            matched.add(path.relative_to(SITES[name]).as_posix())
    assert {"intro.html", "exercises/index.html", "exam/sample_exam.html"} <= matched, sorted(matched)
