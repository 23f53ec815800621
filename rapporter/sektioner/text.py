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
        k.memo["texter"] = sel.texter(k.rapport.delar_nämnder, k.rapport.år, k.rapport.typ)
    s.data["texter"] = k.memo["texter"].get(s.rubrik, [])
