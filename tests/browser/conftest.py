"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest

# The live server and Playwright's sync API share the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/bootstrap.sh as root")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    # Let the last requests finish first: a request the server is still answering
    # holds locks that the teardown's TRUNCATE can deadlock with (seen in CI).
    try:
        page.wait_for_load_state("networkidle", timeout=5_000)
    except Exception:  # the test's own failure, if any, is what matters
        pass
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, password: str = "password") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("form button.w-100")
    page.wait_for_url(page.base_url + "/")


def wait_for_htmx_idle(page) -> None:
    """Wait until no htmx request is in flight.

    The predicate is a function, not a bare expression: Playwright evaluates a
    bare expression again on every poll, and our CSP (no 'unsafe-eval') refuses
    every evaluation after the first, so the wait failed whenever the request
    was still running at the first check.
    """
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
