"""The edit guard: the one answer to "may this data be changed now, and if not, why".

Every service that writes figures, texts or assessments asks it (the month grid, the entry pages, the text
page, every import kind including Kolada, opening a new year, the admin change forms for figure models);
views never decide this themselves. Three things can stop a change:

* the role: the user may not edit the nämnd (``nämnd.behorighet.kan_redigera``);
* a closed period of the kommun (``Period.stängd``);
* a fastställd report (``Rapportlås``, written when a report is fastställd, removed when it is opened for
  rättelse).

What a fastställd report locks (docs/beslut.md, "Vad en fastställd rapport låser"), for its nämnd and for the
nämnder it succeeded (their months are part of the report in a year of a split):

==================  =================================================================================
slag                locked by a fastställd report R of the year when …
==================  =================================================================================
MÅNADSVÄRDE         the month is within R (month ≤ R.slutmånad): utfall, investeringsutgift,
                    monthly nyckeltal values
PROGNOS             the prognostillfälle is within R (month ≤ R.slutmånad): helårsprognos,
                    investeringsprognos
BUDGET              always (every report of the year shows the budget): KF- and nämndbudget,
                    investeringsbudget, mål/plan values of nyckeltal
TILLÄGG             R covers at least one month (not by a verksamhetsplan): tillägg och avdrag
ÅRSVÄRDE            R covers at least one month: yearly nyckeltal values (delårsutfall, prognos,
                    utfall helår) and indikatorvärden of the year
TEXT, BEDÖMNING     R is the report the texts / måluppfyllelse and uppdragsstatus belong to
==================  =================================================================================

A closed period locks MÅNADSVÄRDE and PROGNOS of its month, TEXT and BEDÖMNING of a report whose last month
it is (January for a verksamhetsplan), ÅRSVÄRDE of delårsutfall with the delår month and the other yearly
values with December.

Use ``Vakt.för(user, nämnd, år)`` once per write (two queries) and ask it for every change; ``kräv`` raises
``PermissionDenied`` (role) or ``Låst`` (a ``ValidationError`` naming the lock and how to lift it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import uri_to_iri

from .behorighet import kan_redigera
from .models import STANDARDMÅNAD, VALBARA_MÅNADER, Nämnd, Period, Rapportlås, Rapporttillfällen, Rapporttyp


class Slag(StrEnum):
    MÅNADSVÄRDE = "månadsvärde"
    PROGNOS = "prognos"
    BUDGET = "budget"
    TILLÄGG = "tillägg"
    ÅRSVÄRDE = "årsvärde"
    DELÅRSVÄRDE = "delårsvärde"  # a yearly value as of the delår (nyckeltal utfall delår)
    TEXT = "text"
    BEDÖMNING = "bedömning"


MÅNADSSLAG = {Slag.MÅNADSVÄRDE, Slag.PROGNOS}
RAPPORTSLAG = {Slag.TEXT, Slag.BEDÖMNING}


@dataclass(frozen=True)
class Ändring:
    """What a write touches: a kind of data of the nämnd for a year, a month or a report."""

    slag: Slag
    år: int
    månad: int | None = None
    rapporttyp: str | None = None

    def __post_init__(self) -> None:
        if self.slag in MÅNADSSLAG and not self.månad:
            raise ValueError(f"{self.slag} needs a month")
        if self.slag in RAPPORTSLAG and not self.rapporttyp:
            raise ValueError(f"{self.slag} needs a rapporttyp")


@dataclass(frozen=True)
class Spärr:
    kod: str  # "period_stängd" | "fastställd"
    text: str


class Låst(ValidationError):
    """A refused change: closed period or fastställd report. The message says what and how to open it."""


def låsmånad(
    slag: Slag, månad: int | None = None, rapporttyp: str | None = None, tillfällen: Rapporttillfällen | None = None
) -> int:
    """The month whose closing locks a value of ``slag``: for a report's texts and bedömningar its last month, for
    delår values the delår's — the kommun's (``tillfällen``) or the standard months."""
    if slag in MÅNADSSLAG:
        return månad or 12
    månader = tillfällen.månader if tillfällen else STANDARDMÅNAD
    if slag in RAPPORTSLAG:
        if rapporttyp is None:
            raise ValueError(f"{slag} låses per rapport: ange rapporttyp.")
        return månader[rapporttyp] or 1
    if slag == Slag.DELÅRSVÄRDE:
        return månader[Rapporttyp.DELÅRSRAPPORT]
    return 12


def låser(lås: Rapportlås, ändring: Ändring) -> bool:
    """Whether the fastställd report ``lås`` locks ``ändring`` (the table in the module docstring)."""
    if lås.år != ändring.år:
        return False
    if ändring.slag in MÅNADSSLAG:
        return låsmånad(ändring.slag, ändring.månad) <= lås.slutmånad
    if ändring.slag in RAPPORTSLAG:
        return lås.rapporttyp == ändring.rapporttyp
    if ändring.slag == Slag.BUDGET:
        return True
    return lås.slutmånad > 0


def rättelseväg(lås: Rapportlås) -> str:
    try:
        return uri_to_iri(reverse("rapportärende", args=[lås.nämnd_id, lås.år, lås.rapporttyp]))
    except NoReverseMatch:  # pragma: no cover - the publishing app is always installed in this project
        return ""


def fastställd_text(lås: Rapportlås) -> str:
    väg = rättelseväg(lås)
    var = f" på sidan Granskning och fastställande ({väg})" if väg else ""
    return (
        f"{Rapporttyp(lås.rapporttyp).label} {lås.år} för {lås.nämnd.namn} är fastställd "
        f"({lås.fastställd_datum.isoformat()}, {lås.paragraf}) och låst. För att ändra den måste någon som får "
        f"fastställa öppna rapporten för rättelse{var}."
    )


ÅRSSLAG = {Slag.BUDGET, Slag.TILLÄGG, Slag.ÅRSVÄRDE}


def stängt_år_text(år: int) -> str:
    return (
        f"Året {år} är stängt ({år}-12 är stängd) och värdet kan inte ändras. Be en administratör öppna perioden igen."
    )


def stängd_text(år: int, månader: Iterable[int]) -> str:
    lista = ", ".join(f"{år}-{m:02d}" for m in sorted(set(månader)))
    flera = "Perioderna" if len(set(månader)) > 1 else "Perioden"
    return f"{flera} {lista} är stängd och kan inte ändras. Be en administratör öppna den igen."


class Vakt:
    """The locks of one nämnd for some years, loaded once (two queries), asked per change."""

    def __init__(self, user, nämnd: Nämnd, stängda: set[tuple[int, int]], lås: list[Rapportlås]):
        self.user, self.nämnd, self.stängda, self.lås = user, nämnd, stängda, lås
        self._tillfällen: Rapporttillfällen | None = None

    def låsmånad(self, ändring: Ändring) -> int:
        """``låsmånad`` with the kommun's report months (read once, only for a change that depends on them)."""
        if (ändring.slag in RAPPORTSLAG and ändring.rapporttyp in VALBARA_MÅNADER) or ändring.slag == Slag.DELÅRSVÄRDE:
            if self._tillfällen is None:
                self._tillfällen = Rapporttillfällen.för(self.nämnd.kommun_id)
            return låsmånad(ändring.slag, ändring.månad, ändring.rapporttyp, self._tillfällen)
        return låsmånad(ändring.slag, ändring.månad, ändring.rapporttyp)

    @classmethod
    def för(cls, user, nämnd: Nämnd, år: int | Iterable[int]) -> Vakt:
        åren = {år} if isinstance(år, int) else set(år)
        stängda = set(
            Period.objects.filter(kommun_id=nämnd.kommun_id, år__in=åren, stängd=True).values_list("år", "månad")
        )
        lås = list(
            Rapportlås.objects.filter(Q(nämnd=nämnd) | Q(nämnd__föregångare=nämnd), år__in=åren)
            .select_related("nämnd")
            .distinct()
            .order_by("år", "slutmånad", "rapporttyp")
        )
        return cls(user, nämnd, stängda, lås)

    def får_redigera(self) -> bool:
        return kan_redigera(self.user, self.nämnd)

    def spärr(self, ändring: Ändring) -> Spärr | None:
        """Why ``ändring`` may not be made now, or None. Role is asked separately (``kräv``)."""
        for lås in self.lås:
            if låser(lås, ändring):
                return Spärr("fastställd", fastställd_text(lås))
        if not any(år == ändring.år for år, _ in self.stängda):
            return None  # no month of the year closed (and the kommun's report months need not be read)
        månad = self.låsmånad(ändring)
        if (ändring.år, månad) not in self.stängda:
            return None
        if ändring.slag in ÅRSSLAG:
            return Spärr("period_stängd", stängt_år_text(ändring.år))
        return Spärr("period_stängd", stängd_text(ändring.år, [månad]))

    def spärrar(self, ändringar: Iterable[Ändring]) -> list[Spärr]:
        """The distinct reasons against these changes (closed months merged into one message per year)."""
        enskilda: dict[str, Spärr] = {}
        stängda: dict[int, set[int]] = {}
        for ä in set(ändringar):
            s = self.spärr(ä)
            if s is None:
                continue
            if s.kod == "period_stängd" and ä.slag not in ÅRSSLAG:
                stängda.setdefault(ä.år, set()).add(self.låsmånad(ä))
            else:
                enskilda.setdefault(s.text, s)
        return [*enskilda.values(), *(Spärr("period_stängd", stängd_text(år, m)) for år, m in sorted(stängda.items()))]

    def kräv_behörighet(self) -> None:
        if not self.får_redigera():
            raise PermissionDenied("Du har inte behörighet att ändra nämndens uppgifter.")

    def kräv(self, ändringar: Iterable[Ändring]) -> None:
        """Raise when the user may not edit the nämnd, or any change is locked."""
        self.kräv_behörighet()
        if spärrar := self.spärrar(ändringar):
            raise Låst([s.text for s in spärrar], code=spärrar[0].kod)


def spärr_för(user, nämnd: Nämnd, ändring: Ändring) -> Spärr | None:
    """For pages: why a field or page is read-only (closed or fastställd), or None."""
    return Vakt.för(user, nämnd, ändring.år).spärr(ändring)
