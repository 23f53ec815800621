"""Ackumulerat resultat per månad: for chosen områden (the whole report, or subtrees such as the volume-driven
hemtjänst, placeringar or försörjningsstöd), each month of the report year up to the report's month: the month's
utfall, its periodbudget (KF-budget and tillägg och avdrag periodised with their profiles), the result
(budget − utfall) and the result accumulated month by month; then the helårsprognos (the latest made up to the
report's month) against the year's budget. A table per område and a cumulative line chart.

A month in which the område has no utfall while the report's period has utfall has nothing booked: its result is
its budget (as in the drift tables, so the sum row adds up)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ekonomi import berakning
from grund import manader

from .. import diagram
from ..tabell import AVVIKELSE, KOSTNAD, RAD, SUMMA, Kolumn, Tabell, Tabellrad, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .drift import NEGATIVA_VAL, läs_visning, visning_för
from .kontext import Byggkontext

NOLL = Decimal(0)


def läs_ids(värden, tillåtna: dict[int, str], fri: bool, vad: str, fel: list[str]) -> tuple[int, ...]:
    """Ids of the kommun's own (``tillåtna``; not checked when ``fri``); Swedish messages into ``fel``."""
    if värden in (None, ""):
        return ()
    if not isinstance(värden, list | tuple):
        värden = [värden]
    try:
        ids = tuple(dict.fromkeys(int(v) for v in värden))
    except (TypeError, ValueError):
        fel.append(f"Ogiltigt val av {vad}.")
        return ()
    okända = [i for i in ids if i not in tillåtna]
    if okända and not fri:
        fel.append(f"Okänt val av {vad}: {', '.join(map(str, okända))}. Välj bland kommunens egna.")
        return ()
    return ids


@dataclass(frozen=True)
class Ackumulerat:
    områden: tuple[int, ...] = ()  # subtrees, one table each; () = all of the report's områden in one table
    enhet: str = ""
    decimaler: int | None = None
    negativa: tuple[str, ...] | None = None
    diagram: bool = True
    id: str = ""

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Ackumulerat:
        fel: list[str] = []
        områden = läs_ids(data.get("områden"), sammanhang.områden, sammanhang.fri, "område", fel)
        enhet, decimaler, negativa = läs_visning(data, NEGATIVA_VAL, fel)
        if fel:
            raise ValidationError(fel)
        return cls(
            områden=områden,
            enhet=enhet,
            decimaler=decimaler,
            negativa=negativa,
            diagram=bool(data.get("diagram", True)),
            id=str(data.get("id", "") or "")[:30],
        )

    def som_dict(self) -> dict:
        return {
            "områden": list(self.områden),
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
            "diagram": self.diagram,
            "id": self.id,
        }

    def visning(self, kommun) -> Visning:
        return visning_för(kommun, self.enhet, self.decimaler, self.negativa, NEGATIVA_VAL)


def månadsbudget(o: berakning.Områdesunderlag, år: int, månad: int) -> Decimal:
    """The område's own KF-budget and tillägg och avdrag of ``månad``: the periodised budget through the month
    minus through the month before (so the months add up to the period's budget exactly)."""
    return sum((b.månad(månad) for b in o.budget if b.år == år and b.slag in ("kf", "tillägg")), NOLL)


@dataclass
class Serie:
    namn: str
    utfall: list[Decimal | None]  # per month 1..t_o_m
    budget: list[Decimal]
    resultat: list[Decimal]
    ackumulerat: list[Decimal]
    budget_helår: Decimal
    prognos: Decimal | None


def serie(
    namn: str, områden: list[berakning.Områdesunderlag], utfall: dict, år: int, t_o_m: int, prognosmånad: int
) -> Serie:
    ids = {o.id for o in områden}
    s = Serie(namn, [], [], [], [], NOLL, None)
    summa = NOLL
    for m in range(1, t_o_m + 1):
        värden = [utfall[(i, år, m)] for i in ids if (i, år, m) in utfall]
        u = sum(värden, NOLL) if värden else None
        b = sum((månadsbudget(o, år, m) for o in områden), NOLL)
        r = b - (u or NOLL)
        summa += r
        s.utfall.append(u)
        s.budget.append(b)
        s.resultat.append(r)
        s.ackumulerat.append(summa)
    s.budget_helår = sum((b.period(12) for o in områden for b in o.budget
                          if b.år == år and b.slag in ("kf", "tillägg")), NOLL)  # fmt: skip
    prognoser = [p[-1][1] for o in områden if (p := [x for x in o.prognoser if x[0] <= prognosmånad])]
    # A missing prognos is missing, not a zero cost: no sum when an område with budget or utfall has none.
    aktiva = [
        o for o in områden if any(b.år == år for b in o.budget) or any((o.id, år, m) in utfall for m in range(1, 13))
    ]
    saknar = any(not any(x[0] <= prognosmånad for x in o.prognoser) for o in aktiva)
    s.prognos = sum(prognoser, NOLL) if prognoser and not saknar else None
    return s


