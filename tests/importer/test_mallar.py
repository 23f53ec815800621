"""Template imports (budget, prognos, volymer, indikatorer) with real .xlsx and .csv files made in the tests:
upload → preview → confirm, the audit trail, errors with sheet/row/column, locking, permissions, atomicity.

The data: ``annan_form_kommun`` for 2023 (see its docstring), whose Omsorgsnämnden (no blocks) gets what the
imports need (fixture ``ekeby``):

- verksamheter Hemtjänst (ansvarskoder set by a test; KF-budget 2023 24 000 000 kr, prognos 2023-08
  26 000 000 kr with the comment PROGNOSKOMMENTAR) and Särskilt boende (KF-budget 2023 36 000 000 kr, KF-budget
  2024 38 000 000 kr) from the builder; new: Anhörigstöd (KF-budget 2024 0 kr), Dagverksamhet, seven more
  active verksamheter (``FLER``: 11 active in all) and Förebyggande arbete (valid to 2024);
- volymer: område Hemtjänst with Beviljade timmar (builder) and Antal brukare totalt; område Särskilt boende
  with Antal brukare totalt (utfall helår 2022: 145, mål 2023: 140);
- indikatorer: U21468 (2022: 85 / 85 / 85) on the mål Trygg omsorg, next to the builder's Nöjdhet hemtjänst
  (values 2022 and 2023 only)."""

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
from nyckeltal.models import Indikatorvärde, Mål, Nyckeltal, Nyckeltalsvärde
from nämnd.models import Nämnd, Period, Verksamhetsområde
from tests import factories
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


PROGNOSKOMMENTAR = "Fler beviljade timmar än budgeterat."
FLER = [
    "Korttidsboende",
    "Hemsjukvård",
    "Rehabilitering",
    "Trygghetslarm",
    "Matdistribution",
    "Färdtjänst",
    "Nattpatrull",
]


@pytest.fixture
def ekeby(db) -> factories.Byggd:
    b = factories.annan_form_kommun(år=2023)
    omsorg = b.nämnder["Omsorgsnämnden"]
    Prognos.objects.filter(verksamhetsområde=b.områden["Hemtjänst"], år=2023, månad=8).update(
        kommentar=PROGNOSKOMMENTAR
    )
    factories.BudgetpostFactory(verksamhetsområde=b.områden["Särskilt boende"], år=2024, belopp=38_000_000)
    for i, namn in enumerate(["Anhörigstöd", "Dagverksamhet", *FLER]):
        b.områden[namn] = factories.VerksamhetsområdeFactory(nämnd=omsorg, namn=namn, ordning=30 + i * 10)
    factories.BudgetpostFactory(verksamhetsområde=b.områden["Anhörigstöd"], år=2024, belopp=0)
    b.områden["Förebyggande arbete"] = factories.VerksamhetsområdeFactory(
        nämnd=omsorg, namn="Förebyggande arbete", till_år=2024, ordning=200
    )

    hemtjänst = Nyckeltal.objects.get(grupp__nämnd=omsorg, namn="Beviljade timmar").grupp
    factories.NyckeltalFactory(grupp=hemtjänst, namn="Antal brukare totalt", enhet=Nyckeltal.Enhet.ANTAL)
    boende = factories.NyckeltalsgruppFactory(nämnd=omsorg, namn="Särskilt boende", ordning=1)
    brukare = factories.NyckeltalFactory(grupp=boende, namn="Antal brukare totalt", enhet=Nyckeltal.Enhet.ANTAL)
    factories.NyckeltalsvärdeFactory(nyckeltal=brukare, år=2022, typ=Nyckeltalsvärde.Typ.UTFALL_HELÅR, värde=145)
    factories.NyckeltalsvärdeFactory(nyckeltal=brukare, år=2023, typ=Nyckeltalsvärde.Typ.MÅL, värde=140)

    mål = Mål.objects.get(nämnd=omsorg, namn="Trygg omsorg")
    u21468 = factories.IndikatorFactory(
        mål=mål, namn="Brukarbedömning hemtjänst äldreomsorg (helhetssyn), andel (%)", kolada_id="U21468"
    )
    factories.IndikatorvärdeFactory(indikator=u21468, år=2022, totalt=85, kvinnor=85, män=85)
    return b


