"""Volymer och nyckeltal: earlier years' utfall, mål/plan, the period's utfall and prognos per nyckeltal."""

from __future__ import annotations

from nyckeltal import selectors as nyckeltal_sel

from . import Rapportsektion, sektionstyp
from .kontext import Byggkontext
from .text import Inga


@sektionstyp(
    "volymer",
    "Volymer och nyckeltal",
    "Nyckeltalen per område: utfall tidigare år, mål, periodens utfall och prognos.",
    Inga,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    r = k.rapport
    s.data["kolumner"] = nyckeltal_sel.volymkolumner(r.år, r.typ, k.period.t_o_m)
    s.data["grupper"] = k.nyckeltal(r.delar_nämnder).grupper
