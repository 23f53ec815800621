"""Utfall from the ekonomisystem: a transaction or balance export (.xlsx/.csv) → monthly utfall per
verksamhetsområde and kostnadsslag. The streaming path: read rows (``importer.lasare``), aggregate in memory
(integer öre), plan against the database, write the aggregates with bulk operations in one transaction.

``importera_utfall(imp, data, user, spara=...)`` is the whole heavy path as a plain function (the view and a
background job call the same thing). Without ``spara`` it only plans (the preview); with it, it writes.

Decisions (see docs in the module functions):
- Rows map to verksamhetsområden by their ansvar and verksamhet codes (exact or prefix ``74*``); when
  several areas match, the most specific wins (an exact code beats a prefix, a longer prefix a shorter one,
  matching on both ansvar and verksamhet beats one of them); a tie is an error in the row.
- Kostnadsslag by konto ranges (``3000-3499, 3600, 36*``): the narrowest range wins; a konto outside every
  range is stored without kostnadsslag.
- Codes no area of the nämnd matches: if another nämnd of the kommun, or another kommun, uses them, the row
  is an error (a file for the wrong nämnd or kommun); otherwise the amount goes to the nämnd's
  "Ej fördelat" area (created on demand), listed per code. Avstämning: file = stored + ej fördelat.
- Re-import replaces, never adds: the file covers the months it has rows for, and the areas its rows map
  to (plus "Ej fördelat"); every stored utfall in those (area, month) cells — imported or typed — is
  replaced by the file's figures, and cells' figures the file no longer has are removed. The same file
  again changes nothing.
- Ackumulerat saldo: per code combination the saldo carries over months without rows; the month's value is
  the difference from the month before (for the file's first month: from what is stored before it).
- Motpart and text columns are recognised and never read. Only aggregates, the checksum and counts are kept.
- Jämförelsetal: rows of the year before the nämnd's first year (a nämnd created by a split, with a re-coded
  export of last year) are accepted for the nämnd's områden valid in its first year and stored on them; they
  are what that year's reports show as "föregående år" and are guarded as that year's figures (``vaktändringar``),
  so a closed or fastställd year of the predecessor does not refuse them and they never change its figures.
  Months of the first year before the nämnd began belong to the predecessor and are refused (docs/beslut.md,
  "Föregående år efter en delning").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ekonomi.models import Kostnadsslag, Utfall
from grund import historik
from grund.tal import BELOPP, IMPORTSUMMA
from nämnd.behorighet import kan_importera
from nämnd.models import Nämnd, Verksamhetsområde, koder
from nämnd.vakt import Slag, Vakt, Ändring
from rapporter.format import tal as formatera_tal

from . import lasare
from .lasare import Filfel, Fält, Radfel
from .models import Import, Importprofil, Importtyp, Importändring

FÄLT = [
    Fält(
        "period",
        "Period",
        (
            "månad",
            "per",
            "bokföringsperiod",
            "redovisningsperiod",
            "bokf period",
            "bokf.period",
            "period (ååååmm)",
            "år/månad",
            "år-månad",
            "datum",
            "bokföringsdatum",
        ),
        obligatorisk=True,
    ),
    Fält("år", "År", ("räkenskapsår", "bokföringsår")),
    Fält("ansvar", "Ansvar", ("ansvarsställe", "ansvarskod", "ansv", "ansvarsnummer", "ansvar kod")),
    Fält("verksamhet", "Verksamhet", ("vht", "verksamhetskod", "verks", "vht kod", "vhtkod", "verksamhet kod")),
    Fält("konto", "Konto", ("kontonummer", "kto", "baskonto", "konto kod")),
    Fält("motpart", "Motpart", ("mp", "motpartskod", "kund/leverantör", "leverantör", "kund"), läses=False),
    Fält("text", "Text", ("fritext", "beskrivning", "verifikationstext", "transaktionstext", "benämning"), läses=False),
    Fält(
        "belopp",
        "Belopp",
        (
            "utfall",
            "saldo",
            "summa",
            "netto",
            "ack utfall",
            "ack. utfall",
            "ackumulerat",
            "ackumulerat utfall",
            "periodens utfall",
            "belopp sek",
        ),
        obligatorisk=True,
    ),
]
FÄLTNAMN = {f.namn: f.rubrik for f in FÄLT}
EJ_FÖRDELAT = "Ej fördelat"
VISA_HÖGST_FEL = 500

MÅNADSNAMN = {
    "jan": 1,
    "januari": 1,
    "feb": 2,
    "februari": 2,
    "mar": 3,
    "mars": 3,
    "apr": 4,
    "april": 4,
    "maj": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "aug": 8,
    "augusti": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_ÅÅÅÅMM = re.compile(r"(\d{4})[-/. ]?(\d{1,2})")
_DATUM = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_MM_ÅÅÅÅ = re.compile(r"(\d{1,2})[-/. ](\d{4})")
_NAMN_ÅR = re.compile(r"([a-zåäö]+)\.?[-/ ]*(\d{4}|\d{2})")
_ÅR_NAMN = re.compile(r"(\d{4})[-/ ]*([a-zåäö]+)\.?")


class Importfel(ValidationError):
    """Confirm refused: nothing was written."""


# --- parsing ------------------------------------------------------------------------------------------------


def tolka_period(värde, år=None) -> tuple[int, int]:
    """(år, månad) from 202103, "2021-03", "2021/3", "03-2021", "mars 2021", "mar-21", 2021-03-31 (a date or
    date text), or a month (3, "mars") with the year in a separate column. ValueError in Swedish otherwise."""
    if isinstance(värde, dt.datetime | dt.date):
        return _giltig(värde.year, värde.month, värde)
    if isinstance(värde, lasare.Cellvärdesfel):
        raise ValueError(str(värde))
    text = lasare.text(värde).lower()
    if not text:
        raise ValueError("Perioden saknas.")
    for mönster, ordning in ((_DATUM, "åm"), (_ÅÅÅÅMM, "åm"), (_MM_ÅÅÅÅ, "må")):
        if m := mönster.fullmatch(text):
            å, mån = (m.group(1), m.group(2)) if ordning == "åm" else (m.group(2), m.group(1))
            return _giltig(int(å), int(mån), värde)
    for mönster, namn_först in ((_NAMN_ÅR, True), (_ÅR_NAMN, False)):
        if m := mönster.fullmatch(text):
            namn, å = (m.group(1), m.group(2)) if namn_först else (m.group(2), m.group(1))
            if namn in MÅNADSNAMN:
                return _giltig(int(å) + (2000 if len(å) == 2 else 0), MÅNADSNAMN[namn], värde)
    if år not in (None, "") and (text in MÅNADSNAMN or text.isdigit() and len(text) <= 2):
        try:
            å = int(lasare.text(år))
        except ValueError:
            raise ValueError(f"Året ”{lasare.text(år)}” känns inte igen.") from None
        return _giltig(å, MÅNADSNAMN.get(text) or int(text), värde)
    if text in MÅNADSNAMN or text.isdigit() and len(text) <= 2:
        raise ValueError(f"Perioden ”{text}” saknar år. Ange till exempel 2023-03, eller en kolumn med år.")
    raise ValueError(
        f"Perioden ”{lasare.text(värde)[:40]}” känns inte igen. Skriv till exempel 202303, 2023-03 eller mars 2023."
    )


def _giltig(år: int, månad: int, värde) -> tuple[int, int]:
    if not 1 <= månad <= 12 or not 2000 <= år <= 2100:
        raise ValueError(f"Perioden ”{lasare.text(värde)[:40]}” finns inte (månad 1–12, år 2000–2100).")
    return år, månad


def öre(värde) -> int:
    """An amount cell as integer öre, rounded half up (``lasare.tal``: Swedish text or an Excel number).
    ValueError in Swedish, naming the allowed range, for anything an utfall cannot store (``BELOPP``)."""
    if värde is None:
        raise ValueError("Beloppet saknas.")
    return int(lasare.tal(värde, BELOPP, decimaler="avrunda").scaleb(2))


def kr(öre_: int) -> Decimal:
    return Decimal(öre_).scaleb(-2)


def visa(belopp: Decimal | None) -> str:
    """An amount in kronor for the preview and the change log: "1 234,50"."""
    return "" if belopp is None else formatera_tal(belopp, 2)


# --- jämförelsetal: last year's figures of a new nämnd -----------------------------------------------------


def jämförelseår(nämnd: Nämnd) -> int:
    """The year before the nämnd's first year: its rows are jämförelsetal for the first year's reports."""
    return nämnd.giltig_från.year - 1


def kodår(nämnd: Nämnd, år: int) -> int:
    """The year whose områden and codes a row of ``år`` is mapped with: jämförelsetal go to the områden of the
    nämnd's first year, the reports that show them."""
    return år + 1 if år == jämförelseår(nämnd) else år