@pytest.fixture
def omsorg(ekeby) -> Nämnd:
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def admin(ekeby):
    return factories.admin(ekeby.kommun)


@pytest.fixture
def client_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def controller(ekeby, omsorg):
    return factories.controller(ekeby.kommun, nämnder=[omsorg])


@pytest.fixture
def läsare(ekeby):
    return factories.läsare(ekeby.kommun)


def vo(nämnd, namn) -> Verksamhetsområde:
    return Verksamhetsområde.objects.get(nämnd=nämnd, namn=namn)


# --- budget ---------------------------------------------------------------------------------------

BUDGETRUBRIKER = ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", "Kommentar", *MÅN]


def test_budget_med_månadsprofil_förhandsgranskas_och_bekräftas(client, controller, omsorg):
    client.force_login(controller)
    arbete = vo(omsorg, "Hemtjänst")
    arbete.ansvarskoder = "7410, 75*"
    arbete.save()
    # summer months lower: stored as exact months (no profile)
    månader = [100_000] * 5 + [50_000, 50_000] + [100_000] * 5
    innehåll = xlsx(
        (
            "Budget",
            [
                ["Budget 2025 för omsorgsnämnden"],  # a title above the header row
                BUDGETRUBRIKER,
                ["7410", 2025, "KF-budget", None, "", *månader],  # by code, amount = sum of months
                ["Särskilt boende", 2025, "Nämndbudget", 1_500_000, "", *([None] * 12)],
                ["Dagverksamhet", 2025, "Tillägg och avdrag", -120_000, "Lönekompensation", *([None] * 12)],
                ["Dagverksamhet", 2025, "Tillägg och avdrag", 40_000, "Ny tjänst", *([None] * 12)],
                ["Särskilt boende", 2024, "KF-budget", "39 000 000", "", *([None] * 12)],  # 38 000 000 before
            ],
        )
    )
    g = granskning(ladda_upp(client, omsorg, "budget", "budget-2025.xlsx", innehåll))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"]) == (4, 1)  # four posts; one changed
    rader = {r[1]: r for r in g["rader"]}
    assert rader["Särskilt boende 2024 KF-budget"][2:] == ["38\u00a0000\u00a0000", "39\u00a0000\u00a0000"]
    assert rader["Särskilt boende 2024 KF-budget"][0] == "Ändrad"
    assert Budgetpost.objects.filter(år=2025).count() == 0  # preview writes nothing

    assert bekräfta(client, g).status_code == 302
    post = Budgetpost.objects.get(verksamhetsområde=arbete, år=2025, slag="kf")
    assert post.belopp == Decimal(1_100_000)
    assert post.profil is None and post.månader == tuple(Decimal(m) for m in månader)
    # the periodised budget is the file's months exactly
    assert berakning.periodbudget(post.belopp, None, 6, post.månader) == 550_000
    assert berakning.periodbudget(post.belopp, None, 8, post.månader) == 700_000
    tillägg = Budgetpost.objects.filter(verksamhetsområde__namn="Dagverksamhet", år=2025, slag="tillägg")
    assert sorted((t.kommentar, t.belopp) for t in tillägg) == [("Lönekompensation", -120_000), ("Ny tjänst", 40_000)]
    assert Budgetpost.objects.get(verksamhetsområde__namn="Särskilt boende", år=2024, slag="kf").belopp == 39_000_000

    imp = Import.objects.get(typ="budget")
    assert imp.status == Import.Status.GENOMFÖRD and imp.användare == controller and imp.nämnd == omsorg
    assert imp.sha256 == hashlib.sha256(innehåll).hexdigest() and imp.filnamn == "budget-2025.xlsx"
    assert (imp.antal_rader, imp.antal_skapade, imp.antal_ändrade, imp.antal_fel) == (5, 4, 1, 0)
    ändring = Importändring.objects.get(imp=imp, beskrivning="Särskilt boende 2024 KF-budget")
    assert (ändring.modell, ändring.gammalt, ändring.nytt) == (
        "Budgetpost",
        "38\u00a0000\u00a0000",
        "39\u00a0000\u00a0000",
    )
    assert ändring.objekt_id == Budgetpost.objects.get(verksamhetsområde__namn="Särskilt boende", år=2024, slag="kf").pk
    # history of the bulk write, with the import as reason
    h = Budgetpost.history.filter(history_change_reason__startswith=f"Import {imp.pk}")
    assert h.count() == 5 and {x.history_user for x in h} == {controller}

    # the same file again changes nothing; no profile is made from the months
    g2 = granskning(ladda_upp(client, omsorg, "budget", "budget-2025.xlsx", innehåll))
    assert (g2["nya"], g2["ändrade"], g2["oförändrade"]) == (0, 0, 5) and not g2["kan_bekräftas"]
    assert Periodiseringsprofil.objects.count() == 0


