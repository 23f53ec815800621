"""Swedish number presentation for reports: tkr or mnkr, costs positive or negative (per kommun). Parsing typed or
imported numbers is ``grund.tal``'s; the plain number formatting (``tal``, ``värde``, ``procent``) is
``grund.format``'s, re-exported here for the report modules and template tags.

Stored amounts are kronor with costs positive. ``kostnad`` figures (nettokostnad, budget, prognos,
investeringsutgift) flip sign when the kommun shows costs as negative; avvikelser never flip (their
meaning, positive = better than budget, is the same under both conventions).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ekonomi.berakning import avrunda
from grund.format import MINUS, NBSP, STRECK, procent, tal, värde

__all__ = ["MINUS", "NBSP", "STRECK", "Presentation", "procent", "tal", "värde"]


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
