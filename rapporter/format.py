"""Swedish number presentation for reports: tkr or mnkr, costs positive or negative (per kommun). Parsing typed or
imported numbers is ``grund.tal``'s (its tests check that what ``tal`` writes parses back).

Stored amounts are kronor with costs positive. ``kostnad`` figures (nettokostnad, budget, prognos,
investeringsutgift) flip sign when the kommun shows costs as negative; avvikelser never flip (their
meaning, positive = better than budget, is the same under both conventions).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ekonomi.berakning import avrunda

NBSP = "\u00a0"
MINUS = "\u2212"
STRECK = "–"


@dataclass(frozen=True)
class Presentation:
    enhet: str = "tkr"  # "tkr" or "mnkr"
    kostnader_negativa: bool = False

    @classmethod
    def för(cls, kommun) -> Presentation:
        return cls(kommun.beloppsenhet, kommun.kostnader_negativa)

    @property
    def delare(self) -> Decimal:
        return Decimal(1_000_000) if self.enhet == "mnkr" else Decimal(1000)

    @property
    def decimaler(self) -> int:
        return 1 if self.enhet == "mnkr" else 0

    def avrunda(self, kr: Decimal) -> Decimal:
        return avrunda(kr, self.delare, self.decimaler)

    def kostnad(self, kr: Decimal | None) -> str:
        if kr is None:
            return STRECK
        return tal(self.avrunda(-kr if self.kostnader_negativa else kr), self.decimaler)

    def avvikelse(self, kr: Decimal | None) -> str:
        if kr is None:
            return STRECK
        return tal(self.avrunda(kr), self.decimaler)


def tal(värde: Decimal | int | None, decimaler: int = 0) -> str:
    """1234567.8 → "1 234 567,8" with no-break spaces and a true minus sign; None → "–"."""
    if värde is None:
        return STRECK
    värde = Decimal(värde).quantize(Decimal(1).scaleb(-decimaler)) if decimaler else Decimal(värde).quantize(Decimal(1))
    if värde == 0:
        värde = abs(värde)  # no "−0"
    text = f"{abs(värde):,.{decimaler}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if värde < 0 else "") + text


def procent(värde: Decimal | None, decimaler: int = 1) -> str:
    return STRECK if värde is None else f"{tal(värde, decimaler)}{NBSP}%"


def värde(v: Decimal | None) -> str:
    """Volumes and indicator values: as many decimals as they have (max 2), Swedish format."""
    if v is None:
        return STRECK
    v = Decimal(v)
    decimaler = max(0, -v.normalize().as_tuple().exponent) if v != v.to_integral() else 0
    return tal(v, min(decimaler, 2))

