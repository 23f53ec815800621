"""The second demo kommun (fixtures/exempelby-2023-2024, issue 13 item 8): its reports rendered from its own layouts
— delårsrapport per 30 June 2024 and tertialrapport 2 of the nämnd split on 1 May 2024, tertialrapport 1 of the old
nämnd, verksamhetsberättelse 2023 — and every figure of every table checked against values computed here from the
fixture's CSV rows with plain sums (kronor → mnkr with one decimal, costs negative, investments and budget changes
positive). Then the same figures in the Excel export and (PostgreSQL pass) in the PDF text.

The expected values follow the documented rules, not the app's code: budget for months 1..T is the year's budget ×
the periodiseringsprofil's share of those months (to the öre); "föregående år" of an område taken over in the split
is its föregångare's figures (the föregångare's own row then shows none, docs/beslut.md "Föregående år efter en
delning"); a sum's prognos is missing when an active row lacks one; at year end the prognos column is the outcome.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from nämnd.models import Nämnd, Verksamhetsområde

KATALOG = Path(settings.BASE_DIR) / "fixtures" / "exempelby-2023-2024"
DEMO = json.loads((KATALOG / "demo.json").read_text(encoding="utf-8"))
KOMMUN = DEMO["kommun"]["namn"]
VON, SN, ÄN = (n["namn"] for n in DEMO["nämnder"])
MINUS, NBSP, STRECK = "\u2212", "\u00a0", "–"
M = Decimal(1_000_000)


def läs(namn: str) -> list[dict[str, str]]:
    with open(KATALOG / namn, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def d(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


# --- the fixture as plain rows -------------------------------------------------------------------------------

ORG = läs("organisation.csv")
UTFALL = läs("utfall.csv")
BUDGET = läs("budget.csv")
PROGNOS = läs("prognos.csv")
NYCKELTAL = läs("nyckeltal.csv")
INVESTERINGAR = läs("investeringar.csv")
UTGIFTER = läs("investeringsutgifter.csv")
INV_PROGNOSER = läs("investeringsprognoser.csv")
PROFILER = {namn: [Decimal(v) for v in vikter] for namn, vikter in DEMO["periodiseringsprofiler"].items()}
FÖREGÅNGARE = {(r["namnd"], r["omrade"]): tuple(r["foregangare"].split(": ", 1)) for r in ORG if r["foregangare"]}

Område = tuple[str, str]  # (nämnd, "Block / Verksamhet / Enhet")


def under(o: Område) -> set[Område]:
    """The område and everything below it."""
    return {
        (r["namnd"], r["omrade"]) for r in ORG if r["namnd"] == o[0] and (r["omrade"] + " / ").startswith(o[1] + " / ")
    }


def toppar(nämnd: str) -> list[Område]:
    return [(r["namnd"], r["omrade"]) for r in ORG if r["namnd"] == nämnd and " / " not in r["omrade"]]


def andel(profil: str, t: int) -> Decimal:
    vikter = PROFILER[profil] if profil else [Decimal(1)] * 12
    return sum(vikter[:t], Decimal(0)) / sum(vikter, Decimal(0))


def öre(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), ROUND_HALF_UP)


def summa(värden) -> Decimal | None:
    värden = list(värden)
    return sum(värden, Decimal(0)) if värden else None


@dataclass(frozen=True)
class Period:
    år: int
    t: int  # figures for months 1..t
    rapportmånad: int
    i_rapporten: frozenset[str]  # every nämnd the report reads (its parts and the sector's)


def förra_årets_källor(o: Område, p: Period) -> list[Område]:
    """Whose last-year figures an område shows: its own and its föregångare's; none when it is the föregångare of
    an område in the report (counted there)."""
    if o in FÖREGÅNGARE:
        return [o, FÖREGÅNGARE[o]]
    efterträdd = any(gammal == o and ny[0] in p.i_rapporten for ny, gammal in FÖREGÅNGARE.items())
    return [] if efterträdd else [o]


def figurer(områden: set[Område], p: Period, kategori: str | None = None) -> dict[str, Decimal | None]:
    """Every measure of the layouts' columns for a set of områden (their own rows), in kronor, costs positive."""
    k = (lambda r: True) if kategori is None else (lambda r: r["kategori"] == kategori)

    def utfall(år: int, månader: int, var: set[Område]) -> Decimal | None:
        return summa(
            Decimal(r["belopp_kr"])
            for r in UTFALL
            if (r["namnd"], r["omrade"]) in var and int(r["ar"]) == år and int(r["manad"]) <= månader and k(r)
        )

    poster = [r for r in BUDGET if (r["namnd"], r["omrade"]) in områden and int(r["ar"]) == p.år and k(r)]
    kf_tillägg = [r for r in poster if r["slag"] in ("kf", "tillägg")]
    tillägg = [r for r in poster if r["slag"] == "tillägg"]
    plan = [r for r in poster if r["slag"] == "kf" and r["volym"]]
    fg_källor = {k for o in områden for k in förra_årets_källor(o, p)}
    f: dict[str, Decimal | None] = {
        "utfall": utfall(p.år, p.t, områden),
        "utfall_fg": utfall(p.år - 1, p.t, fg_källor),
        "budget": summa(öre(Decimal(r["belopp_kr"]) * andel(r["profil"], p.t)) for r in kf_tillägg),
        "budget_helår": summa(Decimal(r["belopp_kr"]) for r in kf_tillägg),
        "tillägg_helår": summa(Decimal(r["belopp_kr"]) for r in tillägg),
        "plan_volym": summa(öre(Decimal(r["volym"]) * andel(r["profil"], p.t)) for r in plan),
        "plan_peng": summa(öre(Decimal(r["volym"]) * Decimal(r["peng_kr"]) * andel(r["profil"], p.t)) for r in plan),
    }
    # Volume: the monthly nyckeltal linked to each område; volym × peng with the område's own peng.
    volym_per: dict[Område, Decimal] = defaultdict(Decimal)
    for r in NYCKELTAL:
        o = (r["namnd"], r["omrade"])
        if o in områden and int(r["ar"]) == p.år and r["typ"] == "utfall_månad" and int(r["manad"]) <= p.t:
            volym_per[o] += Decimal(r["varde"])
    peng = {(r["namnd"], r["omrade"]): Decimal(r["peng_kr"]) for r in plan}
    f["volym"] = summa(volym_per.values()) if kategori is None else None
    f["volym_peng"] = summa(v * peng[o] for o, v in volym_per.items() if o in peng) if kategori is None else None
    # Prognos: the latest made by the report's month per område; missing for the sum when an active område has none.
    prognoser: list[Decimal | None] = []
    if kategori is None:
        for o in områden:
            egna = sorted(
                ((int(r["manad"]), Decimal(r["belopp_kr"])) for r in PROGNOS
                 if (r["namnd"], r["omrade"]) == o and int(r["ar"]) == p.år and int(r["manad"]) <= p.rapportmånad),
            )  # fmt: skip
            aktiv = any((r["namnd"], r["omrade"]) == o and r["slag"] == "kf" for r in poster) or utfall(p.år, p.t, {o})
            if egna:
                prognoser.append(egna[-1][1])
                f.setdefault("_föregående", Decimal(0))
            elif aktiv:
                prognoser.append(None)
    f["prognos"] = None if not prognoser or None in prognoser else summa(prognoser)
    return f