def vaktändringar(nämnd: Nämnd, år: int, månad: int) -> list[Ändring]:
    """What the edit guard is asked for an utfall of ``år``-``månad``. Jämförelsetal are guarded as figures of the
    year that shows them: locked by a fastställd report of that year (every one shows last year's helår) and by
    that year's month being closed; not by the closed or fastställd year they are dated (no report of the nämnd
    has that year, and the predecessor's figures are other rows)."""
    if år == jämförelseår(nämnd):
        return [Ändring(Slag.MÅNADSVÄRDE, år + 1, månad), Ändring(Slag.ÅRSVÄRDE, år + 1)]
    return [Ändring(Slag.MÅNADSVÄRDE, år, månad)]


def utanför_nämnden(nämnd: Nämnd, år: int, månad: int) -> str | None:
    """Why a row of ``år``-``månad`` cannot be the nämnd's, or None (it existed then, or the row is a jämförelsetal)."""
    if år == jämförelseår(nämnd) or månad in nämnd.månader(år):
        return None
    text = f"Nämnden fanns inte {år}-{månad:02d}"
    if år == nämnd.giltig_från.year:
        return (
            f"{text} (den började {nämnd.giltig_från.isoformat()}). Utfallet före det hör till föregångaren och "
            f"importeras där; jämförelsetal för föregående år tas emot för {jämförelseår(nämnd)}."
        )
    return f"{text}."


# --- mapping ------------------------------------------------------------------------------------------------


def _mönster(text: str) -> list[tuple[str, bool]]:
    return [(k[:-1], True) if k.endswith("*") else (k, False) for k in koder(text) if k.rstrip("*")]


def _poäng(mönster: list[tuple[str, bool]], kod: str) -> int | None:
    """How specifically ``kod`` matches: an exact code beats any prefix, a longer prefix a shorter one."""
    bäst = None
    for m, prefix in mönster:
        if prefix and kod.startswith(m):
            p = len(m)
        elif not prefix and kod == m:
            p = 1000 + len(m)
        else:
            continue
        bäst = p if bäst is None or p > bäst else bäst
    return bäst


@dataclass(frozen=True)
class Område:
    id: int
    namn: str
    nämnd_id: int
    från_år: int | None
    till_år: int | None
    ansvar: tuple[tuple[str, bool], ...]
    verksamhet: tuple[tuple[str, bool], ...]


class Kodkarta:
    """Which verksamhetsområde a row's (ansvar, verksamhet) belongs to, most specific match first."""

    def __init__(self, områden: Iterable[dict]):
        self.områden = [
            Område(
                o["id"],
                o["namn"],
                o["nämnd_id"],
                o["från_år"],
                o["till_år"],
                tuple(_mönster(o["ansvarskoder"])),
                tuple(_mönster(o["verksamhetskoder"])),
            )
            for o in områden
        ]
        self.områden = [o for o in self.områden if o.ansvar or o.verksamhet]
        self._cache: dict[tuple[str, str, int], list[Område]] = {}
        self._per_kod: dict[tuple[int, str], dict[int, int]] = {}

    @staticmethod
    def för(qs) -> Kodkarta:
        return Kodkarta(
            qs.exclude(ansvarskoder="", verksamhetskoder="").values(
                "id", "namn", "nämnd_id", "från_år", "till_år", "ansvarskoder", "verksamhetskoder"
            )
        )

    def hitta(self, ansvar: str, verksamhet: str, år: int) -> list[Område]:
        """The best matching areas (one, or several on a tie; none if nothing matches)."""
        nyckel = (ansvar, verksamhet, år)
        if (träff := self._cache.get(nyckel)) is not None:
            return träff
        per_ansvar = self._träffar(0, ansvar)
        per_vht = self._träffar(1, verksamhet)
        bäst, bästa = -1, []
        for i in per_ansvar.keys() | per_vht.keys():
            o = self.områden[i]
            if (o.ansvar and i not in per_ansvar) or (o.verksamhet and i not in per_vht):
                continue
            if (o.från_år and år < o.från_år) or (o.till_år and år > o.till_år):
                continue
            poäng = per_ansvar.get(i, 0) + per_vht.get(i, 0)
            if poäng > bäst:
                bäst, bästa = poäng, [o]
            elif poäng == bäst:
                bästa.append(o)
        bästa.sort(key=lambda o: o.id)
        self._cache[nyckel] = bästa
        return bästa

    def _träffar(self, dimension: int, kod: str) -> dict[int, int]:
        """{area index: how specifically its codes of one dimension (0 ansvar, 1 verksamhet) match ``kod``}."""
        if not kod:
            return {}
        nyckel = (dimension, kod)
        if (träffar := self._per_kod.get(nyckel)) is None:
            träffar = {}
            for i, o in enumerate(self.områden):
                mönster = o.verksamhet if dimension else o.ansvar
                if mönster and (p := _poäng(mönster, kod)) is not None:
                    träffar[i] = p
            self._per_kod[nyckel] = träffar
        return träffar


