"""Shared helpers of the entry pages (nyckeltal's and rapporter's texter): scoping the nämnd, the page menu and
context, the POST → validate → save → redirect flow, and why a page is read-only. Not views themselves: the view
modules of nyckeltal and rapporter both import this (a view module importing another app's views would tie the
layers together)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from ekonomi.services import Sparat
from nämnd.behorighet import kräv_redigering
from nämnd.models import Nämnd, Rapporttyp
from nämnd.selectors import nämnd_för
from nämnd.vakt import Spärr


def inmatningsnämnd(request, nämnd_id: int, år: int, rapporttyp: str | None = None) -> Nämnd:
    """The nämnd of an entry page: readable (else 404) and editable by the user (else 403)."""
    nämnd = nämnd_för(request.user, nämnd_id)
    kräv_redigering(request.user, nämnd)
    if not 2000 <= år <= 2100 or (rapporttyp is not None and rapporttyp not in Rapporttyp.values):
        raise Http404("Okänt år eller okänd rapport.")
    return nämnd


@dataclass(frozen=True)
class Länk:
    text: str
    url: str
    aktuell: bool = False


@dataclass(frozen=True)
class Rapportlänkar:
    rapport: str
    länkar: list[Länk]


def meny(request, nämnd: Nämnd, år: int) -> tuple[list[Länk], list[Rapportlänkar]]:
    """Links between the entry pages of a nämnd and year, and to its reports."""
    nu = request.get_full_path()

    def länk(text: str, url: str) -> Länk:
        return Länk(text, url, url == nu)

    sidor = [
        länk(f"Översikt {år}", reverse("översikt", args=[nämnd.id, år])),
        länk("Volymer och nyckeltal", volym_url(nämnd, år, "år")),
        länk("Volymer, månadsutfall", volym_url(nämnd, år, "månad")),
        länk("Indikatorer", reverse("indikatorer-inmatning", args=[nämnd.id, år])),
    ]
    rapporter = [
        Rapportlänkar(
            f"{namn} {år}",
            [
                länk("Måluppfyllelse och uppdrag", reverse("mal-inmatning", args=[nämnd.id, år, typ])),
                länk("Textavsnitt", reverse("texter", args=[nämnd.id, år, typ])),
                länk("Visa rapporten", reverse("rapport", args=[nämnd.id, år, typ])),
            ],
        )
        for typ, namn in Rapporttyp.choices
    ]
    return sidor, rapporter


def sidkontext(request, nämnd: Nämnd, år: int, rubrik: str, form, **extra) -> dict:
    sidor, rapporter = meny(request, nämnd, år)
    return {"nämnd": nämnd, "år": år, "rubrik": rubrik, "form": form, "sidor": sidor, "rapportmeny": rapporter, **extra}


def meddela(request, sparat: Sparat) -> None:
    if not (sparat.skapade or sparat.ändrade or sparat.borttagna):
        messages.info(request, "Inga ändringar att spara.")
        return
    delar = [
        f"{antal} {ord_[antal != 1]}"
        for antal, ord_ in (
            (sparat.skapade, ("ny", "nya")),
            (sparat.ändrade, ("ändrad", "ändrade")),
            (sparat.borttagna, ("borttagen", "borttagna")),
        )
        if antal
    ]
    messages.success(request, f"Ändringarna är sparade ({', '.join(delar)}).")


def spara_och_visa(request, form, spara: Callable[[], Sparat], *redirect_till) -> HttpResponse | None:
    """The entry pages' POST → validate → save → redirect flow. A bound, valid ``form`` is saved with
    ``spara()`` (one service call); success gives a message and the redirect to ``redirect_till`` (arguments
    of ``redirect``). ``None`` means: render the page (a GET, invalid input, or the service's ValidationError,
    which is added to the form with everything typed kept)."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        sparat = spara()
    except ValidationError as e:
        form.lägg_till_tjänstefel(e)
        return None
    meddela(request, sparat)
    return redirect(*redirect_till)


def låstext(år: int, månader: list[int], vad: str) -> str:
    perioder = ", ".join(f"{år}-{m:02d}" for m in sorted(set(månader)))
    if len(set(månader)) == 1:
        return f"Perioden {perioder} är stängd: {vad} kan inte ändras."
    return f"Perioderna {perioder} är stängda: {vad} kan inte ändras."


def spärrtext(spärrar: list[Spärr], år: int, månader: list[int], vad: str) -> str:
    """Why (part of) a page is read-only: a fastställd report names itself and how to open it; closed
    periods say which months and what."""
    fastställda = [s.text for s in spärrar if s.kod == "fastställd"]
    if fastställda:
        return " ".join(dict.fromkeys(fastställda))
    return låstext(år, månader, vad) if spärrar else ""


def volym_url(nämnd: Nämnd, år: int, vy: str) -> str:
    """The volymer page: yearly values (``vy`` "år", the default) or the monthly series ("månad")."""
    url = reverse("volymer-inmatning", args=[nämnd.id, år])
    return f"{url}?{urlencode({'vy': vy})}" if vy == "månad" else url
