"""Follow-up pages (mounted at /organisation/): the dashboard of a nämnd's year (with period closing), audit
history and öppna nytt år.

Thin views: scope the nämnd (another kommun's id → 404), check the role (→ 403), call a selector or a service.
No ORM here: reads are ``uppfoljning.selectors``, writes ``uppfoljning.services`` / ``nytt_ar`` / ``nämnd.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from nämnd.behorighet import kan_redigera, kräv_admin, kräv_redigering, är_admin
from nämnd.selectors import nämnd_för
from nämnd.services import stängda_månader, öppna
from rapporter.format import Presentation

from . import nytt_ar
from . import selectors as sel
from .forms import NyttÅrForm, StängForm, ÖppnaForm
from .services import OrsakKrävs, stäng_månader

PER_SIDA = 50


def _år(år: int) -> int:
    if not 2000 <= år <= 2100:
        raise Http404("Året finns inte.")
    return år


def _månad(text: str | None) -> int | None:
    try:
        m = int(text or "")
    except ValueError:
        return None
    return m if 1 <= m <= 12 else None


@require_safe
def dashboard(request, nämnd_id: int, år: int):
    """What is entered, missing and closed for a nämnd's year; for its controllers and the kommun's admins."""
    nämnd = nämnd_för(request.user, nämnd_id)
    kräv_redigering(request.user, nämnd)
    d = sel.dashboard(request.user, nämnd, _år(år), _månad(request.GET.get("manad")))
    admin = är_admin(request.user, nämnd.kommun_id)
    return render(
        request,
        "nämnd/dashboard.html",
        {
            "d": d,
            "nämnd": nämnd,
            "år": år,
            "pres": Presentation.för(nämnd.kommun),
            "admin": admin,
            "stäng_form": StängForm(),
            "öppna_form": ÖppnaForm(stängda=d.stängda) if admin and d.stängda else None,
        },
    )


@require_POST
def perioder(request, nämnd_id: int, år: int):
    """Close a month, the delår (jan–aug) or the helår; admins may reopen with a reason. Back to the dashboard.
    Closing runs the month's checks first: with findings, a page lists them and asks for a reason."""
    nämnd = nämnd_för(request.user, nämnd_id)
    kräv_redigering(request.user, nämnd)
    _år(år)
    åtgärd = request.POST.get("atgard")
    if åtgärd == "stang":
        form = StängForm(request.POST)
        if form.is_valid():
            orsak = request.POST.get("orsak", "")
            try:
                perioder = stäng_månader(request.user, nämnd.kommun, år, form.månader, orsak)
            except OrsakKrävs as e:
                return render(
                    request,
                    "nämnd/stang_orsak.html",
                    {
                        "nämnd": nämnd,
                        "år": år,
                        "fel": e,
                        "form": form,
                        "orsak": orsak,
                        "tom_orsak": "orsak" in request.POST,
                    },
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "Stängt: " + ", ".join(str(p) for p in perioder) + ".")
    elif åtgärd == "oppna":
        kräv_admin(request.user, nämnd.kommun_id)
        form = ÖppnaForm(request.POST, stängda=sorted(stängda_månader(nämnd.kommun_id, år)))
        if form.is_valid():
            try:
                perioder = öppna(
                    request.user, nämnd.kommun, år, form.cleaned_data["månader"], form.cleaned_data["orsak"]
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "Öppnat igen: " + ", ".join(str(p) for p in perioder) + ".")
    else:
        return HttpResponseBadRequest("Okänd åtgärd.")
    if form.errors:
        for fel in form.errors.values():
            for text in fel:
                messages.error(request, text)
    return redirect("dashboard", nämnd.id, år)


@require_safe
def historik_rad(request, modell: str, pk: int):
    """Who changed one figure or text, when, and from what to what."""
    h = sel.HISTORIKMODELLER.get(modell)
    if h is None:
        raise Http404("Okänd typ.")
    svar = sel.radhistorik(request.user, h, pk)
    if svar is None:
        raise Http404("Finns inte.")
    titel, poster = svar
    sida = Paginator(poster, PER_SIDA).get_page(request.GET.get("sida"))
    return render(request, "nämnd/historik_rad.html", {"h": h, "titel": titel, "sida": sida, "poster": sida})


@require_safe
def historik_nämnd(request, nämnd_id: int, år: int):
    """Every change to a nämnd's figures and texts of a year, newest first."""
    nämnd = nämnd_för(request.user, nämnd_id)
    sida = Paginator(sel.nämndhistorik_frågor(nämnd, _år(år)), PER_SIDA).get_page(request.GET.get("sida"))
    return render(
        request,
        "nämnd/historik_namnd.html",
        {
            "nämnd": nämnd,
            "år": år,
            "sida": sida,
            "poster": sel.nämndhistorik_sida(request.user, list(sida.object_list)),
            "kan_redigera": kan_redigera(request.user, nämnd),
        },
    )


def nytt_år(request, nämnd_id: int, år: int):
    """Öppna nytt år (``år`` + 1) for a nämnd: an action per area, a preview, then confirm. Admins only."""
    nämnd = nämnd_för(request.user, nämnd_id)
    kräv_admin(request.user, nämnd.kommun_id)
    _år(år)
    områden, mål = sel.nytt_år_underlag(request.user, nämnd, år)
    form = NyttÅrForm(request.POST or None, områden=områden, mål=mål)
    resultat = None
    if request.method == "POST" and form.is_valid():
        args = (request.user, nämnd, år, form.mappning())
        kwargs = {"nya": form.nya(), "förläng_mål": form.förläng_mål()}
        try:
            if "bekrafta" in request.POST and form.cleaned_data["granskad"] == form.fingeravtryck():
                resultat = nytt_ar.öppna_nytt_år(*args, **kwargs)
                messages.success(request, f"{år + 1} är öppnat för {nämnd.namn}. " + " ".join(resultat.händelser))
                return redirect("dashboard", nämnd.id, år + 1)
            if "bekrafta" in request.POST:
                messages.warning(request, "Valen har ändrats sedan förhandsgranskningen. Granska igen och bekräfta.")
            resultat = nytt_ar.förhandsgranska(*args, **kwargs)
            data = form.data.copy()
            data["granskad"] = form.fingeravtryck()
            form = NyttÅrForm(data, områden=områden, mål=mål)
            form.is_valid()
        except ValidationError as e:
            form.add_error(None, e)
            resultat = None
    return render(
        request,
        "nämnd/nytt_ar.html",
        {
            "nämnd": nämnd,
            "år": år,
            "nytt_år": år + 1,
            "form": form,
            "resultat": resultat,
            "pres": Presentation.för(nämnd.kommun),
        },
    )
