"""Narrative texts as a Markdown subset: headings, paragraphs, lists, tables, links, bold and italic.

``rendera`` turns a stored text into sanitised HTML for the report (HTML page and PDF, same template) and the
preview on the texter entry page. Raw HTML in the text is escaped by the parser (``html`` off) and nh3 keeps only
the tags listed in ``TAGGAR`` (links: http, https and mailto only). Headings are moved under the section's own
``h2``: the text's top heading level becomes ``h3`` numbered under the section (7.1, 7.2 …), the next ``h4``
(7.1.1 …). A single line break stays a line break (``breaks``), so a plain text with blank lines between its
paragraphs renders as it did before Markdown; ``som_markdown`` escapes what Markdown would read otherwise
(a line starting "1." or "-", a ``*``) — the data migration ``rapporter/0004`` ran it over the stored texts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt

TAGGAR = {
    "h1", "h2", "h3", "h4", "h5", "h6",  # remapped to h3/h4 below
    "p", "br", "ul", "ol", "li", "strong", "em", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SCHEMAN = ("http://", "https://", "mailto:")

_md = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": False}).enable("table")
_RUBRIK = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAGG = re.compile(r"<[^>]+>")
_LÄNK_UTAN_ADRESS = re.compile(r'<a rel="noopener noreferrer">(.*?)</a>', re.S)


def _länkfilter(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return value if value.lower().startswith(SCHEMAN) else None
    return value


def sanera(rå_html: str) -> str:
    """Only the tags this module renders, no attributes but a link's http/https/mailto address."""
    return nh3.clean(
        rå_html,
        tags=TAGGAR,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        attribute_filter=_länkfilter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass(frozen=True)
class Underrubrik:
    id: str
    nummer: str  # "7.1"; empty when the section has no number
    text: str
    nivå: int  # 3 or 4


@dataclass
class Numrering:
    """Counters of one report section's sub-headings, shared by its texts (a section with several parts)."""

    sektionsnummer: str
    ankare: str
    namn: str = ""  # the section's heading: names its tables' scroll regions (unique on the page)
    räknare: list[int] = field(default_factory=lambda: [0, 0])
    rubriker: list[Underrubrik] = field(default_factory=list)
    tabeller: int = 0

    def nästa(self, nivå: int, text: str) -> Underrubrik:
        if nivå == 3:
            self.räknare = [self.räknare[0] + 1, 0]
        else:
            self.räknare[1] += 1
        delar = [self.sektionsnummer, str(self.räknare[0])] + ([str(self.räknare[1])] if nivå == 4 else [])
        nummer = ".".join(delar) if self.sektionsnummer else ""
        r = Underrubrik(f"{self.ankare}-{len(self.rubriker) + 1}", nummer, text, nivå)
        self.rubriker.append(r)
        return r


def rendera(text: str, numrering: Numrering | None = None) -> str:
    """The text's sanitised HTML. With ``numrering`` headings get ids and numbers (and are listed in it)."""
    if not text.strip():
        return ""
    ren = sanera(_md.render(text))
    nivåer = sorted({int(n) for n, _ in _RUBRIK.findall(ren)})

    def rubrik(m: re.Match) -> str:
        nivå = 3 if int(m[1]) == nivåer[0] else 4
        if numrering is None:
            return f"<h{nivå}>{m[2]}</h{nivå}>"
        r = numrering.nästa(nivå, html.unescape(" ".join(_TAGG.sub(" ", m[2]).split())))
        nummer = f'<span class="nummer">{r.nummer}</span> ' if r.nummer else ""
        return f'<h{nivå} id="{r.id}">{nummer}{m[2]}</h{nivå}>'

    ren = _RUBRIK.sub(rubrik, ren)

    def tabell(m: re.Match) -> str:
        etikett = "Tabell"
        if numrering is not None:
            numrering.tabeller += 1
            etikett = f"Tabell {numrering.tabeller}" + (f" – {html.escape(numrering.namn)}" if numrering.namn else "")
        return f'<div class="tabellrulle" role="region" aria-label="{etikett}" tabindex="0"><table class="tabell">'

    ren = re.sub(r"<table>", tabell, ren)
    ren = ren.replace("</table>", "</table></div>").replace("<th>", '<th scope="col">')
    # What sanitising emptied: an image's paragraph, a link whose address was refused.
    ren = _LÄNK_UTAN_ADRESS.sub(r"\1", ren).replace("<p></p>", "")
    return ren


# Markdown reads these at the start of a line (after spaces): headings, quotes, lists, breaks, setext underlines.
_RADSTART = re.compile(r"^([#>+=-])")
_LISTNUMMER = re.compile(r"^(\d{1,9})([.)])")
_INRAD = re.compile(r"([\\`*_\[\]<|])")
_ENTITET = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def som_markdown(text: str) -> str:
    """A plain text as Markdown that renders the same words, paragraphs and line breaks (idempotent on texts
    without Markdown characters: most texts come back unchanged)."""
    rader = []
    for rad in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        rad = _INRAD.sub(r"\\\1", rad.lstrip(" \t"))
        rad = _ENTITET.sub(r"\\&", rad)
        rad = _LISTNUMMER.sub(r"\1\\\2", _RADSTART.sub(r"\\\1", rad))
        rader.append(rad)
    return "\n".join(rader)
