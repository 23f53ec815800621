"""Rounding differences: where a printed total differs from the sum of its printed rows.

Totals are computed from unrounded kronor and rounded last, so a printed sum can differ from the sum of
the printed rows by a unit or two. The report says so in a note (avrundningsdifferens) instead of hiding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ekonomi.berakning import BudgetRad, DriftRad, Driftredovisning

from .format import Presentation, tal

KOLUMNER = {
    DriftRad: [
        ("jämförelse", "föregående år"),
        ("budget", "budget"),
        ("tillägg", "tillägg och avdrag"),
        ("nettokostnad", "nettokostnad"),
        ("avvikelse", "budgetavvikelse"),
    ],
    BudgetRad: [("föregående", "budget föregående år"), ("kf", "KF-budget"), ("nämnd", "nämndbudget")],
}


@dataclass(frozen=True)
class Avrundningsdifferens:
    kolumn: str
    summa: Decimal  # printed total
    radsumma: Decimal  # sum of the printed rows

    def text(self, pres: Presentation) -> str:
        return (
            f"Avrundningsdifferens i kolumnen {self.kolumn}: summan visas som {tal(self.summa, pres.decimaler)} "
            f"{pres.enhet}, raderna summerar till {tal(self.radsumma, pres.decimaler)} {pres.enhet}."
        )


def differenser(drift: Driftredovisning, pres: Presentation) -> list[Avrundningsdifferens]:
    rader = drift.rader
    if not rader:
        return []
    result = []
    for fält, namn in KOLUMNER[drift.radtyp]:
        summa = pres.avrunda(getattr(drift.summa, fält))
        radsumma = sum((pres.avrunda(getattr(r, fält)) for r in rader), Decimal(0))
        if summa != radsumma:
            result.append(Avrundningsdifferens(namn, summa, radsumma))
    return result
