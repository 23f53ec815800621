"""The month charts of rapporter/diagram.py (``linjediagram``, ``grupperade_staplar``): accessible SVG (role="img",
<title>, a <desc> naming the figures), relative sizes that stay legible at 320 px width, gaps for months without
figures and running sums."""

from __future__ import annotations

import re
from decimal import Decimal

from bs4 import BeautifulSoup

from rapporter import diagram

MÅNADER = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
I_ÅR = [Decimal(v) for v in (120, 118, 125)] + [None] * 9
FG = [Decimal(100 + m) for m in range(12)]


def svg(d: diagram.Diagram):
    s = BeautifulSoup(str(d.svg), "html.parser").find("svg")
    assert s is not None
    return s


def test_linjediagram_är_en_bild_med_titel_och_beskrivning_som_nämner_siffrorna():
    d = diagram.linjediagram(
        "Beviljade timmar per månad",
        [("2024", I_ÅR), ("2023", FG)],
        MÅNADER,
        "timmar",
        beskrivning="Linjediagram.",
        id="timmar",
    )
    s = svg(d)
    assert s["role"] == "img"
    assert s["aria-labelledby"] == "timmar-titel timmar-besk"
    assert s.find("title", id="timmar-titel").get_text() == "Beviljade timmar per månad"
    besk = s.find("desc", id="timmar-besk").get_text().replace("\u00a0", " ")
    assert besk == (
        "Linjediagram. 2024 (timmar): jan 120, feb 118, mar 125. 2023 (timmar): jan 100, feb 101, mar 102, apr 103, "
        "maj 104, jun 105, jul 106, aug 107, sep 108, okt 109, nov 110, dec 111."
    )
    assert d.beskrivning == s.find("desc").get_text()
    # every point has its figure as a tooltip; the months without figures have none
    punkter = [t.get_text().replace("\u00a0", " ") for t in s.find_all("title")[1:]]
    assert len(punkter) == 3 + 12 + 0 and "2024, mar: 125 timmar" in punkter
    # one line for this year (jan–mar) and one for last year
    assert len(s.find_all("polyline")) == 2


def test_storlek_relativ_och_läsbar_vid_320_px():
    for d in (
        diagram.linjediagram("Linje", [("2024", I_ÅR)], MÅNADER, "antal"),
        diagram.grupperade_staplar("Staplar", [("2024", I_ÅR), ("2023", FG)], MÅNADER, "tkr"),
        diagram.linjediagram("Rullande", [("X", FG + FG[:1])], [f"{m} 2024" for m in MÅNADER] + ["jan 2025"], "kr"),
    ):
        s = svg(d)
        assert s["width"] == "100%" and not s.has_attr("height")  # no fixed pixels: scales to its box
        _, _, bredd, höjd = (float(v) for v in s["viewbox"].split())
        assert bredd <= 400 and höjd < bredd
        storlekar = [float(t["font-size"]) for t in s.find_all("text")]
        # at 320 px the smallest text is at least 9 px
        assert min(storlekar) * 320 / bredd >= 9, min(storlekar)
        # nothing is drawn outside the view box
        xs = [float(t["x"]) for t in s.find_all("text")]
        assert min(xs) >= 0 and max(xs) <= bredd


def test_glesa_etiketter_när_de_inte_får_plats():
    s = svg(diagram.linjediagram("Rullande", [("X", FG + FG[:1])], [f"{m} 2024" for m in MÅNADER] + ["jan 2025"], "kr"))
    etiketter = [t.get_text() for t in s.find_all("text") if re.fullmatch(r"[a-z]{3} \d{4}", t.get_text())]
    assert etiketter and etiketter[0] == "jan 2024" and len(etiketter) < 13


def test_grupperade_staplar_med_negativa_värden_och_mönster():
    d = diagram.grupperade_staplar(
        "Utbetalt per månad",
        [("2024", [Decimal(-50), Decimal(80)]), ("2023", [Decimal(60), None])],
        ["jan", "feb"],
        "tkr",
    )
    s = svg(d)
    staplar = [r for r in s.find_all("rect") if r.find("title")]
    assert len(staplar) == 3  # no bar for the missing month
    assert {r["fill"] for r in staplar} == {"#1f3b57", f"url(#{s['aria-labelledby'].split()[0][:-6]}-rand)"}
    assert "−50" in s.find("desc").get_text()  # a true minus sign
    ticks = [t.get_text().replace("\u00a0", " ") for t in s.find_all("text")]
    assert "0" in ticks and any(t.startswith("−") for t in ticks)  # the axis covers the negative bar


def test_ackumulerad_linje_summerar_och_hoppar_över_saknade_månader():
    assert diagram.ackumulera([Decimal(1), None, Decimal(2), Decimal(3)]) == [
        Decimal(1),
        None,
        Decimal(3),
        Decimal(6),
    ]
    d = diagram.linjediagram("Ackumulerat", [("Resultat", [Decimal(1), Decimal(2), Decimal(3)])], MÅNADER[:3], "mnkr",
                             ackumulerad=True, decimaler=1)  # fmt: skip
    assert "Resultat (mnkr): jan 1,0, feb 3,0, mar 6,0." in d.beskrivning


def test_id_skiljer_två_diagram_i_samma_sida():
    a = diagram.linjediagram("A", [("X", FG)], MÅNADER, "antal")
    b = diagram.linjediagram("B", [("X", FG)], MÅNADER, "antal")
    assert svg(a)["aria-labelledby"] != svg(b)["aria-labelledby"]
    c = diagram.linjediagram("A", [("X", FG)], MÅNADER, "antal", id="egen")
    assert svg(c).find("title")["id"] == "egen-titel"


def test_texter_escapas():
    d = diagram.linjediagram("<script>", [("a & b", FG)], MÅNADER, "<antal>")
    assert "<script>" not in str(d.svg) and "&lt;script&gt;" in str(d.svg) and "a &amp; b" in str(d.svg)
