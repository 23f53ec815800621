"""The dashboard of a nämnd's year: who may see it, what it shows, thresholds and a fixed number of queries."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db.models import Sum
from django.urls import reverse

from ekonomi.models import Utfall
from nyckeltal.models import Indikator, Indikatorvärde, Mål, Måluppfyllelse
from nämnd.models import Kommun, Period, Verksamhetsområde
from nämnd.services import stäng
from rapporter.format import Presentation
from rapporter.models import Textavsnitt
from socialreports.demodata import syntetisk_nämnd
from tests.conftest import skapa_användare
from uppfoljning.selectors import månadsuppföljning_url, tidpunkt


@pytest.fixture
def controller(socialnämnden):
    user = skapa_användare("controller-knivsta", socialnämnden.kommun, "controller")
    user.behörigheter.get().nämnder.set([socialnämnden])
    return user


@pytest.fixture
def admin(socialnämnden):
    return skapa_användare("admin-knivsta", socialnämnden.kommun, "admin")


def url(nämnd, år=2023, **params):
    u = reverse("dashboard", args=[nämnd.id, år])
    return u + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def rader(s: BeautifulSoup, id: str) -> dict[str, list[str]]:
    tabell = s.find("table", id=id)
    assert tabell is not None, id
    return {
        tr.find("th").get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in tabell.find("tbody").find_all("tr") if tr.find("th")
    }


# --- access -------------------------------------------------------------------------------------------------------


def test_läsare_får_403_och_annan_kommun_404(client, socialnämnden, läsare, annan_kommun):
    client.force_login(läsare)
    assert client.get(url(socialnämnden)).status_code == 403
    client.force_login(skapa_användare("admin-taby", annan_kommun, "admin"))
    r = client.get(url(socialnämnden))
    assert r.status_code == 404 and b"Knivsta" not in r.content


def test_controller_för_annan_nämnd_får_403(client, socialnämnden):
    annan = socialnämnden.kommun.nämnder.create(namn="Kultur- och fritidsnämnden")
    user = skapa_användare("controller-kultur", socialnämnden.kommun, "controller")
    user.behörigheter.get().nämnder.set([annan])
    client.force_login(user)
    assert client.get(url(socialnämnden)).status_code == 403
    assert client.get(url(annan)).status_code == 200


def test_controller_och_admin_ser_dashboarden(client, socialnämnden, controller, admin):
    for user in (controller, admin):
        client.force_login(user)
        s = soup(client.get(url(socialnämnden)))
        assert s.h1.get_text(strip=True) == "Status för Socialnämnden 2023"
    # Only admins get the reopen form and the nytt år link.
    client.force_login(controller)
    html = client.get(url(socialnämnden)).content.decode()
    assert reverse("nytt-år", args=[socialnämnden.id, 2023]) not in html


def test_orimligt_år_ger_404(client, socialnämnden, admin):
    client.force_login(admin)
    assert client.get(url(socialnämnden, 1999)).status_code == 404


# --- contents -----------------------------------------------------------------------------------------------------


def test_månadstabell_visar_utfall_prognos_och_stängning(client, socialnämnden, admin):
    stäng(admin, socialnämnden.kommun, 2023, range(1, 9))
    client.force_login(admin)
    månader = rader(soup(client.get(url(socialnämnden))), "manader")
    # Knivsta 2023: 13 verksamheter with utfall January–August, one prognos (August).
    assert månader["jan"][0] == "13 av 13 verksamheter"
    assert månader["aug"][0] == "13 av 13 verksamheter"
    assert månader["sep"][0] == "0 av 13 verksamheter"
    assert månader["jul"][1] == "Ingen prognos" and månader["aug"][1] == "13 av 13"
    assert månader["aug"][2].startswith("Stängd") and "admin-knivsta" in månader["aug"][2]
    assert månader["sep"][2] == "Öppen"
    grid = reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8])
    assert månadsuppföljning_url(socialnämnden.id, 2023, 8) == grid


def test_textavsnitt_och_måluppfyllelse_per_rapport(client, socialnämnden, admin):
    Textavsnitt.objects.filter(nämnd=socialnämnden, år=2023, rubrik="Omvärldsbevakning").update(text="  ")
    client.force_login(admin)
    s = soup(client.get(url(socialnämnden)))
    delår = s.find(id="rapport-delarsrapport")
    texter = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in delår.find_all("table")[0].tbody.find_all("tr")
    }
    # A blank text counts as missing.
    assert texter == {"Nämndens uppdrag": "Ifylld", "Omvärldsbevakning": "Saknas", "Ledningssystem för kvalitet": "Ifylld"}
    mål = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in delår.find_all("table")[1].tbody.find_all("tr")}
    assert set(mål) == set(Mål.objects.filter(nämnd=socialnämnden).values_list("namn", flat=True))
    assert mål["Långsiktig ekonomi i balans"].startswith("Uppnått")
    assert "1 text saknas" in delår.h3.get_text(" ", strip=True)
    # The verksamhetsberättelse has the same texts but nothing is written or assessed yet.
    vb = s.find(id="rapport-verksamhetsberattelse").get_text(" ", strip=True)
    assert "3 texter och 3 målbedömningar saknas" in vb
    # The tertialrapport has neither texts nor a mål section; the verksamhetsplan has no måluppfyllelse.
    assert "allt ifyllt" in s.find(id="rapport-tertialrapport").h3.get_text()
    assert "Måluppfyllelse" not in s.find(id="rapport-verksamhetsplan").get_text()
    assert "Nämndens ansvar" in s.find(id="rapport-verksamhetsplan").get_text()


def test_måluppfyllelse_saknas_visas_per_mål(client, socialnämnden, admin):
    Måluppfyllelse.objects.filter(mål__namn="Möta omvärldsförändringar").delete()
    client.force_login(admin)
    delår = soup(client.get(url(socialnämnden))).find(id="rapport-delarsrapport")
    mål = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in delår.find_all("table")[1].tbody.find_all("tr")}
    assert mål["Möta omvärldsförändringar"] == "Saknas"
    assert "1 text" not in delår.h3.get_text() and "1 målbedömning saknas" in delår.h3.get_text(" ", strip=True)


def test_indikatorer_utan_värde_för_året(client, socialnämnden, admin):
    med_värde = set(
        Indikatorvärde.objects.filter(indikator__mål__nämnd=socialnämnden, år=2023, typ="utfall", totalt__isnull=False)
        .values_list("indikator__namn", flat=True)
    )
    alla = set(Indikator.objects.filter(mål__nämnd=socialnämnden).values_list("namn", flat=True))
    assert med_värde and alla - med_värde
    client.force_login(admin)
    utan = rader(soup(client.get(url(socialnämnden))), "indikatorer-utan-varde")
    assert set(utan) == alla - med_värde


# --- deviations ---------------------------------------------------------------------------------------------------


def test_avvikelser_över_gränserna_markeras_med_text_och_länk(client, socialnämnden, admin):
    client.force_login(admin)
    s = soup(client.get(url(socialnämnden)))
    assert "Budgetavvikelser jan–aug 2023" in s.get_text()
    tabell = s.find("table", id="avvikelser")
    per_namn = {tr.th.get_text(" ", strip=True): tr for tr in tabell.tbody.find_all("tr")}
    assert len(per_namn) == 13
    # LOV: +672 tkr in the period (≥ 500 tkr); prognos +902 tkr.
    lov = per_namn["Vård och omsorg enligt SoL och HSL: LOV - hemtjänst och delegerad HSL"]
    assert "over-grans" in lov["class"]
    assert "Över gränsen" in lov.get_text() and "perioden, helårsprognosen" in lov.get_text()
    vo = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn="LOV - hemtjänst och delegerad HSL")
    assert lov.find_all("td")[-1].a["href"] == (
        reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8]) + f"#vo-{vo.id}"
    )
    # Nämnd- och styrelseverksamhet: −90 tkr of 951 tkr budget is 9.5 % → over the % threshold only.
    nämnd_rad = per_namn["Nämnd- och styrelseverksamhet"]
    assert "Över gränsen" in nämnd_rad.get_text()
    # Flyktingmottagande: +283 tkr without budget, prognos −285 tkr: inside both limits.
    flykting = per_namn["Flyktingmottagande"]
    assert "over-grans" not in (flykting.get("class") or []) and "Inom gränsen" in flykting.get_text()
    # Over the limit without a prognos comment: flagged as missing comment (not by colour only).
    assert "Kommentar saknas" in tabell.get_text() or "Kommenterad" in tabell.get_text()


def test_gränserna_kommer_från_kommunen(client, socialnämnden, admin):
    client.force_login(admin)
    Kommun.objects.filter(pk=socialnämnden.kommun_id).update(avvikelsegräns_kr=280_000, avvikelsegräns_procent=0)
    tabell = soup(client.get(url(socialnämnden))).find("table", id="avvikelser")
    flykting = next(tr for tr in tabell.tbody.find_all("tr") if tr.th.get_text(strip=True) == "Flyktingmottagande")
    assert "Över gränsen" in flykting.get_text()  # 283 tkr ≥ 280 tkr
    nämnd_rad = next(tr for tr in tabell.tbody.find_all("tr") if tr.th.get_text(strip=True) == "Nämnd- och styrelseverksamhet")
    assert "Inom gränsen" in nämnd_rad.get_text()  # 90 tkr; the % rule is switched off
    Kommun.objects.filter(pk=socialnämnden.kommun_id).update(avvikelsegräns_kr=10_000_000, avvikelsegräns_procent=0)
    tabell = soup(client.get(url(socialnämnden))).find("table", id="avvikelser")
    assert "Över gränsen" not in tabell.tbody.get_text()


def test_avvikelser_för_vald_månad(client, socialnämnden, admin):
    client.force_login(admin)
    s = soup(client.get(url(socialnämnden, manad=4)))
    assert "Budgetavvikelser jan–apr 2023" in s.get_text()
    vo = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn="Flyktingmottagande")
    assert s.find("a", href=reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 4]) + f"#vo-{vo.id}")
    netto = Utfall.objects.filter(verksamhetsområde=vo, år=2023, månad__lte=4).aggregate(s=Sum("belopp"))["s"]
    rad = s.find("tr", id=f"avvikelse-{vo.id}")
    # Budget 0, so the avvikelse is −nettokostnad (an income here), shown in tkr.
    assert rad.find_all("td")[1].get_text(strip=True) == Presentation().avvikelse(-netto) == "142"


def test_år_utan_utfall(client, socialnämnden, admin):
    client.force_login(admin)
    s = soup(client.get(url(socialnämnden, 2025)))
    assert "Inget utfall är registrerat för 2025 ännu." in s.get_text()


# --- period history -----------------------------------------------------------------------------------------------


def test_periodhistorik_med_tid_i_stockholm(client, socialnämnden, admin):
    stäng(admin, socialnämnden.kommun, 2023, [8])
    sommar = dt.datetime(2023, 8, 31, 12, 5, tzinfo=dt.UTC)  # 14:05 in Stockholm (CEST)
    Period.history.filter(kommun=socialnämnden.kommun, år=2023, månad=8).update(history_date=sommar)
    Period.objects.filter(kommun=socialnämnden.kommun, år=2023, månad=8).update(stängd_tid=sommar)
    client.force_login(admin)
    s = soup(client.get(url(socialnämnden)))
    historik = s.find("table", id="periodhistorik").tbody.find("tr")
    assert [td.get_text(strip=True) for td in historik.find_all("td")] == ["2023-08-31 14:05", "Stängd", "admin-knivsta", "–"]
    assert rader(s, "manader")["aug"][2] == "Stängd 2023-08-31 14:05 av admin-knivsta"
    assert tidpunkt(dt.datetime(2023, 1, 15, 23, 30, tzinfo=dt.UTC)) == "2023-01-16 00:30"  # CET, next day


# --- queries ------------------------------------------------------------------------------------------------------


def test_antal_frågor_växer_inte_med_nämndens_storlek(client, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kommun = Kommun.objects.create(namn="Storkommun")
    liten, stor = syntetisk_nämnd(kommun, 2, 3), syntetisk_nämnd(kommun, 6, 10)
    admin = skapa_användare("admin-stor", kommun, "admin")
    for n in (liten, stor):
        stäng(admin, kommun, 2023, [1, 2])
        Textavsnitt.objects.create(nämnd=n, år=2023, rapporttyp="delårsrapport", rubrik="Nämndens uppdrag", text="x")
    client.force_login(admin)
    antal = []
    for n in (liten, stor):
        with CaptureQueriesContext(connection) as frågor:
            r = client.get(url(n))
        assert r.status_code == 200
        assert "Över gränsen" in r.content.decode() or "Inom gränsen" in r.content.decode()
        antal.append(len(frågor))
    assert antal[0] == antal[1], antal
    # 5 for session, user and nämnd, 4 for the month table, 6 for the deviations (the nämnd's parts and their
    # ekonomiunderlag), 6 for the reports' layouts, texts, mål, bedömningar and indikatorer, 1 for the period history.
    assert antal[1] <= 22, antal
