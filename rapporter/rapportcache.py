"""Report bodies and PDFs cached per (report, data version).

The cached body is the report article only — no CSRF token, user name or menu — so it can be shared by
every reader of the kommun. The key holds the kommun's data version (``socialreports.dataversion``),
which every write bumps in its own transaction: invalidation is exact, entries of old versions just age out.
"""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string

from jobb.services import hanterare
from nämnd.models import Nämnd
from socialreports import dataversion

from .pdf import render_pdf
from .rapport import bygg_rapport


def _nyckel(nämnd: Nämnd, år: int, typ: str, variant: str) -> str:
    return f"rapport:{nämnd.kommun_id}:v{dataversion.version(nämnd.kommun_id)}:{nämnd.id}:{år}:{typ}:{variant}"


def artikel(user, nämnd: Nämnd, år: int, typ: str, pdf: bool) -> str:
    nyckel = _nyckel(nämnd, år, typ, "pdfhtml" if pdf else "html")
    html = cache.get(nyckel)
    if html is None:
        rapport = bygg_rapport(user, nämnd, år, typ)
        html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": pdf})
        cache.set(nyckel, html)
    return html


def pdf(nämnd: Nämnd, år: int, typ: str) -> bytes | None:
    return cache.get(_nyckel(nämnd, år, typ, "pdf"))


def rendera_pdf(user, nämnd: Nämnd, år: int, typ: str) -> bytes:
    nyckel = _nyckel(nämnd, år, typ, "pdf")  # the version before rendering: a change meanwhile re-renders
    html = render_to_string("rapporter/rapport.html", {
        "artikel": artikel(user, nämnd, år, typ, pdf=True),
        "titel": f"{nämnd.namn} – {_typnamn(typ)} {år}",
        "författare": nämnd.kommun.namn,
        "pdf": True,
    })
    data = render_pdf(html)
    cache.set(nyckel, data)
    return data


def _typnamn(typ: str) -> str:
    from nämnd.models import Rapporttyp

    return Rapporttyp(typ).label


@hanterare("pdf")
def _pdf_jobb(jobb) -> dict:
    from django.urls import reverse

    p = jobb.parametrar
    nämnd = Nämnd.objects.for_user(jobb.användare).select_related("kommun").get(pk=p["nämnd_id"])
    rendera_pdf(jobb.användare, nämnd, p["år"], p["typ"])
    return {"url": reverse("rapport-pdf", args=[nämnd.id, p["år"], p["typ"]]), "länktext": "Ladda ner PDF"}
