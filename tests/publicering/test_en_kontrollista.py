"""One list of checks (``rapporter.kontroller``): the status page, granskning and month closing flag the same
things. Built on an invented kommun: no blocks, amounts in mnkr, avvikelsegräns 0 kr (off) and 3 %."""

import datetime as dt
from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos, Utfall
from nyckeltal.models import Mål, Måluppfyllelse
from nämnd.models import Kommun, Nämnd, Period, Rapportlås, Verksamhetsområde
from publicering import services as publicering
from rapporter import kontroller
from rapporter.models import Textavsnitt
from tests import factories
from tests.conftest import skapa_användare
from uppfoljning.services import OrsakKrävs, stäng_månader, stängningsfynd

ÅR = 2024

# kf-budget, utfall per month (January–April) and helårsprognos made in April, in kronor.
RADER = {
    "Hemtjänst": (12_000_000, 1_000_000, 12_000_000),  # exactly on budget
    "Särskilt boende": (24_000_000, 2_100_000, 24_500_000),  # period −0,4 mnkr = 5 % (over); prognos 2,1 % (under)
    "Familjeomsorg": (6_000_000, 500_000, 6_300_000),  # period on budget; prognos −0,3 mnkr = 5 % (over)
}


def skapa_nämnd(kommun: Kommun, namn: str, rader: dict) -> Nämnd:
    nämnd = Nämnd.objects.create(kommun=kommun, namn=namn, giltig_från=dt.date(2020, 1, 1))
    for i, (vo_namn, (kf, per_månad, prognos)) in enumerate(rader.items()):
        vo = Verksamhetsområde.objects.create(nämnd=nämnd, namn=vo_namn, ordning=i)
        Budgetpost.objects.create(verksamhetsområde=vo, år=ÅR, slag="kf", belopp=D(kf))
        Utfall.objects.bulk_create(
            Utfall(verksamhetsområde=vo, år=ÅR, månad=m, belopp=D(per_månad)) for m in range(1, 5)
        )
        Prognos.objects.create(verksamhetsområde=vo, år=ÅR, månad=4, belopp=D(prognos))
    return nämnd


@pytest.fixture
def nämnd(db) -> Nämnd:
    kommun = Kommun.objects.create(
        namn="Fjällby kommun", kommunkod="9901", beloppsenhet="mnkr", avvikelsegräns_kr=0, avvikelsegräns_procent=3
    )
    nämnd = skapa_nämnd(kommun, "Omsorgsnämnden", RADER)
    Mål.objects.create(nämnd=nämnd, namn="Trygg omsorg i hela kommunen", från_år=ÅR)
    return nämnd


@pytest.fixture
def controller(nämnd):
    user = skapa_användare("controller-fjallby", nämnd.kommun, "controller")
    user.behörigheter.get().nämnder.set([nämnd])
    return user


def vo(namn: str) -> Verksamhetsområde:
    return Verksamhetsområde.objects.get(nämnd__kommun__namn="Fjällby kommun", namn=namn)


def kommentera(namn: str, text: str = "Förklaring finns.") -> None:
    Prognos.objects.filter(verksamhetsområde=vo(namn), år=ÅR, månad=4).update(kommentar=text)


def status(client, nämnd, **params) -> BeautifulSoup:
    r = client.get(reverse("dashboard", args=[nämnd.id, ÅR]), params)
    assert r.status_code == 200
    return BeautifulSoup(r.content, "html.parser")


def avvikelser_i_status(s: BeautifulSoup) -> dict[str, list[str]]:
    """Per row of the status page's deviation table: its threshold cell and its comment cell."""
    return {
        tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")][3:5]
        for tr in s.find("table", id="avvikelser").tbody.find_all("tr")
    }


def saknar_kommentar_i_status(s: BeautifulSoup) -> set[str]:
    return {namn for namn, (_, kommentar) in avvikelser_i_status(s).items() if kommentar == "Kommentar saknas"}


def granskning(user, nämnd, typ: str) -> list[kontroller.Fynd]:
    return publicering.granska(user, publicering.ärende_för(nämnd, ÅR, typ))


def refs(fynd, kod: str) -> set:
    return {f.ref for f in fynd if f.kod == kod}


def rapportrubrik(s: BeautifulSoup, typ: str) -> str:
    return s.find(id=f"rapport-{typ}").h3.get_text(" ", strip=True)


