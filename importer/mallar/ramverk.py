"""The shared framework of the template imports (``importer.mallar``: budget, helårsprognos, volymer och nyckeltal,
indikatorer) and the Kolada import (``importer.kolada``): reading and header matching, plans, the locking rule and
the preview/confirm service. One module per import kind builds on it.

Every import runs in three steps:

1. ``tolka``   read the file into plain rows (JSON-able: kept in the session between preview and confirm;
               the uploaded file itself is not kept), with per-row errors naming sheet, row and column;
2. ``planera`` compare the rows with what is stored: created / changed (old → new) / unchanged, and the
               errors only the database can tell (unknown verksamhetsområde, closed period, fastställd report);
3. ``bekräfta`` plan again inside one transaction, check that the plan is the one the user saw (a fingerprint),
               write with bulk operations, record history and one ``Importändring`` per changed figure.

Locking rule (applies to every template import and Kolada): a figure belongs to a period. Monthly figures
(prognos at a prognostillfälle, a month's volume) are locked when their month is closed; yearly figures
(budget, yearly volumes, indicator values) when the year is closed, i.e. when December is closed. Figures of
a fastställd report are locked as well (the edit guard, ``nämnd.vakt``, through ``Låsning``). Unchanged figures are never a problem, so the
same file can be imported again after closing.

Empty cells never erase stored values (a partial file is normal); figures not in the file are left alone.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from ekonomi.models import Budgetpost, Periodiseringsprofil, Prognos
from grund import historik
from grund.tal import IMPORTSUMMA, Talgräns
from nyckeltal.models import Indikatorvärde, Nyckeltalsvärde
from nämnd.behorighet import kan_importera
from nämnd.models import Kommun, Nämnd, Verksamhetsområde, koder
from nämnd.vakt import Vakt, Ändring
from rapporter.format import tal as formatera_tal
from rapporter.models import Egenrad

from .. import lasare
from ..lasare import Bladrader, Filfel, Radfel, kolumnbokstav, rubrik_och_enhet
from ..models import Import, Importprofil, Importändring
from ..resources import Mallresurs, tom
from ..utfall import Kodkarta

SKIPPA_BLAD = {"instruktioner", "giltiga värden", "anvisningar", "om tabellen"}


# --- reading ------------------------------------------------------------------------------------

# Template files are small: tighter limits than the ekonomisystem import (shown on the upload page).
GRÄNSER = lasare.Gränser(max_filstorlek=5 * lasare.MB, max_okomprimerat=50 * lasare.MB, max_rader=20_000)
MAX_FILSTORLEK = GRÄNSER.max_filstorlek
MAX_RADER = GRÄNSER.max_rader
SÖK_RUBRIK_RADER = GRÄNSER.rubriksök


def läs_tabeller(filnamn: str, innehåll: bytes) -> tuple[list[Bladrader], list[str]]:
    """The visible sheets of an uploaded .xlsx or .csv file as rows of cell values, and the reader's notes.

    Everything goes through the shared safe reader ``importer.lasare``: the type is decided by content, zip
    bombs, DTDs/entities, password protection and oversized sheets are refused, formulas are read through
    their cached values (a cell without one becomes ``lasare.Cellvärdesfel``). Merged cells in the header
    area count for every cell they span. Raises ``Filfel``."""
    return lasare.läs_bladrader(innehåll, filnamn, GRÄNSER)


# --- header recognition -------------------------------------------------------------------------


@dataclass
class Kolumnkarta:
    blad: str
    rubrikrad: int
    index: dict[str, int]  # field → column index
    rubriker: list[Any]
    enheter: dict[str, str | None] = field(default_factory=dict)
    okända: list[int] = field(default_factory=list)  # columns with a header that was not recognised
    kolumnfält: list[str] = field(default_factory=list)  # per column: field, "*" (``extra``) or ""

    def ref(self, fält: str) -> str:
        return self.kolumnref(self.index[fält])

    def kolumnref(self, i: int) -> str:
        """ "C (Belopp)": the column letter and its header as written (1, not 1.0)."""
        rubrik = self.rubriker[i]
        return f"{kolumnbokstav(i)} ({'' if isinstance(rubrik, lasare.Cellvärdesfel) else lasare.text(rubrik)})"

    def faktor(self, fält: str) -> int:
        return lasare.ENHETER.get(self.enheter.get(fält) or "kr", 1)

    def datarader(self, tabell: Bladrader):
        """(row number, cells) of the data rows under the header: empty rows and repeated headers left out."""
        for nummer, celler in tabell.rader:
            if nummer > self.rubrikrad and not all(tom(c) for c in celler) and not self.är_rubrikrad(celler):
                yield nummer, celler

    def är_rubrikrad(self, celler: list[Any]) -> bool:
        """A repeated header row (page break). Cheap test on one recognised column first."""
        if not hasattr(self, "_normaliserade"):
            self._normaliserade = [rubrik_och_enhet(c)[0] for c in self.rubriker]
        i = min(self.index.values())
        if (
            i >= len(celler)
            or not isinstance(celler[i], str)
            or rubrik_och_enhet(celler[i])[0] != self._normaliserade[i]
        ):
            return False
        return [rubrik_och_enhet(c)[0] for c in celler[: len(self.rubriker)]] == self._normaliserade


IGNORERA = "_ignorera"  # Importprofil.kolumner: headers the user chose not to use (a list), beside field → header


def _tolkning(synonymer: dict[str, tuple[str, ...]], profil: Importprofil | None, exklusiv: bool) -> dict[str, str]:
    """Normalised header → field. The profile's spellings first; ``exklusiv``: a field the profile maps is only
    recognised by the profile's header (and headers it ignores are not recognised), so a kommun's choice in the
    preview beats a synonym in the same row."""
    tolkning: dict[str, str] = {}
    egna: set[str] = set()
    kolumner = (profil.kolumner or {}) if profil is not None else {}
    for fält, rubrik in kolumner.items():
        if fält in synonymer and isinstance(rubrik, str):
            tolkning[rubrik_och_enhet(rubrik)[0]] = fält
            egna.add(fält)
    if exklusiv:
        for rubrik in kolumner.get(IGNORERA) or []:
            tolkning.setdefault(rubrik_och_enhet(rubrik)[0], "")
    for fält, stavningar in synonymer.items():
        if exklusiv and fält in egna:
            continue
        for s in stavningar:
            tolkning.setdefault(rubrik_och_enhet(s)[0], fält)
    return tolkning


@dataclass
class _Rubrikrad:
    index: dict[str, int]
    enheter: dict[str, str | None]
    dubbletter: dict[str, list[int]]
    har_extra: bool
    fält: list[str]  # per column: the field, "*" (a header ``extra`` recognises), "-" (the profile ignores it) or ""


def _läs_rubrikrad(celler: list[Any], tolkning: dict[str, str], extra: Callable[[Any], bool] | None) -> _Rubrikrad:
    r = _Rubrikrad({}, {}, defaultdict(list), False, [""] * len(celler))
    for i, cell in enumerate(celler):
        bas, enhet = rubrik_och_enhet(cell)
        if not bas:
            continue
        fält = tolkning.get(bas)
        if fält == "":  # the profile says: not used
            r.fält[i] = "-"
            continue
        if fält is None:
            if extra and extra(cell):
                r.har_extra, r.fält[i] = True, "*"
            continue
        r.fält[i] = fält
        r.dubbletter[fält].append(i)
        if fält not in r.index:
            r.index[fält], r.enheter[fält] = i, enhet
    return r


def _saknas(r: _Rubrikrad, krävs: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [alt for alt in krävs if not (any(f in r.index for f in alt) or (r.har_extra and "*" in alt))]


def hitta_kolumner(
    tabell: Bladrader,
    synonymer: dict[str, tuple[str, ...]],
    krävs: Iterable[tuple[str, ...]],
    profil: Importprofil | None = None,
    extra: Callable[[Any], bool] | None = None,
) -> Kolumnkarta | None:
    """The first row (of the first ``SÖK_RUBRIK_RADER``) whose headers name every required field.

    ``synonymer``: field → recognised spellings; a kommun's import profile adds its own spellings first (and
    where its mapping reads the sheet, a field it maps is recognised only by its header; otherwise the sheet is
    read as without the profile's exclusivity, so a standard template still reads with a profile chosen).
    ``extra``: headers the caller recognises itself (wide month/year columns); they count as a match."""
    krävs = list(krävs)
    försök = [True, False] if profil is not None and profil.kolumner else [False]
    for exklusiv in försök:
        tolkning = _tolkning(synonymer, profil, exklusiv)
        for nummer, celler in tabell.rader[:SÖK_RUBRIK_RADER]:
            r = _läs_rubrikrad(celler, tolkning, extra)
            if _saknas(r, krävs):
                continue
            for fält, platser in r.dubbletter.items():
                if len(platser) > 1:
                    raise Filfel(
                        f"Kolumnen för {fält} finns flera gånger på rad {nummer}"
                        f"{' i bladet ' + tabell.namn if tabell.namn else ''}: "
                        + ", ".join(kolumnbokstav(p) for p in platser)
                        + "."
                    )
            okända = [i for i, c in enumerate(celler) if not r.fält[i] and rubrik_och_enhet(c)[0]]
            return Kolumnkarta(tabell.namn, nummer, r.index, list(celler), r.enheter, okända, r.fält)
    return None


@dataclass
class Rubrikkandidat:
    """The header row a user maps in the preview: the best candidate when no row had every required column
    (most recognised headers), or a recognised header row with headers that were not recognised."""

    blad: str
    rad: int
    rubriker: list[str]  # as written ("" for an empty cell)
    fält: list[str]  # per column: the recognised field, "*" (recognised by the import itself), "-" (ignored) or ""
    saknas: list[list[str]]  # required alternatives without a column
    öppen: bool = True  # shown open in the preview (something is missing or not recognised)

    def som_json(self) -> dict:
        return asdict(self)


def _rubriktext(cell: Any) -> str:
    if cell is None or isinstance(cell, lasare.Cellvärdesfel):
        return ""
    return lasare.text(cell).strip()


def bästa_rubrikrad(
    tabeller: list[Bladrader],
    synonymer: dict[str, tuple[str, ...]],
    krävs: Iterable[tuple[str, ...]],
    profil: Importprofil | None = None,
    extra: Callable[[Any], bool] | None = None,
) -> Rubrikkandidat | None:
    """The row (of the first ``SÖK_RUBRIK_RADER`` of each sheet) with the most recognised headers; on a tie the
    first; with none recognised anywhere the first row with at least two text cells."""
    krävs = list(krävs)
    tolkning = _tolkning(synonymer, profil, False)
    bäst: tuple[tuple[int, int, int], Bladrader, int, list[Any], _Rubrikrad] | None = None
    for tabell in tabeller:
        if tabell.namn.strip().lower() in SKIPPA_BLAD:
            continue
        for nummer, celler in tabell.rader[:SÖK_RUBRIK_RADER]:
            r = _läs_rubrikrad(celler, tolkning, extra)

            # headers written as text count first: a data row of numbers may look like month headers (1, 2 …)
            def är_text(c: Any) -> bool:
                return isinstance(c, str) and bool(c.strip()) and not c.strip().isdigit()

            text = sum(1 for f, c in zip(r.fält, celler, strict=False) if f not in ("", "-") and är_text(c))
            igenkända = sum(1 for f in r.fält if f not in ("", "-"))
            poäng = (text, 1 if sum(1 for c in celler if är_text(c)) >= 2 else 0, igenkända)
            if poäng > (0, 0, 0) and (bäst is None or poäng > bäst[0]):
                bäst = (poäng, tabell, nummer, celler, r)
    if bäst is None:
        return None
    _, tabell, nummer, celler, r = bäst
    rubriker = [_rubriktext(c) for c in celler]
    while rubriker and not rubriker[-1]:
        rubriker.pop()
    return Rubrikkandidat(
        tabell.namn, nummer, rubriker, r.fält[: len(rubriker)], [list(alt) for alt in _saknas(r, krävs)]
    )


def rubrikfel(kandidat: Rubrikkandidat | None, namn: dict[str, str], krävs: Iterable[tuple[str, ...]]) -> str:
    """Swedish: which required columns are missing, and the headers of the best candidate row."""

    def alternativ(alt) -> str:
        return " eller ".join(namn.get(f, "kolumner per månad eller år" if f == "*" else f) for f in alt)

    if kandidat is None:
        krav = [alternativ(alt) for alt in krävs]
        return (
            f"Hittade ingen rubrikrad med kolumnerna {', '.join(krav)} (sökte i de första {SÖK_RUBRIK_RADER} "
            "raderna på varje blad). Ladda ner importmallen för att se vilka kolumner som behövs."
        )
    saknade = [alternativ(alt) for alt in kandidat.saknas]
    if len(saknade) == 1:
        text = f"Kolumnen för {saknade[0]} saknas."
    else:
        text = f"Kolumnerna för {', '.join(saknade[:-1])} och {saknade[-1]} saknas."
    plats = f"rad {kandidat.rad}" + (f" i bladet {kandidat.blad}" if kandidat.blad else "")
    rubriker = ", ".join(r for r in kandidat.rubriker if r) or "(tomma)"
    return (
        f"{text} Rubrikerna på {plats} är: {rubriker}. Välj vad kolumnerna innehåller under ”Kolumner” nedan, "
        "eller ladda ner importmallen för att se vilka kolumner som behövs."
    )


def kandidat_från_karta(karta: Kolumnkarta, tabell: Bladrader) -> Rubrikkandidat:
    """A recognised header row as the preview's mapping; open when some headers were not recognised (optional
    columns the user may map)."""
    rubriker = [_rubriktext(c) for c in karta.rubriker]
    while rubriker and not rubriker[-1]:
        rubriker.pop()
    fält = list(karta.kolumnfält[: len(rubriker)])
    return Rubrikkandidat(tabell.namn, karta.rubrikrad, rubriker, fält, [], öppen=bool(karta.okända))


# --- parsed rows and plans ----------------------------------------------------------------------


@dataclass
class Tolkat:
    """What ``tolka`` read: plain rows (JSON-able), per-row errors, notes and column references."""

    rader: list[dict] = field(default_factory=list)
    fel: list[Radfel] = field(default_factory=list)
    antal_rader: int = 0
    noteringar: list[str] = field(default_factory=list)
    kolumner: dict[str, dict[str, str]] = field(default_factory=dict)  # blad → field → "C (Belopp)"
    kolumnval: dict | None = None  # Rubrikkandidat.som_json(): the header row the preview offers to map

    def fel_för(self, rad: dict, fält: str | None, text: str) -> Radfel:
        return Radfel(
            rad.get("blad") or None, rad.get("rad"), self.kolumner.get(rad.get("blad", ""), {}).get(fält), text
        )

    def som_json(self) -> dict:
        return {
            "rader": self.rader,
            "fel": [asdict(f) for f in self.fel],
            "antal_rader": self.antal_rader,
            "noteringar": self.noteringar,
            "kolumner": self.kolumner,
            "kolumnval": self.kolumnval,
        }

    @classmethod
    def från_json(cls, data: dict) -> Tolkat:
        fel = [Radfel(**{("meddelande" if k == "text" else k): v for k, v in f.items()}) for f in data["fel"]]
        return cls(data["rader"], fel, data["antal_rader"], data["noteringar"], data["kolumner"], data.get("kolumnval"))


@dataclass
class Postplan:
    """One object the import creates or changes, and the figures that change on it (beskrivning, old, new)."""

    objekt: models.Model
    ny: bool
    fält: tuple[str, ...]
    ändringar: list[tuple[str, str, str]]
    borttagen: bool = False  # a stored object the file replaces (e.g. budget per kostnadsslag): deleted

    @property
    def modell(self) -> type[models.Model]:
        return type(self.objekt)


@dataclass
class Plan:
    poster: list[Postplan] = field(default_factory=list)
    oförändrade: int = 0
    fel: list[Radfel] = field(default_factory=list)
    noteringar: list[str] = field(default_factory=list)
    summa: Decimal | None = None
    ändrad_etikett: str = "Ändrad"

    @property
    def skapade(self) -> list[Postplan]:
        return [p for p in self.poster if p.ny]

    @property
    def ändrade(self) -> list[Postplan]:
        return [p for p in self.poster if not p.ny]

    @property
    def rader(self) -> list[tuple[str, str, str, str]]:
        """Preview lines: (status, what, old, new)."""
        return [
            ("Ny" if p.ny else "Tas bort" if p.borttagen else self.ändrad_etikett, b, g, n)
            for p in self.poster
            for b, g, n in p.ändringar
        ]

    @property
    def fingeravtryck(self) -> str:
        """Identifies what the user saw in the preview: confirm refuses when the plan has changed since."""
        innehåll = [
            (p.modell.__name__, p.objekt.pk, p.ny, p.ändringar) + ((True,) if p.borttagen else ()) for p in self.poster
        ]
        return hashlib.sha256(json.dumps([innehåll, self.oförändrade], default=str).encode()).hexdigest()


@dataclass
class Kontext:
    kommun: Kommun
    nämnd: Nämnd | None  # the nämnd the import was started from (None: the management command)
    nämnder: list[Nämnd]  # whose figures the import may touch
    user: Any = None
    lås: bool = False  # plan with SELECT … FOR UPDATE (at confirm)

    def låst(self, qs: models.QuerySet) -> models.QuerySet:
        return qs.select_for_update(of=("self",)) if self.lås else qs


class Låsning:
    """The edit guard (``nämnd.vakt``) over the rows of one import: one ``Vakt`` per nämnd and year (two queries
    each), asked per changed row. Unchanged rows are never asked, so re-importing a locked year's file is fine."""

    def __init__(self) -> None:
        self._vakter: dict[tuple[int, int], Vakt] = {}

    def fel(self, nämnd: Nämnd, ändring: Ändring) -> str | None:
        nyckel = (nämnd.pk, ändring.år)
        if nyckel not in self._vakter:
            self._vakter[nyckel] = Vakt.för(None, nämnd, ändring.år)
        spärr = self._vakter[nyckel].spärr(ändring)
        return spärr.text if spärr else None