def test_budget_samma_nyckel_två_gånger_är_fel(client_admin, omsorg):
    innehåll = xlsx(
        (
            "Budget",
            [
                BUDGETRUBRIKER[:5],
                ["Anhörigstöd", 2025, "KF-budget", 100, ""],
                ["Hemtjänst", 2025, "KF-budget", 200, ""],
                ["anhörigstöd", 2025, "kf", 300, ""],  # the same key, spelled differently
                ["Dagverksamhet", 2025, "Tillägg och avdrag", 10, "Lön"],
                ["Dagverksamhet", 2025, "Tillägg och avdrag", 20, "Lön"],  # the same tillägg twice
            ],
        )
    )
    svar = ladda_upp(client_admin, omsorg, "budget", "budget.xlsx", innehåll)
    g = granskning(svar)
    assert not g["kan_bekräftas"]
    assert [
        "Budget",
        "4",
        "–",
        "Samma nyckel (Anhörigstöd, 2025, KF-budget) finns redan på rad 2. "
        "En nyckel får bara förekomma en gång i filen.",
    ] in g["fel"]
    assert any(f[1] == "6" and "'Lön'" in f[3] for f in g["fel"])
    assert bekräfta(client_admin, g).status_code == 409
    assert not Budgetpost.objects.filter(år=2025).exists()
    assert Import.objects.get().status == Import.Status.FEL


def test_budget_fel_anger_blad_rad_och_kolumn(client_admin, omsorg):
    innehåll = xlsx(
        ("Instruktioner", [["Läs mig"]]),
        (
            "Min budget",
            [
                BUDGETRUBRIKER[:5],
                ["Finns inte", 2025, "KF-budget", 100, ""],
                ["Anhörigstöd", 2025, "Okänt slag", 100, ""],
                ["Anhörigstöd", 2025, "KF-budget", "tio kronor", ""],
                ["Förebyggande arbete", 2025, "KF-budget", 100, ""],  # valid to 2024
                ["Dagverksamhet", 2025, "Tillägg och avdrag", 10, ""],
            ],
        ),
    )
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "budget.xlsx", innehåll))
    fel = {f[1]: f for f in g["fel"]}
    assert fel["2"][:3] == ["Min budget", "2", "A (Verksamhetsområde)"] and "'Finns inte'" in fel["2"][3]
    assert fel["3"][2] == "C (Slag)" and "Giltiga: KF-budget, Nämndbudget, Tillägg och avdrag" in fel["3"][3]
    assert fel["4"][2:] == ["D (Belopp helår (kr))", "Texten ”tio kronor” är inget tal."]
    assert fel["5"][3] == "Verksamhetsområdet Förebyggande arbete gäller inte år 2025."
    assert fel["6"][2:] == ["E (Kommentar)", "Tillägg och avdrag kräver en kommentar (skälet)."]


