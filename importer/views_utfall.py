"""Utfall from the ekonomisystem: upload → preview (map a column or a code) → confirm; the import history.
Thin views: the work is in ``importer.utfall`` and ``importer.lasare``.

Reading scope: ``nämnd_för`` (another kommun's id → 404). Uploading, mapping and confirming also need
``kan_importera`` (→ 403). A preview belongs to the user who uploaded it; the file waits in a server-side
temp file (``importer.utfall.spara_väntande``) until confirm or cancel.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobb import services as jobb_services
from jobb.models import Jobb
from nämnd.behorighet import kan_importera
from rapporter.selectors import nämnd_för

from . import lasare, selectors, utfall
from .models import Import, Importprofil, Importtyp

VISA_HÖGST = 1000  # planned changes listed in the preview; the rest are counted
FÄLTVAL = [("", "Används inte"), *((f.namn, f.rubrik) for f in utfall.FÄLT)]


def _importnämnd(request, nämnd_id: int):
    nämnd = nämnd_för(request.user, nämnd_id)
    if not kan_importera(request.user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    return nämnd


def _mitt_import(request, nämnd, import_id: int) -> Import:
    return selectors.eget_import(request.user, nämnd, import_id, [Importtyp.UTFALL])


class Uppladdning(forms.Form):
    fil = forms.FileField(label="Fil från ekonomisystemet (.xlsx eller .csv)")
    profil = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Importprofil",  # the kommun's profiles, set by the view
        empty_label="Standard: känn igen kolumnrubrikerna, månadens belopp, kostnader positiva",
    )

    def __init__(self, *args, profiler=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profil"].queryset = profiler
        self.fields["fil"].widget.attrs["accept"] = ".xlsx,.csv,.txt"
        if profiler and (första := profiler[0]):
            self.fields["profil"].initial = första.pk

    def clean_fil(self):
        fil = self.cleaned_data["fil"]
        if fil.size > lasare.GRÄNSER.max_filstorlek:
            raise forms.ValidationError(
                f"Filen är {fil.size / lasare.MB:.1f} MB; högst {lasare.GRÄNSER.max_filstorlek // lasare.MB} MB tas emot."
            )
        return fil


class Mappning(forms.Form):
    """The preview's column mapping (one select per unrecognised header, the header itself in a hidden field)
    and the profile's amount settings."""

    beloppstyp = forms.ChoiceField(
        label="Beloppet i filen är", choices=Importprofil.Beloppstyp.choices, widget=forms.RadioSelect
    )
    kostnader_negativa = forms.BooleanField(label="Kostnader är negativa i filen", required=False)
    antal = forms.IntegerField(min_value=0, max_value=lasare.GRÄNSER.max_kolumner, widget=forms.HiddenInput)

    def __init__(self, data=None, *, rubriker: list[str] | None = None, **kwargs):
        if data is not None:
            try:
                antal = min(int(data.get("antal", 0)), lasare.GRÄNSER.max_kolumner)
            except ValueError:
                antal = 0
            rubriker = [data.get(f"rubrik_{i}", "")[:200] for i in range(antal)]
        self.rubriker = rubriker or []
        kwargs.setdefault("initial", {})["antal"] = len(self.rubriker)
        super().__init__(data, **kwargs)
        for i, rubrik in enumerate(self.rubriker):
            self.fields[f"rubrik_{i}"] = forms.CharField(initial=rubrik, widget=forms.HiddenInput, max_length=200)
            self.fields[f"kolumn_{i}"] = forms.ChoiceField(
                label=f"Kolumnen ”{rubrik}” är", choices=FÄLTVAL, required=False
            )

    def kolumnfält(self):
        return [(self[f"rubrik_{i}"], self[f"kolumn_{i}"]) for i in range(len(self.rubriker))]

    def mappning(self) -> dict[str, str]:
        return {self.cleaned_data[f"rubrik_{i}"]: self.cleaned_data[f"kolumn_{i}"] for i in range(len(self.rubriker))}


