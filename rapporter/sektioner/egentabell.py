"""A kommun's own table (internkontrollplan, attestförteckning, uppföljning av privata utförare …): the rows the
report's nämnder entered for the year, in the columns the kommun defined (``rapporter.egentabeller``). Text columns
do not fit ``Tabell`` (numbers in a unit), so the section has its own template and Excel sheet
(``importer.export.egentabell_blad``). The definitions and rows of every egentabell section of the report
are read together in two queries (the columns; the rows with the names of their ansvariga), in ``Byggkontext.memo``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from grund.tal import Talfel, tolka

from .. import egentabeller as et
from ..models import Egenkolumn
from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext


@dataclass(frozen=True)
class Egentabellparametrar:
    tabell: int | None = None  # the Egentabell's id (a table of the kommun)

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Egentabellparametrar:
        värde = data.get("tabell")
        if värde in (None, ""):
            if sammanhang.fri:
                return cls(None)
            raise ValidationError("välj vilken av kommunens egna tabeller avsnittet visar.")
        try:
            tabell = int(värde)
        except (TypeError, ValueError):
            raise ValidationError("okänd tabell.") from None
        tabeller = getattr(sammanhang, "egentabeller", {})
        if not sammanhang.fri and tabell not in tabeller:
            raise ValidationError("tabellen finns inte i kommunen.")
        return cls(tabell)

    def som_dict(self) -> dict:
        return {"tabell": self.tabell}


@dataclass
class Egenrad:
    celler: list[tuple[str, bool]]  # (as shown, a number: right-aligned)
    värden: list[object]  # for Excel: tal as Decimal, the rest as text (None when empty)


@dataclass
class Egengrupp:
    namn: str  # the nämnd when the report has several parts, else ""
    rader: list[Egenrad] = field(default_factory=list)


@dataclass
class Egentabelldata:
    id: str
    namn: str
    kolumner: list[Egenkolumn]
    grupper: list[Egengrupp]

    @property
    def har_rader(self) -> bool:
        return any(g.rader for g in self.grupper)


def _excelvärde(k: Egenkolumn, lagrat, namn: dict[int, str]) -> object:
    if lagrat in (None, ""):
        return None
    if k.typ == et.Typ.TAL:
        try:
            return tolka(str(lagrat))
        except Talfel:
            return str(lagrat)
    return et.visa(k, lagrat, namn) or None


def läs(k: Byggkontext, tabell_id: int) -> tuple[list[Egenkolumn], list, dict[int, str]]:
    """The definition, the rows of the report's nämnder and the names of their ansvariga. Read once for every
    egentabell section of the report: two queries (columns; rows with the names) whatever the number of tables."""
    if "egentabeller" not in k.memo:
        kommun_id = k.rapport.nämnd.kommun_id
        ids = sorted(
            {s.parametrar.tabell for s in k.rapport.sektioner if s.sektion == "egentabell" and s.parametrar.tabell}
        )
        kolumner = et.kolumner_för_tabeller(ids, kommun_id)
        ansvariga = [c for kol in kolumner.values() for c in kol if c.typ == et.Typ.ANSVARIG]
        rader, namn = (
            et.rader_för_tabeller(list(kolumner), k.rapport.delar_nämnder, k.rapport.år, ansvariga)
            if kolumner
            else ({}, {})
        )
        k.memo["egentabeller"] = (kolumner, rader, namn)
    kolumner, rader, namn = k.memo["egentabeller"]
    return kolumner.get(tabell_id, []), rader.get(tabell_id, []), namn


@sektionstyp(
    "egentabell",
    "Tabell: egen tabell",
    "En tabell som kommunen definierar själv (t.ex. internkontrollplan, attestförteckning, uppföljning av privata "
    "utförare), med raderna nämnden fyllt i för året.",
    Egentabellparametrar,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Egentabellparametrar = s.parametrar
    if p.tabell is None:
        return
    kolumner, rader, namn = läs(k, p.tabell)
    if not kolumner:
        return
    delar = k.rapport.delar_nämnder
    flera = len(delar) > 1
    grupper = {n.id: Egengrupp(n.namn if flera else "") for n in delar}
    for r in rader:
        grupp = grupper.get(r.nämnd_id)
        if grupp is None:
            continue
        lagrade = [r.värden.get(str(c.pk)) for c in kolumner]
        grupp.rader.append(
            Egenrad(
                [(et.visa(c, v, namn), c.typ == et.Typ.TAL) for c, v in zip(kolumner, lagrade, strict=True)],
                [_excelvärde(c, v, namn) for c, v in zip(kolumner, lagrade, strict=True)],
            )
        )
    s.data["egentabell"] = Egentabelldata(
        f"egen{s.nummer}", kolumner[0].tabell.namn, kolumner, [g for g in grupper.values() if g.rader]
    )
