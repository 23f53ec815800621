"""Safe reading of uploaded spreadsheets (.xlsx, .csv) for every import.

Everything an uploaded file can do to the server is checked here, before any parser sees it:

- the file type is decided by content, never by name: a zip with a SpreadsheetML workbook (.xlsx), an OLE2
  container (password-protected .xlsx or old .xls: refused), or plain text (.csv). Anything else is refused.
- size limits: the upload itself, the *uncompressed* size of the zip (zip bombs), the number of zip parts,
  rows, columns and cells. The cell limit is checked on the sheet XML before the sheet is loaded: the
  reader (calamine) allocates rows × columns, so a tiny file with one cell at XFD1048576 would otherwise
  take all memory.
- XML: no part may contain a DOCTYPE or ENTITY declaration (refused before parsing, so no reader can expand
  entities), and parts must be UTF-8. The few parts we parse ourselves go through defusedxml or an expat
  parser with DTDs forbidden.
- corrupt zips and bad CRCs are refused; encrypted zip entries and macro workbooks too.
- formulas are read through their cached values; a formula without a cached value, or an error value such
  as ``#DIV/0!``, reaches the caller as a ``Cellvärdesfel`` value, which ``tal``/``text`` turn into an
  error for that cell.

Values are read with python-calamine (measured: 100 000 rows × 7 columns in ~1 s against 8–11 s for
openpyxl read_only; it holds one sheet in memory, ~55 MB at 100 000 rows), after the checks above.

API (stable; other imports build on it)::

    from importer import lasare

    FÄLT = [
        lasare.Fält("period", "Period", ("period", "månad"), obligatorisk=True),
        lasare.Fält("belopp", "Belopp", ("belopp", "utfall", "saldo"), obligatorisk=True),
    ]
    try:
        tabell = lasare.läs(data, "export.xlsx", FÄLT, mappning={"belopp": "Utfall kr"})
    except lasare.Filfel as e:          # the whole file is refused; str(e) is Swedish, for the user
        ...
    if tabell.saknade:                  # required fields not found: show tabell.blad[i].okända for mapping
        ...
    for rad in tabell.rader():          # only sheets where every required field was found
        blad, nummer, värden = rad      # sheet name, 1-based row number, {fält: raw value}
        try:
            belopp = lasare.tal(värden["belopp"])
        except ValueError as e:
            fel.append(lasare.Radfel.för(rad, "belopp", str(e)))   # "Blad X, rad 12, kolumn G (Belopp): …"

``läs`` raises ``Filfel`` for a refused file. For layouts that need their own recognition (wide monthly
tables, templates) ``läs_blad(data, filnamn)`` returns ``(filtyp, [Råblad], meddelanden)``: every visible
sheet (the CSV file is one sheet named "") as ``(row number, [values])`` from row 1, with its merged ranges.
``kontrollera(data)`` does only the type sniffing and safety checks and returns the type and SHA-256.
``Gränser`` holds the limits (``GRÄNSER`` the defaults; ``beskrivning()`` for the upload page).

Header rows are found anywhere in the first ``Gränser.rubriksök`` rows, case-insensitively with the synonyms
of each ``Fält`` (and the profile's ``mappning`` first); merged header cells count for every column they
span; repeated header rows (page breaks) and empty rows are skipped. A ``Fält`` with ``läses=False`` (motpart,
free text) is recognised but its values never leave the reader. Raw values are ``str`` (stripped), ``float``
(Excel numbers, also codes: use ``text()``), ``bool``, ``datetime.date``/``datetime``, ``None`` for empty, or
``Cellvärdesfel``. CSV: ``;`` (or tab/comma, detected), decimal comma, UTF-8 (with or without BOM), UTF-16
with BOM, or Windows-1252.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import pyexpat
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from defusedxml import ElementTree as SafeET

from grund.tal import Decimaler, Talgräns, tolka

MB = 1024 * 1024


@dataclass(frozen=True)
class Gränser:
    """Limits for one uploaded file. Shown on the upload pages (``beskrivning``)."""

    max_filstorlek: int = 20 * MB
    max_okomprimerat: int = 150 * MB
    max_delar: int = 500  # zip entries
    max_rader: int = 200_000  # data rows, all sheets together
    max_kolumner: int = 200
    max_celler: int = 6_000_000  # rows × columns of one sheet as the reader allocates it (≈ 32 bytes each)
    rubriksök: int = 30  # the header row is looked for in this many first rows

    def beskrivning(self) -> list[str]:
        return [
            "Filtyp: Excel-arbetsbok (.xlsx) eller CSV-fil (.csv, semikolon och decimalkomma).",
            f"Högst {self.max_filstorlek // MB} MB, och högst {self.max_okomprimerat // MB} MB uppackad.",
            f"Högst {self.max_rader:,} rader och {self.max_kolumner} kolumner.".replace(",", "\u00a0"),
            f"Rubrikraden ska finnas bland de första {self.rubriksök} raderna.",
            "Filer med lösenord, makron eller formler utan sparade värden tas inte emot.",
        ]


GRÄNSER = Gränser()


class Filfel(Exception):
    """The file is refused as a whole. The message is Swedish and tells the user what to do."""


@dataclass(frozen=True)
class Fält:
    """A column the caller wants: its key in the row dicts, its Swedish label, and the header texts
    (any case, spaces and punctuation normalised) that mean it."""

    namn: str
    rubrik: str
    synonymer: tuple[str, ...] = ()
    obligatorisk: bool = False
    läses: bool = True  # False: the column is recognised (not offered for mapping) but its values never read

    @property
    def normaliserade(self) -> set[str]:
        return {normalisera_rubrik(s) for s in (self.rubrik, self.namn, *self.synonymer)}


@dataclass(frozen=True)
class Cellvärdesfel:
    """A cell whose value cannot be used: a formula without a cached value, or an error value (#DIV/0!)."""

    slag: str  # "formel" or "fel"
    text: str = ""

    def __str__(self) -> str:
        if self.slag == "formel":
            return (
                "Cellen innehåller en formel utan sparat värde. Öppna filen i Excel, spara den och ladda upp den igen."
            )
        return f"Cellen innehåller felvärdet {self.text or '#FEL'}."


@dataclass
class Blad:
    """A sheet (or the CSV file) and what was recognised in it."""

    namn: str
    rubrikrad: int | None = None  # 1-based
    kolumner: dict[str, int] = field(default_factory=dict)  # fält → 0-based column
    lästa: dict[str, int] = field(default_factory=dict)  # the recognised columns whose values are read
    rubriker: dict[int, str] = field(default_factory=dict)  # 0-based column → header text as written
    okända: list[tuple[int, str]] = field(default_factory=list)  # header cells no field recognised
    saknade: list[Fält] = field(default_factory=list)
    antal_rader: int = 0


class Rad:
    """One data row. Unpacks as ``(blad, nummer, värden)``; ``cell(fält)`` gives its reference, e.g. "G12"."""

    __slots__ = ("blad", "nummer", "värden", "_blad")

    def __init__(self, blad: Blad, nummer: int, värden: dict[str, Any]):
        self._blad, self.blad, self.nummer, self.värden = blad, blad.namn, nummer, värden

    def __iter__(self):
        return iter((self.blad, self.nummer, self.värden))

    def kolumn(self, fält: str) -> str:
        return kolumnbokstav(self._blad.kolumner[fält]) if fält in self._blad.kolumner else ""

    def cell(self, fält: str) -> str:
        return f"{self.kolumn(fält)}{self.nummer}"

    def rubrik(self, fält: str) -> str:
        return self._blad.rubriker.get(self._blad.kolumner.get(fält, -1), fält)

    def __repr__(self) -> str:
        return f"Rad({self.blad!r}, {self.nummer}, {self.värden!r})"


@dataclass(frozen=True)
class Radfel:
    """An error in the file, for the preview: "Blad Utfall, rad 12, kolumn G (Belopp): …". Every import uses it.

    ``kolumn`` is a column letter ("G", with its header in ``rubrik``) or a reference that already names the
    header ("C (Belopp)", the template imports); ``blad``, ``rad`` and ``kolumn`` may be empty (None or "") for
    an error about a whole sheet, row or file."""

    blad: str | None
    rad: int | None
    kolumn: str | None
    meddelande: str
    rubrik: str = ""

    @classmethod
    def för(cls, rad: Rad, fält: str | None, meddelande: str) -> Radfel:
        return cls(rad.blad, rad.nummer, rad.kolumn(fält) if fält else "", meddelande, rad.rubrik(fält) if fält else "")

    @property
    def text(self) -> str:
        return self.meddelande

    @property
    def plats(self) -> str:
        """ "Blad Utfall, rad 12, kolumn G (Belopp)" (as much of it as is known)."""
        delar = []
        if self.blad:
            delar.append(f"blad {self.blad}")
        if self.rad:
            delar.append(f"rad {self.rad}")
        if self.kolumn:
            delar.append(f"kolumn {self.kolumn}" + (f" ({self.rubrik})" if self.rubrik else ""))
        plats = ", ".join(delar)
        return f"{plats[:1].upper()}{plats[1:]}"

    def __str__(self) -> str:
        return f"{self.plats}: {self.meddelande}" if self.plats else self.meddelande


@dataclass
class Tabell:
    """A checked file with its header rows recognised. Rows are read lazily by ``rader()``."""

    filnamn: str
    filtyp: str  # "xlsx" or "csv"
    sha256: str
    storlek: int
    blad: list[Blad]
    meddelanden: list[str]
    _källor: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def saknade(self) -> list[Fält]:
        """Required fields missing in a sheet that has a header row (each field once)."""
        sett: dict[str, Fält] = {}
        for b in self.blad:
            for f in b.saknade:
                sett.setdefault(f.namn, f)
        return list(sett.values())

    @property
    def okända_rubriker(self) -> list[str]:
        """Header texts no field recognised, over all sheets, in order, each once."""
        return list(dict.fromkeys(t for b in self.blad for _, t in b.okända))

    @property
    def antal_rader(self) -> int:
        return sum(b.antal_rader for b in self.blad)

    def rader(self) -> Iterator[Rad]:
        for b in self.blad:
            if b.rubrikrad is not None and not b.saknade:
                yield from self._källor[b.namn](b)


# --- public helpers -----------------------------------------------------------------------------------------


def kolumnbokstav(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def kolumnindex(bokstäver: str) -> int:
    """ "A" → 0, "AA" → 26."""
    n = 0
    for c in bokstäver:
        n = n * 26 + ord(c) - 64
    return n - 1


def _rubriktext(text: Any) -> str:
    """A header cell as text in one form: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").split()).lower()


def normalisera_rubrik(text: Any) -> str:
    """Header text as compared: lower case, single spaces, without "(kr)"/"kr"/"sek" and trailing punctuation."""
    if text is None or isinstance(text, Cellvärdesfel):
        return ""
    t = re.sub(r"\((?:kr|sek|kronor)\)|\b(?:kr|sek|kronor)\.?$", "", _rubriktext(text))
    t = re.sub(r"\s+", " ", t).strip(" .:;*")
    return t


ENHETER = {"kr": 1, "kronor": 1, "tkr": 1000, "tusen kronor": 1000, "mnkr": 1_000_000, "miljoner kronor": 1_000_000}


def rubrik_och_enhet(rubrik: Any) -> tuple[str, str | None]:
    """A header cell → (base text, unit), for layouts whose amounts may be in tkr or mnkr (the templates):
    "Belopp helår (tkr)" → ("belopp helår", "tkr")."""
    if rubrik is None:
        return "", None
    text = _rubriktext(rubrik).strip(" :*").replace("–", "-").replace("—", "-")
    enhet = None
    if m := re.search(r"\s*\(([^)]*)\)\s*$", text):
        if m[1].strip() in ENHETER or m[1].strip() == "%":
            enhet = m[1].strip()
        text = text[: m.start()].strip()
    elif m := re.search(r"\s+(tkr|mnkr|kr)$", text):
        enhet, text = m[1], text[: m.start()].strip()
    return text, enhet


def tal(värde: Any, gräns: Talgräns | None = None, *, decimaler: Decimaler = "exakt") -> Decimal:
    """A cell value as a Decimal that ``gräns`` can store (``grund.tal.tolka``: Swedish text such as "1 234,50",
    "−1 234", "1.234,50", "1234-" and "(1 234)", or an Excel number). Raises ValueError (``Talfel``) with a Swedish
    message for anything else: text, NaN, exponents, dates, error values, or a number outside ``gräns``."""
    if isinstance(värde, Cellvärdesfel):
        raise ValueError(str(värde))
    if isinstance(värde, (dt.date, dt.time, dt.timedelta)):
        raise ValueError("Cellen innehåller ett datum, inte ett belopp.")
    if isinstance(värde, bool):
        raise ValueError("Cellen innehåller ett sanningsvärde, inte ett tal.")
    if värde is None or (isinstance(värde, str) and not värde.strip()):
        raise ValueError("Cellen är tom.")
    return tolka(värde, gräns, decimaler=decimaler)


def text(värde: Any) -> str:
    """A cell value as text: numbers without a trailing ".0" (codes like 7410 come as floats from Excel)."""
    if type(värde) is str:
        return värde  # the reader's strings are already stripped
    if isinstance(värde, Cellvärdesfel):
        raise ValueError(str(värde))
    if värde is None:
        return ""
    if isinstance(värde, float) and värde.is_integer():
        return str(int(värde))
    if isinstance(värde, dt.datetime):
        return värde.date().isoformat() if värde.time() == dt.time(0) else värde.isoformat(" ")
    if isinstance(värde, dt.date):
        return värde.isoformat()
    return str(värde).strip()


# --- entry points -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filinfo:
    filtyp: str
    sha256: str
    storlek: int


def kontrollera(data: bytes, gränser: Gränser = GRÄNSER) -> Filinfo:
    """Type sniffing and the safety checks only (no values read). Raises ``Filfel``."""
    filtyp = _filtyp(data, gränser)
    if filtyp == "xlsx":
        _Arbetsbok(data, gränser)
    else:
        _avkoda(data)
    return Filinfo(filtyp, hashlib.sha256(data).hexdigest(), len(data))


@dataclass
class Råblad:
    """One visible sheet (or the CSV file, named "") as raw rows, after all checks. ``rader()`` yields
    (1-based row number, [cell values]) from row 1, values as ``läs`` gives them (None for empty).
    ``sammanslagna`` are the merged ranges ((row0, col0), (row1, col1)), 0-based and inclusive."""

    namn: str
    antal_rader: int
    sammanslagna: list[tuple[tuple[int, int], tuple[int, int]]]
    _råa: Any = field(repr=False)  # () → iterator of (0-based row, list of cells as the backend gives them)
    _ogiltiga: dict[tuple[int, int], Cellvärdesfel] = field(default_factory=dict, repr=False)

    def rader(self) -> Iterator[tuple[int, list[Any]]]:
        ogiltiga = self._ogiltiga
        for i, r in self._råa():
            värden = [_värde(v) for v in r]
            if ogiltiga:
                for k in range(len(värden)):
                    if (i, k) in ogiltiga:
                        värden[k] = ogiltiga[(i, k)]
            yield i + 1, värden


def _värde(v: Any) -> Any:
    if isinstance(v, str):
        return v.strip() or None
    return v


def läs_blad(data: bytes, filnamn: str = "", gränser: Gränser = GRÄNSER) -> tuple[str, list[Råblad], list[str]]:
    """Check ``data`` and return (file type, its visible sheets as raw rows, notes such as skipped hidden
    sheets). For imports that find their own layout (wide monthly tables, templates). Raises ``Filfel``."""
    filtyp = _filtyp(data, gränser)
    meddelanden: list[str] = []
    blad = _xlsx_blad(data, gränser, meddelanden) if filtyp == "xlsx" else [_csv_blad(data, gränser)]
    return filtyp, blad, meddelanden


@dataclass
class Bladrader:
    """One sheet read whole (templates and Kolada tables, which find their own header): its name ("" for a CSV
    file) and its rows with their 1-based numbers. Merged cells in the header area count for every cell."""

    namn: str
    rader: list[tuple[int, list[Any]]]


def läs_bladrader(data: bytes, filnamn: str = "", gränser: Gränser = GRÄNSER) -> tuple[list[Bladrader], list[str]]:
    """``läs_blad`` with every sheet's rows in memory (for small files: the templates' limits). Raises ``Filfel``."""
    _, råblad, meddelanden = läs_blad(data, filnamn, gränser)
    blad = []
    for rb in råblad:
        rader = [(nummer, list(celler)) for nummer, celler in rb.rader()]
        for (r0, c0), (r1, c1) in rb.sammanslagna:
            if r0 >= gränser.rubriksök or r0 >= len(rader) or c0 >= len(rader[r0][1]):
                continue
            värde = rader[r0][1][c0]
            for r in range(r0, min(r1, len(rader) - 1) + 1):
                celler = rader[r][1]
                celler.extend([None] * (c1 + 1 - len(celler)))
                for c in range(c0, c1 + 1):
                    if celler[c] is None:
                        celler[c] = värde
        blad.append(Bladrader(rb.namn, rader))
    return blad, meddelanden


def läs(
    data: bytes,
    filnamn: str,
    fält: Sequence[Fält],
    *,
    mappning: dict[str, str] | None = None,
    gränser: Gränser = GRÄNSER,
) -> Tabell:
    """Check ``data`` and recognise the header row of each sheet. ``mappning`` (fält → header text, from an
    import profile) is tried before the synonyms. Raises ``Filfel`` for a refused file."""
    filtyp, råblad, meddelanden = läs_blad(data, filnamn, gränser)
    igenkänning = _Igenkänning(fält, mappning or {})
    tabell = Tabell(filnamn, filtyp, hashlib.sha256(data).hexdigest(), len(data), [], meddelanden)
    for rb in råblad:
        huvud = []
        for _, r in rb._råa():
            huvud.append([_värde(v) for v in r])
            if len(huvud) >= gränser.rubriksök:
                break
        blad = Blad(rb.namn)
        igenkänning.hitta_rubrikrad(blad, huvud, rb.sammanslagna)
        if blad.rubrikrad is None:
            if any(any(v is not None for v in r) for r in huvud):
                tabell.meddelanden.append(f"Bladet {rb.namn} har ingen igenkänd rubrikrad och lästes inte.")
            continue
        blad.antal_rader = max(0, rb.antal_rader - blad.rubrikrad)
        tabell.blad.append(blad)
        tabell._källor[blad.namn] = _radkälla(rb, igenkänning)
    if not tabell.blad:
        namn = ", ".join(f.rubrik for f in fält if f.obligatorisk)
        raise Filfel(
            f"Hittade ingen rubrikrad bland de första {gränser.rubriksök} raderna. Filen behöver en rad med "
            f"kolumnrubriker, till exempel {namn}."
        )
    if tabell.antal_rader > gränser.max_rader:
        raise _för_många_rader(tabell.antal_rader, gränser)
    return tabell


def _radkälla(rb: Råblad, igenkänning: _Igenkänning):
    """Data rows of a sheet: only the read columns, empty and repeated header rows skipped."""

    def rader(blad: Blad) -> Iterator[Rad]:
        kolumner = list(blad.lästa.items())
        upprepad = igenkänning.rubrikkontroll(blad)
        ogiltiga = rb._ogiltiga
        for i, r in rb._råa():
            if i < blad.rubrikrad:
                continue
            värden = {}
            tom = True
            for f, k in kolumner:
                v = r[k] if k < len(r) else None
                if isinstance(v, str):
                    v = v.strip() or None
                if ogiltiga and (i, k) in ogiltiga:
                    v = ogiltiga[(i, k)]
                if v is not None:
                    tom = False
                värden[f] = v
            if tom or upprepad(värden):
                continue
            yield Rad(blad, i + 1, värden)

    return rader


# --- file type ----------------------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _filtyp(data: bytes, gränser: Gränser) -> str:
    if len(data) > gränser.max_filstorlek:
        raise Filfel(
            f"Filen är {len(data) / MB:.1f} MB; högst {gränser.max_filstorlek // MB} MB tas emot. Dela upp filen."
        )
    if not data:
        raise Filfel("Filen är tom.")
    if data.startswith(_OLE2):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Filfel("Filen är lösenordsskyddad. Spara den utan lösenord i Excel och ladda upp den igen.")
        raise Filfel(
            "Filen är i det gamla Excel-formatet (.xls) eller ett annat Office-format. "
            "Spara den som Excel-arbetsbok (.xlsx) och ladda upp den igen."
        )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    kända = {
        b"%PDF": "en PDF-fil",
        b"\x89PNG": "en bild",
        b"\xff\xd8\xff": "en bild",
        b"GIF8": "en bild",
        b"{\\rtf": "ett RTF-dokument",
        b"\x1f\x8b": "en komprimerad fil",
        b"Rar!": "en komprimerad fil",
        b"7z\xbc\xaf": "en komprimerad fil",
        b"MZ": "ett program",
        b"\x7fELF": "ett program",
    }
    for magi, vad in kända.items():
        if data.startswith(magi):
            raise Filfel(f"Filen är {vad}, inte en Excel- eller CSV-fil.")
    början = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if början.startswith((b"<!doctype", b"<html", b"<?xml", b"<table", b"<")):
        raise Filfel(
            "Filen är en HTML- eller XML-fil, inte en Excel-arbetsbok (en del system sparar HTML med "
            "filändelsen .xls). Öppna den i Excel och spara som .xlsx."
        )
    return "csv"


# --- xlsx ---------------------------------------------------------------------------------------------------

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_KODNING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_REF = re.compile(rb"""r=["']([A-Z]{0,3})(\d+)["']""")
# References far out: two or more column letters, or a six-digit row. Without any, a sheet is ≤ Z99999.
_LÅNGT_BORT = re.compile(rb"""r=["'](?:([A-Z]{2,3})(\d+)|[A-Z]?(\d{6,}))["']""")
# Rows and cells whose first attribute is not r="…" (no r at all, or written unusually): walked exactly.
_UTAN_REF = (re.compile(rb"""<c(?:[/>]|\s(?!r="))"""), re.compile(rb"""<row(?:[/>]|\s(?!r="))"""))
_PREFIXERADE = (re.compile(rb":c[\s/>]"), re.compile(rb":row[\s/>]"))
_FORMEL = re.compile(rb"f[\s>/]")
_FELTYP = re.compile(rb"""t=["']e["']""")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_BLADROT = re.compile(rb"<(?:\w+:)?worksheet[\s>/]")
_BIT = 1024 * 1024  # parts are unpacked this much at a time
_ANTAL = re.compile(rb"""(?:count|uniqueCount)=["'](\d+)["']""")

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


class _Arbetsbok:
    """The zip checked part by part. After construction: ``blad`` = [(name, part, visible)], and for each
    worksheet part the cells whose values cannot be used (``ogiltiga[part]``: {(row, col): Cellvärdesfel})."""

    def __init__(self, data: bytes, gränser: Gränser):
        self.gränser = gränser
        zf, poster = self._öppna(data, gränser)
        self.delar: dict[str, bytes] = {}
        self.ogiltiga: dict[str, dict[tuple[int, int], Cellvärdesfel]] = {}
        self.skannade: set[str] = set()  # worksheet parts whose row numbers were checked while unpacking
        totalt = 0
        for p in poster:
            if p.is_dir():
                continue
            try:
                innehåll = self._packa_upp(zf, p, totalt)
            except (
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                zlib.error,
                ValueError,
                OSError,
                EOFError,
                RuntimeError,
                NotImplementedError,
            ):
                raise Filfel("Filen är skadad (en del av arbetsboken går inte att packa upp).") from None
            totalt += len(innehåll)
            if self._är_xml(p.filename, innehåll):
                self._kontrollera_xml(p.filename, innehåll)
                self.delar[p.filename] = innehåll
        typer = self.delar.get("[Content_Types].xml", b"")
        if b"spreadsheetml.sheet.main" not in typer and b"spreadsheetml.template.main" not in typer:
            if b"wordprocessingml" in typer or b"presentationml" in typer:
                raise Filfel("Filen är ett Word- eller PowerPoint-dokument, inte en Excel-arbetsbok.")
            raise Filfel("Filen är ingen Excel-arbetsbok (.xlsx). Kontrollera att du valt rätt fil.")
        self.blad = self._blad()
        for _, del_, _ in self.blad:
            xml = self.delar.get(del_)
            if xml is None:
                raise Filfel("Filen är skadad: ett kalkylblad saknas i arbetsboken.")
            self._kontrollera_blad(del_, xml)
        del self.delar  # only needed for the checks; calamine reads the zip itself

    def _öppna(self, data: bytes, gränser: Gränser) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
        """The zip and its entries, after the checks that need only the directory (count, encryption,
        declared size, content types, macros, binary workbooks)."""
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            poster = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, OSError, EOFError):
            raise Filfel("Filen är skadad: den går inte att öppna som Excel-arbetsbok.") from None
        if len(poster) > gränser.max_delar:
            raise Filfel(f"Filen har {len(poster)} delar; högst {gränser.max_delar} tas emot.")
        if any(p.flag_bits & 0x1 for p in poster):
            raise Filfel("Filen är krypterad eller lösenordsskyddad. Spara den utan lösenord och ladda upp den igen.")
        deklarerat = sum(p.file_size for p in poster)
        if deklarerat > gränser.max_okomprimerat:
            raise self._för_stor(deklarerat)
        namn = {p.filename for p in poster}
        if "[Content_Types].xml" not in namn:
            raise Filfel("Filen är ingen Excel-arbetsbok (.xlsx). Kontrollera att du valt rätt fil.")
        if any(n.lower().endswith("vbaproject.bin") for n in namn):
            raise Filfel("Filen innehåller makron (.xlsm). Spara den som Excel-arbetsbok (.xlsx) utan makron.")
        if any(n.lower().endswith("workbook.bin") for n in namn):
            raise Filfel("Filen är en binär Excel-arbetsbok (.xlsb). Spara den som Excel-arbetsbok (.xlsx).")
        return zf, poster

    def _packa_upp(self, zf: zipfile.ZipFile, post: zipfile.ZipInfo, totalt: int) -> bytes:
        """One part, unpacked piece by piece. The uncompressed limit is checked per piece, and in a worksheet
        the row limit too: a file over either is refused as soon as the limit is passed, without unpacking (or
        later loading) the rest."""
        g = self.gränser
        bitar: list[bytes] = []
        över_gränsen = None  # a pattern, once the part has turned out to be a worksheet
        rest = b""
        with zf.open(post) as f:
            while bit := f.read(_BIT):
                totalt += len(bit)
                if totalt > g.max_okomprimerat:
                    raise self._för_stor(totalt)
                if not bitar and _BLADROT.search(bit, 0, 8192):
                    över_gränsen = _radnummer_över(g.max_rader + g.rubriksök)
                    self.skannade.add(post.filename)
                if över_gränsen is not None:  # scan up to the last complete tag; the rest goes with the next piece
                    text = rest + bit if rest else bit
                    slut = text.rfind(b">") + 1
                    if över_gränsen.search(text, 0, slut):
                        raise _för_många_rader(None, g)
                    rest = text[slut:]
                bitar.append(bit)
        return b"".join(bitar)

    def _för_stor(self, storlek: int) -> Filfel:
        return Filfel(
            f"Filen packas upp till mer än {self.gränser.max_okomprimerat // MB} MB "
            f"({storlek // MB} MB eller mer). Så stora arbetsböcker tas inte emot; dela upp filen."
        )

    @staticmethod
    def _är_xml(namn: str, innehåll: bytes) -> bool:
        ändelse = PurePosixPath(namn).suffix.lower()
        return ändelse in (".xml", ".rels", ".vml") or innehåll.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"

    def _kontrollera_xml(self, namn: str, innehåll: bytes) -> None:
        if innehåll.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in innehåll[:512]:
            raise Filfel("Filen innehåller XML i en teckenkodning som inte tas emot (bara UTF-8).")
        if _DTD.search(innehåll):
            raise Filfel(
                "Filen innehåller en DTD-deklaration (DOCTYPE/ENTITY). Sådana filer tas inte emot eftersom de "
                "kan användas för att angripa servern. Spara filen på nytt i Excel."
            )
        m = _XML_KODNING.match(innehåll.lstrip(b"\xef\xbb\xbf"))
        if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
            raise Filfel("Filen innehåller XML i en teckenkodning som inte tas emot (bara UTF-8).")
        if m := _SST.search(innehåll, 0, 4096):
            for antal in _ANTAL.findall(m.group(0)):
                if int(antal) > self.gränser.max_celler:
                    raise Filfel("Filen är för stor: den anger fler texter än en arbetsbok får ha.")

    def _blad(self) -> list[tuple[str, str, bool]]:
        """(sheet name, part name, visible) in workbook order, via workbook.xml and its relationships."""
        rels = self._xml("_rels/.rels")
        bok = next(
            (
                r.get("Target", "")
                for r in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
                if r.get("Type", "").endswith("/officeDocument")
            ),
            "xl/workbook.xml",
        )
        bok = bok.lstrip("/")
        bok_dir = PurePosixPath(bok).parent
        bokrels = self._xml(str(bok_dir / "_rels" / (PurePosixPath(bok).name + ".rels")))
        mål = {r.get("Id"): r.get("Target", "") for r in bokrels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
        blad = []
        for s in self._xml(bok).iter(f"{{{_SHEET_NS}}}sheet"):
            target = mål.get(s.get(f"{{{_REL_NS}}}id"), "")
            if not target:
                continue
            del_ = target.lstrip("/") if target.startswith("/") else _normera(bok_dir / target)
            blad.append((s.get("name", ""), del_, s.get("state", "visible") == "visible"))
        if not blad:
            raise Filfel("Filen är skadad: arbetsboken har inga kalkylblad.")
        return blad

    def _xml(self, namn: str):
        innehåll = self.delar.get(namn)
        if innehåll is None:
            raise Filfel("Filen är skadad: en obligatorisk del av arbetsboken saknas.")
        try:
            return SafeET.fromstring(innehåll, forbid_dtd=True)
        except Exception:
            raise Filfel("Filen är skadad: arbetsbokens struktur går inte att läsa.") from None

    def _kontrollera_blad(self, del_: str, xml: bytes) -> None:
        """Refuse sheets the reader would allocate too much for; find cells without usable values.

        calamine allocates (last row × last column) cells, placed by their ``r`` references, so the extent is
        computed from the references before it loads anything. Fast path: a few regexes with literal
        prefixes (~0.3 s for 100 000 rows); sheets with formulas, error values, namespace prefixes or cells
        without ``r`` are walked with expat instead (exact, ~3 s for 100 000 rows)."""
        g = self.gränser
        if del_ not in self.skannade and _radnummer_över(g.max_rader + g.rubriksök).search(xml):
            raise _för_många_rader(None, g)
        ovanlig = any(p.search(xml) for p in (*_UTAN_REF, *_PREFIXERADE))
        exakt = True
        if ovanlig or _har_formel(xml) or _FELTYP.search(xml):
            ogiltiga, max_rad, max_kol = _skanna_celler(xml)
            if ogiltiga:
                self.ogiltiga[del_] = ogiltiga
        else:
            # Upper bounds: without far references a sheet ends at or before Z99999.
            max_rad, max_kol, exakt = 99_998, 25, False
            for m in _LÅNGT_BORT.finditer(xml):  # (finditer: no list of every reference in memory)
                bokstäver, siffror, rad = m.groups()
                max_rad = max(max_rad, int(siffror or rad) - 1)
                if bokstäver:
                    max_kol = max(max_kol, kolumnindex(bokstäver.decode()))
            if (max_rad + 1) * (max_kol + 1) > g.max_celler:  # a large or wide sheet: compute the extent exactly
                max_rad, max_kol, exakt = -1, -1, True
                for m in _REF.finditer(xml):
                    bokstäver, siffror = m.groups()
                    max_rad = max(max_rad, int(siffror) - 1)
                    if bokstäver:
                        max_kol = max(max_kol, kolumnindex(bokstäver.decode()))
        rader, kolumner = max_rad + 1, max_kol + 1
        if kolumner > g.max_kolumner and (exakt or kolumner > 26):
            raise Filfel(f"Ett kalkylblad har {kolumner} kolumner; högst {g.max_kolumner} tas emot.")
        if exakt and rader > g.max_rader + g.rubriksök:
            raise _för_många_rader(rader, g)
        if rader * kolumner > g.max_celler:
            raise Filfel(f"Ett kalkylblad är för stort ({rader} rader × {kolumner} kolumner). Dela upp filen.")


def _för_många_rader(rader: int | None, g: Gränser) -> Filfel:
    """``rader`` None: reading stopped at the limit, the file has more."""
    antal = f"fler än {g.max_rader}" if rader is None else str(rader)
    return Filfel(f"Filen har {antal} rader; högst {g.max_rader} tas emot. Dela upp filen.")


@functools.lru_cache(maxsize=8)
def _radnummer_över(gräns: int) -> re.Pattern[bytes]:
    """A row or cell reference (r="123", r="AB123") whose row number is larger than ``gräns``: one regex search
    over the sheet XML instead of a Python loop over every reference."""
    siffror = str(gräns)
    större = [f"[1-9][0-9]{{{len(siffror)},}}"]  # more digits
    for i, d in enumerate(siffror):  # as many digits: the same prefix, then a larger digit
        if d != "9":
            större.append(f"{siffror[:i]}[{int(d) + 1}-9][0-9]{{{len(siffror) - i - 1}}}")
    # " r=": a literal start makes the search ~3 × faster than \s; other whitespace is left to the exact checks
    return re.compile(rf"""\x20r=["'][A-Z]{{0,3}}0*(?:{"|".join(större)})["']""".encode())


def _har_formel(xml: bytes) -> bool:
    """Whether the sheet has an <f> element (also with a namespace prefix): one memchr-speed pass."""
    return any(xml[m.start() - 1 : m.start()] in (b"<", b":") for m in _FORMEL.finditer(xml))


def _normera(sökväg: PurePosixPath) -> str:
    delar: list[str] = []
    for d in sökväg.parts:
        if d == "..":
            if delar:
                delar.pop()
        elif d not in (".", ""):
            delar.append(d)
    return "/".join(delar)


def _skanna_celler(xml: bytes) -> tuple[dict[tuple[int, int], Cellvärdesfel], int, int]:
    """Walk a sheet with expat: the cells (0-based row, col) holding a formula without a cached value or an
    error value, and the last row and column as the reader will place them. DTDs, entity declarations and
    external entities are forbidden (the part has already been checked to have no DOCTYPE at all)."""
    return _Cellskanner().skanna(xml)


class _Cellskanner:
    def __init__(self):
        self.ogiltiga: dict[tuple[int, int], Cellvärdesfel] = {}
        self.rad = self.kol = self.max_rad = self.max_kol = -1
        self.i_cell = self.formel = self.i_v = False
        self.v: str | None = None
        self.typ = ""

    def skanna(self, xml: bytes):
        parser = pyexpat.ParserCreate()
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self.förbjud
        parser.EntityDeclHandler = self.förbjud
        parser.UnparsedEntityDeclHandler = self.förbjud
        parser.ExternalEntityRefHandler = self.förbjud
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.slut
        parser.CharacterDataHandler = self.data
        parser.buffer_text = True
        try:
            parser.Parse(xml, True)
        except pyexpat.ExpatError:
            raise Filfel("Filen är skadad: ett kalkylblad är inte giltig XML.") from None
        return self.ogiltiga, self.max_rad, self.max_kol

    @staticmethod
    def förbjud(*_args):
        raise Filfel("Filen innehåller en DTD-deklaration (DOCTYPE/ENTITY) och tas inte emot.")

    def start(self, namn: str, attr: dict):
        n = namn.rpartition(":")[2] if ":" in namn else namn
        if n == "c":
            ref = attr.get("r", "")
            bokstäver = ref.rstrip("0123456789")
            if bokstäver.isalpha() and bokstäver.isupper() and len(bokstäver) <= 3 and ref[len(bokstäver) :]:
                self.kol, self.rad = kolumnindex(bokstäver), int(ref[len(bokstäver) :]) - 1
            else:
                self.kol += 1
            self.i_cell, self.formel, self.v, self.typ = True, False, None, attr.get("t", "")
            if self.rad > self.max_rad:
                self.max_rad = self.rad
            if self.kol > self.max_kol:
                self.max_kol = self.kol
        elif n == "v":
            if self.i_cell:
                self.i_v, self.v = True, ""
        elif n == "f":
            self.formel = self.i_cell
        elif n == "row":
            r = attr.get("r")
            self.rad = int(r) - 1 if r and r.isdigit() else self.rad + 1
            self.kol = -1
            if self.rad > self.max_rad:
                self.max_rad = self.rad

    def slut(self, namn: str):
        n = namn.rpartition(":")[2] if ":" in namn else namn
        if n == "v":
            self.i_v = False
        elif n == "c" and self.i_cell:
            if self.typ == "e":
                self.ogiltiga[(self.rad, self.kol)] = Cellvärdesfel("fel", (self.v or "").strip())
            elif self.formel and (self.v is None or (not self.v.strip() and self.typ != "str")):
                self.ogiltiga[(self.rad, self.kol)] = Cellvärdesfel("formel")
            self.i_cell = False

    def data(self, text: str):
        if self.i_v:
            self.v += text


def _xlsx_blad(data: bytes, gränser: Gränser, meddelanden: list[str]) -> list[Råblad]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    bok = _Arbetsbok(data, gränser)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = {m.name: m for m in wb.sheets_metadata}
    except Exception:
        raise Filfel("Filen är skadad: den går inte att läsa som Excel-arbetsbok.") from None
    delar = {namn: del_ for namn, del_, _ in bok.blad}
    resultat = []
    for namn in wb.sheet_names:
        m = metadata.get(namn)
        if m is None or m.typ != SheetTypeEnum.WorkSheet:
            continue
        if m.visible != SheetVisibleEnum.Visible:
            meddelanden.append(f"Bladet {namn} är dolt och lästes inte.")
            continue
        try:
            ark = wb.get_sheet_by_name(namn)
        except Exception:
            raise Filfel(f"Filen är skadad: bladet {namn} går inte att läsa.") from None
        if ark.start is None:
            continue  # an empty sheet
        if ark.end[0] + 1 > gränser.max_rader + gränser.rubriksök:
            raise _för_många_rader(ark.end[0] + 1, gränser)
        resultat.append(
            Råblad(
                namn,
                ark.end[0] + 1,
                list(ark.merged_cell_ranges or []),
                _calamine_rader(ark),
                bok.ogiltiga.get(delar.get(namn, ""), {}),
            )
        )
    return resultat


def _calamine_rader(ark):
    """Rows from row 1 with absolute column positions (calamine starts its rows at the first used column).
    Empty cells are ""."""
    kolumnstart = ark.start[1]

    def rader() -> Iterator[tuple[int, list]]:
        fyll = [""] * kolumnstart
        for i, r in enumerate(ark.iter_rows()):
            yield i, (fyll + r if kolumnstart else r)

    return rader


# --- csv ----------------------------------------------------------------------------------------------------


def _avkoda(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text_ = data.decode("utf-16")
        except UnicodeDecodeError:
            raise Filfel("Filen går inte att läsa som text (felaktig UTF-16).") from None
    else:
        if b"\x00" in data:
            raise Filfel("Filen är ingen Excel- eller CSV-fil (den innehåller binära data).")
        for kodning in ("utf-8-sig", "cp1252"):
            try:
                text_ = data.decode(kodning)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise Filfel("Filens teckenkodning känns inte igen. Spara den som CSV (UTF-8).")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f" for c in text_[:20_000]):
        raise Filfel("Filen är ingen Excel- eller CSV-fil (den innehåller binära data).")
    return text_


def _avgränsare(rader: list[str]) -> str:
    """The delimiter giving the most rows with the same (≥ 2) number of fields; ";" wins ties."""
    bäst, bäst_poäng = ";", (-1, -1)
    for kandidat in (";", "\t", ","):
        try:
            antal = [len(r) for r in csv.reader(rader, delimiter=kandidat) if any(c.strip() for c in r)]
        except csv.Error:  # e.g. a field longer than the csv module takes: not this delimiter
            continue
        antal = [n for n in antal if n >= 2]
        if not antal:
            continue
        vanligast = max(set(antal), key=antal.count)
        poäng = (antal.count(vanligast), vanligast)
        if poäng > bäst_poäng:
            bäst, bäst_poäng = kandidat, poäng
    return bäst


def _radantal(text: str | bytes) -> int:
    """Lines in the text (LF, CRLF or CR alone), counted without decoding or splitting it."""
    lf, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    return max(text.count(lf), text.count(cr)) + (0 if text.endswith((lf, cr)) or not text else 1)


def _csv_blad(data: bytes, gränser: Gränser) -> Råblad:
    tak = gränser.max_rader + gränser.rubriksök
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and (radantal := _radantal(data)) > tak:
        raise _för_många_rader(radantal, gränser)  # counted on the bytes: refused before decoding
    innehåll = _avkoda(data)
    radantal = _radantal(innehåll)
    if radantal > tak:
        raise _för_många_rader(radantal, gränser)
    avgränsare = _avgränsare(innehåll[:200_000].splitlines()[: gränser.rubriksök])

    def rader() -> Iterator[tuple[int, list[str]]]:
        läsare = csv.reader(io.StringIO(innehåll, newline=""), delimiter=avgränsare)
        start = 0
        try:
            for fält in läsare:
                if läsare.line_num > tak:  # line breaks the count above did not see: stop at the limit anyway
                    raise _för_många_rader(None, gränser)
                if len(fält) > gränser.max_kolumner:
                    raise Filfel(f"Rad {start + 1} har {len(fält)} kolumner; högst {gränser.max_kolumner} tas emot.")
                yield start, fält
                start = läsare.line_num
        except csv.Error as e:
            orsak = (
                f": ett fält är längre än {csv.field_size_limit():,} tecken".replace(",", "\u00a0")
                if "field limit" in str(e)
                else ""
            )
            raise Filfel(
                f"Rad {start + 1} går inte att läsa som CSV{orsak}. Kontrollera filen, eller spara den "
                "som Excel-arbetsbok (.xlsx)."
            ) from None

    return Råblad("", radantal, [], rader)


# --- header recognition -------------------------------------------------------------------------------------


class _Igenkänning:
    def __init__(self, fält: Sequence[Fält], mappning: dict[str, str]):
        self.fält = list(fält)
        self.per_namn = {f.namn: f for f in self.fält}
        self.profil = {
            normalisera_rubrik(rubrik): namn
            for namn, rubrik in mappning.items()
            if namn in self.per_namn and normalisera_rubrik(rubrik)
        }
        self.synonymer: dict[str, str] = {}
        for f in self.fält:
            for s in f.normaliserade:
                self.synonymer.setdefault(s, f.namn)

    def känn_igen(self, rad: Iterable[Any]) -> tuple[dict[str, int], dict[int, str], list[tuple[int, str]]]:
        kolumner: dict[str, int] = {}
        rubriker: dict[int, str] = {}
        okända: list[tuple[int, str]] = []
        celler = [(k, v) for k, v in enumerate(rad) if isinstance(v, str) and v.strip()]
        profilfält = set()
        for k, v in celler:  # the profile's mapping first, so it wins over a synonym elsewhere in the row
            if (namn := self.profil.get(normalisera_rubrik(v))) and namn not in kolumner:
                kolumner[namn], rubriker[k] = k, v.strip()
                profilfält.add(k)
        for k, v in celler:
            if k in profilfält:
                continue
            namn = self.synonymer.get(normalisera_rubrik(v))
            if namn and namn not in kolumner:
                kolumner[namn] = k
                rubriker[k] = v.strip()
            elif not namn:
                okända.append((k, v.strip()))
                rubriker[k] = v.strip()
        return kolumner, rubriker, okända

    def hitta_rubrikrad(self, blad: Blad, huvud: list[list], sammanslagna: list) -> None:
        """The header row: among the first rows, the one recognising most fields (then: most text cells).
        It needs one recognised field and two text cells, so that unrecognised columns can still be mapped."""
        huvud = [list(r) for r in huvud]
        for (r0, c0), (r1, c1) in sammanslagna:  # a merged header cell counts for every cell it spans
            if r0 >= len(huvud) or c0 >= len(huvud[r0]):
                continue
            värde = huvud[r0][c0]
            for r in range(r0, min(r1, len(huvud) - 1) + 1):
                rad = huvud[r]
                rad.extend([""] * (c1 + 1 - len(rad)))
                for c in range(c0, c1 + 1):
                    if rad[c] in ("", None):
                        rad[c] = värde
        bäst, bäst_poäng = None, (0, 1)
        for i, rad in enumerate(huvud):
            kolumner, rubriker, okända = self.känn_igen(rad)
            poäng = (len(kolumner), len(rubriker))
            if kolumner and poäng > bäst_poäng:
                bäst, bäst_poäng = (i, kolumner, rubriker, okända), poäng
        if bäst is None:
            return
        i, kolumner, rubriker, okända = bäst
        blad.rubrikrad, blad.kolumner, blad.rubriker, blad.okända = i + 1, kolumner, rubriker, okända
        blad.lästa = {f: k for f, k in kolumner.items() if self.per_namn[f].läses}
        blad.saknade = [f for f in self.fält if f.obligatorisk and f.namn not in kolumner]

    @staticmethod
    def rubrikkontroll(blad: Blad):
        """A test for repeated header rows (page breaks): most read cells equal their header text. Cheap for
        data rows: only a row whose first read cell equals its header is compared further."""
        rubriker = {f: normalisera_rubrik(blad.rubriker[k]) for f, k in blad.lästa.items()}
        if not rubriker:
            return lambda värden: False
        första_fält = min(blad.lästa, key=blad.lästa.get)
        första_rubrik = rubriker[första_fält]
        behövs = max(1, min(2, len(rubriker)), (len(rubriker) + 1) // 2)

        def upprepad(värden: dict[str, Any]) -> bool:
            v = värden.get(första_fält)
            if type(v) is not str or v[:1].lower() != första_rubrik[:1] or normalisera_rubrik(v) != första_rubrik:
                return False
            return (
                sum(1 for f, v in värden.items() if isinstance(v, str) and normalisera_rubrik(v) == rubriker[f])
                >= behövs
            )

        return upprepad
