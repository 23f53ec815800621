"""What the section kinds share while one report is built: the user, the report, its period and the stored
figures — fetched once for every nämnd any section needs, so a report's query count does not grow with its
layout (pinned in tests/rapporter/test_layout_fragor.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from nyckeltal import selectors as nyckeltal_sel
from nämnd.models import Nämnd

from ..tabell import Period

if TYPE_CHECKING:
    from ..rapport import Rapport


@dataclass
class Byggkontext:
    user: Any
    rapport: Rapport
    period: Period
    nämnder: list[Nämnd]  # every nämnd any section shows: the report's parts first
    behöver_volym: bool = False
    _underlag: dict[int, list[berakning.Områdesunderlag]] | None = None
    _volym: dict[int, Decimal] | None = None
    memo: dict[str, Any] = field(default_factory=dict)

    def underlag(self, nämnd: Nämnd) -> list[berakning.Områdesunderlag]:
        """The nämnd's verksamhetsområden with their stored figures (one fetch for all nämnder of the report)."""
        if self._underlag is None:
            self._underlag = defaultdict(list)
            # A plan has no period (t_o_m 0): its columns are whole years, last year's utfall included.
            alla = ekonomi_sel.ekonomiunderlag(
                self.user, self.nämnder, self.period.år, self.period.t_o_m or 12, self.period.rapportmånad
            )
            for o in alla:
                self._underlag[o.nämnd_id or 0].append(o)
        return self._underlag.get(nämnd.id, [])

    def månadsutfall(self) -> list[ekonomi_sel.Månadsbelopp]:
        """Utfall per område, kostnadsslag and month (this year and last) for every nämnd of the report: one read
        shared by the monthly sections."""
        if "månadsutfall" not in self.memo:
            self.memo["månadsutfall"] = ekonomi_sel.månadsutfall(self.user, self.nämnder, self.period.år)
        return self.memo["månadsutfall"]

    def nyckeltalsläsning(self) -> nyckeltal_sel.Nyckeltalsläsning:
        """The kommun's nyckeltal and their values of the report's years: one read (two queries) for the volymer,
        månadsserie and bistånd sections and the tables' volume columns."""
        if "nyckeltalsläsning" not in self.memo:
            self.memo["nyckeltalsläsning"] = nyckeltal_sel.nyckeltalsläsning(
                self.user, self.rapport.kommun.id, self.period.år
            )
        return self.memo["nyckeltalsläsning"]

    def nyckeltal(self, nämnder: Sequence[Nämnd]) -> nyckeltal_sel.Nyckeltalsdata:
        """The nämnder's nyckeltal grouped for the volymer section, and the linked volumes."""
        nyckel = "nyckeltal:" + ",".join(str(n.id) for n in nämnder)
        if nyckel not in self.memo:
            self.memo[nyckel] = nyckeltal_sel.nyckeltalsdata_ur(
                self.nyckeltalsläsning(), {n.id for n in nämnder}, self.period.t_o_m
            )
        return self.memo[nyckel]

    def mål(self) -> list[nyckeltal_sel.Målblock]:
        """The goals of the report's parts with their bedömning in this report: one read shared by the mål and
        sammanfattning sections."""
        if "mål" not in self.memo:
            r = self.rapport
            self.memo["mål"] = nyckeltal_sel.mål(self.user, r.delar_nämnder, r.år, r.typ)
        return self.memo["mål"]

    def månadskostnad(self) -> dict[tuple[int, int, int], Decimal]:
        """(verksamhetsområde, år, månad) → the month's utfall (all rows), from the report's monthly read."""
        if "månadskostnad" not in self.memo:
            summor: dict[tuple[int, int, int], Decimal] = {}
            for b in self.månadsutfall():
                nyckel = (b.område_id, b.år, b.månad)
                summor[nyckel] = summor.get(nyckel, Decimal(0)) + b.belopp
            self.memo["månadskostnad"] = summor
        return self.memo["månadskostnad"]

    def volym(self) -> dict[int, Decimal]:
        if self._volym is None:
            self._volym = self.nyckeltal(self.nämnder).volym_per_område if self.behöver_volym else {}
        return self._volym

    def bas(self, o: berakning.Områdesunderlag, kategori: str | None = None) -> berakning.Bas:
        täckning = self.rapport.täckning
        return berakning.bas(
            o,
            self.period.år,
            self.period.t_o_m or 12,
            self.period.rapportmånad,
            kategori,
            self.volym().get(o.id) if kategori is None else None,
            period_med_utfall=bool(self.period.t_o_m) and (täckning is None or täckning.antal > 0),
            fg_med_utfall=self.fg_med_utfall,
        )

    @property
    def fg_med_utfall(self) -> bool:
        """Whether the same months last year have utfall in any of the report's nämnder (from the figures read)."""
        if "fg_med_utfall" not in self.memo:
            alla = [o for n in self.nämnder for o in self.underlag(n)]
            self.memo["fg_med_utfall"] = any("period_fg" not in o.saknas for o in alla)
        return self.memo["fg_med_utfall"]

    def delar(self, nämnder: Sequence[Nämnd]) -> list[Nämnd]:
        return [n for n in self.nämnder if n in nämnder]
