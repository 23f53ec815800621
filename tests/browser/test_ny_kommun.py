"""A new kommun from an empty installation to its first delårsrapport in Chromium, with only its own files.

Tallmo kommun (invented; kommunkod 2973, amounts in mnkr, costs shown negative, delår per 30 June 2025) has one
nämnd with a three-level tree: Nämnd och förvaltning (ansvar 6010); block Äldreomsorg → verksamhet Hemtjänst →
enheter Hemtjänst Norr (6111) and Hemtjänst Söder (6112), verksamhet Särskilt boende (wildcard 62*); block Individ-
och familjeomsorg → Försörjningsstöd (6310) and Barn och unga (ansvar 6320 with verksamhet 470, 471). Three
kostnadsslag by konto ranges. The test writes five invented files into tmp_path:

1. the organisation file (.xlsx: Nämnder, Verksamhetsområden, Kostnadsslag);
2. a transaction-level utfall export (.csv, jan–jun, a few hundred rows with öre and decimal comma, one row with
   an ansvar no area has);
3. the ansvar + konto budget export (.xlsx, Årsbudget) for Nämnd och förvaltning and Äldreomsorg;
4. a periodised ansvar + konto budget (.xlsx, Årsbudget and "Budget jan–jun (kr)" in kronor with odd öre) for
   Individ- och familjeomsorg;
5. a prognos per ansvar with comments (.xlsx, no Månad column: the prognostillfälle 2025-06 is chosen on upload).

The installation's superuser creates the kommun and its first administrator on "Ny kommun"; the administrator
logs in and only clicks links from the checklist (and the "Start" link back to it) through the organisation
import, the report occasions (delår per June), both budgets, the utfall, the prognos and the delårsrapport.

**Counting rule.** Every POST that is a navigation request is recorded (Playwright ``request`` events). Not
counted as forms: the login form (``/logga-in/``) and the *file steps* — the upload of one of the kommun's own
files (a multipart POST to the organisation, template or utfall import page) and the confirm of its preview
(``åtgärd=bekräfta`` on that import's preview). Every other POST is a form (Ny kommun, the report occasions, a
column mapping or a code added in a preview, …); the issue allows at most 10. The test prints
"forms: N, file steps: M" and asserts 10 file steps (five files, each uploaded and confirmed once).
"""

from __future__ import annotations

import csv
import io
import random
import re
import time
from collections import defaultdict
from decimal import Decimal as D
from urllib.parse import urlparse

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from ekonomi.models import Budgetpost, Prognos, Utfall
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from rapporter.format import Presentation
from tests.browser.conftest import LÖSENORD, logga_in

pytestmark = pytest.mark.postgres

KOMMUN, KOD, ÅR = "Tallmo kommun", "2973", 2025
NÄMND = "Vård- och omsorgsnämnden"
ADMIN = "tallmo-admin"
ÅB, IFO = "Äldreomsorg", "Individ- och familjeomsorg"
MNKR = Presentation("mnkr", kostnader_negativa=True)

# (name, parent path, type, ansvarskoder, verksamhetskoder)
OMRÅDEN = [
    ("Nämnd och förvaltning", None, "verksamhet", "6010", None),
    (ÅB, None, "block", None, None),
    ("Hemtjänst", ÅB, "verksamhet", None, None),
    ("Hemtjänst Norr", f"{ÅB} / Hemtjänst", "enhet", "6111", None),
    ("Hemtjänst Söder", f"{ÅB} / Hemtjänst", "enhet", "6112", None),
    ("Särskilt boende", ÅB, "verksamhet", "62*", None),
    (IFO, None, "block", None, None),
    ("Försörjningsstöd", IFO, "verksamhet", "6310", None),
    ("Barn och unga", IFO, "verksamhet", "6320", "470, 471"),
]
# The leaf each (ansvar, vht) of the files lands on.
LÖV = {
    ("6010", ""): "Nämnd och förvaltning",
    ("6111", ""): "Hemtjänst Norr",
    ("6112", ""): "Hemtjänst Söder",
    ("6205", ""): "Särskilt boende",
    ("6210", ""): "Särskilt boende",
    ("6310", ""): "Försörjningsstöd",
    ("6320", "470"): "Barn och unga",
    ("6320", "471"): "Barn och unga",
}
OKODAD = ("202503", "6999", "", "4610", "Leverantör 7788", "Felkonterad faktura", D("123456.78"))
# konto → (kostnadsslag, sign: intäkter negative in the ekonomisystem's files)
KONTON = {"5010": 1, "5410": 1, "4610": 1, "6110": 1, "3510": -1}
KOMMENTAR = "Fler placeringar än budgeterat under våren; åtgärdsplan beslutas i september."


