"""The ekonomisystem import's confirm step as a background job (Celery when Redis is configured).

The job reads the pending upload (``IMPORT_TEMP_DIR`` must be shared with the workers), runs the same
``importera_utfall`` as the inline path in one transaction, and removes the upload. A refused import
(``Importfel``) marks the job "fel" with the Swedish reason and writes nothing; a job delivered twice finds
the import done and does nothing more (see ``jobb.services.kör``)."""

from __future__ import annotations

from django.urls import reverse

from jobb.models import Jobb
from jobb.services import hanterare

from . import utfall
from .models import Import


@hanterare(Jobb.Typ.IMPORT_UTFALL)
def bekräfta_utfall(jobb: Jobb) -> dict:
    p = jobb.parametrar
    imp = Import.objects.select_related("nämnd").get(pk=p["import_id"], kommun=jobb.kommun)
    url = reverse("import-detalj", args=[imp.nämnd_id, imp.pk])
    if imp.status == Import.Status.GENOMFÖRD:
        return {"url": url, "länktext": "Visa importen"}
    data = utfall.läs_väntande(imp, jobb.användare)
    if data is None:
        raise utfall.Importfel("Den uppladdade filen finns inte längre. Ladda upp den igen.")
    utfall.importera_utfall(imp, data, jobb.användare, spara=True, fingeravtryck=p.get("fingeravtryck", ""))
    utfall.radera_väntande(imp, jobb.användare)
    return {"url": url, "länktext": "Visa importen"}
