"""The report PDFs as a reader sees them: every word inside the page's margin box (poppler's word boxes), no page
number on the cover, a table of contents with sub-entries and page numbers, shown in the browser (inline).

The demo kommun's delårsrapport and verksamhetsplan, and a report of a kommun of another shape (mnkr, costs
negative, a split nämnd, delår per June, a logo) with a wide layout (a drift table of eleven columns). One pass: each PDF
is rendered once (module fixture) and checked by every test. ``PDF_MARGINAL_UT=<dir>`` keeps the PDFs and
50 dpi PNGs of their pages there, to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from rapporter import forval, layouter
from tests import factories
from tests.rapporter.test_pdf_visning import logotyp

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,  # the database is set up for the module fixture only when a test asks for it
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils saknas"),
]

MM = 72 / 25.4
# @page margins of static/css/rapport_pdf.css (top, right, bottom, left), in mm; the running head and foot lie
# in the top and bottom margins, so the box they may use is the page minus the side margins.
MARGINAL = (22, 16, 20, 18)
TOLERANS = 1.0  # pt: rounding of glyph boxes

BRED = [
    "utfall_fg",
    "kf_budget",
    "nämndbudget",
    "tillägg",
    "budget",
    "utfall",
    "avvikelse",
    "avvikelse_procent",
    "förbrukat_procent",
    "prognos",
    "avvikelse_helår",
]


@dataclass
class Ord:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Sida:
    bredd: float
    höjd: float
    ord: list[Ord]

    @property
    def text(self) -> str:
        return " ".join(o.text for o in self.ord)


@dataclass
class Pdf:
    namn: str
    data: bytes
    svar: dict
    sidor: list[Sida]


def sidor(pdf: Path) -> list[Sida]:
    """Every page's word boxes, from ``pdftotext -bbox-layout`` (XHTML)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    rot = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))  # noqa: S314 - poppler's output for our own PDF
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    return [
        Sida(
            float(p.get("width", 0)),
            float(p.get("height", 0)),
            [
                Ord(w.text or "", *(float(w.get(k, "nan")) for k in ("xMin", "yMin", "xMax", "yMax")))
                for w in p.iterfind(".//h:word", ns)
            ],
        )
        for p in rot.iterfind(".//h:page", ns)
    ]


