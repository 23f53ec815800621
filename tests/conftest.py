"""Shared fixtures: the demo kommun (Knivsta, from fixtures/), a second kommun, users with roles."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from nämnd.models import Behörighet, Kommun, Nämnd

REFERENS = Path(__file__).resolve().parent.parent / "fixtures" / "knivsta-2023-2024"


def referens(namn: str) -> list[dict[str, str]]:
    """A published reference table (tkr) as rows of strings."""
    with open(REFERENS / namn, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def tkr(text: str) -> Decimal:
    return Decimal(text or 0)


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
    user = get_user_model().objects.create_user(username=username, password="hemligt-lösen-1")
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