def mått(f: dict[str, Decimal | None], p: Period) -> dict[str, Decimal | None]:
    """The columns from the figures (kronor; costs positive; avvikelse positive = under budget)."""

    def minus(a, b):
        return None if a is None or b is None else a - b

    def kvot(a, b):
        return None if a is None or not b else a / b * 100

    helår = f["utfall"] if p.t == 12 else f["prognos"]
    avvikelse = None if f["utfall"] is None else (f["budget"] or 0) - f["utfall"]
    avvikelse_helår = None if helår is None else (f["budget_helår"] or 0) - helår
    return {
        **f,
        "prognos": helår,
        "avvikelse": avvikelse,
        "avvikelse_procent": kvot(avvikelse, f["budget"]),
        "avvikelse_helår": avvikelse_helår,
        "avvikelse_helår_procent": kvot(avvikelse_helår, f["budget_helår"]),
        "prognosförändring": minus(f["utfall"], f["prognos"]) if p.t == 12 else None,
        "volymavvikelse": minus(f["plan_volym"], f["volym"]),
        "snittkostnad": None if f["utfall"] is None or not f["volym"] else f["utfall"] / f["volym"],
        "volym_peng_avvikelse": minus(f["plan_peng"], f["volym_peng"]),
    }


KOSTNADER = {"utfall", "utfall_fg", "budget", "budget_helår", "prognos", "volym_peng", "prognosförändring"}
PROCENT = {"avvikelse_procent", "avvikelse_helår_procent"}


