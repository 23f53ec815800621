"""The Kolada comparison page of one indikator: its table and chart against the peer group and riket with the
provenance, the values Kolada revised at the latest fetch, and the choice of the indikator's peer group. Thin:
reads through ``nyckeltal.kolada_selectors``, writes through ``nyckeltal.kolada_services``. Another kommun's
indikator → 404; a läsare may look but not choose (403); the kommun's standard group is the administrators'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from nyckeltal import kolada_selectors, kolada_services
from nämnd.behorighet import kan_redigera, är_admin
from rapporter import kolada


@require_http_methods(["GET", "POST"])
def jämförelse(request, indikator_id: int, år: int):
    indikator = kolada_selectors.indikator(request.user, indikator_id)
    if indikator is None:
        raise Http404("Indikatorn finns inte.")
    grupper = kolada_selectors.grupper(request.user, indikator.mål.nämnd.kommun_id)
    fel = ""
    if request.method == "POST":
        standard = "standard" in request.POST
        val = request.POST.get("standard" if standard else "grupp", "")
        grupp = next((g for g in grupper if str(g.pk) == val), None)
        if (val or standard) and grupp is None:
            fel = "Välj en av kommunens jämförelsegrupper."
        else:
            try:
                if standard and grupp is not None:
                    kolada_services.välj_standardgrupp(request.user, grupp)
                else:
                    kolada_services.välj_grupp(request.user, indikator, grupp)
            except ValidationError as e:
                fel = " ".join(e.messages)
            else:
                messages.success(
                    request,
                    f"{grupp} är kommunens standardgrupp."
                    if standard
                    else f"Jämförelsegruppen för {indikator.namn} är sparad.",
                )
                return redirect("kolada-jamforelse", indikator.pk, år)
    j = kolada_selectors.jämförelse(request.user, indikator, år)
    return render(
        request,
        "importer/kolada_jamforelse.html",
        {
            "indikator": indikator,
            "år": år,
            "v": kolada.vy(j) if j else None,
            "j": j,
            "grupper": grupper,
            "standard": next((g for g in grupper if g.standard), None),
            "får_välja": kan_redigera(request.user, indikator.mål.nämnd),
            "är_admin": är_admin(request.user, indikator.mål.nämnd.kommun_id),
            "fel": fel,
        },
        status=400 if fel else 200,
    )
