"""Drill-down from a report figure to its months and the imports behind its utfall, on Ekeby (tests/factories.py
``annan_form_kommun``: mnkr, costs negative).

Omsorgsnämnden, Hemtjänst: budget 24 mnkr + tillägg 1,2 mnkr (2,1 mnkr a month), utfall 2 mnkr a month, prognoser
at months 4 and 8 of 26 mnkr. Here March's utfall is written by the import "mars.xlsx" and then overwritten by
"mars-rattad.xlsx" (2,5 mnkr): both are behind the month, the first one "Senare ersatt".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.urls import reverse

from ekonomi.models import Utfall
from importer.models import Import
from rapporter.rapport import bygg_rapport
from tests import factories
from tests.factories import ÅR

pytestmark = pytest.mark.django_db

SHA1, SHA2 = "a" * 64, "b1" * 32


@pytest.fixture
def ekeby():
    return factories.annan_form_kommun()


def _import(b, filnamn: str, sha: str, rader: int, summa: Decimal, user) -> Import:
    return Import.objects.create(
        kommun=b.kommun,
        nämnd=b.nämnder["Omsorgsnämnden"],
        typ="utfall",
        filnamn=filnamn,
        sha256=sha,
        användare=user,
        status=Import.Status.GENOMFÖRD,
        genomförd=dt.datetime(ÅR, 4, 5, 10, 30, tzinfo=ZoneInfo("Europe/Stockholm")),
        antal_rader=rader,
        summa_fil=summa,
    )


@pytest.fixture
def importerad(ekeby):
    """March's Hemtjänst utfall written by one import, then changed by a second (each save records history)."""
    controller = factories.controller(ekeby.kommun, "ctrl-ekeby")
    u = Utfall.objects.get(verksamhetsområde=ekeby.områden["Hemtjänst"], år=ÅR, månad=3)
    första = _import(ekeby, "mars.xlsx", SHA1, 120, Decimal("5500000.00"), controller)
    u.källa = första
    u.save()
    andra = _import(ekeby, "mars-rattad.xlsx", SHA2, 130, Decimal("6000000.00"), controller)
    u.källa, u.belopp = andra, Decimal(2_500_000)
    u.save()
    return första, andra


def _länkar(html: str) -> list[str]:
    return [a["href"] for a in BeautifulSoup(html, "html.parser").select("a.drill")]


def test_siffrorna_länkar_till_månaderna_för_inloggade(client, ekeby):
    omsorg, hemtjänst = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    client.force_login(factories.läsare(ekeby.kommun))
    html = client.get(reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"])).content.decode()
    url = reverse("område-månader", args=[omsorg.id, ÅR, hemtjänst.id])
    soup = BeautifulSoup(html, "html.parser")
    rad = soup.find("tr", attrs={"data-id": str(hemtjänst.id)})
    # Every figure of the row is a link to the months (a missing figure, "–", is not).
    celler = rad.find_all("td")
    assert [a["href"] for a in rad.select("a.drill")] == [url] * sum(1 for c in celler if c.get_text() != "–")
    assert sum(1 for c in celler if c.get_text() != "–") >= 4
    # Sum rows are not links; every link is one of the nämnd's områden.
    assert all(h.startswith(f"/namnd/{omsorg.id}/{ÅR}/omrade/") for h in _länkar(html))
    assert not soup.select("tr.summa a.drill")


def test_inga_länkar_i_pdf_eller_publikt(ekeby):
    from publicering import services
    from publicering.models import Rapportärende

    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    user = factories.admin(ekeby.kommun, "admin-ekeby")
    rapport = bygg_rapport(user, omsorg, ÅR, "delårsrapport")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    pdf = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True})
    assert _länkar(html) and _länkar(pdf) == []
    assert "{#" not in html and "{#" not in pdf  # no template comment leaks into the report
    ärende = Rapportärende.objects.create(nämnd=omsorg, år=ÅR, typ="delårsrapport")
    publik, _ = services.rendera_arkiv(user, ärende, dt.date(ÅR, 10, 24), "§ 87", 1)
    assert "Hemtjänst" in publik and _länkar(publik) == [] and "/omrade/" not in publik


