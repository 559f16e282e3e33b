"""The book as one PDF (``make pdf``, run by ``make test`` before these tests): it has a sensible
number of pages and the title of every chapter of ``_toc.yml`` is in its text (pdftotext and
pdfinfo from poppler-utils). ``PDF`` (default ``_build/latex/book.pdf``) can be set in the
environment.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get("PDF", ROOT / "_build" / "latex" / "book.pdf"))


def _files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from _files(entry.get("sections", []))


def _title(source):
    """The first level-1 heading of a chapter (.ipynb or .md)."""
    path = ROOT / f"{source}.ipynb"
    if path.is_file():
        text = "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                         if cell["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{source}.md").read_text()
    match = re.search(r"^# (.+)$", text, re.M)
    return match.group(1).strip() if match else None


def _normal(text):
    return re.sub(r"\s+", " ", re.sub(r"[`*$\\]", "", text)).strip().lower()


@pytest.fixture(scope="module")
def pdf():
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first")
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pages, text


def test_the_pdf_has_the_pages_of_a_book(pdf):
    pages, _ = pdf
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    n_chapters = sum(1 for part in toc["parts"] for _ in _files(part["chapters"]))
    print(f"\nthe PDF has {pages} pages for {n_chapters} chapters and pages")
    assert 3 * n_chapters <= pages <= 1500, f"{pages} pages for {n_chapters} chapters"


def test_every_chapter_title_is_in_the_pdf(pdf):
    _, text = pdf
    body = _normal(text.replace("-\n", ""))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    missing = []
    for part in toc["parts"]:
        for source in _files(part["chapters"]):
            title = _title(source)
            if title and _normal(title)[:40] not in body:
                missing.append((source, title))
    assert not missing, missing


def test_the_pdf_has_figures_and_math(pdf):
    images = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True)
    n_images = len(images.stdout.splitlines()) - 2
    _, text = pdf
    assert n_images >= 20, f"only {n_images} images in the PDF"
    assert "∂" in text or "∑" in text, "no typeset math symbols in the PDF's text"


def _words_past_the_edge(pdf_path):
    """Words whose box ends beyond the page's width (pdftotext -bbox), as (page, word, overshoot pt)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True,
                           check=True).stdout
    past = []
    pages = re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', xhtml, re.S)
    for number, (width, body) in enumerate(pages, 1):
        for x_max, word in re.findall(r'<word [^>]*xMax="([\d.]+)"[^>]*>([^<]*)<', body):
            if float(x_max) > float(width):
                past.append((number, word, round(float(x_max) - float(width), 1)))
    return past


def test_no_word_runs_past_the_page_edge(pdf):
    """The title page's author line and the index's long entries ran off the page (issue 22)."""
    past = _words_past_the_edge(PDF)
    assert not past, past[:10]


def test_the_pdf_leaves_out_what_only_the_web_page_does(pdf):
    _, text = pdf
    assert "Printing this page" not in text, "the formula sheet's sentence about printing the web page"


def test_the_pdf_numbers_chapters_as_the_web_menu(pdf):
    """Chapter k of _toc.yml's order is chapter k in the PDF's contents, as on the web."""
    _, text = pdf
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    sources = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    contents = text[:text.index("Index") if "Index" in text else 20000]
    for k, source in enumerate(sources[:14], start=1):
        title = _normal(_title(source))[:25]
        assert re.search(rf"^\s*{k}\s+{re.escape(title)}", _normal_lines(contents), re.M | re.I), (k, title)


def _normal_lines(text):
    return "\n".join(_normal(line) for line in text.splitlines())
