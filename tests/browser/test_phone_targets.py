"""The small things of issue 22, as a reader's finger and eye meet them at 390 x 844 and 1280 x 900:
tap targets of at least 44 x 44 CSS px in the header and the menu, the book's title once in the
menu, typed search text clear of the magnifier, "Back to top" never over text or a control, and
chapter 9's animations sharp (two image pixels per CSS pixel shown) with their controls in one block.

test_phone.py checks that formulas, tables and equation numbers are seen whole; test_interaction.py
that Play changes an animation's frame. Nothing here repeats those.
"""

from pathlib import Path
from urllib.parse import urljoin

import pytest
import test_every_page
import yaml

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
WINDOWS = {"390": PHONE, "1280": LAPTOP}
TARGET = 44  # CSS px, WCAG 2.5.5
# A page of each kind: the landing page, a notebook chapter (launch, download and repository menus),
# a Markdown page, the answer key, a practice page and the search page.
HEADER_PAGES = ["intro.html", "chapters/09_adaptive_methods.html", "formula_sheet.html",
                "exam/sample_key.html", "practice/huber.html", "search.html"]
ANIMATION_PAGE = "chapters/09_adaptive_methods.html"

# Rendered, and inside the window's width: a closed drawer is out of the window to the left. (Not
# the window's height: the menu scrolls, and the page scrolls its lower chevrons into view.)
VISIBLE = """(el) => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" &&
    r.right > 0 && r.left < innerWidth;
}"""

# Each visible button and link of the article header (and pydata's top navbar, if shown), of an
# open header menu, and the menu's (primary sidebar's) search field and section chevrons.
TARGETS = """([selector, visibleSource]) => {
  const visible = eval(visibleSource);
  return [...document.querySelectorAll(selector)].filter(visible).map(el => {
    const r = el.getBoundingClientRect();
    const name = el.getAttribute("aria-label") || el.title || el.textContent || el.className;
    return {name: name.trim().slice(0, 40),
            width: r.width, height: r.height, left: r.left, right: r.right, top: r.top};
  });
}"""
HEADER = (".bd-header-article a, .bd-header-article button, .bd-header a, .bd-header button, "
          "button.primary-toggle, button.secondary-toggle")
MENU = ".bd-sidebar-primary button, .bd-sidebar-primary .toctree-toggle"


def _open(context, base_url, relative, window):
    page = context.new_page()
    page.set_viewport_size(window)
    page.goto(urljoin(base_url, relative), wait_until="load")
    page.evaluate(test_every_page.WAIT)  # MathJax done, images decoded
    return page


def _targets(page, selector):
    return page.evaluate(TARGETS, [selector, VISIBLE])


def _small(targets):
    return [f"{t['name']!r} {t['width']:.1f} x {t['height']:.1f}" for t in targets
            if t["width"] < TARGET - 0.01 or t["height"] < TARGET - 0.01]


def _open_menu(page):
    """On a phone the menu is a drawer: open it with the header's menu button."""
    if not page.locator(".bd-sidebar-primary").evaluate(VISIBLE):
        page.locator("button.primary-toggle").first.click()
        page.wait_for_timeout(500)
    assert page.locator(".bd-sidebar-primary").evaluate(VISIBLE), "the menu did not open"


@pytest.mark.parametrize("width", WINDOWS)
def test_header_buttons_and_links_are_44_px_squares_in_one_row(context, base_url, width):
    small, layout = {}, {}
    for relative in HEADER_PAGES:
        page = _open(context, base_url, relative, WINDOWS[width])
        header = _targets(page, HEADER)
        assert any("primary sidebar" in t["name"] for t in header), f"{relative}: no visible menu button"
        found = _small(header)
        # the header keeps one row inside the window, its buttons side by side
        tops = {round(t["top"]) for t in header}
        if len(tops) > 1 or any(t["right"] > WINDOWS[width]["width"] or t["left"] < 0 for t in header):
            layout[relative] = [(t["name"], round(t["left"]), round(t["top"])) for t in header]
        ordered = sorted(header, key=lambda t: t["left"])
        overlaps = [(a["name"], b["name"]) for a, b in zip(ordered, ordered[1:], strict=False)
                    if b["left"] < a["right"] - 0.5]
        if overlaps:
            layout[relative] = overlaps
        # each of the header's menus (launch, repository, download), opened
        for index in range(page.locator(".bd-header-article .dropdown-toggle").count()):
            toggle = page.locator(".bd-header-article .dropdown-toggle").nth(index)
            if not toggle.evaluate(VISIBLE):
                continue
            toggle.click()
            page.wait_for_timeout(200)
            items = _targets(page, ".bd-header-article .dropdown-menu.show a, "
                                   ".bd-header-article .dropdown-menu.show button")
            assert items, f"{relative}: the menu {toggle.get_attribute('aria-label')!r} shows no item"
            found += _small(items)
            page.keyboard.press("Escape")
        if found:
            small[relative] = found
        page.close()
    print(f"\n{width} px header targets smaller than {TARGET} x {TARGET}: {small or 'none'}")
    assert not small, f"tap targets under {TARGET} x {TARGET} CSS px at {width} px: {small}"
    assert not layout, f"the header's buttons leave one row or overlap at {width} px: {layout}"


