"""The practice site in Chromium (issue 21): checking with follow-through, progress that stays, the review,
the mock exam's timer and scoring, keyboard use, axe and widths.

Expected values come from the data files the build wrote (the Python key) and from formulas worked here
(the logistic function, the paper's points times the share of steps answered), not from the page's scripts.
"""

import json
import math
import re

import pytest
from test_every_page import AXE, OVERFLOW, RUN_AXE, WAIT, WCAG

# Any element of the article that reaches past the column, unless a box between them scrolls or clips.
WIDER_THAN_COLUMN = """() => {
  const article = document.querySelector("article.bd-article");
  const col = article.getBoundingClientRect();
  const right = col.right - parseFloat(getComputedStyle(article).paddingRight) + 1;
  const out = [];
  for (const el of article.querySelectorAll("*")) {
    if (!el.getClientRects().length || el.closest("details:not([open])")) { continue; }
    let clipped = false;
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") { clipped = true; break; }
    }
    const r = el.getBoundingClientRect();
    if (!clipped && r.width > 0 && r.right > right) {
      out.push(el.tagName + "." + el.className + " " + Math.round(r.right));
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) { out.push("the page scrolls sideways"); }
  return out;
}"""


# The page has loaded and every problem form and app of it is built.
READY = """() => document.readyState === "complete" &&
  [...document.querySelectorAll(".practice-problem")].every(e => e.classList.contains("practice-ready")) &&
  [...document.querySelectorAll(".practice-app")].every(a => a.querySelector(":scope > :not(noscript)"))"""


def _register_json(path):
    """The JSON object of the first argument of the CoursePractice.register... call of a data file."""
    text = path.read_text()
    start = text.index("(") + 1
    return json.JSONDecoder().raw_decode(text[start:])[0]


@pytest.fixture(scope="module")
def network(site_dir):
    return _register_json(site_dir / "practice" / "data" / "network.js")


@pytest.fixture(scope="module")
def paper_numbers(site_dir):
    text = (site_dir / "practice" / "papers" / "index.js").read_text()
    return json.loads(re.search(r"\[[\d, ]*\]", text).group(0))


@pytest.fixture()
def page(context, base_url):
    page = context.new_page()
    page.goto(base_url + "practice/index.html")
    page.evaluate("() => localStorage.clear()")
    yield page
    page.close()


def _open(page, url):
    page.goto(url)
    page.wait_for_function(READY)
    page.evaluate(WAIT)


def _verdict(page, aria):
    box = page.get_by_label(aria, exact=True)
    return page.locator("#" + box.get_attribute("aria-describedby")).inner_text()


def _asked(data, variant):
    return [s for s in data["steps"] if s["name"] in variant["answers"]]


def test_typing_the_key_marks_every_part_right(page, base_url, network):
    variant = network["variants"][1]
    _open(page, f"{base_url}practice/network.html#network-{variant['n']}")
    assert f"Variant {variant['n']} " in page.locator(".practice-variant").inner_text()
    steps = _asked(network, variant)
    assert page.locator(".practice-step input").count() == len(steps)
    for step in steps:
        page.get_by_label(step["aria"], exact=True).fill(f"{variant['answers'][step['name']]:.6g}")
    page.get_by_role("button", name="Check").click()
    for step in steps:
        assert _verdict(page, step["aria"]) == "\u2713 right", step["name"]
    assert page.locator(".practice-status").inner_text() == f"{len(steps)} of {len(steps)} right."


def test_a_wrong_z1_follows_through_and_a_step_wrong_from_both_is_wrong(page, base_url, network):
    variant = network["variants"][0]
    g, key = variant["givens"], variant["answers"]
    _open(page, f"{base_url}practice/network.html#network-{variant['n']}")
    z1 = key["z1"] + 0.5                                   # wrong
    a1 = 1 / (1 + math.exp(-z1))                           # the logistic function of the student's z1
    z3 = g["b3"] + g["w13"] * a1 + g["w23"] * key["a2"]    # the output's input from the student's a1
    y_hat = key["y_hat"] + 0.2                             # neither the key nor sigmoid(z3): wrong
    typed = {"z sub 1": z1, "a sub 1": a1, "z sub 2": key["z2"], "a sub 2": key["a2"], "z sub 3": z3,
             "y hat": y_hat}
    for aria, value in typed.items():
        page.get_by_label(aria, exact=True).fill(f"{value:.6g}")
    page.get_by_label("a sub 1", exact=True).press("Enter")   # Enter checks
    assert _verdict(page, "z sub 1") == "\u2717 wrong"
    assert _verdict(page, "a sub 1") == "\u2713 right, following through from your z1"
    assert _verdict(page, "z sub 2") == "\u2713 right"
    assert _verdict(page, "z sub 3") == "\u2713 right, following through from your a1"
    assert _verdict(page, "y hat").startswith("\u2717 wrong")
    assert str(round(key["y_hat"], 4)) not in page.locator(".practice-live form").inner_text()
    # the miss is kept: after a reload the progress page shows the attempt, and the review page the type
    page.reload()
    _open(page, base_url + "practice/progress.html")
    assert network["chapter"]["title"] in page.locator(".practice-app").inner_text()
    assert page.locator(".practice-app svg.practice-chart").count() >= 1
    _open(page, base_url + "practice/review.html")
    link = page.get_by_role("link", name="New numbers: " + network["title"])
    assert link.is_visible()
    _open(page, base_url + "practice/index.html")
    assert "practised 1 time" in page.locator('.practice-progress[data-practice-type="network"]').inner_text()


