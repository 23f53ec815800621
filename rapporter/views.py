"""Thin views: parse the request → selectors/report builder → render HTML, or PDF from the same template."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from grund import manader
from nyckeltal import selectors as nyckeltal_sel
from nämnd.behorighet import kan_importera, kan_redigera
from nämnd.models import Kommun, Nämnd, Rapporttillfällen, Rapporttyp, rapportmånad

from . import rapportcache
from . import selectors as sel
from .format import Presentation
from .sektioner import sammanfattning
from .tabell import Period
from .tables import DriftTabell, IndikatorTabell, VolymTabell


@require_safe
def start(request):
    """The user's kommuner and nämnder, with links to the years that have figures."""
    spann = ekonomi_sel.budgetår_per_nämnd(request.user)
    kommuner: dict[Kommun, list[Nämnd]] = {}
    for n in sel.läsbara_nämnder(request.user):
        första, sista = spann.get(n.id, (0, -1))
        n.år = list(range(sista, första - 1, -1))
        kommuner.setdefault(n.kommun, []).append(n)
    return render(request, "start.html", {"kommuner": list(kommuner.items())})


@require_safe
def översikt(request, nämnd_id: int, år: int):
    """Every figure of a nämnd and year in plain tables (django-tables2), with links to the reports."""
    nämnd = sel.nämnd_för(request.user, nämnd_id)
    pres = Presentation.för(nämnd.kommun)
    # Honest period: the figures compare months 1..senaste (the last month with utfall) of both years and the
    # budget periodised through it; the page says how many of the year's months have utfall (docs/beslut.md).
    tillfällen = Rapporttillfällen.för(nämnd.kommun_id)
    täckning = berakning.täckt_period(ekonomi_sel.utfallsmånader(request.user, [nämnd], år, 12), 12)
    månad = täckning.senaste or 12
    underlag = ekonomi_sel.ekonomiunderlag(request.user, [nämnd], år, månad)
    period = berakning.gruppera(underlag, lambda o: berakning.driftrad_period(o, år, månad))
    helår = berakning.gruppera(underlag, lambda o: berakning.driftrad_helår(o, år, månad))
    prognoser = berakning.helårsprognoser(underlag, år, månad)
    driftrader = []
    for p, h in zip([*period.rader, period.summa], [*helår.rader, helår.summa], strict=True):
        prognos = prognoser.get(p.id)
        driftrader.append(
            {
                "namn": p.namn,
                "jämförelse": p.jämförelse,
                "budget": p.budget,
                "tillägg": p.tillägg,
                "nettokostnad": p.nettokostnad,
                "avvikelse": p.avvikelse,
                "budget_helår": h.budget_inkl_tillägg,
                "prognos": prognos,
                "prognosavvikelse": None if prognos is None else h.budget_inkl_tillägg - prognos,
            }
        )
    målblock = nyckeltal_sel.mål(request.user, [nämnd], år, Rapporttyp.DELÅRSRAPPORT)
    volymgrupper = nyckeltal_sel.volymer(request.user, [nämnd], år)
    kolumner = nyckeltal_sel.volymkolumner(
        år, Rapporttyp.DELÅRSRAPPORT if månad < 12 else Rapporttyp.VERKSAMHETSBERÄTTELSE
    )
    volymrader = [
        {"grupp": g.namn, "namn": r.namn, "enhet": r.enhet, **{f"k{i}": v for i, v in enumerate(r.celler(kolumner))}}
        for g in volymgrupper
        for r in g.rader
    ]
    fg_med_utfall = any("period_fg" not in o.saknas for o in underlag)
    # The tiles: the report's sammanfattning from what this page has read (the same figures as the tables).
    tiles = sammanfattning.sammanfatta(
        sammanfattning.summa(
            [
                berakning.bas(o, år, månad, månad, period_med_utfall=täckning.antal > 0, fg_med_utfall=fg_med_utfall)
                for o in underlag
            ]
        ),
        Period(år, månad, månad),
        sammanfattning.visning(nämnd.kommun),
        Rapporttyp.DELÅRSRAPPORT if månad < 12 else Rapporttyp.VERKSAMHETSBERÄTTELSE,
        målblock,
        volymgrupper,
    )
    indikatorrader = [
        {
            "mål": m.namn,
            "namn": i.namn,
            "kolada_id": i.kolada_id or "–",
            "senaste_år": i.senaste.år if i.senaste else "–",
            "senaste": i.senaste.totalt if i.senaste else None,
            "målvärde": i.målvärde_text or "–",
            "bedömning": i.nivå.text if i.nivå else "–",
        }
        for m in nyckeltal_sel.alla_mål(målblock)
        for i in m.indikatorer
    ]
    return render(
        request,
        "oversikt.html",
        {
            "nämnd": nämnd,
            "år": år,
            "pres": pres,
            "täckning": täckning,
            "rapporttyper": [(t.value, tillfällen.namn(t)) for t in tillfällen.typer if t != Rapporttyp.MÅNADSRAPPORT],
            "månadsrapport": Rapporttyp.MÅNADSRAPPORT in tillfällen.typer,
            "månad": månad,
            "månadsnamn": manader.lång(månad),
            "kan_redigera": kan_redigera(request.user, nämnd),
            "kan_importera": kan_importera(request.user, nämnd),
            "sammanfattning": tiles,
            "drift": DriftTabell(driftrader, pres=pres, år=år, period=täckning.period),
            "volymer": VolymTabell(volymrader, kolumner),
            "indikatorer": IndikatorTabell(indikatorrader),
        },
    )


@require_safe
def rapport(request, nämnd_id: int, år: int, typ: str):
    """A report as an HTML page (body cached per data version). Its PDF is served by the workflow layer
    (``jobb.views.rapport_pdf``): an adopted report's archived file, or a render from one data version. A
    månadsrapport is for the month asked for (``?månad=5``), else the latest month with utfall."""
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapporttyp.")
    månad = rapportens_månad(
        request, typ, lambda: ekonomi_sel.senaste_utfallsmånad(request.user, sel.nämnd_för(request.user, nämnd_id), år)
    )
    return HttpResponse(rapportcache.sida(request, nämnd_id, år, typ, månad))


def rapportens_månad(request, typ: str, senaste) -> int | None:
    """A månadsrapport's month from ``?månad=`` (404 for a bad one), else ``senaste()`` (or December)."""
    try:
        månad = rapportmånad(typ, request.GET.get("månad"))
    except ValueError as e:
        raise Http404(str(e)) from None
    if typ == Rapporttyp.MÅNADSRAPPORT and månad is None:
        månad = senaste() or 12
    return månad
