"""Intäkter och kostnader per kostnadsslag och månad: rows are the kommun's kostnadsslag grouped into intäkter and
kostnader with their sums and the netto; columns are the months of the period (jan … the report's month), the
accumulated sum, the årsbudget (KF-budget + tillägg och avdrag stored per kostnadsslag), förbrukat av årsbudget in %
and, in that column's heading, the riktpunkt (the share of the year elapsed). Utfall comes from the report's one
monthly read (``Byggkontext.månadsutfall``, shared with the other monthly sections), budget from the budget the
report has already read (``Byggkontext.underlag``), as do chosen subtrees."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from ekonomi.berakning import Bas
from grund import manader
from grund.format import procent

from ..tabell import DELSUMMA, INTÄKT, KOSTNAD, PROCENT, RAD, RUBRIK, SUMMA, Kolumn, Tabell, Tabellrad, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .drift import _ids, läs_visning, visning_för
from .kontext import Byggkontext

TECKEN_VAL = (INTÄKT, KOSTNAD)  # the kinds a table may show negative (its own sign choice)
GRUPPER = (("intäkt", "Intäkter", INTÄKT), ("kostnad", "Kostnader", ""))


@dataclass(frozen=True)
class Kostnadsslagsparametrar:
    rötter: tuple[int, ...] = ()  # subtrees of områden whose figures are summed (() = all the report's nämnder)
    enhet: str = ""  # "" = the kommun's
    decimaler: int | None = None
    negativa: tuple[str, ...] | None = None  # of INTÄKT, KOSTNAD; None = the kommun's (see ``visning``)

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Kostnadsslagsparametrar:
        fel: list[str] = []
        enhet, decimaler, negativa = läs_visning(data, TECKEN_VAL, fel)
        try:
            rötter = _ids(data.get("rötter"), {} if sammanhang.fri else sammanhang.områden, "område")
        except ValidationError as e:
            fel += e.messages
            rötter = ()
        if fel:
            raise ValidationError(fel)
        return cls(rötter, enhet, decimaler, negativa)

    def som_dict(self) -> dict:
        return {
            "rötter": list(self.rötter),
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
        }

    def visning(self, kommun) -> Visning:
        """The table's own signs, else the kommun's: costs negative → intäkter positive and kostnader negative;
        costs positive → kostnader positive and intäkter negative (as stored). Either way the rows add up to the
        netto as printed."""
        negativa = self.negativa
        if negativa is None:
            negativa = (KOSTNAD,) if kommun.kostnader_negativa else (INTÄKT,)
        return visning_för(kommun, self.enhet, self.decimaler, negativa, TECKEN_VAL)


def riktpunkt(månad: int) -> Decimal:
    """The share of the year elapsed after ``månad``, in percent (50 after June)."""
    return Decimal(månad) * 100 / 12


def _summa(värden) -> Decimal | None:
    finns = [v for v in värden if v is not None]
    return sum(finns, Decimal(0)) if finns else None


def _kvot(täljare: Decimal | None, nämnare: Decimal | None) -> Decimal | None:
    return None if täljare is None or not nämnare else täljare / nämnare * 100


def _delträd(k: Byggkontext, rötter: tuple[int, ...]) -> set[int]:
    """The ids of the chosen subtrees' områden (the roots and their descendants) in the report's nämnder."""
    alla = [o for n in k.rapport.delar_nämnder for o in k.underlag(n)]
    return {o.id for r in rötter for o in berakning.delträd(alla, r)}


@sektionstyp(
    "kostnadsslag",
    "Tabell: intäkter och kostnader per kostnadsslag och månad",
    "Utfall per kostnadsslag och månad, ackumulerat, årsbudget, förbrukat av årsbudget och riktpunkten.",
    Kostnadsslagsparametrar,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    r = k.rapport
    p: Kostnadsslagsparametrar = s.parametrar
    månader = list(range(1, r.månad + 1))
    nämnder = r.delar_nämnder
    if "kostnadsslag" not in k.memo:  # several such sections share the reads (utfall: the report's monthly read)
        ids = {n.id for n in nämnder}
        k.memo["kostnadsslag"] = (
            [
                u
                for u in k.månadsutfall()
                if u.kostnadsslag_id is not None and u.år == r.år and 1 <= u.månad <= r.månad and u.nämnd_id in ids
            ],
            [
                ekonomi_sel.Månadsbelopp(
                    o.id,
                    b.kostnadsslag[0],
                    b.kostnadsslag[1],
                    b.kostnadsslag[2],
                    b.kostnadsslag[3],
                    r.år,
                    0,
                    b.belopp,
                    n.id,
                )
                for n in nämnder
                for o in k.underlag(n)
                for b in o.budget
                if b.kostnadsslag and b.år == r.år and b.slag in ("kf", "tillägg")
            ],  # the year's budget per kostnadsslag, from the budget the report has read
        )
    utfall, budget = k.memo["kostnadsslag"]
    if p.rötter:
        valda = _delträd(k, p.rötter)
        utfall = [u for u in utfall if u.område_id in valda]
        budget = [b for b in budget if b.område_id in valda]
    slag: dict[int, tuple[str, int, str]] = {}  # id → (typ, ordning, namn)
    per_månad: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    årsbudget: dict[int, Decimal] = defaultdict(Decimal)
    for u in utfall:
        slag[u.kostnadsslag_id] = (u.typ, u.ordning, u.namn)
        per_månad[(u.kostnadsslag_id, u.månad or 0)] += u.belopp
    for b in budget:
        slag[b.kostnadsslag_id] = (b.typ, b.ordning, b.namn)
        årsbudget[b.kostnadsslag_id] += b.belopp
    s.data["riktpunkt"] = riktpunkt(r.månad) if månader else None
    if not slag:
        return

    kolumner = [Kolumn(f"m{m}", manader.kort(m).capitalize(), KOSTNAD) for m in månader]
    if månader:
        kolumner.append(Kolumn("ackumulerat", f"Ackumulerat {r.period_kort}", KOSTNAD))
    kolumner.append(Kolumn("årsbudget", f"Årsbudget {r.år}", KOSTNAD))
    if månader:
        kolumner.append(
            Kolumn(
                "förbrukat",
                f"Förbrukat av årsbudget, % (riktpunkt {procent(s.data['riktpunkt'])})",
                PROCENT,
                additiv=False,
            )
        )

    def värden(mån: list[Decimal | None], ack: Decimal | None, bud: Decimal | None) -> list[Decimal | None]:
        return [*mån, *([ack] if månader else []), bud, *([_kvot(ack, bud)] if månader else [])]

    rader: list[Tabellrad] = []
    tabellvärden: list[list[Decimal | None]] = []
    summor: list[int] = []
    for typ, namn, radslag in GRUPPER:
        ids = sorted((i for i, (t, *_) in slag.items() if t == typ), key=lambda i: (slag[i][1], slag[i][2], i))
        if not ids:
            continue
        rader.append(Tabellrad(namn, RUBRIK, 0, Bas(), slag=radslag))
        tabellvärden.append([None] * len(kolumner))
        inom = []
        for i in ids:
            mån = [per_månad.get((i, m)) for m in månader]
            rader.append(Tabellrad(slag[i][2], RAD, 1, Bas(), id=i, slag=radslag))
            tabellvärden.append(värden(mån, _summa(mån), årsbudget.get(i)))
            inom.append(len(rader) - 1)
        mån = [_summa(tabellvärden[j][x] for j in inom) for x in range(len(månader))]
        bud = _summa(årsbudget.get(i) for i in ids)
        rader.append(Tabellrad(f"Summa {namn.lower()}", DELSUMMA, 0, Bas(), slag=radslag, delar=tuple(inom)))
        tabellvärden.append(värden(mån, _summa(mån), bud))
        summor.append(len(rader) - 1)
    mån = [_summa(tabellvärden[j][x] for j in summor) for x in range(len(månader))]
    bud = _summa(tabellvärden[j][len(kolumner) - (2 if månader else 1)] for j in summor)
    rader.append(Tabellrad("Netto", SUMMA, 0, Bas(), delar=tuple(summor)))
    tabellvärden.append(värden(mån, _summa(mån), bud))
    s.data["tabeller"] = [
        Tabell(
            f"t{s.nummer}-kostnadsslag",
            f"{s.rubrik} {r.period_kort}",
            "Kostnadsslag",
            kolumner,
            rader,
            p.visning(r.kommun),
            värden=tabellvärden,
        )
    ]
