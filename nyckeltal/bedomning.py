"""Pure maths for indicators: assessment against målvärde and trend against önskad riktning."""

from __future__ import annotations

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
    """"Minst 85" is met by 85 and above, "Högst 10" by 10 and below. None when nothing to compare."""
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
