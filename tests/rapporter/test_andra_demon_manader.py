"""The second demo kommun's month and kostnadsslag sections (issue 14 item 9): Socialnämndens månadsrapport for
June 2024 — the old nämnd (jan–apr) and Socialnämnden (maj–dec) as parts — shows every new section kind with
the fixture's invented data: ekonomiskt bistånd per kostnadsslag and month against the årsbudget, hushåll per
month over a rolling 13 months, the result accumulated month by month, ekonomiskt bistånd (utbetalt, hushåll,
beslutsorsaker) and the internkontrollplan. Every figure is computed here from the fixture's rows
(``utfall_kostnadsslag.csv``, ``budget_kostnadsslag.csv``, ``nyckeltal.csv``, ``utfall.csv``, ``budget.csv``,
``prognos.csv``, demo.json) with plain sums, then checked in the HTML, the Excel export and (PostgreSQL pass) the
PDF text. The report stays within its query budget of 20, and so does the delårsrapport, which adds the monthly
series to the standard sections (the five kinds together cost nine queries, more than a delårsrapport's headroom:
see docs/layouter.md, "Andra demokommunen")."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rapporter import selectors as rapporter_sel
from rapporter.rapport import bygg_rapport

from . import test_andra_demon
from .test_andra_demon import (
    BUDGET,
    DEMO,
    MINUS,
    NBSP,
    NYCKELTAL,
    PROGNOS,
    SN,
    STRECK,
    UTFALL,
    VON,
    andel,
    html_tabell,
    html_tal,
    läs,
    nämnd,
    öre,
)

demo, inloggad = test_andra_demon.demo, test_andra_demon.inloggad  # the loaded demo and a logged-in client

KOSTNADSSLAG = läs("kostnadsslag.csv")
UTFALL_KS = läs("utfall_kostnadsslag.csv")
BUDGET_KS = läs("budget_kostnadsslag.csv")
ÅR, T = 2024, 6
TYP = "månadsrapport"
MÅNAD = f"?månad={T}"
DELAR = (VON, SN)  # Socialnämndens delårsrapport: the old nämnd jan–apr and Socialnämnden
MÅNADER = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober"]
KORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
NOLL = Decimal(0)
PROCENT = "%"


def sektion(typ: str) -> dict:
    return next(s for s in DEMO["layouter"][TYP] if s["typ"] == typ)


def tal(v: Decimal | None, delare: int = 1, decimaler: int = 0, tecken: int = 1, slut: str = "") -> str:
    """As the report prints it: ``v`` / ``delare`` × ``tecken``, rounded, Swedish thousands and decimal comma."""
    if v is None:
        return STRECK
    n = (v * tecken / delare).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)
    text = f"{abs(n):,.{decimaler}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if n < 0 else "") + text + (f"{NBSP}%" if slut == PROCENT else "")


def summa(värden) -> Decimal | None:
    värden = [v for v in värden if v is not None]
    return sum(värden, NOLL) if värden else None


@pytest.fixture
def sida(inloggad):
    r = inloggad.get(reverse("rapport", args=[nämnd(SN).id, ÅR, TYP]) + MÅNAD)
    assert r.status_code == 200
    return r.content


def tabell_med(soup, slut: str):
    t = [t for t in soup.find_all("table") if (t.get("id") or "").endswith(slut)]
    assert len(t) == 1, slut
    return t[0]["id"]


# --- expected figures from the fixture rows ------------------------------------------------------------------


def i_delträd(r: dict, rötter: list[str]) -> bool:
    return any(
        f"{r['namnd']}: {r['omrade']}" == x or f"{r['namnd']}: {r['omrade']}".startswith(x + " / ") for x in rötter
    )


def kostnadsslagstabell() -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Intäkter and kostnader per kostnadsslag and month (tkr, 0 decimals, kostnader negative: stored amounts
    are costs positive, intäkter negative, so every figure is shown with its sign flipped)."""
    p = sektion("kostnadsslag")["parametrar"]
    utfall = [r for r in UTFALL_KS if r["namnd"] in DELAR and int(r["ar"]) == ÅR and i_delträd(r, p["rötter"])]
    budget = [r for r in BUDGET_KS if r["namnd"] in DELAR and int(r["ar"]) == ÅR and i_delträd(r, p["rötter"])]
    assert all(r["slag"] == "kf" for r in budget)

    def figurer(slag: set[str]) -> list[Decimal | None]:
        mån = [
            summa(Decimal(r["belopp_kr"]) for r in utfall if r["kostnadsslag"] in slag and int(r["manad"]) == m)
            for m in range(1, T + 1)
        ]
        ack = summa(mån)
        bud = summa(Decimal(r["belopp_kr"]) for r in budget if r["kostnadsslag"] in slag)
        return [*mån, ack, bud, None if ack is None or not bud else ack / bud * 100]

    def celler(f: list[Decimal | None]) -> list[str]:
        return [tal(v, 1000, tecken=-1) for v in f[:-1]] + [tal(f[-1], decimaler=1, slut=PROCENT)]

    rader: list[tuple[str, list[str]]] = []
    for typ, namn in (("intäkt", "Intäkter"), ("kostnad", "Kostnader")):
        slag = [r["kostnadsslag"] for r in KOSTNADSSLAG if r["typ"] == typ]
        rader.append((namn, []))
        rader += [(s, celler(figurer({s}))) for s in slag]
        rader.append((f"Summa {namn.lower()}", celler(figurer(set(slag)))))
    rader.append(("Netto", celler(figurer({r["kostnadsslag"] for r in KOSTNADSSLAG}))))
    kolumner = [k.capitalize() for k in KORT[:T]] + [
        f"Ackumulerat jan–{KORT[T - 1]} {ÅR}",
        f"Årsbudget {ÅR}",
        f"Förbrukat av årsbudget, % (riktpunkt {tal(Decimal(T * 100) / 12, decimaler=1, slut=PROCENT)})",
    ]
    return kolumner, rader


