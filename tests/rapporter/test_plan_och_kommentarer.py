"""A verksamhetsplan from the preset layout: no bedömning (a plan has none) and a volume table with utfall the
year before last, prognos this year and plan for the plan's year; comments per uppdrag and per indikator written
on the mål entry page and shown in the mål section. On a kommun of another shape than the demo
(annan_form_kommun)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse

from nyckeltal import services
from nyckeltal.models import Indikator, Indikatorkommentar, Måluppfyllelse, Nyckeltalsvärde
from rapporter import forval, layouter
from tests import factories

ÅR = factories.ÅR
PLANÅR = ÅR + 1


@pytest.fixture
def ekeby(db):
    byggd = factories.annan_form_kommun()
    kommun = byggd.kommun
    admin = factories.admin(kommun, "admin-ekeby")
    layouter.spara(admin, kommun, "verksamhetsplan", forval.sektioner(forval.STANDARD, "verksamhetsplan"))
    timmar = Nyckeltalsvärde.objects.get(nyckeltal__namn="Beviljade timmar", år=ÅR - 1).nyckeltal
    factories.NyckeltalsvärdeFactory(nyckeltal=timmar, år=ÅR, typ=Nyckeltalsvärde.Typ.PROGNOS, värde=1050)
    factories.NyckeltalsvärdeFactory(nyckeltal=timmar, år=PLANÅR, typ=Nyckeltalsvärde.Typ.MÅL, värde=1150)
    mål = timmar.grupp.nämnd.mål.get(namn="Trygg omsorg")
    # A bedömning stored for the plan (e.g. through the admin) is still not shown.
    factories.MåluppfyllelseFactory(mål=mål, år=PLANÅR, rapporttyp="verksamhetsplan", bedömning="uppfyllt")
    byggd.admin = admin
    return byggd


def plan(client, ekeby) -> BeautifulSoup:
    client.force_login(ekeby.admin)
    r = client.get(reverse("rapport", args=[ekeby.nämnder["Omsorgsnämnden"].id, PLANÅR, "verksamhetsplan"]))
    assert r.status_code == 200
    return BeautifulSoup(r.content.decode(), "html.parser")


def test_förvalet_för_verksamhetsplan_ger_volymer_med_utfall_prognos_och_plan(client, ekeby):
    soup = plan(client, ekeby)
    tabell = soup.find("table", id="volymer")
    assert [th.get_text() for th in tabell.select("thead th")] == [
        "Nyckeltal",
        "Enhet",
        f"Utfall {ÅR - 1}",
        f"Prognos {ÅR}",
        f"Plan {PLANÅR}",
    ]
    rad = tabell.find("th", string="Beviljade timmar").parent
    assert [td.get_text(strip=True) for td in rad.find_all("td")][1:] == ["1\xa0000", "1\xa0050", "1\xa0150"]


def test_verksamhetsplanen_visar_ingen_bedömning(client, ekeby):
    soup = plan(client, ekeby)
    mål = soup.find("section", class_="sektion-mål")
    assert mål.find("h3").get_text() == "KF inriktningsmål: Trygg omsorg"
    assert mål.select(".bedomning, .bedomning-etikett") == []
    assert "Måluppfyllelse" not in mål.get_text() and "Bedömning" not in mål.get_text()
    indikatorer = mål.find("table", class_="indikatorer")
    assert [th.get_text() for th in indikatorer.select("thead th")][-3:] == ["Önskad riktning", "Målvärde", "Trend"]


def test_delårsrapporten_visar_fortfarande_bedömningen(client, ekeby):
    client.force_login(ekeby.admin)
    r = client.get(reverse("rapport", args=[ekeby.nämnder["Omsorgsnämnden"].id, ÅR, "delårsrapport"]))
    mål = BeautifulSoup(r.content.decode(), "html.parser").find("section", class_="sektion-mål")
    assert mål.select_one(".bedomning .etikett").get_text() == "Prognos för måluppfyllelse:"
    assert "Bedömning" in [th.get_text() for th in mål.select("table.indikatorer thead th")]


# --- comments per uppdrag and per indikator: written on the mål entry page, shown in the mål section --------------


def formulär(sida: str) -> dict[str, str]:
    soup = BeautifulSoup(sida, "html.parser").find("textarea").find_parent("form")  # not the top bar's logout
    data = {i["name"]: i.get("value", "") for i in soup.find_all("input") if i.get("name")}
    data |= {t["name"]: t.get_text() for t in soup.find_all("textarea")}
    for s in soup.find_all("select"):
        vald = s.find("option", selected=True)
        data[s["name"]] = vald["value"] if vald else ""
    return data


def fältnamn(sida: str, etikett: str) -> str:
    soup = BeautifulSoup(sida, "html.parser")
    return soup.find(id=soup.find("label", string=etikett)["for"])["name"]


def test_kommentarer_per_uppdrag_och_indikator_skrivs_och_syns_i_målavsnittet(client, ekeby):
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    controller = factories.controller(ekeby.kommun, "controller-ekeby", nämnder=[omsorg])
    client.force_login(controller)
    url = reverse("mal-inmatning", args=[omsorg.id, ÅR, "delårsrapport"])
    sida = client.get(url).content.decode()
    data = formulär(sida)
    indikatorfält = fältnamn(sida, "Nöjdhet hemtjänst")
    uppdragsfält = next((n for n in data if n.startswith("u") and n.endswith("-kom")), list(data))
    data[indikatorfält] = "Enkäten besvarades av 412 brukare."
    assert isinstance(uppdragsfält, str), uppdragsfält
    data[uppdragsfält] = "Upphandlingen klar i maj.\nInförs under hösten."
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]

    k = Indikatorkommentar.objects.get()
    assert (k.indikator.namn, k.år, k.rapporttyp, k.kommentar, k.version) == (
        "Nöjdhet hemtjänst",
        ÅR,
        "delårsrapport",
        "Enkäten besvarades av 412 brukare.",
        1,
    )
    assert k.history.count() == 1

    sida = client.get(reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"])).content.decode()
    mål = BeautifulSoup(sida, "html.parser").find("section", class_="sektion-mål")
    uppdrag = mål.find("table", class_="uppdrag")
    assert [th.get_text() for th in uppdrag.select("thead th")][-1] == "Kommentar"
    rad = uppdrag.find("th", string="Införa digital tillsyn").parent
    assert [td.get_text() for td in rad.find_all("td")][-2:] == [
        "Pågår",
        "Upphandlingen klar i maj.Införs under hösten.",
    ]
    assert rad.find("td", class_="kommentar").find("br") is not None
    kommentarer = mål.find("dl", class_="indikatorkommentarer")
    assert [(dt.get_text(), dd.get_text()) for dt, dd in zip(kommentarer("dt"), kommentarer("dd"), strict=True)] == [
        ("Nöjdhet hemtjänst", "Enkäten besvarades av 412 brukare.")
    ]

    # Emptied: the comment is removed (and the report no longer lists it).
    sida = client.get(url).content.decode()
    data = formulär(sida) | {indikatorfält: ""}
    assert client.post(url, data).status_code == 302
    assert not Indikatorkommentar.objects.exists()


def test_indikatorkommentar_med_gammal_version_ger_konflikt_och_inget_sparas(client, ekeby):
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    client.force_login(factories.controller(ekeby.kommun, "controller-ekeby", nämnder=[omsorg]))
    url = reverse("mal-inmatning", args=[omsorg.id, ÅR, "delårsrapport"])
    sida = client.get(url).content.decode()
    data, fält = formulär(sida), fältnamn(sida, "Nöjdhet hemtjänst")
    indikator = Indikator.objects.get(namn="Nöjdhet hemtjänst")
    Indikatorkommentar.objects.create(indikator=indikator, år=ÅR, rapporttyp="delårsrapport", kommentar="Först")
    r = client.post(url, data | {fält: "Sen"})
    assert r.status_code == 200 and "Nöjdhet hemtjänst" in BeautifulSoup(r.content, "html.parser").get_text()
    assert list(Indikatorkommentar.objects.values_list("kommentar", flat=True)) == ["Först"]


def test_indikatorkommentar_i_annan_kommun_går_inte_att_spara(ekeby):
    annan = factories.liten_kommun(ÅR, namn="Andraby kommun")
    indikator = Indikator.objects.get(namn="Nöjdhet hemtjänst")  # Ekeby's
    with pytest.raises(ValidationError, match="Okända indikatorer"):
        services.spara_måluppfyllelse(
            factories.admin(annan.kommun),
            annan.nämnd,
            ÅR,
            "delårsrapport",
            indikatorer=[services.Indikatorkommentering(indikator.id, "Fel kommun")],
        )
    assert not Indikatorkommentar.objects.exists()


def test_planens_målsida_har_ingen_bedömning_bara_kommentar(client, ekeby):
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    client.force_login(factories.controller(ekeby.kommun, "controller-ekeby", nämnder=[omsorg]))
    url = reverse("mal-inmatning", args=[omsorg.id, PLANÅR, "verksamhetsplan"])
    sida = client.get(url).content.decode()
    data = formulär(sida)
    assert not [n for n in data if n.endswith("-bed")]
    assert "En verksamhetsplan har ingen bedömning" in sida
    målfält = next(n for n in data if n.startswith("m") and n.endswith("-kom"))
    data[målfält] = "Nämnden bygger ut hemtjänsten i norra delen."
    assert client.post(url, data).status_code == 302
    b = Måluppfyllelse.objects.get(mål__namn="Trygg omsorg", år=PLANÅR, rapporttyp="verksamhetsplan")
    assert (b.bedömning, b.kommentar) == ("", "Nämnden bygger ut hemtjänsten i norra delen.")
    mål = plan(client, ekeby).find("section", class_="sektion-mål")
    assert "Nämnden bygger ut hemtjänsten i norra delen." in mål.get_text()
    assert mål.select(".bedomning, .bedomning-etikett") == []
    # The service refuses a bedömning for a plan.
    with pytest.raises(ValidationError, match="ingen bedömning"):
        services.spara_måluppfyllelse(
            ekeby.admin, omsorg, PLANÅR, "verksamhetsplan", mål=[services.Målbedömning(b.mål_id, "uppfyllt", "x", 2)]
        )