def test_budget_i_tkr_och_stängt_år(client_admin, omsorg, admin):
    from nämnd.services import stäng

    stäng(admin, omsorg.kommun, 2023, [12])
    innehåll = xlsx(
        (
            "Budget",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp (tkr)"],
                ["Anhörigstöd", 2024, "KF-budget", "12,5"],  # 0 before
                ["Anhörigstöd", 2023, "KF-budget", 1],  # 2023 is closed
                ["Särskilt boende", 2023, "KF-budget", 36_000],  # unchanged: fine in a closed year
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))
    assert g["fel"] == [
        [
            "Budget",
            "3",
            "–",
            "Året 2023 är stängt (2023-12 är stängd) och värdet kan inte ändras. "
            "Be en administratör öppna perioden igen.",
        ]
    ]
    assert g["rader"][0][1:] == ["Anhörigstöd 2024 KF-budget", "0", "12\u00a0500"]


def test_budget_senare_rad_fel_ingenting_sparas(client_admin, omsorg):
    rader = [BUDGETRUBRIKER[:5]] + [["Anhörigstöd", år, "KF-budget", 1000 + år, ""] for år in range(2025, 2040)]
    rader.append(["Anhörigstöd", 2041, "KF-budget", "x", ""])
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", xlsx(("Budget", rader))))
    assert len(g["fel"]) == 1 and g["fel"][0][1] == "17"
    assert bekräfta(client_admin, g).status_code == 409
    assert not Budgetpost.objects.filter(år__gte=2025).exists()


def test_budget_skrivfel_sent_i_transaktionen_rullar_tillbaka_allt(client_admin, omsorg, monkeypatch):
    innehåll = xlsx(
        (
            "Budget",
            [
                BUDGETRUBRIKER[:5],
                ["Anhörigstöd", 2025, "KF-budget", 5, ""],
                ["Särskilt boende", 2024, "KF-budget", 7, ""],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))

    def går_sönder(*args, **kwargs):
        raise RuntimeError("disken är full")

    monkeypatch.setattr(Importändring.objects, "bulk_create", går_sönder)  # the last write of the transaction
    with pytest.raises(RuntimeError):
        bekräfta(client_admin, g)
    assert not Budgetpost.objects.filter(år=2025).exists()
    assert Budgetpost.objects.get(verksamhetsområde__namn="Särskilt boende", år=2024, slag="kf").belopp == 38_000_000
    assert Import.objects.get().status == Import.Status.FÖRHANDSGRANSKAD


def test_bekräftelse_vägras_när_värdena_ändrats_sedan_granskningen(client_admin, omsorg):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Särskilt boende", 2024, "KF-budget", 7, ""]]))
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))
    Budgetpost.objects.filter(verksamhetsområde__namn="Särskilt boende", år=2024, slag="kf").update(belopp=9)
    r = bekräfta(client_admin, g)
    assert r.status_code == 409 and "ändrats sedan förhandsgranskningen" in r.content.decode()
    assert Budgetpost.objects.get(verksamhetsområde__namn="Särskilt boende", år=2024, slag="kf").belopp == 9
    # confirming twice is refused too
    g = granskning(client_admin.get(g["url"]))
    assert bekräfta(client_admin, g).status_code == 302
    assert bekräfta(client_admin, g).status_code == 302  # → the result page; nothing written again
    assert Importändring.objects.count() == 1


# --- prognos --------------------------------------------------------------------------------------


