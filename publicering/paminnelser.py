"""Deadline reminders by e-mail: one e-mail per responsible person, section and kind — ``före`` (the kommun's
number of days before the deadline, default 3) and ``sen`` (after the deadline) — exactly once.

Run daily by celery beat (``jobb.skicka_påminnelser``) or by ``manage.py skicka_paminnelser``. Each reminder is
recorded (``Påminnelse``) in the same transaction that sends it; the unique constraint on (section, recipient,
kind, deadline) makes a retry or a concurrent run send nothing twice: the second insert waits for the first
transaction and then fails, and is skipped. If sending fails, the record is rolled back and the next run tries
again. (At-most-once is not promised for a crash between the SMTP server accepting the mail and the commit.)
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from nämnd.models import Rapporttyp

from . import tidplan
from .models import STANDARD_DAGAR_FÖRE, Påminnelse, Rapportärende, Sektionsplan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Förfallen:
    """A reminder that is due: the section's plan, its place in the report and the kind."""

    plan: Sektionsplan
    rad: tidplan.Rad
    slag: str
    deadline: dt.date
    ansvarig: Any  # the user


def slag_för(deadline: dt.date, dag: dt.date, dagar_före: int) -> str | None:
    """Which reminder is due on ``dag``: ``sen`` after the deadline, ``före`` from ``dagar_före`` days before it
    up to the deadline itself, else None. (Pure; ``dagar_före`` 0 reminds on the day.)"""
    if dag > deadline:
        return Påminnelse.Slag.SEN
    if dag >= deadline - dt.timedelta(days=dagar_före):
        return Påminnelse.Slag.FÖRE
    return None


def förfallna(dag: dt.date) -> list[Förfallen]:
    """Every due reminder of every kommun on ``dag``: sections with a deadline and a responsible person, not klar,
    in a report that is not fastställd and whose layout still has the section."""
    planer = (
        Sektionsplan.objects.filter(deadline__isnull=False, ansvarig__isnull=False, klar_tid__isnull=True)
        .exclude(ärende__status=Rapportärende.Status.FASTSTÄLLD)
        .select_related("ärende__nämnd__kommun__publicering", "ansvarig")
        .order_by("ärende_id", "deadline", "pk")
    )
    result, layouter = [], {}
    for p in planer:
        if p.deadline is None or p.ansvarig is None:  # excluded by the query; narrows the types
            continue
        inställning = getattr(p.ärende.nämnd.kommun, "publicering", None)
        dagar = inställning.dagar_före if inställning else STANDARD_DAGAR_FÖRE
        if (slag := slag_för(p.deadline, dag, dagar)) is None:
            continue
        if p.ärende_id not in layouter:
            layouter[p.ärende_id] = tidplan._layout(p.ärende)
        if p.rubrik not in layouter[p.ärende_id]:
            continue
        nummer, sektion = layouter[p.ärende_id][p.rubrik]
        result.append(Förfallen(p, tidplan.Rad(nummer, sektion, p.rubrik, p), slag, p.deadline, p.ansvarig))
    return result


def _länk(namn: str, args: list, ankare: str = "") -> str:
    return f"{settings.WEBBADRESS}{reverse(namn, args=args)}" + (f"#{ankare}" if ankare else "")


def meddelande(f: Förfallen, dag: dt.date) -> tuple[str, str]:
    """The e-mail's subject and body (Swedish, plain text) with links to the section and the tidplan."""
    p, ä = f.plan, f.plan.ärende
    rapport = f"{Rapporttyp(ä.typ).label.lower()} {ä.år} för {ä.nämnd.namn}"
    deadline = f.deadline.isoformat()
    dagar = (f.deadline - dag).days
    if f.slag == Påminnelse.Slag.SEN:
        ämne = f"Försenad: ”{p.rubrik}” i {rapport} skulle vara klar {deadline}"
        när = f"Deadline var {deadline} ({-dagar} {'dag' if -dagar == 1 else 'dagar'} sedan)."
    else:
        ämne = f"Påminnelse: ”{p.rubrik}” i {rapport} ska vara klar {deadline}"
        kvar = "i dag" if dagar == 0 else f"om {dagar} {'dag' if dagar == 1 else 'dagar'}"
        när = f"Deadline är {deadline} ({kvar})."
    namn = f.ansvarig.get_full_name() or f.ansvarig.get_username()
    text = "\n".join(
        [
            f"Hej {namn},",
            "",
            f"Du är ansvarig för avsnittet ”{f.rad.nummer}. {p.rubrik}” i {rapport} ({ä.nämnd.kommun.namn}).",
            när,
            "",
            f"Avsnittet i rapporten: {_länk('rapport', [ä.nämnd_id, ä.år, ä.typ], f.rad.ankare)}",
            f"Tidplanen, där avsnittet markeras som klart: {_länk('rapport-tidplan', [ä.nämnd_id, ä.år, ä.typ])}",
            "",
            "Det här meddelandet skickas automatiskt av Socialrapport en gång per avsnitt före och efter deadline.",
        ]
    )
    return ämne, text


def skicka(dag: dt.date | None = None) -> int:
    """Send the due reminders; returns how many e-mails were sent now. Safe to run any number of times."""
    dag = dag or tidplan.idag()
    skickade = 0
    for f in förfallna(dag):
        mottagare = f.ansvarig
        if not mottagare.email:
            log.warning("Påminnelse om sektion %s kan inte skickas: %s har ingen e-postadress", f.plan.pk, mottagare)
            continue
        nyckel = {"sektion": f.plan, "mottagare": mottagare, "slag": f.slag, "deadline": f.deadline}
        if Påminnelse.objects.filter(**nyckel).exists():
            continue
        ämne, text = meddelande(f, dag)
        try:
            with transaction.atomic():
                Påminnelse.objects.create(**nyckel, epost=mottagare.email)
                send_mail(ämne, text, None, [mottagare.email])
        except IntegrityError:
            continue  # another run sent it meanwhile
        except (smtplib.SMTPException, OSError):
            # Not recorded (rolled back): the next run tries again. Other reminders are still sent.
            log.exception("Påminnelse om sektion %s till %s kunde inte skickas", f.plan.pk, mottagare.email)
            continue
        skickade += 1
    return skickade
