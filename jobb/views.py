from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Jobb


def status(request, jobb_id):
    """A job's state; the page polls the JSON variant (static/js/jobb.js) until it is done."""
    jobb = get_object_or_404(Jobb.objects.for_user(request.user), pk=jobb_id, användare=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": jobb.status, "text": jobb.get_status_display(), "fel": jobb.fel,
                             "resultat_url": jobb.resultat.get("url", "")})
    return render(request, "jobb/status.html", {"jobb": jobb})
