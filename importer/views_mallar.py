"""Template imports (upload → preview → confirm), Kolada upload, and the xlsx/csv exports. Thin views: the work
is in ``importer.mallar``, ``importer.kolada`` and ``importer.export``.

Reading scope: ``nämnd_för`` (another kommun's id → 404). Importing also needs ``kan_importera`` (→ 403).
Between preview and confirm the parsed rows (not the file) are kept in the user's session, and so are the file's
cells (compressed, up to ``ramverk.MAX_SPARADE_CELLER``) so that a column mapping chosen in the preview reads the
same upload again without asking for the file once more.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
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
from .lasare import kolumnbokstav
from .mallar import ramverk
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


def _filnyckel(imp_id: int) -> str:
    """The session key of the uploaded file's cells and the upload choices (for a new column mapping)."""
    return f"mallimport-fil:{imp_id}"


class Uppladdning(forms.Form):
    fil = forms.FileField(label="Fil")
    profil = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Importprofil",  # set by the view
        empty_label="Känn igen kolumnrubrikerna automatiskt",
    )

    def __init__(self, *args, profiler=None, filtyper=(), period=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profil"].queryset = profiler
        self.fields["fil"].widget.attrs["accept"] = ",".join(filtyper)
        self.filtyper = filtyper
        if period:
            self.fields["period"] = forms.CharField(
                label="Prognostillfälle, om filen saknar kolumnen Månad (ÅÅÅÅ-MM)",
                required=False,
                max_length=7,
                widget=forms.TextInput(attrs={"placeholder": "2025-08", "inputmode": "numeric"}),
            )

    def clean_period(self):
        text = self.cleaned_data.get("period", "").strip()
        if not text:
            return ""
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not m or not 2000 <= int(m[1]) <= 2100 or not 1 <= int(m[2]) <= 12:
            raise forms.ValidationError("Skriv prognostillfället som ÅÅÅÅ-MM, t.ex. 2025-08.")
        return f"{int(m[1])}-{int(m[2]):02d}"

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
    if request.method == "POST" and request.POST.get("åtgärd") == "ta_bort_profil":
        profil = selectors.importprofil(nämnd.kommun, definition.typ, request.POST.get("profil", ""))
        ramverk.ta_bort_importprofil(request.user, nämnd, profil)
        return redirect("mallimport-ladda-upp", nämnd.pk, typ)
    if request.method == "POST" and request.POST.get("profil"):
        selectors.importprofil(nämnd.kommun, definition.typ, request.POST["profil"])  # another kommun's → 404
    form = Uppladdning(
        request.POST or None,
        request.FILES or None,
        profiler=profiler,
        filtyper=definition.filtyper,
        period=definition.period_vid_uppladdning,
        initial={"profil": ramverk.importprofil_för(nämnd.kommun, definition.typ)},
    )
    if request.method == "POST" and form.is_valid():
        fil = form.cleaned_data["fil"]
        innehåll = fil.read(mallar.MAX_FILSTORLEK + 1)
        val = {"period": form.cleaned_data["period"]} if form.cleaned_data.get("period") else {}
        granskning = ramverk.förhandsgranska(
            request.user, nämnd, typ, fil.name, innehåll, form.cleaned_data["profil"], val
        )
        del innehåll  # the file is not kept: the parsed rows and its cells, in the session, until confirm
        request.session[_sessionsnyckel(granskning.imp.pk)] = granskning.tolkat.som_json()
        request.session[_filnyckel(granskning.imp.pk)] = {
            "celler": ramverk.packa_tabeller(granskning.tabeller),
            "val": val,
        }
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
            "har_period": definition.period_vid_uppladdning,
            "profiler": [(p, _kolumnlista(p, definition)) for p in profiler],
            "gränser": mallar.GRÄNSER.beskrivning(),
            "mall_url": reverse("importmall", args=[typ]) + f"?namnd={nämnd.pk}",
        },
        status=400 if request.method == "POST" else 200,
    )


def _kolumnlista(profil, definition) -> list[tuple[str, str]]:
    """(header in the file, what it holds) of a profile's mapping, for the upload page."""
    try:
        namn = definition.fältnamn()
    except NotImplementedError:
        namn = {}
    kolumner = profil.kolumner or {}
    return [(str(r), namn.get(f, f)) for f, r in kolumner.items() if f != ramverk.IGNORERA] + [
        (str(r), "används inte") for r in kolumner.get(ramverk.IGNORERA) or []
    ]


