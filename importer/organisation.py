"""A kommun's organisation as one file: nämnder, the verksamhetsområde tree and the kostnadsslag — import
(preview, then an atomic confirm) and export of the very same file, so that it round-trips.

The file (see docs/beslut.md, "Organisationsfilen"):

- .xlsx: one sheet per part, recognised by its name ("Nämnder", "Verksamhetsområden", "Kostnadsslag") or,
  failing that, by its headers. Headers are recognised by synonyms (and a kommun's import profile, typ
  organisation);
- .csv: one file holding every part, with a column "Del" (Nämnd / Verksamhetsområde / Kostnadsslag) and the
  union of the parts' columns; a CSV without "Del" holds one part, recognised by its headers.

A part the file does not have is left alone. Within a part that is there, the file is the truth: rows are
matched to what is stored by the column "Id" (written by the export; empty for new rows) or else by name
(a nämnd by its name, an area by nämnd, förälder path and name, a kostnadsslag by its name). Stored items not
in the file are removed when nothing refers to them; an item with data (budget, utfall, prognos, volymer …)
is kept and the preview says so (set "Till år" to end it).

Areas are referred to by their path within the nämnd, "Äldreomsorg / Hemtjänst" (a bare name is enough
when it is unique in the nämnd); a föregångare in another nämnd as "Nämnd: Äldreomsorg / Hemtjänst".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404

from ekonomi.models import Kostnadsslag
from nämnd import dataversion
from nämnd.behorighet import är_admin
from nämnd.models import Kommun, Nämnd, Verksamhetsområde, koder

from . import lasare
from .export import Blad, Kolumn, csv_text, xlsx_bytes
from .lasare import Bladrader, Filfel, Radfel, rubrik_och_enhet
from .mallar.ramverk import (
    SÖK_RUBRIK_RADER,
    InteBekräftad,
    Kolumnkarta,
    Plan,
    Postplan,
    Tolkat,
    bästa_rubrikrad,
    granskningsfält,
    hitta_kolumner,
    kandidat_från_karta,
    kräv_förhandsgranskad,
    kräv_samma_plan,
    läs_tabeller,
    markera_genomförd,
    nyckeltext,
    spara_granskningsfält,
    spara_profilkolumner,
    tom,
)
from .models import Import, Importprofil, Importtyp, Importändring

TYP = Importtyp.ORGANISATION
NÄMND, OMRÅDE, SLAG = "nämnd", "område", "kostnadsslag"
DELAR = (NÄMND, OMRÅDE, SLAG)
BLADNAMN = {NÄMND: "Nämnder", OMRÅDE: "Verksamhetsområden", SLAG: "Kostnadsslag"}
DELNAMN = {NÄMND: "Nämnd", OMRÅDE: "Verksamhetsområde", SLAG: "Kostnadsslag"}
SKILJE = " / "  # between the names of a path
LISTSKILJE = ";"  # between föregångare

# Headers as the export writes them, per part (field, header).
KOLUMNER: dict[str, list[tuple[str, str]]] = {
    NÄMND: [
        ("id", "Id"),
        ("namn", "Namn"),
        ("giltig_från", "Giltig från"),
        ("giltig_till", "Giltig till"),
        ("föregångare", "Föregångare"),
    ],
    OMRÅDE: [
        ("id", "Id"),
        ("nämnd", "Nämnd"),
        ("namn", "Namn"),
        ("förälder", "Förälder"),
        ("typ", "Typ"),
        ("ordning", "Ordning"),
        ("ansvarskoder", "Ansvarskoder"),
        ("verksamhetskoder", "Verksamhetskoder"),
        ("från_år", "Från år"),
        ("till_år", "Till år"),
        ("föregångare", "Föregångare"),
        ("ej_fördelat", "Ej fördelat"),
    ],
    SLAG: [("id", "Id"), ("namn", "Namn"), ("typ", "Typ"), ("ordning", "Ordning"), ("konton", "Konton")],
}
# The CSV holding every part: "Del" and the union of the columns.
CSV_KOLUMNER: list[tuple[str, str]] = [("del", "Del")] + list(dict(p for del_ in DELAR for p in KOLUMNER[del_]).items())

SYNONYMER: dict[str, tuple[str, ...]] = {
    "del": ("Del", "Typ av rad", "Radtyp"),
    "id": ("Id", "ID-nummer"),
    "nämnd": ("Nämnd", "Nämndens namn"),
    "namn": ("Namn", "Benämning"),
    "förälder": ("Förälder", "Ingår i", "Överordnat", "Överordnat område", "Förälder (sökväg)"),
    "typ": ("Typ", "Nivå"),
    "ordning": ("Ordning", "Sortering", "Sorteringsordning"),
    "giltig_från": ("Giltig från", "Från datum", "Startdatum"),
    "giltig_till": ("Giltig till", "Till datum", "Slutdatum"),
    "från_år": ("Från år", "Från och med år", "Fr.o.m. år"),
    "till_år": ("Till år", "Till och med år", "T.o.m. år"),
    "ansvarskoder": ("Ansvarskoder", "Ansvarskod", "Ansvar"),
    "verksamhetskoder": ("Verksamhetskoder", "Verksamhetskod", "Verksamhet (kod)", "Vht"),
    "konton": ("Konton", "Kontointervall", "Kontointervall", "Konto"),
    "föregångare": ("Föregångare", "Jämförs med"),
    "ej_fördelat": ("Ej fördelat", "Ej fördelad"),
}
# Per part: the fields it reads, extra spellings of its name column, and the columns it must have.
DELFÄLT = {del_: [f for f, _ in KOLUMNER[del_]] for del_ in DELAR}
NAMNSYNONYMER = {
    NÄMND: ("Nämnd", "Nämndens namn"),
    OMRÅDE: ("Verksamhetsområde", "Område"),
    SLAG: ("Kostnadsslag",),
}
KRÄVS = {NÄMND: ("namn",), OMRÅDE: ("nämnd", "namn"), SLAG: ("namn", "typ")}
# A sheet with no known name is recognised by these columns (first match wins).
IGENKÄNNING = ((OMRÅDE, ("nämnd", "namn")), (SLAG, ("namn", "konton")), (NÄMND, ("namn", "giltig_från")))
BLADNAMN_IGEN = {
    NÄMND: {"nämnder", "nämnd"},
    OMRÅDE: {"verksamhetsområden", "verksamhetsområde", "områden", "organisation", "verksamhetsträd"},
    SLAG: {"kostnadsslag"},
}
RUBRIK = {f: r for del_ in DELAR for f, r in KOLUMNER[del_]} | {"del": "Del"}
SANT = {"ja", "j", "x", "1", "sant", "true"}
FALSKT = {"", "nej", "n", "0", "falskt", "false"}


def delsynonymer(del_: str) -> dict[str, tuple[str, ...]]:
    syn = {f: SYNONYMER[f] for f in DELFÄLT[del_]}
    if del_ == NÄMND:  # on the nämnder sheet "Nämnd" is the name itself
        syn = {f: s for f, s in syn.items() if f != "nämnd"}
    syn["namn"] = SYNONYMER["namn"] + NAMNSYNONYMER[del_]
    return syn


# --- reading -----------------------------------------------------------------------------------------------


def _bladdel(namn: str) -> str | None:
    n = nyckeltext(namn)
    return next((d for d, namnen in BLADNAMN_IGEN.items() if n in namnen), None)


def _hittade_rubriker(tabell: Bladrader, synonymer: dict[str, tuple[str, ...]]) -> tuple[int | None, list[str]]:
    """The row that looks most like the header (most recognised headers; else the first non-empty row)."""
    kända = {rubrik_och_enhet(s)[0] for stavningar in synonymer.values() for s in stavningar}
    bäst: tuple[int, int | None, list[str]] = (-1, None, [])
    for nummer, celler in tabell.rader[:SÖK_RUBRIK_RADER]:
        texter = [lasare.text(c) for c in celler if not tom(c)]
        if not texter:
            continue
        träffar = sum(1 for c in celler if rubrik_och_enhet(c)[0] in kända)
        if träffar > bäst[0]:
            bäst = (träffar, nummer, texter)
    return bäst[1], bäst[2]


def _saknas(tabell: Bladrader, del_: str, synonymer: dict[str, tuple[str, ...]], krävs) -> Radfel:
    nummer, rubriker = _hittade_rubriker(tabell, synonymer)
    tolkning = {rubrik_och_enhet(s)[0]: f for f, stavningar in synonymer.items() for s in stavningar}
    funna = {tolkning.get(rubrik_och_enhet(r)[0]) for r in rubriker}
    saknade = [RUBRIK[f] for f in krävs if f not in funna] or [RUBRIK[f] for f in krävs]
    blad = tabell.namn or "CSV-filen"
    text = (
        f"{'Bladet ' + tabell.namn if tabell.namn else 'CSV-filen'} ({BLADNAMN[del_].lower()}) saknar "
        f"{'kolumnen' if len(saknade) == 1 else 'kolumnerna'} {', '.join(saknade)}. "
        + (
            f"Hittade rubrikerna: {', '.join(rubriker)} (rad {nummer})."
            if rubriker
            else f"Bladet {blad} har inga rubriker."
        )
        + " Ladda ner kommunens organisationsfil för att se rubrikerna."
    )
    return Radfel(tabell.namn or None, nummer, None, text)


def tolka(filnamn: str, innehåll: bytes, profil: Importprofil | None = None) -> Tolkat:
    """The file's rows as plain dicts (JSON-able, kept in the session until confirm): {"del", "blad", "rad",
    field: text …}. ``tolkat.noteringar`` begins with "delar:…" naming the parts the file has."""
    return läs(filnamn, innehåll, profil)[0]


def läs(filnamn: str, innehåll: bytes, profil: Importprofil | None = None) -> tuple[Tolkat, list[Bladrader] | None]:
    """``tolka`` and the file's sheets (kept for a column mapping chosen in the preview; None when unreadable)."""
    try:
        tabeller, meddelanden = läs_tabeller(filnamn, innehåll)
    except Filfel as e:
        return Tolkat(fel=[Radfel(None, None, None, str(e))]), None
    tolkat = tolka_tabeller(tabeller, profil)
    tolkat.noteringar[1:1] = meddelanden
    return tolkat, tabeller


