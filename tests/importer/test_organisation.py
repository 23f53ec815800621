"""The organisation import and export (importer.organisation): nämnder, the verksamhetsområde tree and the
kostnadsslag of a kommun in one .xlsx (or CSV) — preview, atomic confirm, round trip, errors, permissions.

The kommun is invented and not shaped like the demo: Åsby kommun, where the Vård- och bildningsnämnden
(2020–2023) is succeeded by the Omsorgs- och arbetsnämnden (from 2024). The new nämnd has a three-level tree
(block Äldreomsorg → verksamhet Hemtjänst (ansvar 51*, verksamhet 510) → enheter Hemtjänst Öst (5110) and
Hemtjänst Väst (5120); verksamhet Särskilt boende (52*) under the block; verksamhet Arbetsmarknad (verksamhet
600, 610, from 2024) at the top) whose Hemtjänst is compared with the old nämnd's Äldreomsorg / Hemtjänst
(till år 2023). Three kostnadsslag: intäkt Taxor och avgifter (3000-3499, 3600), kostnad Personal
(5000-5999) and kostnad Lokaler (54*)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekonomi.models import Kostnadsslag
from importer import organisation as org
from importer.models import Import, Importändring
from nämnd import dataversion
from nämnd.models import Nämnd, Verksamhetsområde
from tests import factories
from tests.importer.test_lasare import xlsx

VOBN, OOAN = "Vård- och bildningsnämnden", "Omsorgs- och arbetsnämnden"

NÄMNDER = [
    ["Namn", "Giltig från", "Giltig till", "Föregångare"],
    [VOBN, "2020-01-01", "2023-12-31", None],
    [OOAN, "2024-01-01", None, VOBN],
]
OMRÅDEN = [
    [
        "Nämnd",
        "Namn",
        "Förälder",
        "Typ",
        "Ordning",
        "Ansvarskoder",
        "Verksamhetskoder",
        "Från år",
        "Till år",
        "Föregångare",
        "Ej fördelat",
    ],
    [VOBN, "Äldreomsorg", None, "block", 10, None, None, None, 2023, None, None],
    [VOBN, "Hemtjänst", "Äldreomsorg", "verksamhet", 20, "51*", None, None, 2023, None, None],
    [OOAN, "Äldreomsorg", None, "block", 10, None, None, None, None, None, None],
    [
        OOAN,
        "Hemtjänst",
        "Äldreomsorg",
        "verksamhet",
        20,
        "51*",
        "510",
        None,
        None,
        f"{VOBN}: Äldreomsorg / Hemtjänst",
        None,
    ],
    [OOAN, "Hemtjänst Öst", "Äldreomsorg / Hemtjänst", "enhet", 30, "5110", None, None, None, None, None],
    [OOAN, "Hemtjänst Väst", "Hemtjänst", "enhet", 40, "5120", None, None, None, None, None],
    [OOAN, "Särskilt boende", "Äldreomsorg", "verksamhet", 50, "52*", None, None, None, None, None],
    [OOAN, "Arbetsmarknad", None, "verksamhet", 60, None, "600, 610", 2024, None, None, "nej"],
]
SLAG = [
    ["Namn", "Typ", "Ordning", "Konton"],
    ["Taxor och avgifter", "intäkt", 10, "3000-3499, 3600"],
    ["Personal", "kostnad", 20, "5000-5999"],
    ["Lokaler", "Kostnad", 30, "54*"],
]


def fil(nämnder=NÄMNDER, områden=OMRÅDEN, slag=SLAG) -> bytes:
    blad = [("Nämnder", nämnder), ("Verksamhetsområden", områden), ("Kostnadsslag", slag)]
    return xlsx(*[(n, r) for n, r in blad if r is not None])


def antal(kommun) -> tuple[int, int, int]:
    return (
        Nämnd.objects.filter(kommun=kommun).count(),
        Verksamhetsområde.objects.filter(nämnd__kommun=kommun).count(),
        Kostnadsslag.objects.filter(kommun=kommun).count(),
    )


def ladda_upp(client, kommun, filnamn: str, innehåll: bytes):
    r = client.post(reverse("import-organisation", args=[kommun.pk]), {"fil": SimpleUploadedFile(filnamn, innehåll)})
    assert r.status_code == 302, r.content.decode()[:2000]
    return client.get(r["Location"])


def granskning(svar) -> dict:
    assert svar.status_code == 200, svar.content.decode()[:2000]
    soup = BeautifulSoup(svar.content, "html.parser")
    rader, fel = [], []
    if t := soup.find("table", id="andringar"):
        rader = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in t.tbody.find_all("tr")]
    if t := soup.find("table", id="fel"):
        fel = [[c.get_text(" ", strip=True) for c in tr.find_all("td")] for tr in t.tbody.find_all("tr")]
    return {
        "rader": rader,
        "fel": fel,
        "fingeravtryck": soup.find("input", {"name": "fingeravtryck"})["value"],
        "kan_bekräftas": soup.find("button", {"value": "bekräfta"}) is not None,
        "behålls": [li.get_text(" ", strip=True) for li in soup.select("#behalls li")],
        "nya": int(soup.find(id="antal-nya").get_text()),
        "ändrade": int(soup.find(id="antal-andrade").get_text()),
        "borttagna": int(soup.find(id="antal-borttagna").get_text()),
        "oförändrade": int(soup.find(id="antal-oforandrade").get_text()),
        "url": svar.request["PATH_INFO"],
        "text": soup.get_text(" ", strip=True),
    }


def bekräfta(client, g: dict):
    return client.post(g["url"], {"åtgärd": "bekräfta", "fingeravtryck": g["fingeravtryck"]})


@pytest.fixture
def åsby(db):
    return factories.KommunFactory(namn="Åsby kommun", kommunkod="9977")


@pytest.fixture
def admin_client(client, åsby):
    client.force_login(factories.admin(åsby))
    return client


def område(kommun, nämnd: str, namn: str) -> Verksamhetsområde:
    return Verksamhetsområde.objects.get(nämnd__kommun=kommun, nämnd__namn=nämnd, namn=namn)


def importerad(client, kommun) -> Import:
    g = granskning(ladda_upp(client, kommun, "organisation.xlsx", fil()))
    assert g["kan_bekräftas"], g["fel"]
    r = bekräfta(client, g)
    assert r.status_code == 302
    return Import.objects.get(kommun=kommun, status=Import.Status.GENOMFÖRD)


# --- from empty -----------------------------------------------------------------------------------------------


def test_import_från_tomt_skapar_exakt_filens_organisation(admin_client, åsby):
    före = dataversion.version(åsby.pk)
    g = granskning(ladda_upp(admin_client, åsby, "organisation.xlsx", fil()))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"], g["borttagna"], g["oförändrade"]) == (13, 0, 0, 0)
    assert antal(åsby) == (0, 0, 0)  # the preview writes nothing
    rad = next(r for r in g["rader"] if "Hemtjänst Öst" in r[1])
    assert rad[0] == "Ny" and "Verksamhetsområden rad 6" in rad[1] and rad[3] == "enhet, ansvar 5110"

    r = bekräfta(admin_client, g)
    assert r.status_code == 302
    assert antal(åsby) == (2, 8, 3)
    vobn, ooan = Nämnd.objects.get(kommun=åsby, namn=VOBN), Nämnd.objects.get(kommun=åsby, namn=OOAN)
    assert (str(vobn.giltig_från), str(vobn.giltig_till)) == ("2020-01-01", "2023-12-31")
    assert list(ooan.föregångare.all()) == [vobn]
    öst = område(åsby, OOAN, "Hemtjänst Öst")
    assert (öst.typ, öst.ordning, öst.ansvarskoder) == ("enhet", 30, "5110")
    assert (öst.förälder.namn, öst.förälder.förälder.namn, öst.förälder.förälder.förälder) == (
        "Hemtjänst",
        "Äldreomsorg",
        None,
    )
    assert område(åsby, OOAN, "Hemtjänst Väst").förälder == öst.förälder
    hemtjänst = öst.förälder
    assert (hemtjänst.ansvarskoder, hemtjänst.verksamhetskoder) == ("51*", "510")
    assert hemtjänst.matchar("5130", "510") and not hemtjänst.matchar("5230", "510")
    assert list(hemtjänst.föregångare.all()) == [område(åsby, VOBN, "Hemtjänst")]
    arbete = område(åsby, OOAN, "Arbetsmarknad")
    assert (arbete.verksamhetskoder, arbete.från_år, arbete.förälder, arbete.ej_fördelat) == (
        "600, 610",
        2024,
        None,
        False,
    )
    assert område(åsby, VOBN, "Hemtjänst").till_år == 2023
    slag = {k.namn: (k.typ, k.ordning, k.konton) for k in Kostnadsslag.objects.filter(kommun=åsby)}
    assert slag == {
        "Taxor och avgifter": ("intäkt", 10, "3000-3499, 3600"),
        "Personal": ("kostnad", 20, "5000-5999"),
        "Lokaler": ("kostnad", 30, "54*"),
    }
    imp = Import.objects.get(kommun=åsby)
    assert (imp.typ, imp.nämnd, imp.status, imp.antal_skapade) == ("organisation", None, "genomförd", 13)
    assert Importändring.objects.filter(imp=imp).count() == 13
    assert Verksamhetsområde.history.filter(nämnd__kommun=åsby, history_type="+").count() == 8
    assert dataversion.version(åsby.pk) > före
    resultat = admin_client.get(r["Location"])
    assert resultat.status_code == 200 and "Hemtjänst Öst" in resultat.content.decode()


def test_csv_med_kolumnen_del(admin_client, åsby):
    text = "\n".join(
        [
            "Del;Namn;Nämnd;Förälder;Typ;Giltig från;Ansvarskoder;Konton",
            f"Nämnd;{OOAN};;;;2024-01-01;;",
            f"Verksamhetsområde;Äldreomsorg;{OOAN};;block;;;",
            f"Verksamhetsområde;Hemtjänst;{OOAN};Äldreomsorg;verksamhet;;51*;",
            f"Verksamhetsområde;Hemtjänst Öst;{OOAN};Äldreomsorg / Hemtjänst;enhet;;5110;",
            "Kostnadsslag;Personal;;;kostnad;;;5000-5999",
        ]
    )
    g = granskning(ladda_upp(admin_client, åsby, "organisation.csv", text.encode("utf-8")))
    assert g["fel"] == [] and g["nya"] == 5
    bekräfta(admin_client, g)
    assert antal(åsby) == (1, 3, 1)
    öst = område(åsby, OOAN, "Hemtjänst Öst")
    assert (öst.förälder.namn, öst.ordning) == ("Hemtjänst", 30)  # no Ordning column: the row's place × 10


# --- round trip -----------------------------------------------------------------------------------------------


def test_export_och_återimport_ger_noll_ändringar(admin_client, åsby):
    importerad(admin_client, åsby)
    svar = admin_client.get(reverse("export-organisation", args=[åsby.pk]))
    assert svar.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(svar.content))
    assert wb.sheetnames == ["Nämnder", "Verksamhetsområden", "Kostnadsslag", "Instruktioner"]
    assert [c.value for c in wb["Verksamhetsområden"][1]] == [r for _, r in org.KOLUMNER["område"]]
    rader = [[c.value for c in r] for r in wb["Verksamhetsområden"].iter_rows(min_row=2)]
    öst = next(r for r in rader if r[2] == "Hemtjänst Öst")
    assert öst[1:6] == [OOAN, "Hemtjänst Öst", "Äldreomsorg / Hemtjänst", "enhet", 30]
    ny_hemtjänst = next(r for r in rader if r[2] == "Hemtjänst" and r[1] == OOAN)
    assert ny_hemtjänst[10] == f"{VOBN}: Äldreomsorg / Hemtjänst"

    g = granskning(ladda_upp(admin_client, åsby, "export.xlsx", svar.content))
    assert (g["nya"], g["ändrade"], g["borttagna"], g["oförändrade"], g["fel"]) == (0, 0, 0, 13, [])
    assert not g["kan_bekräftas"] and "0 ändringar" in g["text"]

    csv = admin_client.get(reverse("export-organisation-csv", args=[åsby.pk]))
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("Del;Id;Namn;")
    g = granskning(ladda_upp(admin_client, åsby, "export.csv", csv.content))
    assert (g["nya"], g["ändrade"], g["borttagna"], g["oförändrade"], g["fel"]) == (0, 0, 0, 13, [])


def test_redigerad_export_byter_namn_lägger_till_och_tar_bort(admin_client, åsby):
    importerad(admin_client, åsby)
    boende = område(åsby, OOAN, "Särskilt boende")
    factories.BudgetpostFactory(verksamhetsområde=boende, år=2024, belopp=Decimal("1000000"))
    väst = område(åsby, OOAN, "Hemtjänst Väst")
    öst = område(åsby, OOAN, "Hemtjänst Öst")
    wb = openpyxl.load_workbook(io.BytesIO(admin_client.get(reverse("export-organisation", args=[åsby.pk])).content))
    ws = wb["Verksamhetsområden"]
    for rad in list(ws.iter_rows(min_row=2)):
        if rad[2].value == "Hemtjänst Väst":
            rad[2].value = "Hemtjänst Syd"  # rename: the Id stays
    for namn in ("Hemtjänst Öst", "Särskilt boende"):  # removed: one without data, one with a budget
        nummer = next(r[0].row for r in ws.iter_rows(min_row=2) if r[2].value == namn)
        ws.delete_rows(nummer)
    ws.append([None, OOAN, "Hemtjänst Nord", "Äldreomsorg / Hemtjänst", "enhet", 45, "5140"])
    ut = io.BytesIO()
    wb.save(ut)

    g = granskning(ladda_upp(admin_client, åsby, "ändrad.xlsx", ut.getvalue()))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"], g["borttagna"]) == (1, 1, 1)
    ändrad = next(r for r in g["rader"] if r[0] == "Ändras")
    assert ändrad[1].endswith(": namn") and ändrad[2:] == ["Hemtjänst Väst", "Hemtjänst Syd"]
    assert [r for r in g["rader"] if r[0] == "Tas bort"] == [
        ["Tas bort", f"Verksamhetsområde {OOAN}: Äldreomsorg / Hemtjänst / Hemtjänst Öst", "–", "tas bort"]
    ]
    assert len(g["behålls"]) == 1 and "Särskilt boende" in g["behålls"][0] and "Till år" in g["behålls"][0]
    assert "har uppgifter (budgetposter)" in g["behålls"][0]
    assert g["kan_bekräftas"]

    assert bekräfta(admin_client, g).status_code == 302
    väst.refresh_from_db()
    assert väst.namn == "Hemtjänst Syd"
    assert not Verksamhetsområde.objects.filter(pk=öst.pk).exists()
    assert Verksamhetsområde.objects.filter(pk=boende.pk).exists()  # kept: it has a budget
    nord = område(åsby, OOAN, "Hemtjänst Nord")
    assert (nord.förälder_id, nord.ansvarskoder, nord.typ) == (väst.förälder_id, "5140", "enhet")
    assert antal(åsby) == (2, 8, 3)
    assert Verksamhetsområde.history.filter(id=öst.pk, history_type="-").count() == 1


# --- errors: nothing written ----------------------------------------------------------------------------------


def test_saknad_kolumn_namnger_kolumnen_och_rubrikerna(admin_client, åsby):
    utan_nämnd = [r[1:] for r in OMRÅDEN]
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(områden=utan_nämnd)))
    assert not g["kan_bekräftas"]
    assert len(g["fel"]) == 1
    blad, rad, _, text = g["fel"][0]
    assert (blad, rad) == ("Verksamhetsområden", "1")
    assert "saknar kolumnen Nämnd" in text and "Hittade rubrikerna: Namn, Förälder, Typ, Ordning" in text
    assert antal(åsby) == (0, 0, 0)
    assert Import.objects.get(kommun=åsby).status == Import.Status.FEL


def test_okänd_förälder_och_cykel(admin_client, åsby):
    områden = [
        *OMRÅDEN,
        [OOAN, "Dagverksamhet", "Äldreomsorg / Finns inte", "enhet", 70],
        [OOAN, "Alfa", "Beta", "verksamhet", 80],
        [OOAN, "Beta", "Alfa", "verksamhet", 90],
    ]
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(områden=områden)))
    fel = {(f[0], f[1], f[2]): f[3] for f in g["fel"]}
    assert "Okänd förälder 'Äldreomsorg / Finns inte'" in fel[("Verksamhetsområden", "10", "C (Förälder)")]
    assert "cykel" in fel[("Verksamhetsområden", "11", "C (Förälder)")]
    assert "cykel" in fel[("Verksamhetsområden", "12", "C (Förälder)")]
    assert not g["kan_bekräftas"]
    r = bekräfta(admin_client, g)  # even a forged confirm writes nothing
    assert r.status_code == 409
    assert antal(åsby) == (0, 0, 0)


def test_övriga_fel_i_filen(admin_client, åsby):
    områden = [
        *OMRÅDEN,
        [OOAN, "Hemtjänst", "Äldreomsorg", "verksamhet", 70],  # duplicate under the same parent
        [OOAN, "Hemtjänst natt", "Hemtjänst", "enhet", 80, "5110"],  # Hemtjänst Öst's code, same years
        ["Finns inte", "X", None, "verksamhet", 90],
        [OOAN, "Y", None, "verksamhet", 100, None, None, None, None, "Z"],
    ]
    slag = [*SLAG, ["Övrigt", "kostnad", 40, "5999-5000"]]
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(områden=områden, slag=slag)))
    texter = " | ".join(f[3] for f in g["fel"])
    assert "Hemtjänst finns redan under Äldreomsorg" in texter
    assert "Koden ansvar 5110 används redan av Äldreomsorg / Hemtjänst / Hemtjänst Öst" in texter
    assert "Okänd nämnd 'Finns inte'" in texter
    assert "Okänd föregångare 'Z'" in texter
    assert "Ogiltigt kontointervall '5999-5000'" in texter
    assert antal(åsby) == (0, 0, 0)


# --- permissions ----------------------------------------------------------------------------------------------


def test_annan_kommuns_admin_får_404_och_controller_403(client, åsby):
    annan = factories.KommunFactory(namn="Östby kommun")
    client.force_login(factories.admin(annan))
    for namn in ("import-organisation", "export-organisation", "export-organisation-csv"):
        assert client.get(reverse(namn, args=[åsby.pk])).status_code == 404
    assert (
        client.post(
            reverse("import-organisation", args=[åsby.pk]), {"fil": SimpleUploadedFile("a.xlsx", fil())}
        ).status_code
        == 404
    )
    nämnd = factories.NämndFactory(kommun=åsby, namn=OOAN)
    client.force_login(factories.controller(åsby, nämnder=[nämnd]))
    for namn in ("import-organisation", "export-organisation"):
        assert client.get(reverse(namn, args=[åsby.pk])).status_code == 403
    assert (
        client.post(
            reverse("import-organisation", args=[åsby.pk]), {"fil": SimpleUploadedFile("a.xlsx", fil())}
        ).status_code
        == 403
    )
    assert antal(åsby) == (1, 0, 0) and not Import.objects.filter(kommun=åsby).exists()


def test_annan_kommuns_import_ger_404(admin_client, åsby):
    importerad(admin_client, åsby)
    imp = Import.objects.get(kommun=åsby)
    annan = factories.KommunFactory(namn="Östby kommun")
    admin_client.force_login(factories.admin(annan))
    assert admin_client.get(reverse("import-organisation-resultat", args=[annan.pk, imp.pk])).status_code == 404
    assert admin_client.get(reverse("import-organisation-resultat", args=[åsby.pk, imp.pk])).status_code == 404


# --- atomicity ------------------------------------------------------------------------------------------------


def test_fel_vid_bekräftelsen_skriver_ingenting(admin_client, åsby, monkeypatch):
    g = granskning(ladda_upp(admin_client, åsby, "organisation.xlsx", fil()))
    assert g["kan_bekräftas"]
    sparade = []
    spara = org._spara

    def spara_och_fall(objekt, user, orsak):
        if len(sparade) == 6:  # nämnder and four areas are written, then the database refuses
            from django.db import IntegrityError

            raise IntegrityError("simulerat fel")
        sparade.append(objekt)
        spara(objekt, user, orsak)

    monkeypatch.setattr(org, "_spara", spara_och_fall)
    r = bekräfta(admin_client, g)
    assert r.status_code == 409 and "Inget har sparats" in r.content.decode()
    assert len(sparade) == 6
    assert antal(åsby) == (0, 0, 0)
    assert Import.objects.get(kommun=åsby).status == Import.Status.FÖRHANDSGRANSKAD


def test_ändrad_organisation_efter_förhandsgranskningen(admin_client, åsby):
    g = granskning(ladda_upp(admin_client, åsby, "organisation.xlsx", fil()))
    factories.NämndFactory(kommun=åsby, namn=OOAN, giltig_från="2024-01-01")  # someone else adds it meanwhile
    r = bekräfta(admin_client, g)
    assert r.status_code == 409 and "har ändrats sedan förhandsgranskningen" in r.content.decode()
    assert antal(åsby) == (1, 0, 0)


# --- profiles, removals, the demo ---------------------------------------------------------------------------


def test_importprofil_känner_igen_kommunens_egna_rubriker(admin_client, åsby):
    from importer.models import Importprofil

    profil = Importprofil.objects.create(
        kommun=åsby, namn="Vårt system", typ="organisation", kolumner={"namn": "Enhet", "förälder": "Överordnad enhet"}
    )
    egna = [["Nämnd", "Enhet", "Överordnad enhet", "Typ", "Ansvarskoder"]] + [
        [r[0], r[1], r[2], r[3], r[5]] for r in OMRÅDEN[1:]
    ]
    utan = granskning(ladda_upp(admin_client, åsby, "egen.xlsx", fil(områden=egna)))
    assert "saknar kolumnen Namn" in utan["fel"][0][3] and "Enhet, Överordnad enhet" in utan["fel"][0][3]
    r = admin_client.post(
        reverse("import-organisation", args=[åsby.pk]),
        {"fil": SimpleUploadedFile("egen.xlsx", fil(områden=egna)), "profil": profil.pk},
    )
    g = granskning(admin_client.get(r["Location"]))
    assert g["fel"] == [] and g["nya"] == 13
    bekräfta(admin_client, g)
    assert område(åsby, OOAN, "Hemtjänst Öst").förälder.namn == "Hemtjänst"
    assert Import.objects.filter(kommun=åsby, profil=profil, status="genomförd").count() == 1


def test_nämnd_och_kostnadsslag_utan_data_tas_bort_med_data_ligger_kvar(admin_client, åsby):
    extra = [*NÄMNDER, ["Tillfälliga beredningen", "2024-01-01", "2024-06-30", None]]
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(nämnder=extra)))
    bekräfta(admin_client, g)
    assert antal(åsby) == (3, 8, 3)
    factories.BudgetpostFactory(
        verksamhetsområde=område(åsby, OOAN, "Hemtjänst"),
        år=2024,
        belopp=Decimal("500000"),
        kostnadsslag=Kostnadsslag.objects.get(kommun=åsby, namn="Personal"),
    )
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(slag=[SLAG[0], SLAG[1]])))
    assert [r[1] for r in g["rader"] if r[0] == "Tas bort"] == ["Kostnadsslag Lokaler", "Nämnd Tillfälliga beredningen"]
    assert any("Kostnadsslaget Personal" in b for b in g["behålls"])
    bekräfta(admin_client, g)
    assert antal(åsby) == (2, 8, 2)
    assert set(Kostnadsslag.objects.filter(kommun=åsby).values_list("namn", flat=True)) == {
        "Taxor och avgifter",
        "Personal",
    }


def test_demokommunens_organisation_går_runt(client, knivsta):
    """The demo's organisation (from fixtures/) is expressible: its export reads back as 0 changes."""
    client.force_login(factories.admin(knivsta))
    före = antal(knivsta)
    assert före[1] > 10
    svar = client.get(reverse("export-organisation", args=[knivsta.pk]))
    g = granskning(ladda_upp(client, knivsta, "knivsta.xlsx", svar.content))
    assert (g["nya"], g["ändrade"], g["borttagna"], g["fel"]) == (0, 0, 0, [])
    assert g["oförändrade"] == sum(före)