def test_prognos_csv_med_kommentar(client_admin, omsorg):
    csv = (
        "Verksamhetsområde;Prognostillfälle;Prognos helår (tkr);Kommentar\r\n"
        "Anhörigstöd;2023-10;-250,5;Färre deltagare än väntat\r\n"
        "Hemtjänst;2023-08;5 700;\r\n"  # existing aug prognos: the empty comment keeps the old one
        "Särskilt boende;2023-10;;\r\n"  # nothing to import: skipped
    ).encode()
    före = Prognos.objects.get(verksamhetsområde__namn="Hemtjänst", år=2023, månad=8)
    assert (före.belopp, före.kommentar) == (26_000_000, PROGNOSKOMMENTAR)
    g = granskning(ladda_upp(client_admin, omsorg, "prognos", "prognos.csv", csv))
    assert g["fel"] == []
    assert "1 rader utan prognos och kommentar hoppades över." in g["noteringar"]
    rader = {r[1]: r[2:] for r in g["rader"]}
    assert rader["Anhörigstöd prognos 2023-10"] == ["–", "\u2212250\u00a0500"]
    assert rader["Anhörigstöd prognos 2023-10: kommentar"] == ["–", "Färre deltagare än väntat"]
    assert rader["Hemtjänst prognos 2023-08"] == ["26\u00a0000\u00a0000", "5\u00a0700\u00a0000"]
    assert bekräfta(client_admin, g).status_code == 302
    ny = Prognos.objects.get(verksamhetsområde__namn="Anhörigstöd", år=2023, månad=10)
    assert (ny.belopp, ny.kommentar) == (Decimal("-250500"), "Färre deltagare än väntat")
    efter = Prognos.objects.get(pk=före.pk)
    assert efter.belopp == 5_700_000 and efter.version == före.version + 1
    assert efter.kommentar == PROGNOSKOMMENTAR


