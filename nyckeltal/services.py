"""Writes for volymer och nyckeltal, indikatorer, måluppfyllelse and uppdrag (the entry pages).

Every save is one transaction: all rows or none. The pattern is ekonomi.services.spara_månad's:

* each row the page sends carries what the user loaded: the stored row's ``version`` (None = no row) and
  an ``avtryck`` (fingerprint) of the values shown. A row counts as edited when its values' fingerprint
  differs from the loaded one; an edited row whose stored version moved on is a ``Konflikt`` (nothing saved);
* closed periods and fastställda reports are refused (the edit guard, ``nämnd.vakt``) before anything is
  read for writing;
* writes are bulk (create, update, delete) with one history row per object (``historik.registrera``),
  so the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from ekonomi.services import Konflikt, Sparat
from grund import historik, manader
from grund.tal import NYCKELTAL, Talfel
from nämnd.models import Kommun, Nämnd, Rapporttyp
from nämnd.vakt import Slag, Vakt, Ändring, låsmånad

from .bedomning import STANDARDNIVÅER, Bedömningsskala
from .models import (
    Bedömningsnivå,
    Indikator,
    Indikatorkommentar,
    Indikatorvärde,
    Mål,
    Måluppfyllelse,
    Nyckeltal,
    Nyckeltalsvärde,
    Uppdrag,
    Uppdragsstatus,
    bedömningsskala,
)

__all__ = [
    "Konflikt",
    "Sparat",
    "avtryck",
    "kolumnnamn",
    "Nyckeltalscell",
    "spara_nyckeltalsvärden",
    "Indikatorinmatning",
    "spara_indikatorvärden",
    "Målbedömning",
    "Uppdragsbedömning",
    "spara_måluppfyllelse",
    "standardskala",
]

MÅNADER = list(manader.LÅNGA)
UTGÅNGSLÄGE = "Utgångsläge: värdet som fanns innan det ändrades (raden saknade historik)"


# --- shared mechanics ---------------------------------------------------------------------------


def avtryck(*värden) -> str:
    """A short fingerprint of values as shown to the user, for "did the user change this row?".

    Numbers compare by value ("55341" and "55341.00" are the same), texts without surrounding whitespace
    and with LF line breaks (browsers send CRLF), None as empty."""
    delar = []
    for v in värden:
        if v is None:
            delar.append("")
        elif isinstance(v, Decimal | int):
            delar.append(format((Decimal(v) + 0).normalize(), "f"))
        else:
            delar.append(str(v).replace("\r\n", "\n").replace("\r", "\n").strip())
    return hashlib.sha256("\x1f".join(delar).encode()).hexdigest()[:16]


def kolumnnamn(typ: str, år: int, månad: int | None = None) -> str:
    """How a value is named in labels and messages: "Prognos helår 2023", "Utfall mars 2023"."""
    if typ == Nyckeltalsvärde.Typ.UTFALL_MÅNAD:
        return f"Utfall {MÅNADER[månad - 1]} {år}"
    return f"{Nyckeltalsvärde.Typ(typ).label} {år}"


def kontrollera_tal(värde: Decimal | None) -> str | None:
    """Why a number can't be stored in a Värde field (``grund.tal.NYCKELTAL``, the range named), or None.
    (Forms check the same; this guards other callers.)"""
    if värde is None:
        return None
    try:
        NYCKELTAL.kontrollera(värde)
    except Talfel as e:
        return e.orsak
    return None


def summa(*sparade: Sparat) -> Sparat:
    return Sparat(*(sum(getattr(s, f) for s in sparade) for f in ("skapade", "ändrade", "borttagna")))


def _utgångsläge(model, objekt: list) -> None:
    """Record the current values of rows that have no history yet (demo data, rows bulk-loaded before the
    history existed), so that every change made here shows old → new. Two queries at most."""
    if not objekt:
        return
    har = set(model.history.filter(id__in=[o.pk for o in objekt]).order_by().values_list("id", flat=True).distinct())
    historik.registrera(model, [o for o in objekt if o.pk not in har], historik.ÄNDRAD, None, orsak=UTGÅNGSLÄGE)


def skriv(
    model,
    user,
    *,
    nya: list,
    ändringar: list[tuple[models.Model, dict]],
    borttagna: list,
    namn: Callable[[models.Model], str],
) -> Sparat:
    """Bulk create, update (values given per object; version + 1) and delete, each with history.

    Deletions go through ``historik.radera`` (one history row each, no per-object signals); the models
    written here have no reverse relations."""
    _utgångsläge(model, [o for o, _ in ändringar] + borttagna)
    for o, värden in ändringar:
        for fält, v in värden.items():
            setattr(o, fält, v)
        o.version += 1
    if nya:
        try:
            with transaction.atomic():
                model.objects.bulk_create(nya)
        except IntegrityError:
            # Someone created the same row after we read (select_for_update can't lock a missing row).
            raise Konflikt(sorted({namn(o) for o in nya})) from None
        historik.registrera(model, nya, historik.SKAPAD, user)
    if ändringar:
        objekt = [o for o, _ in ändringar]
        model.objects.bulk_update(objekt, sorted({f for _, v in ändringar for f in v} | {"version"}))
        historik.registrera(model, objekt, historik.ÄNDRAD, user)
    historik.radera(model, borttagna, user)
    return Sparat(len(nya), len(ändringar), len(borttagna))


def _låsta_i_rapporten(modell, fält: str, ids, år: int, rapporttyp: str) -> dict:
    """The stored rows of one report (``år``, ``rapporttyp``) for these ids, locked (SELECT … FOR UPDATE), by
    ``fält`` (e.g. ``mål_id``); no query without ids."""
    if not ids:
        return {}
    rader = modell.objects.select_for_update().filter(**{f"{fält}__in": list(ids)}, år=år, rapporttyp=rapporttyp)
    return {getattr(r, fält): r for r in rader}


def _stämmer(befintlig, version: int | None) -> bool:
    return (befintlig.version if befintlig is not None else None) == version


def _unika(nycklar: Iterable) -> None:
    nycklar = list(nycklar)
    if len(nycklar) != len(set(nycklar)):
        raise ValidationError("Samma värde skickades två gånger. Ladda om sidan och försök igen.")


def _gäller(år: int) -> models.Q:
    """Mål valid in ``år``."""
    return models.Q(från_år__lte=år) & (models.Q(till_år__isnull=True) | models.Q(till_år__gte=år))


# --- volymer och nyckeltal ---------------------------------------------------------------------

ÅRSTYPER = [
    Nyckeltalsvärde.Typ.MÅL,
    Nyckeltalsvärde.Typ.UTFALL_DELÅR,
    Nyckeltalsvärde.Typ.PROGNOS,
    Nyckeltalsvärde.Typ.UTFALL_HELÅR,
]


VÄRDESLAG = {
    Nyckeltalsvärde.Typ.UTFALL_MÅNAD: Slag.MÅNADSVÄRDE,
    Nyckeltalsvärde.Typ.UTFALL_DELÅR: Slag.DELÅRSVÄRDE,
    Nyckeltalsvärde.Typ.MÅL: Slag.BUDGET,
    Nyckeltalsvärde.Typ.PROGNOS: Slag.ÅRSVÄRDE,
    Nyckeltalsvärde.Typ.UTFALL_HELÅR: Slag.ÅRSVÄRDE,
}


def ändring_för_värde(typ: str, år: int, månad: int | None) -> Ändring:
    """What the edit guard is asked for a nyckeltal value: monthly utfall is a month's figure, mål/plan is
    budget, the other yearly values are the year's (delårsutfall as of the delår)."""
    return Ändring(VÄRDESLAG[Nyckeltalsvärde.Typ(typ)], år, månad)


