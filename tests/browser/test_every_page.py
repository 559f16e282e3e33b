"""Every page of the built site as a reader meets it, at a desktop width (1280 px) and on a phone
(390 px), in headless Chromium with no network:

* nothing is wider than the text column or cut off: code cells fit the column at 1280 px (the
  notebooks wrap their code at 80 characters), display math, tables, listings and outputs that
  are too wide scroll inside their own box (``overflow.js``);
* accessibility: axe-core (``node_modules/axe-core``, installed by ``npm ci``) checks WCAG 2.1 A and
  AA rules; the course's content (the article) has no serious or critical violation, and the
  theme's own violations are only those listed in ``THEME_ALLOWED`` below;
* every content image has alt text that says something (not the image's file path), and the
  label text of a figure is shown at about the body text's size.
"""

import json
import os
import re
import struct
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
OVERFLOW = "\n".join(line for line in (HERE / "overflow.js").read_text().splitlines()
                     if not line.startswith("//"))
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute", "_panels_static", "student"}
SKIP_PAGES = {"index.html", "genindex.html", "search.html"}  # a redirect, and pages with no content of ours
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Violations of the theme (sphinx-book-theme 1.3.0 on pydata-sphinx-theme 0.17.1), outside the
# article, that the site cannot fix without forking the theme: rule id -> why, and where upstream.
THEME_ALLOWED = {
    "label-content-name-mismatch": "the search button is labelled 'Search' but shows 'Search Ctrl+K', "
    "and the colour-mode button's label differs from its text (WCAG 2.5.3); pydata-sphinx-theme's "
    "templates, tracked in pydata/pydata-sphinx-theme#1428 (the theme's summary of axe findings)",
    "summary-name": "the sidebar's expand/collapse <summary> holds only a chevron icon; pydata-sphinx-theme"
    "'s toctree markup (pydata/pydata-sphinx-theme#1428; its keyboard design: #1582)",
}

WAIT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""

# One axe run per page; each violation is split into its elements inside the article (the course's
# content) and outside it (the theme's frame: header, sidebars, footer).
RUN_AXE = """async ([context, tags]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  const inArticle = node => {
    try { return Boolean(document.querySelector(node.target[0])?.closest("article.bd-article")); }
    catch (error) { return false; }
  };
  const out = [];
  for (const v of result.violations) {
    for (const where of [true, false]) {
      const nodes = v.nodes.filter(n => inArticle(n) === where);
      if (nodes.length) {
        out.push({id: v.id, impact: v.impact, help: v.help, in_article: where, count: nodes.length,
                  nodes: nodes.slice(0, 4).map(n => n.target.join(" ") + " :: " + n.html.slice(0, 120))});
      }
    }
  }
  return out;
}"""

IMAGES = """() => [...document.querySelectorAll("article.bd-article img")].map(img => ({
  src: img.getAttribute("src"), alt: img.getAttribute("alt"), shown: img.getBoundingClientRect().width,
  natural: img.naturalWidth,
  body: parseFloat(getComputedStyle(img.closest("article").querySelector("p") || document.body).fontSize)
}))"""


def _site_pages(site_dir):
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if not SKIP_DIRS.intersection(p.relative_to(site_dir).parts[:-1]) and
                  p.relative_to(site_dir).as_posix() not in SKIP_PAGES)


def _matplotlib_font_px(dpi):
    """The smallest label text of a course figure in image pixels: chapters/matplotlibrc's font size
    (tick labels and legends are 'medium', i.e. font.size) at the figure's dpi."""
    rc = (ROOT / "chapters" / "matplotlibrc").read_text()
    points = float(re.search(r"^font\.size:\s*([\d.]+)", rc, re.M).group(1))
    return points * dpi / 72


def _png_dpi(path):
    """The resolution a PNG declares (pHYs chunk, pixels per metre), or None."""
    data = path.read_bytes()
    at = data.find(b"pHYs")
    if data[:8] != b"\x89PNG\r\n\x1a\n" or at < 0:
        return None
    per_metre_x, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    return per_metre_x * 0.0254 if unit == 1 else None


