"""Månadsserier: chosen nyckeltal per month — the report year's months (jan … the report's month) or a rolling 13
months (the same month last year up to the report's month) — each with its varav rows and, where a series is linked
to a verksamhetsområde with monthly utfall, its snittkostnad per month (nettokostnad ÷ volym of the month). One
table (rows = series, columns = months: a ``Tabell`` of volume columns, so the Excel export reads it like every
table) and, when asked for, a line chart per series of this year against the year before.

Every månadsserie section of a report derives its series from the report's one nyckeltal read
(``Byggkontext.nyckeltalsläsning``) and snittkostnad from its one monthly utfall read (``Byggkontext.månadskostnad``),
so the query count does not grow with series, months or sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError

from ekonomi.berakning import Bas
from grund import manader
from nyckeltal import selectors as nyckeltal_sel

from .. import diagram
from ..tabell import RAD, RUBRIK, VOLYM, Kolumn, Tabell, Tabellrad, Visning
from ..templatetags.rapport import RÄKNEENHETER
from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext

ÅRET, RULLANDE = "år", "rullande"
PERIODER = {
    ÅRET: "Rapportårets månader (jan – rapportens månad)",
    RULLANDE: "Rullande 13 månader (samma månad föregående år – rapportens månad)",
}
MAX_SERIER = 24
MEMO = "månadsserier"
_TOM = Bas()  # the rows' figures are the table's own (``värden``), not a verksamhetsområde's
INGA_ENHETER = {"%"}  # no snittkostnad for a share


@dataclass(frozen=True)
class Serieparametrar:
    nyckeltal: tuple[int, ...] = ()  # the kommun's nyckeltal, in the kommun's order in the table
    period: str = ÅRET
    snittkostnad: bool = False
    diagram: bool = False

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Serieparametrar:
        fel: list[str] = []
        ids = sammanhang.valda_nyckeltal(data.get("nyckeltal"), fel)
        if not sammanhang.fri and not ids and not fel:
            fel.append("Välj minst ett nyckeltal.")
        if len(ids) > MAX_SERIER:
            fel.append(f"Högst {MAX_SERIER} nyckeltal i ett avsnitt.")
        period = data.get("period") or ÅRET
        if period not in PERIODER:
            fel.append("Perioden är rapportårets månader eller rullande 13 månader.")
        if fel:
            raise ValidationError(fel)
        return cls(ids, period, bool(data.get("snittkostnad", False)), bool(data.get("diagram", False)))

    def som_dict(self) -> dict:
        return {
            "nyckeltal": list(self.nyckeltal),
            "period": self.period,
            "snittkostnad": self.snittkostnad,
            "diagram": self.diagram,
        }


@dataclass
class Serietabell(Tabell):
    """The series table: counts of individuals below the published report's threshold are masked in the text
    (``Rapport.maska_under`` is set after the build, so it is read when the table is rendered)."""

    rapport: Any = None
    enheter: list[str] = field(default_factory=list)  # each row's unit ("" for headings and snittkostnad)

    def celler(self, i: int) -> list[tuple[str, Decimal | None, str]]:
        celler = super().celler(i)
        gräns = getattr(self.rapport, "maska_under", None)
        if not gräns or self.enheter[i] not in RÄKNEENHETER:
            return celler
        return [(f"<{gräns}" if v is not None and 0 < v < gräns else text, v, slag) for text, v, slag in celler]


def månader(period: str, år: int, månad: int) -> list[tuple[int, int]]:
    """The (år, månad) columns: jan … ``månad`` of ``år``, or ``månad`` of ``år`` − 1 … ``månad`` of ``år``."""
    if period == RULLANDE:
        return [(år - 1, m) for m in range(månad, 13)] + [(år, m) for m in range(1, månad + 1)]
    return [(år, m) for m in range(1, månad + 1)]


def _serier(k: Byggkontext) -> dict[int, nyckeltal_sel.Månadsserie]:
    """Every månadsserie section's nyckeltal, read once for the report."""
    if MEMO not in k.memo:
        valda = [s.parametrar for s in k.rapport.sektioner if s.sektion == "manadsserie"]
        k.memo[MEMO] = nyckeltal_sel.månadsserier_ur(
            k.nyckeltalsläsning(),
            list(dict.fromkeys(i for p in valda for i in p.nyckeltal)),
            k.månadskostnad() if any(p.snittkostnad for p in valda) else None,
        )
    return k.memo[MEMO]


