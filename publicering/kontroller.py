"""Pre-publish checks of a built report. Each finding says what is wrong and links to where to fix it.

Level "fel" blocks marking the report ready for review; "varning" should be looked at; "info" is a note.
The checks read the same data the templates print (``rapporter.rapport.Rapport``), so what is checked is
what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from ekonomi.berakning import DriftRad, Driftredovisning, överskrider_gräns
from nyckeltal.selectors import alla_mål
from nämnd.models import Rapporttyp
from rapporter.avrundning import differenser
from rapporter.rapport import Rapport

FEL, VARNING, INFO = "fel", "varning", "info"
ÖRE = Decimal("0.005")


@dataclass(frozen=True)
class Fynd:
    nivå: str
    kod: str
    text: str
    länk: str = ""


def _url(namn: str, args: list, ankare: str = "") -> str:
    try:
        return reverse(namn, args=args) + (f"#{ankare}" if ankare else "")
    except NoReverseMatch:
        return ""


def granska(rapport: Rapport, checklista: Iterable[str] = (), avbockat: dict | None = None) -> list[Fynd]:
    fynd: list[Fynd] = []
    for del_ in rapport.delar:
        for tabell, drift in (("driftredovisningen", del_.drift), ("helårstabellen", del_.helår),
                              ("driftsbudgeten", del_.budget)):
            if drift is not None:
                fynd += summor(drift, tabell, rapport)
                if drift.radtyp is DriftRad:
                    fynd += tecken(drift, tabell, rapport)
        if del_.helår is not None:
            fynd += kommentarer(del_.helår, rapport)
            if rapport.typ in (Rapporttyp.DELÅRSRAPPORT, Rapporttyp.TERTIALRAPPORT):
                fynd += prognoser(del_.helår, del_.prognos_saknas, rapport)
    for s in rapport.sektioner:
        if s.sektion == "mål":
            fynd += bedömningar(s.data["mål"], rapport)
            fynd += indikatorvärden(s.data["mål"], rapport)
    if rapport.typ == Rapporttyp.DELÅRSRAPPORT:
        avbockat = avbockat or {}
        fynd += [Fynd(FEL, "checklista", f"Checklistan: ”{p}” är inte avbockad.") for p in checklista
                 if not avbockat.get(p)]
    return fynd


def summor(drift: Driftredovisning, tabell: str, rapport: Rapport) -> list[Fynd]:
    """Every subtotal equals its rows and the total equals the subtotals (exactly, in kronor); where the
    printed (rounded) total differs from the sum of printed rows, a note is due (and shown in the report)."""
    fynd = []
    belopp = [f.name for f in fields(drift.radtyp) if isinstance(f.default, Decimal)]

    def jämför(namn: str, summa, rader) -> None:
        for fält in belopp:
            radsumma = sum((getattr(r, fält) for r in rader), Decimal(0))
            if abs(getattr(summa, fält) - radsumma) > ÖRE:
                fynd.append(Fynd(FEL, "delsumma", f"I {tabell} stämmer inte summan för {namn} ({fält}): "
                                 f"{rapport.pres.kostnad(getattr(summa, fält))} mot raderna "
                                 f"{rapport.pres.kostnad(radsumma)} {rapport.pres.enhet}."))

    for g in drift.grupper:
        if g.är_block:
            jämför(g.namn, g.summa, g.rader)
    jämför("hela tabellen", drift.summa, [g.summa for g in drift.grupper])
    fynd += [Fynd(INFO, "avrundning", f"I {tabell}: {d.text(rapport.pres)}") for d in differenser(drift, rapport.pres)]
    return fynd


def tecken(drift: Driftredovisning, tabell: str, rapport: Rapport) -> list[Fynd]:
    """The printed budgetavvikelse follows the convention: budget + tillägg − nettokostnad (positive = under
    budget; the same meaning when costs are shown negative)."""
    pres, fynd = rapport.pres, []
    for r in drift.rader:
        väntat = pres.avrunda(r.budget) + pres.avrunda(r.tillägg) - pres.avrunda(r.nettokostnad)
        if abs(pres.avrunda(r.avvikelse) - väntat) > Decimal("1.5") * (Decimal(10) ** -pres.decimaler):
            fynd.append(Fynd(FEL, "tecken", f"I {tabell} har budgetavvikelsen för {r.namn} fel tecken eller belopp: "
                             f"{pres.avvikelse(r.avvikelse)} men budget + tillägg − nettokostnad är "
                             f"{pres.avvikelse(väntat * pres.delare)} {pres.enhet}."))
    return fynd


def kommentarer(helår: Driftredovisning, rapport: Rapport) -> list[Fynd]:
    kommun = rapport.kommun
    return [
        Fynd(FEL, "kommentar_saknas",
             f"{r.namn}: avvikelsen {rapport.pres.avvikelse(r.avvikelse)} {rapport.pres.enhet} är större än "
             f"kommunens gräns och saknar kommentar.",
             _url("månadsuppföljning", [rapport.nämnd.id, rapport.år, max(rapport.månad, 1)], f"vo-{r.id}"))
        for r in helår.rader
        if not r.kommentar.strip()
        and överskrider_gräns(r.avvikelse, r.budget_inkl_tillägg, kommun.avvikelsegräns_kr, kommun.avvikelsegräns_procent)
    ]


def prognoser(helår: Driftredovisning, saknas: Callable[[int], bool], rapport: Rapport) -> list[Fynd]:
    return [
        Fynd(FEL, "prognos_saknas", f"{r.namn} saknar helårsprognos.",
             _url("månadsuppföljning", [rapport.nämnd.id, rapport.år, rapport.månad], f"vo-{r.id}"))
        for r in helår.rader if saknas(r.id)
    ]



def bedömningar(mål, rapport: Rapport) -> list[Fynd]:
    länk = _url("mal-inmatning", [rapport.nämnd.id, rapport.år, rapport.typ.value])
    return [Fynd(FEL, "bedömning_saknas", f"Målet ”{m.namn}” saknar bedömning av måluppfyllelsen.", länk)
            for m in alla_mål(mål) if not m.bedömning]


def indikatorvärden(mål, rapport: Rapport) -> list[Fynd]:
    länk = _url("indikatorer-inmatning", [rapport.nämnd.id, rapport.år])
    return [Fynd(VARNING, "indikatorvärde_saknas", f"Indikatorn ”{i.namn}” saknar värde för {rapport.år}.", länk)
            for m in alla_mål(mål) for i in m.indikatorer if not (i.värde(rapport.år) and i.värde(rapport.år).totalt is not None)]