def hämta(client, namn: str, nämnd, år: int, typ: str, ut: Path) -> Pdf:
    r = client.get(reverse("rapport-pdf", args=[nämnd.id, år, typ]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf", r.content[:300]
    fil = ut / f"{namn}.pdf"
    fil.write_bytes(r.content)
    if os.environ.get("PDF_MARGINAL_UT"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(fil), str(ut / namn)], check=True)
    return Pdf(namn, r.content, {"Content-Disposition": r["Content-Disposition"]}, sidor(fil))


@pytest.fixture(scope="module")
def pdfer(django_db_setup, django_db_blocker, tmp_path_factory) -> list[Pdf]:
    """The three PDFs, rendered once for the module (the data is rolled back afterwards)."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client, override_settings

    from nämnd.models import Nämnd
    from socialreports import demodata

    ut = Path(os.environ.get("PDF_MARGINAL_UT") or tmp_path_factory.mktemp("pdf"))
    ut.mkdir(parents=True, exist_ok=True)
    eget = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    with django_db_blocker.unblock(), override_settings(CELERY_TASK_ALWAYS_EAGER=True, CACHES={"default": eget}):
        if True:
            with transaction.atomic():
                demo = demodata.ladda()
                social = Nämnd.objects.get(kommun=demo, namn="Socialnämnden")
                client = Client()
                client.force_login(factories.läsare(demo))
                resultat = [
                    hämta(client, "delarsrapport", social, 2023, "delårsrapport", ut),
                    hämta(client, "verksamhetsplan", social, 2024, "verksamhetsplan", ut),
                ]
                b = factories.annan_form_kommun(delårsmånad=6)
                logotyp(b.kommun)  # its cover has the kommun's logo
                admin = factories.admin(b.kommun)
                sektioner = forval.sektioner(forval.STANDARD, "delårsrapport")
                bred = {
                    "typ": "drift",
                    "rubrik": "Driftredovisning med alla kolumner för perioden och helåret",
                    "parametrar": {"id": "bred", "kolumner": [{"mått": m, "rubrik": ""} for m in BRED]},
                }
                layouter.spara(admin, b.kommun, "delårsrapport", [*sektioner[:2], bred, *sektioner[2:]])
                client.force_login(admin)
                resultat.append(
                    hämta(client, "annan-form", b.nämnder["Omsorgsnämnden"], factories.ÅR, "delårsrapport", ut)
                )
                transaction.set_rollback(True)
    return resultat


def test_varje_ord_ligger_inom_marginalerna(pdfer):
    topp, höger, botten, vänster = (m * MM for m in MARGINAL)
    utanför: list[tuple] = []
    for pdf in pdfer:
        assert len(pdf.sidor) >= 3, pdf.namn
        for nr, s in enumerate(pdf.sidor, start=1):
            assert (round(s.bredd), round(s.höjd)) in ((595, 842), (842, 595)), (pdf.namn, nr)
            for o in s.ord:
                # Body text within all four margins; the running head and foot (8 pt) in the top and bottom margin.
                if not (vänster - TOLERANS <= o.x0 and o.x1 <= s.bredd - höger + TOLERANS):
                    utanför.append((pdf.namn, nr, o.text, round(o.x0), round(o.x1)))
                if not (o.y0 > 0 and o.y1 < s.höjd):
                    utanför.append((pdf.namn, nr, o.text, round(o.y0), round(o.y1)))
        # The body (what is not the running head or foot) within the top and bottom margins too.
        for nr, s in enumerate(pdf.sidor, start=1):
            for o in s.ord:
                huvud = o.y1 < topp + TOLERANS
                fot = o.y0 > s.höjd - botten - TOLERANS
                if huvud and o.y0 < topp - 14 * MM:
                    utanför.append((pdf.namn, nr, o.text, "ovanför sidhuvudet"))
                if fot and o.y1 > s.höjd - 6 * MM:
                    utanför.append((pdf.namn, nr, o.text, "under sidfoten"))
    assert utanför == []


def test_omslaget_har_inget_sidnummer_men_sidan_därefter_har(pdfer):
    """The cover has no page number (and no running head); it counts as page 1."""
    for pdf in pdfer:
        antal = len(pdf.sidor)
        omslag, andra = pdf.sidor[0], pdf.sidor[1]
        assert f"({antal})" not in omslag.text and f"1 ({antal})" not in omslag.text, pdf.namn
        assert all(o.y1 < omslag.höjd - MARGINAL[2] * MM for o in omslag.ord), pdf.namn  # nothing in the foot
        assert f"2 ({antal})" in andra.text, pdf.namn


def rader(sida: Sida) -> list[list[Ord]]:
    """The page's words as lines (same baseline within 2 pt), top to bottom."""
    rader: list[list[Ord]] = []
    for o in sorted(sida.ord, key=lambda o: (round(o.y1), o.x0)):
        if rader and abs(rader[-1][0].y1 - o.y1) < 2:
            rader[-1].append(o)
        else:
            rader.append([o])
    return [sorted(r, key=lambda o: o.x0) for r in rader]


# A section and one of its h3 sub-headings in each report (the demo's and annan_form_kommun's data).
UNDERRUBRIK = {
    "delarsrapport": ("Driftredovisning", "Kommentarer till avvikelser"),
    "verksamhetsplan": ("Mål, uppdrag och indikatorer", "KF inriktningsmål: Långsiktig ekonomi i balans"),
    "annan-form": ("Mål, uppdrag och indikatorer", "KF inriktningsmål: Trygg omsorg"),
}


def post(toc: dict[str, list[Ord]], rubrik: str) -> tuple[float, int]:
    """A contents entry (its line: optional number, the heading, leader dots, page): its left edge and page."""
    träffar = [r for t, r in toc.items() if re.fullmatch(rf"(\d+\. )?{re.escape(rubrik)} \.[ .]* \d+", t)]
    assert len(träffar) == 1, (rubrik, list(toc))
    return träffar[0][0].x0, int(träffar[0][-1].text)


def test_innehållsförteckningen_har_underrubriker_med_rätt_sidnummer(pdfer):
    for pdf in pdfer:
        sektion, under = UNDERRUBRIK[pdf.namn]
        toc = {" ".join(o.text for o in r): r for r in rader(pdf.sidor[1])}
        assert "Innehåll" in toc, pdf.namn

        x_sektion, _ = post(toc, sektion)
        x_under, sida = post(toc, under)
        assert x_under > x_sektion + 5, pdf.namn  # indented under its section
        # The page number is where the heading is (a line of its own, not the contents entry).
        rubriker = {" ".join(o.text for o in r) for r in rader(pdf.sidor[sida - 1])}
        assert under in rubriker, (pdf.namn, under, sida)


def test_ingen_halvtom_sida_före_diagram_eller_avsnitt(pdfer):
    """Every page but the cover and the last is filled at least to its lower half (no forced page breaks)."""
    for pdf in pdfer:
        for nr, s in enumerate(pdf.sidor[1:-1], start=2):
            kropp = [o for o in s.ord if o.y1 < s.höjd - MARGINAL[2] * MM]
            assert max(o.y1 for o in kropp) > s.höjd / 2, (pdf.namn, nr)


def test_pdf_visas_i_webbläsaren(pdfer):
    for pdf in pdfer:
        assert pdf.svar["Content-Disposition"].startswith("inline; filename="), pdf.namn
