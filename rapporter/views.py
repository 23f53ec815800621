"""Thin views: parse the request → selectors/report builder → render HTML, or PDF from the same template."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from jobb import rapportpdf
from jobb import selectors as jobb_sel
from jobb import services as jobb_services
from jobb.models import Jobb
from nyckeltal import selectors as nyckeltal_sel
from nämnd import dataversion
from nämnd.behorighet import kan_importera, kan_redigera
from nämnd.models import Kommun, Nämnd, Rapporttyp
from publicering import selectors as publicering_sel

from . import rapportcache
from . import selectors as sel
from .format import Presentation
from .rapport import MÅNADER_LÅNG
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
    månad = ekonomi_sel.senaste_utfallsmånad(request.user, nämnd, år) or 12
    underlag = ekonomi_sel.ekonomiunderlag(request.user, [nämnd], år, månad)
    drift = berakning.gruppera(underlag, lambda o: berakning.driftrad_period(o, år, månad))
    kolumner = nyckeltal_sel.volymkolumner(år, Rapporttyp.DELÅRSRAPPORT if månad < 12 else Rapporttyp.VERKSAMHETSBERÄTTELSE)
    volymrader = [
        {"grupp": g.namn, "namn": r.namn, "enhet": r.enhet, **{f"k{i}": v for i, v in enumerate(r.celler(kolumner))}}
        for g in nyckeltal_sel.volymer(request.user, [nämnd], år) for r in g.rader
    ]
    indikatorrader = [
        {
            "mål": m.namn, "namn": i.namn, "kolada_id": i.kolada_id or "–",
            "senaste_år": i.senaste.år if i.senaste else "–", "senaste": i.senaste.totalt if i.senaste else None,
            "målvärde": i.målvärde_text or "–", "bedömning": i.bedömning.value if i.bedömning else "–",
        }
        for m in nyckeltal_sel.alla_mål(nyckeltal_sel.mål(request.user, [nämnd], år, Rapporttyp.DELÅRSRAPPORT))
        for i in m.indikatorer
    ]
    return render(request, "oversikt.html", {
        "nämnd": nämnd, "år": år, "pres": pres, "månadsnamn": MÅNADER_LÅNG[månad - 1][:3],
        "rapporttyper": Rapporttyp.choices,
        "kan_redigera": kan_redigera(request.user, nämnd), "kan_importera": kan_importera(request.user, nämnd),
        "drift": DriftTabell([*drift.rader, drift.summa], pres=pres),
        "volymer": VolymTabell(volymrader, kolumner),
        "indikatorer": IndikatorTabell(indikatorrader),
    })



@require_safe
def rapport(request, nämnd_id: int, år: int, typ: str, format: str = "html"):
    """A report as an HTML page (body cached per data version), or as a PDF (``_pdf``)."""
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapporttyp.")
    nämnd = sel.nämnd_för(request.user, nämnd_id)
    titel = f"{nämnd.namn} – {Rapporttyp(typ).label} {år}"
    if format != "pdf":
        artikel = rapportcache.artikel(request.user, nämnd, år, typ, pdf=False)
        return render(request, "rapporter/rapport.html", {"artikel": artikel, "titel": titel, "pdf": False})
    arkiverad = publicering_sel.fastställd_version(nämnd, år, typ)
    if arkiverad:  # the adopted file always wins
        return _pdf_svar(bytes(arkiverad.pdf), nämnd, år, typ)
    return _pdf(request, nämnd, år, typ)


def _pdf(request, nämnd: Nämnd, år: int, typ: str):
    """A PDF rendered from one consistent data version (``jobb.rapportpdf``): the version a link pins
    (``?version=N``, what a finished job links to — never stale because others saved since), else the current
    one. Not rendered yet: inline in the embedded mode; with Redis a job renders it (this user's job for the
    same version is reused) and its page links to the result, or offers the latest finished PDF meanwhile."""
    version = dataversion.version(nämnd.kommun_id)
    r = rapportpdf.för_version(nämnd, år, typ, request.GET["version"]) if "version" in request.GET else None
    r = r or rapportpdf.för_version(nämnd, år, typ, version)
    if r is None and settings.CELERY_TASK_ALWAYS_EAGER:
        r = rapportpdf.minst(request.user, nämnd, år, typ, version)
    if r is None:
        parametrar = {"nämnd_id": nämnd.id, "år": år, "typ": typ, "version": version}
        jobb = jobb_sel.pågående_jobb(request.user, Jobb.Typ.PDF, parametrar)
        if jobb is None or jobb_services.effektiv_status(jobb) == jobb_services.AVBRUTEN:
            jobb = jobb_services.starta(Jobb.Typ.PDF, request.user, nämnd.kommun, parametrar)
        return redirect("jobb-status", jobb.pk)
    rapportpdf.markera_efterfrågad(r)
    return _pdf_svar(rapportpdf.fil(r), nämnd, år, typ)


def _pdf_svar(pdf: bytes, nämnd: Nämnd, år: int, typ: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filnamn = slugify(f"{nämnd.kommun.namn} {nämnd.namn} {Rapporttyp(typ).label} {år}")
    response["Content-Disposition"] = f'attachment; filename="{filnamn}.pdf"'
    return response
