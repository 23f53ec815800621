"""A report's parts: one per nämnd whose figures make up the report (several when a nämnd was split or merged
during the year), with the domain's drift rows the checks and diagrams read."""

from __future__ import annotations

from dataclasses import dataclass

from ekonomi import berakning
from nämnd.models import Nämnd


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