# --- the column mapping: per part (a sheet's fields), or every part's columns in one CSV ("alla") -------------------

ALLA = "alla"


def fältnamn(del_: str) -> dict[str, str]:
    """field → header as the export writes it, of a part (or of the CSV holding every part)."""
    fält = [f for f, _ in CSV_KOLUMNER] if del_ == ALLA else DELFÄLT[del_]
    return {f: RUBRIK[f] for f in fält}


def krav(del_: str) -> tuple[tuple[str, ...], ...]:
    return (("del",), ("namn",)) if del_ == ALLA else tuple((f,) for f in KRÄVS[del_])


def kolumnfält(del_: str) -> list[tuple[str, str]]:
    """(field, label) for the preview's selects; required fields marked."""
    krävda = {f for (f,) in krav(del_)}
    return [(f, n + (" (krävs)" if f in krävda else "")) for f, n in fältnamn(del_).items()]


def _kolumnval(kandidat, del_: str) -> dict:
    return {**kandidat.som_json(), "del": del_}


def tolka_tabeller(tabeller: list[Bladrader], profil: Importprofil | None = None) -> Tolkat:
    """The sheets read (see ``tolka``). ``tolkat.kolumnval``: the header row the preview offers to map — the first
    sheet of a known part whose required columns are missing, else the first read sheet (open when it has headers
    that were not recognised)."""
    tolkat = Tolkat()
    delar: set[str] = set()
    saknas: dict | None = None
    lästa: list[dict] = []
    for tabell in tabeller:
        if nyckeltext(tabell.namn) in {"instruktioner", "anvisningar", "om filen"}:
            continue
        union = {f: SYNONYMER[f] for f, _ in CSV_KOLUMNER}
        karta = hitta_kolumner(tabell, union, [("del",), ("namn",)], profil)
        if karta is not None:
            lästa.append(_kolumnval(kandidat_från_karta(karta, tabell), ALLA))
            _läs_union(tabell, karta, tolkat, delar)
            continue
        del_ = _bladdel(tabell.namn)
        if del_ is not None:
            syn = delsynonymer(del_)
            karta = hitta_kolumner(tabell, syn, [(f,) for f in KRÄVS[del_]], profil)
            if karta is None:
                kandidat = bästa_rubrikrad([tabell], syn, krav(del_), profil)
                fel = _saknas(tabell, del_, syn, KRÄVS[del_])
                if kandidat is not None:
                    fel = replace(
                        fel,
                        meddelande=fel.meddelande
                        + " Du kan också välja vad kolumnerna innehåller under ”Kolumner” nedan.",
                    )
                    saknas = saknas or _kolumnval(kandidat, del_)
                tolkat.fel.append(fel)
                delar.add(del_)  # present, though unreadable: nothing of it is removed (the file has errors)
                continue
        else:
            for kandidat_del, krav_ in IGENKÄNNING:
                karta = hitta_kolumner(tabell, delsynonymer(kandidat_del), [(f,) for f in krav_], profil)
                if karta is not None:
                    del_ = kandidat_del
                    break
            if karta is None or del_ is None:
                if not all(tom(c) for _, celler in tabell.rader for c in celler):
                    tolkat.noteringar.append(
                        f"{'Bladet ' + tabell.namn if tabell.namn else 'Filen'} lästes inte: det är inte "
                        "Nämnder, Verksamhetsområden eller Kostnadsslag."
                    )
                continue
        delar.add(del_)
        lästa.append(_kolumnval(kandidat_från_karta(karta, tabell), del_))
        _läs_del(tabell, karta, del_, tolkat)
    if not delar and not tolkat.fel:
        tolkat.fel.append(
            Radfel(
                None,
                None,
                None,
                "Filen har inget blad Nämnder, Verksamhetsområden eller Kostnadsslag (och ingen CSV med kolumnerna "
                "Del och Namn). Ladda ner kommunens organisationsfil för att se hur den ser ut.",
            )
        )
    tolkat.kolumnval = saknas or next((k for k in lästa if k["öppen"]), lästa[0] if lästa else None)
    tolkat.noteringar.insert(0, "delar:" + ",".join(d for d in DELAR if d in delar))
    return tolkat


def _cell(celler: list[Any], i: int | None) -> Any:
    return celler[i] if i is not None and i < len(celler) else None


def _rad(tabell: Bladrader, karta: Kolumnkarta, nummer: int, celler, del_: str, tolkat: Tolkat) -> dict | None:
    rad: dict[str, Any] = {"del": del_, "blad": tabell.namn, "rad": nummer}
    for fält in DELFÄLT[del_]:
        cell = _cell(celler, karta.index.get(fält))
        if isinstance(cell, lasare.Cellvärdesfel):
            tolkat.fel.append(Radfel(tabell.namn or None, nummer, karta.ref(fält), str(cell)))
            return None
        if isinstance(cell, dt.datetime):
            cell = cell.date()
        rad[fält] = cell.isoformat() if isinstance(cell, dt.date) else ("" if tom(cell) else lasare.text(cell))
    return rad


def _läs_del(tabell: Bladrader, karta: Kolumnkarta, del_: str, tolkat: Tolkat) -> None:
    tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
    for nummer, celler in karta.datarader(tabell):
        tolkat.antal_rader += 1
        if (rad := _rad(tabell, karta, nummer, celler, del_, tolkat)) is not None:
            tolkat.rader.append(rad)


def _läs_union(tabell: Bladrader, karta: Kolumnkarta, tolkat: Tolkat, delar: set[str]) -> None:
    tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
    per_namn = {nyckeltext(n): d for d, n in DELNAMN.items()} | {nyckeltext(n): d for d, n in BLADNAMN.items()}
    delar.update(DELAR)  # one file with every part: a part without rows is empty, not absent
    for nummer, celler in karta.datarader(tabell):
        tolkat.antal_rader += 1
        text = lasare.text(_cell(celler, karta.index["del"]))
        del_ = per_namn.get(nyckeltext(text)) or (text if text in DELAR else None)
        if del_ is None:
            tolkat.fel.append(
                Radfel(
                    tabell.namn or None,
                    nummer,
                    karta.ref("del"),
                    f"Okänd del {text!r}: skriv Nämnd, Verksamhetsområde eller Kostnadsslag.",
                )
            )
            continue
        saknade = [RUBRIK[f] for f in KRÄVS[del_] if f not in karta.index]
        if saknade:
            tolkat.fel.append(
                Radfel(
                    tabell.namn or None,
                    nummer,
                    None,
                    f"Filen saknar kolumnen {', '.join(saknade)} för {text}. Hittade rubrikerna: "
                    + ", ".join(lasare.text(r) for r in karta.rubriker if not tom(r))
                    + f" (rad {karta.rubrikrad}).",
                )
            )
            continue
        if (rad := _rad(tabell, karta, nummer, celler, del_, tolkat)) is not None:
            tolkat.rader.append(rad)


def delar_i(tolkat: Tolkat) -> set[str]:
    for n in tolkat.noteringar:
        if n.startswith("delar:"):
            return {d for d in n[len("delar:") :].split(",") if d}
    return set()