def _kr(v: Decimal | None) -> Decimal | None:
    return None if v is None else v.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@sektionstyp(
    "manadsserie",
    "Tabell: månadsserier",
    "Valda nyckeltal per månad (rapportårets månader eller rullande 13 månader) med varav-rader, snittkostnad "
    "och linjediagram mot föregående år.",
    Serieparametrar,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Serieparametrar = s.parametrar
    r = k.rapport
    månad = r.månad or 12  # a plan: the whole year
    alla = _serier(k)
    valda = [alla[i] for i in sorted(set(p.nyckeltal) & set(alla), key=list(alla).index)]
    # a varav row that is also chosen is shown under its parent only
    underrader = {d.id for serie in valda for d in serie.delserier}
    valda = [serie for serie in valda if serie.id not in underrader]
    kolumner_ = månader(p.period, r.år, månad)
    rullande = p.period == RULLANDE
    kolumner = [
        Kolumn(f"m{å}-{m:02d}", f"{manader.kort(m)} {å}" if rullande else manader.kort(m), VOLYM, additiv=False)
        for å, m in kolumner_
    ]
    rader: list[Tabellrad] = []
    värden: list[list[Decimal | None]] = []
    enheter: list[str] = []
    grupp = None

    def rad(namn: str, nivå: int, celler: list[Decimal | None], enhet: str, id: int | None = None) -> None:
        rader.append(Tabellrad(namn, RAD, nivå, _TOM, id))
        värden.append(celler)
        enheter.append(enhet)

    for serie in valda:
        if serie.grupp != grupp:
            grupp = serie.grupp
            rader.append(Tabellrad(grupp, RUBRIK, 0, _TOM))
            värden.append([None] * len(kolumner))
            enheter.append("")
        rad(f"{serie.namn} ({serie.enhet})", 1, [serie.värde(å, m) for å, m in kolumner_], serie.enhet, serie.id)
        for d in serie.delserier:
            rad(f"varav {d.namn} ({d.enhet})", 2, [d.värde(å, m) for å, m in kolumner_], d.enhet, d.id)
        if p.snittkostnad and serie.kostnad and serie.enhet not in INGA_ENHETER:
            snitt = [_kr(serie.snittkostnad(å, m)) for å, m in kolumner_]
            if any(v is not None for v in snitt):
                rad("Snittkostnad, kr", 2, snitt, "")
    period = (
        f"{manader.kort(månad)} {r.år - 1} – {manader.kort(månad)} {r.år}"
        if rullande
        else (f"{manader.kort(1)}–{manader.kort(månad)} {r.år}" if månad > 1 else f"{manader.kort(1)} {r.år}")
    )
    s.data["period"] = period
    if not valda:
        return
    s.data["tabeller"] = [
        Serietabell(
            f"t{s.nummer}-serier",
            f"{s.rubrik}, {period}",
            "Nyckeltal",
            kolumner,
            rader,
            Visning("kr", 0),
            värden=värden,
            rapport=r,
            enheter=enheter,
        )
    ]
    if p.diagram:
        s.data["diagram"] = [_diagram(s, serie, r.år, månad) for serie in valda]


def _diagram(s: Rapportsektion, serie: nyckeltal_sel.Månadsserie, år: int, månad: int) -> dict:
    """A line chart of the series per month, ``år`` (up to the report's month) against ``år`` − 1, and the least
    count it shows (a published report leaves out a chart that would show a masked count)."""
    i_år = [serie.värde(år, m) if m <= månad else None for m in range(1, 13)]
    fg = [serie.värde(år - 1, m) for m in range(1, 13)]
    d = diagram.linjediagram(
        f"{serie.namn} per månad {år} och {år - 1}",
        [(str(år), i_år), (str(år - 1), fg)],
        list(manader.KORTA),
        serie.enhet,
        beskrivning=f"Linjediagram över {serie.namn.lower()} ({serie.enhet}) per månad {år} jämfört med {år - 1}.",
        id=f"s{s.nummer}-diagram-{serie.id}",
    )
    visade = [v for v in (*i_år, *fg) if v is not None and v > 0]
    minsta = min(visade) if visade and serie.enhet in RÄKNEENHETER else None
    return {"diagram": d, "minsta": minsta}
