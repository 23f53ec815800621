"""Every report shape of issue 13's list as a stored layout on an invented kommun, rendered as HTML and Excel
(and once as PDF) with the same figures.

The figures are chosen so that the expected values are plain Decimal arithmetic here: budgets divisible by 12,
utfall the same amount each month. Amounts in kronor; ``K`` = 1 000 kr (tkr), ``M`` = 1 000 000 kr (mnkr).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from ekonomi.models import Budgetpost, Investering, Investeringsprognos, Investeringsutgift, Prognos, Utfall
from nyckeltal.models import Nyckeltalsvärde
from nämnd.models import Kommun, Nämnd, Rapporttillfälle, Verksamhetsområde
from rapporter import kontroller, layouter
from rapporter.rapport import bygg_rapport
from tests import factories
from tests.rapporter import test_rapport

pytestmark = pytest.mark.django_db

ÅR = 2024
K = Decimal(1000)
M = Decimal(1_000_000)


# --- building blocks ----------------------------------------------------------------------------------------


def område(nämnd: Nämnd, namn: str, typ: str = "verksamhet", förälder=None) -> Verksamhetsområde:
    return factories.VerksamhetsområdeFactory(nämnd=nämnd, namn=namn, typ=typ, förälder=förälder)


def siffror(
    o: Verksamhetsområde,
    *,
    budget: Decimal | None = None,
    per_månad: Decimal | None = None,
    månader=range(1, 9),
    fg: Decimal | None = None,
    prognos: Decimal | None = None,
    prognosmånad: int = 8,
    tillägg: Decimal | None = None,
    kategori: str = "",
    volym: Decimal | None = None,
    peng: Decimal | None = None,
) -> None:
    """KF-budget ``budget`` for the year (even spread), utfall ``per_månad`` in ``månader``, last year's utfall
    ``fg`` in each of its 12 months, a helårsprognos made in ``prognosmånad``, a tillägg."""
    if budget is not None:
        Budgetpost.objects.create(
            verksamhetsområde=o, år=ÅR, slag="kf", belopp=budget, kategori=kategori, volym=volym, peng=peng
        )
    if tillägg is not None:
        Budgetpost.objects.create(
            verksamhetsområde=o, år=ÅR, slag="tillägg", belopp=tillägg, kategori=kategori, kommentar="Tillägg"
        )
    if per_månad is not None:
        Utfall.objects.bulk_create(
            Utfall(verksamhetsområde=o, år=ÅR, månad=m, belopp=per_månad, kategori=kategori) for m in månader
        )
    if fg is not None:
        Utfall.objects.bulk_create(
            Utfall(verksamhetsområde=o, år=ÅR - 1, månad=m, belopp=fg, kategori=kategori) for m in range(1, 13)
        )
    if prognos is not None:
        Prognos.objects.create(verksamhetsområde=o, år=ÅR, månad=prognosmånad, belopp=prognos)


def kommun(namn: str, **kw) -> Kommun:
    return factories.KommunFactory(namn=namn, kommunkod="9950", **kw)


def nämnd(k: Kommun, namn: str = "Vård- och omsorgsnämnden", **kw) -> Nämnd:
    return factories.NämndFactory(kommun=k, namn=namn, **kw)


def spara(k: Kommun, typ: str, sektioner: list[dict]) -> None:
    layouter.spara(factories.admin(k), k, typ, sektioner)


def drift(rubrik: str, id: str, kolumner: list[str], **parametrar) -> dict:
    return {
        "typ": "drift",
        "rubrik": rubrik,
        "parametrar": {"id": id, "kolumner": [{"mått": m, "rubrik": ""} for m in kolumner], **parametrar},
    }


def sida(client, n: Nämnd, typ: str = "delårsrapport") -> bytes:
    r = client.get(reverse("rapport", args=[n.id, ÅR, typ]))
    assert r.status_code == 200
    return r.content


def excel(client, n: Nämnd, nyckel: str, typ: str = "delårsrapport") -> list[list[list]]:
    """The export of one report table: its sheets in order (one per table of the section, then "Om tabellen"),
    each as rows with the heading row first."""
    r = client.get(reverse("export-tabell", args=[n.id, ÅR, typ, nyckel]))
    assert r.status_code == 200, r.content[:300]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.worksheets[-1].title == "Om tabellen"
    return [[[c.value for c in rad] for rad in ws.iter_rows()] for ws in wb.worksheets]


def avrunda(v, decimaler: int) -> Decimal | None:
    if v is None:
        return None
    return Decimal(repr(v)).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)


def samma_siffror(html_rader: list[tuple[str, list]], blad: list[list], decimaler: list[int]) -> None:
    """The sheet (heading row first) has the HTML table's rows with the same figures, each rounded as the HTML
    shows it (``decimaler`` per column)."""
    n = len(decimaler)
    excelrader = [
        (rad[0], [avrunda(v, d) for v, d in zip(rad[1 : n + 1], decimaler, strict=True)])
        for rad in blad[1:]
        if any(v is not None for v in rad[1 : n + 1])
    ]
    html = [(namn, värden) for namn, värden in html_rader if any(v is not None for v in värden)]
    assert excelrader == html


def tabellrader(html: bytes, id: str) -> list[tuple[str, list]]:
    """(row header, cell values) of a report table; "6,7 %" as Decimal 6.7."""

    def tal(v):
        if isinstance(v, str) and v.endswith("\u00a0%"):
            return test_rapport.tal(v[:-2])
        return v

    return [(namn, [tal(v) for v in värden]) for namn, värden in test_rapport.tabellrader(html, id)]


def tabell(html: bytes, id: str) -> dict[str, list]:
    return dict(tabellrader(html, id))


def tabellfel(user, n: Nämnd, typ: str = "delårsrapport") -> list[str]:
    """What the report's checks of printed tables (subtotals, the sign of budgetavvikelse) find."""
    return [f.text for f in kontroller.granska(bygg_rapport(user, n, ÅR, typ)) if f.kod in ("delsumma", "tecken")]


