"""Sammanfattning: the report on one page for the nämnd — the result against budget for the period, the
helårsprognos and its avvikelse, the goals as traffic lights with words (the kommun's bedömning scale) and three
to five key figures with their trend, in the kommun's presentation (unit and sign).

Nothing is read for it alone: the figures are the report's summed ``Bas`` (the same numbers as the driftredovisning
tables' Summa row), the goals the report's one mål read (``Byggkontext.mål``, shared with the mål section) and the
key figures the report's one nyckeltal read. ``sammanfatta`` is pure, so the overview page shows the same tiles from
what it has read itself (``rapporter.views.översikt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from ekonomi.berakning import Bas, summera_bas
from grund.format import STRECK, procent, värde
from nyckeltal.bedomning import Bedömningsnivå
from nyckeltal.selectors import Målblock, Volymgrupp, alla_mål
from nämnd.models import Rapporttyp

from ..tabell import AVVIKELSE, MÅTT, Period, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .drift import NEGATIVA_VAL, visning_för
from .kontext import Byggkontext

MINST, HÖGST, STANDARD_ANTAL = 3, 5, 4


@dataclass(frozen=True)
class Parametrar:
    nyckeltal: tuple[int, ...] = ()  # the key figures chosen (the kommun's nyckeltal); () = the first ``antal``
    antal: int = STANDARD_ANTAL

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Parametrar:
        fel: list[str] = []
        ids = sammanhang.valda_nyckeltal(data.get("nyckeltal"), fel)
        if len(ids) > HÖGST:
            fel.append(f"Välj högst {HÖGST} nyckeltal till sammanfattningen.")
        antal = data.get("antal", STANDARD_ANTAL)
        try:
            antal = int(STANDARD_ANTAL if antal in (None, "") else antal)
        except (TypeError, ValueError):
            antal = 0
        if not MINST <= antal <= HÖGST:
            fel.append(f"Antal nyckeltal i sammanfattningen är {MINST}–{HÖGST}.")
        if fel:
            raise ValidationError(fel)
        return cls(ids, antal)

    def som_dict(self) -> dict:
        return {"nyckeltal": list(self.nyckeltal), "antal": self.antal}


@dataclass(frozen=True)
class Belopp:
    rubrik: str
    text: str  # in the unit, with the kommun's sign
    avvikelse: bool = False
    läge: str = ""  # for an avvikelse: "bättre", "sämre" or "" (none, or exactly on budget)

    @property
    def ord(self) -> str:
        return {"bättre": "Bättre än budget", "sämre": "Sämre än budget"}.get(self.läge, "")

    @property
    def symbol(self) -> str:
        return {"bättre": "▲", "sämre": "▼"}.get(self.läge, "")


@dataclass(frozen=True)
class Ruta:
    rubrik: str
    belopp: list[Belopp]


@dataclass(frozen=True)
class Målljus:
    namn: str
    nivå: str  # KF-mål, nämndmål
    bedömning: Bedömningsnivå | None
    kod: str  # the stored kod ("" = not assessed)


@dataclass(frozen=True)
class Nyckelfigur:
    id: int
    namn: str
    enhet: str
    rubrik: str  # "Prognos 2023"
    text: str
    jämförelse: str  # "Utfall 2022: 1 000"
    trend: str = ""  # "ökar", "minskar", "oförändrat", "" (nothing to compare)
    förändring: str = ""  # "+10,0 %"

    @property
    def symbol(self) -> str:
        return {"ökar": "▲", "minskar": "▼", "oförändrat": "▶"}.get(self.trend, "")


@dataclass
class Sammanfattning:
    enhet: str
    ekonomi: list[Ruta] = field(default_factory=list)
    mål: list[Målljus] = field(default_factory=list)
    bedöms: bool = True  # a plan has no bedömning
    nyckeltal: list[Nyckelfigur] = field(default_factory=list)

    @property
    def målräkning(self) -> list[tuple[Bedömningsnivå, int]]:
        """(level, how many goals have it) in the scale's order, for the levels the goals use."""
        antal: dict[str, tuple[Bedömningsnivå, int]] = {}
        for m in self.mål:
            if m.bedömning:
                n, a = antal.get(m.bedömning.kod, (m.bedömning, 0))
                antal[m.bedömning.kod] = (n, a + 1)
        return sorted(antal.values(), key=lambda x: x[0].plats)

    @property
    def ej_bedömda(self) -> int:
        return sum(1 for m in self.mål if m.bedömning is None)


