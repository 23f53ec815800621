"""Import profiles for every template import: the error that names the missing column and lists the headers found,
the column mapping chosen in the preview (the same upload read again, no second upload), the mapping remembered per
kommun and import type, kommun isolation of the profiles, and rows matched by ansvar/verksamhet codes.

The data: ``annan_form_kommun`` for 2023 (mnkr, costs negative: another shape than the demo), its Omsorgsnämnden
(no blocks) with Hemtjänst and Särskilt boende; ``liten_kommun`` is the other kommun."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos
from importer import mallar
from importer.mallar import ramverk
from importer.models import Import, Importprofil
from nyckeltal.models import Indikatorvärde, Nyckeltal, Nyckeltalsvärde
from nämnd.models import Verksamhetsområde
from tests import factories
from tests.importer.test_lasare import xlsx


@pytest.fixture
def ekeby(db) -> factories.Byggd:
    b = factories.annan_form_kommun(år=2023)
    omsorg = b.nämnder["Omsorgsnämnden"]
    Verksamhetsområde.objects.filter(pk=b.områden["Hemtjänst"].pk).update(ansvarskoder="7410")
    Verksamhetsområde.objects.filter(pk=b.områden["Särskilt boende"].pk).update(ansvarskoder="75*")
    b.områden["Anhörigstöd"] = factories.VerksamhetsområdeFactory(nämnd=omsorg, namn="Anhörigstöd", ordning=30)
    return b


@pytest.fixture
def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def klient(client, ekeby, omsorg):
    client.force_login(factories.controller(ekeby.kommun, nämnder=[omsorg]))
    return client


def _ladda_upp(client, nämnd, typ: str, innehåll: bytes, **data):
    r = client.post(
        reverse("mallimport-ladda-upp", args=[nämnd.pk, typ]),
        {"fil": SimpleUploadedFile(f"{typ}.xlsx", innehåll), **data},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    return r["Location"]


def _sida(client, url: str) -> BeautifulSoup:
    svar = client.get(url)
    assert svar.status_code == 200
    return BeautifulSoup(svar.content, "html.parser")


def _fel(soup) -> list[str]:
    t = soup.find("table", id="fel")
    return [tr.find_all("td")[-1].get_text(" ", strip=True) for tr in t.find("tbody").find_all("tr")] if t else []


def _förvalda(soup) -> dict[str, str]:
    """The mapping form's selects: name → the selected value ("" when none)."""
    form = soup.find("form", id="kolumnval")
    val = {}
    for s in form.find_all("select"):
        vald = s.find("option", selected=True)
        val[s["name"]] = vald["value"] if vald else ""
    return val


def _ändringar(soup) -> dict[str, str]:
    t = soup.find("table", id="andringar")
    rader = {}
    for tr in t.find("tbody").find_all("tr"):
        celler = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
        rader[celler[1]] = celler[3].replace("\u00a0", "").replace(" ", "")
    return rader


def _bekräfta(client, url: str, soup) -> None:
    fingeravtryck = soup.find("input", {"name": "fingeravtryck"})["value"]
    r = client.post(url, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck})
    assert r.status_code == 302, r.content.decode()[:3000]


def _mappa(client, url: str, val: dict[int, str]):
    return client.post(url, {"åtgärd": "kolumner", **{f"kolumn_{i}": f for i, f in val.items()}})


def _kartlägg_och_bekräfta(client, nämnd, typ, fil, saknas: str, rubriker: str, val: dict[int, str], **data):
    """Upload → the error names the missing column and the headers → map → the figures → confirm. The rows."""
    url = _ladda_upp(client, nämnd, typ, fil, **data)
    soup = _sida(client, url)
    fel = _fel(soup)
    assert len(fel) == 1 and fel[0].startswith(saknas) and rubriker in fel[0], fel
    assert soup.find("button", {"value": "bekräfta"}) is None
    r = _mappa(client, url, val)
    assert r.status_code == 302, r.content.decode()[:3000]
    soup = _sida(client, url)
    assert _fel(soup) == []
    rader = _ändringar(soup)
    _bekräfta(client, url, soup)
    return rader


