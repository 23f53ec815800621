"""Starting and running background jobs.

``starta`` records a Jobb and enqueues it with ``transaction.on_commit`` (the job never runs before the
data it needs is committed). With no Redis (the embedded default) Celery runs eagerly, so the job is done
when ``starta`` returns — outside a transaction — or right after commit. If the queue (Redis) cannot be
reached, the job is marked "fel" with a message saying so: the request that started it never fails.

``kör`` is idempotent: it takes the job row with SELECT … FOR UPDATE, does nothing if the job is already
finished (klar or fel — a "fel" job runs again only when a user asks, ``kör_igen``), and runs the handler
inside one transaction, so a failure leaves nothing half-written and a redelivered job (a worker killed
mid-job, acks_late) simply runs again from the start. Transient errors (the database or Redis gone for a
moment) are not the job's fault: the job goes back to "köad" and the task retries with backoff
(``jobb.tasks``); only the last attempt marks it "fel".

On PostgreSQL a running job holds a session advisory lock on its id. A second delivery of the same job waits
for it instead of running alongside, and a job that says "pågår" while nobody holds its lock was cut off
(worker killed, machine restarted): it is shown as "avbruten" and can be run again (``effektiv_status``).
The lock dies with the worker's database session, so no heartbeat is needed. Elsewhere (SQLite, jobs run
inline) a job "pågår" for longer than the task time limit counts as avbruten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .models import Jobb

log = logging.getLogger(__name__)

AVBRUTEN = "avbruten"  # shown, never stored: a job whose runner is gone (see effektiv_status)
STATUSTEXT = {**dict(Jobb.Status.choices), AVBRUTEN: "Avbruten"}

BAKGRUNDSTJÄNST_NERE = "Bakgrundstjänsten kan inte nås just nu. Försök igen om en stund."
TEKNISKT_FEL = (
    "Jobbet kunde inte slutföras på grund av ett tekniskt fel. Inget har sparats. Försök igen, "
    "eller kontakta en administratör om felet kvarstår."
)
AVBRUTET = (
    "Jobbet avbröts innan det blev klart (bakgrundstjänsten startades om eller slutade svara). "
    "Inget av det har sparats. Du kan köra det igen."
)

# Errors that say "a dependency is away for a moment", not "this job cannot be done".
TILLFÄLLIGA_FEL: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# Errors raised when the queue cannot be reached while enqueueing.
KÖFEL: tuple[type[BaseException], ...] = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


class TillfälligtFel(Exception):
    """Raised by ``kör`` when a transient error should be retried (``jobb.tasks`` retries with backoff)."""


@dataclass(frozen=True)
class Hanterare:
    funktion: Callable[[Jobb], dict]
    atomisk: bool


HANTERARE: dict[str, Hanterare] = {}


def hanterare(typ: str, *, atomisk: bool = True):
    """Register the function that does a job type's work; it returns the job's result (JSON).

    ``atomisk=False``: the handler is not wrapped in a transaction (it manages its own, e.g. the PDF job
    reads one REPEATABLE READ snapshot and renders outside it); it must still be safe to run twice."""

    def registrera(funktion):
        HANTERARE[typ] = Hanterare(funktion, atomisk)
        return funktion

    return registrera


def starta(typ: str, user, kommun, parametrar: dict) -> Jobb:
    jobb = Jobb.objects.create(
        typ=typ,
        användare=user if user.is_authenticated else None,
        kommun=kommun,
        parametrar=parametrar,
        senast_köad=timezone.now(),
    )
    köa(jobb)
    return jobb


def köa(jobb: Jobb) -> None:
    """Hand the job to Celery once the surrounding transaction commits."""
    jobb_id = str(jobb.pk)
    transaction.on_commit(lambda: _skicka(jobb_id))


def _skicka(jobb_id: str) -> None:
    from .tasks import kör_jobb  # tasks imports this module

    try:
        kör_jobb.delay(jobb_id)
    except KÖFEL:
        log.warning("Jobb %s kunde inte läggas i kön: Redis/Celery nås inte", jobb_id, exc_info=True)
        Jobb.objects.filter(pk=jobb_id, status=Jobb.Status.KÖAD).update(
            status=Jobb.Status.FEL, fel=BAKGRUNDSTJÄNST_NERE, klar=timezone.now()
        )


def kör_igen(jobb: Jobb) -> None:
    """Queue a job that ended fel or was cut off (avbruten) again, from the start."""
    with transaction.atomic():
        Jobb.objects.filter(pk=jobb.pk).update(
            status=Jobb.Status.KÖAD, fel="", resultat={}, startad=None, klar=None, senast_köad=timezone.now()
        )
        köa(jobb)


def kör(jobb_id: str, *, sista_försöket: bool = True) -> None:
    """Run a job. With ``sista_försöket=False`` a transient error raises ``TillfälligtFel`` (after putting the
    job back to köad) so that the task can retry; on the last attempt it marks the job fel."""
    try:
        with _körlås(jobb_id):
            _kör(jobb_id, sista_försöket)
    except TILLFÄLLIGA_FEL as e:  # the database went away before the job started (or while unlocking)
        if sista_försöket:
            raise  # nothing recorded: the job stays köad/pågår and shows as avbruten later
        raise TillfälligtFel(str(e)) from e


def _kör(jobb_id: str, sista_försöket: bool) -> None:
    with transaction.atomic():
        jobb = Jobb.objects.select_for_update().filter(pk=jobb_id).first()
        if jobb is None or jobb.status in (Jobb.Status.KLAR, Jobb.Status.FEL):
            return  # unknown, delivered twice, or failed for good: the work is done once
        jobb.status, jobb.startad, jobb.försök = Jobb.Status.PÅGÅR, timezone.now(), jobb.försök + 1
        jobb.save(update_fields=["status", "startad", "försök"])
    h = HANTERARE[jobb.typ]
    try:
        with transaction.atomic() if h.atomisk else contextlib.nullcontext():
            resultat = h.funktion(jobb)
            Jobb.objects.filter(pk=jobb.pk).update(
                status=Jobb.Status.KLAR, resultat=resultat, fel="", klar=timezone.now()
            )
    except (ValidationError, PermissionDenied) as e:
        meddelande = "; ".join(getattr(e, "messages", [str(e)]))
        _avsluta(jobb, Jobb.Status.FEL, fel=meddelande)
    except TILLFÄLLIGA_FEL as e:
        if not sista_försöket:
            log.warning("Jobb %s: tillfälligt fel (%s), försöker igen", jobb_id, e)
            _avsluta(jobb, Jobb.Status.KÖAD, senast_köad=timezone.now())
            raise TillfälligtFel(str(e)) from e
        log.exception("Jobb %s misslyckades efter flera försök", jobb_id)
        _avsluta(jobb, Jobb.Status.FEL, fel=TEKNISKT_FEL)
    except Exception:
        log.exception("Jobb %s misslyckades", jobb_id)
        _avsluta(jobb, Jobb.Status.FEL, fel=TEKNISKT_FEL)


def _avsluta(jobb: Jobb, status: str, **fält) -> None:
    """Record the outcome; if the database itself is away, leave it (the job then shows as avbruten)."""
    if status != Jobb.Status.KÖAD:
        fält["klar"] = timezone.now()
    try:
        Jobb.objects.filter(pk=jobb.pk).update(status=status, **fält)
    except DatabaseError:
        log.warning("Jobb %s: kunde inte spara status %s", jobb.pk, status, exc_info=True)


# --- who is running a job -----------------------------------------------------------------------------------

LÅSKLASS = 0x6A6F6262  # "jobb": the first key of the two-key advisory lock; the second is from the job id


def _nyckel(jobb_id) -> tuple[int, int]:
    from uuid import UUID

    return LÅSKLASS, (UUID(str(jobb_id)).int & 0x7FFFFFFF)


@contextlib.contextmanager
def _körlås(jobb_id):
    """PostgreSQL: hold the job's session advisory lock while it runs (waits if another delivery runs it)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        c.execute("SELECT pg_advisory_lock(%s, %s)", _nyckel(jobb_id))
    try:
        yield
    finally:
        try:
            with connection.cursor() as c:
                c.execute("SELECT pg_advisory_unlock(%s, %s)", _nyckel(jobb_id))
        except DatabaseError:
            connection.close()  # the session (and with it the lock) is gone or must go


def effektiv_status(jobb: Jobb) -> str:
    """The status to show: "avbruten" for a job that says köad/pågår but will not finish by itself."""
    if not jobb.pågår:
        return jobb.status
    nu = timezone.now()
    gräns = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    if jobb.status == Jobb.Status.KÖAD:
        return AVBRUTEN if (jobb.senast_köad or jobb.skapad) < nu - gräns else jobb.status
    if connection.vendor != "postgresql":
        return AVBRUTEN if (jobb.startad or jobb.skapad) < nu - gräns else jobb.status
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", _nyckel(jobb.pk))
        if not c.fetchone()[0]:
            return jobb.status  # a worker holds it: running
        # Nobody runs it. Re-read under the lock: it may have finished just now (then its result goes with it).
        jobb.refresh_from_db(fields=["status", "resultat", "fel", "klar", "försök"])
    return AVBRUTEN if jobb.status == Jobb.Status.PÅGÅR else jobb.status