class Kolumnval(forms.Form):
    """The preview's column mapping: one select per header of the candidate row (the headers come from the
    session, not the form)."""

    def __init__(self, *args, kolumnval: dict, fältval: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.rubriker: list[str] = kolumnval["rubriker"]
        fält: list[str] = kolumnval["fält"]
        self.automatiska: list[tuple[str, str]] = []
        for i, rubrik in enumerate(self.rubriker):
            igenkänt = fält[i] if i < len(fält) else ""
            if igenkänt == "*":
                self.automatiska.append((kolumnbokstav(i), rubrik))
                continue
            if not rubrik:
                continue
            self.fields[f"kolumn_{i}"] = forms.ChoiceField(
                label=f"Kolumn {kolumnbokstav(i)}: ”{rubrik}”",
                choices=[("", "Används inte"), *fältval],
                required=False,
                initial="" if igenkänt == "-" else igenkänt,
            )

    def valda(self) -> dict[int, str]:
        return {int(namn.removeprefix("kolumn_")): v for namn, v in self.cleaned_data.items()}


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
    fil = request.session.get(_filnyckel(imp.pk)) or {}
    definition = mallar.importtyp(imp.typ)
    definition.val = dict(fil.get("val") or {})
    fel_text = ""
    if request.method == "POST" and request.POST.get("åtgärd") == "kolumner" and tolkat.kolumnval:
        fel_text = _använd_kolumner(request, imp, tolkat, definition, fil)
        if not fel_text:
            return redirect(request.path)
    elif request.method == "POST":
        if request.POST.get("åtgärd") == "avbryt":
            mallar.avbryt(request.user, imp)
            request.session.pop(_sessionsnyckel(imp.pk), None)
            request.session.pop(_filnyckel(imp.pk), None)
            return redirect(avbruten)
        try:
            imp = mallar.bekräfta(request.user, imp, tolkat, request.POST.get("fingeravtryck", ""))
        except mallar.InteBekräftad as e:
            fel_text = e.messages[0]
        else:
            request.session.pop(_sessionsnyckel(imp.pk), None)
            request.session.pop(_filnyckel(imp.pk), None)
            if bekräftad is not None:
                bekräftad(imp)
            return redirect(klar(imp))
    granskning = mallar.granska(request.user, imp, tolkat)
    rader = granskning.plan.rader
    kolumnval = None
    if tolkat.kolumnval and "celler" in fil:
        kolumnval = Kolumnval(
            request.POST if fel_text and request.POST.get("åtgärd") == "kolumner" else None,
            kolumnval=tolkat.kolumnval,
            fältval=definition.kolumnfält(),
        )
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
            "kolumnval": kolumnval,
            "kandidat": tolkat.kolumnval,
            "kan_läsas_om": bool(fil.get("celler")),
        },
        status=409 if fel_text else 200,
    )


def _använd_kolumner(request, imp: Import, tolkat, definition, fil: dict) -> str:
    """The preview's "Använd kolumnerna": save the mapping on the kommun's profile and read the same upload again
    (its cells are in the session). "" when done, else the error text."""
    form = Kolumnval(request.POST, kolumnval=tolkat.kolumnval, fältval=definition.kolumnfält())
    if not form.is_valid():
        return "Välj ett av alternativen för varje kolumn."
    try:
        ramverk.spara_kolumnmappning(request.user, imp, tolkat.kolumnval, form.valda(), fil.get("val"))
    except ValidationError as e:
        return "; ".join(e.messages)
    if not fil.get("celler"):
        return (
            "Kolumnvalet är sparat i importprofilen, men filen är för stor för att läsas om här. "
            "Ladda upp filen igen; profilen väljs automatiskt."
        )
    tabeller = ramverk.packa_upp_tabeller(fil["celler"])
    granskning = ramverk.läs_om(request.user, imp, tabeller, fil.get("val"))
    request.session[_sessionsnyckel(imp.pk)] = granskning.tolkat.som_json()
    return ""


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