# --- (a) a missing comment: status and granskning ----------------------------------------------------------------


def test_samma_okommenterade_avvikelse_flaggas_i_status_och_granskning(client, nämnd, controller):
    client.force_login(controller)
    s = status(client, nämnd)  # default month: the latest with utfall, April = the tertialrapport's month
    assert "Budgetavvikelser jan–apr 2024" in s.get_text(" ", strip=True)
    rader = avvikelser_i_status(s)
    assert rader["Särskilt boende"][0] == "Över gränsen (perioden)"
    assert rader["Familjeomsorg"][0] == "Över gränsen (helårsprognosen)"
    assert rader["Hemtjänst"] == ["Inom gränsen", "–"]
    assert saknar_kommentar_i_status(s) == {"Särskilt boende", "Familjeomsorg"}

    fynd = granskning(controller, nämnd, "tertialrapport")
    assert refs(fynd, "kommentar_saknas") == {vo("Särskilt boende").id, vo("Familjeomsorg").id}
    texter = {f.ref: f.text for f in fynd if f.kod == "kommentar_saknas"}
    assert texter[vo("Särskilt boende").id] == (
        "Särskilt boende: avvikelsen jan–apr −0,4 mnkr är över kommunens gräns och saknar kommentar."
    )
    assert texter[vo("Familjeomsorg").id] == (
        "Familjeomsorg: helårsprognosens avvikelse −0,3 mnkr är över kommunens gräns och saknar kommentar."
    )
    with pytest.raises(ValidationError, match="Särskilt boende"):
        publicering.markera_klar(controller, publicering.ärende_för(nämnd, ÅR, "tertialrapport"))

    kommentera("Särskilt boende", "Fler platser än budgeterat.")
    assert saknar_kommentar_i_status(status(client, nämnd)) == {"Familjeomsorg"}
    assert refs(granskning(controller, nämnd, "tertialrapport"), "kommentar_saknas") == {vo("Familjeomsorg").id}

    kommentera("Familjeomsorg")
    s = status(client, nämnd)
    assert saknar_kommentar_i_status(s) == set()
    assert avvikelser_i_status(s)["Särskilt boende"] == ["Över gränsen (perioden)", "Kommenterad"]
    assert refs(granskning(controller, nämnd, "tertialrapport"), "kommentar_saknas") == set()


# --- (b) bedömningar and texts: a plan has no bedömningar ------------------------------------------------------


def test_verksamhetsplan_utan_bedömningar_är_klar_i_status_och_i_granskning(client, nämnd, controller):
    client.force_login(controller)
    s = status(client, nämnd)
    assert rapportrubrik(s, "verksamhetsplan") == "Verksamhetsplan 2024: allt ifyllt"
    assert "Måluppfyllelse" not in s.find(id="rapport-verksamhetsplan").get_text()
    plan = granskning(controller, nämnd, "verksamhetsplan")
    assert [f for f in plan if f.nivå == kontroller.FEL] == []
    # The plan shows the mål (it has a mål section), but no check asks it for a bedömning.
    assert not kontroller.gäller("bedömning_saknas", "verksamhetsplan")

    # A report of the year's outcome does need one, in status and in granskning alike.
    assert "1 målbedömning saknas" in rapportrubrik(s, "tertialrapport")
    tertial = granskning(controller, nämnd, "tertialrapport")
    assert [f.text for f in tertial if f.kod == "bedömning_saknas"] == [
        "Målet ”Trygg omsorg i hela kommunen” saknar bedömning av måluppfyllelsen."
    ]
    Måluppfyllelse.objects.create(
        mål=Mål.objects.get(nämnd=nämnd), år=ÅR, rapporttyp="tertialrapport", bedömning="delvis"
    )
    assert "saknas" not in rapportrubrik(status(client, nämnd), "tertialrapport")
    assert refs(granskning(controller, nämnd, "tertialrapport"), "bedömning_saknas") == set()


