"""Narrative texts as a Markdown subset (rapporter/berattelse.py): headings, lists, tables and links rendered and
sanitised; plain texts render as before (and the migration's escaping keeps them so); headings numbered under
the section's number and listed in the contents of the HTML page and the PDF; the preview on the texter page.
On a kommun of another shape than the demo (annan_form_kommun: mnkr, a split nämnd, delår per June)."""

from __future__ import annotations

import importlib
import io
import re

import pikepdf
import pytest
from bs4 import BeautifulSoup
from django.apps import apps as django_apps
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.high_level import extract_text

from rapporter.berattelse import Numrering, rendera, sanera, som_markdown
from rapporter.models import Textavsnitt
from rapporter.texter import Textrad
from tests import factories

ÅR = factories.ÅR
RUBRIK = "Verksamhetens utveckling"
TEXT = """Året började lugnt.

# Hemtjänst

Fler brukare än **budgeterat**, se [SKR](https://skr.se).

- Timmarna ökade
- Kostnaden per timme minskade

## Bemanning

| Enhet | Årsarbetare |
|---|--:|
| Norr | 12 |
| Söder | 9 |

# Boende

1. Två nya platser
2. En avdelning stängd"""


def test_markdown_blir_rubriker_listor_tabeller_och_länkar():
    n = Numrering("4", "s4-text")
    html = rendera(TEXT, n)
    assert html == (
        "<p>Året började lugnt.</p>\n"
        '<h3 id="s4-text-1"><span class="nummer">4.1</span> Hemtjänst</h3>\n'
        '<p>Fler brukare än <strong>budgeterat</strong>, se <a href="https://skr.se" rel="noopener noreferrer">SKR'
        "</a>.</p>\n"
        "<ul>\n<li>Timmarna ökade</li>\n<li>Kostnaden per timme minskade</li>\n</ul>\n"
        '<h4 id="s4-text-2"><span class="nummer">4.1.1</span> Bemanning</h4>\n'
        '<div class="tabellrulle" role="region" aria-label="Tabell 1" tabindex="0"><table class="tabell">\n'
        '<thead>\n<tr>\n<th scope="col">Enhet</th>\n<th scope="col">Årsarbetare</th>\n</tr>\n</thead>\n'
        "<tbody>\n<tr>\n<td>Norr</td>\n<td>12</td>\n</tr>\n<tr>\n<td>Söder</td>\n<td>9</td>\n</tr>\n</tbody>\n"
        "</table></div>\n"
        '<h3 id="s4-text-3"><span class="nummer">4.2</span> Boende</h3>\n'
        "<ol>\n<li>Två nya platser</li>\n<li>En avdelning stängd</li>\n</ol>\n"
    )
    assert [(r.nummer, r.text, r.nivå) for r in n.rubriker] == [
        ("4.1", "Hemtjänst", 3),
        ("4.1.1", "Bemanning", 4),
        ("4.2", "Boende", 3),
    ]


def levande(html: str) -> tuple[set[str], list[str], list[str]]:
    """The elements, event attributes and link addresses a browser would act on."""
    soup = BeautifulSoup(html, "html.parser")
    element = {t.name for t in soup.find_all(True)}
    händelser = [a for t in soup.find_all(True) for a in t.attrs if a.lower().startswith("on")]
    return element, händelser, [a["href"] for a in soup.find_all("a", href=True)]


@pytest.mark.parametrize(
    ("text", "inte"),
    [
        ("Hej <script>alert(1)</script> då", {"script"}),
        ("[klicka](javascript:alert(1))", {"a"}),
        ("[klicka](JaVaScRiPt:alert(1))", {"a"}),
        ('<a href="https://x.se" onclick="alert(1)">x</a>', {"a"}),
        ('<img src="x" onerror="alert(1)">', {"img"}),
        ("![diagram](https://x.se/bild.png)", {"img"}),
        ("[relativ](/admin/)", {"a"}),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", {"a"}),
        ("<style>body{display:none}</style>", {"style"}),
        ("<iframe src='https://x.se'></iframe>", {"iframe"}),
    ],
)
def test_markdown_med_skript_händelser_bilder_och_andra_adresser_blir_ofarligt(text, inte):
    element, händelser, adresser = levande(rendera(text))
    assert not element & inte and not händelser and not adresser
    if text.startswith("<"):  # raw HTML is shown as text, never passed through
        assert text.split(">")[0][1:].split()[0] in BeautifulSoup(rendera(text), "html.parser").get_text()


