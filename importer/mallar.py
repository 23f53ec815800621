"""Template imports: budget, helårsprognos, volymer och nyckeltal, indikatorer (and the shared machinery that
the Kolada import in ``importer.kolada`` uses too).

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

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from ekonomi.models import MÅNADER, Budgetpost, Periodiseringsprofil, Prognos
from grund.tal import BELOPP, IMPORTSUMMA, NYCKELTAL, ÅR, Talfel, Talgräns
from nyckeltal.models import Indikator, Indikatorvärde, Nyckeltal, Nyckeltalsvärde
from nyckeltal.services import ändring_för_värde
from nämnd.behorighet import kan_importera
from nämnd.models import Kommun, Nämnd, Verksamhetsområde, koder
from nämnd.vakt import Slag, Vakt, Ändring
from rapporter.format import tal as formatera_tal
from socialreports import historik

from . import lasare
from .models import Import, Importprofil, Importtyp, Importändring
from .resources import MÅNADSNAMN_LÅNGA, BudgetResource, IndikatorResource, Mallresurs, Månad, PrognosResource, Tal

SKIPPA_BLAD = {"instruktioner", "giltiga värden", "anvisningar", "om tabellen"}


# --- errors and positions -----------------------------------------------------------------------

class Filfel(Exception):
    """The file as a whole cannot be read (type, size, no header row …). Nothing is imported."""


@dataclass(frozen=True)
class Radfel:
    blad: str | None
    rad: int | None
    kolumn: str | None
    text: str

    def __str__(self) -> str:
        delar = []
        if self.blad:
            delar.append(f"blad {self.blad}")
        if self.rad:
            delar.append(f"rad {self.rad}")
        if self.kolumn:
            delar.append(f"kolumn {self.kolumn}")
        plats = ", ".join(delar)
        return f"{plats[:1].upper()}{plats[1:]}: {self.text}" if plats else self.text

    @property
    def plats(self) -> str:
        return str(self).removesuffix(self.text).rstrip(": ")


def kolumnbokstav(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    bokstäver = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        bokstäver = chr(65 + rest) + bokstäver
    return bokstäver


# --- reading ------------------------------------------------------------------------------------

# Template files are small: tighter limits than the ekonomisystem import (shown on the upload page).
GRÄNSER = lasare.Gränser(max_filstorlek=5 * lasare.MB, max_okomprimerat=50 * lasare.MB, max_rader=20_000)
MAX_FILSTORLEK = GRÄNSER.max_filstorlek
MAX_RADER = GRÄNSER.max_rader
SÖK_RUBRIK_RADER = GRÄNSER.rubriksök


@dataclass
class Tabell:
    """One sheet of the upload: its name ("" for a CSV file) and its rows with their 1-based row numbers."""

    namn: str
    rader: list[tuple[int, list[Any]]]


def läs_tabeller(filnamn: str, innehåll: bytes) -> tuple[list[Tabell], list[str]]:
    """The visible sheets of an uploaded .xlsx or .csv file as rows of cell values, and the reader's notes.

    Everything goes through the shared safe reader ``importer.lasare``: the type is decided by content, zip
    bombs, DTDs/entities, password protection and oversized sheets are refused, formulas are read through
    their cached values (a cell without one becomes ``lasare.Cellvärdesfel``). Merged cells in the header
    area count for every cell they span."""
    try:
        _, råblad, meddelanden = lasare.läs_blad(innehåll, filnamn, GRÄNSER)
        tabeller = []
        for rb in råblad:
            rader = [(nummer, list(celler)) for nummer, celler in rb.rader()]
            for (r0, c0), (r1, c1) in rb.sammanslagna:
                if r0 >= SÖK_RUBRIK_RADER or r0 >= len(rader) or c0 >= len(rader[r0][1]):
                    continue
                värde = rader[r0][1][c0]
                for r in range(r0, min(r1, len(rader) - 1) + 1):
                    celler = rader[r][1]
                    celler.extend([None] * (c1 + 1 - len(celler)))
                    for c in range(c0, c1 + 1):
                        if celler[c] is None:
                            celler[c] = värde
            tabeller.append(Tabell(rb.namn, rader))
    except lasare.Filfel as e:
        raise Filfel(str(e)) from e
    return tabeller, meddelanden


# --- header recognition -------------------------------------------------------------------------

ENHETER = {"kr": 1, "kronor": 1, "tkr": 1000, "tusen kronor": 1000, "mnkr": 1_000_000, "miljoner kronor": 1_000_000}


def normalisera(rubrik: Any) -> tuple[str, str | None]:
    """A header cell → (base text, unit): "Belopp helår (tkr)" → ("belopp helår", "tkr")."""
    if rubrik is None:
        return "", None
    text = " ".join(str(rubrik).replace("\u00a0", " ").split()).lower().strip(" :*")
    text = text.replace("–", "-").replace("—", "-")
    enhet = None
    if m := re.search(r"\s*\(([^)]*)\)\s*$", text):
        if m[1].strip() in ENHETER or m[1].strip() == "%":
            enhet = m[1].strip()
        text = text[: m.start()].strip()
    elif m := re.search(r"\s+(tkr|mnkr|kr)$", text):
        enhet, text = m[1], text[: m.start()].strip()
    return text, enhet


def tom(värde: Any) -> bool:
    return värde is None or (isinstance(värde, str) and not värde.strip())


@dataclass
class Kolumnkarta:
    blad: str
    rubrikrad: int
    index: dict[str, int]  # field → column index
    rubriker: list[Any]
    enheter: dict[str, str | None] = field(default_factory=dict)

    def ref(self, fält: str) -> str:
        return self.kolumnref(self.index[fält])

    def kolumnref(self, i: int) -> str:
        """"C (Belopp)": the column letter and its header as written (1, not 1.0)."""
        rubrik = self.rubriker[i]
        return f"{kolumnbokstav(i)} ({'' if isinstance(rubrik, lasare.Cellvärdesfel) else lasare.text(rubrik)})"

    def faktor(self, fält: str) -> int:
        return ENHETER.get(self.enheter.get(fält) or "kr", 1)

    def är_rubrikrad(self, celler: list[Any]) -> bool:
        """A repeated header row (page break). Cheap test on one recognised column first."""
        if not hasattr(self, "_normaliserade"):
            self._normaliserade = [normalisera(c)[0] for c in self.rubriker]
        i = min(self.index.values())
        if i >= len(celler) or not isinstance(celler[i], str) or normalisera(celler[i])[0] != self._normaliserade[i]:
            return False
        return [normalisera(c)[0] for c in celler[: len(self.rubriker)]] == self._normaliserade


def hitta_kolumner(
    tabell: Tabell, synonymer: dict[str, tuple[str, ...]], krävs: Iterable[tuple[str, ...]],
    profil: Importprofil | None = None, extra: Callable[[Any], bool] | None = None,
) -> Kolumnkarta | None:
    """The first row (of the first ``SÖK_RUBRIK_RADER``) whose headers name every required field.

    ``synonymer``: field → recognised spellings; a kommun's import profile adds its own spellings first.
    ``extra``: headers the caller recognises itself (wide month/year columns); they count as a match."""
    tolkning: dict[str, str] = {}
    if profil is not None:
        for fält, rubrik in (profil.kolumner or {}).items():
            if fält in synonymer:
                tolkning[normalisera(rubrik)[0]] = fält
    for fält, stavningar in synonymer.items():
        for s in stavningar:
            tolkning.setdefault(normalisera(s)[0], fält)
    krävs = list(krävs)
    for nummer, celler in tabell.rader[:SÖK_RUBRIK_RADER]:
        index: dict[str, int] = {}
        enheter: dict[str, str | None] = {}
        dubbletter: dict[str, list[int]] = defaultdict(list)
        har_extra = False
        for i, cell in enumerate(celler):
            bas, enhet = normalisera(cell)
            if not bas:
                continue
            fält = tolkning.get(bas)
            if fält is None:
                har_extra = har_extra or bool(extra and extra(cell))
                continue
            dubbletter[fält].append(i)
            if fält not in index:
                index[fält], enheter[fält] = i, enhet
        if all(any(f in index for f in alternativ) or (har_extra and "*" in alternativ) for alternativ in krävs):
            for fält, platser in dubbletter.items():
                if len(platser) > 1:
                    raise Filfel(
                        f"Kolumnen för {fält} finns flera gånger på rad {nummer}"
                        f"{' i bladet ' + tabell.namn if tabell.namn else ''}: "
                        + ", ".join(kolumnbokstav(p) for p in platser) + "."
                    )
            return Kolumnkarta(tabell.namn, nummer, index, list(celler), enheter)
    return None


# --- parsed rows and plans ----------------------------------------------------------------------

@dataclass
class Tolkat:
    """What ``tolka`` read: plain rows (JSON-able), per-row errors, notes and column references."""

    rader: list[dict] = field(default_factory=list)
    fel: list[Radfel] = field(default_factory=list)
    antal_rader: int = 0
    noteringar: list[str] = field(default_factory=list)
    kolumner: dict[str, dict[str, str]] = field(default_factory=dict)  # blad → field → "C (Belopp)"

    def fel_för(self, rad: dict, fält: str | None, text: str) -> Radfel:
        return Radfel(rad.get("blad") or None, rad.get("rad"), self.kolumner.get(rad.get("blad", ""), {}).get(fält), text)

    def som_json(self) -> dict:
        return {"rader": self.rader, "fel": [asdict(f) for f in self.fel], "antal_rader": self.antal_rader,
                "noteringar": self.noteringar, "kolumner": self.kolumner}

    @classmethod
    def från_json(cls, data: dict) -> Tolkat:
        return cls(data["rader"], [Radfel(**f) for f in data["fel"]], data["antal_rader"], data["noteringar"],
                   data["kolumner"])


@dataclass
class Postplan:
    """One object the import creates or changes, and the figures that change on it (beskrivning, old, new)."""

    objekt: models.Model
    ny: bool
    fält: tuple[str, ...]
    ändringar: list[tuple[str, str, str]]

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
            ("Ny" if p.ny else self.ändrad_etikett, b, g, n) for p in self.poster for b, g, n in p.ändringar
        ]

    @property
    def fingeravtryck(self) -> str:
        """Identifies what the user saw in the preview: confirm refuses when the plan has changed since."""
        innehåll = [(p.modell.__name__, p.objekt.pk, p.ny, p.ändringar) for p in self.poster]
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
    plan.fel.append(Radfel(None, None, None, f"Summan av beloppen i filen blir {visa(summa)} kr och "
                                             f"{IMPORTSUMMA.för_stort(summa).orsak}."))
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


# --- the import kinds ---------------------------------------------------------------------------

class Importtypdef:
    """One kind of import. Subclasses implement ``tolka_tabeller`` (or ``tolka``) and ``planera``."""

    typ: ClassVar[str]
    titel: ClassVar[str]
    filtyper: ClassVar[tuple[str, ...]] = (".xlsx", ".csv")
    resurs: ClassVar[type[Mallresurs] | None] = None

    def tolka(self, filnamn: str, innehåll: bytes, profil: Importprofil | None = None) -> Tolkat:
        try:
            tabeller, meddelanden = läs_tabeller(filnamn, innehåll)
            tolkat = self.tolka_tabeller(tabeller, profil)
        except Filfel as e:
            return Tolkat(fel=[Radfel(None, None, None, str(e))])
        tolkat.noteringar[:0] = meddelanden
        return tolkat

    def tolka_tabeller(self, tabeller: list[Tabell], profil: Importprofil | None) -> Tolkat:
        raise NotImplementedError

    def kontext(self, user, nämnd: Nämnd) -> Kontext:
        return Kontext(nämnd.kommun, nämnd, [nämnd], user)

    def planera(self, ctx: Kontext, tolkat: Tolkat) -> Plan:
        raise NotImplementedError

    # shared helper for the Resource-based templates
    def tolka_med_resurs(self, tabeller: list[Tabell], profil: Importprofil | None, efter: Callable | None = None) -> Tolkat:
        """Read every sheet that has the template's headers; each cell is cleaned by the Resource's widget.
        ``efter(rad, karta, tolkat, celler)`` finishes a row (units, checks) and returns False to drop it."""
        resurs = self.resurs()
        tolkat = Tolkat()
        hittade = False
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(tabell, resurs.alla_synonymer(), resurs.krävs, profil)
            if karta is None:
                continue
            hittade = True
            tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
            for nummer, celler in tabell.rader:
                if nummer <= karta.rubrikrad or all(tom(c) for c in celler) or karta.är_rubrikrad(celler):
                    continue
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
            namn = resurs.kolumnnamn()
            krav = [" eller ".join(namn[f] for f in alt) for alt in resurs.krävs]
            tolkat.fel.append(Radfel(None, None, None, (
                f"Hittade ingen rubrikrad med kolumnerna {', '.join(krav)} (sökte i de första {SÖK_RUBRIK_RADER} "
                "raderna på varje blad). Ladda ner importmallen för att se vilka kolumner som behövs."
            )))
        return tolkat


class Områden:
    """Verksamhetsområden of some nämnder, found by name or by an exact ansvars-/verksamhetskod. One query."""

    def __init__(self, nämnder: list[Nämnd]):
        self.alla = list(Verksamhetsområde.objects.filter(nämnd__in=nämnder).select_related("nämnd", "förälder"))
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
            return None, (f"{text!r} passar flera verksamhetsområden ("
                          + ", ".join(f"{o.namn} under {o.förälder or 'toppnivån'}" for o in kandidater)
                          + "). Ange en kod som bara hör till ett av dem.")
        o = kandidater[0]
        if år is not None and not o.gäller(år):
            return None, f"Verksamhetsområdet {o.namn} gäller inte år {år}."
        return o, None


def _dubblett(sedda: dict, nyckel, rad: dict) -> str | None:
    """Where ``nyckel`` was first seen ("2", or "2 i bladet X" on another sheet), or None (and remember it)."""
    if nyckel in sedda:
        blad, nummer = sedda[nyckel]
        return str(nummer) if blad == rad.get("blad") else f"{nummer} i bladet {blad or 'CSV'}"
    sedda[nyckel] = (rad.get("blad"), rad["rad"])
    return None


# budget -----------------------------------------------------------------------------------------

class Budgetimport(Importtypdef):
    typ = Importtyp.BUDGET
    titel = "Budget"
    resurs = BudgetResource

    def tolka_tabeller(self, tabeller, profil):
        def efter(rad, karta, tolkat, celler):
            for fält in ("belopp", *MÅNADER):
                if rad.get(fält) is not None and fält in karta.index:
                    try:
                        rad[fält] = i_lagrad_enhet(rad[fält], karta, "belopp" if fält in MÅNADER else fält, BELOPP)
                    except Talfel as e:
                        tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref(fält), str(e)))
                        return False
            månader = [rad.pop(m, None) for m in MÅNADER]
            rad["månader"] = månader if any(v is not None for v in månader) else None
            for fält, text in (("område", "Ange verksamhetsområde."), ("år", "Ange år."), ("slag", "Ange slag.")):
                if tom(rad.get(fält)):
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref(fält), text))
                    return False
            if rad.get("belopp") is None and rad["månader"] is None:
                kol = karta.ref("belopp") if "belopp" in karta.index else None
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, "Belopp saknas."))
                return False
            if rad["månader"] is not None:
                summa = sum((Decimal(v) for v in rad["månader"] if v is not None), Decimal(0))
                if not BELOPP.ryms(summa):
                    kol = karta.ref("belopp") if "belopp" in karta.index else None
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, (
                        f"Summan av månaderna blir {visa(summa)} kr och {BELOPP.för_stort(summa).orsak}.")))
                    return False
                if rad.get("belopp") is not None and abs(Decimal(rad["belopp"]) - summa) > Decimal("0.5"):
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("belopp"), (
                        f"Summan av månaderna ({visa(summa)} kr) är inte lika med beloppet "
                        f"({visa(Decimal(rad['belopp']))} kr).")))
                    return False
                rad["belopp"] = str(summa if rad.get("belopp") is None else Decimal(rad["belopp"]))
            return True

        return self.tolka_med_resurs(tabeller, profil, efter)

    def planera(self, ctx, tolkat):
        plan = Plan()
        områden = Områden(ctx.nämnder)
        låsning = Låsning()
        år_i_fil = {r["år"] for r in tolkat.rader}
        befintliga = list(ctx.låst(Budgetpost.objects.filter(
            verksamhetsområde__in=områden.alla, år__in=år_i_fil)).select_related("profil"))
        per_nyckel = {(b.verksamhetsområde_id, b.år, b.slag, b.kategori): b for b in befintliga if b.slag != "tillägg"}
        tillägg: dict[tuple, list[Budgetpost]] = defaultdict(list)
        for b in befintliga:
            if b.slag == "tillägg":
                tillägg[(b.verksamhetsområde_id, b.år, b.kommentar.strip())].append(b)
        profiler = Profiler(ctx.kommun)
        slagnamn = dict(Budgetpost.Slag.choices)
        sedda: dict = {}
        summa = Decimal(0)
        for rad in tolkat.rader:
            område, fel = områden.hitta(rad["område"], rad["år"])
            if fel:
                plan.fel.append(tolkat.fel_för(rad, "område", fel))
                continue
            slag, kategori = rad["slag"], rad.get("kategori", "")
            kommentar = rad.get("kommentar")
            if slag == "tillägg" and not (kommentar or "").strip():
                plan.fel.append(tolkat.fel_för(rad, "kommentar" if "kommentar" in tolkat.kolumner.get(rad["blad"], {})
                                               else None, "Tillägg och avdrag kräver en kommentar (skälet)."))
                continue
            nyckel = (område.pk, rad["år"], slag, (kommentar or "").strip() if slag == "tillägg" else kategori)
            if (första := _dubblett(sedda, nyckel, rad)) is not None:
                vad = f"{område.namn}, {rad['år']}, {slagnamn[slag]}" + (f", {kommentar!r}" if slag == "tillägg" else "")
                plan.fel.append(tolkat.fel_för(rad, None, f"Samma nyckel ({vad}) finns redan på rad {första}. "
                                               "En nyckel får bara förekomma en gång i filen."))
                continue
            belopp = Decimal(rad["belopp"]).quantize(Decimal("0.01"))
            summa += belopp
            beskrivning = f"{område.namn} {rad['år']} {slagnamn[slag]}" + (
                f" ({dict(Budgetpost._meta.get_field('kategori').choices)[kategori]})" if kategori and slag != "tillägg" else ""
            ) + (f" – {kommentar}" if slag == "tillägg" else "")
            if slag == "tillägg":
                träffar = tillägg.get(nyckel[:2] + (nyckel[3],), [])
                if len(träffar) > 1:
                    plan.fel.append(tolkat.fel_för(rad, "kommentar", (
                        f"Det finns redan {len(träffar)} tillägg med kommentaren {kommentar!r} för {område.namn} "
                        f"{rad['år']}. Ändra dem i administrationen eller ge dem olika kommentarer.")))
                    continue
                post = träffar[0] if träffar else None
            else:
                post = per_nyckel.get(nyckel)
            profil, profilfel = profiler.för(rad["månader"], beskrivning) if rad["månader"] else (None, None)
            if profilfel:
                plan.fel.append(tolkat.fel_för(rad, "belopp", profilfel))
                continue
            ändringar, fält = [], []
            if post is None:
                post = Budgetpost(verksamhetsområde=område, år=rad["år"], slag=slag, kategori=kategori, belopp=belopp,
                                  kommentar=(kommentar or "").strip(), profil=profil)
                ändringar.append((beskrivning, "", visa(belopp)))
                if profil is not None:
                    ändringar.append((f"{beskrivning}: periodisering", "", profil.namn))
            else:
                if post.belopp != belopp:
                    ändringar.append((beskrivning, visa(post.belopp), visa(belopp)))
                    post.belopp = belopp
                    fält.append("belopp")
                if kommentar and slag != "tillägg" and post.kommentar != kommentar.strip():
                    ändringar.append((f"{beskrivning}: kommentar", visa(post.kommentar), visa(kommentar.strip())))
                    post.kommentar = kommentar.strip()
                    fält.append("kommentar")
                if slag == "tillägg" and kategori and post.kategori != kategori:
                    ändringar.append((f"{beskrivning}: budgetkategori", visa(post.kategori), visa(kategori)))
                    post.kategori = kategori
                    fält.append("kategori")
                if rad["månader"] is not None and (
                    profil is None and post.profil_id is not None or profil is not None and profil.pk != post.profil_id
                ):
                    ändringar.append((f"{beskrivning}: periodisering",
                                      post.profil.namn if post.profil else "jämn fördelning",
                                      profil.namn if profil else "jämn fördelning"))
                    post.profil = profil
                    fält.append("profil")
            if ändringar:
                slag = Slag.TILLÄGG if post.slag == Budgetpost.Slag.TILLÄGG else Slag.BUDGET
                if (stängt := låsning.fel(område.nämnd, Ändring(slag, rad["år"]))) is not None:
                    plan.fel.append(tolkat.fel_för(rad, None, stängt))
                    continue
                plan.poster.append(Postplan(post, post.pk is None, tuple(fält), ändringar))
            else:
                plan.oförändrade += 1
        plan.poster[:0] = profiler.nya_poster()
        plan.summa = importsumma(plan, summa)
        return plan


class Profiler:
    """Periodiseringsprofiler of a kommun: an existing profile with the same monthly shares is reused,
    otherwise one new profile per distinct distribution in the file. Shares are stored in percent with four
    decimals (the model's precision); the periodised budget differs from the file's months by at most a few
    kronor on a large budget."""

    def __init__(self, kommun: Kommun):
        self.kommun = kommun
        self.befintliga = list(Periodiseringsprofil.objects.filter(kommun=kommun))
        self.namn = {p.namn for p in self.befintliga}
        self.nya: dict[tuple[Decimal, ...], Periodiseringsprofil] = {}

    @staticmethod
    def andelar(vikter: Iterable[Decimal]) -> tuple[Decimal, ...] | None:
        vikter = list(vikter)
        total = sum(vikter, Decimal(0))
        if total == 0:
            return None
        return tuple((v / total * 100).quantize(Decimal("0.0001")) for v in vikter)

    def för(self, månader: list[str | None], beskrivning: str) -> tuple[Periodiseringsprofil | None, str | None]:
        belopp = [Decimal(v) if v is not None else Decimal(0) for v in månader]
        total = sum(belopp, Decimal(0))
        if total == 0:
            return None, "Månadsbeloppen summerar till 0; ingen fördelning kan bildas."
        if any(b and (b > 0) != (total > 0) for b in belopp):
            return None, "Alla månadsbelopp måste ha samma tecken som helårsbeloppet för att bilda en fördelning."
        andelar = self.andelar(belopp)
        if len(set(andelar)) == 1:
            return None, None  # even spread: no profile
        for p in self.befintliga:
            if self.andelar(p.vikter) == andelar:
                return p, None
        if andelar not in self.nya:
            namn, n = _kort(f"Import: {beskrivning}", 95), 1
            bas = namn
            while namn in self.namn:
                n += 1
                namn = f"{bas} ({n})"
            self.namn.add(namn)
            self.nya[andelar] = Periodiseringsprofil(kommun=self.kommun, namn=namn, **dict(zip(MÅNADER, andelar, strict=True)))
        return self.nya[andelar], None

    def nya_poster(self) -> list[Postplan]:
        return [
            Postplan(p, True, (), [(f"Ny periodiseringsprofil {p.namn}", "",
                                    _kort(" / ".join(visa(v) for v in p.vikter) + " %", 100))])
            for p in self.nya.values()
        ]


# prognos ----------------------------------------------------------------------------------------

class Prognosimport(Importtypdef):
    typ = Importtyp.PROGNOS
    titel = "Helårsprognos"
    resurs = PrognosResource

    def tolka_tabeller(self, tabeller, profil):
        tomma = 0

        def efter(rad, karta, tolkat, celler):
            nonlocal tomma
            if rad.get("månad") is not None:
                cell = celler[karta.index["månad"]]
                år_i_cell, _ = Månad.år_och_månad(cell)
                if rad.get("år") is None:
                    rad["år"] = år_i_cell
                elif år_i_cell is not None and år_i_cell != rad["år"]:
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("månad"),
                                             f"Prognostillfället {cell} hör inte till året {rad['år']}."))
                    return False
            for fält, text in (("område", "Ange verksamhetsområde."), ("månad", "Ange prognostillfälle (månad)."),
                               ("år", "Ange år (eller prognostillfället som ÅÅÅÅ-MM).")):
                if tom(rad.get(fält)):
                    kol = karta.ref(fält) if fält in karta.index else None
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, text))
                    return False
            if rad.get("belopp") is not None:
                try:
                    rad["belopp"] = i_lagrad_enhet(rad["belopp"], karta, "belopp", BELOPP)
                except Talfel as e:
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("belopp"), str(e)))
                    return False
            if rad.get("belopp") is None and not rad.get("kommentar"):
                tomma += 1
                return False
            return True

        tolkat = self.tolka_med_resurs(tabeller, profil, efter)
        if tomma:
            tolkat.noteringar.append(f"{tomma} rader utan prognos och kommentar hoppades över.")
        return tolkat

    def planera(self, ctx, tolkat):
        plan = Plan()
        områden = Områden(ctx.nämnder)
        låsning = Låsning()
        befintliga = {
            (p.verksamhetsområde_id, p.år, p.månad): p
            for p in ctx.låst(Prognos.objects.filter(verksamhetsområde__in=områden.alla,
                                                     år__in={r["år"] for r in tolkat.rader}))
        }
        sedda: dict = {}
        summa = Decimal(0)
        for rad in tolkat.rader:
            område, fel = områden.hitta(rad["område"], rad["år"])
            if fel:
                plan.fel.append(tolkat.fel_för(rad, "område", fel))
                continue
            nyckel = (område.pk, rad["år"], rad["månad"])
            if (första := _dubblett(sedda, nyckel, rad)) is not None:
                plan.fel.append(tolkat.fel_för(rad, None, (
                    f"Samma nyckel ({område.namn}, {rad['år']}, prognostillfälle {rad['månad']}) finns redan på rad "
                    f"{första}. En nyckel får bara förekomma en gång i filen.")))
                continue
            beskrivning = f"{område.namn} prognos {rad['år']}-{rad['månad']:02d}"
            belopp = Decimal(rad["belopp"]).quantize(Decimal("0.01")) if rad.get("belopp") is not None else None
            summa += belopp or 0
            kommentar = rad.get("kommentar")
            post = befintliga.get(nyckel)
            ändringar, fält = [], []
            if post is None:
                post = Prognos(verksamhetsområde=område, år=rad["år"], månad=rad["månad"], belopp=belopp,
                               kommentar=kommentar or "")
                ändringar.append((beskrivning, "", visa(belopp)))
                if kommentar:
                    ändringar.append((f"{beskrivning}: kommentar", "", _kort(kommentar, 100)))
            else:
                if belopp is not None and post.belopp != belopp:
                    ändringar.append((beskrivning, visa(post.belopp), visa(belopp)))
                    post.belopp = belopp
                    fält.append("belopp")
                if kommentar and post.kommentar.strip() != kommentar:
                    ändringar.append((f"{beskrivning}: kommentar", _kort(visa(post.kommentar), 100),
                                      _kort(visa(kommentar), 100)))
                    post.kommentar = kommentar
                    fält.append("kommentar")
                if fält:
                    post.version += 1
                    fält.append("version")
            if ändringar:
                if (stängt := låsning.fel(område.nämnd, Ändring(Slag.PROGNOS, rad["år"], rad["månad"]))) is not None:
                    plan.fel.append(tolkat.fel_för(rad, "månad", stängt))
                    continue
                plan.poster.append(Postplan(post, post.pk is None, tuple(fält), ändringar))
            else:
                plan.oförändrade += 1
        plan.summa = importsumma(plan, summa)
        return plan


# volymer och nyckeltal ---------------------------------------------------------------------------

VOLYMTYPER = {
    "utfall helår": "utfall_helår", "utfall": "utfall_helår", "helår": "utfall_helår",
    "utfall delår": "utfall_delår", "delår": "utfall_delår",
    "mål": "mål", "plan": "mål", "mål/plan": "mål", "målvärde": "mål",
    "prognos": "prognos", "prognos helår": "prognos",
    "utfall månad": "utfall_månad", "månad": "utfall_månad", "månadsutfall": "utfall_månad",
    **{k: k for k in Nyckeltalsvärde.Typ.values},
}


def bred_kolumn(rubrik: Any) -> tuple[str, int | None, int | None] | None:
    """A wide-layout header → (typ, år, månad): jan…dec, januari, 1…12, 2023-01, 202301, "jan 2023", an Excel
    date (one column per month: utfall månad) or "Utfall 2022", "Utfall jan–aug 2023", "Mål 2023", "Plan 2024",
    "Prognos 2023", "2022" (one column per year, as the volymer export writes them)."""
    if isinstance(rubrik, (dt.date, dt.datetime)):
        return "utfall_månad", rubrik.year, rubrik.month
    if isinstance(rubrik, (int, float)) and not isinstance(rubrik, bool):
        if rubrik == int(rubrik) and 1 <= rubrik <= 12:
            return "utfall_månad", None, int(rubrik)
        if rubrik == int(rubrik) and 2000 <= rubrik <= 2100:
            return "utfall_helår", int(rubrik), None
        if rubrik == int(rubrik) and 200001 <= rubrik <= 210012 and 1 <= rubrik % 100 <= 12:
            return "utfall_månad", int(rubrik) // 100, int(rubrik) % 100
        return None
    text = normalisera(rubrik)[0]
    if not text:
        return None
    if re.fullmatch(r"20\d\d|2100", text):
        return "utfall_helår", int(text), None
    if m := re.fullmatch(r"(utfall(?: helår| delår)?|mål|plan|mål/plan|prognos(?: helår)?)\s+(?:(jan\s*-\s*[a-zåäö]{3})\s+)?(\d{4})", text):
        typ = VOLYMTYPER[m[1]]
        if m[2]:
            typ = "utfall_delår" if m[1].startswith("utfall") else typ
        return typ, int(m[3]), None
    if re.fullmatch(r"\d{4}\s*-\s*\d{1,2}|\d{6}|\d{1,2}|[a-zåäö]{3,9}\.?(\s+\d{4})?", text):
        try:
            år, månad = Månad.år_och_månad(text)
        except ValueError:
            return None
        if re.fullmatch(r"[a-zåäö]{3,9}\.?(\s+\d{4})?", text) and not any(
            text.split()[0].rstrip(".") in (kort, lång) for kort, lång in zip(MÅNADER, MÅNADSNAMN_LÅNGA, strict=True)
        ):
            return None  # only real month names, not every word that starts like one
        return "utfall_månad", år, månad
    return None


class Volymimport(Importtypdef):
    """Volymer och nyckeltal: long (Typ, År, Månad, Värde) or wide (one column per month or per year)."""

    typ = Importtyp.VOLYMER
    titel = "Volymer och nyckeltal"
    synonymer = {
        "område": ("område", "nyckeltalsområde", "grupp", "rubrik", "verksamhet"),
        "nyckeltal": ("nyckeltal", "namn", "volym", "mått"),
        "enhet": ("enhet",),
        "år": ("år", "budgetår"),
        "typ": ("typ", "värdetyp", "slag"),
        "månad": ("månad", "period"),
        "värde": ("värde", "antal", "utfallsvärde"),
    }
    krävs = (("nyckeltal",), ("värde", "*"))
    instruktioner = (
        "En rad per nyckeltal. Nyckeltalet anges med namnet som i rapporten; Område behövs när samma namn finns "
        "i flera områden (t.ex. Antal brukare totalt).",
        "Bred layout: en kolumn per månad (jan … dec, 1 … 12 eller 2023-01 … 2023-12) ger månadsutfall; "
        "en kolumn per år (Utfall 2022, Mål 2023, Plan 2024, Prognos 2023, Utfall jan–aug 2023) ger årsvärden "
        "– samma rubriker som exporten av volymtabellen.",
        "Kolumner med bara månad (jan, 1 …) kräver kolumnen År.",
        "Lång layout: kolumnerna Typ (Utfall helår, Utfall delår, Mål, Prognos, Utfall månad), År, Månad "
        "(för månadsutfall) och Värde.",
        "Tomma celler lämnar befintliga värden orörda. Samma nyckeltal, typ, år och månad får bara förekomma en gång.",
    )

    def tolka_tabeller(self, tabeller, profil):
        tolkat = Tolkat()
        hittade = False
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(tabell, self.synonymer, self.krävs, profil, extra=bred_kolumn)
            if karta is None:
                continue
            hittade = True
            breda = {
                i: b for i, c in enumerate(karta.rubriker)
                if i not in karta.index.values() and (b := bred_kolumn(c)) is not None
            }
            if any(b[1] is None for b in breda.values()) and "år" not in karta.index:
                raise_fel = Radfel(tabell.namn or None, karta.rubrikrad, None,
                                   "Månadskolumner utan år (jan, 1 …) kräver kolumnen År.")
                tolkat.fel.append(raise_fel)
                continue
            kolumner = {f: karta.ref(f) for f in karta.index}
            tolkat.kolumner[tabell.namn] = kolumner
            tal = Tal(NYCKELTAL)
            for nummer, celler in tabell.rader:
                if nummer <= karta.rubrikrad or all(tom(c) for c in celler) or karta.är_rubrikrad(celler):
                    continue
                tolkat.antal_rader += 1
                cell = {f: (celler[i] if i < len(celler) else None) for f, i in karta.index.items()}
                fel_före = len(tolkat.fel)

                def fel(fält, text, nummer=nummer, blad=tabell.namn, kolumner=kolumner):
                    tolkat.fel.append(Radfel(blad or None, nummer, kolumner.get(fält, fält), text))

                if trasiga := [f for f, c in cell.items() if isinstance(c, lasare.Cellvärdesfel)]:
                    for f in trasiga:
                        fel(f, str(cell[f]))
                    continue

                namn = " ".join(str(cell["nyckeltal"]).split()) if not tom(cell["nyckeltal"]) else ""
                if not namn:
                    fel("nyckeltal", "Ange nyckeltal.")
                    continue
                år = None
                if "år" in cell and not tom(cell["år"]):
                    try:
                        år = Tal(ÅR, heltal=True).clean(cell["år"])
                    except ValueError as e:
                        fel("år", str(e))
                värden = []
                if "värde" in cell and not tom(cell["värde"]):
                    typ, månad = "utfall_helår", None
                    if "månad" in cell and not tom(cell["månad"]):
                        try:
                            år_m, månad = Månad.år_och_månad(cell["månad"])
                            år = år or år_m
                            typ = "utfall_månad"
                        except ValueError as e:
                            fel("månad", str(e))
                    if "typ" in cell and not tom(cell["typ"]):
                        typ = VOLYMTYPER.get(normalisera(cell["typ"])[0])
                        if typ is None:
                            fel("typ", f"{cell['typ']!r} är inte en typ. Giltiga: Utfall helår, Utfall delår, Mål, "
                                       "Prognos, Utfall månad.")
                    if typ == "utfall_månad" and månad is None:
                        fel("månad", "Ange månad för månadsutfall.")
                    if år is None:
                        fel("år", "Ange år.")
                    try:
                        v = tal.clean(cell["värde"])
                        värden.append({"typ": typ, "år": år, "månad": månad if typ == "utfall_månad" else None,
                                       "värde": str(v), "kol": kolumner["värde"]})
                    except ValueError as e:
                        fel("värde", str(e))
                for i, (typ, kol_år, månad) in breda.items():
                    c = celler[i] if i < len(celler) else None
                    if tom(c):
                        continue
                    ref = karta.kolumnref(i)
                    värdeår = kol_år or år
                    if värdeår is None:
                        tolkat.fel.append(Radfel(tabell.namn or None, nummer, kolumner.get("år"), "Ange år."))
                        continue
                    try:
                        värden.append({"typ": typ, "år": värdeår, "månad": månad, "värde": str(tal.clean(c)), "kol": ref})
                    except ValueError as e:
                        tolkat.fel.append(Radfel(tabell.namn or None, nummer, ref, str(e)))
                if len(tolkat.fel) == fel_före and värden:
                    tolkat.rader.append({
                        "blad": tabell.namn, "rad": nummer, "nyckeltal": namn,
                        "område": "" if tom(cell.get("område")) else " ".join(str(cell["område"]).split()),
                        "värden": värden,
                    })
        if not hittade:
            tolkat.fel.append(Radfel(None, None, None, (
                "Hittade ingen rubrikrad med kolumnen Nyckeltal och antingen Värde eller kolumner per månad/år "
                f"(sökte i de första {SÖK_RUBRIK_RADER} raderna). Ladda ner importmallen för att se exempel.")))
        return tolkat

    def planera(self, ctx, tolkat):
        plan = Plan()
        låsning = Låsning()
        alla = list(Nyckeltal.objects.filter(grupp__nämnd__in=ctx.nämnder).select_related("grupp", "grupp__nämnd"))
        per_namn: dict[str, list[Nyckeltal]] = defaultdict(list)
        for nt in alla:
            per_namn[nyckeltext(nt.namn)].append(nt)
        befintliga = {
            (v.nyckeltal_id, v.typ, v.år, v.månad): v
            for v in ctx.låst(Nyckeltalsvärde.objects.filter(
                nyckeltal__in=alla, år__in={v["år"] for r in tolkat.rader for v in r["värden"]}))
        }
        typnamn = dict(Nyckeltalsvärde.Typ.choices)
        sedda: dict = {}
        for rad in tolkat.rader:
            namn = nyckeltext(rad["nyckeltal"])
            kandidater = per_namn.get(namn) or (per_namn.get(namn.removeprefix("varav ")) if namn.startswith("varav ") else [])
            if rad["område"]:
                kandidater = [nt for nt in kandidater or [] if nyckeltext(nt.grupp.namn) == nyckeltext(rad["område"])]
            if not kandidater:
                plan.fel.append(tolkat.fel_för(rad, "nyckeltal", f"Nyckeltalet {rad['nyckeltal']!r} finns inte"
                                               + (f" i området {rad['område']!r}." if rad["område"] else " i nämnden.")))
                continue
            if len(kandidater) > 1:
                plan.fel.append(tolkat.fel_för(rad, "nyckeltal", (
                    f"Nyckeltalet {rad['nyckeltal']!r} finns i flera områden ("
                    + ", ".join(sorted({nt.grupp.namn for nt in kandidater})) + "). Fyll i kolumnen Område.")))
                continue
            nt = kandidater[0]
            for v in rad["värden"]:
                pos = Radfel(rad["blad"] or None, rad["rad"], v["kol"], "")
                värde = Decimal(v["värde"]).quantize(Decimal("0.01"))
                nyckel = (nt.pk, v["typ"], v["år"], v["månad"])
                if (första := _dubblett(sedda, nyckel, rad)) is not None:
                    plan.fel.append(Radfel(pos.blad, pos.rad, pos.kolumn, (
                        f"Samma värde ({nt.namn}, {typnamn[v['typ']]}, {v['år']}"
                        + (f"-{v['månad']:02d}" if v["månad"] else "") + f") finns redan på rad {första}.")))
                    continue
                if värde < 0 and not nt.får_vara_negativ:
                    plan.fel.append(Radfel(pos.blad, pos.rad, pos.kolumn, f"{nt.namn} kan inte vara negativt."))
                    continue
                beskrivning = f"{nt.grupp.namn} / {nt.namn} {typnamn[v['typ']].lower()} {v['år']}" + (
                    f"-{v['månad']:02d}" if v["månad"] else "")
                post = befintliga.get(nyckel)
                if post is not None and post.värde == värde:
                    plan.oförändrade += 1
                    continue
                stängt = låsning.fel(nt.grupp.nämnd, ändring_för_värde(v["typ"], v["år"], v["månad"]))
                if stängt:
                    plan.fel.append(Radfel(pos.blad, pos.rad, pos.kolumn, stängt))
                    continue
                if post is None:
                    post = Nyckeltalsvärde(nyckeltal=nt, typ=v["typ"], år=v["år"], månad=v["månad"], värde=värde)
                    plan.poster.append(Postplan(post, True, (), [(beskrivning, "", visa(värde))]))
                else:
                    plan.poster.append(Postplan(post, False, ("värde", "version"), [(beskrivning, visa(post.värde), visa(värde))]))
                    post.värde, post.version = värde, post.version + 1
        return plan


# indikatorer ------------------------------------------------------------------------------------

@dataclass
class Indikatorpost:
    """Values for one or more indikatorer (the same Kolada-id may be used by several goals) in one year."""

    rad: dict
    indikatorer: list[Indikator]
    år: int
    typ: str
    totalt: Decimal | None
    kvinnor: Decimal | None
    män: Decimal | None
    källa: str | None  # None: keep the stored källa when the values are unchanged, "" when they change
    kolumn: str | None = None


def planera_indikatorvärden(ctx: Kontext, tolkat: Tolkat, poster: list[Indikatorpost], plan: Plan) -> Plan:
    """Shared by the indicator template and Kolada: created / changed / unchanged Indikatorvärden.

    Empty (null) values never erase a stored value. A change of a stored value is a revision; like a new
    value it is refused for a closed year or a fastställd report."""
    låsning = Låsning()
    ids = {i.pk for p in poster for i in p.indikatorer}
    befintliga = {
        (v.indikator_id, v.år, v.typ): v
        for v in ctx.låst(Indikatorvärde.objects.filter(indikator_id__in=ids, år__in={p.år for p in poster}))
    }
    sedda: dict = {}
    for p in poster:
        for ind in p.indikatorer:
            nyckel = (ind.pk, p.år, p.typ)
            if (första := _dubblett(sedda, nyckel, p.rad)) is not None:
                plan.fel.append(tolkat.fel_för(p.rad, None, (
                    f"Samma värde ({ind.namn}, {p.år}) finns redan på rad {första}. "
                    "En nyckel får bara förekomma en gång i filen.")))
                continue
            post = befintliga.get(nyckel)
            nytt = {"totalt": p.totalt, "kvinnor": p.kvinnor, "män": p.män}
            beskrivning = f"{ind.kolada_id + ' ' if ind.kolada_id else ''}{ind.namn} {p.år}" + (
                " prognos" if p.typ == Indikatorvärde.Typ.PROGNOS else "")
            if post is None:
                if all(v is None for v in nytt.values()):
                    continue
                post = Indikatorvärde(indikator=ind, år=p.år, typ=p.typ, källa=p.källa or "", **nytt)
                ändringar = [(f"{beskrivning} {f}", "", visa(v)) for f, v in nytt.items() if v is not None]
                fält: tuple[str, ...] = ()
            else:
                ändringar, ändrade = [], []
                for f, v in nytt.items():
                    if v is not None and getattr(post, f) != v:
                        ändringar.append((f"{beskrivning} {f}", visa(getattr(post, f)), visa(v)))
                        setattr(post, f, v)
                        ändrade.append(f)
                källa = p.källa if p.källa is not None else ("" if ändrade else post.källa)
                if källa != post.källa:
                    ändringar.append((f"{beskrivning} källa", visa(post.källa), visa(källa)))
                    post.källa = källa
                    ändrade.append("källa")
                if not ändringar:
                    plan.oförändrade += 1
                    continue
                post.version += 1
                fält = (*ändrade, "version")
            if (stängt := låsning.fel(ind.mål.nämnd, Ändring(Slag.ÅRSVÄRDE, p.år))) is not None:
                plan.fel.append(tolkat.fel_för(p.rad, p.kolumn, stängt))
                continue
            plan.poster.append(Postplan(post, post.pk is None, fält, ändringar))
    return plan


def indikatorer_för(nämnder: list[Nämnd]) -> list[Indikator]:
    return list(Indikator.objects.filter(mål__nämnd__in=nämnder).select_related("mål", "mål__nämnd").order_by("pk"))


class Indikatorimport(Importtypdef):
    typ = Importtyp.INDIKATORER
    titel = "Indikatorer"
    resurs = IndikatorResource

    def tolka_tabeller(self, tabeller, profil):
        def efter(rad, karta, tolkat, celler):
            if tom(rad.get("indikator")) and tom(rad.get("kolada_id")):
                kol = karta.ref("kolada_id" if "kolada_id" in karta.index else "indikator")
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, "Ange indikator eller Kolada-id."))
                return False
            if rad.get("år") is None:
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("år"), "Ange år."))
                return False
            if "källa" not in karta.index:
                rad["källa"] = None
            return True

        return self.tolka_med_resurs(tabeller, profil, efter)

    def planera(self, ctx, tolkat):
        plan = Plan()
        alla = indikatorer_för(ctx.nämnder)
        per_id: dict[str, list[Indikator]] = defaultdict(list)
        per_namn: dict[str, list[Indikator]] = defaultdict(list)
        for i in alla:
            if i.kolada_id:
                per_id[i.kolada_id.upper()].append(i)
            per_namn[nyckeltext(i.namn)].append(i)
        poster = []
        for rad in tolkat.rader:
            if rad.get("kolada_id"):
                träffar = per_id.get(rad["kolada_id"].upper(), [])
                if not träffar:
                    plan.fel.append(tolkat.fel_för(rad, "kolada_id", f"Ingen indikator har Kolada-id {rad['kolada_id']!r}."))
                    continue
            else:
                träffar = per_namn.get(nyckeltext(rad["indikator"]), [])
                if len(träffar) != 1:
                    plan.fel.append(tolkat.fel_för(rad, "indikator", (
                        f"Indikatorn {rad['indikator']!r} finns inte i nämnden." if not träffar else
                        f"Flera indikatorer heter {rad['indikator']!r}. Ange Kolada-id eller byt namn på någon av dem.")))
                    continue
            def d(f, rad=rad):
                return Decimal(rad[f]).quantize(Decimal("0.01")) if rad.get(f) is not None else None

            poster.append(Indikatorpost(rad, träffar, rad["år"], rad.get("typ") or "utfall", d("totalt"), d("kvinnor"),
                                        d("män"), rad["källa"]))
        return planera_indikatorvärden(ctx, tolkat, poster, plan)


IMPORTTYPER: dict[str, type[Importtypdef]] = {
    "budget": Budgetimport,
    "prognos": Prognosimport,
    "volymer": Volymimport,
    "indikatorer": Indikatorimport,
}


def importtyp(typ: str) -> Importtypdef:
    from . import kolada

    typer = {**IMPORTTYPER, "kolada": kolada.Koladaimport}
    if typ not in typer:
        raise KeyError(typ)
    return typer[typ]()


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

    @property
    def fel(self) -> list[Radfel]:
        return sorted([*self.tolkat.fel, *self.plan.fel], key=lambda f: (f.blad or "", f.rad or 0, f.kolumn or ""))

    @property
    def kan_bekräftas(self) -> bool:
        return not self.fel and bool(self.plan.poster)


def _antal_felrader(fel: list[Radfel]) -> int:
    return len({(f.blad, f.rad) for f in fel})


def förhandsgranska(user, nämnd: Nämnd, typ: str, filnamn: str, innehåll: bytes,
                    profil: Importprofil | None = None) -> Granskning:
    """Read and plan an uploaded file; record the attempt as an Import (status förhandsgranskad, or fel).
    Nothing else is written."""
    kräv_import(user, nämnd)
    definition = importtyp(typ)
    tolkat = definition.tolka(filnamn, innehåll, profil)
    ctx = definition.kontext(user, nämnd)
    plan = definition.planera(ctx, tolkat) if tolkat.rader else Plan()
    fel = [*tolkat.fel, *plan.fel]
    imp = Import(
        kommun=nämnd.kommun, nämnd=nämnd, typ=definition.typ, profil=profil, filnamn=_kort(filnamn, 255),
        sha256=hashlib.sha256(innehåll).hexdigest(), användare=user,
        status=Import.Status.FEL if fel else Import.Status.FÖRHANDSGRANSKAD,
        antal_rader=tolkat.antal_rader, antal_skapade=len(plan.skapade), antal_ändrade=len(plan.ändrade),
        antal_oförändrade=plan.oförändrade, antal_fel=_antal_felrader(fel), summa_fil=plan.summa,
        meddelande=_kort("\n".join(str(f) for f in fel[:20]), 4000),
    )
    # bulk_create, not save(): the record of a preview is not report data, so no signal bumps the kommun's
    # data version (which would throw away every cached report of the kommun).
    Import.objects.bulk_create([imp])
    return Granskning(imp, tolkat, plan)


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
        if imp.status == Import.Status.FEL:
            raise InteBekräftad("Filen har fel och kan inte importeras. Rätta filen och ladda upp den igen.")
        if imp.status != Import.Status.FÖRHANDSGRANSKAD:
            raise InteBekräftad(f"Importen är redan {imp.get_status_display().lower()}.")
        ctx = definition.kontext(user, imp.nämnd)
        ctx.lås = True
        plan = definition.planera(ctx, tolkat)
        if tolkat.fel or plan.fel:
            raise InteBekräftad("Filen har fel och kan inte importeras. Rätta filen och ladda upp den igen.")
        if plan.fingeravtryck != fingeravtryck:
            raise InteBekräftad("Uppgifterna har ändrats sedan förhandsgranskningen. Granska ändringarna igen "
                                "innan du bekräftar.")
        skriv(plan, imp, user)
        imp.status, imp.genomförd = Import.Status.GENOMFÖRD, timezone.now()
        imp.antal_skapade, imp.antal_ändrade, imp.antal_oförändrade = len(plan.skapade), len(plan.ändrade), plan.oförändrade
        imp.antal_fel, imp.summa_fil, imp.meddelande = 0, plan.summa, ""
        # update(): the figures written above have bumped the data version already (historik.registrera)
        Import.objects.filter(pk=imp.pk).update(**{f: getattr(imp, f) for f in (
            "status", "genomförd", "antal_skapade", "antal_ändrade", "antal_oförändrade", "antal_fel", "summa_fil",
            "meddelande")})
    return imp


def avbryt(user, imp: Import) -> None:
    kräv_import(user, imp.nämnd)
    Import.objects.filter(pk=imp.pk, status=Import.Status.FÖRHANDSGRANSKAD).update(status=Import.Status.AVBRUTEN)


SKRIVORDNING = [Periodiseringsprofil, Budgetpost, Prognos, Nyckeltalsvärde, Indikatorvärde]


def skriv(plan: Plan, imp: Import, user) -> None:
    """Bulk writes per model (profiles before the budget posts that use them), history rows, and one
    Importändring per changed figure. Must run inside the confirm transaction."""
    orsak = _kort(f"Import {imp.pk}: {imp.filnamn}", 100)
    for modell in SKRIVORDNING:
        nya = [p.objekt for p in plan.poster if p.ny and p.modell is modell]
        ändrade = [p for p in plan.poster if not p.ny and p.modell is modell]
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
        Importändring(imp=imp, modell=p.modell.__name__, objekt_id=p.objekt.pk, beskrivning=_kort(b, 300),
                      gammalt=_kort(g, 100), nytt=_kort(n, 100))
        for p in plan.poster for b, g, n in p.ändringar
    )