def _minns_och_hålls_inom_kommunen(client, kommun, nämnd, typ: str, fil: bytes, saknas: str, **data) -> None:
    """The next upload of the same file: the profile is pre-selected and nothing needs mapping (everything is
    unchanged). Another kommun's admin does not see the profile, gets 404 using it, and its upload is not read
    with it."""
    profil = Importprofil.objects.get(kommun=kommun, typ=typ)
    sida = _sida(client, reverse("mallimport-ladda-upp", args=[nämnd.pk, typ]))
    assert sida.find("select", {"name": "profil"}).find("option", selected=True)["value"] == str(profil.pk)
    soup = _sida(client, _ladda_upp(client, nämnd, typ, fil, profil=profil.pk, **data))
    assert _fel(soup) == [] and soup.find("table", id="andringar") is None
    assert int(soup.find(id="antal-oforandrade").get_text()) > 0
    assert soup.find("details", id="kolumner").get("open") is None

    lillby = factories.liten_kommun(år=2023)
    social = lillby.nämnder["Socialnämnden"]
    annan = Client()
    annan.force_login(factories.admin(lillby.kommun))
    url = reverse("mallimport-ladda-upp", args=[social.pk, typ])
    text = annan.get(url).content.decode()
    assert ramverk.PROFILNAMN not in text and f'value="{profil.pk}"' not in text
    assert annan.post(url, {"fil": SimpleUploadedFile("f.xlsx", fil), "profil": profil.pk, **data}).status_code == 404
    assert annan.post(url, {"åtgärd": "ta_bort_profil", "profil": profil.pk}).status_code == 404
    assert _fel(_sida(annan, _ladda_upp(annan, social, typ, fil, **data)))[0].startswith(saknas)


# --- prognos per ansvar with comments, the month chosen on upload --------------------------------------------------

PROGNOSFIL = [
    ["Prognos per ansvar, Omsorgsnämnden"],
    [],
    ["Ansvar", "Helårsprog. (tkr)", "Komm."],
    [7410, 25_500, "Fler timmar än budgeterat"],
    ["7520", "40 100", "Fler platser"],  # Särskilt boende only through the wildcard 75*
]


def test_prognos_mappas_i_förhandsgranskningen_minns_och_hålls_inom_kommunen(klient, ekeby, omsorg):
    rader = _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "prognos",
        xlsx(("Prognos", PROGNOSFIL)),
        "Kolumnen för Prognos nettokostnad helår (kr) eller Kommentar saknas.",
        "Rubrikerna på rad 3 i bladet Prognos är: Ansvar, Helårsprog. (tkr), Komm.",
        {0: "ansvar", 1: "belopp", 2: "kommentar"},
        period="2023-09",
    )
    assert rader["Hemtjänst prognos 2023-09"] == "25500000"
    assert rader["Särskilt boende prognos 2023-09"] == "40100000"
    hemtjänst = Prognos.objects.get(verksamhetsområde__namn="Hemtjänst", år=2023, månad=9)
    assert (hemtjänst.belopp, hemtjänst.kommentar) == (Decimal(25_500_000), "Fler timmar än budgeterat")
    assert Prognos.objects.get(verksamhetsområde__namn="Särskilt boende", år=2023, månad=9).belopp == 40_100_000

    profil = Importprofil.objects.get(kommun=ekeby.kommun, typ="prognos")
    assert profil.namn == ramverk.PROFILNAMN
    assert profil.kolumner == {"ansvar": "Ansvar", "belopp": "Helårsprog. (tkr)", "kommentar": "Komm."}

    # The next upload: the profile is pre-selected and the same-shaped file needs no mapping.
    sida = _sida(klient, reverse("mallimport-ladda-upp", args=[omsorg.pk, "prognos"]))
    assert sida.find("select", {"name": "profil"}).find("option", selected=True)["value"] == str(profil.pk)
    fil = [*PROGNOSFIL[:3], [7410, 25_800, "Ännu fler timmar"]]
    url = _ladda_upp(klient, omsorg, "prognos", xlsx(("Prognos", fil)), profil=profil.pk, period="2023-10")
    soup = _sida(klient, url)
    assert _fel(soup) == []
    assert _ändringar(soup) == {
        "Hemtjänst prognos 2023-10": "25800000",
        "Hemtjänst prognos 2023-10: kommentar": "Ännuflertimmar",
    }
    _bekräfta(klient, url, soup)
    assert Prognos.objects.get(verksamhetsområde__namn="Hemtjänst", år=2023, månad=10).belopp == 25_800_000

    # Another kommun: cannot see, use or remove the profile, and kommun A's mapping is not applied there.
    lillby = factories.liten_kommun(år=2023)
    social = lillby.nämnder["Socialnämnden"]
    client = Client()
    client.force_login(factories.admin(lillby.kommun))
    sida = client.get(reverse("mallimport-ladda-upp", args=[social.pk, "prognos"])).content.decode()
    assert ramverk.PROFILNAMN not in sida and "Helårsprog." not in sida
    r = client.post(
        reverse("mallimport-ladda-upp", args=[social.pk, "prognos"]),
        {"fil": SimpleUploadedFile("p.xlsx", xlsx(("Prognos", fil))), "profil": profil.pk, "period": "2023-10"},
    )
    assert r.status_code == 404
    r = client.post(
        reverse("mallimport-ladda-upp", args=[social.pk, "prognos"]), {"åtgärd": "ta_bort_profil", "profil": profil.pk}
    )
    assert r.status_code == 404
    url = _ladda_upp(client, social, "prognos", xlsx(("Prognos", fil)), period="2023-10")
    assert _fel(_sida(client, url))[0].startswith(
        "Kolumnen för Prognos nettokostnad helår (kr) eller Kommentar saknas."
    )
    assert Importprofil.objects.filter(pk=profil.pk).exists()

    # Removed by its own kommun's importer; the next upload asks for the mapping again.
    r = klient.post(
        reverse("mallimport-ladda-upp", args=[omsorg.pk, "prognos"]), {"åtgärd": "ta_bort_profil", "profil": profil.pk}
    )
    assert r.status_code == 302
    assert not Importprofil.objects.filter(pk=profil.pk).exists()