class Kod(forms.Form):
    """Add an unmapped (or another kommun's) code to one of the nämnd's areas."""

    fält = forms.ChoiceField(
        choices=[("ansvarskoder", "ansvar"), ("verksamhetskoder", "verksamhet")], widget=forms.HiddenInput
    )
    kod = forms.CharField(max_length=40, widget=forms.HiddenInput)
    område = forms.ModelChoiceField(
        queryset=None,
        label="Verksamhetsområde",  # the nämnd's, set by the view
        empty_label="Välj verksamhetsområde",
    )

    def __init__(self, *args, områden=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["område"].queryset = områden


@require_http_methods(["GET", "POST"])
def ladda_upp(request, nämnd_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    profiler = selectors.importprofiler(nämnd.kommun, Importtyp.UTFALL)
    form = Uppladdning(request.POST or None, request.FILES or None, profiler=profiler)
    if request.method == "POST" and form.is_valid():
        fil = form.cleaned_data["fil"]
        data = fil.read(lasare.GRÄNSER.max_filstorlek + 1)
        imp = utfall.skapa_import(request.user, nämnd, fil.name, data, form.cleaned_data["profil"])
        return redirect("import-utfall-granska", nämnd.pk, imp.pk)
    return render(
        request,
        "importer/utfall/ladda_upp.html",
        {
            "nämnd": nämnd,
            "form": form,
            "gränser": lasare.GRÄNSER.beskrivning(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _lägg_till_kod(request, nämnd, områden) -> str:
    """The preview's "add this code to an area" form: "" when the code was added, else the error text."""
    prefix = request.POST.get("prefix", "")
    form = Kod(request.POST, områden=områden, prefix=prefix if re.fullmatch(r"[kf]\d{1,5}", prefix) else None)
    if not form.is_valid():
        return "Välj ett verksamhetsområde för koden."
    try:
        utfall.lägg_till_kod(
            request.user, nämnd, form.cleaned_data["område"], form.cleaned_data["fält"], form.cleaned_data["kod"]
        )
    except ValidationError as e:
        return "; ".join(e.messages)
    return ""


def _bekräfta(request, imp, data) -> str:
    """Confirm within the request (no background worker): "" when written, else the error text."""
    try:
        utfall.importera_utfall(
            imp, data, request.user, spara=True, fingeravtryck=request.POST.get("fingeravtryck", "")
        )
    except utfall.Importfel as e:
        return e.messages[0]
    utfall.radera_väntande(imp, request.user)
    return ""


def _mappa(request, imp) -> str:
    """The preview's column mapping form: "" when the mapping was saved, else the error text."""
    form = Mappning(request.POST)
    if not form.is_valid():
        return "Mappningen kunde inte sparas: " + "; ".join(e for errors in form.errors.values() for e in errors)
    utfall.spara_mappning(
        imp, request.user, form.mappning(), form.cleaned_data["beloppstyp"], form.cleaned_data["kostnader_negativa"]
    )
    return ""


@require_http_methods(["GET", "POST"])
def granska(request, nämnd_id: int, import_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    imp = _mitt_import(request, nämnd, import_id)
    if imp.status == Import.Status.GENOMFÖRD:
        return redirect("import-detalj", nämnd.pk, imp.pk)
    data = utfall.läs_väntande(imp, request.user) if imp.status != Import.Status.AVBRUTEN else None
    if data is None:
        return render(request, "importer/utfall/utgangen.html", {"nämnd": nämnd, "imp": imp}, status=410)

    fel_text = ""
    åtgärd = request.POST.get("åtgärd", "") if request.method == "POST" else ""
    områden = selectors.importområden(nämnd)
    if åtgärd == "avbryt":
        utfall.avbryt(imp, request.user)
        return redirect("import-utfall", nämnd.pk)
    if åtgärd == "bekräfta" and not settings.CELERY_TASK_ALWAYS_EAGER:
        # With Redis: the heavy write runs as a background job; the page shows its state.
        jobb = jobb_services.starta(
            Jobb.Typ.IMPORT_UTFALL,
            request.user,
            nämnd.kommun,
            {"import_id": imp.pk, "fingeravtryck": request.POST.get("fingeravtryck", "")},
        )
        return redirect("jobb-status", jobb.pk)
    if åtgärd == "bekräfta":
        fel_text = _bekräfta(request, imp, data)
    elif åtgärd == "mappa":
        fel_text = _mappa(request, imp)
    elif åtgärd == "kod":
        fel_text = _lägg_till_kod(request, nämnd, områden)
    elif request.method == "POST":
        fel_text = "Okänd åtgärd."
    if åtgärd == "bekräfta" and not fel_text:
        return redirect("import-detalj", nämnd.pk, imp.pk)
    if åtgärd in ("mappa", "kod") and not fel_text:
        return redirect("import-utfall-granska", nämnd.pk, imp.pk)

    resultat = utfall.importera_utfall(imp, data, request.user)
    profil = utfall.profil_för(imp)
    mappning = Mappning(
        rubriker=resultat.okända_rubriker,
        initial={"beloppstyp": profil.beloppstyp, "kostnader_negativa": profil.kostnader_negativa},
    )

    def kodformulär(koder, prefix: str):
        return [
            (
                o,
                Kod(
                    initial={
                        "fält": "ansvarskoder" if o.ansvar else "verksamhetskoder",
                        "kod": o.ansvar or o.verksamhet,
                    },
                    områden=områden,
                    prefix=f"{prefix}{i}",
                ),
            )
            for i, o in enumerate(koder)
        ]

    ändringar = resultat.ändringar
    return render(
        request,
        "importer/utfall/granska.html",
        {
            "nämnd": nämnd,
            "imp": imp,
            "r": resultat,
            "profil": profil,
            "ändringar": ändringar[:VISA_HÖGST],
            "fler": max(0, len(ändringar) - VISA_HÖGST),
            "antal": {s: resultat.antal(s) for s in ("ny", "ändrad", "borttagen", "oförändrad")},
            "fler_fel": max(0, resultat.antal_fel - len(resultat.fel)),
            "mappning": mappning,
            "oplacerade": kodformulär(resultat.oplacerade, "k"),
            "främmande": kodformulär(resultat.främmande_koder, "f"),
            "fel_text": fel_text,
            "kolumner": [(utfall.FÄLTNAMN[f], rubrik) for f, rubrik in resultat.kolumner.items()],
        },
        status=409 if fel_text else 200,
    )


@require_GET
def historik(request, nämnd_id: int):
    nämnd = nämnd_för(request.user, nämnd_id)
    importer = selectors.importhistorik(request.user, nämnd)
    return render(
        request,
        "importer/historik.html",
        {
            "nämnd": nämnd,
            "importer": importer,
            "kan_importera": kan_importera(request.user, nämnd),
        },
    )


@require_GET
def detalj(request, nämnd_id: int, import_id: int):
    nämnd = nämnd_för(request.user, nämnd_id)
    imp = selectors.importen(request.user, nämnd, import_id)
    ändringar, antal = selectors.ändringar(imp, 5000)
    return render(
        request,
        "importer/detalj.html",
        {
            "nämnd": nämnd,
            "imp": imp,
            "ändringar": ändringar,
            "antal": antal,
            "fler": max(0, antal - 5000),
            "granska_url": reverse("import-utfall-granska", args=[nämnd.pk, imp.pk])
            if imp.typ == Importtyp.UTFALL
            and imp.status == Import.Status.FÖRHANDSGRANSKAD
            and imp.användare_id == request.user.pk
            else "",
        },
    )


@require_POST
def avbryt(request, nämnd_id: int, import_id: int):
    nämnd = _importnämnd(request, nämnd_id)
    utfall.avbryt(_mitt_import(request, nämnd, import_id), request.user)
    return redirect("import-utfall", nämnd.pk)