def test_månadssidan_visar_de_lagrade_siffrorna_och_importerna(client, ekeby, importerad):
    första, andra = importerad
    omsorg, hemtjänst = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    client.force_login(factories.läsare(ekeby.kommun))
    r = client.get(reverse("område-månader", args=[omsorg.id, ÅR, hemtjänst.id]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    assert soup.h1.get_text(strip=True) == f"Hemtjänst {ÅR}: månad för månad"

    def rad(m: int) -> list[str]:
        return [td.get_text(" ", strip=True) for td in soup.select_one(f"tr#m{m}").find_all("td")[:5]]

    # Budget, utfall, budget ack., utfall ack., prognos (mnkr, costs negative).
    assert rad(1) == ["−2,1", "−2,0", "−2,1", "−2,0", "–"]
    assert rad(3) == ["−2,1", "−2,5", "−6,3", "−6,5", "–"]
    assert rad(4) == ["−2,1", "−2,0", "−8,4", "−8,5", "−26,0"]
    assert rad(12)[:4] == ["−2,1", "−2,0", "−25,2", "−24,5"]
    mars = soup.select_one("tr#m3 td.kallor")
    länkar = {a.get_text(): a["href"] for a in mars.select("a")}
    assert länkar == {
        "mars.xlsx": reverse("import-detalj", args=[omsorg.id, första.id]),
        "mars-rattad.xlsx": reverse("import-detalj", args=[omsorg.id, andra.id]),
    }
    text = " ".join(mars.get_text(" ").split())
    assert f"SHA-256 {SHA2} ; 130 rader i filen, summa 6 000 000,00 kr" in text  # (NBSP normalised)
    assert "Nu 1 rad härifrån, 2 500 000,00 kr." in text
    assert f"SHA-256 {SHA1} ; 120 rader i filen" in text and "Senare ersatt." in text
    assert "ctrl-ekeby 2025-04-05 10:30".replace("2025", str(ÅR)) in text
    # Months without an import: the rows entered otherwise.
    assert "Utan import: 1 rad, 2\xa0000\xa0000,00 kr." in soup.select_one("tr#m1 td.kallor").get_text(" ")
    # The second click: the import's own page with its checksum and row count.
    detalj = client.get(länkar["mars-rattad.xlsx"])
    assert detalj.status_code == 200
    assert SHA2 in detalj.content.decode() and "<dd>130</dd>" in detalj.content.decode()


def test_ett_block_visar_sina_delområden(client, ekeby):
    social, ifo = ekeby.nämnder["Socialnämnden"], ekeby.områden["Individ- och familjeomsorg"]
    client.force_login(factories.läsare(ekeby.kommun))
    soup = BeautifulSoup(client.get(reverse("område-månader", args=[social.id, ÅR, ifo.id])).content, "html.parser")
    assert "Barn och unga, Familjehem, HVB" in soup.get_text(" ")
    # Familjehem 0,5 + HVB 1,5 mnkr a month in July–December.
    assert soup.select_one("tr#m7").find_all("td")[1].get_text() == "−2,0"
    assert soup.select_one("tr#m6").find_all("td")[1].get_text() == "–"


def test_annan_kommun_och_annan_nämnds_område_ger_404(client, ekeby):
    omsorg, hemtjänst = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    annan = factories.liten_kommun()
    client.force_login(factories.läsare(annan.kommun))
    assert client.get(reverse("område-månader", args=[omsorg.id, ÅR, hemtjänst.id])).status_code == 404
    client.force_login(factories.läsare(ekeby.kommun, "lasare-ekeby"))
    social = ekeby.nämnder["Socialnämnden"]
    assert client.get(reverse("område-månader", args=[social.id, ÅR, hemtjänst.id])).status_code == 404
    assert client.get(reverse("område-månader", args=[omsorg.id, ÅR, 999_999])).status_code == 404
    client.logout()
    r = client.get(reverse("område-månader", args=[omsorg.id, ÅR, hemtjänst.id]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
