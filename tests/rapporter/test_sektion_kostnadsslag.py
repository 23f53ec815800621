"""The section kind ``kostnadsslag``: intäkter och kostnader per kostnadsslag och månad against the årsbudget stored
per kostnadsslag, on an invented kommun (delår per 30 June: jan–jun, riktpunkt 50 %), every figure by hand.

Kostby kommun (tkr, costs positive), one nämnd: block Omsorg → verksamheter Hemtjänst and Boende; verksamhet
Stöd outside the block. Kostnadsslag: intäkter Avgifter, Bidrag; kostnader Personal, Lokaler. In kronor:

| område    | kostnadsslag | utfall 2024                        | KF-budget per kostnadsslag (+ tillägg) |
|-----------|--------------|------------------------------------|----------------------------------------|
| Hemtjänst | Avgifter     | −20 000 a month, jan–jun           | −240 000                               |
| Hemtjänst | Personal     | 100 000 a month, jan–jun           | 1 200 000 + tillägg 60 000             |
| Boende    | Personal     | 50 000 a month, jan–maj            | 600 000                                |
| Boende    | Lokaler      | 30 000 a month, jan–jun            | 360 000                                |
| Stöd      | Bidrag       | −12 000 in mar                     | –                                      |
| Stöd      | Personal     | 10 000 a month, jan–jun            | 120 000                                |

Not shown: Boende's netto utfall without kostnadsslag (999 kr in jan), Stöd's budget without kostnadsslag, utfall
of 2023 and of July.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ekonomi import berakning
from ekonomi.models import Budgetpost, Kostnadsslag, Utfall
from ekonomi.selectors import ekonomiunderlag
from nämnd.models import Kommun, Rapporttillfälle, Verksamhetsområde
from rapporter import forval, kontroller, layouter
from rapporter import selectors as rapport_sel
from rapporter.rapport import bygg_rapport
from tests import factories
from tests.rapporter.test_layouter import pdf_text, tabellrader
from tests.rapporter.test_layoutsida import formulär

pytestmark = pytest.mark.django_db

ÅR = 2024
MINUS = "\u2212"


def bygg(namn: str = "Kostby kommun", extra_områden: int = 0, kommunkod: str = "9960", **kommun_kw):
    kommun = factories.KommunFactory(namn=namn, kommunkod=kommunkod, **kommun_kw)
    Rapporttillfälle.objects.create(kommun=kommun, rapporttyp="delårsrapport", slutmånad=6)
    n = factories.NämndFactory(kommun=kommun, namn="Omsorgsnämnden")
    omsorg = factories.VerksamhetsområdeFactory(nämnd=n, namn="Omsorg", typ=Verksamhetsområde.Typ.BLOCK, ordning=1)
    o = {
        "Omsorg": omsorg,
        "Hemtjänst": factories.VerksamhetsområdeFactory(nämnd=n, namn="Hemtjänst", förälder=omsorg, ordning=2),
        "Boende": factories.VerksamhetsområdeFactory(nämnd=n, namn="Boende", förälder=omsorg, ordning=3),
        "Stöd": factories.VerksamhetsområdeFactory(nämnd=n, namn="Stöd", ordning=4),
    }
    ks = {
        namn: Kostnadsslag.objects.create(kommun=kommun, namn=namn, typ=typ, ordning=ordning)
        for namn, typ, ordning in (
            ("Bidrag", "intäkt", 2),
            ("Avgifter", "intäkt", 1),
            ("Lokaler", "kostnad", 2),
            ("Personal", "kostnad", 1),
        )
    }
    utfall = []

    def u(område, slag, belopp, månader):
        utfall.extend(
            Utfall(verksamhetsområde=o[område], år=ÅR, månad=m, kostnadsslag=ks[slag], belopp=Decimal(belopp))
            for m in månader
        )

    u("Hemtjänst", "Avgifter", -20_000, range(1, 7))
    u("Hemtjänst", "Personal", 100_000, range(1, 7))
    u("Boende", "Personal", 50_000, range(1, 6))
    u("Boende", "Lokaler", 30_000, range(1, 7))
    u("Stöd", "Bidrag", -12_000, [3])
    u("Stöd", "Personal", 10_000, range(1, 7))
    u("Hemtjänst", "Personal", 777_000, [7])  # after the report's month
    utfall.append(Utfall(verksamhetsområde=o["Boende"], år=ÅR, månad=1, belopp=Decimal(999)))  # netto, no slag
    utfall.append(
        Utfall(verksamhetsområde=o["Hemtjänst"], år=ÅR - 1, månad=1, kostnadsslag=ks["Personal"], belopp=Decimal(5))
    )
    for i in range(extra_områden):  # a larger kommun: more områden with the same kinds of figures
        extra = factories.VerksamhetsområdeFactory(nämnd=n, namn=f"Extra {i}", förälder=omsorg, ordning=10 + i)
        utfall += [
            Utfall(verksamhetsområde=extra, år=ÅR, månad=m, kostnadsslag=ks[s], belopp=Decimal(1000))
            for m in range(1, 7)
            for s in ks
        ]
        Budgetpost.objects.create(
            verksamhetsområde=extra, år=ÅR, slag="kf", kostnadsslag=ks["Personal"], belopp=Decimal(12_000)
        )
    Utfall.objects.bulk_create(utfall)
    for område, slag, belopp in (
        ("Hemtjänst", "Avgifter", -240_000),
        ("Hemtjänst", "Personal", 1_200_000),
        ("Boende", "Personal", 600_000),
        ("Boende", "Lokaler", 360_000),
        ("Stöd", "Personal", 120_000),
    ):
        Budgetpost.objects.create(
            verksamhetsområde=o[område], år=ÅR, slag="kf", kostnadsslag=ks[slag], belopp=Decimal(belopp)
        )
    Budgetpost.objects.create(
        verksamhetsområde=o["Hemtjänst"],
        år=ÅR,
        slag="tillägg",
        kostnadsslag=ks["Personal"],
        belopp=Decimal(60_000),
        kommentar="Lönekompensation",
    )
    Budgetpost.objects.create(verksamhetsområde=o["Stöd"], år=ÅR, slag="nämnd", belopp=Decimal(50_000))
    return kommun, n, o


def sektion(rubrik: str = "Intäkter och kostnader", **parametrar) -> dict:
    return {"typ": "kostnadsslag", "rubrik": rubrik, "parametrar": parametrar}


def sida(client, n) -> bytes:
    r = client.get(reverse("rapport", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200
    return r.content


def rubriker(html: bytes, id: str) -> list[str]:
    t = BeautifulSoup(html, "html.parser").find("table", id=id)
    assert t is not None, f"tabell {id} saknas"
    return [th.get_text(" ", strip=True).replace("\u00a0", " ") for th in t.find("thead").find_all("th")]


def D(*v) -> list:
    return [None if x is None else Decimal(str(x)) for x in v]


# Expected in kronor (costs positive, intäkter negative): 6 months, ackumulerat, årsbudget; then förbrukat in %.
KR = {
    "Avgifter": ([-20_000] * 6, -120_000, -240_000),
    "Bidrag": ([None, None, -12_000, None, None, None], -12_000, None),
    "Summa intäkter": ([-20_000, -20_000, -32_000, -20_000, -20_000, -20_000], -132_000, -240_000),
    "Personal": ([160_000] * 5 + [110_000], 910_000, 1_980_000),
    "Lokaler": ([30_000] * 6, 180_000, 360_000),
    "Summa kostnader": ([190_000] * 5 + [140_000], 1_090_000, 2_340_000),
    "Netto": ([170_000, 170_000, 158_000, 170_000, 170_000, 120_000], 958_000, 2_100_000),
}
PROCENT = {
    "Avgifter": "50.0",  # −120 000 / −240 000
    "Bidrag": None,  # no budget
    "Summa intäkter": "55.0",  # 132 / 240
    "Personal": "46.0",  # 910 / 1 980 = 45,96
    "Lokaler": "50.0",
    "Summa kostnader": "46.6",  # 1 090 / 2 340 = 46,58
    "Netto": "45.6",  # 958 / 2 100 = 45,62
}
ORDNING = ["Avgifter", "Bidrag", "Summa intäkter", "Personal", "Lokaler", "Summa kostnader", "Netto"]


def väntat(tecken: dict[str, int], delare: Decimal, decimaler: int) -> list[tuple[str, list]]:
    """The table's rows as printed: each amount × its row's sign, in the unit, rounded half up."""
    steg = Decimal(1).scaleb(-decimaler)
    rader = []
    for namn in ORDNING:
        månader, ack, budget = KR[namn]
        t = tecken["intäkt" if namn in ("Avgifter", "Bidrag", "Summa intäkter") else "kostnad"]
        if namn == "Netto":
            t = tecken["netto"]
        belopp = [
            None if v is None else (Decimal(v) * t / delare).quantize(steg, ROUND_HALF_UP)
            for v in [*månader, ack, budget]
        ]
        rader.append((namn, [*belopp, None if PROCENT[namn] is None else Decimal(PROCENT[namn])]))
    return rader


def test_tabellen_i_rapporten_med_kommunens_tecken(client):
    """tkr, the kommun shows costs positive: kostnader positive, intäkter negative (as stored), netto = their sum."""
    k, n, _ = bygg()
    layouter.spara(factories.admin(k), k, "delårsrapport", [sektion()])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    assert rubriker(html, "t1-kostnadsslag") == [
        "Kostnadsslag",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Maj",
        "Jun",
        "Ackumulerat jan–jun 2024",
        "Årsbudget 2024",
        "Förbrukat av årsbudget, % (riktpunkt 50,0 %)",
    ]
    rader = tabellrader(html, "t1-kostnadsslag")
    assert [namn for namn, _ in rader] == ORDNING
    procent = [(namn, [*v[:-1], None if v[-1] is None else _procent(v[-1])]) for namn, v in rader]
    assert procent == väntat({"intäkt": 1, "kostnad": 1, "netto": 1}, Decimal(1000), 0)
    soup = BeautifulSoup(html, "html.parser")
    rubrikrader = [th.get_text(strip=True) for th in soup.select("#t1-kostnadsslag th[scope=rowgroup]")]
    assert rubrikrader == ["Intäkter", "Kostnader"]
    # The sums add up in kronor: the report's checks find nothing.
    fynd = kontroller.granska(bygg_rapport(factories.läsare(k), n, ÅR, "delårsrapport"))
    assert [f.text for f in fynd if f.kod == "delsumma"] == []


def _procent(v):
    return v if isinstance(v, Decimal) else Decimal(str(v).replace("%", "").replace(",", ".").strip())


def excelblad(client, n, nyckel: str) -> list[list]:
    r = client.get(reverse("export-tabell", args=[n.id, ÅR, "delårsrapport", nyckel]))
    assert r.status_code == 200, r.content[:300]
    return [[c.value for c in rad] for rad in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows()]


def test_egna_tecken_intäkter_positiva_kostnader_negativa_i_mnkr_och_samma_siffror_i_excel(client):
    k, n, _ = bygg(beloppsenhet=Kommun.Beloppsenhet.TKR)
    layouter.spara(factories.admin(k), k, "delårsrapport", [sektion(enhet="mnkr", decimaler=2, negativa=["kostnad"])])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    assert BeautifulSoup(html, "html.parser").find("table", id="t1-kostnadsslag").caption.get_text().endswith("(mnkr)")
    rader = tabellrader(html, "t1-kostnadsslag")
    rader = [(namn, [*v[:-1], None if v[-1] is None else _procent(v[-1])]) for namn, v in rader]
    förväntat = väntat({"intäkt": -1, "kostnad": -1, "netto": -1}, Decimal(1_000_000), 2)
    assert rader == förväntat
    assert dict(rader)["Avgifter"][0] == Decimal("0.02") and dict(rader)["Personal"][0] == Decimal("-0.16")
    # Excel: the same figures, unrounded numbers in mnkr with the same signs.
    blad = excelblad(client, n, "t1")
    assert blad[0][1:7] == [f"{m} (mnkr)" for m in ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun")]
    excel = [
        (
            rad[0],
            [None if v is None else Decimal(repr(v)).quantize(Decimal("0.01"), ROUND_HALF_UP) for v in rad[1:9]]
            + [None if rad[9] is None else Decimal(repr(rad[9])).quantize(Decimal("0.1"), ROUND_HALF_UP)],
        )
        for rad in blad[1:]
        if rad[0] not in ("Intäkter", "Kostnader")
    ]
    assert excel == förväntat


def test_intäkter_negativa_kostnader_positiva_och_valda_delträd(client):
    """Own signs: intäkter negative and kostnader positive; only the block Omsorg (Hemtjänst and Boende)."""
    k, n, o = bygg()
    layouter.spara(
        factories.admin(k),
        k,
        "delårsrapport",
        [sektion(enhet="kr", negativa=["intäkt"], rötter=[o["Omsorg"].id])],
    )
    client.force_login(factories.läsare(k))
    rader = dict(tabellrader(sida(client, n), "t1-kostnadsslag"))
    assert "Bidrag" not in rader  # only Stöd has Bidrag
    assert rader["Avgifter"][:8] == D(*[-20_000] * 6, -120_000, -240_000)
    # Personal without Stöd: 150 000 a month jan–maj, 100 000 in jun; budget 1 200 000 + 60 000 + 600 000
    assert rader["Personal"][:8] == D(*[150_000] * 5, 100_000, 850_000, 1_860_000)
    assert rader["Netto"][:8] == D(*[160_000] * 5, 110_000, 910_000, 1_980_000)


def test_ingen_budget_räknas_två_gånger_i_driftredovisningen():
    """Budget per kostnadsslag is part of the område's budget: the drift tables' budget is their sum (with the
    tillägg per kostnadsslag as tillägg), the same as one post of that amount would be."""
    k, n, o = bygg()
    user = factories.läsare(k)
    underlag = {u.namn: u for u in ekonomiunderlag(user, [n], ÅR, 6)}
    rad = berakning.driftrad_period(underlag["Hemtjänst"], ÅR, 6)
    assert rad.budget == Decimal(480_000)  # (1 200 000 − 240 000) × 6/12
    assert rad.tillägg == Decimal(30_000)
    assert berakning.driftrad_helår(underlag["Boende"], ÅR, 6).budget == Decimal(960_000)


def test_ingen_data_ger_en_text(client):
    k = factories.KommunFactory(namn="Tomby kommun", kommunkod="9961")
    n = factories.NämndFactory(kommun=k)
    layouter.spara(factories.admin(k), k, "delårsrapport", [sektion()])
    client.force_login(factories.läsare(k))
    assert "Inget utfall och ingen budget per kostnadsslag" in sida(client, n).decode()


def test_okänt_delträd_och_tecken_ger_svenska_fel():
    k, n, _ = bygg()
    with pytest.raises(Exception) as e:
        layouter.spara(factories.admin(k), k, "delårsrapport", [sektion(rötter=[999_999], negativa=["investering"])])
    text = " ".join(getattr(e.value, "messages", [str(e.value)]))
    assert "Okänt val av område" in text and "Okänt slag av belopp" in text


def frågor(user, n) -> int:
    bygg_rapport(user, n, ÅR, "delårsrapport")
    with CaptureQueriesContext(connection) as c:
        rapport = bygg_rapport(user, n, ÅR, "delårsrapport")
        render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    return len(c)


def test_frågor_högst_20_och_lika_för_liten_och_stor_kommun():
    antal = []
    for namn, extra, kod in (("Liten kommun", 0, "9962"), ("Stor kommun", 12, "9963")):
        k, n, o = bygg(namn, extra_områden=extra, kommunkod=kod)
        admin = factories.admin(k)
        layout = [
            *forval.sektioner(forval.STANDARD, "delårsrapport"),
            sektion("Per kostnadsslag"),
            sektion("Omsorg per kostnadsslag", rötter=[o["Omsorg"].id]),
        ]
        layouter.spara(admin, k, "delårsrapport", layout)
        antal.append(frågor(admin, n))
    assert antal[0] == antal[1] and antal[1] <= 20, antal


@pytest.mark.postgres
def test_pdf_visar_tabellen(client):
    k, n, _ = bygg()
    layouter.spara(factories.admin(k), k, "delårsrapport", [sektion(negativa=["kostnad"])])
    client.force_login(factories.läsare(k))
    r = client.get(reverse("rapport-pdf", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "punkt 50,0 %)" in text  # the heading "… (riktpunkt 50,0 %)" may be hyphenated in its narrow column
    assert "Avgifter 20 20 20 20 20 20 120 240 50,0 %" in text
    assert (
        f"Netto {MINUS}170 {MINUS}170 {MINUS}158 {MINUS}170 {MINUS}170 {MINUS}120 {MINUS}958 {MINUS}2 100 45,6 %"
        in text
    )


def test_kommunadministratören_lägger_till_avsnittet_på_layoutsidan(client):
    """Through the page's own form fields (as a browser without JavaScript posts them): add the kind, choose the
    block Omsorg, mnkr with two decimals and own signs (intäkter and kostnader negative), save; the report shows it."""
    k, n, o = bygg()
    client.force_login(factories.admin(k))
    url = reverse("layout", args=[k.id, "delårsrapport"])
    data = formulär(client.get(url).content)
    svar = client.post(url, {**data, "ny_typ": ["kostnadsslag"], "åtgärd": ["lägg_till"]})
    assert svar.status_code == 200
    data = formulär(svar.content)
    s = next(x for x in data["sektion"] if data[f"{x}-typ"] == ["kostnadsslag"])
    assert f'name="{s}-rötter"' in svar.content.decode()
    data[f"{s}-rubrik"] = ["Per kostnadsslag"]
    data[f"{s}-rötter"] = [str(o["Omsorg"].id)]
    data[f"{s}-enhet"] = ["mnkr"]
    data[f"{s}-decimaler"] = ["2"]
    data[f"{s}-tecken"] = ["egna"]
    data[f"{s}-negativa"] = ["intäkt", "kostnad"]
    data["åtgärd"] = ["spara"]
    svar = client.post(url, data)
    assert svar.status_code == 302, svar.content.decode()[:3000]
    sparad = next(x for x in rapport_sel.layout(k.id, "delårsrapport", ÅR) if x["typ"] == "kostnadsslag")
    assert sparad["parametrar"] == {
        "rötter": [o["Omsorg"].id],
        "enhet": "mnkr",
        "decimaler": 2,
        "negativa": ["intäkt", "kostnad"],
    }
    nummer = [x["typ"] for x in rapport_sel.layout(k.id, "delårsrapport", ÅR)].index("kostnadsslag") + 1
    rader = dict(tabellrader(sida(client, n), f"t{nummer}-kostnadsslag"))
    # Omsorg only (no Stöd): intäkter as stored (negative), kostnader negative, in mnkr.
    assert rader["Avgifter"][:8] == D(*["-0.02"] * 6, "-0.12", "-0.24")
    assert rader["Personal"][:8] == D(*["-0.15"] * 5, "-0.10", "-0.85", "-1.86")


def test_både_intäkter_och_kostnader_positiva(client):
    """Own signs with nothing ticked: intäkter and kostnader both positive (one column, each row its own sign);
    the netto is kostnader − intäkter."""
    k, n, _ = bygg()
    layouter.spara(factories.admin(k), k, "delårsrapport", [sektion(enhet="tkr", negativa=[])])
    client.force_login(factories.läsare(k))
    rader = dict(tabellrader(sida(client, n), "t1-kostnadsslag"))
    assert rader["Avgifter"][:8] == D(*[20] * 6, 120, 240)
    assert rader["Summa intäkter"][:8] == D(20, 20, 32, 20, 20, 20, 132, 240)
    assert rader["Summa kostnader"][:8] == D(*[190] * 5, 140, 1090, 2340)
    assert rader["Netto"][:8] == D(170, 170, 158, 170, 170, 120, 958, 2100)