def i_lagrad_enhet(värde: str, karta: Kolumnkarta, fält: str, gräns: Talgräns) -> str:
    """A cleaned value in its column's unit ("Belopp helår (tkr)") → the stored unit (kr), rounded half up to
    the field's decimals. ``Talfel`` naming the range in the column's unit when the field cannot store it."""
    d, faktor = Decimal(värde), karta.faktor(fält)
    if faktor != 1:
        gräns.i_enhet(karta.enheter.get(fält) or "", faktor).kontrollera(d, decimaler="fria")
    return str(gräns.kontrollera(d * faktor, decimaler="avrunda"))


def importsumma(plan: Plan, summa: Decimal) -> Decimal | None:
    """The file's total for the Import record. One too large to store is an error in the file, not an overflow."""
    if IMPORTSUMMA.ryms(summa):
        return summa
    plan.fel.append(
        Radfel(
            None,
            None,
            None,
            f"Summan av beloppen i filen blir {visa(summa)} kr och {IMPORTSUMMA.för_stort(summa).orsak}.",
        )
    )
    return None


def visa(värde: Any) -> str:
    """A stored value as text for the preview and the audit trail."""
    if värde is None or värde == "":
        return "–"
    if isinstance(värde, Decimal):
        return formatera_tal(värde, 0 if värde == värde.to_integral_value() else 2)
    return str(värde)


