"""Template imports (upload → preview → confirm), Kolada upload, and the xlsx/csv exports. Thin views: the work
is in ``importer.mallar``, ``importer.kolada`` and ``importer.export``.

Reading scope: ``nämnd_för`` (another kommun's id → 404). Importing also needs ``kan_importera`` (→ 403).
Between preview and confirm the parsed rows (not the file) are kept in the user's session.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ekonomi import selectors as ekonomi_sel
from nämnd.behorighet import kan_importera
from nämnd.models import Rapporttyp
from rapporter.rapport import bygg_rapport
from rapporter.selectors import nämnd_för
from rapporter.views import rapportens_månad

from . import export, mallar, selectors
from .models import Import

TYPER = ("budget", "budgetkonto", "prognos", "volymer", "indikatorer", "kolada")
VISA_HÖGST = 2000  # preview lines shown; the rest are counted


def _importnämnd(request, nämnd_id: int):
    nämnd = nämnd_för(request.user, nämnd_id)
    if not kan_importera(request.user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    return nämnd


def _definition(typ: str) -> mallar.Importtypdef:
    if typ not in TYPER:
        raise Http404("Okänd importtyp.")
    return mallar.importtyp(typ)


def _sessionsnyckel(imp_id: int) -> str:
    return f"mallimport:{imp_id}"


class Uppladdning(forms.Form):
    fil = forms.FileField(label="Fil")
    profil = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Importprofil",  # set by the view
        empty_label="Känn igen kolumnrubrikerna automatiskt",
    )

    def __init__(self, *args, profiler=None, filtyper=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profil"].queryset = profiler
        self.fields["fil"].widget.attrs["accept"] = ",".join(filtyper)
        self.filtyper = filtyper

    def clean_fil(self):
        """Only the size here: the type is decided by the content when the file is read (``importer.lasare``)."""
        fil = self.cleaned_data["fil"]
        if fil.size > mallar.MAX_FILSTORLEK:
            raise forms.ValidationError(
                f"Filen är {fil.size / 1024 / 1024:.1f} MB; högst {mallar.MAX_FILSTORLEK // 1024 // 1024} MB tas emot."
            )
        return fil


@require_GET
def start(request, nämnd_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    typer = [(typ, mallar.importtyp(typ).titel) for typ in TYPER]
    senaste = selectors.senaste_importer(request.user, nämnd, TYPER)
    return render(request, "importer/mallar/start.html", {"nämnd": nämnd, "typer": typer, "senaste": senaste})


@require_http_methods(["GET", "POST"])
def ladda_upp(request, nämnd_id: int, typ: str):
    nämnd = _importnämnd(request, nämnd_id)
    definition = _definition(typ)
    profiler = selectors.importprofiler(nämnd.kommun, definition.typ)
    form = Uppladdning(request.POST or None, request.FILES or None, profiler=profiler, filtyper=definition.filtyper)
    if request.method == "POST" and form.is_valid():
        fil = form.cleaned_data["fil"]
        innehåll = fil.read(mallar.MAX_FILSTORLEK + 1)
        granskning = mallar.förhandsgranska(request.user, nämnd, typ, fil.name, innehåll, form.cleaned_data["profil"])
        del innehåll  # the file is not kept: only the parsed rows, in the session, until confirm
        request.session[_sessionsnyckel(granskning.imp.pk)] = granskning.tolkat.som_json()
        return redirect("mallimport-granska", nämnd.pk, granskning.imp.pk)
    return render(
        request,
        "importer/mallar/ladda_upp.html",
        {
            "nämnd": nämnd,
            "typ": typ,
            "definition": definition,
            "form": form,
            "har_profiler": bool(profiler),
            "gränser": mallar.GRÄNSER.beskrivning(),
            "mall_url": reverse("importmall", args=[typ]) + f"?namnd={nämnd.pk}",
        },
        status=400 if request.method == "POST" else 200,
    )


def _mitt_import(request, nämnd, import_id: int) -> Import:
    return selectors.eget_import(request.user, nämnd, import_id, TYPER)


@require_http_methods(["GET", "POST"])
def granska(request, nämnd_id: int, import_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    imp = _mitt_import(request, nämnd, import_id)
    return granskningssida(
        request,
        nämnd,
        imp,
        mallar.importtyp(imp.typ).titel,
        avbruten=reverse("mallimport", args=[nämnd.pk]),
        klar=lambda imp: reverse("mallimport-resultat", args=[nämnd.pk, imp.pk]),
    )


def granskningssida(request, nämnd, imp: Import, titel: str, *, avbruten: str, klar, bekräftad=None):
    """The preview of a template import and its confirm/cancel (every kind: the parsed rows kept in the session
    between upload and confirm). ``klar(imp)``: where a finished import goes; ``bekräftad(imp)``: called once when
    this request confirmed it (e.g. a message)."""
    data = request.session.get(_sessionsnyckel(imp.pk))
    if imp.status == Import.Status.GENOMFÖRD:
        return redirect(klar(imp))
    if data is None or imp.status == Import.Status.AVBRUTEN:
        return render(request, "importer/mallar/utgangen.html", {"nämnd": nämnd, "imp": imp}, status=410)
    tolkat = mallar.Tolkat.från_json(data)
    fel_text = ""
    if request.method == "POST":
        if request.POST.get("åtgärd") == "avbryt":
            mallar.avbryt(request.user, imp)
            request.session.pop(_sessionsnyckel(imp.pk), None)
            return redirect(avbruten)
        try:
            imp = mallar.bekräfta(request.user, imp, tolkat, request.POST.get("fingeravtryck", ""))
        except mallar.InteBekräftad as e:
            fel_text = e.messages[0]
        else:
            request.session.pop(_sessionsnyckel(imp.pk), None)
            if bekräftad is not None:
                bekräftad(imp)
            return redirect(klar(imp))
    granskning = mallar.granska(request.user, imp, tolkat)
    rader = granskning.plan.rader
    return render(
        request,
        "importer/mallar/granska.html",
        {
            "nämnd": nämnd,
            "imp": imp,
            "g": granskning,
            "titel": titel,
            "rader": rader[:VISA_HÖGST],
            "fler": max(0, len(rader) - VISA_HÖGST),
            "fel_text": fel_text,
            "noteringar": [*tolkat.noteringar, *granskning.plan.noteringar],
        },
        status=409 if fel_text else 200,
    )


@require_GET
def resultat(request, nämnd_id: int, import_id: int):
    nämnd = nämnd_för(request.user, nämnd_id)
    imp = selectors.importen(request.user, nämnd, import_id)
    ändringar, antal = selectors.ändringar(imp, VISA_HÖGST)
    return render(
        request,
        "importer/mallar/resultat.html",
        {
            "nämnd": nämnd,
            "imp": imp,
            "ändringar": ändringar,
            "antal": antal,
            "titel": imp.get_typ_display(),
        },
    )


# --- downloads ----------------------------------------------------------------------------------


@require_GET
def importmall(request, typ: str):
    """An empty import template; with ?namnd=<id> also a sheet of the nämnd's valid names."""
    _definition(typ)
    nämnd = None
    if request.GET.get("namnd", "").isdigit():
        nämnd = nämnd_för(request.user, int(request.GET["namnd"]))
    return export.xlsx_svar(f"importmall {typ}", export.mall_blad(typ, nämnd))


