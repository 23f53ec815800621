"""Swedish month names: the one list (short and long). Index 0 is januari; ``månad`` numbers are 1–12."""

from __future__ import annotations

KORTA: tuple[str, ...] = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
LÅNGA: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def kort(månad: int) -> str:
    """1 → "jan"."""
    return KORTA[månad - 1]


def lång(månad: int) -> str:
    """1 → "januari"."""
    return LÅNGA[månad - 1]


def spann(t_o_m: int) -> str:
    """Months 1..t_o_m as a period text: 5 → "jan–maj", 1 → "januari" (never "jan–jan"), 0 → "".

    The one place that builds a month span from January; headings, checks and exports ask it."""
    if t_o_m <= 0:
        return ""
    return lång(1) if t_o_m == 1 else f"{kort(1)}–{kort(t_o_m)}"