def _kort(text: str, längd: int) -> str:
    return text if len(text) <= längd else text[: längd - 1] + "…"


def nyckeltext(text: str) -> str:
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


# --- the import kinds: the base class and what they share ---------------------------------------------------------------------------

IMPORTTYPER: dict[str, type[Importtypdef]] = {}  # filled by the subclasses (importer.apps loads them all)


def importtyp(typ: str) -> Importtypdef:
    if typ not in IMPORTTYPER:
        from .egentabell import Egentabellimport  # a kommun's own table: "e<tabell>-<år>"

        if (egen := Egentabellimport.från_typ(typ)) is not None:
            return egen
        raise KeyError(typ)
    return IMPORTTYPER[typ]()


class Importtypdef:
    """One kind of import. Subclasses implement ``tolka_tabeller`` (or ``tolka``) and ``planera``."""

    typ: ClassVar[str]
    titel: ClassVar[str]
    filtyper: ClassVar[tuple[str, ...]] = (".xlsx", ".csv")
    resurs: ClassVar[type[Mallresurs] | None] = None
    period_vid_uppladdning: ClassVar[bool] = False  # the upload form asks for a month ("ÅÅÅÅ-MM", ``val["period"]``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "typ" in cls.__dict__:
            IMPORTTYPER[str(cls.typ)] = cls

    # Choices made on upload (e.g. the prognostillfälle of a file without a Månad column): set by the service
    # before reading, kept in the session with the file's cells so that a new column mapping reads the same way.
    val: dict[str, Any] = {}  # never mutated: the service assigns a new dict
    # The sheets last read by ``tolka`` (the preview keeps them for the column mapping); not JSON.
    tabeller: list[Bladrader] | None = None

    def tolka(self, filnamn: str, innehåll: bytes, profil: Importprofil | None = None) -> Tolkat:
        try:
            tabeller, meddelanden = läs_tabeller(filnamn, innehåll)
            self.tabeller = tabeller
            tolkat = self.tolka_tabeller(tabeller, profil)
        except Filfel as e:
            return Tolkat(fel=[Radfel(None, None, None, str(e))])
        tolkat.noteringar[:0] = meddelanden
        return tolkat

    def tolka_om(self, tabeller: list[Bladrader], profil: Importprofil | None) -> Tolkat:
        """The same sheets read again (with a new column mapping)."""
        try:
            return self.tolka_tabeller(tabeller, profil)
        except Filfel as e:
            return Tolkat(fel=[Radfel(None, None, None, str(e))])

    def tolka_tabeller(self, tabeller: list[Bladrader], profil: Importprofil | None) -> Tolkat:
        raise NotImplementedError

    def kontext(self, user, nämnd: Nämnd) -> Kontext:
        return Kontext(nämnd.kommun, nämnd, [nämnd], user)

    def planera(self, ctx: Kontext, tolkat: Tolkat) -> Plan:
        raise NotImplementedError

    # --- columns: what the preview's mapping offers ---

    def _resurs(self) -> Mallresurs:
        if self.resurs is None:
            raise NotImplementedError(f"{type(self).__name__} has no Resource: override the column methods")
        return self.resurs()

    def synonymer(self) -> dict[str, tuple[str, ...]]:
        return self._resurs().alla_synonymer()

    def krav(self) -> tuple[tuple[str, ...], ...]:
        return self._resurs().krävs

    def fältnamn(self) -> dict[str, str]:
        """field → the column's name in the template."""
        return self._resurs().kolumnnamn()

    def kolumnfält(self) -> list[tuple[str, str]]:
        """(field, label) for the mapping's selects; required fields marked."""
        namn, krav = self.fältnamn(), self.krav()
        val = []
        for fält, text in namn.items():
            alt = next((a for a in krav if fält in a), None)
            if alt is not None and len(alt) == 1:
                text += " (krävs)"
            elif alt is not None:
                andra = [namn.get(f, "kolumner per månad eller år" if f == "*" else f) for f in alt if f != fält]
                text += f" (krävs, eller {' eller '.join(andra)})"
            val.append((fält, text))
        return val

    def rubrikfel(self, tolkat: Tolkat, tabeller: list[Bladrader], profil: Importprofil | None, extra=None) -> None:
        """No sheet had the required columns: the error naming what is missing, and the candidate row to map."""
        kandidat = bästa_rubrikrad(tabeller, self.synonymer(), self.krav(), profil, extra)
        tolkat.fel.append(Radfel(None, None, None, rubrikfel(kandidat, self.fältnamn(), self.krav())))
        if kandidat is not None:
            tolkat.kolumnval = kandidat.som_json()

    # shared helper for the Resource-based templates
    def tolka_med_resurs(
        self, tabeller: list[Bladrader], profil: Importprofil | None, efter: Callable | None = None
    ) -> Tolkat:
        """Read every sheet that has the template's headers; each cell is cleaned by the Resource's widget.
        ``efter(rad, karta, tolkat, celler)`` finishes a row (units, checks) and returns False to drop it."""
        resurs = self._resurs()
        synonymer, krav = self.synonymer(), self.krav()
        tolkat = Tolkat()
        hittade = False
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(tabell, synonymer, krav, profil)
            if karta is None:
                continue
            if not hittade:
                tolkat.kolumnval = kandidat_från_karta(karta, tabell).som_json()
            hittade = True
            tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
            for nummer, celler in karta.datarader(tabell):
                tolkat.antal_rader += 1
                rad: dict[str, Any] = {"blad": tabell.namn, "rad": nummer}
                ok = True
                for fält, i in karta.index.items():
                    cell = celler[i] if i < len(celler) else None
                    try:
                        if isinstance(cell, lasare.Cellvärdesfel):
                            raise ValueError(str(cell))
                        värde = resurs.rensa(fält, cell)
                    except ValueError as e:
                        tolkat.fel.append(Radfel(tabell.namn or None, nummer, karta.ref(fält), str(e)))
                        ok = False
                        continue
                    rad[fält] = str(värde) if isinstance(värde, Decimal) else värde
                if ok and (efter is None or efter(rad, karta, tolkat, celler) is not False):
                    tolkat.rader.append(rad)
        if not hittade:
            self.rubrikfel(tolkat, tabeller, profil)
        return tolkat


