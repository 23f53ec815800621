"""The PDF's table of contents with sub-entries: each section's h3 headings, linked, so WeasyPrint writes their
page numbers (``target-counter``) and PDF bookmarks. Only the PDF frame uses it (``rapporter/rapport.html`` with
``pdf``); the HTML page keeps its one-level list."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_TOC_SLUT = re.compile(r"</nav>")
_SEKTION = re.compile(r'<section\b[^>]*\bid="([^"]+)"[^>]*>')
_H3 = re.compile(r"<h3\b([^>]*)>(.*?)</h3>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_TAGG = re.compile(r"<[^>]+>")


def _underrubriker(sektion_id: str, html: str) -> tuple[str, list[tuple[str, str]]]:
    """The section's html with an id on every h3, and (id, text) of each, in order."""
    poster: list[tuple[str, str]] = []

    def märk(m: re.Match) -> str:
        attrs, inre = m[1], m[2]
        if befintligt := _ID.search(attrs):
            hid = befintligt[1]
        else:
            hid = f"{sektion_id}-u{len(poster) + 1}"
            attrs = f' id="{hid}"{attrs}'
        text = " ".join(_TAGG.sub(" ", inre).split())
        if text:
            poster.append((hid, text))
        return f"<h3{attrs}>{inre}</h3>"

    return _H3.sub(märk, html), poster


def _med_poster(toc: str, sektion_id: str, lista: str) -> str:
    """The contents with ``lista`` as a nested list in the section's entry."""
    post = re.compile(rf'(<a href="#{re.escape(sektion_id)}">.*?</a>)(</li>)', re.S)
    return post.sub(lambda t: f'{t[1]}<ol class="underrubriker">{lista}</ol>{t[2]}', toc, count=1)


@register.filter
def med_underrubriker(artikel: str) -> SafeString:
    """The report article with its sections' h3 headings listed under each section in the contents."""
    artikel = str(artikel)
    slut = _TOC_SLUT.search(artikel)
    if slut is None or "innehallsforteckning" not in artikel[: slut.start()]:
        return mark_safe(artikel)  # noqa: S308 - already rendered, escaped HTML
    toc, kropp = artikel[: slut.start()], artikel[slut.start() :]
    träffar = list(_SEKTION.finditer(kropp))
    delar = [kropp[: träffar[0].start()] if träffar else kropp]
    for i, m in enumerate(träffar):
        slutet = träffar[i + 1].start() if i + 1 < len(träffar) else len(kropp)
        html, poster = _underrubriker(m[1], kropp[m.start() : slutet])
        delar.append(html)
        if poster:
            toc = _med_poster(toc, m[1], "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in poster))
    return mark_safe(toc + "".join(delar))  # noqa: S308 - rendered, escaped HTML with ids and links added