def test_saneringen_släpper_bara_de_egna_taggarna():
    """nh3 behind the parser: even HTML that the parser never emits loses what is not on the list."""
    ut = sanera(
        '<h2 onclick="x()">R</h2><p style="color:red" class="c">a<img src="x"><span>b</span></p>'
        '<a href="javascript:alert(1)">j</a><a href="https://ekeby.se" target="_blank">k</a>'
        '<script>alert(1)</script><table><tr><td onmouseover="x">1</td></tr></table><iframe></iframe>'
    )
    assert ut == (
        '<h2>R</h2><p>ab</p><a rel="noopener noreferrer">j</a>'
        '<a href="https://ekeby.se" rel="noopener noreferrer">k</a><table><tbody><tr><td>1</td></tr></tbody></table>'
    )


def test_tillåtna_länkar_https_och_mailto_behålls():
    assert rendera("[Skriv](mailto:sn@ekeby.se) eller [läs](http://ekeby.se/a?b=1&c=2)") == (
        '<p><a href="mailto:sn@ekeby.se" rel="noopener noreferrer">Skriv</a> eller '
        '<a href="http://ekeby.se/a?b=1&amp;c=2" rel="noopener noreferrer">läs</a></p>\n'
    )


def gammal_rendering(text: str) -> str:
    """How a plain text rendered before Markdown (text.html: paragraphs on blank lines, linebreaksbr)."""
    stycken = [s.strip() for s in text.replace("\r\n", "\n").split("\n\n") if s.strip()]
    return "".join(f"<p>{linebreaksbr(escape(s))}</p>" for s in stycken)


def synligt(html: str) -> tuple[list[str], list[str]]:
    """What a reader sees: the tags' names in order and the words of each paragraph and line."""
    soup = BeautifulSoup(html, "html.parser")
    taggar = [t.name for t in soup.find_all(True)]
    rader = [" ".join(r.split()) for p in soup.find_all("p") for r in p.get_text("\n").split("\n") if r.strip()]
    return taggar, rader


def test_vanlig_text_renderas_som_förut_exakt():
    text = "Nämnden redovisar ett underskott.\nPrognosen är osäker.\n\nHemtjänsten ökar & boendet minskar."
    assert som_markdown(text) == text  # nothing to escape: the migration leaves it alone
    assert rendera(text) == (
        "<p>Nämnden redovisar ett underskott.<br>\nPrognosen är osäker.</p>\n"
        "<p>Hemtjänsten ökar &amp; boendet minskar.</p>\n"
    )
    assert synligt(rendera(text)) == synligt(gammal_rendering(text))


def test_text_med_markdowntecken_behåller_sin_mening_efter_migreringen():
    text = (
        "2023. Ett år med fler brukare.\n- inte en lista\n* inte heller\n# ingen rubrik\n"
        "Kostnad *per* timme, a_b_c, 5 * 3.\n> inget citat\n---\n\n    indraget\n\n"
        "Pris &amp; villkor <b>fet?</b> [x](https://x.se) | ej tabell | \\ snedstreck"
    )
    escapad = som_markdown(text)
    assert escapad.splitlines()[:3] == ["2023\\. Ett år med fler brukare.", "\\- inte en lista", "\\* inte heller"]
    assert synligt(rendera(escapad)) == synligt(gammal_rendering(text))
    assert not re.search(r"<(h\d|ul|ol|li|em|strong|a|table|blockquote|hr|code|pre)\b", rendera(escapad))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab 1.-*#_>|[]()<&;\\`=+\n", max_size=60))