def test_the_mock_exam_hands_in_at_zero_and_scores_a_hand_made_sheet(isolated_page, base_url, site_dir,
                                                                      paper_numbers):
    page = isolated_page  # the fake clock stays in this test's own browser
    number = paper_numbers[3]
    text = (site_dir / "practice" / "papers" / f"{number}.js").read_text()
    paper = json.JSONDecoder().raw_decode(text[text.index("(") + 1:])[0]
    page.clock.install()
    _open(page, f"{base_url}practice/mock.html#paper={number}")
    assert page.locator(".practice-timer").inner_text() == f"Time left: {paper['minutes']}:00"
    expected = 0.0
    inputs = page.locator(".practice-mock-problem")
    for index, problem in enumerate(paper["problems"]):
        steps = [s for s in problem["steps"] if s["name"] in problem["answers"]]
        box = inputs.nth(index)
        if index == 0:      # every step from the key: full points
            chosen, wrong = steps, None
        elif index == 1:    # a first step with no inputs of its own, wrong; the rest from the key
            wrong = next(s for s in steps if not s["uses"])
            chosen = steps
        elif index == 2:    # left blank: nothing
            chosen, wrong = [], None
        else:               # the first half from the key, the rest blank
            chosen, wrong = steps[: len(steps) // 2], None
        for step in chosen:
            value = problem["answers"][step["name"]]
            if step is wrong:
                value = value + 1 + 10 * abs(value)
            box.get_by_label(step["aria"], exact=True).fill(f"{value:.6g}")
        right = len(chosen) - (1 if wrong else 0)
        expected += problem["points"] * right / len(steps)
    page.clock.run_for(paper["minutes"] * 60 * 1000 + 2000)
    assert page.locator(".practice-timer").inner_text().startswith("Handed in after")
    numeric_total = round(expected, 2)
    assert f"Numeric parts: {numeric_total:g} of" in page.locator(".practice-total").inner_text()
    concepts = paper["concepts"]
    page.get_by_role("group", name="Mark your answer to concept question 1").get_by_label("got it").check()
    page.get_by_role("group", name="Mark your answer to concept question 2").get_by_label("partly").check()
    for index in range(3, len(concepts) + 1):
        page.get_by_role("group", name=f"Mark your answer to concept question {index}").get_by_label(
            "not yet").check()
    total = round(expected + concepts[0]["points"] + concepts[1]["points"] / 2, 2)
    total_line = page.locator(".practice-total").inner_text()
    assert total_line.startswith(f"Total: {total:g} of {paper['points']} points")
    assert page.locator(".practice-time-used").inner_text() == f"Time used: {paper['minutes']}:00."
    assert page.locator(".practice-results table tbody tr").count() >= 1


def test_keyboard_alone_checks_and_opens_the_solution(page, base_url, network):
    variant = network["variants"][2]
    _open(page, f"{base_url}practice/network.html#network-{variant['n']}")
    first = page.get_by_label("z sub 1", exact=True)
    for _ in range(80):
        page.keyboard.press("Tab")
        if first.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first input")
    page.keyboard.type(f"{variant['answers']['z1']:.6g}")
    page.keyboard.press("Enter")
    assert _verdict(page, "z sub 1") == "\u2713 right"
    reveal = page.get_by_role("button", name="Show solution")
    for _ in range(60):
        page.keyboard.press("Tab")
        if reveal.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached Show solution")
    page.keyboard.press("Enter")
    assert page.locator(".practice-worked").is_visible()


def _practice_pages(site_dir):
    return sorted(p.name for p in (site_dir / "practice").glob("*.html"))


def test_axe_and_widths_on_every_practice_page(page, base_url, site_dir, screenshot_dir):
    assert AXE.is_file()
    problems = {}
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    for name in _practice_pages(site_dir):
        page.set_viewport_size({"width": 1280, "height": 900})
        _open(page, f"{base_url}practice/{name}")
        if page.locator(".practice-form").count():   # verdicts and the solution shown too
            page.locator(".practice-step input").first.fill("1/0")
            page.get_by_role("button", name="Check").click()
            page.get_by_role("button", name="Show solution").click()
            page.evaluate(WAIT)
        page.add_script_tag(path=str(AXE))
        serious = [v for v in page.evaluate(RUN_AXE, [{"exclude": []}, WCAG])
                   if v["in_article"] and v["impact"] in ("serious", "critical")]
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900 if width == 1280 else 844})
            page.wait_for_timeout(50)
            wide = page.evaluate(WIDER_THAN_COLUMN) + page.evaluate(OVERFLOW, width == 1280)
            if wide:
                problems[f"{name} at {width}"] = wide[:5]
            if name in ("network.html", "mock.html", "progress.html"):
                page.locator("article.bd-article").screenshot(
                    path=str(screenshot_dir / f"practice-{name[:-5]}-{width}.png"))
        if serious:
            problems[f"{name} axe"] = serious
    assert not problems, problems


