"""The built site calls the course's sources by their names, and the notes page links every correction.

The two documents are "the exam notes" and "the Day 7 overview"; "seed" is kept for random seeds (a
student reads "seed 001" or "the seed's" as a random seed). Every place a chapter corrects or completes the
notes carries a label ``(notes-fix-...)=``, and the page "The notes this course follows" links each one.
"""

import html
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html"))
FORBIDDEN = re.compile(r"\bseed (?:000|001|00)\b|\bseed's\b|\bthe seeds\b|\bseeds? 0\d\d\b", re.IGNORECASE)


def pages():
    return sorted(p for p in SITE.rglob("*.html") if "_static" not in p.parts)


def visible_text(page):
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def test_the_site_has_pages():
    assert SITE.is_dir(), f"{SITE} is missing: run `make book` first (make test does)"
    assert len(pages()) >= 25


def test_no_page_calls_the_notes_a_seed():
    found = []
    for page in pages():
        for match in FORBIDDEN.finditer(visible_text(page)):
            found.append(f"{page.relative_to(SITE)}: ...{match.group(0)}...")
    assert not found, "\n".join(found[:20])


def test_the_pattern_catches_what_the_course_used_to_say():
    # the phrasings the course used before it named its sources (issue 12), so that the test above can fail
    for old in ("as seed 001 writes", "the seed's z3", "The seeds write momentum", "seed 000 calls it"):
        assert FORBIDDEN.search(old), old
    for fine in ("a seeded generator", "np.random.default_rng(seed=0)", "the random seed 2026"):
        assert not FORBIDDEN.search(fine), fine


def correction_labels():
    labels = set()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        labels.update(re.findall(r"\((notes-fix-[a-z0-9-]+)\)=", notebook.read_text(encoding="utf-8")))
    return labels


def test_the_notes_page_links_every_correction():
    labels = correction_labels()
    assert len(labels) >= 20
    notes = (SITE / "notes.html").read_text(encoding="utf-8")
    missing = sorted(label for label in labels if f'#{label}"' not in notes)
    assert not missing, f"corrections not linked from the notes page: {missing}"


@pytest.mark.parametrize("label", sorted(correction_labels()))
def test_every_correction_label_is_an_anchor_in_its_chapter(label):
    chapters = "".join(p.read_text(encoding="utf-8") for p in (SITE / "chapters").glob("*.html"))
    assert f'id="{label}"' in chapters
