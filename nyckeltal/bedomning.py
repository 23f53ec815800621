"""Pure maths for indicators: assessment against målvärde and trend against önskad riktning."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Indikatorbedömning(Enum):
    UPPNÅTT = "Uppnått"
    EJ_UPPNÅTT = "Ej uppnått"


class Trend(Enum):
    BÄTTRE = "Bättre"
    SÄMRE = "Sämre"
    OFÖRÄNDRAD = "Oförändrad"


def bedöm_mot_målvärde(värde: Decimal | None, jämförelse: str, målvärde: Decimal | None) -> Indikatorbedömning | None:
    """ "Minst 85" is met by 85 and above, "Högst 10" by 10 and below. None when nothing to compare."""
    if värde is None or målvärde is None or not jämförelse:
        return None
    uppnått = värde >= målvärde if jämförelse == "minst" else värde <= målvärde
    return Indikatorbedömning.UPPNÅTT if uppnått else Indikatorbedömning.EJ_UPPNÅTT


def trend(värde: Decimal | None, föregående: Decimal | None, riktning: str) -> Trend | None:
    """Direction of change versus last year, judged by the indicator's önskad riktning.

    For "bibehålla" any change is worse."""
    if värde is None or föregående is None:
        return None
    if värde == föregående:
        return Trend.OFÖRÄNDRAD
    if riktning == "bibehålla":
        return Trend.SÄMRE
    ökat = värde > föregående
    return Trend.BÄTTRE if ökat == (riktning == "öka") else Trend.SÄMRE


@dataclass(frozen=True)
class Indikatorvärden:
    år: int
    totalt: Decimal | None
    kvinnor: Decimal | None = None
    män: Decimal | None = None
    källa: str = ""


@dataclass(frozen=True)
class Indikatorrad:
    """An indicator with its yearly values, assessed for the report year ``år``."""

    namn: str
    kolada_id: str
    enhet: str
    riktning: str
    jämförelse: str
    målvärde: Decimal | None
    år: int
    värden: tuple[Indikatorvärden, ...]  # ascending by year, utfall only
    prognos: Decimal | None = None

    def värde(self, år: int) -> Indikatorvärden | None:
        return next((v for v in self.värden if v.år == år), None)

    @property
    def senaste(self) -> Indikatorvärden | None:
        """Latest year up to the report year that has a value."""
        return next((v for v in reversed(self.värden) if v.år <= self.år and v.totalt is not None), None)

    @property
    def bedömning(self) -> Indikatorbedömning | None:
        senaste = self.senaste
        return bedöm_mot_målvärde(senaste.totalt if senaste else None, self.jämförelse, self.målvärde)

    @property
    def trend(self) -> Trend | None:
        senaste = self.senaste
        if senaste is None:
            return None
        föregående = self.värde(senaste.år - 1)
        return trend(senaste.totalt, föregående.totalt if föregående else None, self.riktning)

    @property
    def målvärde_text(self) -> str:
        if self.målvärde is None:
            return ""
        tal = f"{self.målvärde.normalize():f}".replace(".", ",")
        return f"{self.jämförelse.capitalize()} {tal}" + (f"\u00a0{self.enhet}" if self.enhet else "")

    @property
    def källor(self) -> list[str]:
        return sorted({v.källa for v in self.värden if v.källa})
