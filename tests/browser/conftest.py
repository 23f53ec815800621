"""Browser tests: Playwright driving Debian's Chromium against pytest-django's ``live_server``.

Reuse in other browser tests (accessibility, …)::

    pytestmark = pytest.mark.postgres          # browser tests run in the PostgreSQL pass only

    def test_x(sida, knivsta):
        logga_in(sida, skapa_användare("u", knivsta, roll="controller"))
        sida.goto("/ekonomi/…")                 # relative to live_server.url
        assert not sida.konsolfel               # JS errors and CSP violations are collected here

Browsers are never downloaded (``playwright install`` is not used): /usr/bin/chromium from Debian is
launched through ``executable_path``; without it the tests are skipped with the reason. ``live_server``
runs the app in another thread, so these tests use ``transactional_db`` (``live_server`` implies it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import skapa_användare  # noqa: F401  (re-exported for browser tests)

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there unless allowed.
# bin/test sets this; the default here covers a direct `pytest tests/browser`.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
LÖSENORD = "hemligt-lösen-1"  # what tests.conftest.skapa_användare sets
FÖNSTER = {"width": 1440, "height": 1000}


@pytest.fixture(scope="session")
def webbläsare():
    """One Chromium for the whole run (each test gets its own context: cookies, storage)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} saknas: installera Debian-paketet chromium (playwright install används inte)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def sida(webbläsare, live_server):
    """A fresh page whose relative URLs go to ``live_server``. ``sida.konsolfel`` collects console errors,
    uncaught exceptions and Content-Security-Policy violations."""
    context = webbläsare.new_context(base_url=live_server.url, locale="sv-SE", viewport=FÖNSTER)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.konsolfel = []

    def konsol(m):
        url = m.location.get("url", "")
        if m.type == "error" and not url.endswith("/favicon.ico"):  # the app has no favicon; not a page error
            page.konsolfel.append(f"{m.text} ({url})")

    page.on("console", konsol)
    page.on("pageerror", lambda e: page.konsolfel.append(str(e)))
    yield page
    context.close()


def logga_in(page, user, lösenord: str = LÖSENORD) -> None:
    """Log in through the login form with the keyboard only: username, Tab, password, Enter."""
    användarnamn = getattr(user, "username", user)
    page.goto("/logga-in/")
    page.focus("#id_username")
    page.keyboard.type(användarnamn)
    page.keyboard.press("Tab")
    page.keyboard.type(lösenord)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/logga-in/" not in page.url, f"inloggningen misslyckades för {användarnamn}"
