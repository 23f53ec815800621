"""A published report opened for rättelse: the adopted version stays public with the notice "Rättelse pågår sedan
<datum>: <skäl>" on the index and the report page; once a corrected version is adopted it is the current one and
the earlier version is listed as ersatt."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from nämnd.models import Kommun, Nämnd
from publicering import services
from publicering.models import Publiceringsinställning, Rapportversion, Rapportärende
from tests.conftest import skapa_användare

ORSAK = "Fel belopp för hemtjänsten i augusti"


@pytest.fixture
def kommun(db) -> Kommun:
    kommun = Kommun.objects.create(namn="Rättby kommun", kommunkod="9951", beloppsenhet="mnkr")
    Publiceringsinställning.objects.create(kommun=kommun, publicera=True)
    return kommun


@pytest.fixture
def ordförande(kommun):
    return skapa_användare("ordforande-rattby", kommun, roll="admin", får_fastställa=True)


@pytest.fixture
def ärende(kommun) -> Rapportärende:
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2020, 1, 1))
    return Rapportärende.objects.create(nämnd=nämnd, år=2024, typ="delårsrapport", publicerad=True)


def fastställd_version(ärende, user, nummer: int, paragraf: str) -> Rapportversion:
    """What services.fastställ leaves behind (without rendering a PDF/A: the public pages only read it)."""
    pdf = f"%PDF-1.7 version {nummer}".encode()
    v = Rapportversion.objects.create(
        ärende=ärende,
        nummer=nummer,
        fastställd_datum=dt.date(2024, 9 + nummer, 10),
        paragraf=paragraf,
        fastställd_av=user,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        html=f"<h1>Delårsrapport 2024</h1><p>Innehåll version {nummer}</p>",
    )
    Rapportärende.objects.filter(pk=ärende.pk).update(status=Rapportärende.Status.FASTSTÄLLD)
    ärende.refresh_from_db()
    return v


def text(svar) -> str:
    return " ".join(BeautifulSoup(svar.content, "html.parser").get_text(" ").split())


def test_rättelse_visas_publikt_och_ny_version_ersätter_den_gamla(client, kommun, ärende, ordförande):
    index = reverse("publikt-index", args=[kommun.kommunkod])
    v1 = fastställd_version(ärende, ordförande, 1, "§ 87")
    sida_v1 = reverse("publikt-rapport", args=[kommun.kommunkod, v1.pk])
    assert "Rättelse pågår" not in text(client.get(index))
    assert "Gällande version (1)" in text(client.get(sida_v1))

    services.återöppna(ordförande, ärende, ORSAK)
    idag = timezone.localdate().isoformat()
    for url in (index, sida_v1):
        sida = text(client.get(url))
        assert f"Rättelse pågår sedan {idag}: {ORSAK}" in sida, url
        assert "Version 1 är den som nämnden har fastställt" in sida
    assert "Innehåll version 1" in text(client.get(sida_v1))  # the adopted version stays public
    assert client.get(reverse("publikt-pdf", args=[kommun.kommunkod, v1.pk])).content == bytes(v1.pdf)

    v2 = fastställd_version(ärende, ordförande, 2, "§ 102")
    sida = text(client.get(index))
    assert "Rättelse pågår" not in sida
    assert "Version 2, fastställd 2024-11-10 § 102 (gällande)" in sida
    assert "Version 1, fastställd 2024-10-10 § 87 (ersatt av version 2)" in sida
    gammal = text(client.get(sida_v1))
    assert "Version 1 är ersatt av version 2 , fastställd 2024-11-10 § 102" in gammal
    assert "Rättelse pågår" not in gammal and "Innehåll version 1" in gammal
    ny = text(client.get(reverse("publikt-rapport", args=[kommun.kommunkod, v2.pk])))
    assert "Gällande version (2)" in ny and "ersatt" not in ny

    # A second rättelse: the notice is back, on the current version and the replaced one.
    services.återöppna(ordförande, ärende, "Tabell 3 saknade en rad")
    for url in (index, sida_v1, reverse("publikt-rapport", args=[kommun.kommunkod, v2.pk])):
        sida = text(client.get(url))
        assert f"Rättelse pågår sedan {idag}: Tabell 3 saknade en rad" in sida, url
        assert "Version 2 är den som nämnden har fastställt" in sida