def låsmånad_för_värde(typ: str, månad: int | None) -> int:
    """The month whose closing locks a nyckeltal value (for the entry page's read-only columns)."""
    return låsmånad(VÄRDESLAG[Nyckeltalsvärde.Typ(typ)], månad)


@dataclass(frozen=True)
class Nyckeltalscell:
    """One value of a nyckeltal for the year: a yearly kind, or utfall of one month. None = empty (delete)."""

    nyckeltal_id: int
    typ: str
    värde: Decimal | None
    månad: int | None = None
    version: int | None = None  # the stored row's version when the page was loaded; None = there was none
    avtryck_före: str = avtryck(None)  # avtryck(value shown when the page was loaded)

    @property
    def ändrad(self) -> bool:
        return avtryck(self.värde) != self.avtryck_före

    @property
    def nyckel(self) -> tuple[int, str, int | None]:
        return self.nyckeltal_id, self.typ, self.månad


@transaction.atomic
def spara_nyckeltalsvärden(user, nämnd: Nämnd, år: int, celler: Sequence[Nyckeltalscell]) -> Sparat:
    """Save yearly values and monthly utfall of a nämnd's nyckeltal for ``år``. A fixed number of queries
    whatever the number of rows; refuses closed periods, negative volumes, other nämnders' nyckeltal and
    concurrent edits."""
    vakt = Vakt.för(user, nämnd, år)
    vakt.kräv_behörighet()
    ändrade = [c for c in celler if c.ändrad]
    if not ändrade:
        return Sparat(0, 0, 0)
    for c in ändrade:
        if c.typ not in Nyckeltalsvärde.Typ.values or (
            (c.typ == Nyckeltalsvärde.Typ.UTFALL_MÅNAD) != (c.månad in range(1, 13))
        ):
            raise ValidationError(f"Ogiltigt värde: typ {c.typ!r}, månad {c.månad!r}.")
    _unika(c.nyckel for c in ändrade)
    vakt.kräv(ändring_för_värde(c.typ, år, c.månad) for c in ändrade)

    ids = {c.nyckeltal_id for c in ändrade}
    nyckeltal = {
        n.id: n for n in Nyckeltal.objects.filter(grupp__nämnd=nämnd, id__in=ids).only("id", "namn", "får_vara_negativ")
    }
    if främmande := ids - set(nyckeltal):
        raise ValidationError(f"Okända nyckeltal för {nämnd.namn}: {sorted(främmande)}.")

    def namn(c) -> str:
        return f"{nyckeltal[c.nyckeltal_id].namn} – {kolumnnamn(c.typ, år, c.månad)}"

    fel = [f"{namn(c)} {orsak}" for c in ändrade if (orsak := kontrollera_tal(c.värde))]
    fel += [
        f"{namn(c)} kan inte vara negativt"
        for c in ändrade
        if c.värde is not None and c.värde < 0 and not nyckeltal[c.nyckeltal_id].får_vara_negativ
    ]
    if fel:
        raise ValidationError([f"{f}." for f in fel])

    befintliga = {
        (v.nyckeltal_id, v.typ, v.månad): v
        for v in Nyckeltalsvärde.objects.select_for_update().filter(
            nyckeltal_id__in=ids, år=år, typ__in={c.typ for c in ändrade}
        )
    }
    if konflikter := [namn(c) for c in ändrade if not _stämmer(befintliga.get(c.nyckel), c.version)]:
        raise Konflikt(konflikter)

    nya, ändringar, borttagna = [], [], []
    for c in ändrade:
        v = befintliga.get(c.nyckel)
        if c.värde is None:
            if v is not None:
                borttagna.append(v)
        elif v is None:
            nya.append(Nyckeltalsvärde(nyckeltal_id=c.nyckeltal_id, år=år, typ=c.typ, månad=c.månad, värde=c.värde))
        else:
            ändringar.append((v, {"värde": c.värde}))
    return skriv(
        Nyckeltalsvärde,
        user,
        nya=nya,
        ändringar=ändringar,
        borttagna=borttagna,
        namn=lambda v: f"{nyckeltal[v.nyckeltal_id].namn} – {kolumnnamn(v.typ, år, v.månad)}",
    )