def visningsnoteringar(tolkat: Tolkat) -> list[str]:
    return [n for n in tolkat.noteringar if not n.startswith("delar:")]


# --- cleaning single values ----------------------------------------------------------------------------------


def _heltal(text: str, minst: int, högst: int, vad: str) -> int:
    try:
        d = Decimal(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise ValueError(f"{vad} ska vara ett heltal, inte {text!r}.") from None
    if d != d.to_integral_value():
        raise ValueError(f"{vad} ska vara ett heltal, inte {text!r}.")
    if not minst <= d <= högst:
        raise ValueError(f"{vad} ska vara mellan {minst} och {högst}, inte {text}.")
    return int(d)


def _datum(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError(f"Ogiltigt datum {text!r}: skriv det som 2023-07-01.") from None


def _kodtext(text: str, vad: str) -> str:
    lista = koder(text)
    for k in lista:
        if "*" in k[:-1] or not k.rstrip("*"):
            raise ValueError(f"Ogiltig {vad} {k!r}: jokertecken * får bara stå sist, t.ex. 74*.")
    return ", ".join(lista)


def _kontotext(text: str) -> str:
    delar = []
    for del_ in text.replace(";", ",").split(","):
        del_ = del_.strip()
        if not del_:
            continue
        lo, streck, hi = (d.strip() for d in del_.rstrip("*").partition("-"))
        hi = hi if streck else lo
        if not (lo.isdigit() and hi.isdigit()) or len(lo) != len(hi) or lo > hi:
            raise ValueError(
                f"Ogiltigt kontointervall {del_!r}: skriv t.ex. 3000-3499, 3600 eller 36* "
                "(lika många siffror i början och slutet, det lägre först)."
            )
        delar.append(del_.replace(" ", ""))
    return ", ".join(delar)


def _sant(text: str) -> bool:
    t = text.strip().casefold()
    if t in SANT:
        return True
    if t in FALSKT:
        return False
    raise ValueError(f"Skriv ja eller lämna tomt, inte {text!r}.")


def _områdestyp(text: str) -> str:
    t = text.strip().casefold()
    if not t:
        return Verksamhetsområde.Typ.VERKSAMHET
    for värde, etikett in Verksamhetsområde.Typ.choices:
        if t in (värde, str(etikett).casefold()) or str(etikett).casefold().startswith(t):
            return värde
    raise ValueError(f"Okänd typ {text!r}: skriv block, verksamhet eller enhet.")


def _slagtyp(text: str) -> str:
    t = text.strip().casefold()
    for värde, former in (("intäkt", ("intäkt", "intäkter", "i")), ("kostnad", ("kostnad", "kostnader", "k"))):
        if t in former:
            return värde
    raise ValueError(f"Okänd typ {text!r}: skriv intäkt eller kostnad.")


def _lista(text: str) -> list[str]:
    return [d.strip() for d in text.replace("\n", LISTSKILJE).split(LISTSKILJE) if d.strip()]


def _väg(text: str) -> list[str]:
    return [d.strip() for d in text.split(SKILJE.strip()) if d.strip()]


def visa_år(år: int | None) -> str:
    return "" if år is None else str(år)


# --- the plan ------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Post:
    """One row of the file and the stored object it becomes (``lagrad`` None: new)."""

    del_: str
    rad: dict
    lagrad: Any = None
    värden: dict[str, Any] = field(default_factory=dict)
    # areas: the file rows they refer to
    nämnd: Any = None  # the nämnd's Post (always set on an area)
    förälder: Post | None = None
    föregångare: list[Post] = field(default_factory=list)
    objekt: Any = None  # the instance written
    ändrad: bool = False

    @property
    def ref(self) -> str:
        blad = self.rad.get("blad") or "CSV"
        return f"{blad} rad {self.rad['rad']}"

    @property
    def namn(self) -> str:
        return self.värden.get("namn") or self.rad.get("namn", "")

    def väg(self) -> list[str]:
        namn: list[str] = []
        sedda: set[int] = set()
        nod: Post | None = self
        while nod is not None and id(nod) not in sedda:
            sedda.add(id(nod))
            namn.append(nod.namn)
            nod = nod.förälder
        return namn[::-1]

    @property
    def vägtext(self) -> str:
        return SKILJE.join(self.väg())


@dataclass
class Organisationsplan(Plan):
    nämnder: list[Post] = field(default_factory=list)
    områden: list[Post] = field(default_factory=list)  # parents before children
    kostnadsslag: list[Post] = field(default_factory=list)
    borttagna: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    behålls: list[str] = field(default_factory=list)
    delar: set[str] = field(default_factory=set)

    @property
    def borttagna_poster(self) -> list[Postplan]:
        return [p for p in self.poster if p.borttagen]

    @property
    def ändrade_poster(self) -> list[Postplan]:
        return [p for p in self.poster if not p.ny and not p.borttagen]

    @property
    def antal_ändringar(self) -> int:
        return len(self.poster)


def _har_data(modell: type[models.Model], ids: set[int], utom: set[str]) -> set[int]:
    """Ids (of ``ids``) that anything but the relations ``utom`` refers to: such an object has data and is kept."""
    if not ids:
        return set()
    result: set[int] = set()
    for rel in modell._meta.related_objects:
        relaterad: Any = rel.related_model
        if rel.get_accessor_name() in utom or relaterad is modell and rel.many_to_many:
            continue
        if rel.many_to_many:
            through: Any = rel.through  # type: ignore[attr-defined]  # a ManyToManyRel
            kolumn = next(f.attname for f in through._meta.fields if f.related_model is modell)
            result |= set(through.objects.filter(**{f"{kolumn}__in": ids}).values_list(kolumn, flat=True))
        else:
            kolumn = rel.field.attname
            result |= set(relaterad._base_manager.filter(**{f"{kolumn}__in": ids}).values_list(kolumn, flat=True))
    return result


def _datatext(modell: type[models.Model], pk: int, utom: set[str]) -> str:
    """What refers to one object, for the preview: "budgetposter, utfall"."""
    vad = []
    for rel in modell._meta.related_objects:
        relaterad: Any = rel.related_model
        if rel.get_accessor_name() in utom or relaterad is modell and rel.many_to_many:
            continue
        andra = {a.get_accessor_name() or "" for a in modell._meta.related_objects if a is not rel}
        if _har_data(modell, {pk}, utom | andra):
            vad.append(str(relaterad._meta.verbose_name_plural))
    return ", ".join(vad) or "kopplingar"


OMRÅDE_UTOM = {"barn", "efterträdare"}
NÄMND_UTOM = {"verksamhetsområden", "efterträdare"}


class Planerare:
    """Compares the file's rows with the kommun's stored organisation."""

    def __init__(self, kommun: Kommun, tolkat: Tolkat, lås: bool = False):
        self.kommun, self.tolkat = kommun, tolkat
        self.plan = Organisationsplan(ändrad_etikett="Ändras", delar=delar_i(tolkat))

        def qs(q):
            return q.select_for_update(of=("self",)) if lås else q

        self.lagrade_nämnder = list(qs(Nämnd.objects.filter(kommun=kommun)).order_by("namn", "giltig_från"))
        self.lagrade_områden = list(
            qs(Verksamhetsområde.objects.filter(nämnd__kommun=kommun)).order_by("nämnd_id", "ordning", "namn", "pk")
        )
        self.lagrade_slag = list(qs(Kostnadsslag.objects.filter(kommun=kommun)).order_by("typ", "ordning", "namn"))
        self.nämnd_föregångare = _m2m(Nämnd, [n.pk for n in self.lagrade_nämnder])
        self.område_föregångare = _m2m(Verksamhetsområde, [o.pk for o in self.lagrade_områden])

    def fel(self, post: Post | dict, fält: str | None, text: str) -> None:
        rad = post.rad if isinstance(post, Post) else post
        self.plan.fel.append(self.tolkat.fel_för(rad, fält, text))

    def planera(self) -> Organisationsplan:
        rader = defaultdict(list)
        for rad in self.tolkat.rader:
            rader[rad["del"]].append(rad)
        nämnder = self._nämnder(rader[NÄMND]) if NÄMND in self.plan.delar else None
        if OMRÅDE in self.plan.delar:
            self._områden(rader[OMRÅDE], nämnder)
        if SLAG in self.plan.delar:
            self._kostnadsslag(rader[SLAG])
        if NÄMND in self.plan.delar:
            self._ta_bort_nämnder()
        for del_ in DELAR:
            if del_ not in self.plan.delar:
                self.plan.noteringar.append(
                    f"Filen har inga {BLADNAMN[del_].lower()}: kommunens {BLADNAMN[del_].lower()} lämnas orörda."
                )
        return self.plan

    # -- matching ----------------------------------------------------------------------------------------------

    def _med_id(self, rad: dict, lagrade: list, tagna: set[int], vad: str) -> tuple[Any, bool]:
        """(the stored object the row's Id names, ok). Errors for an unknown or repeated Id."""
        if not rad.get("id"):
            return None, True
        try:
            pk = _heltal(rad["id"], 1, 2**62, "Id")
        except ValueError as e:
            self.fel(rad, "id", str(e))
            return None, False
        träff = next((o for o in lagrade if o.pk == pk), None)
        if träff is None:
            self.fel(rad, "id", f"Id {pk} finns inte bland kommunens {vad}. Lämna Id tomt för en ny rad.")
            return None, False
        if pk in tagna:
            self.fel(rad, "id", f"Id {pk} står på flera rader.")
            return None, False
        tagna.add(pk)
        return träff, True

    # -- nämnder -----------------------------------------------------------------------------------------------

    def _nämnder(self, rader: list[dict]) -> dict[str, Post]:
        per_namn: dict[str, Post] = {}
        tagna: set[int] = set()
        poster = [p for rad in rader if (p := self._nämndrad(rad, per_namn, tagna)) is not None]
        self._matcha_nämnder(poster)
        for post in poster:
            for text in _lista(post.rad.get("föregångare", "")):
                f = per_namn.get(nyckeltext(text))
                if f is None:
                    self.fel(post, "föregångare", f"Okänd föregångare {text!r}: nämnden finns inte i filen.")
                elif f is post:
                    self.fel(post, "föregångare", "En nämnd kan inte vara sin egen föregångare.")
                elif f not in post.föregångare:
                    post.föregångare.append(f)
        self.plan.nämnder = poster
        for post in poster:
            self._jämför_nämnd(post)
        return per_namn

    def _nämndrad(self, rad: dict, per_namn: dict[str, Post], tagna: set[int]) -> Post | None:
        lagrad, ok = self._med_id(rad, self.lagrade_nämnder, tagna, "nämnder")
        post = Post(NÄMND, rad, lagrad)
        namn = rad.get("namn", "").strip()
        if not namn:
            self.fel(rad, "namn", "Nämnden saknar namn.")
            return None
        if len(namn) > 150:
            self.fel(rad, "namn", "Namnet är längre än 150 tecken.")
            ok = False
        if nyckeltext(namn) in per_namn:
            self.fel(rad, "namn", f"Nämnden {namn} står två gånger ({per_namn[nyckeltext(namn)].ref}).")
            return None
        post.värden["namn"] = namn
        for fält in ("giltig_från", "giltig_till"):
            try:
                post.värden[fält] = _datum(rad[fält]) if rad.get(fält) else None
            except ValueError as e:
                self.fel(rad, fält, str(e))
                ok = False
        per_namn[nyckeltext(namn)] = post
        return post if ok else None

    def _matcha_nämnder(self, poster: list[Post]) -> None:
        # rows without an Id: by name (two stored nämnder of the same name: the one of the same start)
        tagna_pk = {p.lagrad.pk for p in poster if p.lagrad is not None}
        for post in poster:
            if post.lagrad is None and not post.rad.get("id"):
                kandidater = [
                    n
                    for n in self.lagrade_nämnder
                    if nyckeltext(n.namn) == nyckeltext(post.namn) and n.pk not in tagna_pk
                ]
                if len(kandidater) > 1:
                    kandidater = [n for n in kandidater if n.giltig_från == post.värden["giltig_från"]]
                if len(kandidater) == 1:
                    post.lagrad = kandidater[0]
                    tagna_pk.add(post.lagrad.pk)
            if post.värden["giltig_från"] is None:
                post.värden["giltig_från"] = post.lagrad.giltig_från if post.lagrad else dt.date(2000, 1, 1)
            if post.värden["giltig_till"] and post.värden["giltig_till"] < post.värden["giltig_från"]:
                self.fel(post, "giltig_till", "Giltig till kan inte vara före giltig från.")

    def _jämför_nämnd(self, post: Post) -> None:
        v = post.värden
        nya_föreg = sorted(p.namn for p in post.föregångare)
        if post.lagrad is None:
            post.objekt = Nämnd(
                kommun=self.kommun, namn=v["namn"], giltig_från=v["giltig_från"], giltig_till=v["giltig_till"]
            )
            text = f"giltig {v['giltig_från']}–{v['giltig_till'] or ''}" + (
                f", föregångare {', '.join(nya_föreg)}" if nya_föreg else ""
            )
            self._ny(post, f"Nämnd {v['namn']} ({post.ref})", text)
            return
        n = post.objekt = post.lagrad
        ändringar, fält = [], []
        for f, etikett in (("namn", "namn"), ("giltig_från", "giltig från"), ("giltig_till", "giltig till")):
            if getattr(n, f) != v[f]:
                ändringar.append((f"Nämnd {n.namn} ({post.ref}): {etikett}", _t(getattr(n, f)), _t(v[f])))
                fält.append(f)
        gamla = sorted(x.namn for x in self.lagrade_nämnder if x.pk in self.nämnd_föregångare.get(n.pk, set()))
        nya_pk = [p.lagrad.pk if p.lagrad else None for p in post.föregångare]
        if None in nya_pk or set(nya_pk) != self.nämnd_föregångare.get(n.pk, set()):
            ändringar.append((f"Nämnd {n.namn} ({post.ref}): föregångare", ", ".join(gamla), ", ".join(nya_föreg)))
            fält.append("föregångare")
        self._ändrad(post, n, fält, ändringar)

    # -- areas ---------------------------------------------------------------------------------------------------

    def _områden(self, rader: list[dict], nämnder: dict[str, Post] | None) -> None:
        lagrade_poster: dict[int, Post] = {}  # one Post per stored nämnd when the file has no nämnder
        tagna: set[int] = set()
        räknare: dict[int, int] = defaultdict(int)
        poster = [
            p for rad in rader if (p := self._områdesrad(rad, nämnder, lagrade_poster, tagna, räknare)) is not None
        ]
        per_nämnd: dict[int, list[Post]] = defaultdict(list)
        for p in poster:
            per_nämnd[id(p.nämnd)].append(p)
        # förälder: a path or a unique name among the same nämnd's rows
        for p in poster:
            if text := p.rad.get("förälder", "").strip():
                träff, fel = _slå_upp(_väg(text), per_nämnd[id(p.nämnd)])
                if fel:
                    self.fel(p, "förälder", fel.replace("{vad}", "förälder"))
                elif träff is p:
                    self.fel(p, "förälder", "Ett verksamhetsområde kan inte ligga under sig självt.")
                else:
                    p.förälder = träff
        ordnade = self._ordna(poster)
        if ordnade is None:
            return
        self._dubbletter(ordnade)
        self._områdesföregångare(poster, per_nämnd)
        self._kodkrockar(ordnade)
        self._matcha_områden(ordnade)
        self.plan.områden = ordnade
        if self.plan.fel:
            return
        self._ta_bort_områden({p.lagrad.pk for p in ordnade if p.lagrad is not None})
        for p in ordnade:
            self._jämför_område(p)

    def _områdesnämnd(self, rad: dict, nämnder: dict[str, Post] | None, lagrade_poster: dict[int, Post]) -> Post | None:
        nämndnamn = rad.get("nämnd", "").strip()
        if not nämndnamn:
            self.fel(rad, "nämnd", "Nämnd saknas.")
            return None
        if nämnder is not None:
            if (post := nämnder.get(nyckeltext(nämndnamn))) is None:
                self.fel(rad, "nämnd", f"Okänd nämnd {nämndnamn!r}: den finns inte på bladet Nämnder.")
            return post
        lagrad = next((n for n in self.lagrade_nämnder if nyckeltext(n.namn) == nyckeltext(nämndnamn)), None)
        if lagrad is None:
            self.fel(rad, "nämnd", f"Okänd nämnd {nämndnamn!r}: kommunen har ingen nämnd med det namnet.")
            return None
        return lagrade_poster.setdefault(lagrad.pk, Post(NÄMND, {}, lagrad, {"namn": lagrad.namn}, objekt=lagrad))

    def _områdesrad(self, rad, nämnder, lagrade_poster, tagna: set[int], räknare: dict[int, int]) -> Post | None:
        lagrad, ok = self._med_id(rad, self.lagrade_områden, tagna, "verksamhetsområden")
        post = Post(OMRÅDE, rad, lagrad)
        namn = rad.get("namn", "").strip()
        if not namn:
            self.fel(rad, "namn", "Verksamhetsområdet saknar namn.")
            return None
        if len(namn) > 200 or SKILJE in namn:
            self.fel(
                rad,
                "namn",
                f"Namnet får vara högst 200 tecken och inte innehålla {SKILJE!r} (det skiljer namnen i en sökväg).",
            )
            ok = False
        post.nämnd = self._områdesnämnd(rad, nämnder, lagrade_poster)
        if post.nämnd is None:
            return None
        v = post.värden
        v["namn"] = namn
        räknare[id(post.nämnd)] += 1
        for fält, rensa in (
            ("typ", _områdestyp),
            ("ordning", lambda t: _heltal(t, 0, 2**31 - 1, "Ordning") if t else None),
            ("ansvarskoder", lambda t: _kodtext(t, "ansvarskod")),
            ("verksamhetskoder", lambda t: _kodtext(t, "verksamhetskod")),
            ("från_år", lambda t: _heltal(t, 2000, 2100, "Från år") if t else None),
            ("till_år", lambda t: _heltal(t, 2000, 2100, "Till år") if t else None),
            ("ej_fördelat", _sant),
        ):
            try:
                v[fält] = rensa(rad.get(fält, ""))
            except ValueError as e:
                self.fel(rad, fält, str(e))
                ok = False
        if not ok:
            return None
        if v["ordning"] is None:
            v["ordning"] = räknare[id(post.nämnd)] * 10
        if v["från_år"] and v["till_år"] and v["till_år"] < v["från_år"]:
            self.fel(rad, "till_år", "Till år kan inte vara före från år.")
            return None
        if len(v["ansvarskoder"]) > 500 or len(v["verksamhetskoder"]) > 500:
            self.fel(rad, "ansvarskoder", "Koderna är längre än 500 tecken.")
            return None
        return post

    def _dubbletter(self, ordnade: list[Post]) -> None:
        sedda: dict[tuple, Post] = {}
        for p in ordnade:
            nyckel = (id(p.nämnd), id(p.förälder), nyckeltext(p.namn))
            if nyckel in sedda:
                self.fel(
                    p,
                    "namn",
                    f"{p.namn} finns redan under {p.förälder.vägtext if p.förälder else 'nämnden direkt'} i "
                    f"{p.nämnd.namn} ({sedda[nyckel].ref}).",
                )
            else:
                sedda[nyckel] = p

    def _områdesföregångare(self, poster: list[Post], per_nämnd: dict[int, list[Post]]) -> None:
        """ "Nämnd: path", or a path in the same nämnd."""
        per_nämndnamn = {nyckeltext(p.nämnd.namn): per_nämnd[id(p.nämnd)] for p in poster}
        for p in poster:
            for text in _lista(p.rad.get("föregångare", "")):
                nämndnamn, kolon, väg = text.partition(":")
                if not kolon:
                    kandidater, väg = per_nämnd[id(p.nämnd)], text
                elif nyckeltext(nämndnamn) in per_nämndnamn:
                    kandidater = per_nämndnamn[nyckeltext(nämndnamn)]
                else:
                    self.fel(
                        p,
                        "föregångare",
                        f"Okänd föregångare {text!r}: nämnden {nämndnamn.strip()!r} har inga verksamhetsområden i filen.",
                    )
                    continue
                träff, fel = _slå_upp(_väg(väg), kandidater)
                if fel:
                    self.fel(p, "föregångare", fel.replace("{vad}", "föregångare"))
                elif träff is p:
                    self.fel(p, "föregångare", "Ett verksamhetsområde kan inte vara sin egen föregångare.")
                elif träff is not None and träff not in p.föregångare:
                    p.föregångare.append(träff)

    def _matcha_områden(self, ordnade: list[Post]) -> None:
        """Rows without an Id: the stored area of the same nämnd, förälder path and name."""
        tagna_pk = {p.lagrad.pk for p in ordnade if p.lagrad is not None}
        lagrad_väg = _lagrade_vägar(self.lagrade_områden)
        per_nyckel: dict[tuple, list] = defaultdict(list)
        for o in self.lagrade_områden:
            per_nyckel[(o.nämnd_id, lagrad_väg[o.pk])].append(o)
        for p in ordnade:
            if p.lagrad is None and not p.rad.get("id") and p.nämnd.lagrad is not None:
                nyckel = (p.nämnd.lagrad.pk, tuple(nyckeltext(n) for n in p.väg()))
                if kandidater := [o for o in per_nyckel.get(nyckel, []) if o.pk not in tagna_pk]:
                    p.lagrad = kandidater[0]
                    tagna_pk.add(p.lagrad.pk)

    def _ordna(self, poster: list[Post]) -> list[Post] | None:
        """Parents before children; a cycle is an error on every row in it."""
        ordnade: list[Post] = []
        klara: set[int] = set()
        fel = False
        for p in poster:
            kedja: list[Post] = []
            nod: Post | None = p
            while nod is not None and id(nod) not in klara:
                if nod in kedja:
                    cykel = kedja[kedja.index(nod) :]
                    text = " → ".join(f"{c.namn} ({c.ref})" for c in [*cykel, nod])
                    for c in cykel:
                        self.fel(c, "förälder", f"Förälder bildar en cykel: {text}.")
                        klara.add(id(c))
                    fel = True
                    break
                kedja.append(nod)
                nod = nod.förälder
            else:
                for c in reversed(kedja):
                    klara.add(id(c))
                    ordnade.append(c)
        return None if fel else ordnade

    def _kodkrockar(self, poster: list[Post]) -> None:
        """The same (ansvar, verksamhet) code pair on two areas of a nämnd in overlapping years: every utfall row
        with those codes would be a tie (see importer.utfall.Kodkarta)."""
        sedda: dict[tuple, list[Post]] = defaultdict(list)
        for p in poster:
            v = p.värden
            ansvar = koder(v["ansvarskoder"]) or [""]
            vht = koder(v["verksamhetskoder"]) or [""]
            for a in ansvar:
                for vk in vht:
                    if not a and not vk:
                        continue
                    nyckel = (id(p.nämnd), a.casefold(), vk.casefold())
                    for q in sedda[nyckel]:
                        if _överlappar(p.värden, q.värden):
                            kod = " / ".join(
                                x for x in (f"ansvar {a}" if a else "", f"verksamhet {vk}" if vk else "") if x
                            )
                            self.fel(
                                p,
                                "ansvarskoder" if a else "verksamhetskoder",
                                f"Koden {kod} används redan av {q.vägtext} ({q.ref}) i samma nämnd samma år.",
                            )
                    sedda[nyckel].append(p)

    def _ta_bort_områden(self, kvar: set[int]) -> None:
        borta = [o for o in self.lagrade_områden if o.pk not in kvar]
        med_data = _har_data(Verksamhetsområde, {o.pk for o in borta}, OMRÅDE_UTOM)
        behålls: dict[int, str] = {o.pk: "data" for o in borta if o.pk in med_data}
        per_pk = {o.pk: o for o in self.lagrade_områden}
        for pk in list(behålls):  # a kept area keeps its parents
            förälder = per_pk[pk].förälder_id
            while förälder is not None and förälder not in kvar and förälder not in behålls:
                behålls[förälder] = "barn"
                förälder = per_pk[förälder].förälder_id
        vägar = _lagrade_vägar(self.lagrade_områden, text=True)
        nämndnamn = {n.pk: n.namn for n in self.lagrade_nämnder}
        for o in borta:
            namn = f"{nämndnamn[o.nämnd_id]}: {vägar[o.pk]}"
            if o.pk in behålls:
                orsak = (
                    f"har uppgifter ({_datatext(Verksamhetsområde, o.pk, OMRÅDE_UTOM)})"
                    if behålls[o.pk] == "data"
                    else "ett område under det har uppgifter"
                )
                self.plan.behålls.append(
                    f"Verksamhetsområdet {namn} finns inte i filen men tas inte bort: det {orsak}. "
                    "Ta med det i filen och sätt Till år för att avsluta det."
                )
            else:
                self.plan.borttagna[OMRÅDE].append(o)
        djup = {o.pk: len(vägar[o.pk].split(SKILJE)) for o in borta}
        self.plan.borttagna[OMRÅDE].sort(key=lambda o: -djup[o.pk])
        for o in self.plan.borttagna[OMRÅDE]:
            self.plan.poster.append(
                Postplan(
                    o, False, (), [(f"Verksamhetsområde {nämndnamn[o.nämnd_id]}: {vägar[o.pk]}", "", "tas bort")], True
                )
            )

    def _jämför_område(self, p: Post) -> None:
        v = p.värden
        o = p.lagrad
        nämndpk = p.nämnd.lagrad.pk if p.nämnd.lagrad else None
        namn = f"{p.nämnd.namn}: {p.vägtext}"
        if o is None:
            p.objekt = Verksamhetsområde(
                namn=v["namn"],
                typ=v["typ"],
                ordning=v["ordning"],
                ansvarskoder=v["ansvarskoder"],
                verksamhetskoder=v["verksamhetskoder"],
                från_år=v["från_år"],
                till_år=v["till_år"],
                ej_fördelat=v["ej_fördelat"],
            )
            delar = [Verksamhetsområde.Typ(v["typ"]).value]
            if v["ansvarskoder"]:
                delar.append(f"ansvar {v['ansvarskoder']}")
            if v["verksamhetskoder"]:
                delar.append(f"verksamhet {v['verksamhetskoder']}")
            if v["från_år"] or v["till_år"]:
                delar.append(f"år {visa_år(v['från_år'])}–{visa_år(v['till_år'])}")
            self._ny(p, f"Verksamhetsområde {namn} ({p.ref})", ", ".join(delar))
            return
        p.objekt = o
        ändringar, fält = [], []
        if nämndpk != o.nämnd_id:
            if o.pk in _har_data(Verksamhetsområde, {o.pk}, OMRÅDE_UTOM):
                self.fel(
                    p,
                    "nämnd",
                    f"{o.namn} har uppgifter i en annan nämnd och kan inte flyttas. Sätt Till år på det och lägg "
                    "upp ett nytt område med det som föregångare.",
                )
                return
            gammal = next(n.namn for n in self.lagrade_nämnder if n.pk == o.nämnd_id)
            ändringar.append((f"Verksamhetsområde {namn} ({p.ref}): nämnd", gammal, p.nämnd.namn))
            fält.append("nämnd")
        for f, etikett in (
            ("namn", "namn"),
            ("typ", "typ"),
            ("ordning", "ordning"),
            ("ansvarskoder", "ansvarskoder"),
            ("verksamhetskoder", "verksamhetskoder"),
            ("från_år", "från år"),
            ("till_år", "till år"),
            ("ej_fördelat", "ej fördelat"),
        ):
            gammalt = getattr(o, f)
            lika = koder(gammalt) == koder(v[f]) if f in ("ansvarskoder", "verksamhetskoder") else gammalt == v[f]
            if not lika:
                ändringar.append((f"Verksamhetsområde {namn} ({p.ref}): {etikett}", _t(gammalt), _t(v[f])))
                fält.append(f)
        ny_förälder = p.förälder.lagrad.pk if p.förälder and p.förälder.lagrad else None
        if (p.förälder is not None and p.förälder.lagrad is None) or ny_förälder != o.förälder_id:
            gammal_väg = _lagrade_vägar(self.lagrade_områden, text=True).get(o.förälder_id, "")
            ändringar.append(
                (
                    f"Verksamhetsområde {namn} ({p.ref}): förälder",
                    gammal_väg,
                    p.förälder.vägtext if p.förälder else "",
                )
            )
            fält.append("förälder")
        gamla = self.område_föregångare.get(o.pk, set())
        nya = [f.lagrad.pk if f.lagrad else None for f in p.föregångare]
        if None in nya or set(nya) != gamla:
            vägar = _lagrade_vägar(self.lagrade_områden, text=True)
            ändringar.append(
                (
                    f"Verksamhetsområde {namn} ({p.ref}): föregångare",
                    "; ".join(sorted(vägar[pk] for pk in gamla)),
                    "; ".join(sorted(f.vägtext for f in p.föregångare)),
                )
            )
            fält.append("föregångare")
        self._ändrad(p, o, fält, ändringar)

    # -- kostnadsslag ------------------------------------------------------------------------------------------

    def _kostnadsslag(self, rader: list[dict]) -> None:
        tagna: set[int] = set()
        per_namn: dict[str, Post] = {}
        poster = [p for i, rad in enumerate(rader, start=1) if (p := self._slagrad(i, rad, per_namn, tagna))]
        tagna_pk = {p.lagrad.pk for p in poster if p.lagrad}
        for p in poster:
            if p.lagrad is None and not p.rad.get("id"):
                p.lagrad = next(
                    (k for k in self.lagrade_slag if nyckeltext(k.namn) == nyckeltext(p.namn) and k.pk not in tagna_pk),
                    None,
                )
                if p.lagrad:
                    tagna_pk.add(p.lagrad.pk)
        self.plan.kostnadsslag = poster
        borta = [k for k in self.lagrade_slag if k.pk not in tagna_pk]
        med_data = _har_data(Kostnadsslag, {k.pk for k in borta}, set())
        for k in borta:
            if k.pk in med_data:
                self.plan.behålls.append(
                    f"Kostnadsslaget {k.namn} finns inte i filen men tas inte bort: budget eller utfall är bokfört på det."
                )
            else:
                self.plan.borttagna[SLAG].append(k)
                self.plan.poster.append(Postplan(k, False, (), [(f"Kostnadsslag {k.namn}", "", "tas bort")], True))
        for p in poster:
            self._jämför_slag(p)

    def _slagrad(self, i: int, rad: dict, per_namn: dict[str, Post], tagna: set[int]) -> Post | None:
        lagrad, ok = self._med_id(rad, self.lagrade_slag, tagna, "kostnadsslag")
        post = Post(SLAG, rad, lagrad)
        namn = rad.get("namn", "").strip()
        if not namn:
            self.fel(rad, "namn", "Kostnadsslaget saknar namn.")
            return None
        if nyckeltext(namn) in per_namn:
            self.fel(rad, "namn", f"Kostnadsslaget {namn} står två gånger ({per_namn[nyckeltext(namn)].ref}).")
            return None
        per_namn[nyckeltext(namn)] = post
        post.värden["namn"] = namn
        for fält, rensa in (
            ("typ", _slagtyp),
            ("ordning", lambda t: _heltal(t, 0, 2**31 - 1, "Ordning") if t else i * 10),
            ("konton", _kontotext),
        ):
            try:
                post.värden[fält] = rensa(rad.get(fält, ""))
            except ValueError as e:
                self.fel(rad, fält, str(e))
                ok = False
        if len(namn) > 100 or len(post.värden.get("konton") or "") > 500:
            self.fel(rad, "namn", "Namnet (högst 100 tecken) eller kontona (högst 500) är för långa.")
            ok = False
        return post if ok else None

    def _jämför_slag(self, p: Post) -> None:
        v = p.värden
        if p.lagrad is None:
            p.objekt = Kostnadsslag(kommun=self.kommun, **v)
            self._ny(p, f"Kostnadsslag {v['namn']} ({p.ref})", f"{v['typ']}, konton {v['konton'] or '–'}")
            return
        k = p.objekt = p.lagrad
        ändringar, fält = [], []
        for f in ("namn", "typ", "ordning", "konton"):
            gammalt = getattr(k, f)
            lika = _konton(gammalt) == _konton(v[f]) if f == "konton" else gammalt == v[f]
            if not lika:
                ändringar.append((f"Kostnadsslag {k.namn} ({p.ref}): {f}", _t(gammalt), _t(v[f])))
                fält.append(f)
        self._ändrad(p, k, fält, ändringar)

    # -- nämnder not in the file -------------------------------------------------------------------------------

    def _ta_bort_nämnder(self) -> None:
        kvar = {p.lagrad.pk for p in self.plan.nämnder if p.lagrad}
        borta = [n for n in self.lagrade_nämnder if n.pk not in kvar]
        if not borta:
            return
        med_data = _har_data(Nämnd, {n.pk for n in borta}, NÄMND_UTOM)
        borttagna_områden = {o.pk for o in self.plan.borttagna[OMRÅDE]}
        kvarvarande: dict[int, int] = defaultdict(int)
        for o in self.lagrade_områden:
            if o.pk not in borttagna_områden:
                kvarvarande[o.nämnd_id] += 1
        # an area moved to a nämnd in the file no longer counts for its old nämnd
        for p in self.plan.områden:
            if p.lagrad is not None and p.nämnd.lagrad is not None and p.nämnd.lagrad.pk != p.lagrad.nämnd_id:
                kvarvarande[p.lagrad.nämnd_id] -= 1
        for n in borta:
            if n.pk in med_data or kvarvarande[n.pk] > 0:
                orsak = (
                    f"den har {_datatext(Nämnd, n.pk, NÄMND_UTOM)}"
                    if n.pk in med_data
                    else "verksamhetsområden ligger kvar i den"
                )
                self.plan.behålls.append(
                    f"Nämnden {n.namn} finns inte i filen men tas inte bort: {orsak}. Ta med den i filen och sätt "
                    "Giltig till för att avsluta den."
                )
            else:
                self.plan.borttagna[NÄMND].append(n)
                self.plan.poster.append(Postplan(n, False, (), [(f"Nämnd {n.namn}", "", "tas bort")], True))

    # -- plan lines -------------------------------------------------------------------------------------------

    def _ny(self, post: Post, vad: str, text: str) -> None:
        post.ändrad = True
        self.plan.poster.append(Postplan(post.objekt, True, (), [(vad, "", text)]))

    def _ändrad(self, post: Post, objekt, fält: list[str], ändringar: list[tuple[str, str, str]]) -> None:
        if ändringar:
            post.ändrad = True
            for f in fält:
                if f in post.värden:  # nämnd, förälder and föregångare are set when written
                    setattr(objekt, f, post.värden[f])
            self.plan.poster.append(Postplan(objekt, False, tuple(fält), ändringar))
        else:
            self.plan.oförändrade += 1


def _t(värde: Any) -> str:
    if värde is None or värde == "":
        return ""
    if isinstance(värde, bool):
        return "ja" if värde else "nej"
    return str(värde)


def _konton(text: str) -> list[str]:
    return [d.strip().replace(" ", "") for d in text.replace(";", ",").split(",") if d.strip()]


def _överlappar(a: dict, b: dict) -> bool:
    return (a["från_år"] or 0) <= (b["till_år"] or 9999) and (b["från_år"] or 0) <= (a["till_år"] or 9999)


def _m2m(modell, ids: list[int]) -> dict[int, set[int]]:
    through = modell.föregångare.through
    från = f"from_{modell._meta.model_name}_id"
    till = f"to_{modell._meta.model_name}_id"
    result: dict[int, set[int]] = defaultdict(set)
    for a, b in through.objects.filter(**{f"{från}__in": ids}).values_list(från, till):
        result[a].add(b)
    return result


def _lagrade_vägar(områden: list[Verksamhetsområde], text: bool = False) -> dict:
    """pk → the area's path (tuple of normalised names, or " / "-joined names with ``text``)."""
    per_pk = {o.pk: o for o in områden}
    result: dict = {}
    for o in områden:
        namn, sedda = [], set()
        nod: Verksamhetsområde | None = o
        while nod is not None and nod.pk not in sedda:
            sedda.add(nod.pk)
            namn.append(nod.namn)
            nod = per_pk.get(nod.förälder_id) if nod.förälder_id else None
        namn.reverse()
        result[o.pk] = SKILJE.join(namn) if text else tuple(nyckeltext(n) for n in namn)
    return result


def _slå_upp(väg: list[str], kandidater: list[Post]) -> tuple[Post | None, str | None]:
    """The row a path names among one nämnd's rows: the last name, whose parents' names end with the rest."""
    if not väg:
        return None, "Tom {vad}."
    träffar = [p for p in kandidater if nyckeltext(p.namn) == nyckeltext(väg[-1]) and _väg_slutar(p, väg)]
    text = SKILJE.join(väg)
    if not träffar:
        return None, f"Okänd {{vad}} {text!r}: det finns inget sådant verksamhetsområde i nämnden i filen."
    if len(träffar) > 1:
        exempel = träffar[0].vägtext
        return (
            None,
            f"{{vad}} {text!r} är tvetydig ({len(träffar)} områden heter så); skriv hela vägen, t.ex. {exempel!r}.",
        )
    return träffar[0], None


def _väg_slutar(p: Post, väg: list[str]) -> bool:
    nod, sedda = p.förälder, {id(p)}
    for namn in reversed(väg[:-1]):
        if nod is None or id(nod) in sedda or nyckeltext(nod.namn) != nyckeltext(namn):
            return False
        sedda.add(id(nod))
        nod = nod.förälder
    return True


def planera(kommun: Kommun, tolkat: Tolkat, lås: bool = False) -> Organisationsplan:
    if not tolkat.rader and not delar_i(tolkat):
        return Organisationsplan(delar=set())
    return Planerare(kommun, tolkat, lås).planera()


# --- the service ---------------------------------------------------------------------------------------------


def kräv_admin(user, kommun: Kommun) -> None:
    if not är_admin(user, kommun):
        raise PermissionDenied("Endast kommunens administratörer får importera organisationen.")


@dataclass
class Granskning:
    imp: Import
    tolkat: Tolkat
    plan: Organisationsplan
    tabeller: list[Bladrader] | None = None  # the file's cells (for a column mapping); only from the upload

    @property
    def fel(self) -> list[Radfel]:
        return sorted([*self.tolkat.fel, *self.plan.fel], key=lambda f: (f.blad or "", f.rad or 0, f.kolumn or ""))

    @property
    def kan_bekräftas(self) -> bool:
        return not self.fel and bool(self.plan.poster)

    @property
    def noteringar(self) -> list[str]:
        return [*visningsnoteringar(self.tolkat), *self.plan.noteringar]


def _kort(text: str, längd: int) -> str:
    return text if len(text) <= längd else text[: längd - 1] + "…"


def förhandsgranska(
    user, kommun: Kommun, filnamn: str, innehåll: bytes, profil: Importprofil | None = None
) -> Granskning:
    """Read and plan the file; records the attempt as an Import (kommun-level, nämnd empty). Nothing else is written."""
    kräv_admin(user, kommun)
    tolkat, tabeller = läs(filnamn, innehåll, profil)
    plan = planera(kommun, tolkat)
    imp = Import(
        kommun=kommun,
        nämnd=None,
        typ=TYP,
        profil=profil,
        filnamn=_kort(filnamn, 255),
        sha256=hashlib.sha256(innehåll).hexdigest(),
        användare=user if getattr(user, "pk", None) else None,
        **granskningsfält(tolkat, plan),
    )
    Import.objects.bulk_create([imp])  # not report data: no data version bump (see ramverk.förhandsgranska)
    return Granskning(imp, tolkat, plan, tabeller)


def spara_kolumnmappning(user, imp: Import, kolumnval: dict, valda_fält: dict[int, str]) -> Importprofil:
    """The preview's column mapping (column index → field, "" = not used) of the header row ``kolumnval`` saved on
    the kommun's organisation profile (``ramverk.spara_profilkolumner``: the import's profile or the one named
    "Sparad kolumnmappning"). ``ValidationError`` (nothing saved) when a field is chosen twice or a required one
    has no column."""
    kräv_admin(user, imp.kommun)
    if imp.typ != TYP:
        raise InteBekräftad("Det är ingen organisationsimport.")
    del_ = kolumnval.get("del") or ALLA
    if del_ not in (*DELAR, ALLA):
        raise ValidationError("Okänd del av organisationsfilen.")
    return spara_profilkolumner(imp, kolumnval, valda_fält, krav(del_), fältnamn(del_))


def läs_om(user, imp: Import, tabeller: list[Bladrader]) -> Granskning:
    """The same upload's sheets read again with the import's (new) profile; the Import record's counts and status
    follow. Nothing else is written."""
    kräv_admin(user, imp.kommun)
    if imp.status not in (Import.Status.FEL, Import.Status.FÖRHANDSGRANSKAD):
        raise InteBekräftad(f"Importen är redan {imp.get_status_display().lower()}.")
    tolkat = tolka_tabeller(tabeller, imp.profil)
    plan = planera(imp.kommun, tolkat)
    spara_granskningsfält(imp, tolkat, plan)
    return Granskning(imp, tolkat, plan, tabeller)


def granska(user, imp: Import, tolkat: Tolkat) -> Granskning:
    kräv_admin(user, imp.kommun)
    return Granskning(imp, tolkat, planera(imp.kommun, tolkat))


def avbryt(user, imp: Import) -> None:
    kräv_admin(user, imp.kommun)
    Import.objects.filter(pk=imp.pk, status=Import.Status.FÖRHANDSGRANSKAD).update(status=Import.Status.AVBRUTEN)


def bekräfta(user, imp: Import, tolkat: Tolkat, fingeravtryck: str) -> Import:
    """Plan again inside one transaction (rows locked), check that it is what the preview showed, write it all."""
    try:
        with transaction.atomic():
            imp = Import.objects.select_for_update(of=("self",)).select_related("kommun").get(pk=imp.pk)
            kräv_admin(user, imp.kommun)
            if imp.typ != TYP:
                raise InteBekräftad("Det är ingen organisationsimport.")
            kräv_förhandsgranskad(imp)
            plan = planera(imp.kommun, tolkat, lås=True)
            kräv_samma_plan(tolkat, plan, fingeravtryck, "Organisationen")
            skriv(plan, imp, user)
            markera_genomförd(imp, plan)
    except InteBekräftad:
        raise
    except ValidationError as e:
        raise InteBekräftad(
            "Organisationen kunde inte sparas: " + " ".join(e.messages) + " Inget har sparats."
        ) from None
    except (IntegrityError, ProtectedError):
        raise InteBekräftad(
            "Organisationen kunde inte sparas: två verksamhetsområden skulle få samma namn under samma förälder "
            "under ändringen (t.ex. när två byter namn med varandra). Gör ändringen i två steg. Inget har sparats."
        ) from None
    return imp


def _spara(objekt: models.Model, user, orsak: str) -> None:
    objekt._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]
    objekt._change_reason = orsak  # type: ignore[attr-defined]
    objekt.full_clean(exclude=["kommun", "nämnd", "förälder"], validate_unique=False, validate_constraints=False)
    objekt.save()


def skriv(plan: Organisationsplan, imp: Import, user) -> None:
    """Removals (children first), then nämnder, areas (parents first) and kostnadsslag, then the föregångare;
    per-object saves record history (simple_history) and bump the kommun's data version (model signals).
    Must run inside the confirm transaction."""
    orsak = _kort(f"Import {imp.pk}: {imp.filnamn}", 100)
    ids = {id(p.objekt): p.objekt.pk for p in plan.poster}  # deleted objects lose their pk
    for p in plan.nämnder:
        if p.ändrad:
            _spara(p.objekt, user, orsak)
    for p in plan.områden:
        o = p.objekt
        nämnd = p.nämnd.objekt
        förälder = p.förälder.objekt if p.förälder else None
        if p.ändrad or o.nämnd_id != nämnd.pk or o.förälder_id != (förälder.pk if förälder else None):
            o.nämnd, o.förälder = nämnd, förälder
            _spara(o, user, orsak)
    for p in plan.kostnadsslag:
        if p.ändrad:
            _spara(p.objekt, user, orsak)
    for poster in (plan.nämnder, plan.områden):
        for p in poster:
            if p.ändrad:
                nya = {f.objekt.pk for f in p.föregångare}
                if set(p.objekt.föregångare.values_list("pk", flat=True)) != nya:
                    p.objekt.föregångare.set(nya)
    # removals last (children first), once the areas that stay have left their old parents
    for del_ in (OMRÅDE, SLAG, NÄMND):
        for o in plan.borttagna.get(del_, []):
            o._history_user = user if getattr(user, "pk", None) else None
            o._change_reason = orsak
            o.delete()
    dataversion.bumpa([imp.kommun_id])
    Importändring.objects.bulk_create(
        Importändring(
            imp=imp,
            modell=p.modell.__name__,
            objekt_id=p.objekt.pk if p.objekt.pk is not None else ids.get(id(p.objekt)),
            beskrivning=_kort(b, 300),
            gammalt=_kort(g, 100),
            nytt=_kort(n, 100),
        )
        for p in plan.poster
        for b, g, n in p.ändringar
    )


# --- export --------------------------------------------------------------------------------------------------


def _rader(kommun: Kommun) -> dict[str, list[list]]:
    nämnder = list(Nämnd.objects.filter(kommun=kommun).order_by("giltig_från", "namn", "pk"))
    områden = list(
        Verksamhetsområde.objects.filter(nämnd__kommun=kommun).order_by(
            "nämnd__giltig_från", "nämnd__namn", "ordning", "namn", "pk"
        )
    )
    slag = list(Kostnadsslag.objects.filter(kommun=kommun).order_by("typ", "ordning", "namn"))
    nämndnamn = {n.pk: n.namn for n in nämnder}
    nf = _m2m(Nämnd, [n.pk for n in nämnder])
    of = _m2m(Verksamhetsområde, [o.pk for o in områden])
    vägar = _lagrade_vägar(områden, text=True)
    per_pk = {o.pk: o for o in områden}
    # parents before children, siblings by ordning
    barn: dict[Any, list[Verksamhetsområde]] = defaultdict(list)
    for o in områden:
        barn[(o.nämnd_id, o.förälder_id if o.förälder_id in per_pk else None)].append(o)
    ordnade: list[Verksamhetsområde] = []

    def gå(nämnd_id: int, förälder: int | None) -> None:
        for o in barn.get((nämnd_id, förälder), []):
            ordnade.append(o)
            gå(nämnd_id, o.pk)

    for n in nämnder:
        gå(n.pk, None)
    return {
        NÄMND: [
            [
                n.pk,
                n.namn,
                n.giltig_från.isoformat(),
                n.giltig_till.isoformat() if n.giltig_till else None,
                f"{LISTSKILJE} ".join(sorted(nämndnamn[f] for f in nf.get(n.pk, ()))) or None,
            ]
            for n in nämnder
        ],
        OMRÅDE: [
            [
                o.pk,
                nämndnamn[o.nämnd_id],
                o.namn,
                vägar.get(o.förälder_id) if o.förälder_id else None,
                o.typ,
                o.ordning,
                o.ansvarskoder or None,
                o.verksamhetskoder or None,
                o.från_år,
                o.till_år,
                f"{LISTSKILJE} ".join(
                    sorted(f"{nämndnamn[per_pk[f].nämnd_id]}: {vägar[f]}" for f in of.get(o.pk, ()) if f in per_pk)
                )
                or None,
                "ja" if o.ej_fördelat else None,
            ]
            for o in ordnade
        ],
        SLAG: [[k.pk, k.namn, k.typ, k.ordning, k.konton or None] for k in slag],
    }


HELTALSFÄLT = {"id", "ordning", "från_år", "till_år"}


def exportblad(kommun: Kommun) -> list[Blad]:
    """The organisation file as .xlsx sheets (one per part), with an instruction sheet last."""
    rader = _rader(kommun)
    blad = []
    for del_ in DELAR:
        b = Blad(BLADNAMN[del_], [Kolumn(r, "0" if f in HELTALSFÄLT else None) for f, r in KOLUMNER[del_]])
        for rad in rader[del_]:
            b.rad(rad)
        blad.append(b)
    instr = Blad("Instruktioner", [Kolumn("Så fyller du i organisationsfilen", bredd=110)])
    for text in INSTRUKTIONER:
        instr.rad([text])
    return [*blad, instr]


def export_xlsx(kommun: Kommun) -> bytes:
    return xlsx_bytes(exportblad(kommun))


def export_csv(kommun: Kommun) -> str:
    """The same content as one CSV: a column Del and the union of the parts' columns."""
    return csv_text(csvblad(kommun))


def csvblad(kommun: Kommun) -> Blad:
    rader = _rader(kommun)
    b = Blad("Organisation", [Kolumn(r, "0" if f in HELTALSFÄLT else None) for f, r in CSV_KOLUMNER])
    for del_ in DELAR:
        fält = [f for f, _ in KOLUMNER[del_]]
        for rad in rader[del_]:
            värden = dict(zip(fält, rad, strict=True))
            b.rad([DELNAMN[del_], *(värden.get(f) for f, _ in CSV_KOLUMNER[1:])])
    return b


INSTRUKTIONER = [
    "Bladen Nämnder, Verksamhetsområden och Kostnadsslag beskriver hela kommunens organisation. Ett blad som "
    "saknas lämnar den delen orörd.",
    "Id: lämna tomt på nya rader och ändra det inte på befintliga (då kan du byta namn). Utan Id känns raden igen "
    "på namnet.",
    "Nämnder: Namn, Giltig från och Giltig till (2023-07-01), Föregångare = namnen på nämnder den ersätter, "
    "separerade med semikolon.",
    "Verksamhetsområden: Förälder skrivs som sökväg inom nämnden, ‹block› / ‹verksamhet› (bara namnet "
    "räcker om det är unikt). Typ: block, verksamhet eller enhet.",
    "Ansvarskoder och verksamhetskoder: kommaseparerade, jokertecken sist (74* = allt som börjar på 74). Samma "
    "kod får inte användas av två områden i samma nämnd samma år.",
    "Föregångare: ‹nämnd›: ‹sökväg› för ett område i en annan nämnd, annars bara sökvägen; flera "
    "separeras med semikolon. Ej fördelat: ja eller tomt.",
    "Kostnadsslag: Typ intäkt eller kostnad, Konton t.ex. 3000-3499, 3600.",
    "Det som finns i kommunen men inte i filen tas bort om inga uppgifter (budget, utfall, prognos …) hör till "
    "det; annars ligger det kvar och förhandsgranskningen säger det — sätt Till år för att avsluta det.",
]


# --- reads for the views ---------------------------------------------------------------------------------------


def importen(user, kommun: Kommun, import_id: int) -> Import:
    """One of the kommun's organisation imports (another kommun's or another kind → 404)."""
    return get_object_or_404(
        Import.objects.for_user(user).select_related("kommun", "användare", "profil"),
        pk=import_id,
        kommun=kommun,
        typ=TYP,
    )


def senaste_importer(user, kommun: Kommun, antal: int = 10) -> list[Import]:
    return list(
        Import.objects.for_user(user)
        .filter(kommun=kommun, typ=TYP)
        .select_related("användare")
        .order_by("-skapad")[:antal]
    )