def test_prognos_stängd_månad_vägras(client_admin, omsorg):
    Period.objects.create(kommun=omsorg.kommun, år=2023, månad=10, stängd=True)
    innehåll = xlsx(
        (
            "Prognos",
            [
                ["Verksamhetsområde", "År", "Prognostillfälle (månad)", "Prognos nettokostnad helår (kr)", "Kommentar"],
                ["Anhörigstöd", 2023, "okt", 1, "x"],
                ["Anhörigstöd", 2023, "oktober", 2, "y"],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "prognos", "p.xlsx", innehåll))
    assert g["fel"][0][:3] == ["Prognos", "2", "C (Prognostillfälle (månad))"]
    assert "Perioden 2023-10 är stängd" in g["fel"][0][3]
    assert "Samma nyckel (Anhörigstöd, 2023, prognostillfälle 10)" in g["fel"][1][3]


# --- volymer --------------------------------------------------------------------------------------


def test_volymer_bred_layout_per_månad(client_admin, omsorg):
    innehåll = xlsx(
        (
            "Volymer",
            [
                ["Område", "Nyckeltal", "Enhet", "År", *MÅN],
                ["Hemtjänst", "Beviljade timmar", "timmar", 2024, *range(4000, 4012)],
                ["Hemtjänst", "Antal brukare totalt", "antal", 2024, 220, 221, None, 223, *([None] * 8)],
            ],
        ),
        (
            "Rullande",
            [
                ["Nyckeltal", "Område", "2023-11", "2023-12", "2024-01", "Utfall 2022", "Mål 2023"],
                ["Antal brukare totalt", "Särskilt boende", 140, 141, 142, 146, 140],
            ],
        ),
    )
    g = granskning(ladda_upp(client_admin, omsorg, "volymer", "volymer.xlsx", innehåll))
    assert g["fel"] == []
    # 12 + 3 monthly values, 3 from the rolling sheet, one yearly changed (145 → 146), mål 2023 unchanged
    assert (g["nya"], g["ändrade"], g["oförändrade"]) == (18, 1, 1)
    assert bekräfta(client_admin, g).status_code == 302
    tid = Nyckeltal.objects.get(namn="Beviljade timmar")
    månader = dict(
        Nyckeltalsvärde.objects.filter(nyckeltal=tid, typ="utfall_månad", år=2024).values_list("månad", "värde")
    )
    assert månader == {m: Decimal(4000 + m - 1) for m in range(1, 13)}
    sb = Nyckeltal.objects.get(namn="Antal brukare totalt", grupp__namn="Särskilt boende")
    assert Nyckeltalsvärde.objects.get(nyckeltal=sb, typ="utfall_månad", år=2023, månad=12).värde == 141
    assert Nyckeltalsvärde.objects.get(nyckeltal=sb, typ="utfall_helår", år=2022).värde == 146


def test_volymer_numeriska_månadsrubriker_och_tvetydigt_namn(client_admin, omsorg):
    innehåll = xlsx(
        (
            "Blad1",
            [
                ["Nyckeltal", "År", *range(1, 13)],
                ["Antal brukare totalt", 2024, 1, *([None] * 11)],  # in two områden
                ["Beviljade timmar", 2024, -5, *([None] * 11)],  # cannot be negative
                ["Beviljade timmar", 2024, None, "abc", *([None] * 10)],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "volymer", "v.xlsx", innehåll))
    fel = {f[1]: f for f in g["fel"]}
    assert "finns i flera områden (Hemtjänst, Särskilt boende). Fyll i kolumnen Område." in fel["2"][3]
    assert fel["3"][2] == "C (1)" and "kan inte vara negativt" in fel["3"][3]
    assert fel["4"][2:] == ["D (2)", "Texten ”abc” är inget tal."]


def test_volymer_lång_layout_csv(client_admin, omsorg):
    csv = (
        "Område;Nyckeltal;Typ;År;Månad;Värde\n"
        "Hemtjänst;Beviljade timmar;Prognos;2024;;51000\n"
        "Hemtjänst;Beviljade timmar;Utfall månad;2024;mars;4321,5\n"
    ).encode()
    importera(client_admin, omsorg, "volymer", "v.csv", csv)
    tid = Nyckeltal.objects.get(namn="Beviljade timmar")
    assert Nyckeltalsvärde.objects.get(nyckeltal=tid, typ="prognos", år=2024).värde == 51000
    assert Nyckeltalsvärde.objects.get(nyckeltal=tid, typ="utfall_månad", år=2024, månad=3).värde == Decimal("4321.5")


# --- indikatorer ----------------------------------------------------------------------------------


def test_indikatormall(client_admin, omsorg):
    Indikatorvärde.objects.filter(indikator__kolada_id="U21468", år=2022).update(källa="Kolada")
    innehåll = xlsx(
        (
            "Indikatorer",
            [
                ["Indikator", "Kolada-id", "År", "Totalt", "Kvinnor", "Män"],
                [None, "U21468", 2024, 95, 96, "94,5"],
                [None, "U21468", 2022, 86, None, None],  # a revision of totalt; K/M left as they are
                ["Nöjdhet hemtjänst", None, 2024, 93, None, None],  # by name; a new year
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "indikatorer", "ind.xlsx", innehåll))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"]) == (2, 1)
    assert bekräfta(client_admin, g).status_code == 302
    v = Indikatorvärde.objects.get(indikator__kolada_id="U21468", år=2024)
    assert (v.totalt, v.kvinnor, v.män, v.källa) == (95, 96, Decimal("94.5"), "")
    v22 = Indikatorvärde.objects.get(indikator__kolada_id="U21468", år=2022)
    # our own figure: no longer labelled Kolada (Kolada's terms); K/M untouched
    assert (v22.totalt, v22.kvinnor, v22.män, v22.källa) == (86, 85, 85, "")
    assert Indikatorvärde.objects.get(indikator__namn="Nöjdhet hemtjänst", år=2024).totalt == 93


# --- permissions, bad files, templates ------------------------------------------------------------


def test_behörighet_läsare_403_annan_kommun_404(client, läsare, läsare_annan, annan_kommun, omsorg):
    url = reverse("mallimport-ladda-upp", args=[omsorg.pk, "budget"])
    assert client.get(url).status_code == 302  # not logged in → login
    client.force_login(läsare)
    assert client.get(url).status_code == 403
    assert client.post(url, {"fil": SimpleUploadedFile("b.csv", b"x")}).status_code == 403
    assert client.get(reverse("mallimport", args=[omsorg.pk])).status_code == 403
    client.force_login(factories.admin(annan_kommun))
    assert client.get(url).status_code == 404
    egen = Nämnd.objects.get(kommun=annan_kommun)
    assert client.get(reverse("mallimport-ladda-upp", args=[egen.pk, "budget"])).status_code == 200


def test_controller_utan_importrätt_403(client, ekeby, omsorg):
    client.force_login(factories.controller(ekeby.kommun, nämnder=[omsorg], får_importera=False))
    assert client.get(reverse("mallimport-ladda-upp", args=[omsorg.pk, "budget"])).status_code == 403


def test_annan_användares_granskning_404(client, client_admin, omsorg, ekeby):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Anhörigstöd", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))
    client.force_login(factories.admin(ekeby.kommun))
    assert client.post(g["url"], {"åtgärd": "bekräfta", "fingeravtryck": g["fingeravtryck"]}).status_code == 404


@pytest.mark.parametrize(
    "filnamn,innehåll,text",
    [
        ("budget.xlsx", b"%PDF-1.4 en pdf med fel namn", "Filen är en PDF-fil, inte en Excel- eller CSV-fil."),
        ("budget.xlsx", b"PK\x03\x04 trasig zip", "Filen är skadad"),
        (
            "budget.csv",
            "Något;Annat\n1;2\n".encode(),
            "saknas. Rubrikerna på rad 1 är: Något, Annat.",
        ),
    ],
)
def test_trasig_fil_ger_tydligt_fel(client_admin, omsorg, filnamn, innehåll, text):
    svar = ladda_upp(client_admin, omsorg, "budget", filnamn, innehåll)
    assert text in svar.content.decode()
    assert not granskning(svar)["kan_bekräftas"]
    assert Import.objects.get().status == Import.Status.FEL


def test_formel_utan_sparat_värde_ger_fel_i_cellen(client_admin, omsorg):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws.append(BUDGETRUBRIKER[:5])
    ws.append(["Anhörigstöd", 2025, "KF-budget", "=1+1", ""])  # openpyxl stores no cached value
    ut = io.BytesIO()
    wb.save(ut)
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", ut.getvalue()))
    assert g["fel"][0][:3] == ["Budget", "2", "D (Belopp helår (kr))"]
    assert "formel utan sparat värde" in g["fel"][0][3]


def test_avbryt(client_admin, omsorg):
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Anhörigstöd", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))
    assert client_admin.post(g["url"], {"åtgärd": "avbryt"}).status_code == 302
    assert Import.objects.get().status == Import.Status.AVBRUTEN
    assert client_admin.get(g["url"]).status_code == 410
    assert not Budgetpost.objects.filter(år=2025).exists()


def test_ifylld_budgetmall_kan_importeras_igen_utan_ändringar(client_admin, omsorg):
    r = client_admin.get(reverse("importmall-ifylld", args=[omsorg.pk, "budget", 2023]))
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:2] == ["Budget", "Instruktioner"]
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "ifylld.xlsx", r.content))
    assert g["fel"] == [] and g["ändrade"] == 0 and g["nya"] == 0
    assert g["oförändrade"] == Budgetpost.objects.filter(år=2023, verksamhetsområde__nämnd=omsorg).count()