def test_textavsnitt_saknas_i_status_och_granskning(client, nämnd, controller):
    for sektion, rubrik in [("text", "Nämndens ansvar"), ("mål", "Mål"), ("budget", "Budget")]:
        factories.layoutsektion(nämnd.kommun, "verksamhetsplan", sektion, rubrik)
    client.force_login(controller)
    Textavsnitt.objects.create(nämnd=nämnd, år=ÅR, rapporttyp="verksamhetsplan", rubrik="Nämndens ansvar", text="  ")
    assert rapportrubrik(status(client, nämnd), "verksamhetsplan") == "Verksamhetsplan 2024: 1 text saknas"
    assert refs(granskning(controller, nämnd, "verksamhetsplan"), "text_saknas") == {"Nämndens ansvar"}

    Textavsnitt.objects.filter(nämnd=nämnd).update(text="Nämnden ansvarar för omsorgen.")
    assert rapportrubrik(status(client, nämnd), "verksamhetsplan") == "Verksamhetsplan 2024: allt ifyllt"
    assert [f for f in granskning(controller, nämnd, "verksamhetsplan") if f.nivå == kontroller.FEL] == []


def test_fastställd_rapport_granskas_och_visas_med_sin_sparade_layout(client, nämnd, controller):
    # The kommun's layout of the plan has no text section; the plan was fastställd with one (snapshot).
    Rapportlås.objects.create(
        nämnd=nämnd,
        år=ÅR,
        rapporttyp="verksamhetsplan",
        slutmånad=0,
        fastställd_datum=dt.date(2023, 12, 12),
        paragraf="§ 101",
        version=1,
        layout=[
            {"typ": "text", "rubrik": "Nämndens ansvar", "parametrar": {}},
            {"typ": "mål", "rubrik": "Mål", "parametrar": {}},
            {"typ": "drift", "rubrik": "Budget", "parametrar": {"id": "budget"}},
        ],
    )
    client.force_login(controller)
    assert rapportrubrik(status(client, nämnd), "verksamhetsplan") == "Verksamhetsplan 2024: 1 text saknas"
    assert refs(granskning(controller, nämnd, "verksamhetsplan"), "text_saknas") == {"Nämndens ansvar"}


# --- (c) closing a month ----------------------------------------------------------------------------------------


def stäng_url(nämnd) -> str:
    return reverse("perioder", args=[nämnd.id, ÅR])


def stängda(nämnd) -> list[int]:
    return sorted(Period.objects.filter(kommun=nämnd.kommun, år=ÅR, stängd=True).values_list("månad", flat=True))


def periodhistorik(s: BeautifulSoup) -> list[list[str]]:
    return [
        [td.get_text(strip=True) for td in tr.find_all(["th", "td"])][1:]
        for tr in s.find("table", id="periodhistorik").tbody.find_all("tr")
    ]


def test_stänga_med_okommenterad_avvikelse_kräver_orsak_som_sparas(client, nämnd, controller):
    client.force_login(controller)
    stäng = {"atgard": "stang", "omfattning": "månad", "månad": 4}
    r = client.post(stäng_url(nämnd), stäng)
    assert r.status_code == 200
    s = BeautifulSoup(r.content, "html.parser")
    text = s.get_text(" ", strip=True)
    assert "Inget är stängt ännu." in text
    assert "Kontrollerna t.o.m. april 2024 hittade fel: avvikelser över kommunens gräns utan kommentar." in text
    rader = [li.get_text(" ", strip=True) for li in s.find(id=f"stangningsfynd-{nämnd.id}").find_all("li")]
    assert rader == [
        "Särskilt boende: avvikelsen jan–apr −0,4 mnkr är över kommunens gräns och saknar kommentar.",
        "Familjeomsorg: helårsprognosens avvikelse −0,3 mnkr är över kommunens gräns och saknar kommentar.",
    ]
    länk = s.find(id=f"stangningsfynd-{nämnd.id}").a["href"]
    assert länk == reverse("månadsuppföljning", args=[nämnd.id, ÅR, 4]) + f"#vo-{vo('Särskilt boende').id}"
    assert s.find("input", attrs={"name": "orsak"}).has_attr("required")
    assert stängda(nämnd) == []

    r = client.post(stäng_url(nämnd), {**stäng, "orsak": "   "})
    assert r.status_code == 200 and "Ange en orsak för att stänga ändå." in r.content.decode()
    assert stängda(nämnd) == [] and not Period.history.filter(kommun=nämnd.kommun).exists()

    r = client.post(stäng_url(nämnd), {**stäng, "orsak": "Förklaras i tertialrapporten."})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard", args=[nämnd.id, ÅR])
    assert stängda(nämnd) == [4]
    assert periodhistorik(status(client, nämnd)) == [
        ["2024-04", "Stängd", "controller-fjallby", "Förklaras i tertialrapporten."],
    ]


