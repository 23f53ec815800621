"""A kommun's own tables: the definition pages for its admins (/layout/<kommun>/tabeller/, outside /admin/) and the
entry page of a table's rows per nämnd and year (/texter/<nämnd>/<år>/tabeller/<tabell>/).

The definition form works without JavaScript like the layout page: every button posts the whole form and the
server applies the action (add, move, remove a column) to the draft; only "Spara" writes. Status values are typed
one per line in a textarea of the column (a list, validated by the service — never schema text).

Thin views: reads through ``egentabeller``'s selectors, writes through its services; another kommun's ids → 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from nyckeltal.sidor import inmatningsnämnd, meddela, sidkontext, spärrtext
from nämnd.behorighet import kan_importera, kräv_admin
from nämnd.models import Rapporttillfällen
from nämnd.vakt import Slag, Vakt, Ändring, låsmånad

from . import egentabeller as et
from .models import Egenkolumn

TOMMA_RADER = 3


def _kommun(request, kommun_id: int):
    kommun = et.kommun_för(request.user, kommun_id)  # another kommun → 404
    kräv_admin(request.user, kommun)  # not its admin → 403
    return kommun


def _heltal(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _typer(kommun_id: int) -> list[tuple[str, str]]:
    nu = Rapporttillfällen.för(kommun_id)
    return [(t, nu.namn(t)) for t in nu.typer]


# --- the definition ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lista(request, kommun_id: int):
    """The kommun's tables, and a new one (empty or from a preset)."""
    kommun = _kommun(request, kommun_id)
    fel: list[str] = []
    if request.method == "POST":
        förval = request.POST.get("förval", "")
        namn = request.POST.get("namn", "").strip()
        if förval and förval not in et.FÖRVAL:
            fel.append("Okänt förval.")
        else:
            kolumner = et.kolumnutkast_från_förval(förval) if förval else [et.Kolumnutkast(None, "Beskrivning", "text")]
            namn = namn or (et.FÖRVAL[förval].namn if förval else "")
            beskrivning = et.FÖRVAL[förval].beskrivning if förval else ""
            try:
                tabell = et.spara_definition(request.user, kommun, None, namn, beskrivning, kolumner, förval)
            except ValidationError as e:
                fel = e.messages
            else:
                messages.success(request, f"Tabellen ”{tabell.namn}” är skapad. Ändra kolumnerna nedan.")
                return redirect("egentabell", kommun.id, tabell.id)
    return render(
        request,
        "rapporter/egentabeller/lista.html",
        {
            "kommun": kommun,
            "tabeller": et.tabeller(kommun.id),
            "förval": et.förvalslista(),
            "fel": fel,
            "typer": _typer(kommun.id),
            "typ": "tabeller",
            "namn": request.POST.get("namn", ""),
        },
        status=400 if fel else 200,
    )


def _utkast_från_post(post) -> list[dict]:
    utkast = []
    for nyckel in post.getlist("kolumn"):
        if not nyckel.isalnum() or len(nyckel) > 12:
            continue
        utkast.append(
            {
                "nyckel": nyckel,
                "id": _heltal(post.get(f"{nyckel}-id")),
                "namn": post.get(f"{nyckel}-namn", "").strip(),
                "typ": post.get(f"{nyckel}-typ", ""),
                "statusval": post.get(f"{nyckel}-statusval", ""),
            }
        )
    return utkast


def _utkast_från_tabell(tabell) -> list[dict]:
    return [
        {"nyckel": f"k{i}", "id": k.pk, "namn": k.namn, "typ": k.typ, "statusval": "\n".join(k.statusval)}
        for i, k in enumerate(et.kolumner(tabell))
    ]


def _åtgärd(utkast: list[dict], åtgärd: str) -> None:
    namn, _, nyckel = åtgärd.partition(":")
    index = {k["nyckel"]: i for i, k in enumerate(utkast)}
    if namn == "ny":
        nr = max((int(k["nyckel"][1:]) for k in utkast if k["nyckel"][1:].isdigit()), default=-1) + 1
        utkast.append({"nyckel": f"k{nr}", "id": None, "namn": "", "typ": "text", "statusval": ""})
    elif nyckel in index:
        i = index[nyckel]
        if namn == "bort":
            del utkast[i]
        elif namn in ("upp", "ned"):
            j = i + (-1 if namn == "upp" else 1)
            if 0 <= j < len(utkast):
                utkast[i], utkast[j] = utkast[j], utkast[i]