def nyckeltalsvärde(namn: str, år: int, månad: int) -> Decimal | None:
    return summa(
        Decimal(r["varde"])
        for r in NYCKELTAL
        if f"{r['namnd']}: {r['grupp']} / {r['nyckeltal']}" == namn
        and int(r["ar"]) == år
        and r["manad"]
        and int(r["manad"]) == månad
    )


def serietabell() -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The rolling 13 months: jun 2023 … jun 2024, one row per nyckeltal under its group."""
    p = sektion("manadsserie")["parametrar"]
    assert p["period"] == "rullande"
    månader = [(ÅR - 1, m) for m in range(T, 13)] + [(ÅR, m) for m in range(1, T + 1)]
    rader: list[tuple[str, list[str]]] = []
    grupp = None
    for namn in p["nyckeltal"]:
        g = namn.split(": ", 1)[1].split(" / ")[0]
        if g != grupp:
            rader.append((g, []))
            grupp = g
        enhet = next(r["enhet"] for r in NYCKELTAL if f"{r['namnd']}: {r['grupp']} / {r['nyckeltal']}" == namn)
        rader.append((f"{namn.rsplit(' / ', 1)[1]} ({enhet})", [tal(nyckeltalsvärde(namn, å, m)) for å, m in månader]))
    return [f"{KORT[m - 1]} {å}" for å, m in månader], rader


def ackumulerat() -> list[tuple[str, list[str]]]:
    """The report's whole områden (both parts): utfall and periodbudget (KF-budget and tillägg with their
    profiles, per kostnadsslag too) month by month, the result (budget − utfall) and its running sum; then the
    helårsprognos (each område's latest made by June) against the year's budget. mnkr, one decimal, costs
    negative. ``budget.csv``'s bistånd rows are replaced by their kostnadsslag split, which sums to them (the
    loader checks it), and the parts are multiples of 1 200 kr, so periodising either gives the same öre."""
    poster = [r for r in BUDGET if r["namnd"] in DELAR and int(r["ar"]) == ÅR and r["slag"] in ("kf", "tillägg")]

    def budget(m: int) -> Decimal:
        return sum(
            (
                öre(Decimal(r["belopp_kr"]) * andel(r["profil"], m))
                - öre(Decimal(r["belopp_kr"]) * andel(r["profil"], m - 1))
                for r in poster
            ),
            NOLL,
        )

    rader, ack = [], NOLL
    utfall_s, budget_s, resultat_s = [], [], []
    for m in range(1, T + 1):
        u = summa(
            Decimal(r["belopp_kr"])
            for r in UTFALL
            if r["namnd"] in DELAR and int(r["ar"]) == ÅR and int(r["manad"]) == m
        )
        b = budget(m)
        res = b - (u or NOLL)
        ack += res
        utfall_s.append(u), budget_s.append(b), resultat_s.append(res)
        rader.append(
            (
                MÅNADER[m - 1].capitalize(),
                [tal(u, 10**6, 1, -1), tal(b, 10**6, 1, -1), tal(res, 10**6, 1), tal(ack, 10**6, 1)],
            )
        )
    rader.append(
        (
            f"Summa jan–{KORT[T - 1]} {ÅR}",
            [
                tal(summa(utfall_s), 10**6, 1, -1),
                tal(sum(budget_s), 10**6, 1, -1),
                tal(sum(resultat_s), 10**6, 1),
                STRECK,
            ],
        )
    )
    senaste: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for r in PROGNOS:
        if r["namnd"] in DELAR and int(r["ar"]) == ÅR and int(r["manad"]) <= T:
            o = (r["namnd"], r["omrade"])
            if o not in senaste or int(r["manad"]) > senaste[o][0]:
                senaste[o] = (int(r["manad"]), Decimal(r["belopp_kr"]))
    prognos = sum((v for _, v in senaste.values()), NOLL)
    helår = sum((Decimal(r["belopp_kr"]) for r in poster), NOLL)
    rader.append(
        (
            f"Helår {ÅR}: prognos mot budget",
            [tal(prognos, 10**6, 1, -1), tal(helår, 10**6, 1, -1), tal(helår - prognos, 10**6, 1), STRECK],
        )
    )
    return rader


def bistånd() -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    """Utbetalt = the utfall booked on the chosen kostnadsslag in the report's parts, this year and last (tkr,
    0 decimals, costs positive: the layout shows no kind negative); hushåll from their nyckeltal; beslutsorsaker
    (kronor per month) summed over jan–jun with their shares."""
    p = sektion("bistand")["parametrar"]

    def utbetalt(år: int, m: int) -> Decimal | None:
        return summa(
            Decimal(r["belopp_kr"])
            for r in UTFALL_KS
            if r["namnd"] in DELAR
            and int(r["ar"]) == år
            and int(r["manad"]) == m
            and r["kostnadsslag"] in p["kostnadsslag"]
        )

    månad, us, fgs = [], [], []
    for m in range(1, T + 1):
        u, fg = utbetalt(ÅR, m), utbetalt(ÅR - 1, m)
        h, h_fg = nyckeltalsvärde(p["hushåll"], ÅR, m), nyckeltalsvärde(p["hushåll"], ÅR - 1, m)
        us.append(u), fgs.append(fg)
        månad.append(
            (
                MÅNADER[m - 1].capitalize(),
                [tal(u, 1000), tal(fg, 1000), tal(u - fg, 1000), tal(h), tal(h_fg), tal(u / h)],
            )
        )
    månad.append(
        (
            f"Summa jan–{KORT[T - 1]} {ÅR}",
            [tal(sum(us), 1000), tal(sum(fgs), 1000), tal(sum(us) - sum(fgs), 1000), STRECK, STRECK, STRECK],
        )
    )
    orsaker = []
    värden = {
        namn: [summa(nyckeltalsvärde(namn, år, m) for m in range(1, T + 1)) for år in (ÅR, ÅR - 1)]
        for namn in p["nyckeltal"]
    }
    total = sum(v[0] for v in värden.values())
    total_fg = sum(v[1] for v in värden.values())
    for namn, (v, fg) in värden.items():
        orsaker.append(
            (namn.rsplit(" / ", 1)[1], [tal(v, 1000), tal(fg, 1000), tal(v / total * 100, decimaler=1, slut=PROCENT)])
        )
    orsaker.append(("Summa", [tal(total, 1000), tal(total_fg, 1000), tal(Decimal(100), decimaler=1, slut=PROCENT)]))
    return månad, orsaker


def internkontrollplan() -> tuple[list[str], list[list[str]]]:
    """The table's rows for the report's parts, under a heading per nämnd with rows (the report has two parts)."""
    t = next(t for t in DEMO["egentabeller"] if t["namn"] == sektion("egentabell")["parametrar"]["tabell"])
    from rapporter.egentabeller import FÖRVAL

    kolumner = [k.namn for k in FÖRVAL[t["förval"]].kolumner]
    rader: list[list[str]] = []
    for n in DELAR:
        egna = [r for r in t["rader"] if r["nämnd"] == n and r["år"] == ÅR]
        if egna:
            rader.append([n])
            rader += [[r["värden"].get(k, "") for k in kolumner] for r in egna]
    return kolumner, rader


# --- HTML --------------------------------------------------------------------------------------------------------


def kontrollera(soup, id: str, kolumner: list[str] | None, rader: list[tuple[str, list[str]]]) -> None:
    k, html = html_tabell(soup, id)
    if kolumner is not None:
        assert k == kolumner, id
    assert [(e, c) for e, _, _, c in html] == rader, id


@pytest.mark.django_db
def test_delårsrapportens_månadsavsnitt(sida):
    soup = BeautifulSoup(sida, "html.parser")
    text = soup.get_text(" ")
    for s in DEMO["layouter"][TYP]:
        assert s["rubrik"] in text
    kontrollera(soup, tabell_med(soup, "-kostnadsslag"), *kostnadsslagstabell())
    kontrollera(soup, tabell_med(soup, "-serier"), *serietabell())
    ack = sektion("ackumulerat")["parametrar"]["id"]
    kontrollera(soup, f"{ack}-alla", ["Utfall", "Periodbudget", "Resultat", "Ackumulerat resultat"], ackumulerat())
    månad, orsaker = bistånd()
    b = sektion("bistand")["parametrar"]["id"]
    kontrollera(soup, f"{b}-manad", None, månad)
    kontrollera(soup, f"{b}-orsak", [f"jan–jun {ÅR}", f"jan–jun {ÅR - 1}", f"Andel {ÅR}, %"], orsaker)
    kolumner, rader = internkontrollplan()
    t = soup.find("table", class_="egentabell")
    assert [th.get_text(strip=True) for th in t.find("thead").find_all("th")] == kolumner
    assert [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in t.find("tbody").find_all("tr")
    ] == rader
    # Charts with text alternatives: the series' months, the accumulated result and utbetalt per month.
    diagram = [svg.get("aria-label") or svg.find("title").get_text() for svg in soup.find_all("svg", role="img")]
    assert len(diagram) >= 3


@pytest.mark.django_db
def test_rapporterna_inom_frågebudgeten(demo):
    """Building and rendering the månadsrapport with every new section kind, and the delårsrapport with the
    monthly series beside the standard sections: ≤ 20 queries each (as tests/rapporter/test_layout_fragor.py
    measures, after a warm-up)."""
    user = demo[1]
    n = nämnd(SN)
    for typ, månad, layout in (
        (TYP, T, DEMO["layouter"][TYP]),
        ("delårsrapport", None, DEMO["layouter"]["delårsrapport"]["2024"]),
    ):
        bygg_rapport(user, n, ÅR, typ, månad)
        with CaptureQueriesContext(connection) as c:
            rapport = bygg_rapport(user, n, ÅR, typ, månad)
            html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
        assert len(c) <= 20, (typ, len(c))
        assert [s.sektion for s in rapport.sektioner] == [s["typ"] for s in layout]
    # The delårsrapport's monthly series: the same rolling 13 months.
    soup = BeautifulSoup(html, "html.parser")
    kontrollera(soup, tabell_med(soup, "-serier"), *serietabell())


def test_delårsrapport_med_alla_månadsavsnitt_inom_frågebudgeten(demo):
    """The delårsrapport's standard sections (mål, drift per part and sector, volymer …) and every new kind at once
    (kostnadsslag, månadsserie, ackumulerat, bistånd, egen tabell): the monthly sections share one utfall read and
    one nyckeltal read, so the report stays ≤ 21 queries (20 and the kommun's logo)."""
    user = demo[1]
    n = nämnd(SN)
    standard = rapporter_sel.layout(n.kommun_id, "delårsrapport", ÅR)
    rubriker = {s["rubrik"] for s in standard}
    nya = [s for s in rapporter_sel.layout(n.kommun_id, TYP, ÅR) if s["typ"] in NYA and s["rubrik"] not in rubriker]
    layout = standard + nya
    assert {s["typ"] for s in layout} >= NYA
    bygg_rapport(user, n, ÅR, "delårsrapport", layout=layout)
    with CaptureQueriesContext(connection) as c:
        rapport = bygg_rapport(user, n, ÅR, "delårsrapport", layout=layout)
        render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    assert len(c) <= 21, len(c)  # 20 + the kommun's logo in the report header


NYA = {"kostnadsslag", "manadsserie", "ackumulerat", "bistand", "egentabell"}


# --- Excel -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_excel_har_samma_siffror(inloggad, sida):
    """Each new section's export: every row label and figure (unrounded in the sheet) rounds to the checked HTML;
    the internkontrollplan's sheet holds its text cells with a Nämnd column."""
    soup = BeautifulSoup(sida, "html.parser")
    n = nämnd(SN)
    ids = [
        tabell_med(soup, "-kostnadsslag"),
        tabell_med(soup, "-serier"),
        f"{sektion('ackumulerat')['parametrar']['id']}-alla",
        f"{sektion('bistand')['parametrar']['id']}-manad",
        f"{sektion('bistand')['parametrar']['id']}-orsak",
    ]
    for id in ids:
        nyckel = id.rsplit("-", 1)[0]
        r = inloggad.get(reverse("export-tabell", args=[n.id, ÅR, TYP, nyckel]) + MÅNAD)
        assert r.status_code == 200, nyckel
        blad = [ws for ws in load_workbook(io.BytesIO(r.content)).worksheets if ws.title != "Om tabellen"]
        tabeller = [t["id"] for t in soup.find_all("table") if (t.get("id") or "").startswith(f"{nyckel}-")]
        assert len(blad) == len(tabeller)
        ws = blad[tabeller.index(id)]
        _, rader = html_tabell(soup, id)
        excel = [[c.value for c in rad] for rad in ws.iter_rows()][1:]
        assert [rad[0] for rad in excel] == [e for e, *_ in rader], id
        for rad, (etikett, radtyp, _, celler) in zip(excel, rader, strict=True):
            if radtyp == "rubrik":
                assert not any(rad[1:]), (id, etikett)
                continue
            for v, cell in zip(rad[1 : 1 + len(celler)], celler, strict=True):
                väntat, decimaler = html_tal(cell)
                if väntat is None:
                    assert v is None, (id, etikett)
                else:
                    avrundat = Decimal(repr(v)).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)
                    assert avrundat == väntat, (id, etikett, v, cell)
    egen = soup.find("table", class_="egentabell")["id"]
    r = inloggad.get(reverse("export-tabell", args=[n.id, ÅR, TYP, egen]) + MÅNAD)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    kolumner, rader = internkontrollplan()
    excel = [[c.value for c in rad] for rad in ws.iter_rows()]
    assert excel[0] == ["Nämnd", *kolumner]
    nämnd_ = ""
    väntade = []
    for rad in rader:
        if len(rad) == 1:
            nämnd_ = rad[0]
            continue
        väntade.append([nämnd_, *(v or None for v in rad)])
    assert excel[1:] == väntade