def visa(kod: str, v: Decimal | None) -> str:
    """As the kommun prints it: mnkr with one decimal, costs negative, "–" for nothing; volumes with their own
    decimals (at most two), snittkostnad in whole kronor, per cent with one decimal."""
    if v is None:
        return STRECK
    slut = ""
    if kod in PROCENT:
        n, decimaler, slut = v.quantize(Decimal("0.1"), ROUND_HALF_UP), 1, f"{NBSP}%"
    elif kod in ("volym", "plan_volym", "volymavvikelse"):
        n = v.quantize(Decimal("0.01"), ROUND_HALF_UP)
        decimaler = 0 if n == n.to_integral() else len(str(n.normalize()).partition(".")[2])
    elif kod == "snittkostnad":
        n, decimaler = v.quantize(Decimal(1), ROUND_HALF_UP), 0
    else:
        n, decimaler = ((-v if kod in KOSTNADER else v) / M).quantize(Decimal("0.1"), ROUND_HALF_UP), 1
    text = f"{abs(n):,.{decimaler}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if n < 0 else "") + text + slut


RUBRIKER = {  # the column headings for a period ("jan–jun 2024")
    "utfall": "Nettokostnad {p}",
    "utfall_fg": "Nettokostnad {fg}",
    "budget": "Budget inkl. tillägg {p}",
    "avvikelse": "Budgetavvikelse",
    "avvikelse_procent": "Avvikelse %",
    "tillägg_helår": "Tillägg och avdrag",
    "budget_helår": "Budget {år}",
    "prognos": "{prognos} nettokostnad {år}",
    "avvikelse_helår": "{prognos} budgetavvikelse {år}",
    "avvikelse_helår_procent": "Avvikelse helår %",
    "prognosförändring": "Förändring sedan föregående prognos",
    "volym": "Volym {p}",
    "plan_volym": "Plan {p}",
    "volymavvikelse": "Avvikelse mot plan",
    "snittkostnad": "Snittkostnad, kr",
    "volym_peng": "Volym × peng",
    "volym_peng_avvikelse": "Volymavvikelse",
}
MÅNAD = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def rubrik(kod: str, p: Period) -> str:
    return RUBRIKER[kod].format(
        p=f"jan–{MÅNAD[p.t - 1]} {p.år}",
        fg=f"jan–{MÅNAD[p.t - 1]} {p.år - 1}",
        år=p.år,
        prognos="Utfall" if p.t == 12 else "Prognos",
    )


# --- the layouts' tables --------------------------------------------------------------------------------------


def layoutens_tabeller(typ: str, år: int) -> list[dict]:
    layout = DEMO["layouter"][typ]
    if isinstance(layout, dict):
        layout = layout[max(k for k in layout if int(k) <= år)]
    return [s for s in layout if s["typ"] == "drift"]


def rötter(s: dict, nämnd: str) -> list[Område]:
    valda = s["parametrar"].get("rader", {}).get("rötter")
    if not valda:
        return toppar(nämnd)
    return [tuple(v.split(": ", 1)) for v in valda if v.startswith(nämnd + ": ")]


@dataclass
class Förväntat:
    rader: list[tuple[str, dict[str, Decimal | None]]]  # the checked rows in order: (label, figures)


# --- the demo, loaded once for the module --------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.contrib.auth import get_user_model

    from socialreports import demodata

    with django_db_blocker.unblock():
        kommun = demodata.ladda(katalog=KATALOG)
        user = get_user_model().objects.create_superuser("andra-demon-granskare", "", "x")
        yield kommun, user
        demodata.radera(kommun.namn)
        user.delete()