# --- indikatorer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indikatorinmatning:
    """An indikator's values for the year: utfall totalt/kvinnor/män (one Indikatorvärde) and prognos
    (an Indikatorvärde of typ prognos, value in ``totalt``). None = empty."""

    indikator_id: int
    totalt: Decimal | None = None
    kvinnor: Decimal | None = None
    män: Decimal | None = None
    prognos: Decimal | None = None
    utfall_version: int | None = None
    utfall_avtryck: str = avtryck(None, None, None)  # avtryck(totalt, kvinnor, män) as loaded
    prognos_version: int | None = None
    prognos_avtryck: str = avtryck(None)

    @property
    def utfall_ändrat(self) -> bool:
        return avtryck(self.totalt, self.kvinnor, self.män) != self.utfall_avtryck

    @property
    def prognos_ändrad(self) -> bool:
        return avtryck(self.prognos) != self.prognos_avtryck


def _indikatorändringar(ändrade: Sequence[Indikatorinmatning], befintliga: dict, år: int) -> tuple[list, list, list]:
    """The entered rows against the stored values: (new, (stored, changed values), deleted)."""
    UTFALL, PROGNOS = Indikatorvärde.Typ.UTFALL, Indikatorvärde.Typ.PROGNOS
    nya, ändringar, borttagna = [], [], []
    for r in ändrade:
        if r.utfall_ändrat:
            v = befintliga.get((r.indikator_id, UTFALL))
            värden = {"totalt": r.totalt, "kvinnor": r.kvinnor, "män": r.män}
            if all(x is None for x in värden.values()):
                if v is not None:
                    borttagna.append(v)
            elif v is None:
                nya.append(Indikatorvärde(indikator_id=r.indikator_id, år=år, typ=UTFALL, **värden))
            else:
                ändringar.append((v, värden))
        if r.prognos_ändrad:
            v = befintliga.get((r.indikator_id, PROGNOS))
            if r.prognos is None and v is not None and v.kvinnor is None and v.män is None:
                borttagna.append(v)
            elif v is None:
                nya.append(Indikatorvärde(indikator_id=r.indikator_id, år=år, typ=PROGNOS, totalt=r.prognos))
            else:
                ändringar.append((v, {"totalt": r.prognos}))
    return nya, ändringar, borttagna