def test_tolka_rubriker_med_synonymer_och_enheter():
    assert lasare.rubrik_och_enhet("Belopp helår (tkr)") == ("belopp helår", "tkr")
    assert lasare.rubrik_och_enhet("  PROGNOS  helår\u00a0mnkr ") == ("prognos helår", "mnkr")
    assert mallar.bred_kolumn("2023-01") == ("utfall_månad", 2023, 1)
    assert mallar.bred_kolumn("Utfall jan–aug 2023") == ("utfall_delår", 2023, None)
    assert mallar.bred_kolumn("Plan 2024") == ("mål", 2024, None)
    assert mallar.bred_kolumn("Kommentar") is None
    assert mallar.bred_kolumn("mars") == ("utfall_månad", None, 3)
    assert lasare.kolumnbokstav(27) == "AB"


def test_prognos_i_fastställd_delårsrapport_vägras_men_senare_månad_går(client_admin, omsorg):
    import datetime as dt

    from nämnd.models import Rapportlås

    Rapportlås.objects.create(
        nämnd=omsorg,
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
                ["Hemtjänst", "2023-08", 5700],  # 26 000 000 kr stored
                ["Hemtjänst", "2023-10", 5800],
            ],
        )
    )
    g = granskning(ladda_upp(client_admin, omsorg, "prognos", "p.xlsx", innehåll))
    assert [(f[1], f[3]) for f in g["fel"]] == [
        (
            "2",
            f"Delårsrapport 2023 för {omsorg.namn} är fastställd "
            "(2023-09-26, § 87) och låst. För att ändra den måste någon som får "
            "fastställa öppna rapporten för rättelse på sidan Granskning och "
            f"fastställande (/publicering/rapport/{omsorg.pk}/2023/"
            "delårsrapport/).",
        )
    ]
    assert [r[1] for r in g["rader"]] == ["Hemtjänst prognos 2023-10"]