def test_a_missed_chapter_quiz_question_comes_back_on_the_review_page(page, base_url):
    page.goto(base_url + "chapters/01_loss_vs_cost.html")
    question = page.locator(".quiz-question").first
    wrong = question.locator(".quiz-option:not(.quiz-correct) button.quiz-choose").first
    wrong.click()
    question.locator(".quiz-option.quiz-correct button.quiz-choose").click()   # the first choice counts
    stored = json.loads(page.evaluate("() => localStorage.getItem('lob-course-progress-v1')"))
    assert stored["version"] == 1
    assert [(a["kind"], a["score"]) for a in stored["attempts"]] == [("quiz", 0)]
    assert stored["attempts"][0]["page"] == "chapters/01_loss_vs_cost.html"
    _open(page, base_url + "practice/review.html")
    link = page.locator(".practice-review-list a").first
    assert link.inner_text().startswith("Chapter quiz: ")
    assert link.get_attribute("href").endswith("chapters/01_loss_vs_cost.html")


def test_a_concept_answer_is_kept_self_marked_and_a_miss_comes_back(page, base_url):
    _open(page, base_url + "practice/review.html")
    item = page.locator(".practice-review-item").last
    item.get_by_label("Your answer").fill("The gradient points uphill.")
    item.get_by_role("button", name="Show the model answer").click()
    assert item.locator(".practice-worked").is_visible()
    item.get_by_role("button", name="Not yet").click()
    assert "Marked \u201cnot yet\u201d" in item.locator(".practice-status").inner_text()
    page.reload()
    page.wait_for_function(READY)
    due = page.locator(".practice-review-list").first.locator(".practice-review-item")
    assert due.count() == 1
    assert due.get_by_label("Your answer").input_value() == "The gradient points uphill."


def test_a_mock_exams_concept_answers_survive_a_reload_and_stay_with_their_paper(page, base_url,
                                                                                 paper_numbers):
    first, other = paper_numbers[0], paper_numbers[1]
    _open(page, f"{base_url}practice/mock.html#paper={first}")
    answer = page.get_by_label("Your answer to concept question 1", exact=True)
    answer.type("Momentum averages the gradients.")
    page.get_by_label("Your answer to concept question 3", exact=True).fill("A smaller step near the end.")
    page.reload()  # typed, not yet handed in: the page is left and opened again
    page.wait_for_function(READY)
    assert page.get_by_label("Your answer to concept question 1", exact=True).input_value() == \
        "Momentum averages the gradients."
    assert page.get_by_label("Your answer to concept question 3", exact=True).input_value() == \
        "A smaller step near the end."
    assert page.get_by_label("Your answer to concept question 2", exact=True).input_value() == ""
    stored = json.loads(page.evaluate("() => localStorage.getItem('lob-course-progress-v1')"))
    assert sorted(v for k, v in stored["answers"].items() if k.startswith(f"mock-{first}:")) == [
        "A smaller step near the end.", "Momentum averages the gradients."]
    page.evaluate(f"() => {{ location.hash = 'paper={other}'; }}")  # another paper starts blank
    page.wait_for_function(
        f"() => /Mock paper {other}:/.test(document.querySelector('.practice-app h2').textContent)")
    assert page.get_by_label("Your answer to concept question 1", exact=True).input_value() == ""