# --- PDF -------------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_pdf_har_samma_siffror(inloggad, sida):
    """Every row of the new sections' tables, label and figures, is in the PDF's text."""
    import shutil
    import subprocess

    r = inloggad.get(reverse("rapport-pdf", args=[nämnd(SN).id, ÅR, TYP]) + MÅNAD)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert shutil.which("pdftotext")
    ut = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True).stdout
    text = " ".join(ut.decode().replace(NBSP, " ").split())
    soup = BeautifulSoup(sida, "html.parser")
    månad, orsaker = bistånd()
    b = sektion("bistand")["parametrar"]["id"]
    väntade = [
        *kostnadsslagstabell()[1],
        *serietabell()[1],
        *ackumulerat(),
        *månad,
        *orsaker,
    ]
    antal = 0
    for etikett, celler in väntade:
        if celler:
            assert " ".join(celler).replace(NBSP, " ") in text, (etikett, celler)
            antal += 1
    assert antal == len([c for _, c in väntade if c]) >= 28
    for rad in internkontrollplan()[1]:
        for cell in rad:
            if cell:
                assert " ".join(cell.split()) in text or all(w in text for w in cell.split()), cell
    assert soup.find("table", id=f"{b}-manad") is not None


@pytest.mark.django_db
def test_utfall_och_budget_per_kostnadsslag_ersätter_nettoraden(demo):
    """The loader stores a split month (or budget post) per kostnadsslag only — never beside its netto row — so
    every område's sums per month and per budget kind are the netto rows of utfall.csv and budget.csv."""
    from django.db.models import Sum

    from ekonomi.models import Budgetpost, Utfall

    kommun = demo[0]
    väg = test_andra_demon.sökvägar()
    lagrat: dict[tuple, Decimal] = {}
    for r in (
        Utfall.objects.for_kommun(kommun)
        .values("verksamhetsområde", "år", "månad", "kategori")
        .annotate(s=Sum("belopp"))
    ):
        lagrat[(*väg[r["verksamhetsområde"]], str(r["år"]), str(r["månad"]), r["kategori"])] = r["s"]
    assert lagrat == {
        (r["namnd"], r["omrade"], r["ar"], r["manad"], r["kategori"]): Decimal(r["belopp_kr"]) for r in UTFALL
    }
    delade = Utfall.objects.for_kommun(kommun).filter(kostnadsslag__isnull=False)
    assert delade.count() == len(UTFALL_KS)
    assert (
        not Utfall.objects.for_kommun(kommun)
        .filter(
            kostnadsslag__isnull=True,
            verksamhetsområde__in=delade.values("verksamhetsområde"),
            år__in=delade.values("år"),
            månad__in=delade.values("månad"),
        )
        .exists()
    )
    budget: dict[tuple, Decimal] = {}
    for r in (
        Budgetpost.objects.for_kommun(kommun)
        .values("verksamhetsområde", "år", "slag", "kategori")
        .annotate(s=Sum("belopp"))
    ):
        budget[(*väg[r["verksamhetsområde"]], str(r["år"]), r["slag"], r["kategori"])] = r["s"]
    väntat: dict[tuple, Decimal] = {}
    for r in BUDGET:
        k = (r["namnd"], r["omrade"], r["ar"], r["slag"], r["kategori"])
        väntat[k] = väntat.get(k, NOLL) + Decimal(r["belopp_kr"])
    assert budget == väntat
    assert Budgetpost.objects.for_kommun(kommun).filter(kostnadsslag__isnull=False).count() == len(BUDGET_KS)


