"""Plausibility of a value typed in the month grid: pure maths, no database (docs/beslut.md, "Inmatningssidorna").

A warning is not an error: the value may be right (a large one-off cost), so the grid shows it in the row and the
user saves it by saving again ("Spara ändå"). The rules catch the usual slips — an amount typed in kronor where the
grid asks for tkr, a figure pasted into the wrong row, an extra zero:

* ``FÖREGÅENDE_ÅR``: the month's utfall is at least ``GÅNGER_FÖREGÅENDE_ÅR`` times the same month last year
  (in absolute terms; not judged when last year's month is missing or 0);
* ``ÖVER_ÅRSBUDGET``: the month's utfall alone is larger than the whole year's budget (absolute; not judged
  without a budget);
* ``PROGNOS_ÖVER_BUDGET``: the helårsprognos is more than ``GÅNGER_BUDGET`` times the year's budget (absolute; not
  judged without a budget).

``static/js/manadsgrid.js`` applies the same rules while the user types, with the same texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GÅNGER_FÖREGÅENDE_ÅR = 5
GÅNGER_BUDGET = 2

FÖREGÅENDE_ÅR = "föregående_år"
ÖVER_ÅRSBUDGET = "över_årsbudget"
PROGNOS_ÖVER_BUDGET = "prognos_över_budget"


@dataclass(frozen=True)
class Rimlighetsvarning:
    fält: str  # "utfall" | "prognos": the cell the warning is about
    kod: str
    text: str


def varningar(
    *,
    utfall: Decimal | None,
    utfall_fg: Decimal | None,
    prognos: Decimal | None,
    helårsbudget: Decimal | None,
    månadsnamn: str,
    år: int,
) -> list[Rimlighetsvarning]:
    """The warnings for one row of the grid: ``utfall`` this month, ``utfall_fg`` the same month of ``år`` − 1,
    ``prognos`` the helårsprognos, ``helårsbudget`` the year's budget (kronor; None = nothing)."""
    ut: list[Rimlighetsvarning] = []
    budget = abs(helårsbudget) if helårsbudget else Decimal(0)
    if utfall is not None and utfall_fg and abs(utfall) >= GÅNGER_FÖREGÅENDE_ÅR * abs(utfall_fg):
        ut.append(
            Rimlighetsvarning(
                "utfall",
                FÖREGÅENDE_ÅR,
                f"Utfall {månadsnamn} är minst {GÅNGER_FÖREGÅENDE_ÅR} gånger utfallet {månadsnamn} {år - 1}. "
                "Stämmer beloppet och enheten?",
            )
        )
    if utfall is not None and budget and abs(utfall) > budget:
        ut.append(
            Rimlighetsvarning(
                "utfall",
                ÖVER_ÅRSBUDGET,
                f"Utfall {månadsnamn} är större än hela årets budget. Stämmer beloppet och enheten?",
            )
        )
    if prognos is not None and budget and abs(prognos) > GÅNGER_BUDGET * budget:
        ut.append(
            Rimlighetsvarning(
                "prognos",
                PROGNOS_ÖVER_BUDGET,
                f"Helårsprognosen är mer än {GÅNGER_BUDGET} gånger årets budget. Stämmer beloppet och enheten?",
            )
        )
    return ut