def test_escapad_text_visar_samma_ord_som_förut(text):
    text = text.strip()
    ny = rendera(som_markdown(text))
    assert "<" not in re.sub(r"</?(p|br)>", "", ny)  # nothing but paragraphs and line breaks
    assert synligt(ny)[1] == synligt(gammal_rendering(text))[1]


# --- the report: numbered sub-headings in the text and in the contents (HTML and PDF) ----------------------------


@pytest.fixture
def ekeby(db):
    byggd = factories.annan_form_kommun(delårsmånad=6)
    factories.layoutsektion(byggd.kommun, "delårsrapport", "text", RUBRIK, ordning=0)  # first: number 1
    factories.layoutsektion(byggd.kommun, "delårsrapport", "text", "Framtiden", ordning=99)  # last
    omsorg = byggd.nämnder["Omsorgsnämnden"]
    factories.TextavsnittFactory(nämnd=omsorg, år=ÅR, rapporttyp="delårsrapport", rubrik=RUBRIK, text=TEXT)
    factories.TextavsnittFactory(
        nämnd=omsorg, år=ÅR, rapporttyp="delårsrapport", rubrik="Framtiden", text="# Lokaler\n\nEtt nytt boende."
    )
    return byggd


@pytest.fixture
def inloggad(client, ekeby):
    client.force_login(factories.admin(ekeby.kommun))
    return client


def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


def nummer(soup: BeautifulSoup) -> dict[str, str]:
    """Section heading → its number, as the report prints them."""
    return {h.get_text().split(None, 1)[1].strip(): h.span.get_text() for h in soup.select("section > h2")}


def test_rapportens_underrubriker_numreras_och_står_i_innehållet(inloggad, ekeby):
    sida = inloggad.get(reverse("rapport", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])).content.decode()
    soup = BeautifulSoup(sida, "html.parser")
    n = nummer(soup)
    a, b = n[RUBRIK], n["Framtiden"]
    assert int(b) == len(n) > int(a) > 0  # "Framtiden" last
    toc = soup.select_one("nav.innehallsforteckning")
    poster = [" ".join(li.a.get_text().split()) for li in toc.select("ol.underrubriker > li")]
    assert poster == [f"{a}.1 Hemtjänst", f"{a}.2 Boende", f"{b}.1 Lokaler"]
    for länk in toc.select("ol.underrubriker a"):
        assert soup.find(id=länk["href"][1:]).name == "h3"  # each entry links to its heading
    sektion = soup.find("section", id=re.compile(rf"^s{a}-"))
    assert [" ".join(h.get_text().split()) for h in sektion.find_all(["h3", "h4"])] == [
        f"{a}.1 Hemtjänst",
        f"{a}.1.1 Bemanning",
        f"{a}.2 Boende",
    ]
    tabell = sektion.select_one(f"div.tabellrulle[role=region][aria-label='Tabell 1 – {RUBRIK}'] table.tabell")
    assert [td.get_text() for td in tabell.select("tbody td")] == ["Norr", "12", "Söder", "9"]
    assert sektion.find("a", href="https://skr.se").get_text() == "SKR"