def test_mappning_som_saknar_ett_krävt_fält_vägras_och_sparar_inget(klient, ekeby, omsorg):
    url = _ladda_upp(klient, omsorg, "prognos", xlsx(("Prognos", PROGNOSFIL)), period="2023-09")
    soup = _sida(klient, url)
    assert _förvalda(soup) == {"kolumn_0": "ansvar", "kolumn_1": "", "kolumn_2": ""}
    r = _mappa(klient, url, {0: "ansvar", 1: "", 2: ""})
    assert r.status_code == 409
    assert "Välj en kolumn för Prognos nettokostnad helår (kr) eller Kommentar." in r.content.decode()
    r = _mappa(klient, url, {0: "ansvar", 1: "belopp", 2: "belopp"})
    assert r.status_code == 409 and "är vald för två kolumner" in r.content.decode()
    assert not Importprofil.objects.filter(kommun=ekeby.kommun).exists()
    assert not Prognos.objects.filter(år=2023, månad=9).exists()


def test_läsare_får_inte_mappa(ekeby, omsorg, klient):
    url = _ladda_upp(klient, omsorg, "prognos", xlsx(("Prognos", PROGNOSFIL)), period="2023-09")
    client = Client()
    client.force_login(factories.läsare(ekeby.kommun))
    assert _mappa(client, url, {0: "ansvar", 1: "belopp", 2: "kommentar"}).status_code in (403, 404)
    assert not Importprofil.objects.filter(kommun=ekeby.kommun).exists()


# --- budget, volymer, indikatorer ----------------------------------------------------------------------------------


def test_budget_med_egna_rubriker(klient, ekeby, omsorg):
    fil = xlsx(
        (
            "Budget",
            [
                ["Verksamhet", "Budgetår", "Budgetversion", "Årsbudget (tkr)"],
                ["Anhörigstöd", 2025, "KF-budget", 1_500],
                ["Hemtjänst", 2025, "KF-budget", "26 250"],
            ],
        )
    )
    rader = _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "budget",
        fil,
        "Kolumnen för Slag saknas.",
        "Rubrikerna på rad 1 i bladet Budget är: Verksamhet, Budgetår, Budgetversion, Årsbudget (tkr).",
        {0: "område", 1: "år", 2: "slag", 3: "belopp"},
    )
    assert rader["Anhörigstöd 2025 KF-budget"] == "1500000"
    post = Budgetpost.objects.get(verksamhetsområde__namn="Hemtjänst", år=2025, slag="kf")
    assert post.belopp == Decimal(26_250_000)
    assert Budgetpost.objects.get(verksamhetsområde__namn="Anhörigstöd", år=2025).belopp == 1_500_000
    profil = Importprofil.objects.get(kommun=ekeby.kommun, typ="budget")
    assert profil.kolumner["slag"] == "Budgetversion"
    _minns_och_hålls_inom_kommunen(klient, ekeby.kommun, omsorg, "budget", fil, "Kolumnen för Slag saknas.")


