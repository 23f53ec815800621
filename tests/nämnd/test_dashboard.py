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
from tests import factories
from tests.conftest import skapa_användare
from tests.factories import syntetisk_nämnd
from uppfoljning.selectors import månadsuppföljning_url, tidpunkt


@pytest.fixture
def nämnd(db):
    """A small factory kommun (tkr) for 2023, months 1–8, limits 500 000 kr and 5 %:

    | verksamhet                 | budget    | utfall/month | period (jan–aug) avvikelse | prognos (apr, aug)   |
    | Vård och omsorg: Hemtjänst | 1 200 000 | 100 000      | 0                          | 1 300 000 (−100 000) |
    | Vård och omsorg: Boende    | 2 400 000 | 250 000      | −400 000 (25 %)            | 2 650 000            |
    | Bistånd                    |   600 000 |  50 000      | 0                          |   650 000            |
    | Placeringar                | 6 000 000 | 600 000      | −800 000 (≥ 500 000 kr)    | 7 000 000 (aug only) |
    | Mottagning (income)        | 0         | −35 500      | +284 000 (no budget: kr only) | none              |

    Texts: three text sections in the delårsrapport (all written) and the verksamhetsberättelse (none written),
    "Nämndens ansvar" in the verksamhetsplan, none in the tertialrapport. Two mål, both assessed in the
    delårsrapport; two indikatorer, one with a 2023 value."""
    byggd = factories.liten_kommun(2023)
    n, kommun = byggd.nämnd, byggd.kommun
    placeringar = factories.VerksamhetsområdeFactory(nämnd=n, namn="Placeringar", ordning=60)
    factories.BudgetpostFactory(verksamhetsområde=placeringar, år=2023, belopp=6_000_000)
    factories.PrognosFactory(
        verksamhetsområde=placeringar, år=2023, månad=8, belopp=7_000_000, kommentar="Fler placeringar."
    )
    mottagning = factories.VerksamhetsområdeFactory(nämnd=n, namn="Mottagning", ordning=70)
    for m in range(1, 9):
        factories.UtfallFactory(verksamhetsområde=placeringar, år=2023, månad=m, belopp=600_000)
        factories.UtfallFactory(verksamhetsområde=mottagning, år=2023, månad=m, belopp=-35_500)
    texter = ["Nämndens uppdrag", "Omvärldsbevakning", "Ledningssystem för kvalitet"]
    for typ in ("delårsrapport", "verksamhetsberättelse"):
        for i, rubrik in enumerate(texter):
            factories.layoutsektion(kommun, typ, "text", rubrik, i)
        factories.layoutsektion(kommun, typ, "mål", ordning=5)
    for rubrik in texter:
        factories.TextavsnittFactory(nämnd=n, år=2023, rapporttyp="delårsrapport", rubrik=rubrik, text="Text.")
    factories.layoutsektion(kommun, "tertialrapport", "drift", ordning=0)
    factories.layoutsektion(kommun, "verksamhetsplan", "text", "Nämndens ansvar", 0)
    for namn_, bedömning in (("Långsiktig ekonomi i balans", "uppnått"), ("Möta omvärldsförändringar", "delvis")):
        mål = factories.MålFactory(nämnd=n, namn=namn_, från_år=2023)
        factories.MåluppfyllelseFactory(mål=mål, år=2023, rapporttyp="delårsrapport", bedömning=bedömning)
        indikator = factories.IndikatorFactory(mål=mål, namn=f"Indikator för {namn_}")
        if bedömning == "uppnått":
            factories.IndikatorvärdeFactory(indikator=indikator, år=2023, totalt=90)
    return n


@pytest.fixture
def läsare(nämnd):
    return factories.läsare(nämnd.kommun, "lasare-lillby")


@pytest.fixture
def controller(nämnd):
    user = skapa_användare("controller-lillby", nämnd.kommun, "controller")
    user.behörigheter.get().nämnder.set([nämnd])
    return user


@pytest.fixture
def admin(nämnd):
    return skapa_användare("admin-lillby", nämnd.kommun, "admin")


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
        for tr in tabell.find("tbody").find_all("tr")
        if tr.find("th")
    }


# --- access -------------------------------------------------------------------------------------------------------


def test_läsare_får_403_och_annan_kommun_404(client, nämnd, läsare, annan_kommun):
    client.force_login(läsare)
    assert client.get(url(nämnd)).status_code == 403
    client.force_login(skapa_användare("admin-taby", annan_kommun, "admin"))
    r = client.get(url(nämnd))
    assert r.status_code == 404 and b"Lillby" not in r.content


def test_controller_för_annan_nämnd_får_403(client, nämnd):
    annan = nämnd.kommun.nämnder.create(namn="Kultur- och fritidsnämnden")
    user = skapa_användare("controller-kultur", nämnd.kommun, "controller")
    user.behörigheter.get().nämnder.set([annan])
    client.force_login(user)
    assert client.get(url(nämnd)).status_code == 403
    assert client.get(url(annan)).status_code == 200


