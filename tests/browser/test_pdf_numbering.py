"""The PDF numbers as the web does (issue 22, item 4): chapter by chapter, the PDF's figures,
display equations, code listings, tables, exercises and their solutions carry the numbers the
HTML pages show, in the same order; and every numbered heading of the web, chapters' sections and
the pages under a chapter (the exercise sets 15.4-15.7, the practice pages 21.2-21.23), stands in
the PDF under the same number.

Two independent builds are compared: the web's numbers are read from ``_build/html`` (the HTML
builder's captions, equation numbers and exercise titles), the PDF's from the text of
``_build/latex/book.pdf`` (pdftotext, LaTeX's counters and sphinx-exercise's LaTeX titles); no
number is typed here. ``make book`` and ``make pdf`` must have run; ``COURSE_SITE`` and ``PDF`` may
point elsewhere.

The PDF's text is cut into chapters at their openers ("CHAPTER 8", fncychap's Sonny style); in a
chapter, what the PDF numbers is read as it prints it:

* a caption starts a line: "Fig. 8.1: ...", "Listing 8.1: ...", "Table 8.1: ...";
* an equation's number ends a line, set apart from the formula: "    (8.1)";
* an exercise's title is a line of its own, "Exercise 8.1" and perhaps "(its subtitle)", and its
  solution's title likewise "Solution to Exercise 8.1 ...";
* a heading is a line that starts with its number and its title, "15.4 Warm-up exercises: ...".
"""

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html"))
PDF = Path(os.environ.get("PDF", ROOT / "_build" / "latex" / "book.pdf"))
KINDS = ("fig", "eq", "listing", "table", "exercise", "solution")
NUMBER = r"(\d+(?:\.\d+)*)"


def _files(entry):
    yield entry["file"]
    for section in entry.get("sections", []):
        yield from _files(section)


def chapters():
    """{k: [the chapter's file, its sections' files]} for the k-th chapter of _toc.yml's parts."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [entry for part in toc["parts"] for entry in part["chapters"]]
    return {k: list(_files(entry)) for k, entry in enumerate(entries, start=1)}


CHAPTERS = chapters()


# --- the web: what the HTML pages number ---------------------------------------------------------

def _caption_numbers(article, selector, word):
    numbers = []
    for span in article.select(selector):
        text = re.sub(r"\s+", " ", span.get_text()).strip()
        m = re.fullmatch(rf"{re.escape(word)}\s*{NUMBER}\.?", text)
        numbers.append(m.group(1) if m else f"unreadable {text!r}")
    return numbers


def web_numbers(rel):
    """What one page numbers, by kind, in page order: {"fig": ["8.1", ...], ...}."""
    article = BeautifulSoup((SITE / rel).read_text(encoding="utf-8"), "html.parser").select_one("article")
    eqs = []
    for eqno in article.select("span.eqno"):
        text = eqno.find(string=True, recursive=False).strip()
        eqs.append(text.strip("()") if re.fullmatch(rf"\({NUMBER}\)", text) else f"unreadable {text!r}")
    solutions = []
    for title in article.select(".solution .admonition-title"):
        m = re.match(rf"Solution to Exercise {NUMBER}", title.get_text(" ", strip=True))
        if m:
            solutions.append(m.group(1))
    return {
        "fig": _caption_numbers(article, "figcaption .caption-number", "Fig."),
        "eq": eqs,
        "listing": _caption_numbers(article, ".code-block-caption .caption-number", "Listing"),
        "table": _caption_numbers(article, "table caption .caption-number", "Table"),
        "exercise": _caption_numbers(article, ".exercise .admonition-title .caption-number", "Exercise"),
        "solution": solutions,
    }


def _flat(text):
    return re.sub(r"\s+", " ", text).strip()


def web_headings(rel):
    """The numbered headings of a page, in order: [("15.4", "Warm-up exercises: loss vs cost"), ...]."""
    article = BeautifulSoup((SITE / rel).read_text(encoding="utf-8"), "html.parser").select_one("article")
    headings = []
    for heading in article.select("h1, h2, h3, h4, h5, h6"):
        number = heading.select_one(".section-number")
        if number is None:
            continue
        title = _flat(heading.get_text()).removeprefix(_flat(number.get_text())).removesuffix("#")
        title = title.split("\\(")[0]  # up to its first math, which the PDF's text spells otherwise
        headings.append((_flat(number.get_text()).rstrip("."), title.strip()))
    return headings


@cache
def web():
    """{k: {kind: [numbers]}} over each chapter's pages in the order of _toc.yml."""
    if not (SITE / "intro.html").is_file():
        pytest.fail(f"no site at {SITE}: run `make book` first")
    numbered = {}
    for k, files in CHAPTERS.items():
        numbered[k] = {kind: [] for kind in KINDS}
        for source in files:
            for kind, numbers in web_numbers(f"{source}.html").items():
                numbered[k][kind] += numbers
    return numbered


