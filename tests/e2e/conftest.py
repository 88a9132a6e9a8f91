"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("SHARINGCITY_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (apt-get install chromium): browser journeys skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def log_in(page, username: str, password: str, lang: str = "en") -> None:
    page.goto(f"/{lang}/login/")
    page.get_by_label("Username" if lang == "en" else "사용자 이름").fill(username)
    page.get_by_label("Password" if lang == "en" else "비밀번호").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.locator("header form.inline button.link").click()
    page.wait_for_load_state()