def test_sidan_och_id_från_annan_kommun(admin_client, åsby):
    sida = admin_client.get(reverse("import-organisation", args=[åsby.pk]))
    assert sida.status_code == 200
    html = sida.content.decode()
    assert reverse("export-organisation", args=[åsby.pk]) in html
    assert reverse("export-organisation-csv", args=[åsby.pk]) in html
    annan = factories.KommunFactory(namn="Östby kommun")
    främmande = factories.NämndFactory(kommun=annan, namn="Östbys nämnd")
    nämnder = [["Id", *NÄMNDER[0]], [främmande.pk, "Östbys nämnd", "2020-01-01", None, None]]
    g = granskning(ladda_upp(admin_client, åsby, "org.xlsx", fil(nämnder=nämnder, områden=None, slag=None)))
    assert g["fel"] == [
        [
            "Nämnder",
            "2",
            "A (Id)",
            f"Id {främmande.pk} finns inte bland kommunens nämnder. Lämna Id tomt för en ny rad.",
        ]
    ]
    assert antal(åsby) == (0, 0, 0) and Nämnd.objects.get(pk=främmande.pk).namn == "Östbys nämnd"


def test_csv_utan_kolumn_som_en_del_behöver(admin_client, åsby):
    text = "Del;Namn;Typ\nNämnd;Omsorgsnämnden;\nVerksamhetsområde;Hemtjänst;verksamhet\n"
    g = granskning(ladda_upp(admin_client, åsby, "org.csv", text.encode("utf-8")))
    assert g["fel"] == [
        [
            "–",
            "3",
            "–",
            "Filen saknar kolumnen Nämnd för Verksamhetsområde. Hittade rubrikerna: Del, Namn, Typ (rad 1).",
        ]
    ]
    assert antal(åsby) == (0, 0, 0)