def rubriker(html: bytes, id: str) -> list[str]:
    t = BeautifulSoup(html, "html.parser").find("table", id=id)
    assert t is not None, f"tabell {id} saknas"
    return [th.get_text(" ", strip=True) for th in t.find("thead").find_all("th")][1:]


def tkr(kr: Decimal) -> Decimal:
    return (kr / K).quantize(Decimal(1), ROUND_HALF_UP)


def mnkr(kr: Decimal) -> Decimal:
    return (kr / M).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- a: per område and per enhet ------------------------------------------------------------------------------

# Norrvik: block Äldreomsorg → verksamhet Hemtjänst → enheter Hemtjänst norr and söder; verksamhet Särskilt
# boende in the block; verksamhet LSS outside it. (budget, utfall per month 1–8, prognos) in kronor.
NORRVIK = {
    "Hemtjänst norr": (Decimal(1_200_000), Decimal(110_000), Decimal(1_320_000)),
    "Hemtjänst söder": (Decimal(2_400_000), Decimal(190_000), Decimal(2_300_000)),
    "Särskilt boende": (Decimal(6_000_000), Decimal(520_000), Decimal(6_300_000)),
    "LSS": (Decimal(3_600_000), Decimal(300_000), Decimal(3_600_000)),
}
PER_ENHET = ["utfall", "budget", "avvikelse", "budget_helår", "prognos", "avvikelse_helår"]


def norrvik():
    k = kommun("Norrviks kommun")
    n = nämnd(k)
    äldre = område(n, "Äldreomsorg", "block")
    hemtjänst = område(n, "Hemtjänst", förälder=äldre)
    ids = {"Äldreomsorg": äldre.id, "Hemtjänst": hemtjänst.id}
    for namn, förälder, typ in (
        ("Hemtjänst norr", hemtjänst, "enhet"),
        ("Hemtjänst söder", hemtjänst, "enhet"),
        ("Särskilt boende", äldre, "verksamhet"),
        ("LSS", None, "verksamhet"),
    ):
        o = område(n, namn, typ, förälder)
        ids[namn] = o.id
        budget, per_månad, prognos = NORRVIK[namn]
        siffror(o, budget=budget, per_månad=per_månad, prognos=prognos)
    return k, n, ids


def väntat(*namn: str) -> list[Decimal]:
    """The PER_ENHET columns in tkr for the sum of ``namn`` (delår jan–aug)."""
    budget = sum((NORRVIK[x][0] for x in namn), Decimal(0))
    utfall = sum((NORRVIK[x][1] * 8 for x in namn), Decimal(0))
    prognos = sum((NORRVIK[x][2] for x in namn), Decimal(0))
    period = budget * 8 / 12
    return [tkr(v) for v in (utfall, period, period - utfall, budget, prognos, budget - prognos)]


