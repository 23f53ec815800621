"""Thin views: "Ny kommun" (superusers), the new kommun's checklist and its users and roles (kommun admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import start
from .forms_start import NyAnvändareForm, NyKommunForm, RollForm


def _fel_till_formulär(form, fel: ValidationError) -> None:
    """A service's ValidationError onto the form: per field when it names one the form has, else on the form."""
    if hasattr(fel, "error_dict"):
        for fält, lista in fel.error_dict.items():
            form.add_error(fält if fält in form.fields else None, lista)
    else:
        form.add_error(None, fel)


@require_http_methods(["GET", "POST"])
def ny_kommun(request):
    if not request.user.is_superuser:
        raise PermissionDenied("Bara installationens superanvändare kan lägga upp en ny kommun.")
    form = NyKommunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kommun, admin = start.skapa_kommun(request.user, form.ny_kommun(), form.konto())
        except ValidationError as e:
            _fel_till_formulär(form, e)
        else:
            messages.success(request, f"{kommun.namn} är upplagd med administratören {admin.username}.")
            return redirect("kommun-kom-igang", kommun.pk)
    return render(request, "kommunadmin/ny_kommun.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def kom_igång(request, kommun_id: int):
    kommun = start.kommun_för_admin(request.user, kommun_id)
    return render(request, "kommunadmin/kom_igang.html", {"lista": start.checklista(kommun)})


@require_http_methods(["GET", "POST"])
def användare(request, kommun_id: int):
    kommun = start.kommun_för_admin(request.user, kommun_id)
    nämnder = start.kommunens_nämnder(kommun)
    form = NyAnvändareForm(request.POST or None, nämnder=nämnder)
    if request.method == "POST" and form.is_valid():
        try:
            b = start.lägg_till_användare(request.user, kommun, form.konto(), form.rättigheter())
        except ValidationError as e:
            _fel_till_formulär(form, e)
        else:
            messages.success(request, f"{b.user.username} har nu behörigheten {b.get_roll_display().lower()}.")
            return redirect("kommun-anvandare", kommun.pk)
    return render(
        request,
        "kommunadmin/anvandare.html",
        {"kommun": kommun, "behörigheter": start.användare_i(kommun), "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def användare_ändra(request, kommun_id: int, behorighet_id: int):
    kommun = start.kommun_för_admin(request.user, kommun_id)
    b = start.behörighet_för(request.user, kommun, behorighet_id)
    form = RollForm.från(b, start.kommunens_nämnder(kommun), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            start.ändra_behörighet(request.user, b, form.rättigheter())
        except ValidationError as e:
            _fel_till_formulär(form, e)
        else:
            messages.success(request, f"Behörigheten för {b.user.username} är ändrad.")
            return redirect("kommun-anvandare", kommun.pk)
    return render(
        request,
        "kommunadmin/anvandare_andra.html",
        {"kommun": kommun, "b": b, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def användare_ta_bort(request, kommun_id: int, behorighet_id: int):
    kommun = start.kommun_för_admin(request.user, kommun_id)
    b = start.behörighet_för(request.user, kommun, behorighet_id)
    fel = None
    if request.method == "POST":
        try:
            start.ta_bort_behörighet(request.user, b)
        except ValidationError as e:
            fel = " ".join(e.messages)
        else:
            messages.success(request, f"{b.user.username} har inte längre någon behörighet i {kommun.namn}.")
            return redirect("kommun-anvandare", kommun.pk)
    return render(
        request,
        "kommunadmin/anvandare_ta_bort.html",
        {"kommun": kommun, "b": b, "fel": fel},
        status=400 if fel else 200,
    )