def kr(text: str) -> D:
    return D(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def svensk(belopp: D) -> str:
    return f"{belopp:.2f}".replace(".", ",")


def spara_xlsx(sökväg, blad: list[tuple[str, list[list]]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for namn, rader in blad:
        ws = wb.create_sheet(namn)
        for rad in rader:
            ws.append(rad)
    wb.save(sökväg)


def skriv_filer(mapp) -> dict:
    """The five invented files and what they hold, summed per leaf area (kronor)."""
    rng = random.Random(2973)
    filer = {}

    # 1. Organisation
    filer["organisation"] = mapp / "tallmo-organisation.xlsx"
    spara_xlsx(
        filer["organisation"],
        [
            ("Nämnder", [["Namn", "Giltig från", "Giltig till", "Föregångare"], [NÄMND, "2023-01-01", None, None]]),
            (
                "Verksamhetsområden",
                [
                    ["Nämnd", "Namn", "Förälder", "Typ", "Ordning", "Ansvarskoder", "Verksamhetskoder"],
                    *[
                        [NÄMND, namn, förälder, typ, 10 * (i + 1), ansvar, vht]
                        for i, (namn, förälder, typ, ansvar, vht) in enumerate(OMRÅDEN)
                    ],
                ],
            ),
            (
                "Kostnadsslag",
                [
                    ["Namn", "Typ", "Ordning", "Konton"],
                    ["Intäkter", "intäkt", 10, "3000-3999"],
                    ["Personal", "kostnad", 20, "5000-5999"],
                    ["Övriga kostnader", "kostnad", 30, "4000-4999, 6000-7999"],
                ],
            ),
        ],
    )

    # 2. Utfall jan–jun: transaction rows with öre, decimal comma, costs positive and intäkter negative.
    utfall: dict[str, D] = defaultdict(D)
    rader = []
    for månad in range(1, 7):
        for (ansvar, vht), löv in LÖV.items():
            for konto, tecken in KONTON.items():
                for _ in range(rng.choice((1, 1, 2))):
                    belopp = D(rng.randint(5_000_00, 900_000_00)) / 100 * tecken
                    if tecken < 0:
                        belopp = belopp / 10
                    belopp = belopp.quantize(D("0.01"))
                    utfall[löv] += belopp
                    rader.append(
                        [
                            f"2025{månad:02d}",
                            ansvar,
                            vht,
                            konto,
                            f"Leverantör {rng.randint(1000, 9999)}",
                            f"Verifikation {rng.randint(10000, 99999)}",
                            svensk(belopp),
                        ]  # fmt: skip
                    )
    rader.insert(len(rader) // 2, [*OKODAD[:6], svensk(OKODAD[6])])
    filer["utfall"] = mapp / "huvudbok-2025-01-06.csv"
    with open(filer["utfall"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Period", "Ansvar", "Vht", "Konto", "Motpart", "Text", "Belopp"])
        w.writerows(rader)

    # 3. Ansvar + konto budget (helår) for Nämnd och förvaltning and Äldreomsorg; the rest of the year by the
    # default (even) spread: period jan–jun = half the year.
    helår: dict[str, D] = defaultdict(D)
    budget3 = []
    for ansvar in ("6010", "6111", "6112", "6210"):
        for konto, tecken in KONTON.items():
            belopp = D(rng.randint(2_000_000, 40_000_000)) * tecken / (10 if tecken < 0 else 1)
            helår[LÖV[(ansvar, "")]] += belopp
            budget3.append([ansvar, konto, ÅR, belopp])
    filer["budget"] = mapp / "budget-ansvar-konto-2025.xlsx"
    spara_xlsx(filer["budget"], [("Budget", [["Budgetexport 2025"], ["Ansvar", "Konto", "År", "Årsbudget"], *budget3])])

    # 4. Periodised budget for Individ- och familjeomsorg: the period jan–jun in kronor with odd öre.
    period: dict[str, D] = defaultdict(D)
    budget4 = []
    for ansvar, vht in (("6310", ""), ("6320", "470"), ("6320", "471")):
        for konto, tecken in KONTON.items():
            år_kr = D(rng.randint(1_000_000_00, 30_000_000_00)) / 100 * tecken / (10 if tecken < 0 else 1)
            år_kr = år_kr.quantize(D("0.01"))
            p_kr = (år_kr * D(rng.randint(40, 60)) / 100).quantize(D("0.01")) + D("0.07")
            helår[LÖV[(ansvar, vht)]] += år_kr
            period[LÖV[(ansvar, vht)]] += p_kr
            budget4.append([ansvar, vht or None, konto, ÅR, år_kr, p_kr])
    filer["periodbudget"] = mapp / "budget-periodiserad-jan-jun-2025.xlsx"
    spara_xlsx(
        filer["periodbudget"],
        [("Export", [["Ansvar", "Vht", "Konto", "År", "Årsbudget (kr)", "Budget jan–jun (kr)"], *budget4])],
    )

    # 5. Prognos per ansvar with comments, no Månad column.
    prognos = {
        "Nämnd och förvaltning": ("6010", ""),
        "Hemtjänst Norr": ("6111", ""),
        "Hemtjänst Söder": ("6112", ""),
        "Särskilt boende": ("6210", ""),
        "Försörjningsstöd": ("6310", ""),
        "Barn och unga": ("6320", "470"),
    }
    prognosbelopp = {löv: (helår[löv] * D(rng.randint(98, 106)) / 100).quantize(D(1)) for löv in prognos}
    filer["prognos"] = mapp / "prognos-per-ansvar.xlsx"
    spara_xlsx(
        filer["prognos"],
        [
            (
                "Prognos",
                [
                    ["Ansvar", "Verksamhetskod", "Helårsprognos", "Kommentar"],
                    *[
                        [a, v or None, prognosbelopp[löv], KOMMENTAR if löv == "Barn och unga" else None]
                        for löv, (a, v) in prognos.items()
                    ],
                ],
            )
        ],
    )
    antal = {"utfall": len(rader), "budget": len(budget3), "periodbudget": len(budget4), "prognos": len(prognos)}
    return {
        "filer": filer,
        "utfall": utfall,
        "helår": helår,
        "period": period,
        "prognos": prognosbelopp,
        "antal": antal,
    }


def summa(per_löv: dict[str, D], löv: list[str]) -> D:
    return sum((per_löv.get(n, D(0)) for n in löv), D(0))


FILSTEG = re.compile(r"^/import/(organisation|mallar|utfall)/")
BEKRÄFTA = "%C3%A5tg%C3%A4rd=bekr%C3%A4fta"  # åtgärd=bekräfta, URL-encoded


def slag_av_post(r) -> str:
    """ "inloggning", "fil" (a file uploaded to an import page, or its preview confirmed) or "formulär"."""
    sökväg = urlparse(r.url).path
    if sökväg == "/logga-in/":
        return "inloggning"
    if FILSTEG.match(sökväg) and (
        r.headers.get("content-type", "").startswith("multipart/form-data") or BEKRÄFTA in (r.post_data or "")
    ):
        return "fil"
    return "formulär"  # anything else: Ny kommun, settings, a column mapping, a code added in a preview, …


def test_ny_kommun_till_första_delårsrapporten(sida, live_server, tmp_path, settings):
    """From an installation with only a superuser to Tallmo's delårsrapport per 30 June 2025, counting forms."""
    from playwright.sync_api import expect

    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")
    start = time.monotonic()
    assert not Kommun.objects.exists()
    data = skriv_filer(tmp_path)
    assert all(n <= 5000 for n in data["antal"].values()) and data["antal"]["utfall"] >= 200, data["antal"]

    inskickade: list[tuple[str, str]] = []  # (path, kind) of every POST navigation

    def post(r) -> None:
        if r.method == "POST" and r.is_navigation_request():
            inskickade.append((urlparse(r.url).path, slag_av_post(r)))

    sida.on("request", post)

    def klicka(namn: str) -> None:
        with sida.expect_navigation():
            sida.get_by_role("link", name=namn, exact=True).first.click()

    def skicka(knapp: str) -> None:
        with sida.expect_navigation():
            sida.get_by_role("button", name=knapp, exact=True).click()

    def till_checklistan() -> None:
        klicka("Start")
        klicka(f"Kom igång med {KOMMUN}")
        expect(sida.locator("h1")).to_have_text(f"Kom igång med {KOMMUN}")

    def importera(
        länk: str, fil, etikett: str | re.Pattern = "Fil", knapp: str = "Förhandsgranska", prognostillfälle=None
    ):
        till_checklistan()
        klicka(länk)
        sida.get_by_label(etikett, exact=isinstance(etikett, str)).set_input_files(str(fil))
        if prognostillfälle:
            sida.get_by_label(re.compile("^Prognostillfälle")).fill(prognostillfälle)
        skicka(knapp)
        expect(sida.locator("h1")).to_contain_text("Förhandsgranskning")
        assert sida.locator("table#fel").count() == 0, sida.locator("table#fel").inner_text()
        skicka("Bekräfta importen")

    # The installation's superuser: Ny kommun (kommun + first administrator in one form).
    superanvändare = get_user_model().objects.create_superuser("installation", password=LÖSENORD)
    logga_in(sida, superanvändare)
    klicka("Ny kommun")
    sida.fill("#id_namn", KOMMUN)
    sida.fill("#id_kommunkod", KOD)
    sida.select_option("#id_beloppsenhet", "mnkr")
    sida.check("#id_kostnader_negativa")
    sida.fill("#id_användarnamn", ADMIN)
    sida.fill("#id_förnamn", "Tove")
    sida.fill("#id_efternamn", "Tallberg")
    sida.fill("#id_lösenord1", "Tallmo-ekonomi-2025")
    sida.fill("#id_lösenord2", "Tallmo-ekonomi-2025")
    skicka("Lägg upp kommunen")
    expect(sida.locator("h1")).to_have_text(f"Kom igång med {KOMMUN}")

    # The administrator takes over.
    sida.context.clear_cookies()
    logga_in(sida, ADMIN, "Tallmo-ekonomi-2025")
    kommun = Kommun.objects.get(kommunkod=KOD)
    assert (kommun.beloppsenhet, kommun.kostnader_negativa) == ("mnkr", True)

    # 1. Organisation
    importera("Importera organisationen", data["filer"]["organisation"])
    expect(sida.locator("h1")).to_contain_text("organisation")
    nämnd = Nämnd.objects.get(kommun=kommun)
    assert Verksamhetsområde.objects.filter(nämnd=nämnd).count() == len(OMRÅDEN)
    till_checklistan()
    expect(sida.locator("#steg-organisation")).to_contain_text("Klart")

    # Delår per 30 June: the report occasions.
    klicka("Rapporttillfällen")
    sida.get_by_label("Sista månad för delårsrapport").select_option(label="juni")
    skicka("Spara")

    # 2.–5. Budget per ansvar and konto, the periodised budget, utfall, prognos.
    importera(f"Budget per ansvar och konto – {NÄMND}", data["filer"]["budget"])
    importera(f"Budget per ansvar och konto – {NÄMND}", data["filer"]["periodbudget"])
    importera(
        f"Importera utfall – {NÄMND}",
        data["filer"]["utfall"],
        etikett=re.compile("^Fil från ekonomisystemet"),
        knapp="Ladda upp och förhandsgranska",
    )
    expect(sida.locator("#status")).to_have_text("Genomförd")
    importera(f"Helårsprognos – {NÄMND}", data["filer"]["prognos"], prognostillfälle="2025-06")

    # The first delårsrapport, from the checklist.
    till_checklistan()
    expect(sida.locator("#steg-budget")).to_contain_text("Klart")
    expect(sida.locator("#steg-utfall")).to_contain_text("Klart")
    klicka(f"Delårsrapport {ÅR} – {NÄMND}")
    expect(sida.locator("h1")).to_contain_text("Delårsrapport")
    expect(sida.locator("body")).to_contain_text("30 juni 2025")
    html = sida.content().encode()

    # What the files say, per row of the report (areas summed over their leaves), in the kommun's mnkr.
    löv_under = {
        "Nämnd och förvaltning": ["Nämnd och förvaltning"],
        "Hemtjänst": ["Hemtjänst Norr", "Hemtjänst Söder"],
        "Särskilt boende": ["Särskilt boende"],
        ÅB: ["Hemtjänst Norr", "Hemtjänst Söder", "Särskilt boende"],
        "Försörjningsstöd": ["Försörjningsstöd"],
        "Barn och unga": ["Barn och unga"],
        IFO: ["Försörjningsstöd", "Barn och unga"],
    }
    periodbudget = {
        löv: data["period"][löv] if löv in data["period"] else data["helår"][löv] / 2 for löv in data["helår"]
    }

    def förväntat(per_löv: dict[str, D], namn: str) -> D:
        return summa(per_löv, löv_under[namn])

    drift = radtexter(html, f"drift-{nämnd.id}")
    for namn in löv_under:
        rad = f"Summa {namn}" if namn in (ÅB, IFO) else namn
        budget, utfall = förväntat(periodbudget, namn), förväntat(data["utfall"], namn)
        assert drift[rad] == ["–", MNKR.kostnad(budget), "–", MNKR.kostnad(utfall), MNKR.avvikelse(budget - utfall)], (
            rad
        )
    okodad = OKODAD[6]
    assert drift["Ej fördelat"] == ["–", "–", "–", MNKR.kostnad(okodad), MNKR.avvikelse(-okodad)]
    alla_budget, alla_utfall = sum(periodbudget.values(), D(0)), sum(data["utfall"].values(), okodad)
    assert drift["Summa"] == [
        "–", MNKR.kostnad(alla_budget), "–", MNKR.kostnad(alla_utfall), MNKR.avvikelse(alla_budget - alla_utfall)
    ]  # fmt: skip
    helår = radtexter(html, f"helar-{nämnd.id}")
    for namn in löv_under:
        rad = f"Summa {namn}" if namn in (ÅB, IFO) else namn
        budget, prognos = förväntat(data["helår"], namn), förväntat(data["prognos"], namn)
        assert helår[rad][1:5] == [
            MNKR.kostnad(budget), "–", MNKR.kostnad(prognos), MNKR.avvikelse(budget - prognos)
        ], rad  # fmt: skip
    text = sida.locator("main").inner_text()
    assert KOMMENTAR in text.split("Kommentarer till avvikelser", 1)[1], "prognoskommentaren saknas"

    # Behind the rounding: the stored figures are the files' to the öre. Each leaf's utfall is its rows summed;
    # "Ej fördelat" holds the uncoded row and nothing else; the period budget of the periodised file is exact.
    lagrat: dict[str, D] = defaultdict(D)
    for namn, belopp in Utfall.objects.filter(verksamhetsområde__nämnd=nämnd, år=ÅR).values_list(
        "verksamhetsområde__namn", "belopp"
    ):
        lagrat[namn] += belopp
    assert lagrat == {**data["utfall"], "Ej fördelat": okodad}
    for namn, period in data["period"].items():
        poster = Budgetpost.objects.filter(verksamhetsområde__nämnd=nämnd, verksamhetsområde__namn=namn, år=ÅR)
        assert sum((m or D(0) for p in poster for m in (p.månader or ())[:6]), D(0)) == period, namn
        assert sum(p.belopp for p in poster) == data["helår"][namn], namn
    assert Prognos.objects.get(verksamhetsområde__namn="Barn och unga", år=ÅR, månad=6).kommentar == KOMMENTAR

    # The table's Excel export, linked from the report: the period budget to the krona.
    with sida.expect_download() as nedladdning:
        sida.get_by_role("link", name=re.compile("^Ladda ner Driftredovisning")).first.click()
    blad = openpyxl.load_workbook(io.BytesIO(nedladdning.value.path().read_bytes())).worksheets[0]
    export = {r[0].value: [D(repr(c.value)) if c.value is not None else None for c in r[1:]] for r in blad.iter_rows(2)}
    for namn in ("Försörjningsstöd", "Barn och unga", IFO):
        budget_mnkr, utfall_mnkr = (export[f"Summa {namn}" if namn == IFO else namn][i] or D(0) for i in (1, 3))
        assert (budget_mnkr * 1_000_000).quantize(D("0.01")) == -förväntat(periodbudget, namn), namn  # costs < 0
        assert (utfall_mnkr * 1_000_000).quantize(D("0.01")) == -förväntat(data["utfall"], namn), namn

    filsteg = [p for p, slag in inskickade if slag == "fil"]
    formulär = [p for p, slag in inskickade if slag == "formulär"]
    print(f"forms: {len(formulär)}, file steps: {len(filsteg)} (forms: {', '.join(formulär)})")
    assert len(filsteg) == 10  # five files, each uploaded and confirmed once
    assert len(formulär) <= 10, formulär
    assert not sida.konsolfel, sida.konsolfel
    print(f"{time.monotonic() - start:.0f} s in the browser")


def radtexter(html: bytes, id: str) -> dict[str, list[str]]:
    """A report table's rows as shown: row header → cell texts."""
    from bs4 import BeautifulSoup

    t = BeautifulSoup(html, "html.parser").find("table", id=id)
    assert t is not None, f"tabell {id} saknas"
    return {
        th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in t.find_all("tr")
        if (th := tr.find("th", scope="row"))
    }
