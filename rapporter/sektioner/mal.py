"""Mål, uppdrag and indikatorer of the report's nämnder, with the kommun's bedömning scale."""

from __future__ import annotations

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
    s.data["mål"] = k.mål()
    s.data["indikatorår"] = list(range(år - 3, år + 1))