@pytest.mark.parametrize("width", WINDOWS)
def test_the_menu_toggle_search_field_and_chevrons_are_44_px_squares(context, base_url, width):
    page = _open(context, base_url, "exercises/index.html", WINDOWS[width])  # a page with open sections
    _open_menu(page)
    menu = _targets(page, MENU)
    chevrons = page.locator(".bd-sidebar-primary .toctree-toggle").count()
    assert chevrons >= 2, "the menu should have chevrons for the exercise sets and the practice pages"
    small = _small(menu)
    page.close()
    print(f"\n{width} px menu targets: {len(menu)}, too small: {small or 'none'}")
    assert not small, f"menu targets under {TARGET} x {TARGET} CSS px at {width} px: {small}"


@pytest.mark.parametrize("width", WINDOWS)
def test_the_menu_shows_the_book_title_once(context, base_url, width):
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    for relative in ("intro.html", "chapters/09_adaptive_methods.html"):
        page = _open(context, base_url, relative, WINDOWS[width])
        _open_menu(page)
        text = page.locator(".bd-sidebar-primary").inner_text()  # what is rendered, not what is hidden
        names = page.evaluate("""(title) => [...document.querySelectorAll(
            '.bd-sidebar-primary [aria-label], .bd-sidebar-primary img[alt]')]
            .filter(el => (el.getAttribute('aria-label') || el.alt).includes(title)).length""", title)
        page.close()
        shown = " ".join(text.split()).count(title)
        assert shown == 1, f"{relative} at {width} px: the menu shows the title {shown} times"
        assert names == 0, f"{relative} at {width} px: a label or alt text in the menu repeats the title"


SEARCH_BOX = """() => {
  const dialog = document.querySelector("#pst-search-dialog");
  const form = dialog && dialog.open ? dialog.querySelector("form.bd-search")
                                     : document.querySelector(".bd-search-container form.bd-search");
  const input = form.querySelector("input"), icon = form.querySelector(".fa-magnifying-glass, svg");
  const box = input.getBoundingClientRect(), style = getComputedStyle(input);
  const glass = icon.getBoundingClientRect();
  return {textStart: box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          iconLeft: glass.left, iconRight: glass.right, iconWidth: glass.width, value: input.value};
}"""


@pytest.mark.parametrize("width", WINDOWS)
def test_typed_search_text_starts_right_of_the_magnifier(context, base_url, width):
    boxes = {}
    page = _open(context, base_url, "chapters/09_adaptive_methods.html", WINDOWS[width])
    # the search opens from the header's button (phone) or the menu's search field (laptop)
    opener = page.locator(".search-button__button")
    visible = [i for i in range(opener.count()) if opener.nth(i).evaluate(VISIBLE)]
    assert visible, "no visible search button"
    opener.nth(visible[0]).click()
    page.wait_for_selector("#pst-search-dialog[open] input")
    page.keyboard.type("Wolfe")
    boxes["dialog"] = page.evaluate(SEARCH_BOX)
    page.close()
    page = _open(context, base_url, "search.html?q=Wolfe", WINDOWS[width])  # the search page's own field
    boxes["search page"] = page.evaluate(SEARCH_BOX)
    page.close()
    print(f"\n{width} px search boxes: {boxes}")
    assert boxes["dialog"]["value"] == "Wolfe", "the typed text did not reach the search field"
    for where, box in boxes.items():
        assert box["iconWidth"] > 0, f"{where}: no magnifier found"
        assert box["textStart"] >= box["iconRight"] + 2, (
            f"{where} at {width} px: typed text starts at x = {box['textStart']:.1f}, "
            f"under the magnifier ({box['iconLeft']:.1f} to {box['iconRight']:.1f})")


