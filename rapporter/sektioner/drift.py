"""Driftredovisning as a table chosen by the kommun: columns from the vocabulary (``rapporter.tabell.MÅTT``),
rows from the verksamhetsområde tree, its own unit and signs; one table per part of the report (a nämnd split
during the year, or the nämnder of a sector) and their sammanställning. Also the checks of what it prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from django.core.exceptions import ValidationError

from ekonomi.berakning import summera_bas

from .. import diagram
from ..kontroller import ALLA, FEL, INFO, UPPFÖLJNINGAR, Fynd, Kontrollunderlag, kontroll
from ..tabell import (
    AVVIKELSE,
    BUDGETÄNDRING,
    DELSUMMA,
    ENHETER,
    INVESTERING,
    KOSTNAD,
    MÅTT,
    NIVÅER,
    RAD,
    SUMMA,
    Radval,
    Tabell,
    Tabellrad,
    Visning,
    kolumner,
    tabellrader,
)
from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext

ÖRE = Decimal("0.005")
DIAGRAM = {"": "Inget diagram", "nettokostnad": "Nettokostnad per område", "prognos": "Budget, utfall och prognos"}
DELAR = {"varje": "En tabell per nämnd och en sammanställning", "summa": "En tabell över alla nämnder"}
NEGATIVA_VAL = (KOSTNAD, BUDGETÄNDRING, INVESTERING)


def _ids(värden, sammanhang_ids: dict[int, str], vad: str) -> tuple[int, ...]:
    try:
        ids = tuple(int(v) for v in värden or ())
    except (TypeError, ValueError):
        raise ValidationError(f"Ogiltigt val av {vad}.") from None
    if not sammanhang_ids:
        return ids
    okända = [i for i in ids if i not in sammanhang_ids]
    if okända:
        raise ValidationError(f"Okänt val av {vad}: {', '.join(map(str, okända))}. Välj bland kommunens egna.")
    return ids


def _kolumner(värden, fel: list[str]) -> list[tuple[str, str]]:
    kol = []
    for k in värden:
        kod, rubrik = (k.get("mått"), k.get("rubrik", "")) if isinstance(k, dict) else (k[0], k[1])
        if kod not in MÅTT:
            fel.append(f"Okänd kolumn: {kod}.")
        else:
            kol.append((kod, str(rubrik or "")[:120]))
    if not kol and not fel:
        fel.append("Välj minst en kolumn.")
    return kol


def _radval(r: dict, sammanhang: Sammanhang, fel: list[str]) -> Radval:
    områden = {} if sammanhang.fri else sammanhang.områden
    try:
        radval = Radval(
            ned_till=r.get("ned_till", "verksamhet"),
            rötter=_ids(r.get("rötter"), områden, "område"),
            hopslagna=_ids(r.get("hopslagna"), områden, "område"),
            dolda=_ids(r.get("dolda"), områden, "område"),
            delsummor=tuple(r.get("delsummor", ("block",))),
            gruppering=r.get("gruppering", ""),
            delsumma_etikett=str(r.get("delsumma_etikett", "Summa {namn}"))[:80] or "Summa {namn}",
            summa_etikett=str(r.get("summa_etikett", "Summa"))[:80] or "Summa",
            dölj_tomma=bool(r.get("dölj_tomma", True)),
        )
    except ValidationError as e:
        fel += e.messages
        return Radval()
    if radval.ned_till not in NIVÅER:
        fel.append("Raderna visas ned till block, verksamhet eller enhet.")
    if any(d not in NIVÅER for d in radval.delsummor):
        fel.append("Delsummor kan visas för block, verksamheter eller enheter.")
    if radval.gruppering not in ("", "budgetkategori"):
        fel.append("Raderna grupperas efter verksamhetsträdet eller budgetkategori.")
    return radval


def läs_visning(data: dict, tillåtna: Sequence[str], fel: list[str]) -> tuple[str, int | None, tuple[str, ...] | None]:
    """A table's unit ("" = the kommun's), decimals (None = the unit's) and the kinds of amounts shown negative
    (None = the kommun's setting), checked."""
    enhet = data.get("enhet", "") or ""
    if enhet and enhet not in ENHETER:
        fel.append("Enheten är kr, tkr eller mnkr.")
    decimaler = data.get("decimaler")
    if decimaler in (None, ""):
        decimaler = None
    elif str(decimaler) in ("0", "1", "2"):
        decimaler = int(decimaler)
    else:
        fel.append("Antal decimaler är 0, 1 eller 2.")
        decimaler = None
    negativa = data.get("negativa")
    if negativa is not None:
        negativa = tuple(negativa)
        if any(n not in tillåtna for n in negativa):
            fel.append("Okänt slag av belopp för tecken.")
    return enhet, decimaler, negativa


def visning_för(
    kommun, enhet: str, decimaler: int | None, negativa: tuple[str, ...] | None, slag: Sequence[str]
) -> Visning:
    """The table's ``Visning``: its own choices, else the kommun's unit and its one sign switch (which flips every
    kind of amount in ``slag``, as before tables had their own signs)."""
    enhet = enhet or kommun.beloppsenhet
    if negativa is None:
        negativa = tuple(slag) if kommun.kostnader_negativa else ()
    return Visning(enhet, ENHETER[enhet][1] if decimaler is None else decimaler, frozenset(negativa))


@dataclass(frozen=True)
class Tabellparametrar:
    kolumner: tuple[tuple[str, str], ...] = (
        ("utfall_fg", ""),
        ("kf_budget", ""),
        ("tillägg", ""),
        ("utfall", ""),
        ("avvikelse", ""),
    )
    rader: Radval = field(default_factory=Radval)
    enhet: str = ""  # "" = the kommun's
    decimaler: int | None = None  # None = the unit's (0 for kr/tkr, 1 for mnkr)
    negativa: tuple[str, ...] | None = None  # None = the kommun's (costs negative when it shows them so)
    delar: str = "varje"
    sammanställning: bool = True
    nämnder: tuple[int, ...] = ()  # more nämnder (e.g. the whole sector), each a part of its own
    tabellrubrik: str = ""  # "" = the section heading and the period
    diagram: str = ""
    kommentarer: bool = False
    id: str = ""  # table id prefix (HTML anchors, Excel export key); "" = t<section number>

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Tabellparametrar:
        fel: list[str] = []
        kol = _kolumner(data.get("kolumner", [(k, r) for k, r in cls.kolumner]), fel)
        radval = _radval(data.get("rader", {}) or {}, sammanhang, fel)
        enhet, decimaler, negativa = läs_visning(data, NEGATIVA_VAL, fel)
        if data.get("delar", "varje") not in DELAR:
            fel.append("Ogiltigt val för nämndernas delar.")
        if data.get("diagram", "") not in DIAGRAM:
            fel.append("Okänt diagram.")
        try:
            nämnder = _ids(data.get("nämnder"), {} if sammanhang.fri else sammanhang.nämnder, "nämnd")
        except ValidationError as e:
            fel += e.messages
            nämnder = ()
        if fel:
            raise ValidationError(fel)
        return cls(
            kolumner=tuple(kol),
            rader=radval,
            enhet=enhet,
            decimaler=decimaler,
            negativa=negativa,
            delar=data.get("delar", "varje"),
            sammanställning=bool(data.get("sammanställning", True)),
            nämnder=nämnder,
            tabellrubrik=str(data.get("tabellrubrik", "") or "")[:200],
            diagram=data.get("diagram", ""),
            kommentarer=bool(data.get("kommentarer", False)),
            id=str(data.get("id", "") or "")[:30],
        )

    def som_dict(self) -> dict:
        r = self.rader
        return {
            "kolumner": [{"mått": k, "rubrik": rubrik} for k, rubrik in self.kolumner],
            "rader": {f.name: list(v) if isinstance(v := getattr(r, f.name), tuple) else v for f in fields(r)},
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
            "delar": self.delar,
            "sammanställning": self.sammanställning,
            "nämnder": list(self.nämnder),
            "tabellrubrik": self.tabellrubrik,
            "diagram": self.diagram,
            "kommentarer": self.kommentarer,
            "id": self.id,
        }

    def visning(self, kommun) -> Visning:
        return visning_för(kommun, self.enhet, self.decimaler, self.negativa, NEGATIVA_VAL)


@sektionstyp(
    "drift",
    "Tabell: driftredovisning",
    "Budget, utfall, prognos och avvikelser per verksamhetsområde — kolumner, rader, enhet och tecken väljs.",
    Tabellparametrar,
    behöver_ekonomi=True,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Tabellparametrar = s.parametrar
    rapport = k.rapport
    visning = p.visning(rapport.kommun)
    kol = kolumner(p.kolumner, k.period)
    prefix = p.id or f"t{s.nummer}"
    delar = [*rapport.delar_nämnder, *(n for n in k.nämnder if n.id in p.nämnder and n not in rapport.delar_nämnder)]
    rubrik = (p.tabellrubrik or "{rubrik} {period}").format(rubrik=s.rubrik, period=k.period.text(), år=k.period.år)
    tabeller, summor = [], []
    if p.delar == "summa" and len(delar) > 1:
        underlag = [o for n in delar for o in k.underlag(n)]
        rader = tabellrader(underlag, p.rader, k.bas)
        tabeller.append(Tabell(f"{prefix}-alla", rubrik, "Verksamhet", kol, rader, visning))
    else:
        for n in delar:
            rader = tabellrader(k.underlag(n), p.rader, k.bas)
            t = Tabell(f"{prefix}-{n.id}", rubrik, "Verksamhet", kol, rader, visning)
            t.del_rubrik = rapport.del_rubrik(n) if len(delar) > 1 else ""
            # Drill-down (HTML only): a row's figures are its område's, except when split by budget kind.
            t.drill_nämnd = None if p.rader.gruppering else n.id
            tabeller.append(t)
            summor.append(replace(rader[-1], namn=rapport.del_rubrik(n), typ=RAD, delar=()))
    if len(summor) > 1 and p.sammanställning:
        total = Tabellrad(
            p.rader.summa_etikett, SUMMA, 0, summera_bas([r.bas for r in summor]), None, "", tuple(range(len(summor)))
        )
        t = Tabell(
            f"{prefix}-sammanstallning",
            f"Sammanställning, {rubrik[:1].lower()}{rubrik[1:]}",
            "Nämnd",
            kol,
            [*summor, total],
            visning,
        )
        t.del_rubrik = "Sammanställning"
        tabeller.append(t)
    if p.rader.dölj_tomma:
        for t in tabeller:
            t.dölj_tomma_kolumner()
    s.data["tabeller"] = tabeller
    if p.diagram == "nettokostnad" and rapport.delar and rapport.delar[-1].drift:
        s.data["diagram"] = diagram.nettokostnad_per_område(rapport)
    elif p.diagram == "prognos" and rapport.delar and rapport.delar[-1].helår:
        s.data["diagram"] = diagram.budget_utfall_prognos(rapport)
    s.data["kommentarer"] = p.kommentarer


# --- checks of what the tables print --------------------------------------------------------------------------


def _tabeller(u: Kontrollunderlag):
    if u.rapport is None:
        return
    for s in u.rapport.sektioner:
        for t in s.tabeller:
            yield s, t


def _namn(s: Rapportsektion, t: Tabell) -> str:
    return f"tabellen ”{s.rubrik}”" + (f" ({t.del_rubrik})" if t.del_rubrik else "")


@kontroll("delsumma", FEL, "Delsummor och summa stämmer med raderna", ALLA)
def delsummor(u: Kontrollunderlag) -> list[Fynd]:
    """Every subtotal and total equals the rows it adds up (exactly, in kronor) in every additive column."""
    fynd = []
    for s, t in _tabeller(u):
        for i, r in enumerate(t.rader):
            if r.typ not in (DELSUMMA, SUMMA) or not r.delar:
                continue
            for j, k in enumerate(t.kolumner):
                if not k.additiv or t.värden[i][j] is None:
                    continue
                radsumma = sum((t.värden[d][j] or Decimal(0) for d in r.delar), Decimal(0))
                if abs(t.värden[i][j] - radsumma) > ÖRE:
                    fynd.append(
                        Fynd(
                            FEL,
                            "delsumma",
                            f"I {_namn(s, t)} stämmer inte {r.namn.lower()} ({k.rubrik.lower()}): "
                            f"{t.visning.text(t.värden[i][j], k.slag)} mot raderna "
                            f"{t.visning.text(radsumma, k.slag)} {t.visning.enhet}.",
                        )
                    )
    return fynd


@kontroll("tecken", FEL, "Budgetavvikelsens tecken och belopp", UPPFÖLJNINGAR)
def tecken(u: Kontrollunderlag) -> list[Fynd]:
    """A printed budgetavvikelse follows the convention budget + tillägg och avdrag − nettokostnad (positive =
    under budget under every sign convention), checked on the rounded figures of tables that print all four."""
    fynd = []
    for s, t in _tabeller(u):
        koder = [k.mått for k in t.kolumner]
        if not {"kf_budget", "tillägg", "utfall", "avvikelse"} <= set(koder):
            continue
        v = t.visning
        enhet = Decimal(10) ** -v.decimaler
        for i, r in enumerate(t.rader):
            rad = dict(zip(koder, t.värden[i], strict=True))
            if rad["avvikelse"] is None:
                continue
            väntat = sum(
                (v.avrundat(rad[x], AVVIKELSE) or Decimal(0) for x in ("kf_budget", "tillägg")), Decimal(0)
            ) - (v.avrundat(rad["utfall"], AVVIKELSE) or Decimal(0))
            if abs(v.avrundat(rad["avvikelse"], AVVIKELSE) - väntat) > Decimal("1.5") * enhet:
                fynd.append(
                    Fynd(
                        FEL,
                        "tecken",
                        f"I {_namn(s, t)} har budgetavvikelsen för {r.namn} fel tecken eller belopp: "
                        f"{v.text(rad['avvikelse'], AVVIKELSE)} men budget + tillägg − nettokostnad är "
                        f"{v.text(väntat * v.delare, AVVIKELSE)} {v.enhet}.",
                    )
                )
    return fynd


@kontroll("avrundning", INFO, "Avrundningsdifferens mellan summan och de avrundade raderna (not i rapporten)", ALLA)
def avrundning(u: Kontrollunderlag) -> list[Fynd]:
    return [Fynd(INFO, "avrundning", f"I {_namn(s, t)}: {n}") for s, t in _tabeller(u) for n in t.avrundningsnoter]