@require_GET
def ifylld_importmall(request, nämnd_id: int, typ: str, år: int):
    """Today's budget, prognoser or indikatorvärden of a year in the template's format."""
    nämnd = nämnd_för(request.user, nämnd_id)
    return export.xlsx_svar(f"{nämnd.namn} {typ} {år}", export.ifylld_mall(typ, nämnd, år))


def _rapport(request, nämnd_id: int, år: int, typ: str):
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapporttyp.")
    nämnd = nämnd_för(request.user, nämnd_id)
    månad = rapportens_månad(request, typ, lambda: ekonomi_sel.senaste_utfallsmånad(request.user, nämnd, år))
    return bygg_rapport(request.user, nämnd, år, typ, månad)


@require_GET
def export_tabell(request, nämnd_id: int, år: int, typ: str, tabell: str, format: str = "xlsx"):
    rapport = _rapport(request, nämnd_id, år, typ)
    filnamn = f"{rapport.nämnd.namn} {rapport.titel} {export.tabellnamn(rapport, tabell)}"
    if format == "csv":
        return export.csv_svar(filnamn, export.csv_blad(rapport, tabell))
    return export.xlsx_svar(filnamn, export.tabell_blad(rapport, tabell))


@require_GET
def export_lista(request, nämnd_id: int, år: int, typ: str):
    rapport = _rapport(request, nämnd_id, år, typ)
    tabeller = export.tabeller(rapport)
    månadsparameter = f"?månad={rapport.månad}" if rapport.typ == Rapporttyp.MÅNADSRAPPORT else ""
    return render(
        request,
        "importer/export/lista.html",
        {"rapport": rapport, "tabeller": tabeller, "månadsparameter": månadsparameter},
    )


@require_GET
def export_manad(request, nämnd_id: int, år: int, månad: int):
    if not 1 <= månad <= 12:
        raise Http404("Månad måste vara 1–12.")
    nämnd = nämnd_för(request.user, nämnd_id)
    return export.xlsx_svar(
        f"{nämnd.namn} månadsuppföljning {år}-{månad:02d}", export.månad_blad(request.user, nämnd, år, månad)
    )
