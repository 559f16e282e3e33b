"""The built site in a real browser (headless Chromium, no network): every page loads without a
console error or a missing file, MathJax has typeset every formula, every image loads, every
internal link resolves; a solution dropdown opens, a quiz gives feedback, search finds a term;
the formula sheet prints on two A4 pages; screenshots of three pages go to _build/screenshots;
every page loads at most 2.5 MB (the landing page 2.0 MB) and nothing the site does not use.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import settle

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute", "_panels_static"}
SCREENSHOT_PAGES = ["intro.html", "formula_sheet.html", "chapters/12_worked_example.html"]

WAIT_FOR_MATHJAX = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  return Boolean(window.MathJax && MathJax.startup);
}"""

# Text outside code that still looks like TeX means a formula MathJax did not typeset.
RAW_TEX = r"""() => {
  const skip = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "MJX-CONTAINER", "NOSCRIPT"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skip.has(el.tagName) || el.classList.contains("highlight")) { return NodeFilter.FILTER_REJECT; }
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  const found = [];
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    if (/\\\(|\\\[|\$\$|\\begin\{|\\frac|\\partial/.test(text)) {
      found.push(text.trim().slice(0, 80));
    }
  }
  const untypeset = [...document.querySelectorAll("span.math, div.math")]
    .filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.trim().slice(0, 80));
  // a markdown table that was not rendered (e.g. a text/markdown output parsed as CommonMark;
  // smart quotes may have turned its |---| into dashes)
  const rawTables = [...document.querySelectorAll("p")]
    .map(p => p.textContent.trim())
    .filter(t => /^\|.*\|$/m.test(t) && /\|\s*:?(?:-{3,}|\u2014|\u2013)/.test(t))
    .map(t => t.slice(0, 80));
  return {rawText: found, untypeset: untypeset, rawTables: rawTables,
          formulas: document.querySelectorAll("mjx-container").length};
}"""

BROKEN_IMAGES = """async () => {
  const images = [...document.images];
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src);
}"""

# Every file the page loaded (the page itself, scripts, styles, fonts, images) with its size in
# bytes as it came over the wire (no compression by the test server: the size of the file).
RESOURCES = """() => performance.getEntriesByType("navigation")
  .concat(performance.getEntriesByType("resource"))
  .map(entry => [entry.name, entry.encodedBodySize || 0])"""

LANDING_LIMIT = 2_000_000  # bytes the landing page loads (issue 13: at most 2.0 MB)
PAGE_LIMIT = 2_500_000  # bytes any page loads (at most 2.5 MB)


