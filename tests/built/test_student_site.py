"""The built sites hand out student versions, and the students' site leaks nothing.

Run after ``make book`` and ``make book-students`` (``make test`` does): ``_build/html`` is the teacher's
site, ``_build/students/_build/html`` the one built with ``COURSE_HIDE_SOLUTIONS=1``. ``COURSE_SITE`` and
``COURSE_STUDENT_SITE`` point the tests at other builds.

What counts as a secret is read from the sources, not from the built site: every line of a master's
``BEGIN/END SOLUTION`` region and of its hidden checks, every text run of a chapter's ``{solution}`` (or
gated solution), each unless the public part of the course says it too (a student version, a chapter's text),
and every number of the sample answer key that the sample exam does not show.
"""

import html
import json
import os
import re
from functools import cache
from pathlib import Path

import nbformat
import pytest

from grader.master.release import master_paths

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html"))
STUDENT_SITE = Path(os.environ.get("COURSE_STUDENT_SITE", ROOT / "_build" / "students" / "_build" / "html"))
MASTERS = master_paths(ROOT / "exercises")
TEXT_SUFFIXES = {".html", ".js", ".txt", ".ipynb", ".md", ".json", ".tex", ".py", ".css", ".xml"}
FENCE = re.compile(r"^(`{3,}|:{3,})\{([a-z-]+)\}")
MARKUP = re.compile(r"\$\$?[^$]*\$\$?|`[^`]*`|\{[a-z-]+\}|\\[a-z]+|[*_]{1,2}|<[^>]+>|\[[^\]]*\]\([^)]*\)")



@pytest.fixture(autouse=True, scope="module")
def built_sites():
    # not a skip: without the sites these tests cannot pass
    assert SITE.is_dir(), f"{SITE} is missing: run `make book` first (make test does)"
    assert STUDENT_SITE.is_dir(), f"{STUDENT_SITE} is missing: run `make book-students` (make test does)"


def squash(text):
    return " ".join(text.split())


def page_text(path):
    """What a reader (or a search engine) gets from a file: tag-free text for HTML, sources for notebooks."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(raw)["cells"]
        except (ValueError, KeyError):
            return squash(raw)
        parts = []
        for cell in cells:
            parts.append("".join(cell.get("source", "")))
            for output in cell.get("outputs", []):
                parts.append("".join(output.get("text", "")))
                for value in output.get("data", {}).values():
                    parts.append("".join(value) if isinstance(value, list) else str(value))
        return squash("\n".join(parts))
    if path.suffix == ".html":
        raw = raw + " " + re.sub(r"<[^>]+>", "", raw)
    return squash(html.unescape(raw))


def site_files(site):
    return [p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]


def region_lines(source, begin, end):
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside and len(line.strip()) >= 12:
            lines.append(squash(line))
    return lines


def plain_runs(line):
    """Runs of plain text (>= 30 characters) of a MyST line, markup removed: what the HTML shows verbatim."""
    return [run.strip() for run in MARKUP.split(line) if len(run.strip()) >= 30]


class SolutionScanner:
    """Walks a chapter's cells, collecting what its ``{solution}`` blocks and gated solutions say."""

    def __init__(self):
        self.gated = False  # between a solution-start and its solution-end
        self.secret, self.public = [], []

    def markdown(self, text):
        closing, block = None, None  # the fence being skipped, and what it opened
        for line in text.splitlines():
            match = FENCE.match(line.strip())
            if closing is not None:
                if line.strip() == closing:
                    closing = None
                elif block == "solution":
                    self.secret.extend(plain_runs(line))
                continue
            if match and match.group(2) in ("solution", "solution-start", "solution-end"):
                closing, block = match.group(1), match.group(2)
                self.gated = {"solution-start": True, "solution-end": False}.get(block, self.gated)
                continue
            (self.secret.extend(plain_runs(line)) if self.gated else self.public.append(line))

    def code(self, cell):
        text = cell.source + "".join(output.get("text", "") for output in cell.get("outputs", []))
        if self.gated:
            self.secret.extend(squash(line) for line in text.splitlines() if len(line.strip()) >= 25)
        else:
            self.public.append(text)


