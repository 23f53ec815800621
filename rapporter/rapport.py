"""Builds a report (verksamhetsplan, tertialrapport, delårsrapport, verksamhetsberättelse) from the
selectors and the domain maths. The result is plain data for the templates: no queries happen in templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from grund import manader
from nyckeltal import selectors as nyckeltal_sel
from nämnd.models import Nämnd, Rapporttyp

from . import diagram
from . import selectors as sel
from .format import Presentation
from .models import Sektion

MÅNADER_LÅNG = list(manader.LÅNGA)


@dataclass
class Rapportsektion:
    sektion: str
    rubrik: str
    nummer: int
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ankare(self) -> str:
        return f"s{self.nummer}-{slugify(self.rubrik)}"

    @property
    def mall(self) -> str:
        return f"rapporter/sektioner/{self.sektion}.html"


@dataclass
class Del:
    """One nämnd's part of the report (several when a nämnd was split or merged during the year)."""

    nämnd: Nämnd
    rubrik: str
    drift: berakning.Driftredovisning | None = None
    helår: berakning.Driftredovisning | None = None
    budget: berakning.Driftredovisning | None = None
    med_prognos: frozenset[int] = frozenset()  # rows (and their ancestors) with a helårsprognos

    def prognos_saknas(self, område_id: int) -> bool:
        return område_id not in self.med_prognos

    @property
    def suffix(self) -> str:
        return str(self.nämnd.id)


@dataclass
class Rapport:
    nämnd: Nämnd
    år: int
    typ: Rapporttyp
    pres: Presentation
    delar: list[Del]
    sektioner: list[Rapportsektion]
    skapad: dt.datetime
    maska_under: int | None = None  # published output: counts of individuals below this are masked
    fastställd: dict | None = None  # {"datum", "paragraf", "version"} on the archived, adopted version

    @property
    def kommun(self):
        return self.nämnd.kommun

    @property
    def månad(self) -> int:
        return self.typ.slutmånad

    @property
    def titel(self) -> str:
        return f"{self.typ.label} {self.år}"

    @property
    def period_text(self) -> str:
        if self.typ == Rapporttyp.VERKSAMHETSPLAN:
            return f"Plan för budgetåret {self.år}"
        sista = dt.date(self.år + (self.månad == 12), self.månad % 12 + 1, 1) - dt.timedelta(days=1)
        return f"{self.typ.label} per {sista.day} {MÅNADER_LÅNG[self.månad - 1]} {self.år}"

    @property
    def period_kort(self) -> str:
        return f"jan–{MÅNADER_LÅNG[self.månad - 1][:3]} {self.år}" if self.månad else str(self.år)

    @property
    def period_kort_fg(self) -> str:
        return f"jan–{MÅNADER_LÅNG[self.månad - 1][:3]} {self.år - 1}" if self.månad else str(self.år - 1)

    @property
    def drift_kolumner(self) -> list[str]:
        return [
            f"Nettokostnad {self.period_kort_fg}",
            f"Budget {self.period_kort}",
            "Tillägg och avdrag",
            f"Nettokostnad {self.period_kort}",
            "Budgetavvikelse",
        ]

    @property
    def helår_rubrik(self) -> str:
        return f"Utfall helår {self.år}" if self.är_helår else f"Helårsprognos {self.år}"

    @property
    def helår_kolumner(self) -> list[str]:
        ord_ = "Utfall" if self.är_helår else "Prognos"
        return [
            f"Nettokostnad {self.år - 1}",
            f"KF-budget {self.år}",
            "Tillägg och avdrag",
            f"{ord_} nettokostnad {self.år}",
            f"{ord_} budgetavvikelse {self.år}",
        ]

    @property
    def kommenterade_rader(self) -> list[berakning.DriftRad]:
        return [r for d in self.delar if d.helår for r in d.helår.rader if r.kommentar]

    @property
    def flera_delar(self) -> bool:
        return len(self.delar) > 1

    @property
    def är_helår(self) -> bool:
        return self.månad == 12

    @property
    def sammanställning(self) -> list[berakning.DriftRad]:
        """One row per part and their sum (period figures), for a year with a nämnd split."""
        rader = [replace(d.drift.summa, namn=d.rubrik) for d in self.delar if d.drift]
        return [*rader, berakning.summera("Summa", rader)] if rader else []


def bygg_rapport(user, nämnd: Nämnd, år: int, typ: Rapporttyp | str) -> Rapport:
    """All figures of a report, computed once. A bounded number of queries whatever the nämnd's size."""
    typ = Rapporttyp(typ)
    månad = typ.slutmånad
    nämnder = sel.delar(nämnd, år)
    ordning = sel.rapportens_sektioner(nämnd, år, typ)
    behövs = {s for s, _ in ordning}

    delar = []
    for n in nämnder:
        d = Del(n, n.namn if len(nämnder) == 1 else f"{n.namn} ({_månadsspann(n.månader(år))})")
        if behövs & {Sektion.DRIFT, Sektion.PROGNOS, Sektion.BUDGET}:
            underlag = ekonomi_sel.ekonomiunderlag(user, [n], år, max(månad, 1))
            if typ == Rapporttyp.VERKSAMHETSPLAN:
                d.budget = berakning.gruppera(underlag, lambda o: berakning.budgetrad(o, år))
            else:
                d.drift = berakning.gruppera(underlag, lambda o: berakning.driftrad_period(o, år, månad))
                d.helår = berakning.gruppera(underlag, lambda o: berakning.driftrad_helår(o, år, månad))
                d.med_prognos = _med_prognos(underlag, månad)
        delar.append(d)

    texter = sel.texter(nämnder, år, typ) if Sektion.TEXT in behövs else {}
    rapport = Rapport(nämnd, år, typ, Presentation.för(nämnd.kommun), delar, [], timezone.localtime())
    for nummer, (sektion, rubrik) in enumerate(ordning, start=1):
        s = Rapportsektion(sektion, rubrik, nummer)
        if sektion == Sektion.TEXT:
            s.data["texter"] = texter.get(rubrik, [])
        elif sektion == Sektion.MÅL:
            s.data["mål"] = nyckeltal_sel.mål(user, nämnder, år, typ)
            s.data["indikatorår"] = list(range(år - 3, år + 1))
        elif sektion == Sektion.VOLYMER:
            s.data["kolumner"] = nyckeltal_sel.volymkolumner(år, typ)
            s.data["grupper"] = nyckeltal_sel.volymer(user, nämnder, år)
        elif sektion == Sektion.INVESTERINGAR:
            s.data["rader"] = ekonomi_sel.investeringar(user, nämnder, år, max(månad, 1))
        elif sektion == Sektion.DRIFT and delar and delar[-1].drift:
            s.data["diagram"] = diagram.nettokostnad_per_område(rapport)
        elif sektion == Sektion.PROGNOS and delar and delar[-1].helår:
            s.data["diagram"] = diagram.budget_utfall_prognos(rapport)
        rapport.sektioner.append(s)
    return rapport


def _med_prognos(underlag, månad: int) -> frozenset[int]:
    förälder = {o.id: o.förälder_id for o in underlag}
    result: set[int] = set()
    for o in underlag:
        if berakning.har_prognos(o, månad):
            id_ = o.id
            while id_ is not None and id_ not in result:
                result.add(id_)
                id_ = förälder.get(id_)
    return frozenset(result)


def _månadsspann(månader: list[int]) -> str:
    if not månader:
        return "ingen månad"
    if len(månader) == 12:
        return "helår"
    return f"{MÅNADER_LÅNG[månader[0] - 1][:3]}–{MÅNADER_LÅNG[månader[-1] - 1][:3]}"
