"""Celery tasks. Job state lives in the Jobb table (``jobb.services``); these only deliver and retry, and
pre-render PDFs after changes (debounced per kommun)."""

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver

from nämnd import dataversion
from publicering import paminnelser

from . import rapportpdf, services

log = logging.getLogger(__name__)

# Transient errors (database restarting, Redis away) are retried with backoff: 2, 4, 8, 16, 30 s — about a
# minute in all, enough for a database or Redis restart; then the job is marked fel.
MAX_FÖRSÖK = 5


def väntetid(försök: int) -> int:
    return min(2 ** (försök + 1), 30)


@shared_task(bind=True, name="jobb.kör", acks_late=True, reject_on_worker_lost=True, max_retries=MAX_FÖRSÖK)
def kör_jobb(self, jobb_id: str) -> None:
    # Eager (embedded mode, no Redis): no retries — there is no queue to wait in.
    sista = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        services.kör(jobb_id, sista_försöket=sista)
    except services.TillfälligtFel as e:
        raise self.retry(exc=e, countdown=väntetid(self.request.retries)) from e


def _ändrad(kommun_id: int) -> str:
    return f"jobb:pdf-ändrad:{kommun_id}"


def _väntar(kommun_id: int) -> str:
    return f"jobb:pdf-förrendering-väntar:{kommun_id}"


@shared_task(bind=True, name="jobb.förrendera_pdf", ignore_result=True)
def förrendera_pdf(self, kommun_id: int) -> None:
    """Render the recently requested PDFs of a kommun once its data has been quiet for
    ``PDF_FÖRRENDERING_SEKUNDER`` (debounced: while saves keep coming, this only re-schedules itself, so a
    busy deadline hour does not fill the workers with renders of versions that are outdated at once)."""
    fördröjning = settings.PDF_FÖRRENDERING_SEKUNDER
    kvar = (cache.get(_ändrad(kommun_id)) or 0) + fördröjning - time.time()
    if kvar > 0:
        if self.request.is_eager:  # no queue to wait in (never scheduled so, see below)
            return
        cache.set(_väntar(kommun_id), 1, timeout=fördröjning * 3)
        förrendera_pdf.apply_async((kommun_id,), countdown=kvar + 0.5)
        return
    cache.delete(_väntar(kommun_id))  # a change from now on schedules a new pre-render
    rapportpdf.förrendera(kommun_id)


@receiver(dataversion.ny_version, dispatch_uid="jobb-förrendera-pdf")
def schemalägg_förrendering(sender, kommun_ids, **kwargs) -> None:
    """After a committed change: note the time and make sure one pre-render is pending for the kommun. Only
    with Redis: the embedded mode renders on request and does nothing in the background."""
    fördröjning = settings.PDF_FÖRRENDERING_SEKUNDER
    if settings.CELERY_TASK_ALWAYS_EAGER or förrendera_pdf.app.conf.task_always_eager or fördröjning <= 0:
        return
    for kommun_id in kommun_ids:
        try:
            cache.set(_ändrad(kommun_id), time.time(), timeout=fördröjning * 10)
            if cache.add(_väntar(kommun_id), 1, timeout=fördröjning * 3):
                förrendera_pdf.apply_async((kommun_id,), countdown=fördröjning)
        except services.KÖFEL:  # Redis away: the PDF is rendered on request instead
            log.warning("Förrendering av PDF för kommun %s kunde inte schemaläggas", kommun_id, exc_info=True)


@shared_task(name="jobb.skicka_påminnelser", ignore_result=True)
def skicka_påminnelser() -> int:
    """Deadline reminders by e-mail (``publicering.paminnelser``), scheduled daily by celery beat
    (``CELERY_BEAT_SCHEDULE``). Idempotent: a retry or a second run sends nothing already sent."""
    return paminnelser.skicka()