def test_importprofilens_rubriker_används(client_admin, omsorg):
    from importer.models import Importprofil

    profil = Importprofil.objects.create(
        kommun=omsorg.kommun,
        namn="Budgetunderlag från ekonomi",
        typ="budget",
        kolumner={"belopp": "Att fördela", "område": "Enhet"},
    )
    innehåll = xlsx(("Budget", [["Enhet", "År", "Slag", "Att fördela"], ["Anhörigstöd", 2025, "KF-budget", 9]]))
    r = client_admin.post(
        reverse("mallimport-ladda-upp", args=[omsorg.pk, "budget"]),
        {"fil": SimpleUploadedFile("b.xlsx", innehåll), "profil": profil.pk},
    )
    g = granskning(client_admin.get(r["Location"]))
    assert g["fel"] == [] and g["rader"][0][1:] == ["Anhörigstöd 2025 KF-budget", "–", "9"]
    assert Import.objects.get().profil == profil


def test_bekräftelsens_frågor_växer_inte_med_antalet_rader(client_admin, omsorg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    områden = list(
        Verksamhetsområde.objects.filter(nämnd=omsorg, typ="verksamhet", till_år__isnull=True).order_by("pk")
    )
    antal = []
    for år, n in ((2030, 2), (2031, len(områden))):
        rader = [BUDGETRUBRIKER[:5]] + [
            [o.namn, år, slag, 1000 + i, ""] for i, o in enumerate(områden[:n]) for slag in ("KF-budget", "Nämndbudget")
        ]
        g = granskning(ladda_upp(client_admin, omsorg, "budget", f"b{år}.xlsx", xlsx(("Budget", rader))))
        assert g["nya"] == 2 * n
        with CaptureQueriesContext(connection) as frågor:
            assert bekräfta(client_admin, g).status_code == 302
        antal.append(len(frågor))
    assert len(områden) > 10 and antal[0] == antal[1], antal


def test_förhandsgranskning_ändrar_inte_dataversionen_men_bekräftelsen_gör(client_admin, omsorg):
    from nämnd import dataversion

    före = dataversion.version(omsorg.kommun_id)
    innehåll = xlsx(("Budget", [BUDGETRUBRIKER[:5], ["Anhörigstöd", 2025, "KF-budget", 5, ""]]))
    g = granskning(ladda_upp(client_admin, omsorg, "budget", "b.xlsx", innehåll))
    assert dataversion.version(omsorg.kommun_id) == före  # cached reports stay valid
    assert bekräfta(client_admin, g).status_code == 302
    assert dataversion.version(omsorg.kommun_id) > före  # the new figure invalidates them
    assert Import.objects.get().status == Import.Status.GENOMFÖRD
