"""Builds a report (verksamhetsplan, tertialrapport, delårsrapport, verksamhetsberättelse) from the
selectors and the domain maths. The result is plain data for the templates: no queries happen in templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from grund import manader
from nämnd.models import Nämnd, Rapporttillfällen, Rapporttyp

from . import selectors as sel
from .delar import Del
from .format import Presentation
from .sektioner import REGISTER, Rapportsektion, Sammanhang
from .sektioner import typ as sektionstyp
from .sektioner.kontext import Byggkontext
from .tabell import MÅTT, Period

MÅNADER_LÅNG = list(manader.LÅNGA)


@dataclass
class Rapport:
    nämnd: Nämnd
    år: int
    typ: Rapporttyp
    pres: Presentation
    delar: list[Del]
    sektioner: list[Rapportsektion]
    skapad: dt.datetime
    månad: int = 0  # the last month the report covers (the kommun's occasion, or the chosen month)
    täckning: berakning.Täckning | None = None  # months with utfall, when the period is not complete
    namn: str = ""  # the report's name in the kommun ("Tertialrapport 1")
    maska_under: int | None = None  # published output: counts of individuals below this are masked
    fastställd: dict | None = None  # {"datum", "paragraf", "version"} when fastställd (the lock; the archive sets it)

    @property
    def kommun(self):
        return self.nämnd.kommun

    @property
    def period(self) -> Period:
        """The period of the figures: months 1..(the last month with utfall, at most the report's month)."""
        t_o_m = self.täckning.senaste if self.täckning and self.täckning.senaste else self.månad
        return Period(self.år, t_o_m, self.månad)

    @property
    def titel(self) -> str:
        return f"{self.namn or self.typ.label} {self.år}"

    @property
    def period_text(self) -> str:
        if self.typ == Rapporttyp.VERKSAMHETSPLAN:
            return f"Plan för budgetåret {self.år}"
        sista = dt.date(self.år + (self.månad == 12), self.månad % 12 + 1, 1) - dt.timedelta(days=1)
        return f"{self.namn or self.typ.label} per {sista.day} {MÅNADER_LÅNG[self.månad - 1]} {self.år}"

    @property
    def period_kort(self) -> str:
        return self.period.text() if self.månad else str(self.år)

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
    def delar_nämnder(self) -> list[Nämnd]:
        return [d.nämnd for d in self.delar]

    def del_rubrik(self, nämnd: Nämnd) -> str:
        """A part's heading; a nämnd of the sector outside the report's parts gets its months when it did not
        exist the whole year."""
        if (d := next((d for d in self.delar if d.nämnd == nämnd), None)) is not None:
            return d.rubrik
        månader = nämnd.månader(self.år)
        return nämnd.namn if len(månader) == 12 else f"{nämnd.namn} ({_månadsspann(månader)})"


def bygg_rapport(
    user, nämnd: Nämnd, år: int, typ: Rapporttyp | str, månad: int | None = None, layout: list[dict] | None = None
) -> Rapport:
    """All figures of a report, computed once, section by section as the kommun's layout says. A bounded number of
    queries whatever the nämnd's size or the layout (``månad``: the month of a månadsrapport; ``layout``: sections
    to use instead of the stored ones — the layout page's preview of a draft)."""
    typ = Rapporttyp(typ)
    tillfällen = Rapporttillfällen.för(nämnd.kommun_id, typ)
    slutmånad = tillfällen.slutmånad(typ, månad)
    sparad, låst_månad, fastställd = sel.rapportens_layout(nämnd, år, typ)
    layout = sparad if layout is None else layout
    slutmånad = låst_månad if låst_månad is not None else slutmånad  # a fastställd report keeps its months
    sammanhang = Sammanhang(fri=True)
    sektioner = []
    for nummer, s in enumerate(layout, start=1):
        kind = sektionstyp(s["typ"])
        sektioner.append(Rapportsektion(kind.kod, s["rubrik"], nummer, kind.läs(s.get("parametrar"), sammanhang)))
    ekonomi = any(REGISTER[s.sektion].behöver_ekonomi for s in sektioner)
    nämnder, extra = sel.delar_och_fler(nämnd, år, {i for s in sektioner for i in getattr(s.parametrar, "nämnder", ())})
    täckning = None
    if slutmånad and typ != Rapporttyp.VERKSAMHETSPLAN and ekonomi:
        t = berakning.täckt_period(ekonomi_sel.utfallsmånader(user, nämnder, år, slutmånad), slutmånad)
        täckning = None if t.fullständig else t
    rapport = Rapport(
        nämnd,
        år,
        typ,
        Presentation.för(nämnd.kommun),
        [],
        sektioner,
        timezone.localtime(),
        slutmånad,
        täckning,
        tillfällen.namn(typ),
        fastställd=fastställd,
    )
    kontext = Byggkontext(
        user,
        rapport,
        rapport.period,
        [*nämnder, *(n for n in extra if n not in nämnder)],
        behöver_volym=any(
            MÅTT[k].grupp == "Volym och peng" for s in sektioner for k, _ in getattr(s.parametrar, "kolumner", ())
        ),
    )
    period = rapport.period
    for n in nämnder:
        d = Del(n, n.namn if len(nämnder) == 1 else f"{n.namn} ({_månadsspann(n.månader(år))})")
        if ekonomi:
            underlag = kontext.underlag(n)
            if typ == Rapporttyp.VERKSAMHETSPLAN:
                d.budget = berakning.gruppera(underlag, lambda o: berakning.budgetrad(o, år))
            else:
                d.drift = berakning.gruppera(underlag, lambda o: berakning.driftrad_period(o, år, period.t_o_m))
                d.helår = berakning.gruppera(underlag, lambda o: berakning.driftrad_helår(o, år, slutmånad))
                d.med_prognos = berakning.med_prognos(underlag, slutmånad)
        rapport.delar.append(d)
    for s in sektioner:
        REGISTER[s.sektion].bygg(kontext, s)
    return rapport


def _månadsspann(månader: list[int]) -> str:
    if not månader:
        return "ingen månad"
    if len(månader) == 12:
        return "helår"
    return f"{MÅNADER_LÅNG[månader[0] - 1][:3]}–{MÅNADER_LÅNG[månader[-1] - 1][:3]}"