class Områden:
    """Verksamhetsområden of some nämnder, found by name or by an exact ansvars-/verksamhetskod (``hitta``), or a
    parsed row's name and/or ansvar/verksamhet codes with wildcards (``hitta_rad``). One query."""

    def __init__(self, nämnder: list[Nämnd]):
        self.alla = list(Verksamhetsområde.objects.filter(nämnd__in=nämnder).select_related("nämnd", "förälder"))
        self.per_id = {o.pk: o for o in self.alla}
        self._kodkartor: dict[bool, Kodkarta] = {}
        self.namn: dict[str, list[Verksamhetsområde]] = defaultdict(list)
        self.kod: dict[str, list[Verksamhetsområde]] = defaultdict(list)
        for o in self.alla:
            self.namn[nyckeltext(o.namn)].append(o)
            for k in {*koder(o.ansvarskoder), *koder(o.verksamhetskoder)}:
                if "*" not in k:
                    self.kod[k.casefold()].append(o)

    def hitta(self, text: str, år: int | None) -> tuple[Verksamhetsområde | None, str | None]:
        kandidater = self.namn.get(nyckeltext(text)) or self.kod.get(text.strip().casefold()) or []
        if år is not None and len(kandidater) > 1:
            kandidater = [o for o in kandidater if o.gäller(år)] or kandidater
        if not kandidater:
            return None, f"Verksamhetsområdet {text!r} finns inte i nämnden (varken som namn eller kod)."
        if len(kandidater) > 1:
            return None, (
                f"{text!r} passar flera verksamhetsområden ("
                + ", ".join(f"{o.namn} under {o.förälder or 'toppnivån'}" for o in kandidater)
                + "). Ange en kod som bara hör till ett av dem."
            )
        o = kandidater[0]
        if år is not None and not o.gäller(år):
            return None, f"Verksamhetsområdet {o.namn} gäller inte år {år}."
        return o, None

    def hitta_rad(self, rad: dict, år: int | None) -> tuple[Verksamhetsområde | None, str | None]:
        """The area of a parsed row: by ``rad["område"]`` (a name or an exact code, ``hitta``) and/or by
        ``rad["ansvar"]`` / ``rad["verksamhet"]`` (codes), matched with the utfall import's rules
        (``importer.utfall.Kodkarta``: exact or wildcard ``74*``, the most specific wins, a tie is an error).
        When a row has both a name and codes they must point at the same area. (area, None) or (None, error)."""
        ansvar = _kodtext(rad.get("ansvar"))
        verksamhet = _kodtext(rad.get("verksamhet"))
        namn = _kodtext(rad.get("område"))
        if not ansvar and not verksamhet:
            if not namn:
                return None, "Ange verksamhetsområde, ansvar eller verksamhet."
            return self.hitta(namn, år)
        o, fel = self._hitta_kod(ansvar, verksamhet, år)
        if fel and not namn and not (ansvar and verksamhet):
            # one code column whose value is not a code of any area: it may be a name ("Verksamhet": Hemtjänst)
            via_namn, _ = self.hitta(ansvar or verksamhet, år)
            if via_namn is not None:
                return via_namn, None
        if fel or not namn:
            return o, fel
        via_namn, fel = self.hitta(namn, år)
        if fel:
            return None, fel
        if via_namn is not None and o is not None and via_namn.pk != o.pk:
            return None, (
                f"Verksamhetsområdet {namn!r} stämmer inte med koderna ({_koder_text(ansvar, verksamhet)}), "
                f"som hör till {o.namn}."
            )
        return o, None

    def _hitta_kod(self, ansvar: str, verksamhet: str, år: int | None) -> tuple[Verksamhetsområde | None, str | None]:
        nyckel = år is not None
        if nyckel not in self._kodkartor:
            self._kodkartor[nyckel] = Kodkarta(
                {
                    "id": o.pk,
                    "namn": o.namn,
                    "nämnd_id": o.nämnd_id,
                    "från_år": o.från_år if år is not None else None,
                    "till_år": o.till_år if år is not None else None,
                    "ansvarskoder": o.ansvarskoder,
                    "verksamhetskoder": o.verksamhetskoder,
                }
                for o in self.alla
                if not o.ej_fördelat
            )
        träffar = self._kodkartor[nyckel].hitta(ansvar, verksamhet, år or 0)
        text = _koder_text(ansvar, verksamhet)
        if not träffar:
            return None, (
                f"{text[:1].upper()}{text[1:]} hör inte till något verksamhetsområde i nämnden"
                + (f" år {år}" if år is not None else "")
                + ". Lägg till koden på ett verksamhetsområde eller rätta filen."
            )
        if len(träffar) > 1:
            return None, (
                f"{text[:1].upper()}{text[1:]} passar lika bra på flera verksamhetsområden ("
                + ", ".join(o.namn for o in träffar)
                + "). Gör koderna entydiga (en exakt kod går före 74*, ett längre prefix före ett kortare)."
            )
        return self.per_id[träffar[0].id], None