def test_volymer_med_egna_rubriker(klient, ekeby, omsorg):
    fil = xlsx(("Volymer", [["Nyckeltalets namn", "År", "Antal timmar"], ["Beviljade timmar", 2023, 1_234]]))
    rader = _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "volymer",
        fil,
        "Kolumnerna för Nyckeltal och Värde eller kolumner per månad eller år saknas.",
        "Rubrikerna på rad 1 i bladet Volymer är: Nyckeltalets namn, År, Antal timmar.",
        {0: "nyckeltal", 1: "år", 2: "värde"},
    )
    assert rader == {"Hemtjänst / Beviljade timmar utfall helår 2023": "1234"}
    värde = Nyckeltalsvärde.objects.get(
        nyckeltal=Nyckeltal.objects.get(namn="Beviljade timmar"), år=2023, typ=Nyckeltalsvärde.Typ.UTFALL_HELÅR
    )
    assert värde.värde == 1_234
    assert Importprofil.objects.get(kommun=ekeby.kommun, typ="volymer").kolumner == {
        "nyckeltal": "Nyckeltalets namn",
        "år": "År",
        "värde": "Antal timmar",
    }
    _minns_och_hålls_inom_kommunen(klient, ekeby.kommun, omsorg, "volymer", fil, "Kolumnerna för Nyckeltal och")


def test_indikatorer_med_egna_rubriker(klient, ekeby, omsorg):
    fil = xlsx(("Indikatorer", [["Nyckeltalsnamn", "Mätår", "Resultat"], ["Nöjdhet hemtjänst", 2024, "92,5"]]))
    rader = _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "indikatorer",
        fil,
        "Kolumnerna för Indikator eller Kolada-id, År och Totalt eller Kvinnor eller Män saknas.",
        "Rubrikerna på rad 1 i bladet Indikatorer är: Nyckeltalsnamn, Mätår, Resultat.",
        {0: "indikator", 1: "år", 2: "totalt"},
    )
    assert rader == {"Nöjdhet hemtjänst 2024 totalt": "92,50"}
    assert Indikatorvärde.objects.get(indikator__namn="Nöjdhet hemtjänst", år=2024).totalt == Decimal("92.5")
    _minns_och_hålls_inom_kommunen(klient, ekeby.kommun, omsorg, "indikatorer", fil, "Kolumnerna för Indikator")


def test_förvald_kolumn_som_sätts_till_används_inte_ignoreras_nästa_gång(klient, ekeby, omsorg):
    """A recognised optional column the user sets to "Används inte" is remembered as ignored."""
    fil = xlsx(
        (
            "Prognos",
            [
                ["Ansvar", "Prognostillfälle", "Prognos", "Kommentar"],
                [7410, "2023-09", 25_000_000, "Kommentaren ska inte med"],
            ],
        )
    )
    url = _ladda_upp(klient, omsorg, "prognos", fil)
    soup = _sida(klient, url)
    assert _fel(soup) == []
    assert soup.find("details", id="kolumner").get("open") is None  # everything recognised: closed
    assert _mappa(klient, url, {0: "ansvar", 1: "månad", 2: "belopp", 3: ""}).status_code == 302
    soup = _sida(klient, url)
    assert _ändringar(soup) == {"Hemtjänst prognos 2023-09": "25000000"}
    profil = Importprofil.objects.get(kommun=ekeby.kommun, typ="prognos")
    assert profil.kolumner[ramverk.IGNORERA] == ["Kommentar"]
    # the next upload of the same shape: the comment is left out, nothing to map (the mapping is closed)
    url = _ladda_upp(klient, omsorg, "prognos", fil, profil=profil.pk)
    soup = _sida(klient, url)
    assert _ändringar(soup) == {"Hemtjänst prognos 2023-09": "25000000"}
    assert soup.find("details", id="kolumner").get("open") is None
    assert _förvalda(soup) == {"kolumn_0": "ansvar", "kolumn_1": "månad", "kolumn_2": "belopp", "kolumn_3": ""}