@cache
def secrets():
    found = {}
    for master in MASTERS:
        for cell in nbformat.read(master, as_version=4).cells:
            for line in region_lines(cell.source, "### BEGIN SOLUTION", "### END SOLUTION"):
                found[line] = f"solution line of {master.name}"
            for line in region_lines(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"):
                found[line] = f"hidden check of {master.name}"
    public = [(ROOT / "student" / master.name).read_text(encoding="utf-8") for master in MASTERS]
    public += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "nnlib").rglob("*.py"))]
    public.append((ROOT / "exercises" / "FORMAT.md").read_text(encoding="utf-8"))  # the format's own syntax
    for chapter in sorted((ROOT / "chapters").glob("*.ipynb")):
        scanner = SolutionScanner()
        for cell in nbformat.read(chapter, as_version=4).cells:
            scanner.markdown(cell.source) if cell.cell_type == "markdown" else scanner.code(cell)
        found.update((squash(secret), f"solution of {chapter.name}") for secret in scanner.secret)
        public.extend(scanner.public)
    public_text = squash("\n".join(public))
    found = {secret: where for secret, where in found.items() if secret not in public_text}
    for number in key_numbers():
        found[number] = "number of the sample answer key"
    return found


def significant_digits(number):
    return len(number.lstrip("-").replace(".", "").lstrip("0").rstrip("0"))


@cache
def key_numbers():
    """Numbers that only the sample key shows: at least 3 significant digits, on no other page of the site."""
    key = page_text(SITE / "exam" / "sample_key.html")
    numbers = {n for n in re.findall(r"(?<![\d.])-?\d+\.\d+(?![\d.])", key) if significant_digits(n) >= 3}
    for page in SITE.rglob("*.html"):
        if page.name != "sample_key.html" and "_static" not in page.parts:
            text = page_text(page)
            numbers = {n for n in numbers if n not in text}
    return sorted(numbers)


def leaks(site):
    found = []
    for path in site_files(site):
        text = page_text(path)
        for secret, where in secrets().items():
            if secret in text:
                found.append(f"{path.relative_to(site)}: {where}: {secret[:70]!r}")
    return found


def test_the_secrets_are_many_and_the_key_has_numbers():
    kinds = {where.split(" of ")[0] for where in secrets().values()}
    assert {"solution line", "hidden check", "number", "solution"} <= kinds
    assert len(secrets()) >= 100 and len(key_numbers()) >= 10


def test_the_teachers_site_does_show_them():
    # the detector must find what the students' site leaves out, or the next test proves nothing
    found = leaks(SITE)
    assert any("solution line" in leak for leak in found) and any("answer key" in leak for leak in found)


def test_the_students_site_leaks_no_solution_hidden_check_or_key_number():
    found = leaks(STUDENT_SITE)
    assert not found, f"{len(found)} leaks, e.g.\n" + "\n".join(found[:15])


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_exercise_page_download_is_the_student_version(master):
    served = SITE / "_sources" / "exercises" / master.name
    assert served.read_text(encoding="utf-8") == (ROOT / "student" / master.name).read_text(encoding="utf-8")


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_exercise_page_launch_buttons_open_the_student_version(master):
    page = (SITE / "exercises" / f"{master.stem}.html").read_text(encoding="utf-8")
    launches = [html.unescape(url) for url in re.findall(r'href="([^"]*(?:mybinder|colab)[^"]*)"', page)]
    assert len(launches) >= 2, "the page has a Binder and a Colab button"
    for url in launches:
        assert f"student/{master.name}" in url and f"exercises/{master.name}" not in url, url


def test_chapter_launch_buttons_open_the_chapter():
    page = (SITE / "chapters" / "02_regression_losses.html").read_text(encoding="utf-8")
    launches = re.findall(r'href="([^"]*(?:mybinder|colab)[^"]*)"', page)
    assert launches and all("chapters/02_regression_losses.ipynb" in html.unescape(url) for url in launches)
