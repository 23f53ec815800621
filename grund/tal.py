"""Swedish numbers as people type them and files hold them: the one parser, with the bounds of the field that
stores the value. Every import, entry form and the grid parse through ``tolka``.

    from grund.tal import BELOPP, Talfel, tolka

    tolka("1 234,5", BELOPP)              → Decimal("1234.5")
    tolka("−1 022", BELOPP)               → Decimal("-1022")
    tolka("1e30", BELOPP)                 → Talfel: Texten ”1e30” är inget giltigt tal: …
    tolka("123456789012345678", BELOPP)   → Talfel: Beloppet ”123456789012345678” är för stort: högst 14 siffror
                                            före decimaltecknet.

Text (surrounding whitespace ignored): an optional sign (+, -, − U+2212 or – U+2013), digits with thousands
separated by a space, a no-break space (U+00A0), a narrow no-break space (U+202F), a thin space (U+2009) or an
apostrophe, and a decimal comma or point: "1 234,5", "1234.5", "−1 022", "-1022", ",5". As accounting systems
write them: "1.234,50" and "1,234.50" (the last separator is the decimal one, the other groups thousands by
three), "1.234.567" (dots in groups of three), "1234-" (a trailing minus) and "(1 234)" (negative). Refused:
everything else — NaN, Infinity, exponents (1e5), underscores (1_000), letters ("12 kr"), two decimal commas
("1,2,3"), digits other than 0–9, and text longer than ``MAX_TECKEN``. Numbers (int, float, Decimal: Excel
cells, JSON) are taken as they are; NaN and infinities are refused, booleans too.

Bounds: a ``Talgräns`` is what a ``DecimalField(max_digits, decimal_places)`` stores; the constants below are
checked against their model fields by ``tests/grund/test_tal.py``, so they cannot drift apart. ``decimaler``
says what happens to more decimals than the field has: ``"exakt"`` refuses them (typed input), ``"avrunda"``
rounds half up (files: 1 234,567 kr → 1 234,57), ``"fria"`` keeps them all (the caller scales, e.g. tkr → kr,
and rounds afterwards). Digits before the decimal sign are always checked — after rounding, so that
99 999 999 999 999,995 cannot round into an overflow. Messages are Swedish and name the allowed range.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

MAX_TECKEN = 100  # longer text is never a number (and never reaches Decimal)
MINUS = "\u2212"
TANKSTRECK = "\u2013"
_TUSENTAL = str.maketrans("", "", " \u00a0\u202f\u2009'")
_SIFFROR = re.compile(r"[0-9]*")
_GRUPPER = {".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+"), ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")}
# Spellings Python's Decimal or float would take but a Swedish number never has: told apart for a clearer message.
_ANNAN_NOTATION = re.compile(r"[+-]?(?:s?nan|inf(?:inity)?|[0-9_.,]*[0-9][0-9_.,]*(?:e[+-]?[0-9_]+)?)", re.IGNORECASE)

Decimaler = Literal["exakt", "avrunda", "fria"]


class Talfel(ValueError):
    """A value that is not a number, or not one the field can store. ``str(e)`` is Swedish, for the user;
    ``orsak`` is its predicate alone ("är för stort: högst 14 siffror före decimaltecknet") for callers that
    name the value themselves; ``slag`` what is wrong: "inget tal" (text, NaN, an exponent …), "för stort"
    (outside the range) or "decimaler" (more decimals than the field has)."""

    def __init__(
        self,
        meddelande: str,
        *,
        slag: Literal["inget tal", "för stort", "decimaler"] = "inget tal",
        orsak: str = "",
        gräns: Talgräns | None = None,
    ):
        super().__init__(meddelande)
        self.slag, self.orsak, self.gräns = slag, orsak or meddelande, gräns


@dataclass(frozen=True)
class Talgräns:
    """What one kind of field stores: ``max_siffror`` digits of which ``decimaler`` after the decimal sign (a
    DecimalField's max_digits and decimal_places), optionally a whole-number range ``lägst``–``högst``.
    ``namn`` is the message's subject ("Beloppet"); ``enhet`` the unit typed text is in when it is not the
    stored one (``i_enhet``)."""

    namn: str
    max_siffror: int
    decimaler: int
    lägst: int | None = None
    högst: int | None = None
    enhet: str = ""

    def __post_init__(self):
        if not 0 <= self.decimaler <= self.max_siffror <= 28:  # 28: Decimal's default precision stays exact
            raise ValueError(f"Ogiltig talgräns: {self.max_siffror} siffror, {self.decimaler} decimaler.")

    @property
    def heltalssiffror(self) -> int:
        return self.max_siffror - self.decimaler

    @property
    def tak(self) -> Decimal:
        """Every stored value is strictly smaller than this in absolute value."""
        return Decimal(10) ** self.heltalssiffror

    @property
    def beskrivning(self) -> str:
        """The allowed range in words: "högst 14 siffror före decimaltecknet och 2 decimaler"."""
        if self.lägst is not None and self.högst is not None:
            return f"ett heltal {self.lägst}–{self.högst}"
        decimaler = f"{self.decimaler} decimaler" if self.decimaler else "inga decimaler"
        return f"högst {self.heltalssiffror} siffror före decimaltecknet och {decimaler}{self._i_enhet}"

    @property
    def _i_enhet(self) -> str:
        return f" (i {self.enhet})" if self.enhet else ""

    def i_enhet(self, enhet: str, faktor: int) -> Talgräns:
        """The same field for text typed in a larger unit (tkr: ``faktor`` 1000): fewer digits before the
        decimal sign, as many more after it."""
        steg = round(math.log10(faktor))
        if faktor != 10**steg or steg < 0:
            raise ValueError(f"Faktorn {faktor} är ingen tiopotens.")
        return replace(self, decimaler=self.decimaler + steg, enhet=enhet)

    def ryms(self, värde: Decimal | int) -> bool:
        """Whether ``värde`` (already rounded to the field's decimals) fits the field."""
        return abs(Decimal(värde)) < self.tak

    def kontrollera(self, värde: Decimal, text: str | None = None, *, decimaler: Decimaler = "exakt") -> Decimal:
        """``värde`` if the field can store it (rounded with ``decimaler="avrunda"``), otherwise ``Talfel``
        naming ``text`` (as written; the value itself when None) and the allowed range."""
        if not värde.is_finite():
            raise _ogiltigt(text if text is not None else str(värde), self)
        if abs(värde) >= self.tak:
            raise self.för_stort(värde, text)
        if decimaler == "avrunda":
            värde = värde.quantize(Decimal(1).scaleb(-self.decimaler), ROUND_HALF_UP)
            if abs(värde) >= self.tak:
                raise self.för_stort(värde, text)
        elif decimaler == "exakt" and antal_decimaler(värde) > self.decimaler:
            orsak = (
                f"har för många decimaler: högst {self.decimaler} decimaler{self._i_enhet}"
                if self.decimaler
                else "ska vara ett heltal"
            )
            raise self._fel(värde, text, orsak, "decimaler")
        if (self.lägst is not None and värde < self.lägst) or (self.högst is not None and värde > self.högst):
            raise self.för_stort(värde, text)
        return abs(värde) if värde == 0 else värde  # never "-0"

    def för_stort(self, värde: Decimal | int, text: str | None = None) -> Talfel:
        """The error for a value outside the range (also for a sum the caller computed)."""
        if self.lägst is not None and self.högst is not None:
            return self._fel(värde, text, f"ligger utanför {self.lägst}–{self.högst}", "för stort")
        return self._fel(
            värde,
            text,
            f"är för stort: högst {self.heltalssiffror} siffror före decimaltecknet{self._i_enhet}",
            "för stort",
        )

    def _fel(self, värde: Decimal | int, text: str | None, orsak: str, slag) -> Talfel:
        visad = _kort(text if text is not None else f"{Decimal(värde):f}")
        return Talfel(f"{self.namn} ”{visad}” {orsak}.", slag=slag, orsak=orsak, gräns=self)


# The fields that store parsed numbers. tests/grund/test_tal.py compares each with its model fields.
BELOPP = Talgräns("Beloppet", 16, 2)  # ekonomi.models.Belopp: utfall, budget, prognos, investeringar (kr)
NYCKELTAL = Talgräns("Värdet", 14, 2)  # nyckeltal.models.Värde: volymer, nyckeltal, indikatorer; budgeterad volym
IMPORTSUMMA = Talgräns("Summan", 18, 2)  # importer.models.Import: summa_fil, summa_lagrad, summa_ej_fördelad
ÅR = Talgräns("Året", 4, 0, lägst=2000, högst=2100)  # nämnd.models.ÅR_VALIDATORER


def tolka(
    värde: str | int | float | Decimal, gräns: Talgräns | None = None, *, decimaler: Decimaler = "exakt"
) -> Decimal:
    """A Swedish number (text) or a numeric cell as a Decimal that ``gräns`` can store. Raises ``Talfel``."""
    if isinstance(värde, str):
        text = värde.strip()
        d = _tolka_text(text, gräns)
    elif isinstance(värde, bool):
        raise Talfel("Värdet är ett sanningsvärde, inte ett tal.")
    elif isinstance(värde, int):
        d, text = Decimal(värde), None
    elif isinstance(värde, float):
        if not math.isfinite(värde):
            raise _ogiltigt(str(värde), gräns)
        d, text = Decimal(repr(värde)), repr(värde).removesuffix(".0")
    elif isinstance(värde, Decimal):
        d, text = värde, None
    else:
        raise Talfel(f"Värdet ”{_kort(str(värde))}” är inget tal.")
    if gräns is None:
        if not d.is_finite():
            raise _ogiltigt(str(d), None)
        return d
    return gräns.kontrollera(d, text, decimaler=decimaler)


def antal_decimaler(värde: Decimal) -> int:
    """Decimals that matter (trailing zeros don't), counted exactly (``normalize`` would round long values)."""
    _, siffror, exponent = värde.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    nollor = len(siffror) - len("".join(map(str, siffror)).rstrip("0"))
    return max(0, -exponent - nollor)


def _tolka_text(text: str, gräns: Talgräns | None) -> Decimal:
    if not text:
        raise Talfel("Talet saknas.")
    if len(text) > MAX_TECKEN:
        raise Talfel(f"Texten ”{_kort(text)}” är för lång för att vara ett tal.")
    t = text.translate(_TUSENTAL).replace(MINUS, "-").replace(TANKSTRECK, "-")
    negativ = False
    if len(t) > 2 and t[0] == "(" and t[-1] == ")":
        negativ, t = True, t[1:-1]
    elif len(t) > 1 and t[-1] == "-" and t[0] not in "+-":
        negativ, t = True, t[:-1]
    tecken = t[0] if t[:1] in ("+", "-") else ""
    t = t[len(tecken) :]
    delar = _delar(t) if not (negativ and tecken) else None
    if delar is None:
        if _ANNAN_NOTATION.fullmatch(text.translate(_TUSENTAL)) and not re.fullmatch(r"[+-]?[0-9.,]*", t):
            raise _ogiltigt(text, gräns)
        raise Talfel(f"Texten ”{_kort(text)}” är inget tal.")
    heltal, bråk = delar
    if gräns is not None and len(heltal.lstrip("0")) > gräns.heltalssiffror:  # before Decimal: cheap, exact
        raise gräns.för_stort(0, text)
    d = Decimal(f"{heltal or '0'}.{bråk}" if bråk else heltal)
    return -d if (negativ or tecken == "-") and d else d


def _delar(t: str) -> tuple[str, str] | None:
    """(digits before, digits after the decimal sign) of an unsigned number, or None."""
    komma, punkt = t.count(","), t.count(".")
    if komma and punkt:
        decimal = "," if t.rfind(",") > t.rfind(".") else "."
        tusen = "." if decimal == "," else ","
        heltal, _, bråk = t.rpartition(decimal)
        if decimal in heltal or not _GRUPPER[tusen].fullmatch(heltal):
            return None
        heltal = heltal.replace(tusen, "")
    elif komma > 1:
        return None  # "1,2,3": never thousands (a comma is the Swedish decimal sign)
    elif punkt > 1:
        if not _GRUPPER["."].fullmatch(t):
            return None
        heltal, bråk = t.replace(".", ""), ""
    else:
        heltal, _, bråk = t.partition("," if komma else ".")
    if not (heltal or bråk) or not _SIFFROR.fullmatch(heltal) or not _SIFFROR.fullmatch(bråk):
        return None
    return heltal, bråk


def _ogiltigt(text: str, gräns: Talgräns | None) -> Talfel:
    tillåtet = f" {gräns.namn} får ha {gräns.beskrivning}." if gräns else ""
    orsak = "är inget giltigt tal: skriv talet med siffror, utan exponent (e), NaN eller Infinity"
    return Talfel(f"Texten ”{_kort(text)}” {orsak}.{tillåtet}", orsak=orsak, gräns=gräns)


def _kort(text: str, längd: int = 40) -> str:
    return text if len(text) <= längd else text[: längd - 1] + "…"