# What the back-to-top button covers: each text (its glyphs' boxes) and each control of the page
# that meets the button's box, while the button is shown.
COVERED = """() => {
  const button = document.getElementById("pst-back-to-top");
  if (!button) { return {shown: false, covered: []}; }
  const style = getComputedStyle(button), box = button.getBoundingClientRect();
  if (style.display === "none" || style.visibility === "hidden" || !box.width || !box.height) {
    return {shown: false, covered: []};
  }
  const meets = (r) => r.width > 0 && r.height > 0 && r.right > box.left && r.left < box.right &&
                       r.bottom > box.top && r.top < box.bottom;
  const covered = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || button.contains(node)) { continue; }
    if (getComputedStyle(node.parentElement).visibility === "hidden") { continue; }
    const range = document.createRange();
    range.selectNodeContents(node);
    if ([...range.getClientRects()].some(meets)) { covered.push(node.textContent.trim().slice(0, 40)); }
  }
  for (const control of document.querySelectorAll("input, button, select, textarea, label, summary")) {
    if (control !== button && !button.contains(control) && meets(control.getBoundingClientRect())) {
      covered.push(`<${control.tagName.toLowerCase()}> ${(control.textContent || "").trim().slice(0, 30)}`);
    }
  }
  return {shown: true, covered};
}"""


@pytest.mark.parametrize("width", [390, 1000, 1280])
def test_back_to_top_never_covers_text_or_a_control(context, base_url, width):
    # 1000 px: sphinx-book-theme hides the button from 1200 px on; below, the theme shows it on scrolling up
    window = {"width": width, "height": 844 if width < 600 else 900}
    problems, shown = [], 0
    for relative in ("chapters/09_adaptive_methods.html", "chapters/05_choosing_a_loss.html"):
        page = _open(context, base_url, relative, window)
        # every quiz option brought to the bottom of the window (where the button floats), from below
        # (the theme shows the button when the page scrolls up), and a few plain scroll positions
        spots = page.evaluate("""() => [...document.querySelectorAll('.quiz-option, .quiz-question')]
            .map(el => el.getBoundingClientRect().top + scrollY - innerHeight * 0.85)""")
        spots = [y for y in spots if y > 200][:8] + [1500, 4000, 8000]
        for y in spots:
            page.evaluate(f"window.scrollTo(0, {y + 400})")
            page.wait_for_timeout(120)
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(120)
            seen = page.evaluate(COVERED)
            shown += seen["shown"]
            if seen["covered"]:
                problems.append((relative, round(y), seen["covered"][:4]))
        page.close()
    print(f"\n{width} px: back to top shown at {shown} scroll positions, "
          f"over text or a control at {len(problems)}")
    assert not problems, f"'Back to top' covers text or controls at {width} px: {problems[:6]}"


ANIMATIONS = """async () => {
  const load = (src) => new Promise((done) => { const image = new Image(); image.onload = () => done(image);
                                               image.onerror = () => done(null); image.src = src; });
  const column = document.querySelector(".bd-article").getBoundingClientRect();
  const result = [];
  for (const player of document.querySelectorAll("div.animation")) {
    player.scrollIntoView({block: "center"});
    const img = player.querySelector("img"), shown = img.getBoundingClientRect();
    const url = (getComputedStyle(img).backgroundImage.match(/url\\("?(.*?)"?\\)$/) || [])[1];
    const background = url ? await load(url) : null;
    const controls = player.querySelector(".anim-controls");
    const block = controls.getBoundingClientRect();
    const parts = [...controls.querySelectorAll("input, button, label")].map((el) => {
      const r = el.getBoundingClientRect();
      return {what: el.getAttribute("aria-label") || el.textContent.trim() || el.type, tag: el.tagName,
              left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
              overflows: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
              row: el.closest(".anim-buttons") ? "frames"
                 : el.closest(".anim-options") ? "options" : "slider"};
    });
    result.push({
      id: img.id, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
      shownWidth: shown.width, shownHeight: shown.height,
      backgroundWidth: background ? background.naturalWidth : 0,
      image: {left: shown.left, right: shown.right},
      block: {left: block.left, right: block.right, top: block.top, bottom: block.bottom},
      column: {left: column.left, right: column.right}, windowWidth: document.documentElement.clientWidth,
      parts,
    });
  }
  return result;
}"""