@transaction.atomic
def spara_indikatorvärden(user, nämnd: Nämnd, år: int, rader: Sequence[Indikatorinmatning]) -> Sparat:
    """Save the year's utfall (totalt, kvinnor, män) and prognos of the indikatorer of a nämnd's mål valid in
    ``år``. Locked when December of ``år`` is closed or a report of the year is fastställd (``nämnd.vakt``).
    A fixed number of queries."""
    vakt = Vakt.för(user, nämnd, år)
    vakt.kräv_behörighet()
    ändrade = [r for r in rader if r.utfall_ändrat or r.prognos_ändrad]
    if not ändrade:
        return Sparat(0, 0, 0)
    _unika(r.indikator_id for r in ändrade)
    vakt.kräv([Ändring(Slag.ÅRSVÄRDE, år)])
    ids = {r.indikator_id for r in ändrade}
    indikatorer = {
        i.id: i
        for i in Indikator.objects.filter(id__in=ids, mål__in=Mål.objects.filter(_gäller(år), nämnd=nämnd)).only(
            "id", "namn"
        )
    }
    if främmande := ids - set(indikatorer):
        raise ValidationError(f"Okända indikatorer för {nämnd.namn} {år}: {sorted(främmande)}.")
    fel = [
        f"{indikatorer[r.indikator_id].namn} – {fält} {år} {orsak}."
        for r in ändrade
        for fält, v in (("totalt", r.totalt), ("kvinnor", r.kvinnor), ("män", r.män), ("prognos", r.prognos))
        if (orsak := kontrollera_tal(v))
    ]
    if fel:
        raise ValidationError(fel)

    befintliga = {
        (v.indikator_id, v.typ): v
        for v in Indikatorvärde.objects.select_for_update().filter(indikator_id__in=ids, år=år)
    }
    UTFALL, PROGNOS = Indikatorvärde.Typ.UTFALL, Indikatorvärde.Typ.PROGNOS
    konflikter = []
    for r in ändrade:
        namn = indikatorer[r.indikator_id].namn
        if r.utfall_ändrat and not _stämmer(befintliga.get((r.indikator_id, UTFALL)), r.utfall_version):
            konflikter.append(f"{namn} (utfall {år})")
        if r.prognos_ändrad and not _stämmer(befintliga.get((r.indikator_id, PROGNOS)), r.prognos_version):
            konflikter.append(f"{namn} (prognos {år})")
    if konflikter:
        raise Konflikt(konflikter)

    nya, ändringar, borttagna = _indikatorändringar(ändrade, befintliga, år)
    return skriv(
        Indikatorvärde,
        user,
        nya=nya,
        ändringar=ändringar,
        borttagna=borttagna,
        namn=lambda v: f"{indikatorer[v.indikator_id].namn} ({v.get_typ_display().lower()} {år})",
    )


