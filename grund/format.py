"""Swedish display formatting of numbers: no-break thousands spaces, decimal comma, a true minus sign, "–" for
nothing. Pure (no models, no settings); the per-kommun presentation (tkr/mnkr, cost sign) is
``rapporter.format.Presentation``. Parsing typed or imported numbers is ``grund.tal``'s (its tests check that
what ``tal`` writes parses back)."""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
STRECK = "–"


def tal(värde: Decimal | int | None, decimaler: int = 0) -> str:
    """1234567.8 → "1 234 567,8" with no-break spaces and a true minus sign; None → "–"."""
    if värde is None:
        return STRECK
    värde = Decimal(värde).quantize(Decimal(1).scaleb(-decimaler)) if decimaler else Decimal(värde).quantize(Decimal(1))
    if värde == 0:
        värde = abs(värde)  # no "−0"
    text = f"{abs(värde):,.{decimaler}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if värde < 0 else "") + text


def procent(värde: Decimal | None, decimaler: int = 1) -> str:
    return STRECK if värde is None else f"{tal(värde, decimaler)}{NBSP}%"


def värde(v: Decimal | None) -> str:
    """Volumes and indicator values: as many decimals as they have (max 2), Swedish format."""
    if v is None:
        return STRECK
    v = Decimal(v)
    exponent = v.normalize().as_tuple().exponent  # an int for every finite number ("n"/"N"/"F": NaN, Infinity)
    decimaler = max(0, -exponent) if isinstance(exponent, int) and v != v.to_integral() else 0
    return tal(v, min(decimaler, 2))