class Kontokarta:
    """Kostnadsslag by konto: ranges "3000-3499", single kontos "3600" (a konto starting with it) and "36*"."""

    def __init__(self, kostnadsslag: Iterable[Kostnadsslag]):
        self.intervall: list[tuple[float, int, str, str, int]] = []  # (share of the konto space, order, lo, hi, id)
        for ordning, ks in enumerate(kostnadsslag):
            for del_ in ks.konton.replace(";", ",").split(","):
                del_ = del_.strip().rstrip("*").strip()
                if not del_:
                    continue
                lo, _, hi = (d.strip() for d in del_.partition("-"))
                hi = hi or lo
                if not (lo.isdigit() and hi.isdigit()) or len(lo) != len(hi) or lo > hi:
                    continue
                andel = (int(hi) - int(lo) + 1) / 10 ** len(lo)
                self.intervall.append((andel, ordning, lo, hi, ks.id))
        self.intervall.sort()
        self._cache: dict[str, int | None] = {}

    def hitta(self, konto: str) -> int | None:
        if konto in self._cache:
            return self._cache[konto]
        siffror = re.match(r"\d*", konto).group(0)
        träff = None
        if siffror:
            for _, _, lo, hi, ks_id in self.intervall:
                if lo <= siffror[: len(lo)] <= hi and len(siffror) >= len(lo):
                    träff = ks_id
                    break
        self._cache[konto] = träff
        return träff


# --- result -------------------------------------------------------------------------------------------------


@dataclass(order=True)
class Oplacerad:
    """Rows whose codes match no area of the nämnd: summed per code, stored on "Ej fördelat"."""

    ansvar: str
    verksamhet: str
    belopp: Decimal
    rader: int

    @property
    def kod(self) -> str:
        delar = [
            f"ansvar {self.ansvar}" if self.ansvar else "",
            f"verksamhet {self.verksamhet}" if self.verksamhet else "",
        ]
        return ", ".join(d for d in delar if d)


@dataclass
class Figur:
    """One stored utfall the import creates, changes, keeps or removes."""

    område_id: int  # 0 = "Ej fördelat", created on confirm
    område: str
    år: int
    månad: int
    kostnadsslag_id: int | None
    kostnadsslag: str
    gammalt: Decimal | None
    nytt: Decimal | None
    utfall: Utfall | None = None

    @property
    def status(self) -> str:
        if self.gammalt is None:
            return "ny"
        if self.nytt is None:
            return "borttagen"
        return "oförändrad" if self.gammalt == self.nytt else "ändrad"

    @property
    def beskrivning(self) -> str:
        text = f"{self.område}, {self.år}-{self.månad:02d}"
        return f"{text}, {self.kostnadsslag}" if self.kostnadsslag else text


@dataclass
class Utfallsimport:
    """What a file means for the nämnd: the preview, and after confirm the record of what was written."""

    imp: Import
    filtyp: str = ""
    antal_rader: int = 0
    filfel: str = ""
    saknade: list[str] = field(default_factory=list)
    okända_rubriker: list[str] = field(default_factory=list)
    kolumner: dict[str, str] = field(default_factory=dict)  # fält → header as written
    fel: list[Radfel] = field(default_factory=list)
    antal_fel: int = 0
    allmänna_fel: list[str] = field(default_factory=list)
    meddelanden: list[str] = field(default_factory=list)
    figurer: list[Figur] = field(default_factory=list)
    oplacerade: list[Oplacerad] = field(default_factory=list)
    främmande_koder: list[Oplacerad] = field(default_factory=list)  # rows in error: codes of others
    konton_utan_slag: list[tuple[str, Decimal, int]] = field(default_factory=list)
    summa_fil: Decimal = Decimal(0)
    summa_lagrad: Decimal = Decimal(0)
    summa_ej_fördelad: Decimal = Decimal(0)
    beloppstyp: str = Importprofil.Beloppstyp.MÅNAD
    kostnader_negativa: bool = False
    tid: float = 0.0
    _rader: _Rader | None = field(default=None, repr=False)  # the aggregates, for planning

    @property
    def kan_genomföras(self) -> bool:
        return not (self.filfel or self.saknade or self.antal_fel or self.allmänna_fel) and bool(self.figurer)

    @property
    def ändringar(self) -> list[Figur]:
        return [f for f in self.figurer if f.status != "oförändrad"]

    def antal(self, status: str) -> int:
        return sum(1 for f in self.figurer if f.status == status)

    @property
    def fingeravtryck(self) -> str:
        """What the user confirms: the file and every planned change. Confirm refuses a different plan."""
        h = hashlib.sha256(self.imp.sha256.encode())
        for f in self.figurer:
            h.update(f"{f.område_id}|{f.år}|{f.månad}|{f.kostnadsslag_id}|{f.gammalt}|{f.nytt};".encode())
        return h.hexdigest()[:32]

    @property
    def avstämning_stämmer(self) -> bool:
        return self.summa_fil == self.summa_lagrad + self.summa_ej_fördelad


# --- the heavy path -----------------------------------------------------------------------------------------


def profil_för(imp: Import) -> Importprofil:
    """The import's profile, or the defaults (månadens belopp, costs positive, headers recognised)."""
    return imp.profil or Importprofil(kommun_id=imp.kommun_id, namn="Standard", typ=Importtyp.UTFALL)