# --- bedömningsskala ----------------------------------------------------------------------------


def standardskala(kommun: Kommun) -> list[Bedömningsnivå]:
    """Give a new kommun the standard bedömning scale (``bedomning.STANDARDNIVÅER``) as its own levels, which its
    admin then words as the kommun does. Called by whoever creates a kommun (the demo loader, the admin, test
    factories) — not a signal. Does nothing for a kommun that already has levels."""
    if Bedömningsnivå.objects.filter(kommun=kommun).exists():
        return []
    return Bedömningsnivå.objects.bulk_create(
        Bedömningsnivå(kommun=kommun, kod=kod, text=text, ordning=i)
        for i, (kod, text) in enumerate(STANDARDNIVÅER, start=1)
    )


# --- måluppfyllelse och uppdrag ---------------------------------------------------------------


@dataclass(frozen=True)
class Målbedömning:
    """A mål's bedömning for a report. Empty bedömning and kommentar = no assessment (delete)."""

    mål_id: int
    bedömning: str  # the kod of a level of the kommun's scale (Bedömningsnivå), or ""
    kommentar: str = ""
    version: int | None = None
    avtryck_före: str = avtryck("", "")  # avtryck(bedömning, kommentar) as loaded

    @property
    def ändrad(self) -> bool:
        return avtryck(self.bedömning, self.kommentar) != self.avtryck_före


@dataclass(frozen=True)
class Uppdragsbedömning:
    """An uppdrag's status for a report. Empty status and kommentar = no status (delete)."""

    uppdrag_id: int
    status: str  # Uppdragsstatus.Status value or ""
    kommentar: str = ""
    version: int | None = None
    avtryck_före: str = avtryck("", "")  # avtryck(status, kommentar) as loaded

    @property
    def ändrad(self) -> bool:
        return avtryck(self.status, self.kommentar) != self.avtryck_före


@dataclass(frozen=True)
class Indikatorkommentering:
    """An indikator's comment in a report. Empty = no comment (delete)."""

    indikator_id: int
    kommentar: str
    version: int | None = None
    avtryck_före: str = avtryck("")  # avtryck(kommentar) as loaded

    @property
    def ändrad(self) -> bool:
        return avtryck(self.kommentar) != self.avtryck_före


def _plan(
    befintliga: dict,
    nyckel,
    val: str,
    kommentar: str,
    skapa: Callable[[], models.Model],
    fält: str,
    nya: list,
    ändringar: list,
    borttagna: list,
) -> None:
    v = befintliga.get(nyckel)
    if not val and not kommentar:
        if v is not None:
            borttagna.append(v)
    elif v is None:
        nya.append(skapa())
    else:
        ändringar.append((v, {fält: val, "kommentar": kommentar}))