def test_controller_och_admin_ser_dashboarden(client, nämnd, controller, admin):
    for user in (controller, admin):
        client.force_login(user)
        s = soup(client.get(url(nämnd)))
        assert s.h1.get_text(strip=True) == "Status för Socialnämnden 2023"
    # Only admins get the reopen form and the nytt år link.
    client.force_login(controller)
    html = client.get(url(nämnd)).content.decode()
    assert reverse("nytt-år", args=[nämnd.id, 2023]) not in html


def test_orimligt_år_ger_404(client, nämnd, admin):
    client.force_login(admin)
    assert client.get(url(nämnd, 1999)).status_code == 404


# --- contents -----------------------------------------------------------------------------------------------------


def test_månadstabell_visar_utfall_prognos_och_stängning(client, nämnd, admin):
    stäng(admin, nämnd.kommun, 2023, range(1, 9))
    client.force_login(admin)
    månader = rader(soup(client.get(url(nämnd))), "manader")
    # 5 verksamheter with utfall January–August; prognoser in April (3) and August (4: Placeringar too).
    assert månader["jan"][0] == "5 av 5 verksamheter"
    assert månader["aug"][0] == "5 av 5 verksamheter"
    assert månader["sep"][0] == "0 av 5 verksamheter"
    assert månader["jul"][1] == "Ingen prognos" and månader["aug"][1] == "4 av 5"
    assert månader["aug"][2].startswith("Stängd") and "admin-lillby" in månader["aug"][2]
    assert månader["sep"][2] == "Öppen"
    grid = reverse("månadsuppföljning", args=[nämnd.id, 2023, 8])
    assert månadsuppföljning_url(nämnd.id, 2023, 8) == grid


def test_textavsnitt_och_måluppfyllelse_per_rapport(client, nämnd, admin):
    Textavsnitt.objects.filter(nämnd=nämnd, år=2023, rubrik="Omvärldsbevakning").update(text="  ")
    client.force_login(admin)
    s = soup(client.get(url(nämnd)))
    delår = s.find(id="rapport-delarsrapport")
    texter = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in delår.find_all("table")[0].tbody.find_all("tr")
    }
    # A blank text counts as missing.
    assert texter == {
        "Nämndens uppdrag": "Ifylld",
        "Omvärldsbevakning": "Saknas",
        "Ledningssystem för kvalitet": "Ifylld",
    }
    mål = {
        tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True)
        for tr in delår.find_all("table")[1].tbody.find_all("tr")
    }
    assert set(mål) == set(Mål.objects.filter(nämnd=nämnd).values_list("namn", flat=True))
    assert mål["Långsiktig ekonomi i balans"].startswith("Uppnått")
    assert "1 text saknas" in delår.h3.get_text(" ", strip=True)
    # The verksamhetsberättelse has the same texts but nothing is written or assessed yet.
    vb = s.find(id="rapport-verksamhetsberattelse").get_text(" ", strip=True)
    assert "3 texter och 2 målbedömningar saknas" in vb
    # The tertialrapport has neither texts nor a mål section; the verksamhetsplan has no måluppfyllelse.
    assert "allt ifyllt" in s.find(id="rapport-tertialrapport").h3.get_text()
    assert "Måluppfyllelse" not in s.find(id="rapport-verksamhetsplan").get_text()
    assert "Nämndens ansvar" in s.find(id="rapport-verksamhetsplan").get_text()


def test_måluppfyllelse_saknas_visas_per_mål(client, nämnd, admin):
    Måluppfyllelse.objects.filter(mål__namn="Möta omvärldsförändringar").delete()
    client.force_login(admin)
    delår = soup(client.get(url(nämnd))).find(id="rapport-delarsrapport")
    mål = {
        tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True)
        for tr in delår.find_all("table")[1].tbody.find_all("tr")
    }
    assert mål["Möta omvärldsförändringar"] == "Saknas"
    assert "1 text" not in delår.h3.get_text() and "1 målbedömning saknas" in delår.h3.get_text(" ", strip=True)


def test_indikatorer_utan_värde_för_året(client, nämnd, admin):
    med_värde = set(
        Indikatorvärde.objects.filter(
            indikator__mål__nämnd=nämnd, år=2023, typ="utfall", totalt__isnull=False
        ).values_list("indikator__namn", flat=True)
    )
    alla = set(Indikator.objects.filter(mål__nämnd=nämnd).values_list("namn", flat=True))
    assert med_värde and alla - med_värde
    client.force_login(admin)
    utan = rader(soup(client.get(url(nämnd))), "indikatorer-utan-varde")
    assert set(utan) == alla - med_värde


# --- deviations ---------------------------------------------------------------------------------------------------


