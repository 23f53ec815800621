"""Investeringar: KF-ram, tillägg, the period's utgift, prognos and avvikelse per investering, in the table's own
unit and sign (investments can stay positive while costs are shown negative)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ekonomi import selectors as ekonomi_sel
from ekonomi.berakning import Bas

from ..tabell import AVVIKELSE, INVESTERING, RAD, Kolumn, Tabell, Tabellrad, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .drift import läs_visning, visning_för
from .kontext import Byggkontext


@dataclass(frozen=True)
class Investeringsparametrar:
    enhet: str = ""  # "" = the kommun's
    decimaler: int | None = None
    negativa: tuple[str, ...] | None = None  # ("investering",) shows them negative; None = the kommun's cost sign

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Investeringsparametrar:
        fel: list[str] = []
        enhet, decimaler, negativa = läs_visning(data, (INVESTERING,), fel)
        if fel:
            raise ValidationError(fel)
        return cls(enhet, decimaler, negativa)

    def som_dict(self) -> dict:
        return {
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
        }

    def visning(self, kommun) -> Visning:
        return visning_för(kommun, self.enhet, self.decimaler, self.negativa, (INVESTERING,))


@sektionstyp(
    "investeringar",
    "Tabell: investeringar",
    "Investeringsram, tillägg, utgift för perioden, prognos och avvikelse per investering.",
    Investeringsparametrar,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    r = k.rapport
    p: Investeringsparametrar = s.parametrar
    rader = ekonomi_sel.investeringar(k.user, r.delar_nämnder, r.år, max(r.månad, 1))
    if not rader:
        return
    kolumner = [
        Kolumn("ram", "KF investeringsram", INVESTERING),
        Kolumn("tillägg", "Tillägg investeringsram", INVESTERING),
    ]
    if r.månad:
        kolumner.append(Kolumn("utgift", f"Utgift {r.period_kort}", INVESTERING))
        if not r.är_helår:
            kolumner.append(Kolumn("prognos", "Prognos investeringsutgift", INVESTERING))
        kolumner.append(Kolumn("avvikelse", "Avvikelse", AVVIKELSE))
    värden = []
    for i in rader:
        alla = {"ram": i.ram, "tillägg": i.tillägg, "utgift": i.utgift, "prognos": i.prognos, "avvikelse": i.avvikelse}
        värden.append([alla[kol.mått] for kol in kolumner])
    s.data["tabeller"] = [
        Tabell(
            "investeringar",
            f"Investeringar {r.år}",
            "Investering",
            kolumner,
            [Tabellrad(i.namn, RAD, 0, Bas(), kommentar=i.kommentar) for i in rader],
            p.visning(r.kommun),
            värden=värden,
        )
    ]