@require_http_methods(["GET", "POST"])
def definition(request, kommun_id: int, tabell_id: int):
    """One table's name and columns: add, rename, reorder, remove, choose the type, define the status values."""
    kommun = _kommun(request, kommun_id)
    tabell = et.tabell_för(request.user, tabell_id)
    if tabell.kommun_id != kommun.id:
        raise Http404("Okänd tabell.")
    fel: list[str] = []
    if request.method == "POST":
        utkast = _utkast_från_post(request.POST)
        namn = request.POST.get("namn", "").strip()
        beskrivning = request.POST.get("beskrivning", "").strip()
        åtgärd = request.POST.get("åtgärd", "spara")
        if åtgärd == "ta_bort":
            try:
                et.ta_bort_tabell(request.user, tabell)
            except ValidationError as e:
                fel = e.messages
            else:
                messages.success(request, f"Tabellen ”{tabell.namn}” är borttagen.")
                return redirect("egentabeller", kommun.id)
        elif åtgärd != "spara":
            _åtgärd(utkast, åtgärd)
        else:
            kolumner = [
                et.Kolumnutkast(k["id"], k["namn"], k["typ"], et.statusval_från_text(k["statusval"])) for k in utkast
            ]
            try:
                et.spara_definition(request.user, kommun, tabell, namn, beskrivning, kolumner)
            except ValidationError as e:
                fel = e.messages
            else:
                messages.success(request, "Tabellen är sparad.")
                return redirect("egentabell", kommun.id, tabell.id)
    else:
        utkast, namn, beskrivning = _utkast_från_tabell(tabell), tabell.namn, tabell.beskrivning
    return render(
        request,
        "rapporter/egentabeller/definition.html",
        {
            "kommun": kommun,
            "tabell": tabell,
            "namn": namn,
            "beskrivning": beskrivning,
            "kolumner": utkast,
            "typval": Egenkolumn.Typ.choices,
            "fel": fel,
            "typer": _typer(kommun.id),
            "typ": "tabeller",
        },
        status=400 if fel else 200,
    )


# --- the rows ---------------------------------------------------------------------------------------------------


def radutkast_från_post(post, kolumner) -> list[et.Radutkast]:
    ut = []
    for i in range(min(_heltal(post.get("antal")) or 0, et.MAX_RADER + 50)):
        pk = _heltal(post.get(f"r{i}-id"))
        if post.get(f"r{i}-bort"):
            värden: dict[int, str] = {}
        else:
            värden = {k.pk: post.get(f"r{i}-k{k.pk}", "") for k in kolumner}
        ut.append(et.Radutkast(pk, värden))
    return ut


@require_http_methods(["GET", "POST"])
def rader(request, nämnd_id: int, år: int, tabell_id: int):
    """The rows of one table for a nämnd and year: a grid of inputs, saved in one service call."""
    nämnd = inmatningsnämnd(request, nämnd_id, år)
    tabell = et.tabell_för(request.user, tabell_id)
    if tabell.kommun_id != nämnd.kommun_id:
        raise Http404("Okänd tabell.")
    kolumner = et.kolumner(tabell)
    ändring = Ändring(Slag.ÅRSVÄRDE, år)
    spärr = Vakt.för(request.user, nämnd, år).spärr(ändring)
    namn = et.användare(nämnd.kommun_id)
    fel: list[str] = []
    if request.method == "POST":
        utkast = radutkast_från_post(request.POST, kolumner)
        try:
            sparat = et.spara_rader(request.user, nämnd, tabell, år, utkast, request.POST.get("laddat", ""))
        except ValidationError as e:
            fel = e.messages
        except PermissionDenied:
            raise
        else:
            meddela(request, sparat)
            return redirect("egentabell-rader", nämnd.id, år, tabell.id)
        laddat = request.POST.get("laddat", "")
        visade = [(r.id, {k.pk: r.värden.get(k.pk, "") for k in kolumner}) for r in utkast]
    else:
        sparade = et.rader(tabell, nämnd, år)
        laddat = et.avtryck(sparade)
        visade = [(r.pk, {k.pk: et.inmatat(k, r.värden.get(str(k.pk))) for k in kolumner}) for r in sparade]
        if spärr is None:
            visade += [(None, {}) for _ in range(TOMMA_RADER)]
    rader_ = [
        {
            "i": i,
            "id": pk,
            "celler": [{"k": k, "namn": f"r{i}-k{k.pk}", "värde": värden.get(k.pk, "")} for k in kolumner],
        }
        for i, (pk, värden) in enumerate(visade)
    ]
    kontext = sidkontext(
        request,
        nämnd,
        år,
        f"{tabell.namn} {år}",
        None,
        tabell=tabell,
        kolumner=kolumner,
        rader=rader_,
        antal=len(rader_),
        laddat=laddat,
        användare=sorted(namn.items(), key=lambda p: p[1].lower()),
        fel=fel,
        låst=spärr is not None,
        kan_importera=kan_importera(request.user, nämnd),
        låsning=spärrtext([spärr] if spärr else [], år, [låsmånad(Slag.ÅRSVÄRDE)], f"{tabell.namn} för {år}"),
    )
    return render(request, "rapporter/egentabeller/rader.html", kontext, status=400 if fel else 200)
