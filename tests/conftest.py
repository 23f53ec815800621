"""Shared fixtures: the demo kommun (Knivsta, from fixtures/), a second kommun, users with roles."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings

from nämnd.models import Behörighet, Kommun, Nämnd
from tests.factories import lösenordshash

# Property-based tests (hypothesis): "ci" is a fixed, bounded run (the same examples every time, no example
# database) and the default; HYPOTHESIS_PROFILE=grundlig searches longer and at random (with --timeout=0).
# Hypothesis keeps its cache in the temp directory, not in the working tree.
hypothesis_settings.register_profile("ci", max_examples=200, derandomize=True, deadline=None, database=None)
hypothesis_settings.register_profile("grundlig", max_examples=5000, deadline=None, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "socialrapport-hypothesis"))


class BROWSER:  # noqa: N801 - a namespace of constants
    CHROMIUM = Path("/usr/bin/chromium")
    CHROMIUM_ARGS = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    FÖNSTER = {"width": 1440, "height": 1000}


REFERENS = Path(__file__).resolve().parent.parent / "fixtures" / "knivsta-2023-2024"


def referens(namn: str) -> list[dict[str, str]]:
    """A published reference table (tkr) as rows of strings."""
    with open(REFERENS / namn, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def tkr(text: str) -> Decimal:
    return Decimal(text or 0)


def i_egen_tråd(anrop, *args, **kwargs):
    """``anrop(*args, **kwargs)`` in a fresh thread, its database connections closed afterwards.

    For views that run async code through AsyncToSync (django-health-check's /halsa/): Playwright's sync API
    (the session's shared browser) leaves an asyncio loop running in the test thread of its xdist worker, and
    AsyncToSync refuses to run there. A real server thread has no such loop."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def kör():
        try:
            return anrop(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(kör).result()


@pytest.fixture(autouse=True)
def _egen_cache(settings):
    """Each test gets its own cache namespace: ids are reused after a rolled-back test (and with them cache
    keys), and in the PostgreSQL pass parallel workers share one Redis, which must not be flushed."""
    import uuid

    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _jobb_inline(settings):
    """Jobs run inline unless a test starts a real worker (the PostgreSQL pass has REDIS_URL set)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def knivsta(db) -> Kommun:
    from socialreports import demodata

    return demodata.ladda()


@pytest.fixture
def socialnämnden(knivsta) -> Nämnd:
    return Nämnd.objects.get(kommun=knivsta, namn="Socialnämnden")


def skapa_användare(username: str, kommun: Kommun | None, roll: str = "läsare", **rättigheter):
    # The password "hemligt-lösen-1", hashed once (tests.factories.lösenordshash) instead of once per user.
    user = get_user_model().objects.create_user(username=username)
    user.password = lösenordshash()
    user.save(update_fields=["password"])
    if kommun is not None:
        Behörighet.objects.create(user=user, kommun=kommun, roll=roll, **rättigheter)
    return user


@pytest.fixture
def läsare(knivsta):
    return skapa_användare("lasare-knivsta", knivsta)


@pytest.fixture
def annan_kommun(db) -> Kommun:
    kommun = Kommun.objects.create(namn="Täby kommun", kommunkod="0160")
    Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2019, 1, 1))
    return kommun


@pytest.fixture
def läsare_annan(annan_kommun):
    return skapa_användare("lasare-taby", annan_kommun)


@pytest.fixture
def client_läsare(client, läsare):
    client.force_login(läsare)
    return client


# --- browser (Playwright with Debian's Chromium; see tests/browser/conftest.py for helpers) ---------------


@pytest.fixture(scope="session")
def webbläsare():
    """One Chromium for the whole run (each test gets its own context: cookies, storage)."""
    if not BROWSER.CHROMIUM.exists():
        pytest.skip(f"{BROWSER.CHROMIUM} saknas: installera Debian-paketet chromium (playwright install används inte)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(BROWSER.CHROMIUM), args=BROWSER.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def sida(webbläsare, live_server):
    """A fresh page whose relative URLs go to ``live_server``. ``sida.konsolfel`` collects console errors,
    uncaught exceptions and Content-Security-Policy violations."""
    context = webbläsare.new_context(base_url=live_server.url, locale="sv-SE", viewport=BROWSER.FÖNSTER)
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