def _kodtext(värde: Any) -> str:
    if tom(värde):
        return ""
    if isinstance(värde, float) and värde == int(värde):
        värde = int(värde)
    return " ".join(str(värde).split())


def _koder_text(ansvar: str, verksamhet: str) -> str:
    return " och ".join(
        t for t in (f"ansvar {ansvar}" if ansvar else "", f"verksamhet {verksamhet}" if verksamhet else "") if t
    )


def _dubblett(sedda: dict, nyckel, rad: dict) -> str | None:
    """Where ``nyckel`` was first seen ("2", or "2 i bladet X" on another sheet), or None (and remember it)."""
    if nyckel in sedda:
        blad, nummer = sedda[nyckel]
        return str(nummer) if blad == rad.get("blad") else f"{nummer} i bladet {blad or 'CSV'}"
    sedda[nyckel] = (rad.get("blad"), rad["rad"])
    return None


# --- the service: preview and confirm -----------------------------------------------------------


def kräv_import(user, nämnd: Nämnd) -> None:
    if not kan_importera(user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")


class InteBekräftad(ValidationError):
    pass


@dataclass
class Granskning:
    imp: Import
    tolkat: Tolkat
    plan: Plan
    tabeller: list[Bladrader] | None = None  # the file's cells (for a new column mapping); not on every path

    @property
    def fel(self) -> list[Radfel]:
        return sorted([*self.tolkat.fel, *self.plan.fel], key=lambda f: (f.blad or "", f.rad or 0, f.kolumn or ""))

    @property
    def kan_bekräftas(self) -> bool:
        return not self.fel and bool(self.plan.poster)


def _antal_felrader(fel: list[Radfel]) -> int:
    return len({(f.blad, f.rad) for f in fel})


def förhandsgranska(
    user,
    nämnd: Nämnd,
    typ: str,
    filnamn: str,
    innehåll: bytes,
    profil: Importprofil | None = None,
    val: dict[str, Any] | None = None,
) -> Granskning:
    """Read and plan an uploaded file; record the attempt as an Import (status förhandsgranskad, or fel).
    Nothing else is written. ``val``: choices made on upload (``Importtypdef.val``)."""
    kräv_import(user, nämnd)
    definition = importtyp(typ)
    definition.val = dict(val or {})
    tolkat = definition.tolka(filnamn, innehåll, profil)
    ctx = definition.kontext(user, nämnd)
    plan = definition.planera(ctx, tolkat) if tolkat.rader else Plan()
    imp = Import(
        kommun=nämnd.kommun,
        nämnd=nämnd,
        typ=definition.typ,
        profil=profil,
        filnamn=_kort(filnamn, 255),
        sha256=hashlib.sha256(innehåll).hexdigest(),
        användare=user,
        **granskningsfält(tolkat, plan),
    )
    # bulk_create, not save(): the record of a preview is not report data, so no signal bumps the kommun's
    # data version (which would throw away every cached report of the kommun).
    Import.objects.bulk_create([imp])
    return Granskning(imp, tolkat, plan, definition.tabeller)


# --- the column mapping: the file's cells kept between preview and confirm, the kommun's profile ----------------

PROFILNAMN = "Sparad kolumnmappning"
MAX_SPARADE_CELLER = 400_000  # 20 000 rows × 20 columns; a larger file is mapped by saving and uploading again


def _packa(c: Any) -> Any:
    if c is None or isinstance(c, (str, int, float)):
        return c
    if isinstance(c, Decimal):
        return {"d": str(c)}
    if isinstance(c, dt.datetime):
        return {"dt": c.isoformat()}
    if isinstance(c, dt.date):
        return {"da": c.isoformat()}
    if isinstance(c, dt.time):
        return {"ti": c.isoformat()}
    if isinstance(c, lasare.Cellvärdesfel):
        return {"cf": [c.slag, c.text]}
    return str(c)


def _packa_upp(c: Any) -> Any:
    if not isinstance(c, dict):
        return c
    if "d" in c:
        return Decimal(c["d"])
    if "dt" in c:
        return dt.datetime.fromisoformat(c["dt"])
    if "da" in c:
        return dt.date.fromisoformat(c["da"])
    if "ti" in c:
        return dt.time.fromisoformat(c["ti"])
    return lasare.Cellvärdesfel(*c["cf"])


def packa_tabeller(tabeller: list[Bladrader] | None) -> str | None:
    """The file's cells as compressed JSON text for the session (the file itself is not kept), or None when the
    file is too large to keep (``MAX_SPARADE_CELLER``)."""
    if tabeller is None or sum(len(c) for t in tabeller for _, c in t.rader) > MAX_SPARADE_CELLER:
        return None
    data = [[t.namn, [[n, [_packa(c) for c in celler]] for n, celler in t.rader]] for t in tabeller]
    return base64.b64encode(zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)).decode("ascii")


