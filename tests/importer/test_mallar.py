"""Template imports (budget, prognos, volymer, indikatorer) with real .xlsx and .csv files made in the tests:
upload → preview → confirm, the audit trail, errors with sheet/row/column, locking, permissions, atomicity."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekonomi import berakning
from ekonomi.models import Budgetpost, Periodiseringsprofil, Prognos
from importer import lasare, mallar
from importer.models import Import, Importändring
from nyckeltal.models import Indikatorvärde, Nyckeltal, Nyckeltalsvärde
from nämnd.models import Nämnd, Period, Verksamhetsområde
from tests.conftest import skapa_användare
from tests.importer.test_lasare import xlsx  # a real workbook: (sheet name, rows) per sheet

MÅN = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


# --- helpers (also used by test_kolada and test_export) -------------------------------------------


def ladda_upp(client, nämnd, typ: str, filnamn: str, innehåll: bytes):
    """Upload; returns the preview page response (after the redirect)."""
    r = client.post(
        reverse("mallimport-ladda-upp", args=[nämnd.pk, typ]), {"fil": SimpleUploadedFile(filnamn, innehåll)}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return client.get(r["Location"])


def granskning(svar) -> dict:
    soup = BeautifulSoup(svar.content, "html.parser")
    rader, fel = [], []
    if t := soup.find("table", id="andringar"):
        rader = [
            [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in t.find("tbody").find_all("tr")
        ]
    if t := soup.find("table", id="fel"):
        fel = [[c.get_text(" ", strip=True) for c in tr.find_all("td")] for tr in t.find("tbody").find_all("tr")]
    fält = soup.find("input", {"name": "fingeravtryck"})
    return {
        "rader": rader,
        "fel": fel,
        "fingeravtryck": fält["value"] if fält else None,
        "kan_bekräftas": soup.find("button", {"value": "bekräfta"}) is not None,
        "noteringar": [li.get_text(" ", strip=True) for li in soup.select("#noteringar li")],
        "nya": int(soup.find(id="antal-nya").get_text()),
        "ändrade": int(soup.find(id="antal-andrade").get_text()),
        "oförändrade": int(soup.find(id="antal-oforandrade").get_text()),
        "url": svar.request["PATH_INFO"],
    }


def bekräfta(client, g: dict):
    return client.post(g["url"], {"åtgärd": "bekräfta", "fingeravtryck": g["fingeravtryck"]})


def importera(client, nämnd, typ, filnamn, innehåll) -> dict:
    g = granskning(ladda_upp(client, nämnd, typ, filnamn, innehåll))
    assert not g["fel"], g["fel"]
    r = bekräfta(client, g)
    assert r.status_code == 302, r.content.decode()[:3000]
    return g


@pytest.fixture
def admin(knivsta):
    return skapa_användare("admin-knivsta", knivsta, roll="admin")


@pytest.fixture
def client_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def controller(knivsta, socialnämnden):
    user = skapa_användare("controller-knivsta", knivsta, roll="controller", får_importera=True)
    user.behörigheter.get().nämnder.set([socialnämnden])
    return user


def vo(nämnd, namn) -> Verksamhetsområde:
    return Verksamhetsområde.objects.get(nämnd=nämnd, namn=namn)


# --- budget ---------------------------------------------------------------------------------------

BUDGETRUBRIKER = ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", "Kommentar", *MÅN]


def test_budget_med_månadsprofil_förhandsgranskas_och_bekräftas(client, controller, socialnämnden):
    client.force_login(controller)
    arbete = vo(socialnämnden, "Arbetsmarknadsåtgärder")
    arbete.ansvarskoder = "7410, 75*"
    arbete.save()
    # summer months lower: a profile of its own
    månader = [100_000] * 5 + [50_000, 50_000] + [100_000] * 5
    innehåll = xlsx(
        (
            "Budget",
            [
                ["Budget 2025 för socialnämnden"],  # a title above the header row
                BUDGETRUBRIKER,
                ["7410", 2025, "KF-budget", None, "", *månader],  # by code, amount = sum of months
                ["Nämnd- och styrelseverksamhet", 2025, "Nämndbudget", 1_500_000, "", *([None] * 12)],
                ["Ifo öppenvård och stöd", 2025, "Tillägg och avdrag", -120_000, "Lönekompensation", *([None] * 12)],
                ["Ifo öppenvård och stöd", 2025, "Tillägg och avdrag", 40_000, "Ny tjänst", *([None] * 12)],
                [
                    "Nämnd- och styrelseverksamhet",
                    2024,
                    "KF-budget",
                    "1 500 000",
                    "",
                    *([None] * 12),
                ],  # 1 456 tkr before
            ],
        )
    )
    g = granskning(ladda_upp(client, socialnämnden, "budget", "budget-2025.xlsx", innehåll))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"]) == (5, 1)  # a new profile + four posts; one changed
    rader = {r[1]: r for r in g["rader"]}
    assert rader["Nämnd- och styrelseverksamhet 2024 KF-budget"][2:] == ["1\u00a0456\u00a0000", "1\u00a0500\u00a0000"]
    assert rader["Nämnd- och styrelseverksamhet 2024 KF-budget"][0] == "Ändrad"
    assert Budgetpost.objects.filter(år=2025).count() == 0  # preview writes nothing

    assert bekräfta(client, g).status_code == 302
    post = Budgetpost.objects.get(verksamhetsområde=arbete, år=2025, slag="kf")
    assert post.belopp == Decimal(1_100_000)
    assert post.profil is not None and post.profil.kommun_id == socialnämnden.kommun_id
    # the periodised budget follows the file's months (within a few kronor of four-decimal shares)
    assert abs(berakning.periodbudget(post.belopp, post.profil.vikter, 6) - 550_000) < 5
    assert abs(berakning.periodbudget(post.belopp, post.profil.vikter, 8) - 700_000) < 5
    tillägg = Budgetpost.objects.filter(verksamhetsområde__namn="Ifo öppenvård och stöd", år=2025, slag="tillägg")
    assert sorted((t.kommentar, t.belopp) for t in tillägg) == [("Lönekompensation", -120_000), ("Ny tjänst", 40_000)]
    assert (
        Budgetpost.objects.get(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2024, slag="kf").belopp
        == 1_500_000
    )

    imp = Import.objects.get(typ="budget")
    assert imp.status == Import.Status.GENOMFÖRD and imp.användare == controller and imp.nämnd == socialnämnden
    assert imp.sha256 == hashlib.sha256(innehåll).hexdigest() and imp.filnamn == "budget-2025.xlsx"
    assert (imp.antal_rader, imp.antal_skapade, imp.antal_ändrade, imp.antal_fel) == (5, 5, 1, 0)
    ändring = Importändring.objects.get(imp=imp, beskrivning="Nämnd- och styrelseverksamhet 2024 KF-budget")
    assert (ändring.modell, ändring.gammalt, ändring.nytt) == (
        "Budgetpost",
        "1\u00a0456\u00a0000",
        "1\u00a0500\u00a0000",
    )
    assert (
        ändring.objekt_id
        == Budgetpost.objects.get(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2024, slag="kf").pk
    )
    # history of the bulk write, with the import as reason
    h = Budgetpost.history.filter(history_change_reason__startswith=f"Import {imp.pk}")
    assert h.count() == 5 and {x.history_user for x in h} == {controller}

    # the same file again changes nothing; the even rows create no profile
    g2 = granskning(ladda_upp(client, socialnämnden, "budget", "budget-2025.xlsx", innehåll))
    assert (g2["nya"], g2["ändrade"], g2["oförändrade"]) == (0, 0, 5) and not g2["kan_bekräftas"]
    assert Periodiseringsprofil.objects.count() == 1


def test_budget_samma_nyckel_två_gånger_är_fel(client_admin, socialnämnden):
    innehåll = xlsx(
        (
            "Budget",
            [
                BUDGETRUBRIKER[:5],
                ["Flyktingmottagande", 2025, "KF-budget", 100, ""],
                ["Arbetsmarknadsåtgärder", 2025, "KF-budget", 200, ""],
                ["flyktingmottagande", 2025, "kf", 300, ""],  # the same key, spelled differently
                ["Ifo öppenvård och stöd", 2025, "Tillägg och avdrag", 10, "Lön"],
                ["Ifo öppenvård och stöd", 2025, "Tillägg och avdrag", 20, "Lön"],  # the same tillägg twice
            ],
        )
    )
    svar = ladda_upp(client_admin, socialnämnden, "budget", "budget.xlsx", innehåll)
    g = granskning(svar)
    assert not g["kan_bekräftas"]
    assert [
        "Budget",
        "4",
        "–",
        "Samma nyckel (Flyktingmottagande, 2025, KF-budget) finns redan på rad 2. "
        "En nyckel får bara förekomma en gång i filen.",
    ] in g["fel"]
    assert any(f[1] == "6" and "'Lön'" in f[3] for f in g["fel"])
    assert bekräfta(client_admin, g).status_code == 409
    assert not Budgetpost.objects.filter(år=2025).exists()
    assert Import.objects.get().status == Import.Status.FEL


def test_budget_fel_anger_blad_rad_och_kolumn(client_admin, socialnämnden):
    innehåll = xlsx(
        ("Instruktioner", [["Läs mig"]]),
        (
            "Min budget",
            [
                BUDGETRUBRIKER[:5],
                ["Finns inte", 2025, "KF-budget", 100, ""],
                ["Flyktingmottagande", 2025, "Okänt slag", 100, ""],
                ["Flyktingmottagande", 2025, "KF-budget", "tio kronor", ""],
                ["Förebyggande verksamhet SoL", 2025, "KF-budget", 100, ""],  # valid to 2024
                ["Ifo öppenvård och stöd", 2025, "Tillägg och avdrag", 10, ""],
            ],
        ),
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "budget.xlsx", innehåll))
    fel = {f[1]: f for f in g["fel"]}
    assert fel["2"][:3] == ["Min budget", "2", "A (Verksamhetsområde)"] and "'Finns inte'" in fel["2"][3]
    assert fel["3"][2] == "C (Slag)" and "Giltiga: KF-budget, Nämndbudget, Tillägg och avdrag" in fel["3"][3]
    assert fel["4"][2:] == ["D (Belopp helår (kr))", "Texten ”tio kronor” är inget tal."]
    assert fel["5"][3] == "Verksamhetsområdet Förebyggande verksamhet SoL gäller inte år 2025."
    assert fel["6"][2:] == ["E (Kommentar)", "Tillägg och avdrag kräver en kommentar (skälet)."]


def test_budget_i_tkr_och_stängt_år(client_admin, socialnämnden, admin):
    from nämnd.services import stäng

    stäng(admin, socialnämnden.kommun, 2023, [12])
    innehåll = xlsx(
        (
            "Budget",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp (tkr)"],
                ["Flyktingmottagande", 2024, "KF-budget", "12,5"],
                ["Flyktingmottagande", 2023, "KF-budget", 1],  # 2023 is closed
                ["Nämnd- och styrelseverksamhet", 2023, "KF-budget", 1427],  # unchanged: fine in a closed year
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))
    assert g["fel"] == [
        [
            "Budget",
            "3",
            "–",
            "Året 2023 är stängt (2023-12 är stängd) och värdet kan inte ändras. "
            "Be en administratör öppna perioden igen.",
        ]
    ]
    assert g["rader"][0][1:] == ["Flyktingmottagande 2024 KF-budget", "0", "12\u00a0500"]


def test_budget_senare_rad_fel_ingenting_sparas(client_admin, socialnämnden):
    rader = [BUDGETRUBRIKER[:5]] + [["Flyktingmottagande", år, "KF-budget", 1000 + år, ""] for år in range(2025, 2040)]
    rader.append(["Flyktingmottagande", 2041, "KF-budget", "x", ""])
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", xlsx(("Budget", rader))))
    assert len(g["fel"]) == 1 and g["fel"][0][1] == "17"
    assert bekräfta(client_admin, g).status_code == 409
    assert not Budgetpost.objects.filter(år__gte=2025).exists()


def test_budget_skrivfel_sent_i_transaktionen_rullar_tillbaka_allt(client_admin, socialnämnden, monkeypatch):
    innehåll = xlsx(
        (
            "Budget",
            [
                BUDGETRUBRIKER[:5],
                ["Flyktingmottagande", 2025, "KF-budget", 5, ""],
                ["Nämnd- och styrelseverksamhet", 2024, "KF-budget", 7, ""],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))

    def går_sönder(*args, **kwargs):
        raise RuntimeError("disken är full")

    monkeypatch.setattr(Importändring.objects, "bulk_create", går_sönder)  # the last write of the transaction
    with pytest.raises(RuntimeError):
        bekräfta(client_admin, g)
    assert not Budgetpost.objects.filter(år=2025).exists()
    assert (
        Budgetpost.objects.get(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2024, slag="kf").belopp
        == 1_456_000
    )
    assert Import.objects.get().status == Import.Status.FÖRHANDSGRANSKAD


def test_bekräftelse_vägras_när_värdena_ändrats_sedan_granskningen(client_admin, socialnämnden):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Nämnd- och styrelseverksamhet", 2024, "KF-budget", 7, ""]]))
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))
    Budgetpost.objects.filter(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2024, slag="kf").update(
        belopp=9
    )
    r = bekräfta(client_admin, g)
    assert r.status_code == 409 and "ändrats sedan förhandsgranskningen" in r.content.decode()
    assert (
        Budgetpost.objects.get(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2024, slag="kf").belopp == 9
    )
    # confirming twice is refused too
    g = granskning(client_admin.get(g["url"]))
    assert bekräfta(client_admin, g).status_code == 302
    assert bekräfta(client_admin, g).status_code == 302  # → the result page; nothing written again
    assert Importändring.objects.count() == 1


# --- prognos --------------------------------------------------------------------------------------


def test_prognos_csv_med_kommentar(client_admin, socialnämnden):
    csv = (
        "Verksamhetsområde;Prognostillfälle;Prognos helår (tkr);Kommentar\r\n"
        "Flyktingmottagande;2023-10;-250,5;Färre mottagna än väntat\r\n"
        "Arbetsmarknadsåtgärder;2023-08;5 700;\r\n"  # existing aug prognos: the empty comment keeps the old one
        "Nämnd- och styrelseverksamhet;2023-10;;\r\n"  # nothing to import: skipped
    ).encode()
    före = Prognos.objects.get(verksamhetsområde__namn="Arbetsmarknadsåtgärder", år=2023, månad=8)
    g = granskning(ladda_upp(client_admin, socialnämnden, "prognos", "prognos.csv", csv))
    assert g["fel"] == []
    assert "1 rader utan prognos och kommentar hoppades över." in g["noteringar"]
    rader = {r[1]: r[2:] for r in g["rader"]}
    assert rader["Flyktingmottagande prognos 2023-10"] == ["–", "\u2212250\u00a0500"]
    assert rader["Flyktingmottagande prognos 2023-10: kommentar"] == ["–", "Färre mottagna än väntat"]
    assert rader["Arbetsmarknadsåtgärder prognos 2023-08"][1] == "5\u00a0700\u00a0000"
    assert bekräfta(client_admin, g).status_code == 302
    ny = Prognos.objects.get(verksamhetsområde__namn="Flyktingmottagande", år=2023, månad=10)
    assert (ny.belopp, ny.kommentar) == (Decimal("-250500"), "Färre mottagna än väntat")
    efter = Prognos.objects.get(pk=före.pk)
    assert efter.belopp == 5_700_000 and efter.version == före.version + 1
    assert efter.kommentar == före.kommentar


def test_prognos_stängd_månad_vägras(client_admin, socialnämnden):
    Period.objects.create(kommun=socialnämnden.kommun, år=2023, månad=10, stängd=True)
    innehåll = xlsx(
        (
            "Prognos",
            [
                ["Verksamhetsområde", "År", "Prognostillfälle (månad)", "Prognos nettokostnad helår (kr)", "Kommentar"],
                ["Flyktingmottagande", 2023, "okt", 1, "x"],
                ["Flyktingmottagande", 2023, "oktober", 2, "y"],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "prognos", "p.xlsx", innehåll))
    assert g["fel"][0][:3] == ["Prognos", "2", "C (Prognostillfälle (månad))"]
    assert "Perioden 2023-10 är stängd" in g["fel"][0][3]
    assert "Samma nyckel (Flyktingmottagande, 2023, prognostillfälle 10)" in g["fel"][1][3]


# --- volymer --------------------------------------------------------------------------------------


def test_volymer_bred_layout_per_månad(client_admin, socialnämnden):
    innehåll = xlsx(
        (
            "Volymer",
            [
                ["Område", "Nyckeltal", "Enhet", "År", *MÅN],
                ["Hemtjänst", "Biståndsbedömd tid", "timmar", 2024, *range(4000, 4012)],
                ["Hemtjänst", "Antal brukare totalt", "antal", 2024, 220, 221, None, 223, *([None] * 8)],
            ],
        ),
        (
            "Rullande",
            [
                ["Nyckeltal", "Område", "2023-11", "2023-12", "2024-01", "Utfall 2022", "Mål 2023"],
                ["Antal brukare totalt", "Särskilt boende äldre", 140, 141, 142, 146, 140],
            ],
        ),
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "volymer", "volymer.xlsx", innehåll))
    assert g["fel"] == []
    # 12 + 3 monthly values, 3 from the rolling sheet, one yearly changed (145 → 146), mål 2023 unchanged
    assert (g["nya"], g["ändrade"], g["oförändrade"]) == (18, 1, 1)
    assert bekräfta(client_admin, g).status_code == 302
    tid = Nyckeltal.objects.get(namn="Biståndsbedömd tid")
    månader = dict(
        Nyckeltalsvärde.objects.filter(nyckeltal=tid, typ="utfall_månad", år=2024).values_list("månad", "värde")
    )
    assert månader == {m: Decimal(4000 + m - 1) for m in range(1, 13)}
    sb = Nyckeltal.objects.get(namn="Antal brukare totalt", grupp__namn="Särskilt boende äldre")
    assert Nyckeltalsvärde.objects.get(nyckeltal=sb, typ="utfall_månad", år=2023, månad=12).värde == 141
    assert Nyckeltalsvärde.objects.get(nyckeltal=sb, typ="utfall_helår", år=2022).värde == 146


def test_volymer_numeriska_månadsrubriker_och_tvetydigt_namn(client_admin, socialnämnden):
    innehåll = xlsx(
        (
            "Blad1",
            [
                ["Nyckeltal", "År", *range(1, 13)],
                ["Antal brukare totalt", 2024, 1, *([None] * 11)],  # in two områden
                ["Biståndsbedömd tid", 2024, -5, *([None] * 11)],  # cannot be negative
                ["Biståndsbedömd tid", 2024, None, "abc", *([None] * 10)],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "volymer", "v.xlsx", innehåll))
    fel = {f[1]: f for f in g["fel"]}
    assert "finns i flera områden (Hemtjänst, Särskilt boende äldre). Fyll i kolumnen Område." in fel["2"][3]
    assert fel["3"][2] == "C (1)" and "kan inte vara negativt" in fel["3"][3]
    assert fel["4"][2:] == ["D (2)", "Texten ”abc” är inget tal."]


def test_volymer_lång_layout_csv(client_admin, socialnämnden):
    csv = (
        "Område;Nyckeltal;Typ;År;Månad;Värde\n"
        "Hemtjänst;Biståndsbedömd tid;Prognos;2024;;51000\n"
        "Hemtjänst;Biståndsbedömd tid;Utfall månad;2024;mars;4321,5\n"
    ).encode()
    importera(client_admin, socialnämnden, "volymer", "v.csv", csv)
    tid = Nyckeltal.objects.get(namn="Biståndsbedömd tid")
    assert Nyckeltalsvärde.objects.get(nyckeltal=tid, typ="prognos", år=2024).värde == 51000
    assert Nyckeltalsvärde.objects.get(nyckeltal=tid, typ="utfall_månad", år=2024, månad=3).värde == Decimal("4321.5")


# --- indikatorer ----------------------------------------------------------------------------------


def test_indikatormall(client_admin, socialnämnden):
    Indikatorvärde.objects.filter(indikator__kolada_id="U21468", år=2022).update(källa="Kolada")
    innehåll = xlsx(
        (
            "Indikatorer",
            [
                ["Indikator", "Kolada-id", "År", "Totalt", "Kvinnor", "Män"],
                [None, "U21468", 2024, 95, 96, "94,5"],
                [None, "U21468", 2022, 86, None, None],  # a revision of totalt; K/M left as they are
                ["Kontinuiteten inom hemtjänsten ska förbättras", None, 2023, 13, None, None],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "indikatorer", "ind.xlsx", innehåll))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"]) == (2, 1)
    assert bekräfta(client_admin, g).status_code == 302
    v = Indikatorvärde.objects.get(indikator__kolada_id="U21468", år=2024)
    assert (v.totalt, v.kvinnor, v.män, v.källa) == (95, 96, Decimal("94.5"), "")
    v22 = Indikatorvärde.objects.get(indikator__kolada_id="U21468", år=2022)
    # our own figure: no longer labelled Kolada (Kolada's terms); K/M untouched
    assert (v22.totalt, v22.kvinnor, v22.män, v22.källa) == (86, 85, 85, "")
    assert Indikatorvärde.objects.get(indikator__namn__startswith="Kontinuiteten", år=2023).totalt == 13


# --- permissions, bad files, templates ------------------------------------------------------------


def test_behörighet_läsare_403_annan_kommun_404(client, läsare, läsare_annan, annan_kommun, socialnämnden):
    url = reverse("mallimport-ladda-upp", args=[socialnämnden.pk, "budget"])
    assert client.get(url).status_code == 302  # not logged in → login
    client.force_login(läsare)
    assert client.get(url).status_code == 403
    assert client.post(url, {"fil": SimpleUploadedFile("b.csv", b"x")}).status_code == 403
    assert client.get(reverse("mallimport", args=[socialnämnden.pk])).status_code == 403
    client.force_login(skapa_användare("admin-taby", annan_kommun, roll="admin"))
    assert client.get(url).status_code == 404
    egen = Nämnd.objects.get(kommun=annan_kommun)
    assert client.get(reverse("mallimport-ladda-upp", args=[egen.pk, "budget"])).status_code == 200


def test_controller_utan_importrätt_403(client, knivsta, socialnämnden):
    user = skapa_användare("controller-utan", knivsta, roll="controller", får_importera=False)
    user.behörigheter.get().nämnder.set([socialnämnden])
    client.force_login(user)
    assert client.get(reverse("mallimport-ladda-upp", args=[socialnämnden.pk, "budget"])).status_code == 403


def test_annan_användares_granskning_404(client, client_admin, socialnämnden, knivsta):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Flyktingmottagande", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))
    client.force_login(skapa_användare("admin2", knivsta, roll="admin"))
    assert client.post(g["url"], {"åtgärd": "bekräfta", "fingeravtryck": g["fingeravtryck"]}).status_code == 404


@pytest.mark.parametrize(
    "filnamn,innehåll,text",
    [
        ("budget.xlsx", b"%PDF-1.4 en pdf med fel namn", "Filen är en PDF-fil, inte en Excel- eller CSV-fil."),
        ("budget.xlsx", b"PK\x03\x04 trasig zip", "Filen är skadad"),
        ("budget.csv", "Något;Annat\n1;2\n".encode(), "Hittade ingen rubrikrad"),
    ],
)
def test_trasig_fil_ger_tydligt_fel(client_admin, socialnämnden, filnamn, innehåll, text):
    svar = ladda_upp(client_admin, socialnämnden, "budget", filnamn, innehåll)
    assert text in svar.content.decode()
    assert not granskning(svar)["kan_bekräftas"]
    assert Import.objects.get().status == Import.Status.FEL


def test_formel_utan_sparat_värde_ger_fel_i_cellen(client_admin, socialnämnden):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws.append(BUDGETRUBRIKER[:5])
    ws.append(["Flyktingmottagande", 2025, "KF-budget", "=1+1", ""])  # openpyxl stores no cached value
    ut = io.BytesIO()
    wb.save(ut)
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", ut.getvalue()))
    assert g["fel"][0][:3] == ["Budget", "2", "D (Belopp helår (kr))"]
    assert "formel utan sparat värde" in g["fel"][0][3]


def test_avbryt(client_admin, socialnämnden):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Flyktingmottagande", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))
    assert client_admin.post(g["url"], {"åtgärd": "avbryt"}).status_code == 302
    assert Import.objects.get().status == Import.Status.AVBRUTEN
    assert client_admin.get(g["url"]).status_code == 410
    assert not Budgetpost.objects.filter(år=2025).exists()


def test_ifylld_budgetmall_kan_importeras_igen_utan_ändringar(client_admin, socialnämnden):
    r = client_admin.get(reverse("importmall-ifylld", args=[socialnämnden.pk, "budget", 2023]))
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:2] == ["Budget", "Instruktioner"]
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "ifylld.xlsx", r.content))
    assert g["fel"] == [] and g["ändrade"] == 0 and g["nya"] == 0
    assert g["oförändrade"] == Budgetpost.objects.filter(år=2023, verksamhetsområde__nämnd=socialnämnden).count()


def test_tolka_rubriker_med_synonymer_och_enheter():
    assert lasare.rubrik_och_enhet("Belopp helår (tkr)") == ("belopp helår", "tkr")
    assert lasare.rubrik_och_enhet("  PROGNOS  helår\u00a0mnkr ") == ("prognos helår", "mnkr")
    assert mallar.bred_kolumn("2023-01") == ("utfall_månad", 2023, 1)
    assert mallar.bred_kolumn("Utfall jan–aug 2023") == ("utfall_delår", 2023, None)
    assert mallar.bred_kolumn("Plan 2024") == ("mål", 2024, None)
    assert mallar.bred_kolumn("Kommentar") is None
    assert mallar.bred_kolumn("mars") == ("utfall_månad", None, 3)
    assert lasare.kolumnbokstav(27) == "AB"


def test_prognos_i_fastställd_delårsrapport_vägras_men_senare_månad_går(client_admin, socialnämnden):
    import datetime as dt

    from nämnd.models import Rapportlås

    Rapportlås.objects.create(
        nämnd=socialnämnden,
        år=2023,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(2023, 9, 26),
        paragraf="§ 87",
        version=1,
    )
    innehåll = xlsx(
        (
            "Prognos",
            [
                ["Verksamhetsområde", "Prognostillfälle", "Prognos helår (tkr)"],
                ["Arbetsmarknadsåtgärder", "2023-08", 5700],
                ["Arbetsmarknadsåtgärder", "2023-10", 5800],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, socialnämnden, "prognos", "p.xlsx", innehåll))
    assert [(f[1], f[3]) for f in g["fel"]] == [
        (
            "2",
            f"Delårsrapport 2023 för {socialnämnden.namn} är fastställd "
            "(2023-09-26, § 87) och låst. För att ändra den måste någon som får "
            "fastställa öppna rapporten för rättelse på sidan Granskning och "
            f"fastställande (/publicering/rapport/{socialnämnden.pk}/2023/"
            "delårsrapport/).",
        )
    ]
    assert [r[1] for r in g["rader"]] == ["Arbetsmarknadsåtgärder prognos 2023-10"]


def test_importprofilens_rubriker_används(client_admin, socialnämnden):
    from importer.models import Importprofil

    profil = Importprofil.objects.create(
        kommun=socialnämnden.kommun,
        namn="Budgetunderlag från ekonomi",
        typ="budget",
        kolumner={"belopp": "Att fördela", "område": "Enhet"},
    )
    innehåll = xlsx(("Budget", [["Enhet", "År", "Slag", "Att fördela"], ["Flyktingmottagande", 2025, "KF-budget", 9]]))
    r = client_admin.post(
        reverse("mallimport-ladda-upp", args=[socialnämnden.pk, "budget"]),
        {"fil": SimpleUploadedFile("b.xlsx", innehåll), "profil": profil.pk},
    )
    g = granskning(client_admin.get(r["Location"]))
    assert g["fel"] == [] and g["rader"][0][1:] == ["Flyktingmottagande 2025 KF-budget", "–", "9"]
    assert Import.objects.get().profil == profil


def test_bekräftelsens_frågor_växer_inte_med_antalet_rader(client_admin, socialnämnden):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    områden = list(
        Verksamhetsområde.objects.filter(nämnd=socialnämnden, typ="verksamhet", till_år__isnull=True).order_by("pk")
    )
    antal = []
    for år, n in ((2030, 2), (2031, len(områden))):
        rader = [BUDGETRUBRIKER[:5]] + [
            [o.namn, år, slag, 1000 + i, ""] for i, o in enumerate(områden[:n]) for slag in ("KF-budget", "Nämndbudget")
        ]
        g = granskning(ladda_upp(client_admin, socialnämnden, "budget", f"b{år}.xlsx", xlsx(("Budget", rader))))
        assert g["nya"] == 2 * n
        with CaptureQueriesContext(connection) as frågor:
            assert bekräfta(client_admin, g).status_code == 302
        antal.append(len(frågor))
    assert len(områden) > 10 and antal[0] == antal[1], antal


def test_förhandsgranskning_ändrar_inte_dataversionen_men_bekräftelsen_gör(client_admin, socialnämnden):
    from nämnd import dataversion

    före = dataversion.version(socialnämnden.kommun_id)
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Flyktingmottagande", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, socialnämnden, "budget", "b.xlsx", innehåll))
    assert dataversion.version(socialnämnden.kommun_id) == före  # cached reports stay valid
    assert bekräfta(client_admin, g).status_code == 302
    assert dataversion.version(socialnämnden.kommun_id) > före  # the new figure invalidates them
    assert Import.objects.get().status == Import.Status.GENOMFÖRD
