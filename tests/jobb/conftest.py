"""An invented kommun for the job and PDF tests: amounts in mnkr, no blocks, a delårsrapport of one section
(driftredovisning) so that a PDF renders in a fraction of a second."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos, Utfall
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from tests import factories
from tests.conftest import skapa_användare

RADER = {"Hemtjänst": 48_000_000, "Särskilt boende": 96_000_000, "Dagverksamhet": 12_000_000}


@pytest.fixture
def ödeby(db) -> Nämnd:
    kommun = Kommun.objects.create(namn="Ödeby kommun", kommunkod="9901", beloppsenhet="mnkr")
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))
    factories.layoutsektion(kommun, "delårsrapport", "drift", "Driftredovisning")
    for i, (namn, budget) in enumerate(RADER.items()):
        o = Verksamhetsområde.objects.create(nämnd=nämnd, namn=namn, ordning=i)
        Budgetpost.objects.create(verksamhetsområde=o, år=2023, slag="kf", belopp=Decimal(budget))
        Utfall.objects.bulk_create(
            Utfall(verksamhetsområde=o, år=2023, månad=m, belopp=Decimal(budget // 12)) for m in range(1, 9)
        )
        Prognos.objects.create(verksamhetsområde=o, år=2023, månad=8, belopp=Decimal(budget))
    return nämnd


@pytest.fixture
def ödeby_läsare(ödeby):
    return skapa_användare("lasare-odeby", ödeby.kommun)


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(sida.extract_text() for sida in PdfReader(io.BytesIO(data)).pages)


def pdf_url(nämnd, **query) -> str:
    url = reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"])
    return url + "".join(f"?{k}={v}" for k, v in query.items())


@contextlib.contextmanager
def celery_eager(värde: bool):
    from socialreports.celery import app

    före = app.conf.task_always_eager
    app.conf.task_always_eager = värde
    try:
        yield
    finally:
        app.conf.task_always_eager = före


@pytest.fixture
def celery_inline():
    """Celery runs tasks inline whatever the Django setting says (the PostgreSQL pass configures Redis)."""
    with celery_eager(True):
        yield


@pytest.fixture
def celery_med_kö():
    """Celery would queue tasks (as with Redis); the test replaces the sending."""
    with celery_eager(False):
        yield