def packa_upp_tabeller(text: str) -> list[Bladrader]:
    data = json.loads(zlib.decompress(base64.b64decode(text)))
    return [Bladrader(namn, [(n, [_packa_upp(c) for c in celler]) for n, celler in rader]) for namn, rader in data]


def importprofil_för(kommun: Kommun, typ: str) -> Importprofil | None:
    """The kommun's saved column mapping of a kind (used automatically on the next upload), else its first profile."""
    profiler = list(Importprofil.objects.filter(kommun=kommun, typ=typ).order_by("namn"))
    return next((p for p in profiler if p.namn == PROFILNAMN), profiler[0] if profiler else None)


def spara_kolumnmappning(
    user, imp: Import, kolumnval: dict, valda_fält: dict[int, str], val: dict[str, Any] | None = None
) -> Importprofil:
    """Save what the user chose in the preview (column index → field, "" = not used) for the header row
    ``kolumnval`` (``Rubrikkandidat.som_json``) on the kommun's profile of the import's kind: the import's own
    profile, or the one named ``PROFILNAMN`` (created). Refused (``ValidationError``, nothing saved) when a field
    is chosen twice or a required field has no column."""
    kräv_import(user, imp.nämnd)
    definition = importtyp(imp.typ)
    definition.val = dict(val or {})
    return spara_profilkolumner(imp, kolumnval, valda_fält, definition.krav(), definition.fältnamn())