def _bedömningsfel(
    mål_ändrade: Sequence[Målbedömning],
    uppdrag_ändrade: Sequence[Uppdragsbedömning],
    målnamn: dict[int, str],
    uppdragsnamn: Callable[[int], str],
    skala: Bedömningsskala | None,
    plan: bool = False,
) -> list[str]:
    """Bedömningar not on the kommun's scale, unknown statusar, and comments without one (a plan's mål have a
    comment and no bedömning)."""
    fel = []
    for m in mål_ändrade:
        if plan and m.bedömning:
            fel.append(f"{målnamn[m.mål_id]}: en verksamhetsplan har ingen bedömning, bara en kommentar.")
        elif plan:
            continue
        elif m.bedömning and (skala is None or skala.nivå(m.bedömning) is None):
            fel.append(
                f"{målnamn[m.mål_id]}: bedömningen ”{m.bedömning}” finns inte på kommunens bedömningsskala"
                + (f" ({skala.beskrivning})." if skala else ".")
            )
        elif not m.bedömning and m.kommentar.strip():
            fel.append(f"{målnamn[m.mål_id]}: välj en bedömning, eller töm kommentaren.")
    for u in uppdrag_ändrade:
        if u.status and u.status not in Uppdragsstatus.Status.values:
            fel.append(f"{uppdragsnamn(u.uppdrag_id).capitalize()}: okänd status {u.status!r}.")
        elif not u.status and u.kommentar.strip():
            fel.append(f"{uppdragsnamn(u.uppdrag_id).capitalize()}: välj en status, eller töm kommentaren.")
    return fel