@pytest.fixture(scope="module")
def animations(context, base_url):
    measured = {}
    for width, window in WINDOWS.items():
        page = _open(context, base_url, ANIMATION_PAGE, window)
        page.wait_for_function("() => [...document.querySelectorAll('div.animation img')]"
                               ".every(img => img.complete && img.naturalWidth)")
        measured[width] = page.evaluate(ANIMATIONS)
        page.close()
    return measured


@pytest.mark.parametrize("width", WINDOWS)
def test_animation_frames_hold_two_pixels_per_css_pixel_shown(animations, width):
    players = animations[width]
    assert len(players) >= 2, "chapter 9 should show two animations"
    for player in players:
        print(f"\n{width} px {player['id']}: frame {player['naturalWidth']} x {player['naturalHeight']} px, "
              f"background {player['backgroundWidth']} px, shown {player['shownWidth']:.0f} x "
              f"{player['shownHeight']:.0f} CSS px")
        assert player["naturalWidth"] >= 2 * player["shownWidth"], f"{player['id']}: frames blurry at 2x"
        assert player["naturalHeight"] >= 2 * player["shownHeight"], f"{player['id']}: frames blurry at 2x"
        assert player["backgroundWidth"] >= 2 * player["shownWidth"], f"{player['id']}: contours blurry at 2x"


@pytest.mark.parametrize("width", WINDOWS)
def test_animation_controls_make_one_block_of_44_px_targets(animations, width):
    for player in animations[width]:
        name, block, parts = player["id"], player["block"], player["parts"]
        edge = min(player["column"]["right"], player["windowWidth"])
        assert block["right"] <= edge + 0.5 and block["left"] >= player["column"]["left"] - 0.5, (
            f"{name} at {width} px: the controls ({block['left']:.0f} to {block['right']:.0f}) "
            f"leave the column ({player['column']['left']:.0f} to {edge:.0f})")
        # one block: under the picture, no wider than it, every control inside it
        image = player["image"]
        assert block["left"] >= image["left"] - 0.5 and block["right"] <= image["right"] + 0.5, (
            f"{name} at {width} px: the controls are wider than the picture")
        outside = [p["what"] for p in parts
                   if p["left"] < block["left"] - 0.5 or p["right"] > block["right"] + 0.5
                   or p["top"] < block["top"] - 0.5 or p["bottom"] > block["bottom"] + 0.5]
        assert not outside, f"{name} at {width} px: controls outside their block: {outside}"
        overflowing = [p["what"] for p in parts if p["overflows"]]
        assert not overflowing, f"{name} at {width} px: content overflows its control: {overflowing}"
        frames = [p for p in parts if p["row"] == "frames"]
        assert len(frames) == 7, f"{name}: expected the seven frame buttons: {[p['what'] for p in frames]}"
        rows = {round(p["top"]) for p in frames}
        assert len(rows) == 1, f"{name} at {width} px: the frame buttons wrap onto {len(rows)} lines"
        options = [p for p in parts if p["row"] == "options"]
        middles = [p["top"] + p["height"] / 2 for p in options]
        assert options and max(middles) - min(middles) <= 2, (
            f"{name} at {width} px: speed and repetition mode wrap: "
            f"{[(p['what'], round(p['top'])) for p in options]}")
        small = [f"{p['what']} {p['width']:.0f} x {p['height']:.0f}" for p in parts if p["tag"] == "BUTTON"
                 and (p["width"] < TARGET - 0.01 or p["height"] < TARGET - 0.01)]
        small += [f"{p['what']} {p['height']:.0f} high" for p in parts if p["tag"] == "LABEL"
                  and p["height"] < TARGET - 0.01]
        assert not small, f"{name} at {width} px: controls under {TARGET} px: {small}"