@pytest.fixture
def inloggad(client, demo, db):
    client.force_login(demo[1])
    return client


def nämnd(namn: str) -> Nämnd:
    return Nämnd.objects.get(kommun__namn=KOMMUN, namn=namn)


def sökvägar() -> dict[int, Område]:
    områden = {o.id: o for o in Verksamhetsområde.objects.filter(nämnd__kommun__namn=KOMMUN).select_related("nämnd")}

    def väg(o) -> str:
        return väg(områden[o.förälder_id]) + " / " + o.namn if o.förälder_id else o.namn

    return {i: (o.nämnd.namn, väg(o)) for i, o in områden.items()}


def html_tabell(soup, id: str) -> tuple[list[str], list[tuple[str, str | None, int | None, list[str]]]]:
    """(column headings, rows as (label, kind, område id, cells)); heading rows as kind "rubrik"."""
    t = soup.find("table", id=id)
    assert t is not None, f"tabellen {id} saknas"
    kolumner = [th.get_text(" ", strip=True) for th in t.find("thead").find_all("th")][1:]
    rader = []
    for tr in t.find("tbody").find_all("tr"):
        klass = tr.get("class") or []
        typ = (
            "rubrik"
            if "blockrubrik" in klass
            else "summa"
            if "summa" in klass
            else "delsumma"
            if "delsumma" in klass
            else "rad"
        )
        celler = [td.get_text(strip=True) for td in tr.find_all("td")]
        id_ = int(tr["data-id"]) if tr.get("data-id") else None
        rader.append((tr.find("th").get_text(strip=True), typ, id_, celler))
    return kolumner, rader


KATEGORIER = {"Anslag": "anslag", "Volym": "volym", "Egen regi": "egen_regi"}