# --- the PDF: what the printed pages number ------------------------------------------------------

PDF_PATTERNS = {
    "fig": rf"^\s*Fig\.\s*{NUMBER}:",
    "listing": rf"^\s*Listing\s*{NUMBER}:",
    "table": rf"^\s*Table\s*{NUMBER}:",
    "eq": rf"\S\s{{2,}}\({NUMBER}\)\s*$|^\s*\({NUMBER}\)\s*$",
    "exercise": rf"^\s*Exercise\s+{NUMBER}(?:\s+\(.*)?\s*$",
    "solution": rf"^\s*Solution to Exercise\s+{NUMBER}(?:\s.*)?$",
}
OPENER = re.compile(r"^\s*CHAPTER\s+(\d+)\s*$", re.M)


@cache
def pdf_text():
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first")
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout


@cache
def pdf_chapters():
    """[(the number the opener prints, the chapter's text up to the next opener)] in page order."""
    text = pdf_text()
    openers = list(OPENER.finditer(text))
    ends = [m.start() for m in openers[1:]] + [len(text)]
    return [(int(m.group(1)), text[m.end():end]) for m, end in zip(openers, ends, strict=True)]


def pdf_numbers(chapter_text):
    numbered = {}
    for kind, pattern in PDF_PATTERNS.items():
        numbered[kind] = [next(g for g in m.groups() if g) for m in re.finditer(pattern, chapter_text, re.M)]
    return numbered


# --- the tests -----------------------------------------------------------------------------------

def test_the_pdf_opens_every_chapter_with_its_web_number():
    """The PDF's chapter openers read 1, 2, ... in _toc.yml's order, as the web's menu and titles."""
    assert [number for number, _ in pdf_chapters()] == list(CHAPTERS)


@pytest.mark.parametrize("k", list(CHAPTERS))
def test_the_pdf_numbers_what_the_web_numbers(k):
    chapters_in_pdf = dict(pdf_chapters())
    assert k in chapters_in_pdf, f"no opener 'CHAPTER {k}' in the PDF"
    on_paper, on_the_web = pdf_numbers(chapters_in_pdf[k]), web()[k]
    differ = {kind: {"web": on_the_web[kind], "pdf": on_paper[kind]}
              for kind in KINDS if on_the_web[kind] != on_paper[kind]}
    assert not differ, f"chapter {k} ({CHAPTERS[k][0]}): {differ}"


@pytest.mark.parametrize("k", list(CHAPTERS))
def test_the_pdf_heads_each_section_as_the_web(k):
    """Each numbered heading of chapter k's pages is, in the PDF's chapter k and in the same order,
    a line that starts with the same number and title (its first 16 characters up to any math: a
    long title may wrap)."""
    chapters_in_pdf = dict(pdf_chapters())
    assert k in chapters_in_pdf, f"no opener 'CHAPTER {k}' in the PDF"
    lines = [_flat(line) for line in chapters_in_pdf[k].splitlines()]
    # the chapter's own title ("8") is its opener "CHAPTER 8" in the PDF: its sections are compared
    headings = [h for source in CHAPTERS[k] for h in web_headings(f"{source}.html") if "." in h[0]]
    at, missing = 0, []
    for number, title in headings:
        heading = f"{number} {title[:16]}"
        found = next((i for i in range(at, len(lines)) if lines[i].startswith(heading)), None)
        if found is None:
            missing.append(heading)
        else:
            at = found + 1
    assert not missing, f"chapter {k}: not in the PDF in the web's order: {missing}"


def test_the_comparison_compares_something():
    """Each kind the book numbers is compared; the counts are printed with -s."""
    totals = {kind: sum(len(web()[k][kind]) for k in CHAPTERS) for kind in KINDS}
    print("\nnumbered on the web and compared with the PDF:", totals)
    for k in CHAPTERS:
        counts = {kind: len(web()[k][kind]) for kind in KINDS if web()[k][kind]}
        if counts:
            print(f"  chapter {k}: {counts}")
    for kind in ("fig", "eq", "listing", "exercise", "solution"):
        assert totals[kind] >= 20, f"only {totals[kind]} {kind} numbered on the web: is the site built?"