def spara_profilkolumner(
    imp: Import,
    kolumnval: dict,
    valda_fält: dict[int, str],
    krav: Iterable[tuple[str, ...]],
    fältnamn: dict[str, str],
) -> Importprofil:
    """The mapping saved on the import's kommun profile (see ``spara_kolumnmappning``); for imports outside the
    template framework too (the organisation import). The caller checks the user's right first."""
    namn = fältnamn
    rubriker: list[str] = list(kolumnval.get("rubriker") or [])
    igenkända: list[str] = list(kolumnval.get("fält") or [])
    valda: dict[str, int] = {}
    for i, fält in sorted(valda_fält.items()):
        if not fält or not 0 <= i < len(rubriker):
            continue
        if fält not in namn:
            raise ValidationError(f"Okänt fält {fält!r}.")
        if fält in valda:
            raise ValidationError(
                f"{namn.get(fält, fält)} är vald för två kolumner "
                f"(”{rubriker[valda[fält]]}” och ”{rubriker[i]}”). Välj den för en kolumn."
            )
        valda[fält] = i
    har_extra = "*" in igenkända
    saknas = [a for a in krav if not any(f in valda for f in a) and not (har_extra and "*" in a)]
    if saknas:
        raise ValidationError(
            "Välj en kolumn för "
            + " och ".join(" eller ".join(namn.get(f, f) for f in a if f != "*") for a in saknas)
            + "."
        )
    normaliserade = {rubrik_och_enhet(r)[0] for r in rubriker if r}
    with transaction.atomic():
        profil = imp.profil if imp.profil is not None and imp.profil.typ == imp.typ else None
        if profil is None or profil.kommun_id != imp.kommun_id:
            profil, _ = Importprofil.objects.get_or_create(kommun_id=imp.kommun_id, typ=imp.typ, namn=PROFILNAMN)
        gamla = dict(profil.kolumner or {})
        kolumner: dict[str, Any] = {
            f: r
            for f, r in gamla.items()
            if f != IGNORERA and f not in valda and rubrik_och_enhet(r)[0] not in normaliserade
        }
        for fält, i in valda.items():
            kolumner[fält] = rubriker[i]
        ignorera = [r for r in gamla.get(IGNORERA) or [] if rubrik_och_enhet(r)[0] not in normaliserade]
        # every header shown and left as "Används inte" (recognised or not) is remembered as not used, so the next
        # upload of the same shape has nothing unrecognised and the mapping stays closed
        ignorera += [
            rubriker[i]
            for i in range(len(rubriker))
            if rubriker[i] and not valda_fält.get(i) and (i >= len(igenkända) or igenkända[i] != "*")
        ]
        if ignorera:
            kolumner[IGNORERA] = ignorera
        profil.kolumner = kolumner
        profil.save()
        Import.objects.filter(pk=imp.pk).update(profil=profil)
        imp.profil = profil
    return profil


def läs_om(user, imp: Import, tabeller: list[Bladrader], val: dict[str, Any] | None = None) -> Granskning:
    """The preview of the same file's cells read again with the import's (new) profile; the Import record's
    counts and status follow. Nothing else is written."""
    kräv_import(user, imp.nämnd)
    if imp.status not in (Import.Status.FEL, Import.Status.FÖRHANDSGRANSKAD):
        raise InteBekräftad(f"Importen är redan {imp.get_status_display().lower()}.")
    definition = importtyp(imp.typ)
    definition.val = dict(val or {})
    tolkat = definition.tolka_om(tabeller, imp.profil)
    ctx = definition.kontext(user, imp.nämnd)
    plan = definition.planera(ctx, tolkat) if tolkat.rader else Plan()
    spara_granskningsfält(imp, tolkat, plan)
    return Granskning(imp, tolkat, plan, tabeller)


def ta_bort_importprofil(user, nämnd: Nämnd, profil: Importprofil) -> None:
    """Remove a saved column mapping of the nämnd's kommun (imports that used it keep their record)."""
    kräv_import(user, nämnd)
    if profil.kommun_id != nämnd.kommun_id:
        raise PermissionDenied("Importprofilen hör till en annan kommun.")
    profil.delete()