def importera_utfall(
    imp: Import,
    data: bytes,
    user,
    *,
    spara: bool = False,
    fingeravtryck: str | None = None,
    gränser: lasare.Gränser = lasare.GRÄNSER,
) -> Utfallsimport:
    """Read, map, aggregate and plan ``data`` for ``imp.nämnd``; with ``spara``, write it in one transaction
    (refused with ``Importfel`` if the file has errors or the plan differs from ``fingeravtryck``)."""
    start = time.perf_counter()
    nämnd = imp.nämnd
    if not kan_importera(user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    if hashlib.sha256(data).hexdigest() != imp.sha256:
        raise Importfel("Filen är inte densamma som förhandsgranskades. Ladda upp den igen.")
    resultat = Utfallsimport(imp)
    profil = profil_för(imp)
    resultat.beloppstyp, resultat.kostnader_negativa = profil.beloppstyp, profil.kostnader_negativa
    try:
        _läs_rader(
            resultat, lasare.läs(data, imp.filnamn, FÄLT, mappning=profil.kolumner or {}, gränser=gränser), nämnd
        )
    except Filfel as e:  # refused when opened, or while its rows were read (row limit, a broken CSV row)
        resultat = Utfallsimport(
            imp, filfel=str(e), beloppstyp=resultat.beloppstyp, kostnader_negativa=resultat.kostnader_negativa
        )
    if spara:
        with transaction.atomic():
            låst = Import.objects.select_for_update().get(pk=imp.pk)
            if låst.status != Import.Status.FÖRHANDSGRANSKAD:
                raise Importfel(f"Importen är redan {låst.get_status_display().lower()}.")
            _planera(resultat, nämnd, lås=True)
            if not resultat.kan_genomföras:
                raise Importfel(_varför_inte(resultat))
            if fingeravtryck is not None and fingeravtryck != resultat.fingeravtryck:
                raise Importfel(
                    "Uppgifterna har ändrats sedan förhandsgranskningen. Granska ändringarna igen innan du bekräftar."
                )
            _skriv(resultat, nämnd, user)
            resultat.tid = time.perf_counter() - start
            _uppdatera_import(resultat, Import.Status.GENOMFÖRD)
    else:
        _planera(resultat, nämnd, lås=False)
        resultat.tid = time.perf_counter() - start
        if imp.status in (Import.Status.FÖRHANDSGRANSKAD, Import.Status.FEL):
            _uppdatera_import(resultat, Import.Status.FEL if resultat.filfel else Import.Status.FÖRHANDSGRANSKAD)
    return resultat


def _varför_inte(resultat: Utfallsimport) -> str:
    if resultat.filfel:
        return resultat.filfel
    if resultat.saknade:
        return "Kolumner saknas: " + ", ".join(resultat.saknade) + ". Inget har sparats."
    if resultat.allmänna_fel:
        return resultat.allmänna_fel[0]
    if resultat.fel:
        return f"Filen har {resultat.antal_fel} rader med fel (först: {resultat.fel[0]}). Inget har sparats."
    return "Filen ger inga värden att spara."


class _Rader:
    """Aggregation state while reading: sums per (område, år, månad, kostnadsslag) in öre."""

    def __init__(self):
        self.summor: dict[tuple, int] = defaultdict(int)
        self.saldo: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # (kod…, år) → {månad: öre}
        self.mål: dict[tuple, tuple] = {}  # (kod…, år) → (område_id, kostnadsslag_id)
        self.oplacerade: dict[tuple[str, str], list[int]] = {}  # (ansvar, vht) → [öre, rader]
        self.utan_slag: dict[str, list[int]] = {}
        self.främmande: dict[tuple[str, str], int] = {}  # codes another nämnd or kommun uses → rows
        self.månader: set[tuple[int, int]] = set()
        self.områden: set[int] = set()


def _läs_rader(resultat: Utfallsimport, tabell: lasare.Tabell, nämnd: Nämnd) -> None:
    blad = _läs_rubriker(resultat, tabell)
    if resultat.saknade:
        return
    läsare = _Radläsare(resultat, nämnd, set().union(*(b.lästa for b in blad)))
    for rad in tabell.rader():
        läsare.läs(rad)
    läsare.avsluta(resultat)


def _läs_rubriker(resultat: Utfallsimport, tabell: lasare.Tabell) -> list[lasare.Blad]:
    """The file's notes and recognised headers into ``resultat``; the sheets with a header row."""
    resultat.filtyp = tabell.filtyp
    resultat.meddelanden += tabell.meddelanden
    resultat.okända_rubriker = tabell.okända_rubriker
    blad = [b for b in tabell.blad if b.rubrikrad]
    resultat.saknade = [f.rubrik for f in tabell.saknade]
    if blad and not any("ansvar" in b.kolumner or "verksamhet" in b.kolumner for b in blad):
        resultat.saknade.insert(0, "Ansvar (eller Verksamhet)")
    if blad:
        resultat.kolumner = {f: blad[0].rubriker[k] for f, k in blad[0].kolumner.items()}
    return blad


class _Radläsare:
    """Reads the rows of an utfall file into sums per (område, år, månad, kostnadsslag) (or monthly balances),
    with the errors per row. Periods and code lookups are cached: a file repeats them on most rows."""

    def __init__(self, resultat: Utfallsimport, nämnd: Nämnd, kolumner: set[str]):
        self.nämnd = nämnd
        self.egna = Kodkarta.för(Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False))
        self.konton = Kontokarta(Kostnadsslag.objects.filter(kommun=nämnd.kommun))
        self.saldo = resultat.beloppstyp == Importprofil.Beloppstyp.ACKUMULERAT
        self.tecken = -1 if resultat.kostnader_negativa else 1
        self.vakter: dict[int, Vakt] = {}
        self.andra: list[Kodkarta] = []
        self.fel: list[Radfel] = []
        self.antal_fel = 0
        self.st = _Rader()
        self.summa_fil = 0
        self.rader = 0
        self.summarader: list[str] = []
        self.kolumner = kolumner
        self.har_år = "år" in kolumner
        self.perioder: dict = {}
        self.mål_cache: dict = {}

    def nytt_fel(self, rad, fält, text):
        self.antal_fel += 1
        if len(self.fel) < VISA_HÖGST_FEL:
            self.fel.append(Radfel.för(rad, fält, text))

    def period(self, pr, år_v):
        """(år, månad), or an error: the nämnd must exist then (or the row is a jämförelsetal) and the month must
        be open."""
        try:
            år, månad = tolka_period(pr, år_v)
        except ValueError as e:
            return str(e)
        if fel := utanför_nämnden(self.nämnd, år, månad):
            return fel
        for ändring in vaktändringar(self.nämnd, år, månad):
            if ändring.år not in self.vakter:
                self.vakter[ändring.år] = Vakt.för(None, self.nämnd, ändring.år)
            if spärr := self.vakter[ändring.år].spärr(ändring):
                return spärr.text
        return år, månad

    def mål(self, a, vh, ko, år):
        """(område id or 0 for Ej fördelat, kostnadsslag id, ansvar, vht, konto, konto without kostnadsslag),
        or (fält, error, the codes when another nämnd or kommun uses them)."""
        try:
            ansvar, vht, konto = lasare.text(a), lasare.text(vh), lasare.text(ko)
        except ValueError as e:
            return ("ansvar" if a is not None else "verksamhet", str(e), None)
        kodfält = "ansvar" if ansvar else "verksamhet"
        if not ansvar and not vht:
            return ("ansvar" if "ansvar" in self.kolumner else "verksamhet", "Ansvar och verksamhet saknas.", None)
        år = kodår(self.nämnd, år)
        träff = self.egna.hitta(ansvar, vht, år)
        if len(träff) > 1:
            return (
                kodfält,
                f"Koden matchar flera verksamhetsområden lika bra ({', '.join(o.namn for o in träff)}). "
                "Ändra koderna på verksamhetsområdena så att bara ett matchar.",
                None,
            )
        if not träff and (främmande := _främmande_kod(self.nämnd, ansvar, vht, år, self.andra)):
            self.st.främmande[(ansvar, vht)] = 0
            return (kodfält, främmande, (ansvar, vht))
        ks = self.konton.hitta(konto) if konto else None
        utan_slag = bool(konto and ks is None and self.konton.intervall)
        return (träff[0].id if träff else 0, ks, ansvar, vht, konto, utan_slag)

    def belopp(self, b) -> tuple[int, str | None]:
        """The amount in öre with the file's sign convention, or an error."""
        if type(b) is float and abs(b) < 1e13:  # the common case, fast; öre() checks the rest
            return round(b * 100) * self.tecken, None
        try:
            return öre(b) * self.tecken, None
        except ValueError as e:
            return 0, str(e)

    def läs(self, rad: lasare.Rad) -> None:
        self.rader += 1
        v = rad.värden
        pr = v.get("period")
        pnyckel = (pr, v.get("år")) if self.har_år else pr
        p = self.perioder.get(pnyckel)
        if p is None:
            p = self.perioder[pnyckel] = self.period(pr, v.get("år"))
        belopp, belopp_fel = self.belopp(v.get("belopp"))
        a, vh = v.get("ansvar"), v.get("verksamhet")
        if pr is None and a is None and vh is None:
            self.summarad(rad)
            return
        if type(p) is str or belopp_fel:
            self.radfel(rad, p, belopp_fel)
            return
        år, månad = p
        nyckel = (a, vh, v.get("konto"), år)
        m = self.mål_cache.get(nyckel)
        if m is None:
            m = self.mål_cache[nyckel] = self.mål(a, vh, v.get("konto"), år)
        if len(m) == 3:
            self.nytt_fel(rad, m[0], m[1])
            if m[2]:
                self.st.främmande[m[2]] += 1
            return
        self.bokför(m, belopp, år, månad)

    def summarad(self, rad: lasare.Rad) -> None:
        """A summary row (no period, no codes): not a transaction."""
        self.rader -= 1
        if len(self.summarader) < 5:
            self.summarader.append(
                f"Rad {rad.nummer}"
                + (f" på bladet {rad.blad}" if rad.blad else "")
                + " saknar period och kod och lästes inte (en summarad?)."
            )

    def radfel(self, rad: lasare.Rad, p, belopp_fel: str | None) -> None:
        if type(p) is str:
            self.nytt_fel(rad, "period" if "period" in rad.värden or not self.har_år else "år", p)
        if belopp_fel:
            self.nytt_fel(rad, "belopp", belopp_fel)

    def bokför(self, m: tuple, belopp: int, år: int, månad: int) -> None:
        st = self.st
        område_id, ks, ansvar, vht, konto, utan_slag = m
        if område_id == 0:
            o = st.oplacerade.setdefault((ansvar, vht), [0, 0])
            o[1] += 1
            if not self.saldo:
                o[0] += belopp
        if utan_slag:
            u = st.utan_slag.setdefault(konto, [0, 0])
            u[0] += belopp
            u[1] += 1
        if self.saldo:
            kod = (ansvar, vht, konto, år)
            st.saldo[kod][månad] += belopp
            st.mål[kod] = (område_id, ks)
            st.månader.add((år, månad))
            st.områden.add(område_id)
        else:
            st.summor[(område_id, år, månad, ks)] += belopp
            self.summa_fil += belopp

    def avsluta(self, resultat: Utfallsimport) -> None:
        st = self.st
        if not self.saldo:
            st.månader = {(år, m) for _, år, m, _ in st.summor}
            st.områden = {o for o, *_ in st.summor}
        resultat.antal_rader = self.rader
        resultat.fel, resultat.antal_fel = self.fel, self.antal_fel
        resultat.meddelanden += self.summarader
        if not self.rader:
            resultat.allmänna_fel.append("Filen har inga rader med utfall under rubrikraden.")
        if self.saldo:
            _saldo_till_månader(st, self.nämnd, resultat)
        else:
            resultat.summa_fil = kr(self.summa_fil)
        resultat._rader = st
        resultat.oplacerade = sorted(
            (Oplacerad(a, v, kr(b), n) for (a, v), (b, n) in st.oplacerade.items()),
            key=lambda o: (o.ansvar, o.verksamhet),
        )
        resultat.konton_utan_slag = sorted((k, kr(b), n) for k, (b, n) in st.utan_slag.items())
        resultat.främmande_koder = sorted(Oplacerad(a, v, Decimal(0), n) for (a, v), n in st.främmande.items())
        jämförelse = jämförelseår(self.nämnd)
        if any(år == jämförelse for år, _ in st.månader):
            resultat.meddelanden.append(
                f"Raderna för {jämförelse} är jämförelsetal: {self.nämnd.namn} började "
                f"{self.nämnd.giltig_från.isoformat()}. De sparas på nämndens verksamhetsområden, visas som "
                f"föregående år i rapporterna för {jämförelse + 1} och ändrar inte föregångarens siffror. Ett "
                "verksamhetsområde som jämförs med föregångarens verksamhetsområden visar deras utfall i stället."
            )


