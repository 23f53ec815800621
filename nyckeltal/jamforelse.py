"""Kolada comparison, the pure part: the rows of an indikator's comparison table (kommunen, the peer group's mean,
riket) from plain values. No ORM; ``kolada_selectors`` reads, ``kolada_services`` writes.

The group's mean is Kolada's own: a municipality group's id asked as a municipality answers with the unweighted
mean of the members that have a value (``count`` = how many). Only when Kolada has no group value for a year is the
mean computed here, the same way (unweighted, members with a value), and marked as computed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RIKET = "0000"
ÅR_I_JÄMFÖRELSEN = 4


def gruppmedel(värden: Sequence[Decimal | None]) -> tuple[Decimal | None, int]:
    """The unweighted mean of the members' values that exist, to two decimals, and how many there were."""
    finns = [v for v in värden if v is not None]
    if not finns:
        return None, 0
    return (sum(finns, Decimal(0)) / len(finns)).quantize(Decimal("0.01"), ROUND_HALF_UP), len(finns)


@dataclass(frozen=True)
class Källvärde:
    """A Kolada value as read for the table (kön T)."""

    värde: Decimal | None
    antal: int | None
    hämtad: dt.datetime
    revision: int
    källa_url: str


@dataclass(frozen=True)
class Jämförelserad:
    namn: str
    värden: tuple[Decimal | None, ...]
    beräknade: tuple[int, ...] = ()  # years whose group mean was computed here (Kolada had none)


@dataclass(frozen=True)
class Revision:
    vad: str  # "Riket", the group's name or a kommunkod
    år: int
    kön: str
    gammalt: Decimal | None
    nytt: Decimal | None
    när: dt.datetime


@dataclass
class Jämförelse:
    """An indikator against its peer group and riket over ``år``."""

    indikator_id: int
    mål_id: int
    namn: str
    kpi: str
    enhet: str
    år: tuple[int, ...]
    grupp: str  # the group's name; "" when the kommun has no group
    medlemmar: int
    rader: list[Jämförelserad]
    hämtad: dt.datetime | None = None  # the latest fetch of the values shown
    revision: int = 0  # the highest revision among the values shown
    adresser: tuple[str, ...] = ()
    revisioner: list[Revision] = field(default_factory=list)

    @property
    def har_värden(self) -> bool:
        return any(v is not None for r in self.rader[1:] for v in r.värden)

    @property
    def källtext(self) -> str:
        """ "Källa: Kolada, hämtat 2026-11-30, revision 2" (revision only when a value was revised)."""
        if self.hämtad is None:
            return ""
        text = f"Källa: Kolada, hämtat {self.hämtad:%Y-%m-%d}"
        return f"{text}, revision {self.revision}" if self.revision > 1 else text


def jämförelserader(
    år: Sequence[int],
    egna: Mapping[int, Decimal | None],
    grupp_namn: str,
    grupp: Mapping[int, Källvärde],
    medlemmar: Mapping[int, Sequence[Decimal | None]],
    riket: Mapping[int, Källvärde],
    kommun_namn: str = "Kommunen",
) -> tuple[list[Jämförelserad], list[Källvärde]]:
    """The three rows (kommunen, the group's mean, riket) and the Kolada values they show (for the provenance)."""
    visade: list[Källvärde] = []
    gruppvärden: list[Decimal | None] = []
    beräknade: list[int] = []
    for å in år:
        kv = grupp.get(å)
        if kv is not None and kv.värde is not None:
            gruppvärden.append(kv.värde)
            visade.append(kv)
            continue
        medel, antal = gruppmedel(medlemmar.get(å, ()))
        gruppvärden.append(medel)
        if antal:
            beräknade.append(å)
    rikets = []
    for å in år:
        kv = riket.get(å)
        rikets.append(kv.värde if kv else None)
        if kv is not None and kv.värde is not None:
            visade.append(kv)
    rader = [Jämförelserad(kommun_namn, tuple(egna.get(å) for å in år))]
    if grupp_namn:
        rader.append(Jämförelserad(f"{grupp_namn} (medel)", tuple(gruppvärden), tuple(beräknade)))
    rader.append(Jämförelserad("Riket", tuple(rikets)))
    return rader, visade
