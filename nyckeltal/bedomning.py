"""Pure maths for indicators and the bedömning scale: assessment against målvärde, trend against önskad riktning,
a kommun's scale of bedömning levels and what the indicators suggest on it (docs/beslut.md, "Bedömningsskala")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Indikatorbedömning(Enum):
    UPPNÅTT = "Uppnått"
    EJ_UPPNÅTT = "Ej uppnått"


# --- the bedömning scale ---------------------------------------------------------------------------------------

MINSTA_ANTAL_NIVÅER, STÖRSTA_ANTAL_NIVÅER = 2, 4
# The scale of a kommun that has none of its own, and the one a new kommun starts with: (kod, text), best first.
STANDARDNIVÅER: tuple[tuple[str, str], ...] = (
    ("uppnått", "Uppnått"),
    ("delvis", "Delvis uppnått"),
    ("ej", "Ej uppnått"),
)


@dataclass(frozen=True)
class Bedömningsnivå:
    """A level of a kommun's scale. ``plats`` 0 is the best; its look follows from its place alone (best filled,
    worst empty, any level between half), so any words keep the report's symbols and colours."""

    kod: str
    text: str
    plats: int
    antal: int

    @property
    def bäst(self) -> bool:
        return self.plats == 0

    @property
    def sämst(self) -> bool:
        return self.plats == self.antal - 1

    @property
    def symbol(self) -> str:
        return "●" if self.bäst else "○" if self.sämst else "◐"

    @property
    def klass(self) -> str:
        """CSS class of the label (static/css/rapport.css)."""
        return "uppnatt" if self.bäst else "ej" if self.sämst else "delvis"


@dataclass(frozen=True)
class Bedömningsskala:
    nivåer: tuple[Bedömningsnivå, ...]

    @classmethod
    def av(cls, par: Iterable[tuple[str, str]]) -> Bedömningsskala:
        """A scale from (kod, text) pairs, best first."""
        lista = list(par)
        return cls(tuple(Bedömningsnivå(kod, text, i, len(lista)) for i, (kod, text) in enumerate(lista)))

    def nivå(self, kod: str) -> Bedömningsnivå | None:
        return next((n for n in self.nivåer if n.kod == kod), None)

    @property
    def koder(self) -> list[str]:
        return [n.kod for n in self.nivåer]

    @property
    def bäst(self) -> Bedömningsnivå:
        return self.nivåer[0]

    @property
    def sämst(self) -> Bedömningsnivå:
        return self.nivåer[-1]

    @property
    def beskrivning(self) -> str:
        """The words in order, for messages: "”Uppfyllt”, ”Ej uppfyllt”"."""
        return ", ".join(f"”{n.text}”" for n in self.nivåer)

    def delvis(self, andel_uppnådda: float) -> Bedömningsnivå:
        """The level for a goal partly met: the middle level of three; of four the upper middle one when at least
        half is met, else the lower; of two (nothing between) the worst."""
        if len(self.nivåer) <= MINSTA_ANTAL_NIVÅER:
            return self.sämst
        if len(self.nivåer) == 3:
            return self.nivåer[1]
        return self.nivåer[1] if andel_uppnådda >= 0.5 else self.nivåer[-2]


STANDARDSKALA = Bedömningsskala.av(STANDARDNIVÅER)


def skalfel(par: Sequence[tuple[str, str]]) -> list[str]:
    """Why (kod, text) pairs, best first, are not a usable scale: 2–4 levels, codes and words each used once."""
    fel = []
    if not MINSTA_ANTAL_NIVÅER <= len(par) <= STÖRSTA_ANTAL_NIVÅER:
        fel.append(f"En bedömningsskala har {MINSTA_ANTAL_NIVÅER}–{STÖRSTA_ANTAL_NIVÅER} nivåer, inte {len(par)}.")
    for i, namn in ((0, "kod"), (1, "text")):
        värden = [p[i].strip().lower() for p in par]
        if dubbletter := sorted({v for v in värden if värden.count(v) > 1}):
            fel.append(f"Samma {namn} används för flera nivåer: {', '.join(dubbletter)}.")
    return fel


def indikatornivå(bedömning: Indikatorbedömning | None, skala: Bedömningsskala) -> Bedömningsnivå | None:
    """An indicator's assessment against its målvärde on the kommun's scale: met = best level, not met = worst."""
    if bedömning is None:
        return None
    return skala.bäst if bedömning is Indikatorbedömning.UPPNÅTT else skala.sämst


def föreslå_nivå(bedömningar: Iterable[Indikatorbedömning | None], skala: Bedömningsskala) -> Bedömningsnivå | None:
    """What a mål's indicators suggest: all met = best level, none met = worst, some = ``skala.delvis``.
    Indicators without a målvärde or a value don't count; None when no indicator can be assessed."""
    bedömda = [b for b in bedömningar if b is not None]
    if not bedömda:
        return None
    uppnådda = sum(b is Indikatorbedömning.UPPNÅTT for b in bedömda)
    if uppnådda == len(bedömda):
        return skala.bäst
    if uppnådda == 0:
        return skala.sämst
    return skala.delvis(uppnådda / len(bedömda))


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
    skala: Bedömningsskala = STANDARDSKALA  # the kommun's, for ``nivå``
    kommentar: str = ""  # the nämnd's comment in the report (Indikatorkommentar)

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
    def nivå(self) -> Bedömningsnivå | None:
        """``bedömning`` in the kommun's words (``indikatornivå``)."""
        return indikatornivå(self.bedömning, self.skala)

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