def _främmande_kod(nämnd: Nämnd, ansvar: str, vht: str, år: int, andra: list[Kodkarta]) -> str | None:
    """An error if another nämnd of the kommun, or another kommun, uses codes no area of ``nämnd`` matches.
    Another kommun's areas are read only to refuse the row; the message names none of them."""
    if not andra:
        andra.append(
            Kodkarta.för(
                Verksamhetsområde.objects.filter(nämnd__kommun=nämnd.kommun, ej_fördelat=False).exclude(nämnd=nämnd)
            )
        )
        andra.append(
            Kodkarta.för(Verksamhetsområde.objects.exclude(nämnd__kommun=nämnd.kommun).filter(ej_fördelat=False))
        )
    kod = ", ".join(k for k in (f"ansvar {ansvar}" if ansvar else "", f"verksamhet {vht}" if vht else "") if k)
    if träff := andra[0].hitta(ansvar, vht, år):
        namn = Nämnd.objects.filter(pk=träff[0].nämnd_id).values_list("namn", flat=True).first()
        return f"Koden ({kod}) hör till {namn}. Importera bara nämndens egna rader, eller flytta koden."
    if andra[1].hitta(ansvar, vht, år):
        return (
            f"Koden ({kod}) hör till en annan kommun. Kontrollera att filen gäller rätt kommun, eller lägg "
            "till koden på ett av nämndens verksamhetsområden."
        )
    return None