# --- codes ---------------------------------------------------------------------------------------------------------


def test_prognos_per_ansvar_med_jokertecken_och_tvetydig_kod(ekeby, omsorg):
    områden = ekeby.områden
    Verksamhetsområde.objects.filter(pk=områden["Hemtjänst"].pk).update(ansvarskoder="74*")
    Verksamhetsområde.objects.filter(pk=områden["Särskilt boende"].pk).update(ansvarskoder="7420, 76*")
    Verksamhetsområde.objects.filter(pk=områden["Anhörigstöd"].pk).update(ansvarskoder="76*")
    user = factories.admin(ekeby.kommun)
    fil = xlsx(
        (
            "Prognos",
            [
                ["Ansvar", "Prognostillfälle (månad)", "Helårsprognos (kr)", "Kommentar"],
                [7410, "2023-09", 25_000_000, "Bara genom 74*"],
                [7420, "2023-09", 39_000_000, "Exakt kod före 74*"],
            ],
        )
    )
    g = mallar.förhandsgranska(user, omsorg, "prognos", "p.xlsx", fil)
    assert g.fel == []
    assert {(p.objekt.verksamhetsområde.namn, p.objekt.belopp) for p in g.plan.poster} == {
        ("Hemtjänst", Decimal(25_000_000)),
        ("Särskilt boende", Decimal(39_000_000)),
    }

    fil = xlsx(
        (
            "Prognos",
            [
                ["Ansvar", "Prognostillfälle (månad)", "Helårsprognos (kr)"],
                [7610, "2023-09", 1_000_000],
                [9999, "2023-09", 1_000_000],
            ],
        )
    )
    g = mallar.förhandsgranska(user, omsorg, "prognos", "p.xlsx", fil)
    texter = [(f.rad, f.kolumn, f.meddelande) for f in g.fel]
    assert texter == [
        (
            2,
            "A (Ansvar)",
            "Ansvar 7610 passar lika bra på flera verksamhetsområden (Särskilt boende, Anhörigstöd). Gör koderna "
            "entydiga (en exakt kod går före 74*, ett längre prefix före ett kortare).",
        ),
        (
            3,
            "A (Ansvar)",
            "Ansvar 9999 hör inte till något verksamhetsområde i nämnden år 2023. Lägg till koden på ett "
            "verksamhetsområde eller rätta filen.",
        ),
    ]
    assert g.imp.status == Import.Status.FEL
    assert not Prognos.objects.filter(år=2023, månad=9).exists()


def test_hitta_rad_namn_och_kod_måste_stämma(ekeby, omsorg):
    områden = ramverk.Områden([omsorg])
    assert områden.hitta_rad({"ansvar": "7410"}, 2023)[0].namn == "Hemtjänst"
    assert områden.hitta_rad({"ansvar": 7530.0}, None)[0].namn == "Särskilt boende"
    assert områden.hitta_rad({"område": "Hemtjänst", "ansvar": "7410"}, 2023)[0].namn == "Hemtjänst"
    o, fel = områden.hitta_rad({"område": "Anhörigstöd", "ansvar": "7410"}, 2023)
    assert o is None and fel == (
        "Verksamhetsområdet 'Anhörigstöd' stämmer inte med koderna (ansvar 7410), som hör till Hemtjänst."
    )
    # a "Verksamhet" column holding names is still read as names
    assert områden.hitta_rad({"verksamhet": "Anhörigstöd"}, 2023)[0].namn == "Anhörigstöd"
    assert områden.hitta_rad({}, 2023) == (None, "Ange verksamhetsområde, ansvar eller verksamhet.")


def test_filens_celler_packas_och_packas_upp_oförändrade():
    import datetime as dt

    from importer.lasare import Bladrader, Cellvärdesfel

    tabeller = [
        Bladrader(
            "Blad", [(1, ["Text", 1, 2.5, Decimal("1.10"), dt.date(2023, 8, 31), None, Cellvärdesfel("fel", "#REF!")])]
        ),
        Bladrader("", [(3, [dt.datetime(2023, 8, 31, 12, 30), True])]),  # noqa: DTZ001 (openpyxl reads naive datetimes)
    ]
    assert ramverk.packa_upp_tabeller(ramverk.packa_tabeller(tabeller)) == tabeller
