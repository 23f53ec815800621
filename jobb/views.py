from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from ekonomi import selectors as ekonomi_sel
from nämnd import dataversion
from nämnd.models import Nämnd, Rapporttyp
from nämnd.selectors import nämnd_för
from publicering import selectors as publicering_sel
from rapporter.views import rapportens_månad

from . import rapportpdf, selectors, services
from .models import Jobb


def _jobb(request, jobb_id) -> Jobb:
    return selectors.eget_jobb(request.user, jobb_id)


def status(request, jobb_id):
    """A job's state; the page polls the JSON variant (static/js/jobb.js) until it is done. A job whose runner
    is gone shows as "avbruten" with a button to run it again; a PDF job also offers the latest finished PDF."""
    jobb = _jobb(request, jobb_id)
    status = services.effektiv_status(jobb)
    fel = services.AVBRUTET if status == services.AVBRUTEN else jobb.fel
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": status,
                "text": services.STATUSTEXT[status],
                "fel": fel,
                "resultat_url": jobb.resultat.get("url", ""),
            }
        )
    senaste = None
    if jobb.typ == Jobb.Typ.PDF and status != Jobb.Status.KLAR:
        p = jobb.parametrar
        nämnd = selectors.läsbar_nämnd(request.user, p.get("nämnd_id"))
        senaste = nämnd and rapportpdf.senaste(nämnd, p.get("år"), p.get("typ"))
    return render(
        request,
        "jobb/status.html",
        {
            "jobb": jobb,
            "status": status,
            "statustext": services.STATUSTEXT[status],
            "fel": fel,
            "kan_köras_igen": status in (Jobb.Status.FEL, services.AVBRUTEN),
            "senaste": senaste,
            "senaste_url": senaste and rapportpdf.länk(senaste),
        },
    )


@require_POST
def kör_igen(request, jobb_id):
    """Run a job that ended fel or was cut off again (its owner only)."""
    jobb = _jobb(request, jobb_id)
    if services.effektiv_status(jobb) in (Jobb.Status.FEL, services.AVBRUTEN):
        services.kör_igen(jobb)
    return redirect("jobb-status", jobb.pk)


@require_safe
def rapport_pdf(request, nämnd_id: int, år: int, typ: str):
    """A report as PDF. An adopted report: its archived file, always. Otherwise a PDF rendered from one
    consistent data version (``rapportpdf``): the version a link pins (``?version=N``, what a finished job links
    to — never stale because others saved since), else the current one. Not rendered yet: inline in the embedded
    mode; with Redis a job renders it (this user's job for the same version is reused) and its page links to
    the result, or offers the latest finished PDF meanwhile."""
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapporttyp.")
    nämnd = nämnd_för(request.user, nämnd_id)
    if typ == Rapporttyp.MÅNADSRAPPORT:
        månad = rapportens_månad(request, typ, lambda: ekonomi_sel.senaste_utfallsmånad(request.user, nämnd, år))
        return _pdf_svar(request, rapportpdf.månadsrapport(request.user, nämnd, år, månad), nämnd, år, typ)
    if arkiverad := publicering_sel.fastställd_version(nämnd, år, typ):
        return _pdf_svar(request, bytes(arkiverad.pdf), nämnd, år, typ)
    version = dataversion.version(nämnd.kommun_id)
    r = rapportpdf.för_version(nämnd, år, typ, request.GET["version"]) if "version" in request.GET else None
    r = r or rapportpdf.för_version(nämnd, år, typ, version)
    if r is None and settings.CELERY_TASK_ALWAYS_EAGER:
        r = rapportpdf.minst(request.user, nämnd, år, typ, version)
    if r is None:
        parametrar = {"nämnd_id": nämnd.id, "år": år, "typ": typ, "version": version}
        jobb = selectors.pågående_jobb(request.user, Jobb.Typ.PDF, parametrar)
        if jobb is None or services.effektiv_status(jobb) == services.AVBRUTEN:
            jobb = services.starta(Jobb.Typ.PDF, request.user, nämnd.kommun, parametrar)
        return redirect("jobb-status", jobb.pk)
    rapportpdf.markera_efterfrågad(r)
    return _pdf_svar(request, rapportpdf.fil(r), nämnd, år, typ)


def _pdf_svar(request, pdf: bytes, nämnd: Nämnd, år: int, typ: str) -> HttpResponse:
    """Shown in the browser (inline); ``?ladda_ner=1`` asks for a download (attachment)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    filnamn = slugify(f"{nämnd.kommun.namn} {nämnd.namn} {Rapporttyp(typ).label} {år}")
    response["Content-Disposition"] = content_disposition_header("ladda_ner" in request.GET, f"{filnamn}.pdf") or ""
    return response
