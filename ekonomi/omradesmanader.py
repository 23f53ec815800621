"""Drill-down reads: one verksamhetsområde's months of a year (budget, utfall, prognos) and the imports behind its
utfall — what a figure of a report's driftredovisning is made of (``rapporter.views_omrade``).

Scoped to the user like every selector; a fixed number of queries whatever the område or the year. The imports
are read through ``Utfall.källa`` and the utfall history (the layer of ``importer`` is above this one: no import
of its models, only lookups through the foreign key).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from grund.format import tal
from nämnd.models import Nämnd

from . import berakning
from .berakning import NOLL, Områdesunderlag
from .models import Utfall
from .selectors import ekonomiunderlag


@dataclass(frozen=True)
class Källa:
    """An import that wrote utfall of the område in a month, and what of it is stored now."""

    id: int
    nämnd_id: int | None
    filnamn: str
    sha256: str
    antal_rader: int  # rows of the file
    summa_fil: Decimal | None  # kr, the whole file
    användare: str
    tid: dt.datetime | None
    rader_nu: int = 0  # the område's rows of the month that this import wrote and nothing has changed since
    summa_nu: Decimal = NOLL

    @property
    def summa_fil_text(self) -> str:
        return tal(self.summa_fil, 2)

    @property
    def summa_nu_text(self) -> str:
        return tal(self.summa_nu, 2)


@dataclass
class Månad:
    månad: int
    budget: Decimal | None = None  # KF-budget + tillägg och avdrag of the month, periodised
    utfall: Decimal | None = None
    prognos: Decimal | None = None  # helårsprognos made at this month
    budget_ack: Decimal | None = None
    utfall_ack: Decimal | None = None
    källor: list[Källa] = field(default_factory=list)
    för_hand: int = 0  # rows without an import (entered in the grid, or loaded otherwise)
    för_hand_summa: Decimal = NOLL

    @property
    def för_hand_text(self) -> str:
        return tal(self.för_hand_summa, 2)


@dataclass(frozen=True)
class Områdesmånader:
    område: Områdesunderlag
    delområden: list[Områdesunderlag]  # its descendants (their figures are included)
    månader: list[Månad]


# What a Källa shows of its import, read through the utfall rows' ``källa`` (ekonomi cannot import importer).
KÄLLFÄLT = (
    "källa__nämnd_id",
    "källa__filnamn",
    "källa__sha256",
    "källa__antal_rader",
    "källa__summa_fil",
    "källa__användare__username",
    "källa__genomförd",
    "källa__skapad",
)


def _källa(kid: int, fält: Sequence, rader_nu: int, summa_nu: Decimal) -> Källa:
    """A Källa from the values of ``KÄLLFÄLT`` and what of the import is stored now."""
    nämnd_id, filnamn, sha, rader, summa, vem, genomförd, skapad = fält
    return Källa(kid, nämnd_id, filnamn, sha, rader or 0, summa, vem or "", genomförd or skapad, rader_nu, summa_nu)


def _summa(värden: Sequence[Decimal | None]) -> Decimal | None:
    finns = [v for v in värden if v is not None]
    return sum(finns, NOLL) if finns else None


def områdesmånader(user, nämnd: Nämnd, år: int, område_id: int) -> Områdesmånader | None:
    """The område (of ``nämnd``, with its descendants) per month of ``år``; None when the nämnd has no such
    område that year. Seven queries: the economy read (four), the utfall per month and källa, the imports of the
    history and the current rows per import."""
    underlag = ekonomiunderlag(user, [nämnd], år, 12)
    träd = berakning.delträd(underlag, område_id)
    if not träd:
        return None
    ids = [o.id for o in träd]
    månader = [Månad(m) for m in range(1, 13)]
    for m in månader:
        m.budget = _summa(
            [b.månad(m.månad) for o in träd for b in o.budget if b.år == år and b.slag in ("kf", "tillägg")]
        )
        m.prognos = _summa([b for o in träd for pm, b in o.prognoser if pm == m.månad])
    per_månad: dict[int, Decimal] = defaultdict(lambda: NOLL)
    nu: dict[tuple[int, int | None], tuple[int, Decimal]] = {}
    for r in (
        Utfall.objects.for_user(user)
        .filter(verksamhetsområde_id__in=ids, år=år)
        .values("månad", "källa_id")
        .annotate(antal=Count("id"), summa=Sum("belopp"))
        .order_by()
    ):
        per_månad[r["månad"]] += r["summa"]
        nu[(r["månad"], r["källa_id"])] = (r["antal"], r["summa"])
    # Every import that wrote a row of the område's months (the history keeps those a later one overwrote).
    historik = (
        Utfall.history.filter(verksamhetsområde_id__in=ids, år=år, källa__isnull=False, history_type__in=("+", "~"))
        .values_list("månad", "källa_id", *KÄLLFÄLT)
        .distinct()
        .order_by("månad", "källa_id")
    )
    källor: dict[int, list[Källa]] = defaultdict(list)
    for månad, kid, *fält in historik:
        if fält[1] is None:  # the import itself is gone (no file name)
            continue
        källor[månad].append(_källa(kid, fält, *nu.get((månad, kid), (0, NOLL))))
    # Imports of the current rows that the history does not name (rows written before history was kept).
    kända = {(m, k.id) for m, ks in källor.items() for k in ks}
    saknade = {k for (m, k) in nu if k is not None and (m, k) not in kända}
    if saknade:
        for kid, *fält in (
            Utfall.objects.for_user(user).filter(källa_id__in=saknade).values_list("källa_id", *KÄLLFÄLT).distinct()
        ):
            for månad, k in nu:
                if k == kid and (månad, kid) not in kända:
                    källor[månad].append(_källa(kid, fält, *nu[(månad, kid)]))
    budget_ack = utfall_ack = None
    for m in månader:
        if m.månad in per_månad:
            m.utfall = per_månad[m.månad]
            utfall_ack = (utfall_ack or NOLL) + m.utfall
        if m.budget is not None:
            budget_ack = (budget_ack or NOLL) + m.budget
        m.budget_ack, m.utfall_ack = budget_ack, utfall_ack if m.utfall is not None else None
        m.källor = sorted(
            källor.get(m.månad, []), key=lambda k: (k.tid or dt.datetime.min.replace(tzinfo=dt.UTC), k.id)
        )
        m.för_hand, m.för_hand_summa = nu.get((m.månad, None), (0, NOLL))
    rot = next(o for o in träd if o.id == område_id)
    return Områdesmånader(rot, [o for o in träd if o.id != område_id], månader)
