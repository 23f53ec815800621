"""Every table's Excel export is linked from the page that shows it (issue 15, item 7): each "Ladda ner … som Excel"
link on the report page and the monthly follow-up resolves to an .xlsx, and the PDF's HTML has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse

from importer.export import XLSX
from jobb import rapportpdf
from nämnd.models import Nämnd
from socialreports import demodata
from tests import factories

EXEMPELBY = Path(settings.BASE_DIR) / "fixtures" / "exempelby-2023-2024"


def excellänkar(html: str) -> dict[str, str]:
    """Accessible name → href of the page's Excel download links."""
    soup = BeautifulSoup(html, "html.parser")
    return {
        " ".join(a.get_text(" ").split()): a["href"]
        for a in soup.find_all("a")
        if "som Excel" in a.get_text() and a["href"].split("?")[0].endswith(".xlsx")
    }


def kontrollera(client, user, nämnd: Nämnd, år: int, typ: str, väntade: set[str]) -> dict[str, str]:
    client.force_login(user)
    sida = client.get(reverse("rapport", args=[nämnd.id, år, typ]))
    assert sida.status_code == 200
    länkar = excellänkar(sida.content.decode())
    assert väntade <= set(länkar), sorted(länkar)
    for namn, href in länkar.items():
        assert namn.startswith("Ladda ner ") and namn.endswith(" som Excel") and len(namn) > len("Ladda ner som Excel")
        svar = client.get(href)
        assert svar.status_code == 200, (namn, href)
        assert svar["Content-Type"] == XLSX
    # The PDF is rendered from the same templates: no download links in its HTML.
    pdf_html = rapportpdf._html(user, nämnd, år, typ, None, {})
    assert excellänkar(pdf_html) == {} and "export-tabell" not in pdf_html and "som Excel" not in pdf_html
    return länkar


def test_knivstas_delårsrapport_länkar_varje_tabell(client, knivsta, socialnämnden):
    läsare = factories.läsare(knivsta)
    länkar = kontrollera(
        client,
        läsare,
        socialnämnden,
        2023,
        "delårsrapport",
        {"Ladda ner Volymer och nyckeltal som Excel"},
    )
    assert any(n.startswith("Ladda ner Indikatorer – ") for n in länkar)
    assert len({h for h in länkar.values() if "/export/" in h}) >= 3  # drift tables, volymer, indikatorer


def test_annan_form_kommun_med_delad_nämnd(client, db):
    byggd = factories.annan_form_kommun(delårsmånad=6)
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    länkar = kontrollera(client, factories.läsare(byggd.kommun), nämnd, factories.ÅR, "delårsrapport", set())
    assert länkar  # its drift and investering tables at least


def test_exempelby_egna_tabeller_kostnadsslag_och_bistånd(client, db):
    kommun = demodata.ladda(katalog=EXEMPELBY)
    nämnd = Nämnd.objects.get(kommun=kommun, namn="Socialnämnden")
    länkar = kontrollera(client, factories.läsare(kommun), nämnd, 2024, "delårsrapport", set())
    assert len(set(länkar.values())) >= 3


def test_månadsuppföljningen_länkar_sin_excel(client, knivsta, socialnämnden):
    client.force_login(factories.controller(knivsta, nämnder=[socialnämnden]))
    sida = client.get(reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8]))
    länkar = excellänkar(sida.content.decode())
    assert list(länkar) == ["Ladda ner månadsuppföljningen augusti 2023 som Excel"]
    svar = client.get(länkar["Ladda ner månadsuppföljningen augusti 2023 som Excel"])
    assert svar.status_code == 200 and svar["Content-Type"] == XLSX


@pytest.mark.parametrize("typ", ["verksamhetsplan"])
def test_verksamhetsplanen(client, knivsta, socialnämnden, typ):
    kontrollera(client, factories.läsare(knivsta), socialnämnden, 2024, typ, set())
