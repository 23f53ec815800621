"""A report's tidplan: per section of the report's layout a deadline, a responsible person and a "klar" mark
(who, when); and what is late per nämnd. Reads first, then the one write (``spara``), which asks the edit guard.

Decision (docs/beslut.md, "Tidplan och påminnelser"): sections are named by their heading (unique within a
layout). A report whose tidplan is in use (any section has a deadline or a responsible person) cannot be marked
klar för granskning until every section of its layout is marked klar — a hard rule, checked by
``kräv_sektioner_klara`` from ``services.markera_klar``. A report without a tidplan is not affected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from nämnd.models import Behörighet, Kommun, Nämnd
from nämnd.vakt import Slag, Vakt, Ändring
from rapporter.sektioner import Rapportsektion
from rapporter.selectors import rapportens_sektioner

from .models import Rapportärende, Sektionsplan


@dataclass
class Rad:
    """One section of the report with its plan (None: nothing planned yet)."""

    nummer: int
    sektion: str  # the section's kind (text, drift, …)
    rubrik: str
    plan: Sektionsplan | None

    @property
    def ankare(self) -> str:
        """The section's anchor in the report page (the same the report builds)."""
        return Rapportsektion(self.sektion, self.rubrik, self.nummer).ankare

    @property
    def klar(self) -> bool:
        return self.plan is not None and self.plan.klar

    def dagar_sen(self, idag: dt.date) -> int:
        """Days past the deadline while not klar (0 when on time, klar or without deadline)."""
        if self.plan is None or self.plan.deadline is None or self.klar:
            return 0
        return max((idag - self.plan.deadline).days, 0)


def idag() -> dt.date:
    return timezone.localdate()


def rader(ärende: Rapportärende) -> list[Rad]:
    """The report's sections in layout order, each with its plan. Three queries."""
    planer = {p.rubrik: p for p in ärende.sektionsplaner.select_related("ansvarig", "klar_av")}
    return [
        Rad(nummer, s["typ"], s["rubrik"], planer.get(s["rubrik"]))
        for nummer, s in enumerate(rapportens_sektioner(ärende.nämnd, ärende.år, ärende.typ), start=1)
    ]


