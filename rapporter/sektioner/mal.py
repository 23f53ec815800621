"""Mål, uppdrag and indikatorer of the report's nämnder, with the kommun's bedömning scale."""

from __future__ import annotations

from nyckeltal import selectors as nyckeltal_sel

from . import Rapportsektion, sektionstyp
from .kontext import Byggkontext
from .text import Inga


@sektionstyp(
    "mål",
    "Mål, uppdrag och indikatorer",
    "Inriktningsmål och nämndmål med bedömning, uppdrag och indikatorer (kommunens bedömningsskala).",
    Inga,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    år = k.rapport.år
    s.data["mål"] = nyckeltal_sel.mål(k.user, k.rapport.delar_nämnder, år, k.rapport.typ)
    s.data["indikatorår"] = list(range(år - 3, år + 1))
