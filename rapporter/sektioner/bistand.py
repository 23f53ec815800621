"""Ekonomiskt bistånd: utbetalt per month this year and last year — the utfall booked on chosen kostnadsslag, or
an område's utfall (the kommun chooses) — the number of hushåll per month (a chosen nyckeltal's monthly values),
and a breakdown by beslutsorsak: the kommun's own categories, stored as nyckeltal (one per orsak, kronor or
hushåll, monthly or yearly values; docs/beslut.md, "Ekonomiskt bistånd"). Two tables and a grouped bar chart."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ekonomi import berakning
from ekonomi.berakning import Bas
from grund import manader
from nyckeltal import selectors as nyckeltal_sel

from .. import diagram
from ..tabell import KOSTNAD, PROCENT, RAD, STYCK, SUMMA, VOLYM, Kolumn, Tabell, Tabellrad, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .ackumulerat import läs_ids
from .drift import läs_visning, visning_för
from .kontext import Byggkontext

NOLL = Decimal(0)
KÄLLOR = {"kostnadsslag": "Utfall på valda kostnadsslag", "område": "Ett verksamhetsområdes utfall"}
BISTÅND_NEGATIVA = (KOSTNAD,)


@dataclass(frozen=True)
class Bistånd:
    källa: str = "kostnadsslag"
    kostnadsslag: tuple[int, ...] = ()
    område: int | None = None
    hushåll: int | None = None  # nyckeltal: number of hushåll per month
    nyckeltal: tuple[int, ...] = ()  # the beslutsorsaker, one nyckeltal each
    enhet: str = ""
    decimaler: int | None = None
    negativa: tuple[str, ...] | None = None
    diagram: bool = True
    id: str = ""

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Bistånd:
        fel: list[str] = []
        fri = sammanhang.fri
        källa = data.get("källa", "kostnadsslag") or "kostnadsslag"
        if källa not in KÄLLOR:
            fel.append("Utbetalt läses från valda kostnadsslag eller ett verksamhetsområde.")
        kostnadsslag = läs_ids(data.get("kostnadsslag"), sammanhang.kostnadsslag, fri, "kostnadsslag", fel)
        områden = läs_ids(data.get("område"), sammanhang.områden, fri, "område", fel)
        hushåll = läs_ids(data.get("hushåll"), sammanhang.nyckeltal, fri, "nyckeltal för hushåll", fel)
        orsaker = läs_ids(data.get("nyckeltal"), sammanhang.nyckeltal, fri, "nyckeltal för beslutsorsak", fel)
        if len(områden) > 1 or len(hushåll) > 1:
            fel.append("Välj ett verksamhetsområde och ett nyckeltal för antal hushåll.")
        if not fel and not fri:
            if källa == "kostnadsslag" and not kostnadsslag:
                fel.append("Välj minst ett kostnadsslag för utbetalt bistånd.")
            if källa == "område" and not områden:
                fel.append("Välj verksamhetsområdet vars utfall är utbetalt bistånd.")
        enhet, decimaler, negativa = läs_visning(data, BISTÅND_NEGATIVA, fel)
        if fel:
            raise ValidationError(fel)
        return cls(
            källa=källa,
            kostnadsslag=kostnadsslag,
            område=områden[0] if områden else None,
            hushåll=hushåll[0] if hushåll else None,
            nyckeltal=orsaker,
            enhet=enhet,
            decimaler=decimaler,
            negativa=negativa,
            diagram=bool(data.get("diagram", True)),
            id=str(data.get("id", "") or "")[:30],
        )

    def som_dict(self) -> dict:
        return {
            "källa": self.källa,
            "kostnadsslag": list(self.kostnadsslag),
            "område": self.område,
            "hushåll": self.hushåll,
            "nyckeltal": list(self.nyckeltal),
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
            "diagram": self.diagram,
            "id": self.id,
        }

    def visning(self, kommun) -> Visning:
        return visning_för(kommun, self.enhet, self.decimaler, self.negativa, BISTÅND_NEGATIVA)


def _summa(värden: list[Decimal | None]) -> Decimal | None:
    finns = [v for v in värden if v is not None]
    return sum(finns, NOLL) if finns else None


def utbetalt(k: Byggkontext, p: Bistånd) -> dict[tuple[int, int], Decimal]:
    """(år, månad) → utbetalt, this year and last, from the chosen source (one query, shared)."""
    if p.källa == "kostnadsslag":
        ids, valda = {n.id for n in k.rapport.delar_nämnder}, set(p.kostnadsslag)
        summor: dict[tuple[int, int], Decimal] = {}
        for b in k.månadsutfall():
            if b.kostnadsslag_id in valda and b.nämnd_id in ids:
                summor[(b.år, b.månad)] = summor.get((b.år, b.månad), NOLL) + b.belopp
        return summor
    alla = [o for n in k.nämnder for o in k.underlag(n)]
    ids = {o.id for o in berakning.delträd(alla, p.område)} if any(o.id == p.område for o in alla) else set()
    ut: dict[tuple[int, int], Decimal] = {}
    for (o, å, m), v in k.månadskostnad().items():
        if o in ids:
            ut[(å, m)] = ut.get((å, m), NOLL) + v
    return ut


def orsaksvärde(s: nyckeltal_sel.Nyckeltalsserie, år: int, t_o_m: int) -> Decimal | None:
    """A beslutsorsak's figure for months 1..``t_o_m`` of ``år``: kronor add up over the months, counts (hushåll)
    are the mean of the months entered; without monthly values the year's own value (delår, or helår after
    December)."""
    månader = [v for (å, m), v in s.månader.items() if å == år and m <= t_o_m]
    if månader:
        return sum(månader, NOLL) if s.enhet == "kr" else sum(månader, NOLL) / len(månader)
    return s.år.get(("utfall_helår" if t_o_m >= 12 else "utfall_delår", år))


@sektionstyp(
    "bistand",
    "Ekonomiskt bistånd",
    "Utbetalt bistånd per månad i år och i fjol (från kostnadsslag eller ett område), antal hushåll per månad och "
    "fördelning per beslutsorsak — tabeller och stapeldiagram.",
    Bistånd,
    behöver_ekonomi=True,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Bistånd = s.parametrar
    rapport = k.rapport
    år, t_o_m = k.period.år, k.period.t_o_m
    s.data["tabeller"] = []
    if not t_o_m:
        return
    visning = p.visning(rapport.kommun)
    prefix = p.id or f"t{s.nummer}"
    belopp = utbetalt(k, p)
    ids = tuple(i for i in (p.hushåll, *p.nyckeltal) if i is not None)
    serier = nyckeltal_sel.nyckeltalsserier_ur(k.nyckeltalsläsning(), ids)
    hushåll = serier.get(p.hushåll) if p.hushåll is not None else None

    kol = [
        Kolumn("utbetalt", f"Utbetalt {år}", KOSTNAD),
        Kolumn("utbetalt_fg", f"Utbetalt {år - 1}", KOSTNAD),
        Kolumn("förändring", "Förändring", KOSTNAD),
        Kolumn("hushåll", f"Hushåll {år}", VOLYM, additiv=False),
        Kolumn("hushåll_fg", f"Hushåll {år - 1}", VOLYM, additiv=False),
        Kolumn("per_hushåll", f"Utbetalt per hushåll {år}, kr", STYCK, additiv=False),
    ]
    rader, värden = [], []
    for m in range(1, t_o_m + 1):
        u, fg = belopp.get((år, m)), belopp.get((år - 1, m))
        h = hushåll.månader.get((år, m)) if hushåll else None
        h_fg = hushåll.månader.get((år - 1, m)) if hushåll else None
        rader.append(Tabellrad(manader.lång(m).capitalize(), RAD, 0, Bas()))
        värden.append(
            [u, fg, None if u is None or fg is None else u - fg, h, h_fg, u / h if u is not None and h else None]
        )
    rader.append(Tabellrad(f"Summa {k.period.text()}", SUMMA, 0, Bas(), None, "", tuple(range(t_o_m))))
    värden.append([_summa([v[j] for v in värden]) for j in range(3)] + [None, None, None])
    t = Tabell(f"{prefix}-manad", f"{s.rubrik}: utbetalt per månad {k.period.text()}", "Månad", kol, rader, visning,
               värden=värden)  # fmt: skip
    t.dölj_tomma_kolumner()
    s.data["tabeller"].append(t)

    orsaker = [serier[i] for i in p.nyckeltal if i in serier]
    if orsaker:
        kronor = all(o.enhet == "kr" for o in orsaker)
        slag = KOSTNAD if kronor else VOLYM
        fg_text = k.period.text(år - 1)
        okol = [
            Kolumn("orsak", k.period.text(), slag, additiv=kronor),
            Kolumn("orsak_fg", fg_text, slag, additiv=kronor),
            Kolumn("andel", f"Andel {år}, %", PROCENT, additiv=False),
        ]
        orader: list[Tabellrad] = []
        ovärden: list[list[Decimal | None]] = []
        for o in orsaker:
            enhet = "" if kronor else f" ({o.enhet}{', snitt per månad' if o.månader else ''})"
            orader.append(Tabellrad(f"{o.namn}{enhet}", RAD, 0, Bas(), o.id))
            ovärden.append([orsaksvärde(o, år, t_o_m), orsaksvärde(o, år - 1, t_o_m), None])
        total = _summa([rad[0] for rad in ovärden])
        for rad in ovärden:
            rad[2] = rad[0] / total * 100 if rad[0] is not None and total else None
        orader.append(Tabellrad("Summa", SUMMA, 0, Bas(), None, "", tuple(range(len(orsaker)))))
        ovärden.append([total, _summa([rad[1] for rad in ovärden]), Decimal(100) if total else None])
        ot = Tabell(f"{prefix}-orsak", f"{s.rubrik}: beslutsorsaker {k.period.text()}", "Beslutsorsak", okol,
                    orader, visning, värden=ovärden)  # fmt: skip
        ot.dölj_tomma_kolumner()
        s.data["tabeller"].append(ot)

    if p.diagram and any(v is not None for v in belopp.values()):
        s.data["diagram"] = diagram.grupperade_staplar(
            f"Utbetalt ekonomiskt bistånd per månad, {år - 1} och {år}",
            [
                (f"Utbetalt {å}", [visning.avrundat(belopp.get((å, m)), KOSTNAD) for m in range(1, t_o_m + 1)])
                for å in (år - 1, år)
            ],
            [manader.kort(m) for m in range(1, t_o_m + 1)],
            visning.enhet,
            beskrivning=f"Stapeldiagram per månad {k.period.text()} i {visning.enhet}: utbetalt {år - 1} och {år}. "
            "Samma siffror finns i tabellen.",
            id=f"diagram-{prefix}",
            decimaler=visning.decimaler,
        )
