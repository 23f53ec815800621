"""Browser tests: Playwright driving Debian's Chromium against pytest-django's ``live_server``.

The ``webbläsare`` and ``sida`` fixtures live in tests/conftest.py, so every test module in the run shares
one Playwright instance (two sync_playwright instances in one process fail).

Reuse in other browser tests (accessibility, …)::

    pytestmark = pytest.mark.postgres          # browser tests run in the PostgreSQL pass only

    def test_x(sida, transactional_db):
        kommun = factories.liten_kommun().kommun   # tests/factories.py; the demo only for its published figures
        logga_in(sida, factories.controller(kommun, "u"))
        sida.goto("/ekonomi/…")                 # relative to live_server.url
        assert not sida.konsolfel               # JS errors and CSP violations are collected here

Browsers are never downloaded (``playwright install`` is not used): /usr/bin/chromium from Debian is
launched through ``executable_path``; without it the tests are skipped with the reason. ``live_server``
runs the app in another thread, so these tests use ``transactional_db`` (``live_server`` implies it).
"""

from __future__ import annotations

import os

from tests.conftest import skapa_användare  # noqa: F401  (re-exported for browser tests)

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there unless allowed.
# bin/test sets this; the default here covers a direct `pytest tests/browser`.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LÖSENORD = "hemligt-lösen-1"  # what tests.conftest.skapa_användare sets


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
