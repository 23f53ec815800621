"""Import of a kommun's own table (``rapporter.egentabeller``): the rows of one table for a nämnd and year from an
.xlsx or .csv file whose headers are the table's column names (any subset, any order; the template from the entry
page has them all, with the stored rows).

A file row updates the stored row with the same value in the table's **first column** (the key, e.g.
"Process/rutin"), otherwise it is a new row after the stored ones; rows not in the file stay, and an empty cell
never erases a stored value (as in the other template imports). Every cell is parsed and checked by the table's
own rule (``egentabeller.tolka_cell``: Swedish numbers, dates as 2024-08-31, status from the column's list,
ansvarig a user of the kommun by name or id). The rows of the year are locked like yearly values (the guard,
``Slag.ÅRSVÄRDE``). The import kind is ``e<tabell>-<år>`` (``Import.typ``), so the preview and the confirm plan
against the same table and year.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from nämnd.vakt import Slag, Ändring
from rapporter import egentabeller as et
from rapporter.models import Egenkolumn, Egenrad, Egentabell

from .. import lasare
from ..lasare import Radfel
from .ramverk import (
    SKIPPA_BLAD,
    SÖK_RUBRIK_RADER,
    Importtypdef,
    Kontext,
    Låsning,
    Plan,
    Postplan,
    Tolkat,
    hitta_kolumner,
    nyckeltext,
)

TYP = re.compile(r"^e(\d{1,6})-(\d{4})$")


def typ_för(tabell_id: int, år: int) -> str:
    return f"e{tabell_id}-{år}"


def cell_text(värde: Any) -> str:
    """An Excel cell as the text the table's rule parses: dates ISO, numbers without ".0", the rest as written."""
    if isinstance(värde, dt.datetime):
        return värde.date().isoformat()
    if isinstance(värde, dt.date):
        return värde.isoformat()
    if isinstance(värde, float | int | Decimal) and not isinstance(värde, bool):
        return lasare.text(värde).replace(".", ",")
    return "" if värde is None else str(värde)


class Egentabellimport(Importtypdef):
    titel = "Egen tabell"

    def __init__(self, tabell_id: int, år: int):
        self.tabell_id, self.år = tabell_id, år
        self.typ = typ_för(tabell_id, år)  # type: ignore[misc]

    @classmethod
    def från_typ(cls, typ: str) -> Egentabellimport | None:
        m = TYP.match(typ)
        return cls(int(m.group(1)), int(m.group(2))) if m else None

    def _definition(self) -> tuple[Egentabell | None, list[Egenkolumn]]:
        kolumner = list(Egenkolumn.objects.filter(tabell_id=self.tabell_id).select_related("tabell"))
        return (kolumner[0].tabell if kolumner else None), kolumner

    def tolka_tabeller(self, tabeller, profil) -> Tolkat:
        tabell, kolumner = self._definition()
        tolkat = Tolkat()
        if tabell is None:
            tolkat.fel.append(Radfel(None, None, None, "Tabellen finns inte längre."))
            return tolkat
        self.titel = tabell.namn  # type: ignore[misc]
        namn = et.användare(tabell.kommun_id)
        synonymer = {str(k.pk): (k.namn,) for k in kolumner}
        hittade = False
        for blad in tabeller:
            if blad.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(blad, synonymer, [tuple(synonymer)])
            if karta is None:
                continue
            hittade = True
            tolkat.kolumner[blad.namn] = {f: karta.ref(f) for f in karta.index}
            for nummer, celler in karta.datarader(blad):
                tolkat.antal_rader += 1
                värden: dict[str, str] = {}
                ok = True
                for k in kolumner:
                    i = karta.index.get(str(k.pk))
                    if i is None or i >= len(celler):
                        continue
                    cell = celler[i]
                    try:
                        if isinstance(cell, lasare.Cellvärdesfel):
                            raise ValidationError(str(cell))
                        v = et.tolka_cell(k, cell_text(cell), namn)
                    except ValidationError as e:
                        tolkat.fel.append(Radfel(blad.namn or None, nummer, karta.ref(str(k.pk)), e.messages[0]))
                        ok = False
                        continue
                    if v:
                        värden[str(k.pk)] = v
                if ok and värden:
                    tolkat.rader.append({"blad": blad.namn, "rad": nummer, "värden": värden})
        if not hittade:
            tolkat.fel.append(
                Radfel(
                    None,
                    None,
                    None,
                    f"Hittade ingen rubrikrad med någon av tabellens kolumner ({', '.join(k.namn for k in kolumner)}) "
                    f"i de första {SÖK_RUBRIK_RADER} raderna. Ladda ner mallen från tabellens sida.",
                )
            )
        return tolkat

    def planera(self, ctx: Kontext, tolkat: Tolkat) -> Plan:
        plan = Plan(ändrad_etikett="Ändrad")
        tabell, kolumner = self._definition()
        nämnd = ctx.nämnd
        if tabell is None or nämnd is None or tabell.kommun_id != nämnd.kommun_id:
            plan.fel.append(Radfel(None, None, None, "Tabellen finns inte i nämndens kommun."))
            return plan
        namn = {str(k.pk): k.namn for k in kolumner}
        visa = {str(k.pk): k for k in kolumner}
        användare = et.användare(tabell.kommun_id)
        nyckel = str(kolumner[0].pk)
        qs = ctx.låst(Egenrad.objects.filter(tabell=tabell, nämnd=nämnd, år=self.år)).order_by("ordning", "id")
        befintliga = list(qs)
        per_nyckel: dict[str, Egenrad] = {}
        for r in befintliga:
            per_nyckel.setdefault(nyckeltext(r.värden.get(nyckel, "")), r)
        ordning = max((r.ordning for r in befintliga), default=0)
        låsning = Låsning()
        sedda: dict[str, int] = {}
        for rad in tolkat.rader:
            värden: dict[str, str] = rad["värden"]
            n = nyckeltext(värden.get(nyckel, ""))
            if n and n in sedda:
                plan.fel.append(
                    Radfel(
                        rad["blad"] or None,
                        rad["rad"],
                        None,
                        f"”{värden[nyckel]}” i kolumnen {namn[nyckel]} står redan på rad {sedda[n]}.",
                    )
                )
                continue
            if n:
                sedda[n] = rad["rad"]
            r = per_nyckel.get(n) if n else None
            etikett = värden.get(nyckel) or f"rad {rad['rad']}"
            if r is None:
                ordning += 1
                ny = Egenrad(tabell=tabell, nämnd=nämnd, år=self.år, ordning=ordning, värden=dict(värden))
                ändringar = [(f"{etikett}: {namn[k]}", "", et.visa(visa[k], v, användare)) for k, v in värden.items()]
                postplan = Postplan(ny, True, ("värden",), ändringar)
            else:
                nya = {**r.värden, **värden}
                ändringar = [
                    (
                        f"{etikett}: {namn[k]}",
                        et.visa(visa[k], r.värden.get(k), användare),
                        et.visa(visa[k], v, användare),
                    )
                    for k, v in värden.items()
                    if r.värden.get(k) != v
                ]
                if not ändringar:
                    plan.oförändrade += 1
                    continue
                r.värden = nya
                postplan = Postplan(r, False, ("värden",), ändringar)
            if spärr := låsning.fel(nämnd, Ändring(Slag.ÅRSVÄRDE, self.år)):
                plan.fel.append(Radfel(rad["blad"] or None, rad["rad"], None, spärr))
                continue
            plan.poster.append(postplan)
        return plan
