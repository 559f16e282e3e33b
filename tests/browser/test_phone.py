"""Every page as a phone shows it (390 x 844, loaded at that width, as a phone loads it): each
formula, equation number and table cell is seen whole (issue 22).

test_every_page.py checks that no box is wider than the column; a box that scrolls sideways
passed that check while a reader saw half an equation, and an equation number stood where the
hidden part was. This test looks at ink instead (``visible.js``): the glyphs of every formula
(display and inline: the answer key's numbers are inline math), the text of every table cell and
of every equation number must lie inside the window and inside every box around them that clips
or scrolls, and an equation number must not meet its formula's glyphs. A scroll bar is not
accepted as a cue: on a phone nothing a reader needs is out of sight.
"""

from pathlib import Path
from urllib.parse import urljoin

import pytest
import test_every_page

HERE = Path(__file__).resolve().parent
VISIBLE = "\n".join(line for line in (HERE / "visible.js").read_text().splitlines()
                    if not line.startswith("//"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def phone_problems(context, base_url, site_dir):
    """Each page opened at 390 x 844 (MathJax breaks lines for the width it typesets at): its problems."""
    results = {}
    for relative in test_every_page._site_pages(site_dir):
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(urljoin(base_url, relative), wait_until="load")
        page.evaluate(test_every_page.WAIT)
        page.wait_for_timeout(100)
        results[relative] = page.evaluate(VISIBLE)
        page.close()
    return results


def test_every_formula_table_and_number_is_seen_whole_on_a_phone(phone_problems):
    problems = {page: found for page, found in phone_problems.items() if found}
    for page, found in problems.items():
        print(f"\n390 px {page}: {len(found)} problem(s)")
        for problem in found[:12]:
            print(f"    {problem}")
    assert phone_problems, "no page was checked"
    assert not problems, f"content cut off or covered on a phone on {sorted(problems)}"
