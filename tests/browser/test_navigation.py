"""The site's navigation on a phone, a narrow window and a desktop window (headless Chromium).

The menu button (site navigation) and the page-contents button must open something a reader can
use at 390 px and 800 px; at 1280 px the sidebar button must hide and show the sidebar. A
screenshot of the phone with the menu open goes to the screenshot folder.
"""

from urllib.parse import urljoin

import pytest
from conftest import settle

PAGE = "chapters/02_regression_losses.html"
NEXT_CHAPTER = "03_classification_losses.html"


def _open(context, base_url, width, height):
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(urljoin(base_url, PAGE), wait_until="load")
    settle(page)
    return page


def _visible_button(page, selector):
    buttons = [b for b in page.locator(selector).all() if b.is_visible()]
    assert buttons, f"no visible {selector} button"
    return buttons[0]


@pytest.mark.parametrize("width,height", [(390, 844), (800, 1000)])
def test_the_menu_button_opens_the_site_navigation(context, base_url, screenshot_dir, width, height):
    page = _open(context, base_url, width, height)
    assert not page.locator("#pst-primary-sidebar-modal").is_visible()
    _visible_button(page, ".primary-toggle").click()
    dialog = page.locator("#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible", timeout=3000)
    link = dialog.locator(f"nav a[href$='{NEXT_CHAPTER}']").first
    assert link.is_visible(), "the chapter list is not visible in the opened menu"
    box = link.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, f"menu link off-screen: {box}"
    if width == 390:
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot_dir / "phone_menu_open.png"))
    link.click()
    page.wait_for_url(f"**/{NEXT_CHAPTER}", timeout=5000)
    page.close()


@pytest.mark.parametrize("width,height", [(390, 844), (800, 1000)])
def test_the_contents_button_opens_the_page_contents(context, base_url, width, height):
    page = _open(context, base_url, width, height)
    _visible_button(page, ".secondary-toggle").click()
    dialog = page.locator("#pst-secondary-sidebar-modal")
    dialog.wait_for(state="visible", timeout=3000)
    entries = [a for a in dialog.locator("nav a[href^='#']").all() if a.is_visible()]
    assert len(entries) >= 2, "the page contents are not visible in the opened panel"
    target = entries[1].get_attribute("href")
    entries[1].click()
    page.wait_for_function("h => location.hash === h", arg=target, timeout=5000)
    page.close()


def test_the_sidebar_button_hides_and_shows_the_sidebar_on_a_desktop(context, base_url):
    page = _open(context, base_url, 1280, 900)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    article = page.locator("main.bd-main")
    width_before = article.bounding_box()["width"]
    _visible_button(page, ".primary-toggle").click()
    page.wait_for_timeout(400)
    assert not sidebar.is_visible(), "the sidebar button did not hide the sidebar"
    assert not page.locator("#pst-primary-sidebar-modal").is_visible()
    assert article.bounding_box()["width"] > width_before, "the article did not get the room"
    _visible_button(page, ".primary-toggle").click()
    page.wait_for_timeout(400)
    assert sidebar.is_visible(), "the sidebar button did not show the sidebar again"
    page.close()