class _Anchors(HTMLParser):
    """Collect the ids (and legacy ``name`` anchors) of one HTML file."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value)


def _pages(site_dir):
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if not SKIP_DIRS.intersection(p.relative_to(site_dir).parts[:-1])
                  and p.relative_to(site_dir).as_posix() != "index.html")  # index.html only redirects


def _anchors(site_dir, relative, cache={}):  # noqa: B006 - a deliberate per-run cache
    if relative not in cache:
        parser = _Anchors()
        parser.feed((site_dir / relative).read_text(encoding="utf-8", errors="replace"))
        cache[relative] = parser.ids
    return cache[relative]


def _target_problem(site_dir, base_url, href):
    """None if an internal link resolves (file and fragment), else what is wrong with it."""
    parts = urlsplit(href)
    path = unquote(parts.path)[len(urlsplit(base_url).path):]
    target = site_dir / path
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"missing file {path}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html":
        relative = target.relative_to(site_dir).as_posix()
        if fragment not in _anchors(site_dir, relative):
            return f"no anchor #{fragment} in {relative}"
    return None


def visit(context, base_url, relative):
    """Open one page, wait for MathJax, and report what the browser saw."""
    page = context.new_page()
    report = {"console": [], "missing": [], "failed": []}
    page.on("console", lambda msg: msg.type == "error" and report["console"].append(msg.text))
    page.on("pageerror", lambda error: report["console"].append(str(error)))
    page.on("response", lambda r: r.status >= 400 and report["missing"].append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: r.url.startswith(base_url) and report["failed"].append(r.url))
    page.goto(urljoin(base_url, relative), wait_until="load")
    report["mathjax"] = page.evaluate(WAIT_FOR_MATHJAX)
    settle(page)
    report.update(page.evaluate(RAW_TEX))
    report["broken_images"] = page.evaluate(BROKEN_IMAGES)
    report["links"] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    report["resources"] = [(name[len(base_url):] if name.startswith(base_url) else name, size)
                           for name, size in page.evaluate(RESOURCES)]
    report["bytes"] = sum(size for _, size in report["resources"])
    report["page"] = page
    return report


def pages(site_dir):
    """The pages this module checks (conftest.py's visited_pages opens each once)."""
    return _pages(site_dir)


@pytest.fixture(scope="session")
def reports(visited_pages):
    """Every page visited once (conftest.py); the tests below read the reports."""
    return visited_pages


def test_the_site_has_the_pages_of_the_course(reports):
    for page in ("intro.html", "formula_sheet.html", "glossary.html", "exam/sample_exam.html",
                 "exam/sample_key.html", "search.html"):
        assert page in reports, f"{page} was not built"
    assert sum(p.startswith("chapters/") for p in reports) >= 1


def test_no_console_error_and_no_missing_file(reports):
    problems = {page: r["console"] + r["missing"] + r["failed"] for page, r in reports.items()
                if r["console"] or r["missing"] or r["failed"]}
    assert not problems, problems


def test_nothing_is_fetched_from_the_internet(reports, external_requests):
    assert reports  # every page was visited with external requests blocked
    assert not external_requests, sorted(set(external_requests))


def test_mathjax_is_served_locally_and_typesets_every_formula(reports):
    problems = {page: {"raw TeX": r["rawText"], "not typeset": r["untypeset"]}
                for page, r in reports.items() if r["rawText"] or r["untypeset"]}
    assert not problems, problems
    assert all(r["mathjax"] for r in reports.values() if r["formulas"]), "MathJax missing on a page with math"
    assert reports["formula_sheet.html"]["formulas"] > 50


def test_every_table_is_rendered(reports):
    problems = {page: r["rawTables"] for page, r in reports.items() if r["rawTables"]}
    assert not problems, problems


def test_every_image_loads(reports):
    problems = {page: r["broken_images"] for page, r in reports.items() if r["broken_images"]}
    assert not problems, problems


def test_every_internal_link_resolves(reports, site_dir, base_url):
    problems = {}
    for page, r in reports.items():
        for href in set(r["links"]):
            if href.startswith(base_url):
                problem = _target_problem(site_dir, base_url, href)
                if problem:
                    problems.setdefault(page, []).append(problem)
    assert not problems, problems


def test_a_solution_dropdown_opens(context, base_url, reports, site_dir):
    candidates = [p for p in reports if 'class="solution' in (site_dir / p).read_text(encoding="utf-8")]
    assert candidates, "no page has a solution"
    report = visit(context, base_url, candidates[0])
    page = report["page"]
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section, .solution-content, p").last
    assert not body.is_visible(), "the solution should start collapsed"
    solution.locator(".toggle-button, button").first.click()
    body.wait_for(state="visible", timeout=5000)
    page.close()


def test_a_quiz_gives_feedback(context, base_url, reports, site_dir):
    html = {p: (site_dir / p).read_text(encoding="utf-8") for p in reports}
    candidates = [p for p in reports if 'class="quiz docutils' in html[p]]
    assert candidates, "no page has a quiz"
    with_explanation = [p for p in candidates if "quiz-explanation" in html[p]]
    report = visit(context, base_url, (with_explanation or candidates)[0])
    page = report["page"]
    questions = page.locator("div.quiz.quiz-ready .quiz-question")
    explained = page.locator("div.quiz.quiz-ready .quiz-question:has(.quiz-explanation)")
    question = explained.first if explained.count() else questions.first
    status = question.locator(".quiz-status")
    wrong = question.locator(".quiz-option:not(.quiz-correct)").first
    right = question.locator(".quiz-option.quiz-correct")
    assert not wrong.locator(".quiz-feedback").is_visible(), "feedback must wait for a choice"
    wrong.click()
    assert "try again" in status.inner_text()
    assert wrong.locator(".quiz-feedback").is_visible()
    right.click()
    assert status.inner_text() == "Correct!"
    assert right.locator(".quiz-feedback").is_visible()
    if explained.count():
        assert question.locator(".quiz-explanation").is_visible()
    page.close()


def test_search_finds_a_term(context, base_url):
    page = context.new_page()
    page.goto(urljoin(base_url, "search.html?q=Huber"), wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15000)
    hits = results.all_inner_texts()
    assert any("Glossary" in hit or "Formula" in hit or "Regression" in hit for hit in hits), hits
    page.close()


def test_formula_sheet_prints_on_two_a4_pages(context, base_url, tmp_path):
    report = visit(context, base_url, "formula_sheet.html")
    pdf = report["page"].pdf(format="A4", print_background=False, path=str(tmp_path / "sheet.pdf"))
    report["page"].close()
    n_pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 <= n_pages <= 2, f"the formula sheet prints on {n_pages} A4 pages"


def test_screenshots(context, base_url, reports, screenshot_dir):
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    for relative in SCREENSHOT_PAGES:
        report = visit(context, base_url, relative if relative in reports else "intro.html")
        name = Path(relative).stem + ".png"
        report["page"].screenshot(path=str(screenshot_dir / name), full_page=False)
        report["page"].close()
        assert (screenshot_dir / name).stat().st_size > 10_000


def test_page_weights_are_within_the_limits(reports):
    """Bytes each page loads (every file, as on a first visit): the landing page at most 2.0 MB,
    every page at most 2.5 MB (issue 13). The five heaviest pages are printed with what weighs most."""
    weights = {page: r["bytes"] for page, r in reports.items()}
    heaviest = sorted(weights, key=weights.get, reverse=True)
    print(f"\nbytes loaded: landing page intro.html {weights['intro.html']:,} (limit {LANDING_LIMIT:,}); "
          f"heaviest pages (limit {PAGE_LIMIT:,}):")
    for page in heaviest[:5]:
        largest = sorted(reports[page]["resources"], key=lambda item: -item[1])[:3]
        files = ", ".join(f"{name.split('?')[0]} {size:,}" for name, size in largest)
        print(f"    {weights[page]:>10,} {page}: {files}")
    assert weights["intro.html"] <= LANDING_LIMIT, f"the landing page loads {weights['intro.html']:,} bytes"
    too_heavy = {page: weight for page, weight in weights.items() if weight > PAGE_LIMIT}
    assert not too_heavy, f"pages over {PAGE_LIMIT:,} bytes: {too_heavy}"


def test_pages_load_only_what_they_use(reports):
    """What _ext/page_weight.py leaves out stays out: the theme's 1.5 MB fontawesome.js, Font
    Awesome's full web fonts (the site's subsets show its icons), Sphinx's search index outside the
    search page, and MathJax on a page without a formula."""
    problems = {}
    for page, r in reports.items():
        names = [name.split("?")[0] for name, _ in r["resources"]]
        found = [n for n in names if n.endswith("fontawesome.js") or "vendor/fontawesome/webfonts/" in n]
        if page != "search.html":
            found += [n for n in names if n.endswith(("searchindex.js", "searchtools.js"))]
        if not r["formulas"]:
            found += [n for n in names if "/mathjax/" in n]
        if found:
            problems[page] = found
    assert not problems, problems
    assert any("mathjax/" in name for name, _ in reports["formula_sheet.html"]["resources"])
