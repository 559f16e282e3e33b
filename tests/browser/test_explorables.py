"""The explorable figures in Chromium (no network), on the five pages that have one:

* each control, moved by keyboard (a range by an arrow key, a selector by an arrow key), changes
  the drawing and the text summary, which is announced politely (aria-live);
* every control is a labelled native input and shows its value;
* axe-core finds no serious or critical violation in the article, nothing is wider than the column
  at 1280 or 390 px (test_every_page's checks, after the controls were moved), and the page loads
  at most 2.5 MB (test_site's count);
* with JavaScript off the figure stays hidden and the still figure stands.
"""

import pytest
import test_every_page
import test_site

PAGES = {"gd": "chapters/06_optimization_basics.html", "momentum": "chapters/08_momentum_nesterov.html",
         "adaptive": "chapters/09_adaptive_methods.html", "schedules": "chapters/10_lr_schedules.html",
         "network": "chapters/12_worked_example.html"}

STATE = """(id) => {
  const s = document.getElementById(id);
  return {svg: [...s.querySelectorAll("svg")].map(x => x.innerHTML).join(""),
          summary: s.querySelector(".explore-summary").textContent, hidden: s.hidden};
}"""

CONTROLS = """(id) => [...document.getElementById(id).querySelectorAll("input, select")].map(c => ({
  id: c.id, type: c.type, label: c.labels.length ? c.labels[0].textContent.trim() : "",
  max: c.max || null, value: c.value,
  live: document.getElementById(id).querySelector('[aria-live="polite"]') !== null,
  shown: c.type === "range" ? (document.getElementById(c.id + "-value") || {}).textContent
                            : c.selectedOptions[0].text,
}))"""


@pytest.fixture(scope="module")
def visits(context, base_url):
    """Each page once: its bytes, then every control moved by keyboard, then test_every_page's measure."""
    results = {}
    for name, relative in PAGES.items():
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.goto(base_url + relative, wait_until="load")
        page.evaluate(test_every_page.WAIT)
        report = {"errors": errors, "bytes": sum(size for _, size in page.evaluate(test_site.RESOURCES))}
        section = f"explore-{name}"
        moves = []
        # ranges first: a selector may replace the ranges (chapter 10's schedule has its own parameters)
        for control in sorted(page.evaluate(CONTROLS, section), key=lambda c: c["type"] != "range"):
            before = page.evaluate(STATE, section)
            page.focus(f"#{control['id']}")
            if control["type"] == "range":
                key = "ArrowLeft" if control["value"] == control["max"] else "ArrowRight"
            else:
                key = "ArrowDown"
            page.keyboard.press(key)
            after = page.evaluate(STATE, section)
            moves.append((control, before, after, page.evaluate(CONTROLS, section)))
        report["moves"] = moves
        report["measured"] = test_every_page.measure(page)
        page.close()
        results[name] = report
    return results


@pytest.mark.parametrize("name", list(PAGES))
def test_every_control_moved_by_keyboard_changes_drawing_and_summary(visits, name):
    moves = visits[name]["moves"]
    assert len(moves) >= 1
    for control, before, after, _ in moves:
        assert not before["hidden"], f"{name}: the figure is hidden with JavaScript on"
        assert before["svg"] != after["svg"], f"{name}: {control['id']} did not change the drawing"
        assert before["summary"] != after["summary"], f"{name}: {control['id']} did not change the summary"


@pytest.mark.parametrize("name", list(PAGES))
def test_controls_are_labelled_show_their_value_and_the_summary_is_live(visits, name):
    for control, _, _, controls_after in visits[name]["moves"]:
        assert control["label"], f"{name}: {control['id']} has no label"
        assert control["live"], f"{name}: no aria-live summary"
        now = next(c for c in controls_after if c["id"] == control["id"])
        assert now["shown"], f"{name}: {control['id']} shows no value"
        if control["type"] == "range":
            assert now["shown"] in now["label"], f"{name}: {control['id']}'s value is not in its label"
            assert now["shown"] != control["shown"], f"{name}: {control['id']} shows its old value"


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_overflow_and_weight(visits, name):
    measured = visits[name]["measured"]
    serious = [v for v in measured["axe_article"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert not measured[1280], measured[1280][:5]
    assert not measured[390], measured[390][:5]
    assert visits[name]["bytes"] <= test_site.PAGE_LIMIT, visits[name]["bytes"]
    assert not visits[name]["errors"], visits[name]["errors"]
    print(f"\n{name}: {visits[name]['bytes'] / 1e6:.2f} MB")


def test_without_javascript_the_figure_stays_hidden(base_url, context):
    browser = context.browser
    no_js = browser.new_context(java_script_enabled=False)
    no_js.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                else route.abort())
    page = no_js.new_page()
    for name, relative in PAGES.items():
        page.goto(base_url + relative)
        assert page.locator(f"#explore-{name}").is_hidden()
        assert page.locator("article img").count() >= 1
    no_js.close()
