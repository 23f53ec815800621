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