def measure(page):
    """What test_every_page checks, on a page that is loaded at 1280 px: overflow, axe and images at
    1280 px, then overflow at 390 px (the same page on a phone)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in {ROOT} (make test does)")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate(WAIT)
    result = {1280: page.evaluate(OVERFLOW, True), "images": page.evaluate(IMAGES)}
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE, [{"exclude": []}, WCAG])
    result["axe_article"] = [v for v in violations if v["in_article"]]
    result["axe_theme"] = [v for v in violations if not v["in_article"]]
    page.set_viewport_size({"width": 390, "height": 844})  # the same page on a phone
    page.wait_for_timeout(100)
    result[390] = page.evaluate(OVERFLOW, False)
    return result


def wants(relative):
    """Whether test_every_page measures this page (conftest.py's visited_pages asks)."""
    parts = relative.split("/")
    return not SKIP_DIRS.intersection(parts[:-1]) and relative not in SKIP_PAGES


@pytest.fixture(scope="session")
def measured(visited_pages, site_dir):
    """Each page once at 1280 px (overflow, axe, images) and once at 390 px (overflow), measured
    during the one visit of every page that test_site.py's checks share (conftest.py)."""
    results = {page: r["measured"] for page, r in visited_pages.items() if "measured" in r}
    unmeasured = set(_site_pages(site_dir)) - set(results)
    assert results and not unmeasured, f"pages not measured: {sorted(unmeasured)}"
    if os.environ.get("MEASURED_JSON"):
        Path(os.environ["MEASURED_JSON"]).write_text(json.dumps(results, indent=1))
    return results


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_is_wider_than_the_column_or_cut_off(measured, width):
    problems = {page: r[width] for page, r in measured.items() if r[width]}
    for page, found in problems.items():
        print(f"\n{width} px {page}: {len(found)} problem(s)")
        for problem in found[:8]:
            print(f"    {problem}")
    assert not problems, f"content wider than the column at {width} px on {sorted(problems)}"


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_violation_in_the_content(measured):
    counts = {"article": 0, "theme": 0}
    for r in measured.values():
        counts["article"] += sum(v["count"] for v in r["axe_article"])
        counts["theme"] += sum(v["count"] for v in r["axe_theme"])
    print(f"\naxe (WCAG 2.1 A and AA) over {len(measured)} pages: {counts['article']} violating elements "
          f"in the articles, {counts['theme']} in the theme's frame")
    problems = {page: _serious(r["axe_article"]) for page, r in measured.items()
                if _serious(r["axe_article"])}
    assert not problems, problems


def test_axe_finds_only_the_listed_theme_violations(measured):
    problems = {}
    for page, r in measured.items():
        unlisted = [v for v in r["axe_theme"] if v["id"] not in THEME_ALLOWED]
        if unlisted:
            problems[page] = unlisted
    assert not problems, problems


def _path_like(alt, src):
    alt = (alt or "").strip()
    return (not alt or alt == src or "_images/" in alt or re.search(r"[0-9a-f]{24,}", alt) is not None
            or re.fullmatch(r"\S+\.(png|jpe?g|svg|gif)", alt) is not None)


def test_every_content_image_has_real_alt_text(measured):
    problems = {}
    for page, r in measured.items():
        bad = [img["src"] for img in r["images"] if _path_like(img["alt"], img["src"])]
        if bad:
            problems[page] = bad
    for page, bad in problems.items():
        print(f"\nno real alt text on {page}: {len(bad)} image(s)")
    assert not problems, {page: len(bad) for page, bad in problems.items()}


def test_figure_labels_are_shown_at_body_text_size(measured, site_dir):
    problems = {}
    for page, r in measured.items():
        for img in r["images"]:
            path = (site_dir / page).parent / img["src"]
            if "_images/" not in img["src"] or path.suffix != ".png" or not img["natural"]:
                continue
            dpi = _png_dpi(path.resolve())
            if not dpi:
                continue
            label_px = _matplotlib_font_px(dpi) * img["shown"] / img["natural"]
            if label_px < 0.9 * img["body"]:
                problems.setdefault(page, []).append(
                    f"{Path(img['src']).name[:12]}: labels at {label_px:.1f} px ({img['natural']} px wide "
                    f"shown at {img['shown']:.0f} px), body text {img['body']:.0f} px")
    for page, found in problems.items():
        print(f"\nsmall figure text on {page}:")
        for problem in found:
            print(f"    {problem}")
    assert not problems, {page: len(found) for page, found in problems.items()}
