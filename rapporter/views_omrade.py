"""Drill-down from a report figure: one verksamhetsområde's months of a year (budget, utfall, prognos) and, for
utfall, the imports that wrote it, each linking to its import page (file name, checksum, rows, sum, who and when).
Only for logged-in readers of the kommun; the public pages and the PDF have no links here."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ekonomi import omradesmanader
from grund import manader

from . import selectors as sel
from .sektioner import sammanfattning
from .tabell import KOSTNAD


@require_safe
def område(request, nämnd_id: int, år: int, område_id: int):
    nämnd = sel.nämnd_för(request.user, nämnd_id)
    data = omradesmanader.områdesmånader(request.user, nämnd, år, område_id)
    if data is None:
        raise Http404("Verksamhetsområdet finns inte.")
    visning = sammanfattning.visning(nämnd.kommun)
    rader = [
        {
            "m": m,
            "namn": manader.lång(m.månad),
            "budget": visning.text(m.budget, KOSTNAD),
            "utfall": visning.text(m.utfall, KOSTNAD),
            "budget_ack": visning.text(m.budget_ack, KOSTNAD),
            "utfall_ack": visning.text(m.utfall_ack, KOSTNAD),
            "prognos": visning.text(m.prognos, KOSTNAD),
        }
        for m in data.månader
    ]
    return render(
        request,
        "rapporter/omrade_manader.html",
        {"nämnd": nämnd, "år": år, "data": data, "rader": rader, "enhet": visning.enhet},
    )