def _saldo_till_månader(st: _Rader, nämnd: Nämnd, resultat: Utfallsimport) -> None:
    """Ackumulerat saldo → monthly values. Per code combination and year, the saldo carries over months without
    rows; per (område, kostnadsslag) the month's value is the difference from the month before, and for the
    file's first month of a year the difference from what is stored for the months before it."""
    intervall: dict[int, tuple[int, int]] = {}
    for år, månad in st.månader:
        lo, hi = intervall.get(år, (13, 0))
        intervall[år] = (min(lo, månad), max(hi, månad))
    kumulativ: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for kod, per_månad in st.saldo.items():
        år = kod[3]
        område_id, ks = st.mål[kod]
        lo, hi = intervall[år]
        senaste = 0
        for m in range(lo, hi + 1):
            senaste = per_månad.get(m, senaste)
            kumulativ[(område_id, ks, år)][m] += senaste
        if område_id == 0:
            st.oplacerade[(kod[0], kod[1])][0] += senaste  # the code's closing saldo
    tidigare = _lagrat_före(nämnd, {år: lo for år, (lo, _) in intervall.items() if lo > 1})
    summa = 0
    for (område_id, ks, år), per_månad in kumulativ.items():
        lo, hi = intervall[år]
        föregående = tidigare.get((område_id, ks, år), 0)
        for m in range(lo, hi + 1):
            st.summor[(område_id, år, m, ks)] += per_månad[m] - föregående
            summa += per_månad[m] - föregående
            föregående = per_månad[m]
            st.månader.add((år, m))
    resultat.summa_fil = kr(summa)
    resultat.meddelanden.append("Beloppen är ackumulerat saldo: månadens utfall är skillnaden mot månaden före.")


def _lagrat_före(nämnd: Nämnd, första: dict[int, int]) -> dict[tuple, int]:
    """Stored utfall per (område, kostnadsslag, år) before the file's first month of each year, in öre."""
    if not första:
        return {}
    villkor = Q()
    for år, månad in första.items():
        villkor |= Q(år=år, månad__lt=månad)
    summor: dict[tuple, int] = defaultdict(int)
    for u in Utfall.objects.filter(villkor, verksamhetsområde__nämnd=nämnd).values(
        "verksamhetsområde_id", "verksamhetsområde__ej_fördelat", "kostnadsslag_id", "år", "belopp"
    ):
        område = 0 if u["verksamhetsområde__ej_fördelat"] else u["verksamhetsområde_id"]
        summor[(område, u["kostnadsslag_id"], u["år"])] += int(u["belopp"] * 100)
    return summor


def _planera(resultat: Utfallsimport, nämnd: Nämnd, *, lås: bool) -> None:
    """Compare the file's figures with what is stored in the cells the file covers (see the module docs)."""
    st = resultat._rader
    resultat.figurer = []
    if st is None or not st.månader:
        return
    villkor = Q()
    for år, månad in st.månader:
        villkor |= Q(år=år, månad=månad)
    if lås:  # the months must still be open when we write (the edit guard, asked again at confirm)
        ändringar = [ä for år, månad in st.månader for ä in vaktändringar(nämnd, år, månad)]
        vakt = Vakt.för(None, nämnd, {ä.år for ä in ändringar})
        if spärrar := vakt.spärrar(ändringar):
            resultat.allmänna_fel += [
                "Sedan förhandsgranskningen har perioden låsts. Inget sparades.",
                *(s.text for s in spärrar),
            ]
            return
    ej_fördelat = Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=True).order_by("pk").first()
    # "Ej fördelat" is always covered: a corrected mapping moves its amounts away.
    ids = (st.områden - {0}) | ({ej_fördelat.pk} if ej_fördelat else set())
    namn = dict(Verksamhetsområde.objects.filter(pk__in=ids).values_list("pk", "namn"))
    namn[0] = ej_fördelat.namn if ej_fördelat else f"{EJ_FÖRDELAT} (skapas)"
    slag = dict(Kostnadsslag.objects.filter(kommun=nämnd.kommun_id).values_list("pk", "namn"))

    def intern(område_id: int) -> int:
        return 0 if ej_fördelat and område_id == ej_fördelat.pk else område_id

    befintliga = Utfall.objects.filter(villkor, verksamhetsområde_id__in=ids)
    if lås:
        befintliga = befintliga.select_for_update()
    lagrade: dict[tuple, Utfall] = {}
    figurer = []
    for u in befintliga:
        nyckel = (intern(u.verksamhetsområde_id), u.år, u.månad, u.kostnadsslag_id)
        if u.kategori or nyckel in lagrade:  # a split by budget kind: replaced by the file's single figure
            figurer.append(
                Figur(
                    nyckel[0],
                    namn[nyckel[0]],
                    u.år,
                    u.månad,
                    u.kostnadsslag_id,
                    slag.get(u.kostnadsslag_id, ""),
                    u.belopp,
                    None,
                    u,
                )
            )
            continue
        lagrade[nyckel] = u
    for nyckel in sorted(set(lagrade) | {k for k, b in st.summor.items() if b}, key=_sorteringsnyckel):
        område_id, år, månad, ks = nyckel
        u = lagrade.get(nyckel)
        ny = st.summor.get(nyckel, 0)
        figurer.append(
            Figur(
                område_id,
                namn[område_id],
                år,
                månad,
                ks,
                slag.get(ks, ""),
                u.belopp if u else None,
                kr(ny) if ny else None,
                u,
            )
        )
    resultat.figurer = figurer
    resultat.summa_lagrad = kr(sum(b for (o, *_), b in st.summor.items() if o != 0))
    resultat.summa_ej_fördelad = kr(sum(b for (o, *_), b in st.summor.items() if o == 0))
    resultat.allmänna_fel += _för_stora_summor(resultat)


