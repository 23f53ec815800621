"""Starting and running background jobs.

``starta`` records a Jobb and enqueues it with ``transaction.on_commit`` (the job never runs before the
data it needs is committed). With no Redis (the embedded default) Celery runs eagerly, so the job is done
when ``starta`` returns — outside a transaction — or right after commit.

``kör`` is idempotent: it takes the job row with SELECT … FOR UPDATE, does nothing if the job is already
done, and runs the handler inside one transaction, so a failure leaves nothing half-written and a
redelivered job (a worker killed mid-job, acks_late) simply runs again from the start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Jobb

log = logging.getLogger(__name__)

HANTERARE: dict[str, Callable[[Jobb], dict]] = {}


def hanterare(typ: str):
    """Register the function that does a job type's work; it returns the job's result (JSON)."""

    def registrera(funktion):
        HANTERARE[typ] = funktion
        return funktion

    return registrera


def starta(typ: str, user, kommun, parametrar: dict) -> Jobb:
    from .tasks import kör_jobb

    jobb = Jobb.objects.create(typ=typ, användare=user if user.is_authenticated else None, kommun=kommun,
                               parametrar=parametrar)
    transaction.on_commit(lambda: kör_jobb.delay(str(jobb.pk)))
    return jobb


def kör(jobb_id: str) -> None:
    with transaction.atomic():
        jobb = Jobb.objects.select_for_update().filter(pk=jobb_id).first()
        if jobb is None or jobb.status == Jobb.Status.KLAR:
            return  # unknown, or delivered twice: the work is done once
        jobb.status, jobb.startad, jobb.försök = Jobb.Status.PÅGÅR, timezone.now(), jobb.försök + 1
        jobb.save(update_fields=["status", "startad", "försök"])
    try:
        with transaction.atomic():
            resultat = HANTERARE[jobb.typ](jobb)
            Jobb.objects.filter(pk=jobb.pk).update(status=Jobb.Status.KLAR, resultat=resultat, fel="",
                                                   klar=timezone.now())
    except (ValidationError, PermissionDenied) as e:
        meddelande = "; ".join(getattr(e, "messages", [str(e)]))
        Jobb.objects.filter(pk=jobb.pk).update(status=Jobb.Status.FEL, fel=meddelande, klar=timezone.now())
    except Exception:
        log.exception("Jobb %s misslyckades", jobb_id)
        Jobb.objects.filter(pk=jobb.pk).update(
            status=Jobb.Status.FEL, klar=timezone.now(),
            fel="Jobbet kunde inte slutföras på grund av ett tekniskt fel. Inget har sparats. Försök igen, "
                "eller kontakta en administratör om felet kvarstår.",
        )
