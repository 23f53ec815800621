"""The layout page for a kommun's admins (mounted at /layout/): the sections of a report type, edited with ordinary
form fields, a live preview of the draft on the kommun's own data, save (from a year), presets, export/import of
layout files and the kommun's report occasions.

The page is one server-rendered form. Every button posts the whole form (``åtgärd`` says which): the server reads
the draft from the fields, applies the action (move, remove, add, load a preset) and renders the form again — so
the page works without JavaScript. static/js/layout.js only enhances it: it moves and removes sections and columns
in place (buttons and drag and drop), fetches a new section's fields, and posts the form to the preview endpoint
after each change. Nothing the user sees or types is JSON; the server validates every draft with
``layouter.validera`` and shows the messages next to the section they concern.

Thin views: another kommun's id → 404, not the kommun's admin → 403; reads through ``layouter``/selectors, writes
through ``layouter.spara`` / ``nämnd.services.spara_rapporttillfällen``. No ORM here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ekonomi import selectors as ekonomi_sel
from grund import manader
from nämnd.behorighet import kräv_admin
from nämnd.models import STANDARDMÅNAD, VALBARA_MÅNADER, Nämnd, Rapporttillfällen, Rapporttyp
from nämnd.services import spara_rapporttillfällen

from . import forval, layouter
from . import selectors as sel
from .layoutformular import (
    NYCKEL,
    avsnitt,
    fel_per_avsnitt,
    heltal,
    med_nycklar,
    ny_sektion,
    tillämpa_åtgärd,
    utan_nycklar,
    utkast_från_form,
    valmöjligheter,
)
from .rapport import bygg_rapport
from .sektioner import REGISTER

IMPORT_NYCKEL = "layoutimport"
# --- the views -------------------------------------------------------------------------------------------------


def _kommun(request, kommun_id: int):
    kommun = layouter.kommun_för(request.user, kommun_id)  # another kommun → 404
    kräv_admin(request.user, kommun)  # not its admin → 403
    return kommun


def _typ(typ: str) -> Rapporttyp:
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapport.")
    return Rapporttyp(typ)


def _förhandsval(request, kommun, träd) -> dict:
    """The nämnder and years the preview can show, and the chosen ones (default: the kommun's first nämnd with
    budget and its latest budget year)."""
    spann: dict[int, tuple[int, int]] = ekonomi_sel.budgetår_per_nämnd(request.user)
    nämnder = [n for n, _ in träd]
    med_budget = [n for n in nämnder if n.id in spann]
    standard = med_budget[0] if med_budget else (nämnder[0] if nämnder else None)
    vald = next((n for n in nämnder if str(n.id) == request.POST.get("nämnd", request.GET.get("namnd", ""))), standard)
    år_lista = sorted({å for f, s in spann.values() for å in range(f, s + 1)}, reverse=True) if spann else []
    standardår = spann[vald.id][1] if vald is not None and vald.id in spann else (år_lista[0] if år_lista else None)
    år = heltal(request.POST.get("år", request.GET.get("ar", "")))
    if år not in år_lista:
        år = standardår
    return {"nämnder": nämnder, "nämnd": vald, "år_lista": år_lista, "år": år}


def _förhandsvisning(request, nämnd: Nämnd | None, år: int | None, typ: Rapporttyp, giltiga: list[dict]) -> str:
    if nämnd is None or år is None:
        return render_to_string(
            "rapporter/layout/_forhandsvisning.html", {"saknas": "Kommunen har ännu ingen budget att visa."}, request
        )
    rapport = bygg_rapport(request.user, nämnd, år, typ, layout=giltiga)
    return render_to_string("rapporter/layout/_forhandsvisning.html", {"rapport": rapport, "pdf": False}, request)


def _sida(request, kommun, typ: Rapporttyp, utkast: list[dict], status: int = 200, **extra) -> HttpResponse:
    org = layouter.Organisation.för(kommun)
    träd = layouter.områdesträd(kommun)
    val = _förhandsval(request, kommun, träd)
    fel_per: dict[int, list[str]] = {}
    övriga = list(extra.pop("övriga_fel", []))
    giltiga = None
    try:
        giltiga = layouter.validera(utan_nycklar(utkast), org)
    except ValidationError as e:
        fel_per, fler = fel_per_avsnitt(e, utkast)
        övriga += fler
    förhandsvisning = (
        _förhandsvisning(request, val["nämnd"], val["år"], typ, giltiga)
        if giltiga is not None
        else render_to_string("rapporter/layout/_forhandsvisning.html", {"fel": True}, request)
    )
    tillfällen = Rapporttillfällen.för(kommun.id)
    år_nu = val["år"] or 0
    return render(
        request,
        "rapporter/layout/sida.html",
        {
            "kommun": kommun,
            "typ": typ,
            "typnamn": tillfällen.namn(typ),
            "typer": [(t, tillfällen.namn(t)) for t in tillfällen.typer],
            "avsnitt": avsnitt(utkast, fel_per),
            "övriga_fel": övriga,
            "förhandsvisning": förhandsvisning,
            "kinds": layouter.registrerade(),
            "förval": [(k, namn, beskrivning) for k, (namn, beskrivning, _) in forval.FÖRVAL.items()],
            "från_år_val": [(0, "Alla år")]
            + [(å, f"Från {å}") for å in sorted({*range(år_nu - 1, år_nu + 3), extra.get("från_år") or år_nu}) if å],
            "val": val,
            **valmöjligheter(kommun, träd),
            "från_år": heltal(request.POST.get("från_år", 0)),
            **extra,
        },
        status=status,
    )


@require_safe
def index(request):
    """The menu's entry: the layout page of the user's kommun (the first where the user is admin)."""
    kommuner = layouter.admin_kommuner(request.user)
    if not kommuner:
        raise Http404("Du administrerar ingen kommun.")
    return redirect("layout", kommuner[0].id, Rapporttyp.DELÅRSRAPPORT)


@require_http_methods(["GET", "HEAD", "POST"])
def sida(request, kommun_id: int, typ: str):
    kommun = _kommun(request, kommun_id)
    rapporttyp = _typ(typ)
    extra: dict[str, Any] = {}
    if request.method != "POST":
        # ?ar=: the layout in force that year (after saving one "från år"); else the preview's year
        år = heltal(request.GET.get("ar"))
        if not (isinstance(år, int) and 2000 <= år <= 2100):
            år = _förhandsval(request, kommun, layouter.områdesträd(kommun))["år"]
        else:
            extra = {"från_år": år}
        return _sida(request, kommun, rapporttyp, med_nycklar(sel.layout(kommun.id, rapporttyp, år)), **extra)
    åtgärd = request.POST.get("åtgärd", "uppdatera")
    if åtgärd == "förval":
        namn = request.POST.get("förval", "")
        if namn not in forval.FÖRVAL:
            return _sida(
                request, kommun, rapporttyp, utkast_från_form(request.POST), 400, övriga_fel=["Välj ett förval."]
            )
        messages.info(request, f"Förvalet ”{forval.FÖRVAL[namn][0]}” är inläst. Det sparas först när du väljer Spara.")
        return _sida(request, kommun, rapporttyp, med_nycklar(forval.sektioner(namn, rapporttyp)))
    utkast = utkast_från_form(request.POST)
    if åtgärd != "spara":
        return _sida(
            request, kommun, rapporttyp, med_nycklar(utan_nycklar(tillämpa_åtgärd(utkast, åtgärd, request.POST)))
        )
    från_år = heltal(request.POST.get("från_år", 0))
    if not isinstance(från_år, int) or not (från_år == 0 or 2000 <= från_år <= 2100):
        return _sida(request, kommun, rapporttyp, utkast, 400, övriga_fel=["Välj från vilket år layouten gäller."])
    try:
        layouter.spara(request.user, kommun, rapporttyp, utan_nycklar(utkast), från_år)
    except ValidationError as e:
        _, övriga = fel_per_avsnitt(e, utkast)
        return _sida(
            request,
            kommun,
            rapporttyp,
            utkast,
            400,
            övriga_fel=övriga or ["Layouten sparades inte: rätta felen nedan."],
        )
    messages.success(
        request,
        f"Layouten för {rapporttyp.label.lower()} är sparad" + (f" och gäller från {från_år}." if från_år else "."),
    )
    url = reverse("layout", args=[kommun.id, rapporttyp])
    return redirect(f"{url}?ar={från_år}" if från_år else url)


@require_POST
def förhandsvisning(request, kommun_id: int, typ: str):
    """The report article rendered from the posted draft (never saved), or the Swedish messages."""
    kommun = _kommun(request, kommun_id)
    rapporttyp = _typ(typ)
    utkast = utkast_från_form(request.POST)
    try:
        giltiga = layouter.validera(utan_nycklar(utkast), layouter.Organisation.för(kommun))
    except ValidationError as e:
        fel_per, övriga = fel_per_avsnitt(e, utkast)
        html = render_to_string(
            "rapporter/layout/_forhandsvisning.html",
            {
                "fel": True,
                "meddelanden": övriga + [f"Avsnitt {i + 1}: {m}" for i, ms in sorted(fel_per.items()) for m in ms],
            },
            request,
        )
        return HttpResponse(html, status=422)
    val = _förhandsval(request, kommun, layouter.områdesträd(kommun))
    return HttpResponse(_förhandsvisning(request, val["nämnd"], val["år"], rapporttyp, giltiga))


@require_safe
def nytt_avsnitt(request, kommun_id: int, typ: str):
    """The fields of a new section (the page's JavaScript adds it without a reload)."""
    kommun = _kommun(request, kommun_id)
    _typ(typ)
    kind, nyckel = request.GET.get("typ", ""), request.GET.get("nyckel", "")
    if kind not in REGISTER or not NYCKEL.match(nyckel):
        return HttpResponseBadRequest("Okänd sektionstyp.")
    rubriker = [{"rubrik": r} for r in request.GET.getlist("rubrik")]
    a = avsnitt([ny_sektion(kind, rubriker, nyckel)])[0]
    nummer = request.GET.get("nummer", "")
    a.nummer = int(nummer) if nummer.isdigit() else 1
    a.ny = True
    return render(
        request, "rapporter/layout/_avsnitt.html", {"a": a, **valmöjligheter(kommun, layouter.områdesträd(kommun))}
    )


@require_safe
def exportera(request, kommun_id: int):
    """The kommun's layouts of every report type (those in force for the year asked, else the latest) as a file."""
    kommun = _kommun(request, kommun_id)
    år = heltal(request.GET.get("ar"))
    layouter_ = {t: sel.layout(kommun.id, t, år if isinstance(år, int) else None) for t in Rapporttyp.values}
    svar = HttpResponse(layouter.exportera(kommun, layouter_), content_type="application/json; charset=utf-8")
    svar["Content-Disposition"] = f'attachment; filename="rapportlayout-{slugify(kommun.namn)}.json"'
    return svar


@require_POST
def importera(request, kommun_id: int, typ: str):
    """Step 1 ("Visa fil"): read an uploaded layout file and show it (sections and a rendered preview); nothing is
    applied. Step 2 ("Använd", ``åtgärd=använd``): save the file's layouts — all report types at once."""
    kommun = _kommun(request, kommun_id)
    rapporttyp = _typ(typ)
    if request.POST.get("åtgärd") == "använd":
        lagrad = request.session.get(IMPORT_NYCKEL) or {}
        if lagrad.get("kommun") != kommun.id or not lagrad.get("rapporter"):
            messages.error(request, "Ingen uppladdad layoutfil att använda. Ladda upp filen igen.")
            return redirect("layout", kommun.id, rapporttyp)
        try:
            layouter.spara_alla(request.user, kommun, lagrad["rapporter"])
        except ValidationError as e:
            messages.error(request, "Layoutfilen användes inte: " + " ".join(e.messages))
            return redirect("layout", kommun.id, rapporttyp)
        del request.session[IMPORT_NYCKEL]
        messages.success(request, f"Layoutfilen är använd för {len(lagrad['rapporter'])} rapporter.")
        return redirect("layout", kommun.id, rapporttyp)
    fil = request.FILES.get("fil")
    if fil is None:
        return _importsida(request, kommun, rapporttyp, fel=["Välj en layoutfil."])
    try:
        rapporter = layouter.läs_fil(kommun, fil.read(layouter.MAX_FILSTORLEK + 1))
    except ValidationError as e:
        return _importsida(request, kommun, rapporttyp, fel=e.messages)
    request.session[IMPORT_NYCKEL] = {"kommun": kommun.id, "rapporter": rapporter}
    return _importsida(request, kommun, rapporttyp, rapporter=rapporter)


def _importsida(request, kommun, typ: Rapporttyp, fel=None, rapporter=None) -> HttpResponse:
    träd = layouter.områdesträd(kommun)
    val = _förhandsval(request, kommun, träd)
    visad = None
    if rapporter:
        visad = typ if typ in rapporter else Rapporttyp(next(iter(rapporter)))
    förhandsvisning = _förhandsvisning(request, val["nämnd"], val["år"], visad, rapporter[visad]) if visad else ""
    return render(
        request,
        "rapporter/layout/import.html",
        {
            "kommun": kommun,
            "typ": typ,
            "fel": fel or [],
            "rapporter": [
                (Rapporttyp(t), [(REGISTER[s["typ"]].namn, s["rubrik"]) for s in sektioner])
                for t, sektioner in (rapporter or {}).items()
            ],
            "visad": visad,
            "förhandsvisning": förhandsvisning,
        },
        status=400 if fel else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def tillfällen(request, kommun_id: int):
    """The kommun's report occasions: which reports it makes and the months tertial 1 and 2 and the delår end."""
    kommun = _kommun(request, kommun_id)
    nu = Rapporttillfällen.för(kommun.id)
    fel: list[str] = []
    if request.method == "POST":
        val: dict[str, tuple[bool, int | None]] = {}
        for t in Rapporttyp.values:
            månad = heltal(request.POST.get(f"{t}-manad", "")) if t in VALBARA_MÅNADER else None
            if månad == "" or månad == STANDARDMÅNAD[t]:
                månad = None
            if not (månad is None or isinstance(månad, int)):
                fel.append(f"Ogiltig månad för {Rapporttyp(t).label.lower()}.")
                continue
            val[t] = (bool(request.POST.get(f"{t}-anvands")), månad)
        if not fel:
            try:
                spara_rapporttillfällen(request.user, kommun, val)
            except ValidationError as e:
                fel = e.messages
            else:
                messages.success(request, "Rapporttillfällena är sparade.")
                return redirect("layout-tillfällen", kommun.id)
    rader = [
        {
            "typ": t,
            "namn": nu.namn(t),
            "används": t in nu.används,
            "månad": nu.månader[t],
            "månader": [(m, manader.LÅNGA[m - 1]) for m in VALBARA_MÅNADER[t]] if t in VALBARA_MÅNADER else [],
        }
        for t in Rapporttyp.values
    ]
    return render(
        request,
        "rapporter/layout/tillfallen.html",
        {"kommun": kommun, "rader": rader, "fel": fel, "typer": [(t, nu.namn(t)) for t in nu.typer]},
        status=400 if fel else 200,
    )