def _för_stora_summor(resultat: Utfallsimport) -> list[str]:
    """Sums the database cannot store are errors in the file (nothing is stored), never an overflow: each
    figure becomes an Utfall (``BELOPP``), the totals are kept on the Import (``IMPORTSUMMA``)."""
    fel = [
        f"Utfallet för {f.beskrivning} blir {visa(f.nytt)} kr och {BELOPP.för_stort(f.nytt).orsak}. "
        "Kontrollera beloppen i filen."
        for f in resultat.figurer
        if f.nytt is not None and not BELOPP.ryms(f.nytt)
    ]
    for vad, summa in (
        ("Summan i filen", resultat.summa_fil),
        ("Summan som lagras", resultat.summa_lagrad),
        ("Summan ej fördelat", resultat.summa_ej_fördelad),
    ):
        if not IMPORTSUMMA.ryms(summa):
            fel.append(
                f"{vad} blir {visa(summa)} kr och {IMPORTSUMMA.för_stort(summa).orsak}. Kontrollera beloppen i filen."
            )
    return fel[:VISA_HÖGST_FEL]


def _sorteringsnyckel(nyckel: tuple) -> tuple:
    område_id, år, månad, ks = nyckel
    return (område_id == 0, område_id, år, månad, ks or 0)


def _skriv(resultat: Utfallsimport, nämnd: Nämnd, user) -> None:
    """Bulk writes: new, changed and removed utfall, their history, and one Importändring per changed figure."""
    imp = resultat.imp
    orsak = f"Import {imp.pk}: {imp.filnamn}"[:100]
    if any(f.område_id == 0 and f.nytt is not None for f in resultat.figurer):
        ej_fördelat = _ej_fördelat(nämnd, user)
        for f in resultat.figurer:
            if f.område_id == 0:
                f.område = ej_fördelat.namn
    ej_id = Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=True).values_list("pk", flat=True).first()
    nya, ändrade, borttagna = [], [], []
    for f in resultat.figurer:
        if f.status == "ny":
            f.utfall = Utfall(
                verksamhetsområde_id=f.område_id or ej_id,
                år=f.år,
                månad=f.månad,
                kostnadsslag_id=f.kostnadsslag_id,
                belopp=f.nytt,
                källa=imp,
            )
            nya.append(f.utfall)
        elif f.status == "ändrad":
            f.utfall.belopp, f.utfall.version, f.utfall.källa = f.nytt, f.utfall.version + 1, imp
            ändrade.append(f.utfall)
        elif f.status == "borttagen":
            borttagna.append(f.utfall)
    historik.radera(Utfall, borttagna, user, orsak)  # once per row; delete() would record it again
    if nya:
        Utfall.objects.bulk_create(nya, batch_size=1000)
        historik.registrera(Utfall, nya, historik.SKAPAD, user, orsak)
    if ändrade:
        Utfall.objects.bulk_update(ändrade, ["belopp", "version", "källa"], batch_size=1000)
        historik.registrera(Utfall, ändrade, historik.ÄNDRAD, user, orsak)
    Importändring.objects.bulk_create(
        (
            Importändring(
                imp=imp,
                modell="Utfall",
                objekt_id=f.utfall.pk,
                beskrivning=f.beskrivning[:300],
                gammalt=visa(f.gammalt),
                nytt=visa(f.nytt),
            )
            for f in resultat.figurer
            if f.status != "oförändrad"
        ),
        batch_size=1000,
    )


def _ej_fördelat(nämnd: Nämnd, user) -> Verksamhetsområde:
    """The nämnd's "Ej fördelat" area, created (last in the report) the first time an import needs it."""
    befintligt = Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=True).order_by("pk").first()
    if befintligt:
        return befintligt
    sist = Verksamhetsområde.objects.filter(nämnd=nämnd).aggregate(m=Max("ordning"))["m"] or 0
    namn = EJ_FÖRDELAT
    if Verksamhetsområde.objects.filter(nämnd=nämnd, förälder=None, namn=namn).exists():
        namn = f"{EJ_FÖRDELAT} (import)"
    område = Verksamhetsområde(nämnd=nämnd, namn=namn, ej_fördelat=True, ordning=sist + 10)
    område._history_user = user
    område._change_reason = "Skapat av import för belopp utan verksamhetsområde"
    område.save()
    return område