def tabell(id: str, rubrik: str, s: Serie, år: int, t_o_m: int, visning: Visning) -> Tabell:
    kol = [
        Kolumn("månadsutfall", "Utfall", KOSTNAD),
        Kolumn("periodbudget", "Periodbudget", KOSTNAD),
        Kolumn("månadsresultat", "Resultat", AVVIKELSE),
        Kolumn("ackumulerat", "Ackumulerat resultat", AVVIKELSE, additiv=False),
    ]
    rader = [Tabellrad(manader.lång(m).capitalize(), RAD, 0, berakning.Bas()) for m in range(1, t_o_m + 1)]
    värden: list[list[Decimal | None]] = [
        [s.utfall[i], s.budget[i], s.resultat[i], s.ackumulerat[i]] for i in range(t_o_m)
    ]
    period = f"{manader.kort(1)}–{manader.kort(t_o_m)} {år}" if t_o_m > 1 else f"{manader.kort(1)} {år}"
    med_utfall = [u for u in s.utfall if u is not None]
    rader.append(Tabellrad(f"Summa {period}", SUMMA, 0, berakning.Bas(), None, "", tuple(range(t_o_m))))
    värden.append([sum(med_utfall, NOLL) if med_utfall else None, sum(s.budget, NOLL), sum(s.resultat, NOLL), None])
    if t_o_m < 12:
        rader.append(Tabellrad(f"Helår {år}: prognos mot budget", RAD, 0, berakning.Bas()))
        värden.append([s.prognos, s.budget_helår, None if s.prognos is None else s.budget_helår - s.prognos, None])
    return Tabell(id, rubrik, "Månad", kol, rader, visning, värden=värden)


@sektionstyp(
    "ackumulerat",
    "Ackumulerat resultat per månad",
    "Utfall mot periodbudget månad för månad med ackumulerat resultat och helårsprognos, för valda områden — "
    "tabell och linjediagram.",
    Ackumulerat,
    behöver_ekonomi=True,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Ackumulerat = s.parametrar
    rapport = k.rapport
    år, t_o_m = k.period.år, k.period.t_o_m
    s.data["tabeller"] = []
    if not t_o_m:  # a plan has no months of utfall
        return
    visning = p.visning(rapport.kommun)
    alla = [o for n in rapport.delar_nämnder for o in k.underlag(n)]
    utfall = k.månadskostnad()
    prefix = p.id or f"t{s.nummer}"
    namn = {o.id: o.namn for o in alla}
    rötter: list[int | None] = [r for r in p.områden if r in namn] if p.områden else [None]
    serier = [
        serie(namn[r] if r is not None else rapport.nämnd.namn, berakning.delträd(alla, r), utfall, år, t_o_m,
              k.period.rapportmånad or t_o_m)
        for r in rötter
    ]  # fmt: skip
    for r, se in zip(rötter, serier, strict=True):
        t = tabell(
            f"{prefix}-{r if r is not None else 'alla'}",
            f"Ackumulerat resultat {se.namn} {k.period.text()}",
            se,
            år,
            t_o_m,
            visning,
        )
        t.del_rubrik = se.namn if len(serier) > 1 else ""
        s.data["tabeller"].append(t)
    if p.diagram and serier:
        s.data["diagram"] = diagram.linjediagram(
            f"Ackumulerat resultat per månad {k.period.text()}",
            [(se.namn, [visning.avrundat(v, AVVIKELSE) for v in se.ackumulerat]) for se in serier],
            [manader.kort(m) for m in range(1, t_o_m + 1)],
            visning.enhet,
            beskrivning=f"Linjediagram över ackumulerat resultat (budget minus utfall) månad för månad i "
            f"{visning.enhet}, {', '.join(se.namn for se in serier)}. Över noll = under budget. Samma siffror finns "
            "i tabellen.",
            id=f"diagram-{prefix}",
            decimaler=visning.decimaler,
        )