def kontrollera_rapport(client, namn: str, år: int, typ: str, p: Period, delar: list[str]) -> tuple[bytes, dict]:
    """Renders the report and checks every figure of its drift tables; returns the page and the expected cells
    per table id."""
    n = nämnd(namn)
    r = client.get(reverse("rapport", args=[n.id, år, typ]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    id_för = {x.namn: x.id for x in Nämnd.objects.filter(kommun__namn=KOMMUN)}
    väg = sökvägar()
    alla_celler: dict[str, list[list[str]]] = {}
    for s in layoutens_tabeller(typ, år):
        prm = s["parametrar"]
        koder = [k["mått"] for k in prm["kolumner"]]
        extra = [x for x in prm.get("nämnder", []) if x not in delar]
        tabelldelar = [*delar, *extra]
        part_summor = []
        for del_ in tabelldelar:
            tid = f"{prm['id']}-{id_för[del_]}"
            kolumner, rader = html_tabell(soup, tid)
            gruppering = prm.get("rader", {}).get("gruppering") == "budgetkategori"
            förväntade: list[tuple[str, dict]] = []
            kategori = None
            täckta: dict[str | None, set[Område]] = defaultdict(set)
            topp = [o for rot in rötter(s, del_) for o in under(rot)]
            for etikett, radtyp, oid, _ in rader:
                if radtyp == "rubrik":
                    if gruppering and etikett in KATEGORIER:
                        kategori = KATEGORIER[etikett]
                    förväntade.append((etikett, {}))
                    continue
                if oid is not None:
                    o = väg[oid]
                    assert o[0] == del_, (tid, etikett)
                    assert etikett == (
                        o[1].rsplit(" / ", 1)[-1]
                        if radtyp == "rad"
                        else prm["rader"]
                        .get("delsumma_etikett", "Summa {namn}")
                        .replace("{namn}", o[1].rsplit(" / ", 1)[-1])
                    )
                    if radtyp == "rad":
                        täckta[kategori] |= under(o)
                    förväntade.append((etikett, mått(figurer(under(o), p, kategori), p)))
                elif radtyp == "delsumma":  # a budget kind's sum
                    assert etikett == f"Summa {[k for k, v in KATEGORIER.items() if v == kategori][0].lower()}"
                    förväntade.append((etikett, mått(figurer(set(topp), p, kategori), p)))
                else:
                    assert etikett == prm["rader"].get("summa_etikett", "Summa")
                    total = figurer(set(topp), p)
                    förväntade.append((etikett, mått(total, p)))
                    part_summor.append((del_, set(topp)))
            # Every område with figures is in a row of its own or under one.
            for kat in [None] if not gruppering else list(KATEGORIER.values()):
                med_figurer = {o for o in topp if any(v is not None for v in figurer({o}, p, kat).values())}
                assert med_figurer == {o for o in täckta[kat] if o in med_figurer} == med_figurer & täckta[kat], (
                    tid,
                    kat,
                )
            synliga = [k for k in koder if any(f.get(k) is not None for _, f in förväntade if f)]
            assert kolumner == [rubrik(k, p) for k in synliga], tid
            for (etikett, _, _, celler), (_, f) in zip(rader, förväntade, strict=True):
                if not f:
                    continue
                assert celler == [visa(k, f[k]) for k in synliga], (tid, etikett)
            alla_celler[tid] = [c for *_, c in rader if c]
        if len(tabelldelar) > 1 and prm.get("sammanställning", True):
            tid = f"{prm['id']}-sammanstallning"
            kolumner, rader = html_tabell(soup, tid)
            # A part of the report is named with its months; a nämnd the table adds (the sector's) by its name, with
            # its months when it did not exist the whole year.
            del_rubrik = {
                x: rubrik_för_del(x, år).removesuffix(" (helår)") if x not in delar else rubrik_för_del(x, år)
                for x in tabelldelar
            }
            förväntade = [(del_rubrik[x], mått(figurer(o, p), p)) for x, o in part_summor]
            alla = set().union(*(o for _, o in part_summor))
            förväntade.append((prm["rader"].get("summa_etikett", "Summa"), mått(figurer(alla, p), p)))
            synliga = [k for k in koder if any(f.get(k) is not None for _, f in förväntade)]
            assert kolumner == [rubrik(k, p) for k in synliga], tid
            assert [e for e, *_ in rader] == [e for e, _ in förväntade], tid
            for (etikett, _, _, celler), (_, f) in zip(rader, förväntade, strict=True):
                assert celler == [visa(k, f[k]) for k in synliga], (tid, etikett)
            alla_celler[tid] = [c for *_, c in rader]
    kontrollera_investeringar(soup, delar, p)
    return r.content, alla_celler


def rubrik_för_del(namn: str, år: int) -> str:
    """ "Vård- och omsorgsnämnden (jan–apr)": the months of the year the nämnd existed."""
    n = next(x for x in DEMO["nämnder"] if x["namn"] == namn)
    från = 1 if int(n["giltig_från"][:4]) < år else int(n["giltig_från"][5:7])
    till = 12 if not n.get("giltig_till") or int(n["giltig_till"][:4]) > år else int(n["giltig_till"][5:7])
    return f"{namn} ({MÅNAD[från - 1]}–{MÅNAD[till - 1]})" if (från, till) != (1, 12) else f"{namn} (helår)"


def kontrollera_investeringar(soup, delar: list[str], p: Period) -> None:
    kolumner, rader = html_tabell(soup, "investeringar")
    ordning = [n["namn"] for n in DEMO["nämnder"]]
    förväntade = []
    for r in sorted(
        (r for r in INVESTERINGAR if r["namnd"] in delar and int(r["ar"]) == p.år),
        key=lambda r: ordning.index(r["namnd"]),
    ):
        nyckel = (r["namnd"], r["ar"], r["investering"])
        utgift = summa(
            Decimal(u["belopp_kr"]) for u in UTGIFTER
            if (u["namnd"], u["ar"], u["investering"]) == nyckel and int(u["manad"]) <= p.rapportmånad
        ) or Decimal(0)  # fmt: skip
        prognoser = sorted(
            (int(x["manad"]), Decimal(x["belopp_kr"])) for x in INV_PROGNOSER
            if (x["namnd"], x["ar"], x["investering"]) == nyckel and int(x["manad"]) <= p.rapportmånad
        )  # fmt: skip
        prognos = prognoser[-1][1] if prognoser else None
        ram, tillägg = Decimal(r["kf_ram_kr"]), Decimal(r["tillagg_kr"] or 0)
        värden = [ram, tillägg, utgift] + ([] if p.t == 12 else [prognos])
        värden.append(ram + tillägg - (prognos if prognos is not None else utgift))
        förväntade.append((r["investering"], [visa("investering", v) for v in värden]))
    assert kolumner[:3] == ["KF investeringsram", "Tillägg investeringsram", f"Utgift jan–{MÅNAD[p.t - 1]} {p.år}"]
    # Compared as sorted: ekonomi.selectors.investeringar's GROUP BY query drops Meta.ordering, so the rows' order is
    # the database's (reported, not fixed here).
    assert sorted((e, c) for e, _, _, c in rader) == sorted(förväntade)


# --- the reports ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delårsrapport_per_30_juni_2024_över_delningen(inloggad):
    """Äldrenämnden's delårsrapport: the old nämnd (jan–apr) and Äldrenämnden (maj–jun) as parts, Socialnämnden
    as the sector's third, their sammanställning — every figure from the fixture."""
    p = Period(2024, 6, 6, frozenset({VON, ÄN, SN}))
    html, _ = kontrollera_rapport(inloggad, ÄN, 2024, "delårsrapport", p, [VON, ÄN])
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "Delårsrapport per 30 juni 2024" in text
    assert f"{VON} (jan–apr)" in text and f"{ÄN} (maj–dec)" in text
    assert "Målet nås inte" in text  # the kommun's own two-level scale


@pytest.mark.django_db
def test_tertialrapport_2_2024(inloggad):
    p = Period(2024, 8, 8, frozenset({VON, ÄN, SN}))
    html, _ = kontrollera_rapport(inloggad, ÄN, 2024, "tertialrapport2", p, [VON, ÄN])
    assert "Tertialrapport 2 per 31 augusti 2024" in BeautifulSoup(html, "html.parser").get_text(" ")


@pytest.mark.django_db
def test_tertialrapport_1_2024_av_den_gamla_nämnden(inloggad):
    """The old nämnd's last report: its own last-year figures (its successors are not in this report)."""
    p = Period(2024, 4, 4, frozenset({VON}))
    html, celler = kontrollera_rapport(inloggad, VON, 2024, "tertialrapport", p, [VON])
    assert "Tertialrapport 1 per 30 april 2024" in BeautifulSoup(html, "html.parser").get_text(" ")


@pytest.mark.django_db
def test_verksamhetsberättelse_2023(inloggad):
    p = Period(2023, 12, 12, frozenset({VON}))
    html, _ = kontrollera_rapport(inloggad, VON, 2023, "verksamhetsberättelse", p, [VON])
    assert "Verksamhetsberättelse per 31 december 2023" in BeautifulSoup(html, "html.parser").get_text(" ")


# --- the same figures in Excel and PDF ------------------------------------------------------------------------


def html_tal(text: str) -> tuple[Decimal | None, int]:
    """ "−8,5" → (−8.5, 1 decimal); "4,4 %" → (4.4, 1); "–" → (None, 0)."""
    if text == STRECK:
        return None, 0
    text = text.removesuffix(f"{NBSP}%").replace(NBSP, "").replace(MINUS, "-")
    return Decimal(text.replace(",", ".")), len(text.partition(",")[2])


def test_excel_har_samma_siffror(inloggad):
    """Every drift table of the delårsrapport exported: one sheet per part and the sammanställning, each figure
    (unrounded in the sheet) rounds to what the checked HTML shows."""
    p = Period(2024, 6, 6, frozenset({VON, ÄN, SN}))
    html, _ = kontrollera_rapport(inloggad, ÄN, 2024, "delårsrapport", p, [VON, ÄN])
    soup = BeautifulSoup(html, "html.parser")
    n = nämnd(ÄN)
    for s in layoutens_tabeller("delårsrapport", 2024):
        nyckel = s["parametrar"]["id"]
        r = inloggad.get(reverse("export-tabell", args=[n.id, 2024, "delårsrapport", nyckel]))
        assert r.status_code == 200
        blad = [ws for ws in load_workbook(io.BytesIO(r.content)).worksheets if ws.title != "Om tabellen"]
        tabeller = [t for t in soup.find_all("table") if t.get("id", "").startswith(f"{nyckel}-")]
        assert len(blad) == len(tabeller) > 1, nyckel
        for ws, t in zip(blad, tabeller, strict=True):
            _, rader = html_tabell(soup, t["id"])
            excel = [[c.value for c in rad] for rad in ws.iter_rows()][1:]
            assert [rad[0] for rad in excel] == [e for e, *_ in rader], t["id"]
            for rad, (etikett, radtyp, _, celler) in zip(excel, rader, strict=True):
                if radtyp == "rubrik":
                    assert not any(rad[1:]), (t["id"], etikett)
                    continue
                for v, cell in zip(rad[1 : 1 + len(celler)], celler, strict=True):
                    väntat, decimaler = html_tal(cell)
                    if väntat is None:
                        assert v is None, (t["id"], etikett)
                    else:
                        avrundat = Decimal(repr(v)).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)
                        assert avrundat == väntat, (t["id"], etikett, v, cell)


@pytest.mark.postgres
def test_pdf_har_samma_siffror(inloggad):
    """The delårsrapport as PDF (the app's WeasyPrint path): every row of every checked table, label and figures,
    is in the PDF's text."""
    import shutil
    import subprocess

    p = Period(2024, 6, 6, frozenset({VON, ÄN, SN}))
    html, _ = kontrollera_rapport(inloggad, ÄN, 2024, "delårsrapport", p, [VON, ÄN])
    r = inloggad.get(reverse("rapport-pdf", args=[nämnd(ÄN).id, 2024, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert shutil.which("pdftotext")
    ut = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True).stdout
    text = " ".join(ut.decode().replace(NBSP, " ").split())
    assert "per 30 juni 2024" in text
    soup = BeautifulSoup(html, "html.parser")
    antal = 0
    for t in soup.find_all("table", class_="drift"):
        for tr in t.select("tbody tr"):
            if "blockrubrik" in (tr.get("class") or []):
                continue
            siffror = " ".join(td.get_text(strip=True) for td in tr.find_all("td")).replace(NBSP, " ")
            assert siffror in text, (t.get("id"), tr.find("th").get_text(strip=True), siffror)
            antal += 1
    assert antal > 80
    # Labels may wrap in the PDF's first column; the figures of each row stay on one line.
    assert Counter(text.split())["Summa"] >= 3


def test_ladda_demodata_laddar_båda_demokommunerna_och_ersätter_en_befintlig(demo, db):
    """The command loads every fixture folder; loading the second demo again replaces it (same rows, no doubles)
    and its demo users get their own names."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ekonomi.models import Budgetpost, Utfall
    from nämnd.models import Behörighet, Kommun

    # Rows split per kostnadsslag are stored instead of the netto row they split (never both).
    delade = {
        tuple(r[k] for k in ("namnd", "omrade", "ar", "manad", "kategori")) for r in läs("utfall_kostnadsslag.csv")
    }
    delad_budget = {
        tuple(r[k] for k in ("namnd", "omrade", "ar", "slag", "kategori")) for r in läs("budget_kostnadsslag.csv")
    }
    före = (Utfall.objects.for_kommun(demo[0]).count(), Budgetpost.objects.for_kommun(demo[0]).count())
    assert före == (
        len(UTFALL) - len(delade) + len(läs("utfall_kostnadsslag.csv")),
        len(BUDGET) - len(delad_budget) + len(läs("budget_kostnadsslag.csv")),
    )
    call_command("ladda_demodata", "--demo-anvandare", stdout=io.StringIO())
    kommun = Kommun.objects.get(namn=KOMMUN)
    assert kommun.id != demo[0].id
    assert (Utfall.objects.for_kommun(kommun).count(), Budgetpost.objects.for_kommun(kommun).count()) == före
    assert Kommun.objects.filter(namn__in=[KOMMUN, "Knivsta kommun"]).count() == 2
    användare = dict(Behörighet.objects.filter(kommun=kommun).values_list("user__username", "roll"))
    assert användare == DEMO["användare"]
    controller = Behörighet.objects.get(kommun=kommun, user__username="exempelby-controller")
    assert {n.namn for n in controller.nämnder.all()} == {VON, SN, ÄN}
    assert get_user_model().objects.get(username="exempelby-lasare").check_password("demo1234")