def test_per_område_och_per_enhet_med_kommunens_summarader(client):
    k, n, ids = norrvik()
    spara(
        k,
        "delårsrapport",
        [
            drift(
                "Ekonomiskt resultat",
                "drift",
                PER_ENHET,
                rader={"hopslagna": [ids["Äldreomsorg"]], "summa_etikett": "Totalt"},
            ),
            drift(
                "Äldreomsorg per enhet",
                "enheter",
                PER_ENHET,
                rader={
                    "rötter": [ids["Äldreomsorg"]],
                    "ned_till": "enhet",
                    "delsummor": ["block", "verksamhet"],
                    "delsumma_etikett": "Resultat {namn}",
                    "summa_etikett": "Totalt äldreomsorg",
                },
            ),
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    huvud = tabellrader(html, f"drift-{n.id}")
    assert huvud == [
        ("Äldreomsorg", väntat("Hemtjänst norr", "Hemtjänst söder", "Särskilt boende")),
        ("LSS", väntat("LSS")),
        ("Totalt", väntat(*NORRVIK)),
    ]
    assert rubriker(html, f"drift-{n.id}") == [
        "Nettokostnad jan–aug 2024",
        "Budget inkl. tillägg jan–aug 2024",
        "Budgetavvikelse",
        "Budget 2024",
        "Prognos nettokostnad 2024",
        "Prognos budgetavvikelse 2024",
    ]
    enheter = tabellrader(html, f"enheter-{n.id}")
    assert enheter == [
        ("Hemtjänst norr", väntat("Hemtjänst norr")),
        ("Hemtjänst söder", väntat("Hemtjänst söder")),
        ("Resultat Hemtjänst", väntat("Hemtjänst norr", "Hemtjänst söder")),
        ("Särskilt boende", väntat("Särskilt boende")),
        ("Resultat Äldreomsorg", väntat("Hemtjänst norr", "Hemtjänst söder", "Särskilt boende")),
        ("Totalt äldreomsorg", väntat("Hemtjänst norr", "Hemtjänst söder", "Särskilt boende")),
    ]
    # The block is one row in the main table and broken down in its own; the same figure in both.
    assert huvud[0][1] == enheter[-1][1]
    blad = excel(client, n, "enheter")
    assert len(blad) == 2  # the table and "Om tabellen"
    samma_siffror(enheter, blad[0], [0] * 6)
    samma_siffror(huvud, excel(client, n, "drift")[0], [0] * 6)
    assert tabellfel(factories.läsare(k), n) == []


# --- b: budget kinds, mnkr, signs per kind ---------------------------------------------------------------------

# (kategori, KF-budget, tillägg, utfall per month 1–8, last year per month) in kronor.
ÅDALA = {
    "Myndighet": ("anslag", Decimal(3_000_000), Decimal(1_500_000), Decimal(350_000), Decimal(300_000)),
    "Hemtjänst": ("volym", Decimal(6_000_000), None, Decimal(550_000), Decimal(500_000)),
    "Boende": ("egen_regi", Decimal(9_000_000), None, Decimal(700_000), Decimal(650_000)),
}
KATEGORI = ["utfall_fg", "budget", "tillägg", "utfall", "avvikelse", "avvikelse_procent"]


def ådala(**kw):
    k = kommun("Ådala kommun", **kw)
    n = nämnd(k)
    for namn, (kategori, budget, tillägg, per_månad, fg) in ÅDALA.items():
        siffror(område(n, namn), budget=budget, tillägg=tillägg, per_månad=per_månad, fg=fg, kategori=kategori)
    return k, n


def test_per_budgetkategori_i_mnkr_kostnader_negativa_investeringar_och_tillägg_positiva(client):
    # The kommun's own switch would show every amount negative; the tables choose per kind of amount.
    k, n = ådala(beloppsenhet="tkr", kostnader_negativa=True)
    larm = Investering.objects.create(nämnd=n, år=ÅR, namn="Trygghetslarm", kf_ram=2 * M)
    Investeringsutgift.objects.create(investering=larm, månad=3, belopp=Decimal("0.5") * M)
    Investeringsprognos.objects.create(investering=larm, månad=8, belopp=Decimal("1.8") * M)
    spara(
        k,
        "delårsrapport",
        [
            drift(
                "Driftredovisning per budgetkategori",
                "kategori",
                KATEGORI,
                rader={"gruppering": "budgetkategori", "delsumma_etikett": "Summa {namn}"},
                enhet="mnkr",
                decimaler=1,
                negativa=["kostnad"],
            ),
            {
                "typ": "investeringar",
                "rubrik": "Investeringar",
                "parametrar": {"enhet": "mnkr", "decimaler": 1, "negativa": []},
            },
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)

    def rad(*namn):
        fg = sum((ÅDALA[x][4] * 8 for x in namn), Decimal(0))
        budget = sum((ÅDALA[x][1] * 8 / 12 for x in namn), Decimal(0))
        tillägg = sum((ÅDALA[x][2] * 8 / 12 for x in namn if ÅDALA[x][2]), Decimal(0))
        utfall = sum((ÅDALA[x][3] * 8 for x in namn), Decimal(0))
        avvikelse = budget + tillägg - utfall
        return [
            -mnkr(fg),  # costs negative
            -mnkr(budget + tillägg),
            mnkr(tillägg) if tillägg else None,  # a budget change positive; none stored: "–"
            -mnkr(utfall),
            mnkr(avvikelse),  # positive = under budget, whatever the sign of costs
            (avvikelse / (budget + tillägg) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP),
        ]

    rader = tabellrader(html, f"kategori-{n.id}")
    assert rader == [
        ("Myndighet", rad("Myndighet")),
        ("Summa anslag", rad("Myndighet")),
        ("Hemtjänst", rad("Hemtjänst")),
        ("Summa volym", rad("Hemtjänst")),
        ("Boende", rad("Boende")),
        ("Summa egen regi", rad("Boende")),
        ("Summa", rad(*ÅDALA)),
    ]
    # Spot checks of the hand arithmetic: Myndighet's budget 2,0 + 1,0 mnkr for jan–aug, utfall 2,8 mnkr.
    assert rader[0][1] == [
        Decimal("-2.4"),
        Decimal("-3.0"),
        Decimal("1.0"),
        Decimal("-2.8"),
        Decimal("0.2"),
        Decimal("6.7"),
    ]
    grupper = [
        th.get_text(strip=True)
        for th in BeautifulSoup(html, "html.parser").select(f"#kategori-{n.id} th[scope=rowgroup]")
    ]
    assert grupper == ["Anslag", "Volym", "Egen regi"]
    investeringar = tabell(html, "investeringar")
    assert investeringar["Trygghetslarm"][0] == Decimal("2.0")  # the investment positive
    assert Decimal("0.5") in investeringar["Trygghetslarm"]  # its utgift positive
    blad = excel(client, n, "kategori")
    samma_siffror(rader, blad[0], [1, 1, 1, 1, 1, 1])
    assert "negativa: kostnader" in str(blad[-1])
    assert tabellfel(factories.läsare(k), n) == []


def test_per_budgetkategori_med_tomma_rader_visar_varje_område_under_sitt_eget_slag(client):
    """ "Show empty rows" shows the tree's empty områden; grouped by budget kind, an område is listed under the
    kinds it has figures of, not under every kind."""
    k, n = ådala()
    kolumner = ["budget", "utfall"]
    spara(
        k,
        "delårsrapport",
        [drift("Per slag", "kategori", kolumner, rader={"gruppering": "budgetkategori", "dölj_tomma": False})],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    assert [namn for namn, _ in tabellrader(html, f"kategori-{n.id}")] == [
        "Myndighet",
        "Summa anslag",
        "Hemtjänst",
        "Summa volym",
        "Boende",
        "Summa egen regi",
        "Summa",
    ]


# --- c: subtotals at any level ---------------------------------------------------------------------------------


def test_delsummor_på_valfri_nivå(client):
    """Subtotals of verksamheter only: the enheter of Hemtjänst get a "Resultat" row, the block none. LSS is a
    hidden row: left out of the table and its sum."""
    k, n, ids = norrvik()
    spara(
        k,
        "delårsrapport",
        [
            drift(
                "Per enhet",
                "enheter",
                ["utfall", "budget", "avvikelse"],
                rader={
                    "ned_till": "enhet",
                    "delsummor": ["verksamhet"],
                    "delsumma_etikett": "Resultat {namn}",
                    "dolda": [ids["LSS"]],
                },
            )
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    rader = tabellrader(html, f"enheter-{n.id}")
    assert rader == [
        ("Hemtjänst norr", väntat("Hemtjänst norr")[:3]),
        ("Hemtjänst söder", väntat("Hemtjänst söder")[:3]),
        ("Resultat Hemtjänst", väntat("Hemtjänst norr", "Hemtjänst söder")[:3]),
        ("Särskilt boende", väntat("Särskilt boende")[:3]),
        ("Summa", väntat("Hemtjänst norr", "Hemtjänst söder", "Särskilt boende")[:3]),
    ]
    samma_siffror(rader, excel(client, n, "enheter")[0], [0, 0, 0])
    assert tabellfel(factories.läsare(k), n) == []


# --- d: volume, snittkostnad, volym × peng ---------------------------------------------------------------------


def test_volymtabell_med_snittkostnad_volym_gånger_peng_och_avvikelse_mot_planerad_volym(client):
    """Hemtjänst: KF-budget 5 400 000 kr = 18 000 planned hours × peng 300 kr; 1 250 hours and 450 000 kr a month
    in jan–aug. The plan for jan–aug is 8/12 of the year's (budget and plan compared for the same months)."""
    k = kommun("Volymby kommun")
    n = nämnd(k)
    hemtjänst = område(n, "Hemtjänst")
    siffror(hemtjänst, budget=Decimal(5_400_000), per_månad=Decimal(450_000), volym=Decimal(18_000), peng=Decimal(300))
    siffror(område(n, "Myndighet"), budget=Decimal(1_200_000), per_månad=Decimal(100_000))
    timmar = factories.NyckeltalFactory(
        grupp=factories.NyckeltalsgruppFactory(nämnd=n, namn="Hemtjänst"),
        namn="Utförda timmar",
        verksamhetsområde=hemtjänst,
    )
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=timmar, år=ÅR, typ="utfall_månad", månad=m, värde=Decimal(1250)) for m in range(1, 9)
    )
    kolumner = ["utfall", "volym", "plan_volym", "volymavvikelse", "snittkostnad", "volym_peng", "volym_peng_avvikelse"]
    spara(k, "delårsrapport", [drift("Volym och snittkostnad", "volym", kolumner, sammanställning=False)])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    utfall, volym = Decimal(450_000) * 8, Decimal(1250) * 8
    plan = Decimal(18_000) * 8 / 12
    rader = tabell(html, f"volym-{n.id}")
    assert rader["Hemtjänst"] == [
        tkr(utfall),  # 3 600 tkr
        volym,  # 10 000 hours
        plan,  # 12 000 hours planned for jan–aug
        plan - volym,  # 2 000 fewer than planned
        utfall / volym,  # 360 kr per hour
        tkr(volym * 300),  # 3 000 tkr earned by volume
        tkr((plan - volym) * 300),  # 600 tkr left over by volume
    ]
    # Myndighet has no volume: "–", not 0.
    assert rader["Myndighet"] == [tkr(Decimal(800_000)), None, None, None, None, None, None]
    # The sum's snittkostnad is the cost of what has a volume per unit: Myndighet's cost is not spread on
    # Hemtjänst's hours.
    assert rader["Summa"] == [tkr(utfall + 800_000), *rader["Hemtjänst"][1:]]
    assert rubriker(html, f"volym-{n.id}")[2] == "Plan jan–aug 2024"
    blad = excel(client, n, "volym")[0]
    samma_siffror(tabellrader(html, f"volym-{n.id}"), blad, [0] * 7)


# --- e: report occasions ---------------------------------------------------------------------------------------


def enkel(namn: str = "Junibo kommun"):
    """One verksamhet: KF-budget 1 200 000 kr, utfall 110 000 kr in each month 1–12, last year 90 000 kr a month;
    prognoser in months 4 and 8."""
    k = kommun(namn)
    n = nämnd(k)
    o = område(n, "Hemtjänst")
    siffror(o, budget=Decimal(1_200_000), per_månad=Decimal(110_000), månader=range(1, 13), fg=Decimal(90_000))
    Prognos.objects.create(verksamhetsområde=o, år=ÅR, månad=4, belopp=Decimal(1_260_000))
    Prognos.objects.create(verksamhetsområde=o, år=ÅR, månad=8, belopp=Decimal(1_320_000))
    return k, n


PERIOD = ["utfall_fg", "kf_budget", "utfall", "avvikelse", "prognos"]


def periodrad(månader: int, prognos: Decimal | None) -> list:
    budget = Decimal(1_200_000) * månader / 12
    utfall = Decimal(110_000) * månader
    return [tkr(Decimal(90_000) * månader), tkr(budget), tkr(utfall), tkr(budget - utfall), prognos and tkr(prognos)]


def test_delår_per_30_juni(client):
    k, n = enkel()
    Rapporttillfälle.objects.create(kommun=k, rapporttyp="delårsrapport", slutmånad=6)
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", PERIOD)])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    assert "Delårsrapport per 30 juni 2024" in html.decode()
    assert rubriker(html, f"drift-{n.id}")[:3] == [
        "Nettokostnad jan–jun 2023",
        "Budget jan–jun 2024",
        "Nettokostnad jan–jun 2024",
    ]
    rader = tabellrader(html, f"drift-{n.id}")
    assert rader == [("Hemtjänst", periodrad(6, Decimal(1_260_000))), ("Summa", periodrad(6, Decimal(1_260_000)))]
    samma_siffror(rader, excel(client, n, "drift")[0], [0] * 5)


def test_två_tertialrapporter_april_och_augusti(client):
    k, n = enkel("Tertialby kommun")
    Rapporttillfälle.objects.create(kommun=k, rapporttyp="tertialrapport2", används=True)
    for typ in ("tertialrapport", "tertialrapport2"):
        spara(k, typ, [drift("Driftredovisning", "drift", PERIOD)])
    client.force_login(factories.läsare(k))
    for typ, månader, prognos, rubrik in (
        ("tertialrapport", 4, Decimal(1_260_000), "Tertialrapport 1 per 30 april 2024"),
        ("tertialrapport2", 8, Decimal(1_320_000), "Tertialrapport 2 per 31 augusti 2024"),
    ):
        html = sida(client, n, typ)
        assert rubrik in html.decode(), typ
        assert rubriker(html, f"drift-{n.id}")[1] == f"Budget jan–{['apr', 'aug'][månader == 8]} 2024"
        rader = tabellrader(html, f"drift-{n.id}")
        assert tabell(html, f"drift-{n.id}")["Hemtjänst"] == periodrad(månader, prognos), typ
        samma_siffror(rader, excel(client, n, "drift", typ)[0], [0] * 5)


def test_månadsrapport_för_maj():
    k, n = enkel("Månadsby kommun")
    spara(k, "månadsrapport", [drift("Driftredovisning", "drift", PERIOD)])
    user = factories.läsare(k)
    rapport = bygg_rapport(user, n, ÅR, "månadsrapport", månad=5)
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False}).encode()
    assert "Månadsrapport per 31 maj 2024" in html.decode()
    assert rubriker(html, f"drift-{n.id}")[1] == "Budget jan–maj 2024"
    # The latest prognos made up to May is April's.
    assert tabell(html, f"drift-{n.id}")["Hemtjänst"] == periodrad(5, Decimal(1_260_000))


# --- f: several nämnder ----------------------------------------------------------------------------------------


def test_delat_år_och_sektorns_sammanställning(client):
    """The Socialnämnd is split on 1 July into Individ- och familjenämnden; Omsorgsnämnden is another nämnd of the
    sector. Each has one verksamhet with utfall 100 000 / 200 000 / 300 000 kr a month."""
    k = kommun("Delby kommun")
    gamla = nämnd(k, "Socialnämnden", giltig_från=dt.date(2019, 1, 1), giltig_till=dt.date(ÅR, 6, 30))
    nya = nämnd(k, "Individ- och familjenämnden", giltig_från=dt.date(ÅR, 7, 1))
    nya.föregångare.add(gamla)
    omsorg = nämnd(k, "Omsorgsnämnden")
    for n, namn, per_månad, månader in (
        (gamla, "Ekonomiskt bistånd", Decimal(100_000), range(1, 7)),
        (nya, "Ekonomiskt bistånd", Decimal(200_000), range(7, 9)),
        (omsorg, "Hemtjänst", Decimal(300_000), range(1, 9)),
    ):
        siffror(område(n, namn), budget=per_månad * 12, per_månad=per_månad, månader=månader)
    kolumner = ["kf_budget", "utfall", "avvikelse"]
    spara(
        k,
        "delårsrapport",
        [
            drift("Driftredovisning", "drift", kolumner),
            drift("Sektorn", "sektor", kolumner, nämnder=[omsorg.id], delar="varje"),
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, nya)

    def rad(per_månad, månader):
        budget, utfall = per_månad * 8, per_månad * månader
        return [tkr(budget), tkr(utfall), tkr(budget - utfall)]

    del_gamla, del_nya = "Socialnämnden (jan–jun)", "Individ- och familjenämnden (jul–dec)"
    samman = tabellrader(html, "drift-sammanstallning")
    gamla_rad, nya_rad = rad(Decimal(100_000), 6), rad(Decimal(200_000), 2)
    assert samman == [
        (del_gamla, gamla_rad),
        (del_nya, nya_rad),
        ("Summa", [a + b for a, b in zip(gamla_rad, nya_rad, strict=True)]),
    ]
    assert tabell(html, f"drift-{gamla.id}")["Summa"] == gamla_rad
    assert tabell(html, f"drift-{nya.id}")["Summa"] == nya_rad
    sektor = tabellrader(html, "sektor-sammanstallning")
    omsorg_rad = rad(Decimal(300_000), 8)
    assert sektor == [
        (del_gamla, gamla_rad),
        (del_nya, nya_rad),
        ("Omsorgsnämnden", omsorg_rad),
        ("Summa", [a + b + c for a, b, c in zip(gamla_rad, nya_rad, omsorg_rad, strict=True)]),
    ]
    blad = excel(client, nya, "sektor")
    assert len(blad) == 5  # a table per nämnd, the sammanställning and "Om tabellen"
    samma_siffror(tabellrader(html, f"sektor-{omsorg.id}"), blad[2], [0] * 3)
    samma_siffror(sektor, blad[3], [0] * 3)


# --- g: "–" for what is not there ------------------------------------------------------------------------------


def test_streck_för_saknade_värden_och_tomma_kolumner_döljs(client):
    """Hemtjänst has budget, utfall and a prognos; Projekt has utfall only (no budget, no prognos)."""
    k = kommun("Streckby kommun")
    n = nämnd(k)
    siffror(område(n, "Hemtjänst"), budget=Decimal(1_200_000), per_månad=Decimal(100_000), prognos=Decimal(1_300_000))
    siffror(område(n, "Projekt"), per_månad=Decimal(10_000))
    kolumner = ["kf_budget", "tillägg", "utfall", "avvikelse", "prognos", "avvikelse_helår"]
    spara(
        k,
        "delårsrapport",
        [
            drift("Med tomma kolumner", "alla", kolumner, rader={"dölj_tomma": False}),
            drift("Utan tomma kolumner", "dolda", kolumner),
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    alla = tabell(html, f"alla-{n.id}")
    assert alla["Hemtjänst"] == [Decimal(800), None, Decimal(800), Decimal(0), Decimal(1300), Decimal(-100)]
    # No budget: "–" in the budget column, and the deviation is − utfall; no prognos: "–", and so is the sum's.
    assert alla["Projekt"] == [None, None, Decimal(80), Decimal(-80), None, None]
    assert alla["Summa"] == [Decimal(800), None, Decimal(880), Decimal(-80), None, None]
    assert "Tillägg och avdrag" in rubriker(html, f"alla-{n.id}")
    # Nothing anywhere in the tillägg column: hidden by rule.
    assert "Tillägg och avdrag" not in rubriker(html, f"dolda-{n.id}")
    dolda = tabellrader(html, f"dolda-{n.id}")
    assert dict(dolda)["Projekt"] == [None, Decimal(80), Decimal(-80), None, None]
    blad = excel(client, n, "dolda")[0]
    assert blad[2][1] is None and blad[2][0] == "Projekt"  # an empty cell, not 0
    samma_siffror(dolda, blad, [0] * 5)


# --- h: honest periods -----------------------------------------------------------------------------------------


def test_delår_med_bara_januari_säger_det_och_jämför_januari(client):
    k = kommun("Januariby kommun")
    n = nämnd(k)
    siffror(
        område(n, "Hemtjänst"), budget=Decimal(1_200_000), per_månad=Decimal(130_000), månader=[1], fg=Decimal(90_000)
    )
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", ["utfall_fg", "kf_budget", "utfall", "avvikelse"])])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    text = BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
    assert "Utfall finns för 1 av 8 månader (januari)." in text
    assert rubriker(html, f"drift-{n.id}") == [
        "Nettokostnad januari 2023",
        "Budget januari 2024",
        "Nettokostnad januari 2024",
        "Budgetavvikelse",
    ]
    # January only: last year's January and 1/12 of the budget — not a surplus of 7/12 of the year's budget.
    rader = tabellrader(html, f"drift-{n.id}")
    assert dict(rader)["Hemtjänst"] == [Decimal(90), Decimal(100), Decimal(130), Decimal(-30)]
    blad = excel(client, n, "drift")
    samma_siffror(rader, blad[0], [0] * 4)
    assert "1 av 8" in str(blad[-1])


# --- PDF -------------------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_pdf_har_samma_siffror_som_html(client):
    k, n, ids = norrvik()
    spara(
        k,
        "delårsrapport",
        [
            drift(
                "Äldreomsorg per enhet",
                "enheter",
                PER_ENHET,
                rader={
                    "rötter": [ids["Äldreomsorg"]],
                    "ned_till": "enhet",
                    "delsummor": ["verksamhet"],
                    "delsumma_etikett": "Resultat {namn}",
                    "summa_etikett": "Totalt äldreomsorg",
                },
            )
        ],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    r = client.get(reverse("rapport-pdf", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    soup = BeautifulSoup(html, "html.parser")
    for tr in soup.select(f"#enheter-{n.id} tbody tr"):
        rad = " ".join(c.get_text(strip=True) for c in tr.find_all(["th", "td"])).replace("\u00a0", " ")
        assert rad in text, rad
    assert "Resultat Hemtjänst 2 400 2 400 0 3 600 3 620 −20" in text


def pdf_text(pdf: bytes) -> str:
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        ut = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        text = ut.decode()
    else:
        from pdfminer.high_level import extract_text

        text = extract_text(io.BytesIO(pdf))
    return " ".join(text.replace("\u00a0", " ").split())


def test_verksamhetsplan_visar_hela_föregående_året():
    """A plan has no period: "Nettokostnad 2023" is the whole of 2023 (12 × 90 000 kr), not its January."""
    k, n = enkel("Planby kommun")
    spara(k, "verksamhetsplan", [drift("Driftsbudget", "budget", ["utfall_fg", "kf_budget_helår"])])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "verksamhetsplan")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False}).encode()
    assert rubriker(html, f"budget-{n.id}") == ["Nettokostnad 2023", "KF-budget 2024"]
    assert tabell(html, f"budget-{n.id}")["Hemtjänst"] == [tkr(Decimal(90_000) * 12), Decimal(1200)]


def test_rad_utan_utfall_i_en_period_med_utfall_har_sin_budget_som_avvikelse_och_summan_går_ihop(client):
    """Buffert has a budget and nothing booked while the period has utfall: its deviation is its budget (nothing
    spent), so the sum's deviation is the sum of the rows' and the report's checks agree. With no utfall at all in
    the period (next test) there is no deviation to show."""
    k = kommun("Buffertby kommun")
    n = nämnd(k)
    siffror(område(n, "Hemtjänst"), budget=Decimal(1_200_000), per_månad=Decimal(110_000))
    siffror(område(n, "Buffert"), budget=Decimal(600_000))
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", ["kf_budget", "utfall", "avvikelse"])])
    client.force_login(factories.läsare(k))
    rader = tabell(sida(client, n), f"drift-{n.id}")
    assert rader["Hemtjänst"] == [Decimal(800), Decimal(880), Decimal(-80)]
    assert rader["Buffert"] == [Decimal(400), None, Decimal(400)]
    assert rader["Summa"] == [Decimal(1200), Decimal(880), Decimal(320)]
    assert tabellfel(factories.läsare(k), n) == []


def test_period_utan_utfall_visar_ingen_avvikelse(client):
    k = kommun("Tomby kommun")
    n = nämnd(k)
    siffror(område(n, "Hemtjänst"), budget=Decimal(1_200_000))
    siffror(område(n, "Buffert"), budget=Decimal(600_000))
    kolumner = ["kf_budget", "utfall", "avvikelse"]
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", kolumner, rader={"dölj_tomma": False})])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    assert "Inget utfall är registrerat för perioden." in html.decode()
    assert tabell(html, f"drift-{n.id}")["Summa"] == [Decimal(1200), None, None]  # not a surplus of 1 200 tkr
    assert tabellfel(factories.läsare(k), n) == []


def test_förändring_mot_föregående_år_för_ny_och_nedlagd_verksamhet_går_ihop(client):
    """Ny started this year (no utfall last year), Nedlagd closed (none this year): the change against last year
    is their whole cost, + and −, so the sum row is the sum of the rows."""
    k = kommun("Förändringsby kommun")
    n = nämnd(k)
    siffror(område(n, "Hemtjänst"), per_månad=Decimal(110_000), fg=Decimal(100_000))
    siffror(område(n, "Ny"), per_månad=Decimal(30_000))
    siffror(område(n, "Nedlagd"), fg=Decimal(50_000))
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", ["utfall_fg", "utfall", "förändring_fg"])])
    client.force_login(factories.läsare(k))
    rader = tabell(sida(client, n), f"drift-{n.id}")
    assert rader["Hemtjänst"] == [Decimal(800), Decimal(880), Decimal(80)]
    assert rader["Ny"] == [None, Decimal(240), Decimal(240)]
    assert rader["Nedlagd"] == [Decimal(400), None, Decimal(-400)]
    assert rader["Summa"] == [Decimal(1200), Decimal(1120), Decimal(-80)]
    assert tabellfel(factories.läsare(k), n) == []


def test_ingen_förändring_utan_fjolårets_utfall(client):
    """The kommun's figures start this year: no change against last year to show, not a change of all the cost."""
    k = kommun("Startby kommun")
    n = nämnd(k)
    siffror(område(n, "Hemtjänst"), per_månad=Decimal(110_000))
    kolumner = ["utfall", "förändring_fg"]
    spara(k, "delårsrapport", [drift("Driftredovisning", "drift", kolumner, rader={"dölj_tomma": False})])
    client.force_login(factories.läsare(k))
    rader = tabell(sida(client, n), f"drift-{n.id}")
    assert rader["Hemtjänst"] == rader["Summa"] == [Decimal(880), None]


def test_volymavvikelse_i_kronor_summeras_över_raderna_som_har_den(client):
    """Boende has a planned volume and peng but no volume entered: its volume deviation is "–", and the sum's is
    Hemtjänst's alone (not Boende's whole plan as a surplus)."""
    k = kommun("Pengby kommun")
    n = nämnd(k)
    hemtjänst, boende = område(n, "Hemtjänst"), område(n, "Boende")
    siffror(hemtjänst, budget=Decimal(5_400_000), per_månad=Decimal(450_000), volym=Decimal(18_000), peng=Decimal(300))
    siffror(boende, budget=Decimal(6_000_000), per_månad=Decimal(500_000), volym=Decimal(60), peng=Decimal(100_000))
    timmar = factories.NyckeltalFactory(
        grupp=factories.NyckeltalsgruppFactory(nämnd=n), namn="Timmar", verksamhetsområde=hemtjänst
    )
    Nyckeltalsvärde.objects.create(nyckeltal=timmar, år=ÅR, typ="utfall_delår", värde=Decimal(10_000))
    spara(k, "delårsrapport", [drift("Volym", "volym", ["volym_peng", "volym_peng_avvikelse"])])
    client.force_login(factories.läsare(k))
    rader = tabell(sida(client, n), f"volym-{n.id}")
    assert rader["Hemtjänst"] == [Decimal(3000), Decimal(600)]  # (12 000 planned − 10 000) × 300 kr
    assert rader["Boende"] == [None, None]
    assert rader["Summa"] == [Decimal(3000), Decimal(600)]
    assert tabellfel(factories.läsare(k), n) == []
