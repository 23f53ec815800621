"""A narrative text: the nämnd's Textavsnitt with the section's heading (each part's text when the report has
several)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import selectors as sel
from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext


@dataclass(frozen=True)
class Inga:
    """A kind without settings."""

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Inga:
        return cls()

    def som_dict(self) -> dict:
        return {}


@sektionstyp("text", "Text", "Ett textavsnitt som nämnden skriver på sidan Texter, med avsnittets rubrik.", Inga)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    if "texter" not in k.memo:
        delar = {n.id: n for n in k.rapport.delar_nämnder}
        texter = sel.texter(list(delar.values()), k.rapport.år, k.rapport.typ)
        for t in (t for lista in texter.values() for t in lista):
            t.nämnd = delar[t.nämnd_id]  # the template names each part: no query per text
        k.memo["texter"] = texter
    s.data["texter"] = k.memo["texter"].get(s.rubrik, [])
