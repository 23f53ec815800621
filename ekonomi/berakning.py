"""Pure report maths for money: no ORM, no request. Decimal in, Decimal out; amounts in kronor.

Sign convention: nettokostnad is positive for a cost. budgetavvikelse = budget + tillägg och avdrag
− nettokostnad, positive = under budget. Presentation (tkr/mnkr, costs negative) is applied later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

NOLL = Decimal(0)
JÄMN = (Decimal(1),) * 12


def periodandel(vikter: Sequence[Decimal] | None, t_o_m_månad: int) -> Decimal:
    """Share of the year's budget that falls in months 1..t_o_m_månad (even spread without a profile)."""
    if not 0 <= t_o_m_månad <= 12:
        raise ValueError(f"Månad måste vara 0–12, inte {t_o_m_månad}.")
    v = tuple(vikter) if vikter else JÄMN
    if len(v) != 12:
        raise ValueError("En periodiseringsprofil har tolv månadsvikter.")
    total = sum(v, NOLL)
    if total <= 0:
        raise ValueError("Periodiseringsprofilens vikter summerar till 0.")
    return sum(v[:t_o_m_månad], NOLL) / total


def periodbudget(helår: Decimal, vikter: Sequence[Decimal] | None, t_o_m_månad: int) -> Decimal:
    """Budget for months 1..t_o_m_månad, rounded to öre."""
    return (helår * periodandel(vikter, t_o_m_månad)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def budgetavvikelse(budget: Decimal, tillägg: Decimal, nettokostnad: Decimal) -> Decimal:
    return budget + tillägg - nettokostnad


def prognosförändring(prognos: Decimal | None, föregående: Decimal | None) -> Decimal | None:
    """Change of the helårsprognos since the previous prognostillfälle (positive = higher cost)."""
    if prognos is None or föregående is None:
        return None
    return prognos - föregående


def snittkostnad(nettokostnad: Decimal, volym: Decimal | None) -> Decimal | None:
    """Kronor per unit of volume (e.g. per hemtjänsttimme); None when there is no volume."""
    if not volym:
        return None
    return (nettokostnad / volym).quantize(Decimal("0.01"), ROUND_HALF_UP)


def volymavvikelse(budgeterad_volym: Decimal, volym: Decimal, peng: Decimal) -> Decimal:
    """Budget effect of a volume differing from plan when money follows volume: positive = fewer units
    than budgeted (money left over)."""
    return (budgeterad_volym - volym) * peng


def riktpunkt(t_o_m_månad: int) -> Decimal:
    """Share of the year passed, e.g. 4/12 after April."""
    return Decimal(t_o_m_månad) / 12


def avrunda(belopp: Decimal, enhet: Decimal, decimaler: int = 0) -> Decimal:
    """Round kronor to a presentation unit (1000 for tkr, 1 000 000 for mnkr), half away from zero."""
    return (belopp / enhet).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)


@dataclass(frozen=True)
class DriftRad:
    """One row of the driftredovisning (period or helår). ``jämförelse`` is last year's nettokostnad."""

    namn: str
    jämförelse: Decimal = NOLL
    budget: Decimal = NOLL
    tillägg: Decimal = NOLL
    nettokostnad: Decimal = NOLL
    föregående_prognos: Decimal | None = None
    id: int | None = None
    kommentar: str = ""

    @property
    def budget_inkl_tillägg(self) -> Decimal:
        return self.budget + self.tillägg

    @property
    def avvikelse(self) -> Decimal:
        return budgetavvikelse(self.budget, self.tillägg, self.nettokostnad)

    @property
    def avvikelse_procent(self) -> Decimal | None:
        if not self.budget_inkl_tillägg:
            return None
        return self.avvikelse / self.budget_inkl_tillägg * 100

    @property
    def prognosförändring(self) -> Decimal | None:
        return prognosförändring(self.nettokostnad, self.föregående_prognos)


def summera(namn: str, rader: Iterable[DriftRad]) -> DriftRad:
    """Sum rows column by column (unrounded). föregående_prognos sums only where every row has one."""
    rader = list(rader)
    belopp = {
        f.name: sum((getattr(r, f.name) for r in rader), NOLL)
        for f in fields(DriftRad)
        if f.name in ("jämförelse", "budget", "tillägg", "nettokostnad")
    }
    föregående = [r.föregående_prognos for r in rader]
    belopp["föregående_prognos"] = (
        sum(föregående, NOLL) if föregående and all(f is not None for f in föregående) else None
    )
    return DriftRad(namn=namn, **belopp)


@dataclass(frozen=True)
class Driftgrupp:
    """A block with its verksamheter and subtotal; a top-level verksamhet is a group of one without subtotal."""

    namn: str
    rader: tuple[DriftRad, ...]
    är_block: bool = True

    @property
    def summa(self) -> DriftRad:
        return summera(self.namn, self.rader)


@dataclass(frozen=True)
class Driftredovisning:
    grupper: tuple[Driftgrupp, ...] = field(default_factory=tuple)

    @property
    def rader(self) -> list[DriftRad]:
        return [r for g in self.grupper for r in g.rader]

    @property
    def summa(self) -> DriftRad:
        return summera("Summa", self.rader)
