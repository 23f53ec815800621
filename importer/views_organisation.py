"""The organisation import and export (kommun level, administrators only). Thin views: the work is in
``importer.organisation``. Another kommun's id → 404 (``kommun_för``); a user who is not the kommun's
administrator → 403. Between preview and confirm the parsed rows (not the file) are kept in the session, and so
are the file's cells (compressed, as the template imports keep them) for a column mapping chosen in the preview
(the template imports' form and partial, ``views_mallar.Kolumnval`` and ``importer/mallar/_kolumnval.html``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from nämnd.behorighet import är_admin
from rapporter.layouter import kommun_för

from . import export, selectors
from . import organisation as org
from .mallar import GRÄNSER, InteBekräftad, Tolkat, ramverk
from .views_mallar import Kolumnval, Uppladdning

VISA_HÖGST = 2000


def _adminkommun(request, kommun_id: int):
    kommun = kommun_för(request.user, kommun_id)
    if not är_admin(request.user, kommun):
        raise PermissionDenied("Endast kommunens administratörer får importera och exportera organisationen.")
    return kommun


def _nyckel(imp_id: int) -> str:
    return f"organisationsimport:{imp_id}"


def _filnyckel(imp_id: int) -> str:
    """The session key of the uploaded file's cells (for a column mapping)."""
    return f"organisationsimport-fil:{imp_id}"


@require_http_methods(["GET", "POST"])
def ladda_upp(request, kommun_id: int):
    kommun = _adminkommun(request, kommun_id)
    profiler = selectors.importprofiler(kommun, org.TYP)
    if request.method == "POST" and request.POST.get("profil"):
        selectors.importprofil(kommun, org.TYP, request.POST["profil"])  # another kommun's → 404
    form = Uppladdning(
        request.POST or None,
        request.FILES or None,
        profiler=profiler,
        filtyper=(".xlsx", ".csv"),
        initial={"profil": ramverk.importprofil_för(kommun, org.TYP)},
    )
    if request.method == "POST" and form.is_valid():
        fil = form.cleaned_data["fil"]
        innehåll = fil.read(GRÄNSER.max_filstorlek + 1)
        granskning = org.förhandsgranska(request.user, kommun, fil.name, innehåll, form.cleaned_data["profil"])
        del innehåll
        request.session[_nyckel(granskning.imp.pk)] = granskning.tolkat.som_json()
        request.session[_filnyckel(granskning.imp.pk)] = ramverk.packa_tabeller(granskning.tabeller)
        return redirect("import-organisation-granska", kommun.pk, granskning.imp.pk)
    return render(
        request,
        "importer/organisation/ladda_upp.html",
        {
            "kommun": kommun,
            "form": form,
            "har_profiler": bool(profiler),
            "gränser": GRÄNSER.beskrivning(),
            "senaste": org.senaste_importer(request.user, kommun),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def granska(request, kommun_id: int, import_id: int):
    kommun = _adminkommun(request, kommun_id)
    imp = org.importen(request.user, kommun, import_id)
    if imp.status == imp.Status.GENOMFÖRD:
        return redirect("import-organisation-resultat", kommun.pk, imp.pk)
    data = request.session.get(_nyckel(imp.pk))
    if data is None or imp.status == imp.Status.AVBRUTEN:
        return render(request, "importer/organisation/utgangen.html", {"kommun": kommun, "imp": imp}, status=410)
    tolkat = Tolkat.från_json(data)
    celler = request.session.get(_filnyckel(imp.pk))
    fel_text = ""
    if request.method == "POST" and request.POST.get("åtgärd") == "kolumner" and tolkat.kolumnval:
        fel_text = _använd_kolumner(request, imp, tolkat.kolumnval, celler)
        if not fel_text:
            return redirect(request.path)
    elif request.method == "POST":
        if request.POST.get("åtgärd") == "avbryt":
            org.avbryt(request.user, imp)
            request.session.pop(_nyckel(imp.pk), None)
            request.session.pop(_filnyckel(imp.pk), None)
            return redirect("import-organisation", kommun.pk)
        try:
            imp = org.bekräfta(request.user, imp, tolkat, request.POST.get("fingeravtryck", ""))
        except InteBekräftad as e:
            fel_text = e.messages[0]
        else:
            request.session.pop(_nyckel(imp.pk), None)
            request.session.pop(_filnyckel(imp.pk), None)
            return redirect("import-organisation-resultat", kommun.pk, imp.pk)
    g = org.granska(request.user, imp, tolkat)
    rader = g.plan.rader
    kolumnval = None
    if tolkat.kolumnval and celler is not None:
        kolumnval = Kolumnval(
            request.POST if fel_text and request.POST.get("åtgärd") == "kolumner" else None,
            kolumnval=tolkat.kolumnval,
            fältval=org.kolumnfält(tolkat.kolumnval.get("del") or org.ALLA),
        )
    return render(
        request,
        "importer/organisation/granska.html",
        {
            "kommun": kommun,
            "imp": imp,
            "g": g,
            "rader": rader[:VISA_HÖGST],
            "fler": max(0, len(rader) - VISA_HÖGST),
            "fel_text": fel_text,
            "kolumnval": kolumnval,
            "kandidat": tolkat.kolumnval,
            "kan_läsas_om": bool(celler),
        },
        status=409 if fel_text else 200,
    )


def _använd_kolumner(request, imp, kandidat: dict, celler: str | None) -> str:
    """The preview's "Använd kolumnerna": save the mapping on the kommun's profile and read the same upload again
    from its cells in the session. "" when done, else the error text."""
    form = Kolumnval(request.POST, kolumnval=kandidat, fältval=org.kolumnfält(kandidat.get("del") or org.ALLA))
    if not form.is_valid():
        return "Välj ett av alternativen för varje kolumn."
    try:
        org.spara_kolumnmappning(request.user, imp, kandidat, form.valda())
    except ValidationError as e:
        return "; ".join(e.messages)
    if not celler:
        return (
            "Kolumnvalet är sparat i importprofilen, men filen är för stor för att läsas om här. "
            "Ladda upp filen igen; profilen väljs automatiskt."
        )
    granskning = org.läs_om(request.user, imp, ramverk.packa_upp_tabeller(celler))
    request.session[_nyckel(imp.pk)] = granskning.tolkat.som_json()
    return ""


@require_GET
def resultat(request, kommun_id: int, import_id: int):
    kommun = _adminkommun(request, kommun_id)
    imp = org.importen(request.user, kommun, import_id)
    ändringar, antal = selectors.ändringar(imp, VISA_HÖGST)
    return render(
        request,
        "importer/organisation/resultat.html",
        {"kommun": kommun, "imp": imp, "ändringar": ändringar, "antal": antal},
    )


@require_GET
def export_xlsx(request, kommun_id: int):
    kommun = _adminkommun(request, kommun_id)
    return export.xlsx_svar(f"{kommun.namn} organisation", org.exportblad(kommun))


@require_GET
def export_csv(request, kommun_id: int):
    kommun = _adminkommun(request, kommun_id)
    return export.csv_svar(f"{kommun.namn} organisation", org.csvblad(kommun))