@pytest.mark.django_db
def test_delning_som_inte_summerar_till_nettoraden_stoppar_laddningen(tmp_path):
    """A fixture whose rows per kostnadsslag do not add up to the netto row they replace is refused with a
    message naming the row, and nothing of the kommun is saved."""
    import shutil

    from nämnd.models import Kommun
    from socialreports import demodata

    katalog = tmp_path / "fel"
    shutil.copytree(test_andra_demon.KATALOG, katalog)
    demo_ = json.loads((katalog / "demo.json").read_text(encoding="utf-8"))
    demo_["kommun"]["namn"] = "Felby kommun"
    (katalog / "demo.json").write_text(json.dumps(demo_, ensure_ascii=False), encoding="utf-8")
    rader = (katalog / "utfall_kostnadsslag.csv").read_text(encoding="utf-8").splitlines()
    namnd, omrade, ar, manad, kategori, slag, belopp = rader[1].split(";")
    rader[1] = ";".join([namnd, omrade, ar, manad, kategori, slag, str(Decimal(belopp) + Decimal("0.01"))])
    (katalog / "utfall_kostnadsslag.csv").write_text("\n".join(rader) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{omrade}.*summerar till"):
        demodata.ladda(katalog=katalog)
    assert not Kommun.objects.filter(namn="Felby kommun").exists()
