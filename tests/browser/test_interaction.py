"""What a reader does besides reading, in headless Chromium with no network: the favicon, the
keyboard (Tab to a quiz option or a solution dropdown, Enter to use it), the animations of the
optimizer chapters (play changes the frame). The weight of every page is in test_site.py.
"""

from urllib.parse import urljoin

from conftest import settle

FOCUS_BEFORE = """(selector) => {
  const target = document.querySelector(selector);
  const anchor = document.createElement("span");
  anchor.tabIndex = -1;
  target.parentNode.insertBefore(anchor, target);
  anchor.focus();
  return document.activeElement === anchor;
}"""


def _pages_with(site_dir, marker):
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if "_static" not in p.parts and marker in p.read_text(encoding="utf-8", errors="replace"))


def _open(context, base_url, relative):
    page = context.new_page()
    page.goto(urljoin(base_url, relative), wait_until="load")
    settle(page)
    return page


def test_every_page_has_a_favicon_that_loads(context, base_url, site_dir):
    page = _open(context, base_url, "intro.html")
    href = page.eval_on_selector("link[rel~='icon']", "link => link.href") \
        if page.locator("link[rel~='icon']").count() else None
    assert href, "intro.html has no <link rel='icon'>: the browser asks for /favicon.ico (404)"
    response = page.request.get(href)
    assert response.ok and len(response.body()) > 50, f"the favicon {href} does not load"
    page.close()
    without = [p for p in _pages_with(site_dir, "<html") if "rel=\"icon\"" not in (site_dir / p).read_text()
               and not p.startswith(("student/", "_"))]
    assert not without, f"pages without a favicon link: {without[:5]}"


def test_a_quiz_answers_to_tab_and_enter(context, base_url, site_dir):
    pages = _pages_with(site_dir, 'class="quiz docutils')
    assert pages, "no page has a quiz"
    page = _open(context, base_url, pages[0])
    page.wait_for_selector("div.quiz.quiz-ready")
    assert page.evaluate(FOCUS_BEFORE, "div.quiz.quiz-ready .quiz-question .quiz-option")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => Boolean(document.activeElement.closest('.quiz-option'))")
    assert focused, "Tab does not reach the first option of a quiz"
    status = page.locator("div.quiz.quiz-ready .quiz-question").first.locator(".quiz-status")
    before = status.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    assert status.inner_text() != before and status.inner_text().strip(), "Enter did not answer the quiz"
    page.close()


def test_a_solution_dropdown_opens_with_tab_and_enter(context, base_url, site_dir):
    pages = _pages_with(site_dir, 'class="solution')
    assert pages, "no page has a solution"
    page = _open(context, base_url, pages[0])
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section, .solution-content, p").last
    assert not body.is_visible(), "the solution should start collapsed"
    assert page.evaluate(FOCUS_BEFORE, "div.solution.dropdown")
    on_toggle = ("() => Boolean(document.activeElement"
                 ".closest('div.solution .toggle-button, div.solution summary'))")
    for _ in range(3):  # the title's link to its exercise comes first, then the toggle
        page.keyboard.press("Tab")
        if page.evaluate(on_toggle):
            break
    assert page.evaluate(on_toggle), "three Tabs do not reach the solution's toggle"
    page.keyboard.press("Enter")
    body.wait_for(state="visible", timeout=3000)
    page.close()


def test_pressing_play_changes_the_frame_of_every_animation(context, base_url, site_dir):
    pages = _pages_with(site_dir, 'class="animation"')
    # chapter 9 animates the optimizers' paths: a site without an animation lost them
    assert pages, "no page has a matplotlib animation (to_jshtml): chapter 9 should have two"
    for relative in pages:
        page = _open(context, base_url, relative)
        animations = page.locator("div.animation")
        for index in range(animations.count()):
            animation = animations.nth(index)
            animation.scroll_into_view_if_needed()
            image = animation.locator("img").first
            before = image.get_attribute("src")
            animation.locator("button[title='Play'], button[title='Play forward']").first.click()
            page.wait_for_timeout(600)
            changed = image.get_attribute("src") != before
            assert changed, f"{relative}: animation {index} shows the same frame after Play"
        page.close()