def test_avvikelser_över_gränserna_markeras_med_text_och_länk(client, nämnd, admin):
    client.force_login(admin)
    s = soup(client.get(url(nämnd)))
    assert "Budgetavvikelser jan–aug 2023" in s.get_text()
    tabell = s.find("table", id="avvikelser")
    per_namn = {tr.th.get_text(" ", strip=True): tr for tr in tabell.tbody.find_all("tr")}
    assert len(per_namn) == 5
    # Placeringar: −800 tkr in the period (≥ 500 tkr); prognos −1 000 tkr.
    lov = per_namn["Placeringar"]
    assert "over-grans" in lov["class"]
    assert "Över gränsen" in lov.get_text() and "perioden, helårsprognosen" in lov.get_text()
    vo = Verksamhetsområde.objects.get(nämnd=nämnd, namn="Placeringar")
    assert lov.find_all("td")[-1].a["href"] == (reverse("månadsuppföljning", args=[nämnd.id, 2023, 8]) + f"#vo-{vo.id}")
    # Hemtjänst: prognos −100 tkr of 1 200 tkr budget is 8.3 % → over the % threshold only.
    nämnd_rad = per_namn["Vård och omsorg: Hemtjänst"]
    assert "Över gränsen" in nämnd_rad.get_text()
    # Mottagning: +284 tkr without budget, no prognos: inside both limits.
    flykting = per_namn["Mottagning"]
    assert "over-grans" not in (flykting.get("class") or []) and "Inom gränsen" in flykting.get_text()
    # Over the limit without a prognos comment: flagged as missing comment (not by colour only).
    assert "Kommentar saknas" in tabell.get_text() or "Kommenterad" in tabell.get_text()


def test_gränserna_kommer_från_kommunen(client, nämnd, admin):
    client.force_login(admin)
    Kommun.objects.filter(pk=nämnd.kommun_id).update(avvikelsegräns_kr=280_000, avvikelsegräns_procent=0)
    tabell = soup(client.get(url(nämnd))).find("table", id="avvikelser")
    flykting = next(tr for tr in tabell.tbody.find_all("tr") if tr.th.get_text(strip=True) == "Mottagning")
    assert "Över gränsen" in flykting.get_text()  # 284 tkr ≥ 280 tkr
    nämnd_rad = next(
        tr for tr in tabell.tbody.find_all("tr") if tr.th.get_text(" ", strip=True) == "Vård och omsorg: Hemtjänst"
    )
    assert "Inom gränsen" in nämnd_rad.get_text()  # 100 tkr; the % rule is switched off
    Kommun.objects.filter(pk=nämnd.kommun_id).update(avvikelsegräns_kr=10_000_000, avvikelsegräns_procent=0)
    tabell = soup(client.get(url(nämnd))).find("table", id="avvikelser")
    assert "Över gränsen" not in tabell.tbody.get_text()


def test_avvikelser_för_vald_månad(client, nämnd, admin):
    client.force_login(admin)
    s = soup(client.get(url(nämnd, manad=4)))
    assert "Budgetavvikelser jan–apr 2023" in s.get_text()
    vo = Verksamhetsområde.objects.get(nämnd=nämnd, namn="Mottagning")
    assert s.find("a", href=reverse("månadsuppföljning", args=[nämnd.id, 2023, 4]) + f"#vo-{vo.id}")
    netto = Utfall.objects.filter(verksamhetsområde=vo, år=2023, månad__lte=4).aggregate(s=Sum("belopp"))["s"]
    rad = s.find("tr", id=f"avvikelse-{vo.id}")
    # Budget 0, so the avvikelse is −nettokostnad (an income here: 4 × 35 500 kr), shown in tkr.
    assert rad.find_all("td")[1].get_text(strip=True) == Presentation().avvikelse(-netto) == "142"


def test_år_utan_utfall(client, nämnd, admin):
    client.force_login(admin)
    s = soup(client.get(url(nämnd, 2025)))
    assert "Inget utfall är registrerat för 2025 ännu." in s.get_text()


# --- period history -----------------------------------------------------------------------------------------------


def test_periodhistorik_med_tid_i_stockholm(client, nämnd, admin):
    stäng(admin, nämnd.kommun, 2023, [8])
    sommar = dt.datetime(2023, 8, 31, 12, 5, tzinfo=dt.UTC)  # 14:05 in Stockholm (CEST)
    Period.history.filter(kommun=nämnd.kommun, år=2023, månad=8).update(history_date=sommar)
    Period.objects.filter(kommun=nämnd.kommun, år=2023, månad=8).update(stängd_tid=sommar)
    client.force_login(admin)
    s = soup(client.get(url(nämnd)))
    historik = s.find("table", id="periodhistorik").tbody.find("tr")
    assert [td.get_text(strip=True) for td in historik.find_all("td")] == [
        "2023-08-31 14:05",
        "Stängd",
        "admin-lillby",
        "–",
    ]
    assert rader(s, "manader")["aug"][2] == "Stängd 2023-08-31 14:05 av admin-lillby"
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
