"""Import profiles for the ansvar+konto budget (the ekonomisystem's budget export) and the organisation import: a
file with the kommun's own headers first fails with an error naming the missing column(s) and listing the headers
found, the mapping is chosen in the preview (the same upload read again), the preview shows the figures, confirm
writes them; the next upload of a same-shaped file needs no mapping; another kommun does not see or use the profile.

Budget: ``annan_form_kommun`` (Ekeby, mnkr, costs shown negative) for 2023, budget for 2024; its Omsorgsnämnden
with Hemtjänst (ansvar 7410) and Särskilt boende (75*), kostnadsslag Avgifter (intäkt 3000-3999) and Personal
(kostnad 5000-5999). Organisation: an empty invented kommun (Öby), whose own system calls the nämnd
"Förvaltning" and an area's name "Enhetsnamn"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ekonomi.models import Budgetpost, Kostnadsslag
from importer.mallar import ramverk
from importer.models import Import, Importprofil
from nämnd.models import Nämnd, Verksamhetsområde
from tests import factories
from tests.importer.test_importprofiler import (
    _bekräfta,
    _fel,
    _kartlägg_och_bekräfta,
    _mappa,
    _minns_och_hålls_inom_kommunen,
    _sida,
)
from tests.importer.test_lasare import xlsx

MINUS = "\u2212"

# --- the ansvar + konto budget -------------------------------------------------------------------------------------


@pytest.fixture
def ekeby(db) -> factories.Byggd:
    b = factories.annan_form_kommun(år=2023)
    Verksamhetsområde.objects.filter(pk=b.områden["Hemtjänst"].pk).update(ansvarskoder="7410")
    Verksamhetsområde.objects.filter(pk=b.områden["Särskilt boende"].pk).update(ansvarskoder="75*")
    Kostnadsslag.objects.create(kommun=b.kommun, namn="Avgifter", typ="intäkt", ordning=1, konton="3000-3999")
    Kostnadsslag.objects.create(kommun=b.kommun, namn="Personal", typ="kostnad", ordning=2, konton="5000-5999")
    return b


@pytest.fixture
def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def klient(client, ekeby, omsorg):
    client.force_login(factories.controller(ekeby.kommun, nämnder=[omsorg]))
    return client


BUDGETEXPORT = [
    ["Budget 2024 Omsorgsnämnden"],
    [],
    ["Resultatenhet", "Benämning", "Kto-nr", "År", "Årsbelopp (tkr)"],
    [7410, "Hemtjänst", 5010, 2024, "1 200,5"],
    [7410, "Hemtjänst", 5020, 2024, 300],
    [7410, "Hemtjänst", 3510, 2024, f"{MINUS}240"],
    ["7520", "Boende norr", 5010, 2024, 2_000],  # Särskilt boende only through the wildcard 75*
]
KONTO_SAKNAS = (
    "Kolumnerna för Ansvar eller Verksamhet, Konto och Årsbudget eller kolumner per månad eller år eller Januari "
    "saknas."
)


def _budget(område: str, slag: str) -> Decimal:
    return Budgetpost.objects.get(
        verksamhetsområde__namn=område,
        år=2024,
        slag="kf",
        kostnadsslag__namn=slag,
        verksamhetsområde__nämnd__namn="Omsorgsnämnden",
    ).belopp


def test_kontobudget_mappas_i_förhandsgranskningen_minns_och_hålls_inom_kommunen(klient, ekeby, omsorg):
    fil = xlsx(("Budget", BUDGETEXPORT))
    rader = _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "budgetkonto",
        fil,
        KONTO_SAKNAS,
        "Rubrikerna på rad 3 i bladet Budget är: Resultatenhet, Benämning, Kto-nr, År, Årsbelopp (tkr).",
        {0: "ansvar", 1: "", 2: "konto", 3: "år", 4: "belopp"},
    )
    # tkr in the header → kronor; rows summed per (område, kostnadsslag); 7520 lands on Särskilt boende (75*)
    assert rader["Hemtjänst 2024 KF-budget, Personal"] == "1500500"
    assert rader["Hemtjänst 2024 KF-budget, Avgifter"] == f"{MINUS}240000"
    assert rader["Särskilt boende 2024 KF-budget, Personal"] == "2000000"
    assert _budget("Hemtjänst", "Personal") == Decimal("1500500")
    assert _budget("Hemtjänst", "Avgifter") == Decimal("-240000")
    assert _budget("Särskilt boende", "Personal") == Decimal("2000000")

    profil = Importprofil.objects.get(kommun=ekeby.kommun, typ="budgetkonto")
    assert profil.namn == ramverk.PROFILNAMN
    assert profil.kolumner == {
        "ansvar": "Resultatenhet",
        "konto": "Kto-nr",
        "år": "År",
        "belopp": "Årsbelopp (tkr)",
        ramverk.IGNORERA: ["Benämning"],
    }
    assert Import.objects.get(kommun=ekeby.kommun, typ="budgetkonto", status="genomförd").profil == profil
    _minns_och_hålls_inom_kommunen(klient, ekeby.kommun, omsorg, "budgetkonto", fil, KONTO_SAKNAS)


def test_kontobudget_nästa_fil_med_samma_form_läses_utan_mappning(klient, ekeby, omsorg):
    fil = xlsx(("Budget", BUDGETEXPORT))
    _kartlägg_och_bekräfta(
        klient,
        omsorg,
        "budgetkonto",
        fil,
        KONTO_SAKNAS,
        "Resultatenhet",
        {0: "ansvar", 2: "konto", 3: "år", 4: "belopp"},
    )
    # a revised export (Personal on Hemtjänst up by 99,5 tkr): uploaded with the profile pre-selected, no mapping
    profil = Importprofil.objects.get(kommun=ekeby.kommun, typ="budgetkonto")
    ändrad = [*BUDGETEXPORT[:3], [7410, "Hemtjänst", 5010, 2024, 1_300], *BUDGETEXPORT[4:]]
    r = klient.post(
        reverse("mallimport-ladda-upp", args=[omsorg.pk, "budgetkonto"]),
        {"fil": SimpleUploadedFile("budget.xlsx", xlsx(("Budget", ändrad))), "profil": profil.pk},
    )
    assert r.status_code == 302
    soup = _sida(klient, r["Location"])
    assert _fel(soup) == []
    tabell = soup.find("table", id="andringar")
    rader = [
        [c.get_text("", strip=True).replace("\u00a0", "").replace(" ", "") for c in tr.find_all(["td", "th"])]
        for tr in tabell.tbody.find_all("tr")
    ]
    assert rader == [["Ändrad", "Hemtjänst2024KF-budget,Personal", "1500500", "1600000"]]
    _bekräfta(klient, r["Location"], soup)
    assert _budget("Hemtjänst", "Personal") == Decimal("1600000")


# --- the organisation import ---------------------------------------------------------------------------------------

ÖBY_NÄMND = "Vård- och omsorgsnämnden"
NÄMNDER = [["Namn", "Giltig från"], [ÖBY_NÄMND, "2024-01-01"]]
# The kommun's own system: "Förvaltning" and "Enhetsnamn" are not the file's headers; "Ingår i", "Nivå" and
# "Ansvar" are recognised by synonyms; "Kostnadsställe (info)" is not used.
OMRÅDEN = [
    ["Förvaltning", "Enhetsnamn", "Ingår i", "Nivå", "Ansvar", "Kostnadsställe (info)"],
    [ÖBY_NÄMND, "Äldreomsorg", None, "block", None, "x"],
    [ÖBY_NÄMND, "Hemtjänst", "Äldreomsorg", "verksamhet", "61*", "x"],
    [ÖBY_NÄMND, "Hemtjänst centrum", "Hemtjänst", "enhet", "6110", "y"],
]
SLAG = [["Namn", "Typ", "Konton"], ["Personal", "kostnad", "5000-5999"]]
ORG_SAKNAS = "Bladet Verksamhetsområden (verksamhetsområden) saknar kolumnerna Nämnd, Namn."
ORG_RUBRIKER = "Hittade rubrikerna: Förvaltning, Enhetsnamn, Ingår i, Nivå, Ansvar, Kostnadsställe (info) (rad 1)."


def _orgfil(områden=OMRÅDEN) -> bytes:
    return xlsx(("Nämnder", NÄMNDER), ("Verksamhetsområden", områden), ("Kostnadsslag", SLAG))


@pytest.fixture
def öby(db):
    return factories.KommunFactory(namn="Öby kommun", kommunkod="9966")


@pytest.fixture
def orgadmin(client, öby):
    client.force_login(factories.admin(öby))
    return client


def _org_upp(client, kommun, innehåll: bytes, **data) -> str:
    r = client.post(
        reverse("import-organisation", args=[kommun.pk]), {"fil": SimpleUploadedFile("org.xlsx", innehåll), **data}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    return r["Location"]


def _orgrader(soup) -> dict[str, tuple[str, str]]:
    """The preview's lines: what → (status, new)."""
    t = soup.find("table", id="andringar")
    rader = {}
    for tr in t.tbody.find_all("tr"):
        status, vad, _, nytt = (c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"]))
        rader[vad] = (status, nytt)
    return rader


def test_organisation_mappas_i_förhandsgranskningen_minns_och_hålls_inom_kommunen(orgadmin, öby):
    url = _org_upp(orgadmin, öby, _orgfil())
    soup = _sida(orgadmin, url)
    fel = _fel(soup)
    assert len(fel) == 1 and fel[0].startswith(ORG_SAKNAS) and ORG_RUBRIKER in fel[0], fel
    assert soup.find("button", {"value": "bekräfta"}) is None
    assert soup.find("details", id="kolumner").get("open") is not None
    # the mapping offers the area sheet's fields; recognised ones pre-selected
    val = {
        s["name"]: (s.find("option", selected=True) or {}).get("value", "") for s in soup.select("#kolumnval select")
    }
    assert val == {f"kolumn_{i}": f for i, f in enumerate(["", "", "förälder", "typ", "ansvarskoder", ""])}
    alternativ = [o.get_text() for o in soup.find("select", {"name": "kolumn_0"}).find_all("option")]
    assert "Nämnd (krävs)" in alternativ and "Konton" not in alternativ

    # a controller may not map (administrators only), and nothing is saved
    controller = Client()
    controller.force_login(factories.controller(öby))
    assert _mappa(controller, url, {0: "nämnd", 1: "namn"}).status_code == 403
    assert not Importprofil.objects.filter(kommun=öby).exists()
    # a required field without a column is refused
    r = _mappa(orgadmin, url, {0: "", 1: "namn", 2: "förälder", 3: "typ", 4: "ansvarskoder"})
    assert r.status_code == 409 and "Välj en kolumn för Nämnd." in r.content.decode()

    r = _mappa(orgadmin, url, {0: "nämnd", 1: "namn", 2: "förälder", 3: "typ", 4: "ansvarskoder", 5: ""})
    assert r.status_code == 302
    soup = _sida(orgadmin, url)
    assert _fel(soup) == []
    assert int(soup.find(id="antal-nya").get_text()) == 5
    rader = _orgrader(soup)
    hemtjänst = next(v for k, v in rader.items() if "Hemtjänst centrum" in k)
    assert hemtjänst == ("Ny", "enhet, ansvar 6110")
    assert Verksamhetsområde.objects.filter(nämnd__kommun=öby).count() == 0  # the preview writes nothing
    _bekräfta(orgadmin, url, soup)

    nämnd = Nämnd.objects.get(kommun=öby, namn=ÖBY_NÄMND)
    centrum = Verksamhetsområde.objects.get(nämnd=nämnd, namn="Hemtjänst centrum")
    assert (centrum.typ, centrum.ansvarskoder, centrum.förälder.namn, centrum.förälder.ansvarskoder) == (
        "enhet",
        "6110",
        "Hemtjänst",
        "61*",
    )
    assert Verksamhetsområde.objects.filter(nämnd__kommun=öby).count() == 3
    profil = Importprofil.objects.get(kommun=öby, typ="organisation")
    assert profil.namn == ramverk.PROFILNAMN
    assert profil.kolumner == {
        "nämnd": "Förvaltning",
        "namn": "Enhetsnamn",
        "förälder": "Ingår i",
        "typ": "Nivå",
        "ansvarskoder": "Ansvar",
        ramverk.IGNORERA: ["Kostnadsställe (info)"],
    }
    assert Import.objects.get(kommun=öby, status="genomförd").profil == profil

    # The next upload of a same-shaped file (a new unit): the profile is pre-selected, nothing to map.
    sida = _sida(orgadmin, reverse("import-organisation", args=[öby.pk]))
    assert sida.find("select", {"name": "profil"}).find("option", selected=True)["value"] == str(profil.pk)
    nästa = [*OMRÅDEN, [ÖBY_NÄMND, "Hemtjänst norr", "Hemtjänst", "enhet", "6120", "z"]]
    url = _org_upp(orgadmin, öby, _orgfil(nästa), profil=profil.pk)
    soup = _sida(orgadmin, url)
    assert _fel(soup) == []
    assert soup.find("details", id="kolumner").get("open") is None
    rader = _orgrader(soup)
    assert len(rader) == 1
    ((vad, (status, nytt)),) = rader.items()
    assert "Hemtjänst norr" in vad and (status, nytt) == ("Ny", "enhet, ansvar 6120")
    _bekräfta(orgadmin, url, soup)
    assert Verksamhetsområde.objects.get(nämnd=nämnd, namn="Hemtjänst norr").förälder == centrum.förälder

    # Another kommun's administrator: does not see the profile, 404 using it, its upload is not read with it.
    lillby = factories.liten_kommun(år=2023)
    annan = Client()
    annan.force_login(factories.admin(lillby.kommun))
    sida = annan.get(reverse("import-organisation", args=[lillby.kommun.pk])).content.decode()
    assert ramverk.PROFILNAMN not in sida and f'value="{profil.pk}"' not in sida
    r = annan.post(
        reverse("import-organisation", args=[lillby.kommun.pk]),
        {"fil": SimpleUploadedFile("org.xlsx", _orgfil()), "profil": profil.pk},
    )
    assert r.status_code == 404
    assert annan.get(url).status_code == 404  # Öby's preview
    öbys_import = Import.objects.filter(kommun=öby).latest("pk").pk
    assert annan.get(reverse("import-organisation-granska", args=[lillby.kommun.pk, öbys_import])).status_code == 404
    fel = _fel(_sida(annan, _org_upp(annan, lillby.kommun, _orgfil())))
    assert fel[0].startswith(ORG_SAKNAS)
    assert not Importprofil.objects.filter(kommun=lillby.kommun).exists()


def test_organisation_profilen_läser_också_standardfilen(orgadmin, öby):
    """With the kommun's profile chosen, a file with the export's own headers is still read (the profile's
    spellings only win where they are in the sheet)."""
    url = _org_upp(orgadmin, öby, _orgfil())
    assert _mappa(orgadmin, url, {0: "nämnd", 1: "namn", 2: "förälder", 3: "typ", 4: "ansvarskoder"}).status_code == 302
    profil = Importprofil.objects.get(kommun=öby, typ="organisation")
    standard = [["Nämnd", "Namn", "Förälder", "Typ", "Ansvarskoder"]] + [r[:5] for r in OMRÅDEN[1:]]
    soup = _sida(orgadmin, _org_upp(orgadmin, öby, _orgfil(standard), profil=profil.pk))
    assert _fel(soup) == [] and int(soup.find(id="antal-nya").get_text()) == 5
    assert [status for status, _ in _orgrader(soup).values()] == ["Ny"] * 5