@transaction.atomic
def spara_måluppfyllelse(
    user,
    nämnd: Nämnd,
    år: int,
    rapporttyp: str,
    mål: Sequence[Målbedömning] = (),
    uppdrag: Sequence[Uppdragsbedömning] = (),
    indikatorer: Sequence[Indikatorkommentering] = (),
) -> Sparat:
    """Save bedömning + kommentar of a nämnd's mål, status + kommentar of their uppdrag and the comments on
    their indikatorer for one report. Locked when the report's month is closed or the report is fastställd
    (``nämnd.vakt``). A fixed number of queries."""
    vakt = Vakt.för(user, nämnd, år)
    vakt.kräv_behörighet()
    if rapporttyp not in Rapporttyp.values:
        raise ValidationError(f"Okänd rapport: {rapporttyp!r}.")
    mål_ändrade = [m for m in mål if m.ändrad]
    uppdrag_ändrade = [u for u in uppdrag if u.ändrad]
    indikatorer_ändrade = [i for i in indikatorer if i.ändrad]
    if not mål_ändrade and not uppdrag_ändrade and not indikatorer_ändrade:
        return Sparat(0, 0, 0)
    _unika(m.mål_id for m in mål_ändrade)
    _unika(u.uppdrag_id for u in uppdrag_ändrade)
    _unika(i.indikator_id for i in indikatorer_ändrade)
    vakt.kräv([Ändring(Slag.BEDÖMNING, år, rapporttyp=rapporttyp)])

    giltiga_mål = Mål.objects.filter(_gäller(år), nämnd=nämnd)
    målnamn = (
        dict(giltiga_mål.filter(id__in={m.mål_id for m in mål_ändrade}).values_list("id", "namn"))
        if mål_ändrade
        else {}
    )
    uppdragstext = (
        dict(
            Uppdrag.objects.filter(
                mål__in=giltiga_mål, från_år__lte=år, till_år__gte=år, id__in={u.uppdrag_id for u in uppdrag_ändrade}
            ).values_list("id", "text")
        )
        if uppdrag_ändrade
        else {}
    )
    if främmande := {m.mål_id for m in mål_ändrade} - set(målnamn):
        raise ValidationError(f"Okända mål för {nämnd.namn} {år}: {sorted(främmande)}.")
    if främmande := {u.uppdrag_id for u in uppdrag_ändrade} - set(uppdragstext):
        raise ValidationError(f"Okända uppdrag för {nämnd.namn} {år}: {sorted(främmande)}.")
    indikatornamn = (
        dict(
            Indikator.objects.filter(
                mål__in=giltiga_mål, id__in={i.indikator_id for i in indikatorer_ändrade}
            ).values_list("id", "namn")
        )
        if indikatorer_ändrade
        else {}
    )
    if främmande := {i.indikator_id for i in indikatorer_ändrade} - set(indikatornamn):
        raise ValidationError(f"Okända indikatorer för {nämnd.namn} {år}: {sorted(främmande)}.")

    def uppdragsnamn(uppdrag_id: int) -> str:
        text = uppdragstext[uppdrag_id]
        return f"uppdraget ”{text if len(text) <= 60 else text[:59] + '…'}”"

    skala = bedömningsskala(nämnd.kommun_id) if any(m.bedömning for m in mål_ändrade) else None
    plan = rapporttyp == Rapporttyp.VERKSAMHETSPLAN
    if fel := _bedömningsfel(mål_ändrade, uppdrag_ändrade, målnamn, uppdragsnamn, skala, plan):
        raise ValidationError(fel)

    bedömningar = _låsta_i_rapporten(Måluppfyllelse, "mål_id", målnamn, år, rapporttyp)
    statusar = _låsta_i_rapporten(Uppdragsstatus, "uppdrag_id", uppdragstext, år, rapporttyp)
    konflikter = [målnamn[m.mål_id] for m in mål_ändrade if not _stämmer(bedömningar.get(m.mål_id), m.version)]
    kommentarer = _låsta_i_rapporten(Indikatorkommentar, "indikator_id", indikatornamn, år, rapporttyp)
    konflikter += [
        uppdragsnamn(u.uppdrag_id) for u in uppdrag_ändrade if not _stämmer(statusar.get(u.uppdrag_id), u.version)
    ]
    konflikter += [
        f"indikatorn ”{indikatornamn[i.indikator_id]}”"
        for i in indikatorer_ändrade
        if not _stämmer(kommentarer.get(i.indikator_id), i.version)
    ]
    if konflikter:
        raise Konflikt(konflikter)

    m_nya, m_ändr, m_bort, u_nya, u_ändr, u_bort = [], [], [], [], [], []
    for m in mål_ändrade:
        kommentar = m.kommentar.replace("\r\n", "\n").strip()
        _plan(
            bedömningar,
            m.mål_id,
            m.bedömning,
            kommentar,
            lambda m=m, k=kommentar: Måluppfyllelse(
                mål_id=m.mål_id, år=år, rapporttyp=rapporttyp, bedömning=m.bedömning, kommentar=k
            ),
            "bedömning",
            m_nya,
            m_ändr,
            m_bort,
        )
    for u in uppdrag_ändrade:
        kommentar = u.kommentar.replace("\r\n", "\n").strip()
        _plan(
            statusar,
            u.uppdrag_id,
            u.status,
            kommentar,
            lambda u=u, k=kommentar: Uppdragsstatus(
                uppdrag_id=u.uppdrag_id, år=år, rapporttyp=rapporttyp, status=u.status, kommentar=k
            ),
            "status",
            u_nya,
            u_ändr,
            u_bort,
        )
    i_nya, i_ändr, i_bort = [], [], []
    for i in indikatorer_ändrade:
        kommentar = i.kommentar.replace("\r\n", "\n").strip()
        if (befintlig := kommentarer.get(i.indikator_id)) and kommentar:
            i_ändr.append((befintlig, {"kommentar": kommentar}))
        elif befintlig:
            i_bort.append(befintlig)
        elif kommentar:
            i_nya.append(
                Indikatorkommentar(indikator_id=i.indikator_id, år=år, rapporttyp=rapporttyp, kommentar=kommentar)
            )
    return summa(
        skriv(Måluppfyllelse, user, nya=m_nya, ändringar=m_ändr, borttagna=m_bort, namn=lambda b: målnamn[b.mål_id]),
        skriv(
            Indikatorkommentar,
            user,
            nya=i_nya,
            ändringar=i_ändr,
            borttagna=i_bort,
            namn=lambda k: f"indikatorn ”{indikatornamn[k.indikator_id]}”",
        ),
        skriv(
            Uppdragsstatus,
            user,
            nya=u_nya,
            ändringar=u_ändr,
            borttagna=u_bort,
            namn=lambda s: uppdragsnamn(s.uppdrag_id),
        ),
    )