def _belopp(kod: str, bas: Bas, period: Period, visning: Visning) -> Belopp:
    mått = MÅTT[kod]
    v = mått.värde(bas)
    if mått.slag != AVVIKELSE:
        return Belopp(mått.rubrik(period), visning.text(v, mått.slag))
    avrundat = visning.avrundat(v, AVVIKELSE)
    läge = "" if not avrundat else "bättre" if avrundat > 0 else "sämre"
    return Belopp(mått.rubrik(period), visning.text(v, AVVIKELSE), True, läge)


def _ekonomi(bas: Bas, period: Period, visning: Visning, plan: bool) -> list[Ruta]:
    if plan:
        return [
            Ruta(f"Budget {period.år}", [_belopp(k, bas, period, visning) for k in ("utfall_helår_fg", "budget_helår")])
        ]
    rutor = [
        Ruta(
            f"Resultat {period.text()}",
            [_belopp(k, bas, period, visning) for k in ("budget", "utfall", "avvikelse")],
        )
    ]
    rubrik = f"Utfall helår {period.år}" if period.helår else f"Helårsprognos {period.år}"
    rutor.append(
        Ruta(rubrik, [_belopp(k, bas, period, visning) for k in ("budget_helår", "prognos", "avvikelse_helår")])
    )
    return rutor


def _nyckeltal(
    grupper: Sequence[Volymgrupp], valda: Sequence[int], antal: int, år: int, plan: bool, helår: bool
) -> list[Nyckelfigur]:
    rader = [r for g in grupper for r in g.rader if not r.är_delserie]
    if valda:
        per_id = {r.id: r for g in grupper for r in g.rader}
        rader = [per_id[i] for i in valda if i in per_id]
    else:
        rader = rader[:antal]
    if plan:
        kandidater = [("mål", f"Plan {år}")]
    elif helår:
        kandidater = [("utfall_helår", f"Utfall {år}"), ("prognos", f"Prognos {år}"), ("mål", f"Mål {år}")]
    else:
        kandidater = [("prognos", f"Prognos {år}"), ("mål", f"Mål {år}")]
    figurer = []
    for r in rader:
        typ, rubrik = next(((t, rb) for t, rb in kandidater if r.värden.get((t, år)) is not None), kandidater[0])
        nu, förra = r.värden.get((typ, år)), r.värden.get(("utfall_helår", år - 1))
        trend = förändring = ""
        if nu is not None and förra is not None:
            trend = "ökar" if nu > förra else "minskar" if nu < förra else "oförändrat"
            if förra:
                ändring = (nu - förra) / abs(förra) * 100
                förändring = ("+" if ändring > 0 else "") + procent(ändring)
        figurer.append(
            Nyckelfigur(
                r.id,
                r.namn,
                r.enhet,
                rubrik,
                värde(nu),
                f"Utfall {år - 1}: {värde(förra) if förra is not None else STRECK}",
                trend,
                förändring,
            )
        )
    return figurer


def sammanfatta(
    bas: Bas,
    period: Period,
    visning: Visning,
    typ: str,
    mål: Sequence[Målblock],
    grupper: Sequence[Volymgrupp],
    valda: Sequence[int] = (),
    antal: int = STANDARD_ANTAL,
) -> Sammanfattning:
    """The summary of a report (or the overview) from figures already read: ``bas`` the summed figures of every
    område, ``mål`` the goals with their bedömning, ``grupper`` the nyckeltal with their yearly values."""
    plan = typ == Rapporttyp.VERKSAMHETSPLAN
    return Sammanfattning(
        visning.enhet,
        _ekonomi(bas, period, visning, plan),
        [Målljus(m.namn, m.nivå, m.bedömningsnivå, m.bedömning) for m in alla_mål(list(mål))],
        not plan,
        _nyckeltal(grupper, valda, antal, period.år, plan, period.helår),
    )


def visning(kommun) -> Visning:
    """The kommun's presentation: its unit, decimals and sign (what the driftredovisning tables use by default)."""
    return visning_för(kommun, "", None, None, NEGATIVA_VAL)


def summa(delar: Sequence[Bas]) -> Bas:
    return summera_bas(list(delar)) if delar else Bas()


@sektionstyp(
    "sammanfattning",
    "Sammanfattning",
    "Resultat mot budget, helårsprognos, målen som trafikljus med ord och tre till fem nyckeltal med trend.",
    Parametrar,
    behöver_ekonomi=True,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    p: Parametrar = s.parametrar
    r = k.rapport
    bas = summa([k.bas(o) for n in r.delar_nämnder for o in k.underlag(n)])
    s.data["sammanfattning"] = sammanfatta(
        bas,
        k.period,
        visning(r.kommun),
        r.typ,
        k.mål(),
        k.nyckeltal(r.delar_nämnder).grupper,
        p.nyckeltal,
        p.antal,
    )