def test_pdfens_innehåll_listar_de_numrerade_underrubrikerna(inloggad, ekeby):
    sida = inloggad.get(reverse("rapport", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])).content.decode()
    n = nummer(BeautifulSoup(sida, "html.parser"))
    a, b = n[RUBRIK], n["Framtiden"]
    r = inloggad.get(reverse("rapport-pdf", args=[omsorg(ekeby).id, ÅR, "delårsrapport"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = extract_text(io.BytesIO(r.content))
    rader = [" ".join(r.split()) for r in text.splitlines() if r.strip()]
    # The contents: each numbered sub-heading, then its leader dots and page number.
    for rubrik in (f"{a}.1 Hemtjänst", f"{a}.2 Boende", f"{b}.1 Lokaler"):
        i = rader.index(rubrik)
        assert re.fullmatch(r"\.{10,}", rader[i + 1]) and rader[i + 2].isdigit(), rader[i : i + 3]
        assert rader.index(rubrik, i + 1) > i + 2  # and the heading itself in the body
    assert f"{a}.1.1 Bemanning" in rader  # the h4 in the body, not in the contents
    assert {"Norr", "Söder", "Årsarbetare"} <= set(rader)
    # Tagged for PDF/A (docs/beslut.md, "PDF"): the text's headings and table are structure, not just paint.
    taggar: list[str] = []

    def gå(e, djup=0):
        if djup > 80 or not isinstance(e, pikepdf.Dictionary):
            return
        if "/S" in e:
            taggar.append(str(e.S))
        k = e.get("/K")
        for barn in k if isinstance(k, pikepdf.Array) else [k]:
            gå(barn, djup + 1)

    dokument = pikepdf.open(io.BytesIO(r.content))
    gå(dokument.Root.StructTreeRoot)
    assert taggar.count("/H4") == 1 and taggar.count("/H3") >= 3  # Bemanning; Hemtjänst, Boende, Lokaler
    assert {"/Table", "/TH", "/TD", "/L", "/LI", "/Link"} <= set(taggar)


# --- the preview on the texter page -----------------------------------------------------------------------------


def fältnamn(rubrik: str) -> str:
    return f"{Textrad(rubrik, True).nyckel}-text"


def test_förhandsgranska_visar_texten_som_i_rapporten_och_sparar_inget(inloggad, ekeby):
    url = reverse("texter", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])
    sida = BeautifulSoup(inloggad.get(url).content.decode(), "html.parser")
    data = {i["name"]: i.get("value", "") for i in sida.select("form input[type=hidden]")}
    data |= {t["name"]: t.get_text() for t in sida.select("form textarea")}
    assert sida.find("textarea", attrs={"name": fältnamn(RUBRIK)})["data-markdown"] == "1"
    data[fältnamn("Framtiden")] = "# Nytt\n\n- en <script>alert(1)</script>"
    r = inloggad.post(url, data | {"förhandsgranska": "1"})
    assert r.status_code == 200
    svar = BeautifulSoup(r.content.decode(), "html.parser")
    visningar = {v["aria-label"]: v.select_one(".berattelse") for v in svar.select(".forhandsvisning")}
    framtiden = visningar["Förhandsvisning – Framtiden"]
    assert framtiden.h3.get_text() == "Nytt" and framtiden.li.get_text() == "en <script>alert(1)</script>"
    assert framtiden.find("script") is None
    assert visningar[f"Förhandsvisning – {RUBRIK}"].find("table") is not None
    # The textarea keeps what was written; nothing was saved.
    assert svar.find("textarea", attrs={"name": fältnamn("Framtiden")}).get_text().strip().startswith("# Nytt")
    assert Textavsnitt.objects.get(nämnd=omsorg(ekeby), rubrik="Framtiden").text == "# Lokaler\n\nEtt nytt boende."


def test_förhandsgranskning_av_annan_kommuns_nämnd_ger_404(client, ekeby):
    annan = factories.liten_kommun(ÅR, namn="Andraby kommun")
    client.force_login(factories.admin(annan.kommun))
    url = reverse("texter", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])
    assert client.post(url, {"förhandsgranska": "1", fältnamn(RUBRIK): "# x"}).status_code == 404
    assert client.get(url).status_code == 404


def test_migreringen_escapar_bara_texter_som_behöver_det(ekeby):
    migrering = importlib.import_module("rapporter.migrations.0004_texter_som_markdown")
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    vanlig = factories.TextavsnittFactory(
        nämnd=omsorg, år=ÅR, rapporttyp="verksamhetsplan", rubrik="A", text="Lugnt år."
    )
    lista = factories.TextavsnittFactory(
        nämnd=omsorg, år=ÅR, rapporttyp="verksamhetsplan", rubrik="B", text="1. Första\n- andra *viktigt*"
    )
    migrering.escapa(django_apps, None)
    vanlig.refresh_from_db()
    lista.refresh_from_db()
    assert vanlig.text == "Lugnt år." and vanlig.history.count() == 1
    assert lista.text == "1\\. Första\n\\- andra \\*viktigt\\*"
    assert rendera(lista.text) == "<p>1. Första<br>\n- andra *viktigt*</p>\n"