def test_stänga_utan_avvikelser_kräver_ingen_orsak(client, nämnd, controller):
    kommentera("Särskilt boende")
    kommentera("Familjeomsorg")
    client.force_login(controller)
    r = client.post(stäng_url(nämnd), {"atgard": "stang", "omfattning": "månad", "månad": 4})
    assert r.status_code == 302
    assert stängda(nämnd) == [4]
    assert periodhistorik(status(client, nämnd)) == [["2024-04", "Stängd", "controller-fjallby", "–"]]


def test_stängningen_kontrollerar_hela_kommunen_och_rollen_först(nämnd, controller):
    kommun = nämnd.kommun
    # Another nämnd of the kommun: closing locks its figures too, so its findings are listed.
    skapa_nämnd(kommun, "Kulturnämnden", {"Bibliotek": (1_200_000, 200_000, 1_200_000)})
    with pytest.raises(OrsakKrävs) as fel:
        stäng_månader(controller, kommun, ÅR, [3, 4])
    assert fel.value.månad == 4  # checked through the last month being closed
    assert [n.namn for n, _ in fel.value.fynd] == ["Kulturnämnden", "Omsorgsnämnden"]
    assert fel.value.messages[1:] == [
        "Kulturnämnden: Bibliotek: avvikelsen jan–apr −0,4 mnkr är över kommunens gräns och saknar kommentar.",
        "Omsorgsnämnden: Särskilt boende: avvikelsen jan–apr −0,4 mnkr är över kommunens gräns och saknar kommentar.",
        "Omsorgsnämnden: Familjeomsorg: helårsprognosens avvikelse −0,3 mnkr är över kommunens gräns och saknar "
        "kommentar.",
    ]
    assert stängda(nämnd) == [] and not Period.history.filter(kommun=kommun).exists()

    with pytest.raises(PermissionDenied):
        stäng_månader(skapa_användare("lasare-fjallby", kommun), kommun, ÅR, [4])
    with pytest.raises(ValidationError, match="högst 100 tecken"):
        stäng_månader(controller, kommun, ÅR, [4], "x" * 101)

    stäng_månader(controller, kommun, ÅR, [3, 4], "Bokslutsdialog i maj.")
    assert stängda(nämnd) == [3, 4]
    assert set(Period.history.filter(kommun=kommun, stängd=True).values_list("månad", "history_change_reason")) == {
        (3, "Bokslutsdialog i maj."),
        (4, "Bokslutsdialog i maj."),
    }
    # Months already closed are not checked again.
    assert stäng_månader(controller, kommun, ÅR, [4])[0].månad == 4


# --- (d) a limit of 0 is off everywhere --------------------------------------------------------------------------


def test_gräns_0_är_avstängd_i_status_granskning_och_stängning(client, nämnd, controller):
    client.force_login(controller)
    # The kr limit is 0 (off): a row exactly on budget is over no limit (the removed copy flagged it: 0 ≥ 0).
    assert avvikelser_i_status(status(client, nämnd))["Hemtjänst"] == ["Inom gränsen", "–"]
    assert vo("Hemtjänst").id not in refs(granskning(controller, nämnd, "tertialrapport"), "kommentar_saknas")
    assert vo("Hemtjänst").id not in {
        f.ref for _, fynd in stängningsfynd(controller, nämnd.kommun, ÅR, 4) for f in fynd
    }

    Kommun.objects.filter(pk=nämnd.kommun_id).update(avvikelsegräns_procent=0)
    nämnd.kommun.refresh_from_db()
    s = status(client, nämnd)
    assert "Kommunen har ingen avvikelsegräns" in s.get_text(" ", strip=True)
    assert all(gräns == "Inom gränsen" for gräns, _ in avvikelser_i_status(s).values())
    assert saknar_kommentar_i_status(s) == set()
    assert refs(granskning(controller, nämnd, "tertialrapport"), "kommentar_saknas") == set()
    r = client.post(stäng_url(nämnd), {"atgard": "stang", "omfattning": "månad", "månad": 4})
    assert r.status_code == 302 and stängda(nämnd) == [4]
