"""Investeringar: KF-ram, tillägg, the period's utgift, prognos and avvikelse per investering, in the table's own
unit and sign (investments can stay positive while costs are shown negative)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ekonomi import selectors as ekonomi_sel
from ekonomi.berakning import Bas

from ..tabell import AVVIKELSE, ENHETER, INVESTERING, RAD, Kolumn, Tabell, Tabellrad, Visning
from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext


@dataclass(frozen=True)
class Investeringsparametrar:
    enhet: str = ""  # "" = the kommun's
    decimaler: int | None = None
    negativa: tuple[str, ...] | None = None  # ("investering",) shows them negative; None = the kommun's cost sign

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Investeringsparametrar:
        fel = []
        enhet = data.get("enhet", "") or ""
        if enhet and enhet not in ENHETER:
            fel.append("Enheten är kr, tkr eller mnkr.")
        decimaler = data.get("decimaler")
        if decimaler not in (None, "") and str(decimaler) not in ("0", "1", "2"):
            fel.append("Antal decimaler är 0, 1 eller 2.")
        negativa = data.get("negativa")
        if negativa is not None and any(n != INVESTERING for n in negativa):
            fel.append("Okänt slag av belopp för tecken.")
        if fel:
            raise ValidationError(fel)
        return cls(
            enhet,
            None if decimaler in (None, "") else int(decimaler),
            None if negativa is None else tuple(negativa),
        )

    def som_dict(self) -> dict:
        return {
            "enhet": self.enhet,
            "decimaler": self.decimaler,
            "negativa": None if self.negativa is None else list(self.negativa),
        }

    def visning(self, kommun) -> Visning:
        enhet = self.enhet or kommun.beloppsenhet
        negativa = self.negativa if self.negativa is not None else ((INVESTERING,) if kommun.kostnader_negativa else ())
        return Visning(enhet, ENHETER[enhet][1] if self.decimaler is None else self.decimaler, frozenset(negativa))


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
