"""Import of a kommun's own table (``importer.mallar.egentabell``): upload → preview → confirm, like the other
template imports (the shared templates, the parsed rows kept in the session between preview and confirm), and the
table's template as .xlsx (its columns, with the stored rows). Started from the table's entry page; another
kommun's nämnd or table → 404, no right to import → 403."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from rapporter import egentabeller as et

from . import export, mallar, selectors
from .mallar.egentabell import Egentabellimport, cell_text, typ_för
from .models import Import
from .views_mallar import Uppladdning, _importnämnd, _sessionsnyckel, granskningssida


def _tabell(request, nämnd, tabell_id: int, år: int):
    if not 2000 <= år <= 2100:
        raise Http404("Okänt år.")
    tabell = et.tabell_för(request.user, tabell_id)
    if tabell.kommun_id != nämnd.kommun_id:
        raise Http404("Okänd tabell.")
    return tabell


@require_http_methods(["GET", "POST"])
def ladda_upp(request, nämnd_id: int, tabell_id: int, år: int):
    nämnd = _importnämnd(request, nämnd_id)
    tabell = _tabell(request, nämnd, tabell_id, år)
    definition = Egentabellimport(tabell.id, år)
    definition.titel = f"{tabell.namn} {år}"  # type: ignore[misc]
    form = Uppladdning(
        request.POST or None,
        request.FILES or None,
        profiler=selectors.importprofiler(nämnd.kommun, definition.typ),
        filtyper=definition.filtyper,
    )
    if request.method == "POST" and form.is_valid():
        fil = form.cleaned_data["fil"]
        innehåll = fil.read(mallar.MAX_FILSTORLEK + 1)
        granskning = mallar.förhandsgranska(request.user, nämnd, definition.typ, fil.name, innehåll)
        del innehåll
        request.session[_sessionsnyckel(granskning.imp.pk)] = granskning.tolkat.som_json()
        return redirect("egentabell-import-granska", nämnd.pk, tabell.id, år, granskning.imp.pk)
    return render(
        request,
        "importer/mallar/ladda_upp.html",
        {
            "nämnd": nämnd,
            "typ": definition.typ,
            "definition": definition,
            "form": form,
            "har_profiler": False,
            "gränser": mallar.GRÄNSER.beskrivning(),
            "mall_url": reverse("egentabell-mall", args=[nämnd.pk, tabell.id, år]),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def granska(request, nämnd_id: int, tabell_id: int, år: int, import_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    tabell = _tabell(request, nämnd, tabell_id, år)
    imp = selectors.eget_import(request.user, nämnd, import_id, [typ_för(tabell.id, år)])
    tillbaka = reverse("egentabell-rader", args=[nämnd.pk, år, tabell.id])

    def bekräftad(imp: Import) -> None:
        messages.success(request, f"Importen är klar: {imp.antal_skapade} nya och {imp.antal_ändrade} ändrade rader.")

    return granskningssida(
        request, nämnd, imp, f"{tabell.namn} {år}", avbruten=tillbaka, klar=lambda imp: tillbaka, bekräftad=bekräftad
    )


@require_GET
def mall(request, nämnd_id: int, tabell_id: int, år: int):
    """The table's columns as an .xlsx, with the stored rows of the nämnd and year (edit and import again)."""
    nämnd = _importnämnd(request, nämnd_id)
    tabell = _tabell(request, nämnd, tabell_id, år)
    kolumner = et.kolumner(tabell)
    namn = et.användare(nämnd.kommun_id)
    blad = export.Blad(tabell.namn, [export.Kolumn(k.namn, bredd=24) for k in kolumner])
    for r in et.rader(tabell, nämnd, år):
        blad.rad([cell_text(et.visa(k, r.värden.get(str(k.pk)), namn)) or None for k in kolumner])
    return export.xlsx_svar(f"{tabell.namn} {nämnd.namn} {år}", [blad])
