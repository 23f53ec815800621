"""The kommun's data version (the key of every cached report) rises only when stored figures, texts or the
organisation change: a refused upload, a preview, a saved column mapping or a cancelled import leave it alone;
a confirmed import raises it."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekonomi.models import Budgetpost, Utfall
from importer.models import Import
from nämnd import dataversion
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from tests.conftest import skapa_användare
from tests.importer.test_lasare import xlsx
from tests.importer.test_mallar import BUDGETRUBRIKER


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


@pytest.fixture
def nämnd(db) -> Nämnd:
    """An invented kommun: mnkr, no blocks, two verksamheter with ansvar codes."""
    kommun = Kommun.objects.create(namn="Dalby kommun", kommunkod="9911", beloppsenhet="mnkr")
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Hemtjänst", ansvarskoder="510", ordning=1)
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Särskilt boende", ansvarskoder="520", ordning=2)
    return nämnd


@pytest.fixture
def klient(client, nämnd):
    client.force_login(skapa_användare("admin-dalby", nämnd.kommun, roll="admin"))
    return client


def version(nämnd) -> int:
    return dataversion.version(nämnd.kommun_id)


def csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("export.csv", text.replace("\n", "\r\n").encode("cp1252"))


def ladda_upp_utfall(klient, nämnd, fil):
    r = klient.post(reverse("import-utfall", args=[nämnd.pk]), {"fil": fil})
    assert r.status_code == 302, r.content.decode()[:2000]
    return r["Location"], klient.get(r["Location"])


def test_avvisad_utfallsfil_förhandsgranskning_mappning_och_avbrott_höjer_inte_versionen(klient, nämnd):
    före = version(nämnd)
    # A file the reader refuses (not a spreadsheet), and one without the amount column.
    for fil in (
        SimpleUploadedFile("export.xlsx", b"\x00\x01inte en arbetsbok"),
        csv("Period;Ansvar;Konto\n202303;510;4010\n"),
    ):
        _, granskning = ladda_upp_utfall(klient, nämnd, fil)
        assert granskning.status_code == 200
    assert Import.objects.count() == 2 and Import.objects.filter(status=Import.Status.FEL).exists()
    assert version(nämnd) == före

    # A valid file: preview, reload, a column mapping saved on the profile, then cancel.
    url, granskning = ladda_upp_utfall(
        klient, nämnd, csv("Period;Ansvar;Konto;Belopp;Extra\n202303;510;4010;1000,00;x\n")
    )
    assert granskning.status_code == 200 and klient.get(url).status_code == 200
    r = klient.post(url, {"åtgärd": "mappa", "antal": "1", "rubrik_0": "Extra", "kolumn_0": "", "beloppstyp": "månad"})
    assert r.status_code == 302
    assert version(nämnd) == före
    assert klient.post(url, {"åtgärd": "avbryt"}).status_code == 302
    assert version(nämnd) == före and not Utfall.objects.exists()

    # A confirm refused because the preview is stale: nothing stored, version unchanged.
    url, granskning = ladda_upp_utfall(klient, nämnd, csv("Period;Ansvar;Konto;Belopp\n202303;510;4010;1000,00\n"))
    assert klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": "inaktuellt"}).status_code == 409
    assert version(nämnd) == före and not Utfall.objects.exists()

    # The confirmed import stores a figure: now the version rises.
    fingeravtryck = BeautifulSoup(klient.get(url).content, "html.parser").find("input", {"name": "fingeravtryck"})
    assert klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck["value"]}).status_code == 302
    assert Utfall.objects.filter(verksamhetsområde__nämnd=nämnd).exists()
    assert version(nämnd) > före


def test_avvisad_mallimport_och_förhandsgranskning_höjer_inte_versionen(klient, nämnd):
    före = version(nämnd)
    url = reverse("mallimport-ladda-upp", args=[nämnd.pk, "budget"])
    fel = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Finns inte", 2025, "KF-budget", 5, ""]]))
    r = klient.post(url, {"fil": SimpleUploadedFile("budget.xlsx", fel)})
    assert r.status_code == 302
    assert klient.get(r["Location"]).status_code == 200
    assert Import.objects.get().status == Import.Status.FEL
    assert version(nämnd) == före

    rätt = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Hemtjänst", 2025, "KF-budget", 5000, ""]]))
    r = klient.post(url, {"fil": SimpleUploadedFile("budget.xlsx", rätt)})
    granska = r["Location"]
    sida = klient.get(granska)
    assert version(nämnd) == före and not Budgetpost.objects.exists()
    fingeravtryck = BeautifulSoup(sida.content, "html.parser").find("input", {"name": "fingeravtryck"})["value"]
    assert klient.post(granska, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck}).status_code == 302
    assert Budgetpost.objects.filter(verksamhetsområde__nämnd=nämnd).exists()
    assert version(nämnd) > före
