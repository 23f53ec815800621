"""Mål, uppdrag and indikatorer of the report's nämnder, with the kommun's bedömning scale."""

from __future__ import annotations

from nyckeltal import kolada_selectors
from nyckeltal.selectors import alla_mål

from .. import kolada
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
    # Kolada comparison per indikator: kommunen, its peer group and riket (docs/beslut.md "Kolada-jämförelse");
    # only read when an indikator of these goals (already read) has a Kolada-id.
    med_kolada = [m.id for m in alla_mål(s.data["mål"]) if m.id and any(i.kolada_id for i in m.indikatorer)]
    jämförelser = kolada_selectors.jämförelser(k.user, med_kolada, år) if med_kolada else {}
    s.data["jämförelser"] = {
        mål_id: [kolada.vy(j) for j in lista if j.har_värden] for mål_id, lista in jämförelser.items()
    }
