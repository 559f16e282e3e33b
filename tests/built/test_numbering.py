"""One numbering on the web (issue 22, item 4).

The chapters are numbered by their order in ``_toc.yml``: the k-th chapter file of the parts
marked ``numbered`` is chapter k (the parts number on, ``html.use_multitoc_numbering``). This
order, read from the table of contents, is the independent source; the built HTML is checked
against it:

* the menu and each chapter's title carry "k.";
* figures, display equations and exercises of chapter k are numbered k.1, k.2, ... in the order
  they appear on its page (not across the whole book: "8.3", not "22");
* every cross-reference link that shows a number ("Fig. 8.2", "(8.3)", "Exercise 14.2",
  "Ch. 8", "Chapter 9") shows the number its target carries on the target's page.
"""

import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html"))
SKIP = {"_static", "_sources", "_images", "_downloads", "jupyter_execute", "student"}


def numbered_chapters():
    """The chapter files of the numbered parts, in order: {"chapters/08_momentum_nesterov": 8, ...}."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]
    return {f: k for k, f in enumerate(files, start=1)}


CHAPTERS = numbered_chapters()


@cache
def page(rel):
    return BeautifulSoup((SITE / rel).read_text(encoding="utf-8"), "html.parser")


def pages():
    rels = (p.relative_to(SITE) for p in SITE.rglob("*.html"))
    return sorted(str(r) for r in rels if not SKIP & set(r.parts))


def test_every_chapter_is_numbered_as_in_the_pdf():
    """The PDF's \\chapter counter numbers every file of a part, so the web numbers every part."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert all(part.get("numbered") for part in toc["parts"]), "a part is not `numbered` in _toc.yml"
    assert list(CHAPTERS.values())[:14] == list(range(1, 15))


def _number(text):
    return re.sub(r"\s+", "", text).rstrip(".")


@pytest.mark.parametrize("rel", [f + ".html" for f in CHAPTERS])
def test_title_and_menu_carry_the_chapter_number(rel):
    k = CHAPTERS[rel.removesuffix(".html")]
    soup = page(rel)
    title_number = soup.select_one("article h1 .section-number")
    assert title_number is not None and _number(title_number.get_text()) == str(k), soup.find("h1").get_text()
    # the menu: the link to this chapter on the landing page's sidebar
    menu = page("intro.html").select("nav.bd-docs-nav a.reference")
    entry = [a for a in menu if a.get("href", "").split("#")[0] == rel]  # intro.html is at the root
    assert entry, f"{rel} not in the menu"
    assert re.match(rf"{k}\.\s", entry[0].get_text(" ", strip=True)), entry[0].get_text(" ", strip=True)


def _numbers_on(soup):
    """What a page numbers, by kind, in page order: {"fig": ["8.1", ...], "eq": [...], "ex": [...]}."""
    article = soup.select_one("article")
    figs = [_number(s.get_text()).removeprefix("Fig.") for s in article.select("figcaption .caption-number")]
    eqs = [_number(s.find(string=True, recursive=False)).strip("()") for s in article.select("span.eqno")]
    exercise_titles = article.select(".exercise .admonition-title .caption-number")
    exs = [_number(s.get_text()).removeprefix("Exercise") for s in exercise_titles]
    return {"fig": figs, "eq": eqs, "ex": exs}


@pytest.mark.parametrize("rel", [f + ".html" for f in CHAPTERS])
def test_figures_equations_exercises_numbered_per_chapter(rel):
    k = CHAPTERS[rel.removesuffix(".html")]
    numbers = _numbers_on(page(rel))
    if rel.startswith("chapters/"):
        assert numbers["eq"] or numbers["fig"], f"{rel}: nothing numbered (the check would test nothing)"
    for kind, seen in numbers.items():
        assert seen == [f"{k}.{j}" for j in range(1, len(seen) + 1)], f"{rel} {kind}: {seen}"


REFERENCE_NUMBER = re.compile(r"^(?:Fig\.|Exercise|Ch\.|Chapter|\()\s*([\d.]+)\)?$")


def _target_number(rel, href):
    """The number the target of ``href`` (relative to page ``rel``) carries where it stands."""
    path, _, anchor = href.partition("#")
    target_rel = os.path.normpath(os.path.join(os.path.dirname(rel), path)) if path else rel
    soup = page(target_rel)
    if anchor.startswith("equation-"):
        eqno = soup.find(id=anchor).find_next("span", class_="eqno")
        return _number(eqno.find(string=True, recursive=False)).strip("()")
    element = soup.find(id=anchor) if anchor else None
    caption = element.select_one(".caption-number") if element is not None else None
    if caption is not None:  # a figure or an exercise
        return _number(caption.get_text()).removeprefix("Fig.").removeprefix("Exercise")
    title_number = soup.select_one("article h1 .section-number")  # a chapter: the number its title shows
    return _number(title_number.get_text()) if title_number else None


def test_every_numbered_cross_reference_matches_its_target():
    checked, wrong = 0, []
    for rel in pages():
        for a in page(rel).select("article a.reference.internal"):
            text = a.get_text(" ", strip=True)
            m = REFERENCE_NUMBER.match(text)
            if not m:
                continue
            checked += 1
            target = _target_number(rel, a["href"])
            if target != m.group(1).rstrip("."):
                wrong.append(f"{rel}: {text!r} -> {a['href']} carries {target!r}")
    assert checked > 100, f"only {checked} numbered cross-references found"
    assert not wrong, "\n".join(wrong[:20])


def test_formula_sheet_cites_chapters_by_their_numbers():
    links = page("formula_sheet.html").select("article a.reference.internal")
    links = [a for a in links if a.get_text().startswith("Ch.")]
    assert len(links) >= 20
    for a in links:
        target = os.path.normpath(a["href"].split("#")[0]).removesuffix(".html")
        assert a.get_text(strip=True) == f"Ch. {CHAPTERS[target]}", (a.get_text(), a["href"])