def _uppdatera_import(resultat: Utfallsimport, status: str) -> None:
    imp = resultat.imp
    imp.status = status
    imp.antal_rader = resultat.antal_rader
    imp.antal_skapade = resultat.antal("ny")
    imp.antal_ändrade = resultat.antal("ändrad") + resultat.antal("borttagen")
    imp.antal_oförändrade = resultat.antal("oförändrad")
    imp.antal_fel = resultat.antal_fel + len(resultat.allmänna_fel) + bool(resultat.filfel or resultat.saknade)
    imp.summa_fil, imp.summa_lagrad, imp.summa_ej_fördelad = (  # a sum too large to store: an error, kept as None
        s if IMPORTSUMMA.ryms(s) else None
        for s in (resultat.summa_fil, resultat.summa_lagrad, resultat.summa_ej_fördelad)
    )
    delar = [
        "Ackumulerat saldo per period"
        if resultat.beloppstyp == Importprofil.Beloppstyp.ACKUMULERAT
        else "Månadens belopp",
        "kostnader negativa i filen" if resultat.kostnader_negativa else "kostnader positiva i filen",
    ]
    if resultat.oplacerade:
        delar.append(f"{len(resultat.oplacerade)} koder utan verksamhetsområde (på {EJ_FÖRDELAT})")
    if resultat.filfel:
        delar.append(resultat.filfel)
    if resultat.saknade:
        delar.append("Saknade kolumner: " + ", ".join(resultat.saknade))
    delar += resultat.allmänna_fel
    imp.meddelande = ". ".join(delar)[:4000]
    if status == Import.Status.GENOMFÖRD:
        imp.genomförd = timezone.now()
    # An Import is not report data: saving it leaves the data version alone (nämnd.dataversion.TENANT_APPS).
    imp.save(
        update_fields=[
            "status",
            "antal_rader",
            "antal_skapade",
            "antal_ändrade",
            "antal_oförändrade",
            "antal_fel",
            "summa_fil",
            "summa_lagrad",
            "summa_ej_fördelad",
            "meddelande",
            "genomförd",
        ]
    )


# --- the pending upload between preview and confirm ---------------------------------------------------------
#
# Decision: the uploaded file is kept in a server-side temp file keyed by the Import id and the uploader's id,
# readable only by the server process (0600 in a 0700 directory), never in the database. Confirm reads it
# back (its SHA-256 must equal the Import's), and confirm or cancel deletes it; files of abandoned previews are
# deleted after ``VÄNTANDE_LIVSLÄNGD``. So the user can map a column or a code in the preview and see the
# result without uploading again. With several app servers the directory (``IMPORT_TEMP_DIR``) must be shared.

VÄNTANDE_LIVSLÄNGD = dt.timedelta(hours=12)


def _väntande_katalog() -> Path:
    katalog = Path(getattr(settings, "IMPORT_TEMP_DIR", "") or Path(tempfile.gettempdir()) / "socialrapport-import")
    katalog.mkdir(mode=0o700, parents=True, exist_ok=True)
    return katalog


def _väntande_fil(imp: Import, user) -> Path:
    return _väntande_katalog() / f"utfall-{int(imp.pk)}-{int(user.pk)}.bin"


def spara_väntande(imp: Import, user, data: bytes) -> None:
    städa_väntande()
    sökväg = _väntande_fil(imp, user)
    fd = os.open(sökväg, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def läs_väntande(imp: Import, user) -> bytes | None:
    try:
        data = _väntande_fil(imp, user).read_bytes()
    except FileNotFoundError:
        return None
    return data if hashlib.sha256(data).hexdigest() == imp.sha256 else None


def radera_väntande(imp: Import, user) -> None:
    _väntande_fil(imp, user).unlink(missing_ok=True)


def städa_väntande() -> None:
    gräns = time.time() - VÄNTANDE_LIVSLÄNGD.total_seconds()
    for sökväg in _väntande_katalog().glob("utfall-*.bin"):
        try:
            if sökväg.stat().st_mtime < gräns:
                sökväg.unlink(missing_ok=True)
        except OSError:
            pass


def skapa_import(user, nämnd: Nämnd, filnamn: str, data: bytes, profil: Importprofil | None) -> Import:
    """Record an uploaded file (before it is read) and keep it for the preview."""
    if not kan_importera(user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    imp = Import.objects.create(
        kommun_id=nämnd.kommun_id,
        nämnd=nämnd,
        typ=Importtyp.UTFALL,
        profil=profil,
        filnamn=Path(filnamn).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        användare=user,
    )
    spara_väntande(imp, user, data)
    return imp


def avbryt(imp: Import, user) -> None:
    radera_väntande(imp, user)
    Import.objects.filter(pk=imp.pk, status__in=[Import.Status.FÖRHANDSGRANSKAD, Import.Status.FEL]).update(
        status=Import.Status.AVBRUTEN
    )


# --- changes from the preview: a column mapping for the profile, a code for an area ------------------------


def spara_mappning(
    imp: Import, user, kolumner: dict[str, str], beloppstyp: str, kostnader_negativa: bool
) -> Importprofil:
    """Save what the user mapped in the preview ({header as written: fält, "" = not used}) and the amount
    settings on the kommun's profile (created if the import had none)."""
    if not kan_importera(user, imp.nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    profil = imp.profil
    if profil is None:
        profil, _ = Importprofil.objects.get_or_create(
            kommun_id=imp.kommun_id, typ=Importtyp.UTFALL, namn="Ekonomisystem"
        )
    mappning = dict(profil.kolumner or {})
    for rubrik, fält in kolumner.items():
        # one header per field and one field per header: drop older mappings of either
        mappning = {
            f: r
            for f, r in mappning.items()
            if f != fält and lasare.normalisera_rubrik(r) != lasare.normalisera_rubrik(rubrik)
        }
        if fält:
            if fält not in FÄLTNAMN:
                raise ValidationError(f"Okänt fält {fält!r}.")
            mappning[fält] = rubrik
    profil.kolumner, profil.beloppstyp, profil.kostnader_negativa = mappning, beloppstyp, kostnader_negativa
    profil.save()
    if imp.profil_id != profil.pk:
        imp.profil = profil
        imp.save(update_fields=["profil"])
    return profil


def lägg_till_kod(user, nämnd: Nämnd, område: Verksamhetsområde, fält: str, kod: str) -> None:
    """Add an ansvar or verksamhet code to an area of the nämnd (from the preview's unmapped codes)."""
    if not kan_importera(user, nämnd):
        raise PermissionDenied("Du har inte behörighet att importera för nämnden.")
    if område.nämnd_id != nämnd.pk or område.ej_fördelat or fält not in ("ansvarskoder", "verksamhetskoder"):
        raise ValidationError("Välj ett av nämndens verksamhetsområden.")
    kod = kod.strip()
    if not kod or "*" in kod[:-1] or "," in kod or len(kod) > 40:
        raise ValidationError("Ogiltig kod.")
    befintliga = koder(getattr(område, fält))
    if kod not in befintliga:
        setattr(område, fält, ", ".join([*befintliga, kod]))
        område.full_clean()
        område._history_user = user
        område._change_reason = "Kod tillagd från importens förhandsgranskning"
        område.save()