def ansvariga(nämnd: Nämnd) -> QuerySet:
    """Who may be responsible for a section: users with a behörighet in the nämnd's kommun who may edit the nämnd
    (the kommun's admins and the nämnd's controllers) — the same people who may mark a section klar."""
    admin = Q(behörigheter__kommun_id=nämnd.kommun_id, behörigheter__roll=Behörighet.Roll.ADMIN)
    controller = Q(
        behörigheter__kommun_id=nämnd.kommun_id,
        behörigheter__roll=Behörighet.Roll.CONTROLLER,
        behörigheter__nämnder=nämnd,
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(admin | controller)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass(frozen=True)
class Sammanfattning:
    sektioner: int
    klara: int
    sena: int
    används: bool


def sammanfattning(ärende: Rapportärende, dag: dt.date | None = None) -> Sammanfattning:
    """For the granskning page: how many sections, how many klar, how many late; whether the tidplan is used."""
    dag = dag or idag()
    alla = rader(ärende)
    används = any(r.plan and (r.plan.deadline or r.plan.ansvarig_id) for r in alla)
    return Sammanfattning(len(alla), sum(r.klar for r in alla), sum(r.dagar_sen(dag) > 0 for r in alla), bool(används))


def tidplan_används(ärende: Rapportärende) -> bool:
    return ärende.sektionsplaner.filter(Q(deadline__isnull=False) | Q(ansvarig__isnull=False)).exists()


def ej_klara(ärende: Rapportärende) -> list[Rad]:
    return [r for r in rader(ärende) if not r.klar]


def kräv_sektioner_klara(ärende: Rapportärende) -> None:
    """Refuse (ValidationError naming the sections) while the report's tidplan is in use and a section is not
    klar."""
    if not tidplan_används(ärende):
        return
    if kvar := ej_klara(ärende):
        raise ValidationError(
            [
                "Rapporten kan inte markeras som klar för granskning förrän alla sektioner i tidplanen är klara:",
                *(f"{r.nummer}. {r.rubrik}" for r in kvar),
            ]
        )


@dataclass
class Sen:
    """A late section for the overview."""

    ärende: Rapportärende
    rad: Rad
    dagar: int


def sena(kommun: Kommun, dag: dt.date | None = None) -> list[tuple[Nämnd, list[Sen]]]:
    """The kommun's sections past their deadline and not klar, per nämnd (by name), latest deadline last. Reports
    that are fastställda are not listed, nor plans of headings no longer in the report's layout."""
    dag = dag or idag()
    planer = (
        Sektionsplan.objects.filter(ärende__nämnd__kommun=kommun, deadline__lt=dag, klar_tid__isnull=True)
        .exclude(ärende__status=Rapportärende.Status.FASTSTÄLLD)
        .select_related("ärende__nämnd", "ansvarig")
        .order_by("ärende__nämnd__namn", "ärende__nämnd_id", "deadline", "ärende__år", "ärende__typ")
    )
    per_nämnd: dict[int, tuple[Nämnd, list[Sen]]] = {}
    layouter: dict[int, dict[str, tuple[int, str]]] = {}
    for p in planer:
        ä = p.ärende
        if ä.pk not in layouter:
            layouter[ä.pk] = _layout(ä)
        if p.rubrik not in layouter[ä.pk]:
            continue
        nummer, sektion = layouter[ä.pk][p.rubrik]
        rad = Rad(nummer, sektion, p.rubrik, p)
        per_nämnd.setdefault(ä.nämnd_id, (ä.nämnd, []))[1].append(Sen(ä, rad, rad.dagar_sen(dag)))
    return list(per_nämnd.values())


def _layout(ärende: Rapportärende) -> dict[str, tuple[int, str]]:
    """Heading → (number, kind) of the report's sections."""
    return {
        s["rubrik"]: (nummer, s["typ"])
        for nummer, s in enumerate(rapportens_sektioner(ärende.nämnd, ärende.år, ärende.typ), start=1)
    }


# --- the write -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ändrad:
    """What the form gives for one section."""

    rubrik: str
    deadline: dt.date | None
    ansvarig_id: int | None
    klar: bool


@transaction.atomic
def spara(user, ärende: Rapportärende, ändringar: list[Ändrad]) -> int:
    """Save the tidplan: deadline, responsible person and klar per section; a section newly marked klar records
    who and when, one unmarked forgets it. Asks the edit guard (role; a fastställd report or a closed last month
    of the report refuses, as for its texts). Returns how many sections changed; nothing is saved on an error."""
    Vakt.för(user, ärende.nämnd, ärende.år).kräv([Ändring(Slag.TEXT, ärende.år, rapporttyp=ärende.typ)])
    ärende = Rapportärende.objects.select_for_update().get(pk=ärende.pk)
    if ärende.status == Rapportärende.Status.FASTSTÄLLD:
        raise ValidationError("Rapporten är fastställd och låst. Öppna den för rättelse först.")
    rubriker = {s["rubrik"] for s in rapportens_sektioner(ärende.nämnd, ärende.år, ärende.typ)}
    if okända := [ä.rubrik for ä in ändringar if ä.rubrik not in rubriker]:
        raise ValidationError(f"Sektionen finns inte i rapporten: {', '.join(okända)}.")
    tillåtna = set(ansvariga(ärende.nämnd).values_list("pk", flat=True))
    if [ä for ä in ändringar if ä.ansvarig_id is not None and ä.ansvarig_id not in tillåtna]:
        raise ValidationError("Den ansvariga måste vara administratör i kommunen eller controller för nämnden.")
    planer = {p.rubrik: p for p in Sektionsplan.objects.select_for_update().filter(ärende=ärende)}
    nu, antal = timezone.now(), 0
    for ä in ändringar:
        plan = planer.get(ä.rubrik) or Sektionsplan(ärende=ärende, rubrik=ä.rubrik)
        före = (plan.deadline, plan.ansvarig_id, plan.klar)
        plan.deadline, plan.ansvarig_id = ä.deadline, ä.ansvarig_id
        if ä.klar and not plan.klar:
            plan.klar_av, plan.klar_tid = user, nu
        elif not ä.klar and plan.klar:
            plan.klar_av, plan.klar_tid = None, None
        if (plan.deadline, plan.ansvarig_id, plan.klar) != före:
            plan.save()
            antal += 1
    return antal
