"""Entry pages for controllers: volymer och nyckeltal, indikatorer, måluppfyllelse och uppdrag.

Every page: the nämnd through ``nämnd_för`` (404 for another kommun), ``kräv_redigering`` (403 for läsare);
a save is one service call; bad input re-renders the page (200) with everything typed kept; success
redirects with a message. Reads take a fixed number of queries whatever the number of rows.
Reads come from ``nyckeltal.selectors`` (``volymrader``, ``indikatorgrupper``, ``målrader``)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from nämnd.models import Rapporttyp
from nämnd.vakt import Slag, Vakt, Ändring, låsmånad, spärr_för

from . import forms, services
from . import selectors as sel
from .sidor import inmatningsnämnd, sidkontext, spara_och_visa, spärrtext, volym_url

# --- volymer och nyckeltal ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def volymer(request, nämnd_id: int, år: int):
    nämnd = inmatningsnämnd(request, nämnd_id, år)
    vy = "månad" if request.GET.get("vy") in ("månad", "manad") else "år"
    vakt = Vakt.för(request.user, nämnd, år)
    kolumner = forms.volymkolumner(år, vy, vakt)
    form = forms.Volymformulär(
        sel.volymrader(nämnd, år), kolumner, data=request.POST if request.method == "POST" else None
    )
    if svar := spara_och_visa(
        request,
        form,
        lambda: services.spara_nyckeltalsvärden(request.user, nämnd, år, form.celler()),
        volym_url(nämnd, år, vy),
    ):
        return svar
    spärrar = [k.spärr for k in kolumner if k.spärr]
    if vy == "månad":
        låsta = [k.månad for k in kolumner if k.spärr]
        låsning = spärrtext(
            spärrar, år, låsta, "utfall för den månaden" if len(låsta) == 1 else "utfall för de månaderna"
        )
    else:
        låsta = [k.etikett.lower() for k in kolumner if k.spärr]
        låsning = spärrtext(
            spärrar, år, [services.låsmånad_för_värde(k.typ, None) for k in kolumner if k.spärr], ", ".join(låsta)
        )
    rubrik = f"Volymer och nyckeltal {år}"
    return render(
        request,
        "nyckeltal/volymer.html",
        sidkontext(
            request,
            nämnd,
            år,
            rubrik,
            form,
            vy=vy,
            låsning=låsning,
            vy_år=volym_url(nämnd, år, "år"),
            vy_månad=volym_url(nämnd, år, "månad"),
            tabelltitel=f"{rubrik}: {'utfall per månad' if vy == 'månad' else 'årsvärden'}",
            kolumnantal=len(kolumner) + (2 if vy == "månad" else 3),
        ),
    )


# --- indikatorer ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def indikatorer(request, nämnd_id: int, år: int):
    nämnd = inmatningsnämnd(request, nämnd_id, år)
    spärr = spärr_för(request.user, nämnd, Ändring(Slag.ÅRSVÄRDE, år))
    form = forms.Indikatorformulär(
        sel.indikatorgrupper(nämnd, år), år, spärr is not None, data=request.POST if request.method == "POST" else None
    )
    if svar := spara_och_visa(
        request,
        form,
        lambda: services.spara_indikatorvärden(request.user, nämnd, år, form.inmatningar()),
        "indikatorer-inmatning",
        nämnd.id,
        år,
    ):
        return svar
    return render(
        request,
        "nyckeltal/indikatorer.html",
        sidkontext(
            request,
            nämnd,
            år,
            f"Indikatorer {år}",
            form,
            historikår=list(range(år - sel.INMATNING_HISTORIKÅR, år)),
            låsning=spärrtext([spärr] if spärr else [], år, [låsmånad(Slag.ÅRSVÄRDE)], f"indikatorvärdena för {år}"),
        ),
    )


# --- måluppfyllelse och uppdrag -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def mål(request, nämnd_id: int, år: int, rapporttyp: str):
    nämnd = inmatningsnämnd(request, nämnd_id, år, rapporttyp)
    typ = Rapporttyp(rapporttyp)
    ändring = Ändring(Slag.BEDÖMNING, år, rapporttyp=typ)
    vakt = Vakt.för(request.user, nämnd, år)
    spärr = vakt.spärr(ändring)
    bedömningsord = "Prognos för måluppfyllelse" if typ.är_prognos else "Måluppfyllelse"
    form = forms.Målformulär(
        sel.målrader(nämnd, år, typ),
        bedömningsord,
        spärr is not None,
        sel.bedömningsskala(nämnd),
        data=request.POST if request.method == "POST" else None,
        plan=typ == Rapporttyp.VERKSAMHETSPLAN,
    )
    if svar := spara_och_visa(
        request,
        form,
        lambda: services.spara_måluppfyllelse(request.user, nämnd, år, typ, *form.bedömningar()),
        "mal-inmatning",
        nämnd.id,
        år,
        typ.value,
    ):
        return svar
    return render(
        request,
        "nyckeltal/mal.html",
        sidkontext(
            request,
            nämnd,
            år,
            f"Måluppfyllelse och uppdrag – {typ.label.lower()} {år}",
            form,
            rapporttyp=typ,
            bedömningsord=bedömningsord,
            låsning=spärrtext(
                [spärr] if spärr else [],
                år,
                [vakt.låsmånad(ändring)],
                f"bedömningar och uppdragsstatus i {typ.label.lower()}en",
            ),
        ),
    )
