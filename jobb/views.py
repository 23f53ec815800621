from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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
