"""Fixtures of the browser tests: the built site served on loopback, and Debian's headless Chromium
driven by Playwright, with every request that leaves the machine blocked and recorded.

Run after the book build (``make test`` does): ``pytest tests/browser``. ``SITE_DIR`` (default
``_build/html``), ``CHROMIUM`` (default ``/usr/bin/chromium``) and ``SCREENSHOT_DIR`` (default
``_build/screenshots``) can be set in the environment.
"""

import functools
import http.server
import os
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SITE_DIR = Path(os.environ.get("SITE_DIR", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "_build" / "screenshots"))
# How long a page may keep loading (its last request ending) before a test gives up: generous, because on
# two busy cores (CI, with the grader's tests beside) a chapter with many figures once needed more than 30 s.
SETTLE_MS = 120_000
# A page has settled when none of its requests has been in flight for this long.
QUIET_MS = 500
# The requests in flight, per page, as the browser context's request events report them (see settle).
IN_FLIGHT = {}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A loopback server that does not print a traceback when the browser drops a connection."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture(scope="session")
def site_dir():
    if not (SITE_DIR / "intro.html").is_file():
        pytest.fail(f"no built site in {SITE_DIR}: run `make book` (or jupyter-book build) first")
    return SITE_DIR


@pytest.fixture(scope="session")
def screenshot_dir():
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def base_url(site_dir):
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def external_requests():
    """Every request the site made to anything but the loopback server (all of them blocked)."""
    return []


@pytest.fixture(scope="session")
def playwright_driver():
    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, profile, base_url, external_requests):
    """Debian's Chromium with a profile of its own; every request that leaves loopback is blocked and
    recorded in external_requests."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (installs Debian's chromium)")
    origin = urlsplit(base_url).netloc
    browser_context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )

    def only_loopback(route):
        url = route.request.url
        if urlsplit(url).netloc == origin:
            route.continue_()
        else:
            external_requests.append(url)
            route.abort()

    browser_context.route("**/*", only_loopback)
    browser_context.on("request", _started)
    browser_context.on("requestfinished", _ended)
    browser_context.on("requestfailed", _ended)
    browser_context.on("page", lambda page: page.on("close", lambda closed: IN_FLIGHT.pop(closed, None)))
    return browser_context


def _started(request):
    state = IN_FLIGHT.setdefault(request.frame.page, {"requests": set(), "since": time.monotonic()})
    state["requests"].add(request)
    state["since"] = time.monotonic()


def _ended(request):
    state = IN_FLIGHT.get(request.frame.page)
    if state is not None:
        state["requests"].discard(request)
        state["since"] = time.monotonic()


def settle(page, timeout_ms=SETTLE_MS):
    """Wait until no request of the page has been in flight for QUIET_MS: the fonts and data that
    MathJax and the page's scripts load after the load event are then in.

    Counted here, from the context's request events, rather than by Playwright's
    wait_for_load_state("networkidle"), which on a loaded machine (two workers beside a notebook
    build) once never came in 120 s on four pages whose every request had ended."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        state = IN_FLIGHT.get(page, {"requests": set(), "since": 0.0})
        if not state["requests"] and time.monotonic() - state["since"] >= QUIET_MS / 1000:
            return
        if time.monotonic() > deadline:
            pending = sorted(r.url for r in state["requests"])[:5]
            raise AssertionError(f"{page.url} still loading after {timeout_ms} ms; in flight: {pending}")
        page.wait_for_timeout(50)  # lets Playwright deliver the request events


@pytest.fixture(scope="session")
def context(playwright_driver, base_url, external_requests):
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser_context = launch(playwright_driver, profile, base_url, external_requests)
        yield browser_context
        browser_context.close()


@pytest.fixture()
def isolated_page(playwright_driver, base_url, external_requests):
    """A page in a browser of its own, for a test that changes the whole browser: Playwright's fake
    clock (page.clock) is installed on the page's context, and in the shared one it would stop the
    timers of every page the later tests open (seen: MathJax never finished, pages never settled)."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser_context = launch(playwright_driver, profile, base_url, external_requests)
        page = browser_context.new_page()
        yield page
        browser_context.close()


@pytest.fixture(scope="session")
def visited_pages(context, base_url, site_dir):
    """Every page of the site opened once for all the per-page checks: test_site.py's visit (console
    errors, missing files, MathJax, tables, images, links, bytes loaded), then, on the same loaded
    page, test_every_page.py's measure (overflow at 1280 and 390 px, axe, alt text) for the pages it
    checks. One visit instead of two saves about a third of the browser tests' time."""
    import test_every_page
    import test_site

    results = {}
    for relative in test_site.pages(site_dir):
        report = test_site.visit(context, base_url, relative)
        page = report.pop("page")
        if test_every_page.wants(relative):
            report["measured"] = test_every_page.measure(page)
        page.close()
        results[relative] = report
    return results


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group into the test's id
def pytest_collection_modifyitems(items):
    """With pytest-xdist (`make test` runs two workers, ``--dist loadgroup``) the tests that read
    ``visited_pages`` share one worker, so every page is visited once, not once per worker."""
    for item in items:
        if "visited_pages" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("every-page"))
