"""A narrative text: the nämnd's Textavsnitt with the section's heading (each part's text when the report has
several). The text is a Markdown subset (``rapporter.berattelse``): its headings are numbered under the
section's number and listed in the contents (``data["underrubriker"]``)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import berattelse
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


@dataclass(frozen=True)
class Renderad:
    """One part's text as the template shows it."""

    nämnd: object
    text: str  # as stored (granskning's check that the text is not empty reads it)
    html: str


@sektionstyp("text", "Text", "Ett textavsnitt som nämnden skriver på sidan Texter, med avsnittets rubrik.", Inga)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    if "texter" not in k.memo:
        delar = {n.id: n for n in k.rapport.delar_nämnder}
        texter = sel.texter(list(delar.values()), k.rapport.år, k.rapport.typ)
        for t in (t for lista in texter.values() for t in lista):
            t.nämnd = delar[t.nämnd_id]  # the template names each part: no query per text
        k.memo["texter"] = texter
    numrering = berattelse.Numrering(str(s.nummer) if s.nummer else "", s.ankare, s.rubrik)
    s.data["texter"] = [
        Renderad(t.nämnd, t.text, berattelse.rendera(t.text, numrering)) for t in k.memo["texter"].get(s.rubrik, [])
    ]
    s.data["underrubriker"] = [r for r in numrering.rubriker if r.nivå == 3]  # the contents list h3 only