def granska(user, imp: Import, tolkat: Tolkat) -> Granskning:
    """The preview again (e.g. on reload): planned against the database as it is now."""
    kräv_import(user, imp.nämnd)
    definition = importtyp(imp.typ)
    return Granskning(imp, tolkat, definition.planera(definition.kontext(user, imp.nämnd), tolkat))


def bekräfta(user, imp: Import, tolkat: Tolkat, fingeravtryck: str) -> Import:
    """Write what the preview showed, all or nothing."""
    definition = importtyp(imp.typ)
    with transaction.atomic():
        imp = Import.objects.select_for_update(of=("self",)).select_related("nämnd__kommun").get(pk=imp.pk)
        kräv_import(user, imp.nämnd)
        kräv_förhandsgranskad(imp)
        ctx = definition.kontext(user, imp.nämnd)
        ctx.lås = True
        plan = definition.planera(ctx, tolkat)
        kräv_samma_plan(tolkat, plan, fingeravtryck, "Uppgifterna")
        skriv(plan, imp, user)
        markera_genomförd(imp, plan)
    return imp


# --- the Import record through preview and confirm (every file import: the template imports and the organisation) ---


def granskningsfält(tolkat: Tolkat, plan: Plan) -> dict[str, Any]:
    """The Import record's status, counts, file total and first errors after reading and planning a file."""
    fel = [*tolkat.fel, *plan.fel]
    return {
        "status": Import.Status.FEL if fel else Import.Status.FÖRHANDSGRANSKAD,
        "antal_rader": tolkat.antal_rader,
        "antal_skapade": len(plan.skapade),
        "antal_ändrade": len(plan.ändrade),
        "antal_oförändrade": plan.oförändrade,
        "antal_fel": _antal_felrader(fel),
        "summa_fil": plan.summa,
        "meddelande": _kort("\n".join(str(f) for f in fel[:20]), 4000),
    }


def spara_granskningsfält(imp: Import, tolkat: Tolkat, plan: Plan) -> None:
    """The same upload read again (another column mapping): the record follows. update(), not save(): the record
    of a preview is not report data (see förhandsgranska)."""
    ändrat = granskningsfält(tolkat, plan)
    Import.objects.filter(pk=imp.pk).update(**ändrat)
    for k, v in ändrat.items():
        setattr(imp, k, v)


def kräv_förhandsgranskad(imp: Import) -> None:
    """Only a previewed import without errors can be confirmed (``InteBekräftad`` otherwise)."""
    if imp.status == Import.Status.FEL:
        raise InteBekräftad("Filen har fel och kan inte importeras. Rätta filen och ladda upp den igen.")
    if imp.status != Import.Status.FÖRHANDSGRANSKAD:
        raise InteBekräftad(f"Importen är redan {imp.get_status_display().lower()}.")


def kräv_samma_plan(tolkat: Tolkat, plan: Plan, fingeravtryck: str, vad: str) -> None:
    """The plan made again at confirm has no errors and is the one the user saw (``vad``: what may have changed)."""
    if tolkat.fel or plan.fel:
        raise InteBekräftad("Filen har fel och kan inte importeras. Rätta filen och ladda upp den igen.")
    if plan.fingeravtryck != fingeravtryck:
        raise InteBekräftad(
            f"{vad} har ändrats sedan förhandsgranskningen. Granska ändringarna igen innan du bekräftar."
        )


def markera_genomförd(imp: Import, plan: Plan) -> None:
    """The confirmed import's record (inside the confirm transaction). An Import is not report data: saving it
    leaves the data version alone (nämnd.dataversion.TENANT_APPS)."""
    imp.status, imp.genomförd = Import.Status.GENOMFÖRD, timezone.now()
    imp.antal_skapade, imp.antal_ändrade, imp.antal_oförändrade = len(plan.skapade), len(plan.ändrade), plan.oförändrade
    imp.antal_fel, imp.summa_fil, imp.meddelande = 0, plan.summa, ""
    imp.save(
        update_fields=[
            "status",
            "genomförd",
            "antal_skapade",
            "antal_ändrade",
            "antal_oförändrade",
            "antal_fel",
            "summa_fil",
            "meddelande",
        ]
    )


def avbryt(user, imp: Import) -> None:
    kräv_import(user, imp.nämnd)
    Import.objects.filter(pk=imp.pk, status=Import.Status.FÖRHANDSGRANSKAD).update(status=Import.Status.AVBRUTEN)


SKRIVORDNING = [Periodiseringsprofil, Budgetpost, Prognos, Nyckeltalsvärde, Indikatorvärde, Egenrad]


def skriv(plan: Plan, imp: Import, user) -> None:
    """Bulk writes per model (profiles before the budget posts that use them), history rows, and one
    Importändring per changed figure. Must run inside the confirm transaction."""
    orsak = _kort(f"Import {imp.pk}: {imp.filnamn}", 100)
    for modell in SKRIVORDNING:
        nya = [p.objekt for p in plan.poster if p.ny and p.modell is modell]
        ändrade = [p for p in plan.poster if not p.ny and not p.borttagen and p.modell is modell]
        if borttagna := [p.objekt for p in plan.poster if p.borttagen and p.modell is modell]:
            historik.radera(modell, borttagna, user, orsak)
        if nya:
            modell.objects.bulk_create(nya)
            if hasattr(modell, "history"):
                historik.registrera(modell, nya, historik.SKAPAD, user, orsak)
        if ändrade:
            fält = sorted({f for p in ändrade for f in p.fält})
            modell.objects.bulk_update([p.objekt for p in ändrade], fält)
            if hasattr(modell, "history"):
                historik.registrera(modell, [p.objekt for p in ändrade], historik.ÄNDRAD, user, orsak)
    Importändring.objects.bulk_create(
        Importändring(
            imp=imp,
            modell=p.modell.__name__,
            objekt_id=p.objekt.pk,
            beskrivning=_kort(b, 300),
            gammalt=_kort(g, 100),
            nytt=_kort(n, 100),
        )
        for p in plan.poster
        for b, g, n in p.ändringar
    )
