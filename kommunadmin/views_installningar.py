"""The kommun settings page for the kommun's admins (/kommun/<id>/installningar/) and the kommun's logo.

Thin views: another kommun's id → 404, not the kommun's admin → 403 (``installningar.kommun_för_admin``); reads
and writes through ``kommunadmin.installningar``. One server-rendered form, works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nämnd.models import Rapporttyp

from . import installningar
from .forms_installningar import LogotypForm, PresentationForm, PubliceringForm


@require_safe
def index(request):
    """The menu's entry: the settings of the user's kommun, or a choice when the user administers several."""
    kommuner = installningar.administrerade_kommuner(request.user)
    if len(kommuner) == 1:
        return redirect("kommun-installningar", kommuner[0].id)
    return render(
        request, "kommunadmin/installningar_val.html", {"kommuner": kommuner}, status=200 if kommuner else 403
    )


def _sida(request, kommun, presentation, publicering, logo, status: int = 200) -> HttpResponse:
    return render(
        request,
        "kommunadmin/installningar.html",
        {
            "kommun": kommun,
            "presentation": presentation,
            "publicering": publicering,
            "logoform": logo,
            "logotyp": installningar.logotyp(kommun),
            "importprofiler": installningar.importprofiler(kommun),
            "layoutlänk": reverse("layout", args=[kommun.id, Rapporttyp.DELÅRSRAPPORT]),
            "fel": status != 200,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def sida(request, kommun_id: int):
    kommun = installningar.kommun_för_admin(request.user, kommun_id)
    pub = installningar.publiceringsinställning(kommun)
    if request.method != "POST":
        return _sida(request, kommun, PresentationForm(instance=kommun), PubliceringForm(instance=pub), LogotypForm())
    # Bound to copies: a refused form must not leave changed values on the objects the page shows.
    visad = installningar.kommun_för_admin(request.user, kommun_id)
    presentation = PresentationForm(request.POST, instance=visad)
    publicering = PubliceringForm(request.POST, instance=installningar.publiceringsinställning(kommun))
    logo = LogotypForm(request.POST, request.FILES)
    if all([presentation.is_valid(), publicering.is_valid(), logo.is_valid()]):
        try:
            ändrat = installningar.spara_inställningar(
                request.user,
                kommun,
                {f: presentation.cleaned_data[f] for f in installningar.KOMMUNFÄLT},
                {f: publicering.cleaned_data[f] for f in installningar.PUBLICERINGSFÄLT},
                logotyp=logo.cleaned_data.get("logotyp"),
                ta_bort_logotyp=bool(logo.cleaned_data.get("ta_bort")),
            )
        except ValidationError as e:
            for fält, fel in e.message_dict.items() if hasattr(e, "error_dict") else [(None, e.messages)]:
                mål = presentation if fält in presentation.fields or fält is None else publicering
                mål.add_error(fält if fält in mål.fields else None, fel)
        else:
            if ändrat:
                messages.success(request, "Inställningarna är sparade: " + ", ".join(ändrat) + ".")
            else:
                messages.info(request, "Inget var ändrat.")
            return redirect("kommun-installningar", kommun.id)
    return _sida(request, kommun, presentation, publicering, logo, status=400)


@require_POST
def ta_bort_importprofil(request, kommun_id: int, importprofil_id: int):
    kommun = installningar.kommun_för_admin(request.user, kommun_id)
    namn = installningar.ta_bort_importprofil(request.user, kommun, importprofil_id)
    messages.success(request, f"Importprofilen {namn} är borttagen.")
    return redirect(reverse("kommun-installningar", args=[kommun.id]) + "#importprofiler")


@require_safe
def logotyp(request, kommun_id: int):
    """The kommun's logo (PNG) for its own users; another kommun or no logo → 404."""
    kommun = installningar.kommun_för_läsare(request.user, kommun_id)
    logo = installningar.logotyp(kommun)
    if logo is None:
        raise Http404("Kommunen har ingen logotyp.")
    svar = HttpResponse(bytes(logo.png), content_type="image/png")
    svar["Last-Modified"] = http_date(logo.uppdaterad.timestamp())
    svar["X-Content-Type-Options"] = "nosniff"
    return svar
