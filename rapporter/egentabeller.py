"""A kommun's own tables (``Egentabell``): presets, reads and the write services.

The definition (name and columns: text, tal, datum, status from a list, ansvarig — a user of the kommun) is edited
by the kommun's admins on the layout page (/layout/<kommun>/tabeller/); the rows are entered per nämnd and year on
an entry page or imported from Excel, and shown in a report by the section kind ``egentabell``.

Rules (docs/beslut.md, "Egna tabeller"):

* values are stored as text in ``Egenrad.värden`` keyed by column id: tal as a plain decimal ("1234.5"), datum as
  ISO ("2024-08-31"), ansvarig as a user id, status as one of the column's values; the services parse and
  validate every cell (Swedish numbers through ``grund.tal``) and refuse the whole save on any error;
* the rows of a year are locked like the nämnd's yearly values (``Slag.ÅRSVÄRDE``): a fastställd report of the
  year that covers a month, or a closed December, locks them;
* a save replaces the nämnd's rows of the year in one transaction, checked against what the user loaded (a
  fingerprint): a concurrent save makes the later one fail with nothing saved;
* a column's type cannot change while rows have values in it, and a status value in use cannot be removed
  (the rows would no longer validate); a removed column's values stay in the rows, unshown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.shortcuts import get_object_or_404

from ekonomi.services import Sparat
from grund.format import värde as visa_värde
from grund.tal import BELOPP, Talfel, tolka
from nämnd.behorighet import är_admin
from nämnd.models import Kommun, Nämnd
from nämnd.vakt import Slag, Vakt, Ändring

from .models import Egenkolumn, Egenrad, Egentabell

Typ = Egenkolumn.Typ
MAX_KOLUMNER = 20
MAX_STATUSVAL = 20
MAX_RADER = 500
MAX_TEXT = 2000
INAKTUELL = (
    "Tabellen har ändrats av någon annan sedan du öppnade sidan. Inget sparades. Ladda om sidan och gör dina "
    "ändringar igen."
)


# --- presets ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Förvalskolumn:
    namn: str
    typ: str = Typ.TEXT
    statusval: tuple[str, ...] = ()


@dataclass(frozen=True)
class Förval:
    kod: str
    namn: str
    beskrivning: str
    kolumner: tuple[Förvalskolumn, ...]


K = Förvalskolumn
FÖRVAL: dict[str, Förval] = {
    f.kod: f
    for f in (
        Förval(
            "internkontrollplan",
            "Internkontrollplan",
            "Processer och rutiner som kontrolleras under året, med risk, kontrollmoment och status.",
            (
                K("Process/rutin"),
                K("Risk"),
                K("Kontrollmoment"),
                K("Ansvarig", Typ.ANSVARIG),
                K("Frekvens"),
                K("Resultat"),
                K("Åtgärd"),
                K("Status", Typ.STATUS, ("Ej påbörjad", "Pågår", "Klar")),
            ),
        ),
        Förval(
            "attestforteckning",
            "Attestförteckning",
            "Beslutsattestanter och ersättare per ansvar, med beloppsgräns och giltighetstid.",
            (
                K("Ansvar/verksamhet"),
                K("Ansvarskod"),
                K("Beslutsattestant", Typ.ANSVARIG),
                K("Ersättare", Typ.ANSVARIG),
                K("Beloppsgräns (kr)", Typ.TAL),
                K("Gäller från", Typ.DATUM),
                K("Gäller till", Typ.DATUM),
            ),
        ),
        Förval(
            "privata_utforare",
            "Uppföljning av privata utförare",
            "Avtal med privata utförare och hur de följs upp: när, hur, resultat och åtgärder.",
            (
                K("Utförare"),
                K("Verksamhet"),
                K("Avtalet gäller till", Typ.DATUM),
                K("Uppföljningsform"),
                K("Uppföljningsdatum", Typ.DATUM),
                K("Resultat och avvikelser"),
                K("Åtgärd"),
                K("Ansvarig", Typ.ANSVARIG),
                K("Status", Typ.STATUS, ("Planerad", "Pågår", "Avslutad")),
            ),
        ),
    )
}


# --- reads ------------------------------------------------------------------------------------------------------


def kommun_för(user, kommun_id: int) -> Kommun:
    return get_object_or_404(Kommun.objects.for_user(user), pk=kommun_id)


def tabeller(kommun_id: int) -> list[Egentabell]:
    """The kommun's tables with their columns (two queries)."""
    return list(Egentabell.objects.filter(kommun_id=kommun_id).prefetch_related("kolumner").order_by("namn"))


def kolumner(tabell: Egentabell) -> list[Egenkolumn]:
    """The table's columns in order (prefetched by ``tabell_för``)."""
    return list(tabell.kolumner.all())


def förvalslista() -> list[Förval]:
    return list(FÖRVAL.values())


def tabellnamn(kommun_id: int) -> list[tuple[int, str]]:
    """(id, name) of the kommun's tables, for the layout page's choice (one query)."""
    return list(Egentabell.objects.filter(kommun_id=kommun_id).order_by("namn").values_list("id", "namn"))


def tabell_för(user, tabell_id: int) -> Egentabell:
    """A table of a kommun the user can read, with its columns; another kommun's → 404."""
    return get_object_or_404(
        Egentabell.objects.for_user(user).select_related("kommun").prefetch_related("kolumner"), pk=tabell_id
    )


def rader(tabell: Egentabell, nämnd: Nämnd, år: int) -> list[Egenrad]:
    return list(Egenrad.objects.filter(tabell=tabell, nämnd=nämnd, år=år).order_by("ordning", "id"))


def kolumner_för_tabeller(tabell_ids: Sequence[int], kommun_id: int) -> dict[int, list[Egenkolumn]]:
    """Several tables' columns in order, with their table (one query): tabell id → columns."""
    ut: dict[int, list[Egenkolumn]] = {}
    for k in (
        Egenkolumn.objects.filter(tabell_id__in=list(tabell_ids), tabell__kommun_id=kommun_id)
        .select_related("tabell")
        .order_by("tabell_id", "ordning", "id")
    ):
        ut.setdefault(k.tabell_id, []).append(k)
    return ut


class Nyckeltext(Func):
    """The text of a JSON object's key that is a column id ("12"): Django's key transforms would read a numeric key
    as an array index on SQLite. The key is an integer of ours, inlined."""

    output_field = CharField()

    def __init__(self, uttryck, *, nyckel: int):
        super().__init__(uttryck)
        self.nyckel = int(nyckel)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL (and the default)
        return super().as_sql(compiler, connection, template=f"(%(expressions)s ->> '{self.nyckel}')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template=f"json_extract(%(expressions)s, '$.\"{self.nyckel}\"')", **extra
        )


def rader_för_tabeller(
    tabell_ids: Sequence[int], nämnder: Sequence[Nämnd], år: int, ansvariga: Sequence[Egenkolumn] = ()
) -> tuple[dict[int, list[Egenrad]], dict[int, str]]:
    """Several tables' rows for some nämnder and a year, in order, and the names of the users the ``ansvariga``
    columns point at — one query (the names are subqueries on the rows): (tabell id → rows, user id → name)."""
    User = get_user_model()
    namnuttryck = Coalesce(
        NullIf(Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField())), Value("")),
        "username",
        output_field=CharField(),
    )
    qs = Egenrad.objects.filter(tabell_id__in=list(tabell_ids), nämnd__in=list(nämnder), år=år)
    for k in ansvariga:
        qs = qs.annotate(**{f"ansvarig_id_{k.pk}": Cast(Nyckeltext("värden", nyckel=k.pk), IntegerField())})
        namnfråga = User.objects.filter(pk=OuterRef(f"ansvarig_id_{k.pk}")).values(namn=namnuttryck)[:1]
        qs = qs.annotate(**{f"ansvarig_{k.pk}": Subquery(namnfråga)})
    rader: dict[int, list[Egenrad]] = {}
    namn: dict[int, str] = {}
    for r in qs.order_by("tabell_id", "nämnd_id", "ordning", "id"):
        rader.setdefault(r.tabell_id, []).append(r)
        for k in ansvariga:
            v = r.värden.get(str(k.pk))
            if v and str(v).isdigit() and getattr(r, f"ansvarig_{k.pk}", None):
                namn[int(v)] = getattr(r, f"ansvarig_{k.pk}")
    return rader, namn


def användare(kommun_id: int) -> dict[int, str]:
    """The kommun's users (who has a role in it) → the name shown: full name, else the user name."""
    User = get_user_model()
    ut = {}
    for u in User.objects.filter(behörigheter__kommun_id=kommun_id).order_by("first_name", "last_name", "username"):
        ut[u.pk] = u.get_full_name() or u.get_username()
    return ut


def avtryck(rader_: Sequence[Egenrad]) -> str:
    """What the user loaded: the rows' ids, order and values."""
    data = [(r.pk, r.ordning, sorted(r.värden.items())) for r in rader_]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:24]


def visa(kolumn: Egenkolumn, lagrat: str | int | None, namn: dict[int, str]) -> str:
    """A stored value as shown in a report or read-only cell: tal Swedish ("1 234,5"), ansvarig the user's name."""
    if lagrat in (None, ""):
        return ""
    if kolumn.typ == Typ.TAL:
        try:
            return visa_värde(tolka(str(lagrat)))
        except Talfel:
            return str(lagrat)
    if kolumn.typ == Typ.ANSVARIG:
        try:
            return namn.get(int(lagrat), "")
        except (TypeError, ValueError):
            return ""
    return str(lagrat)


def inmatat(kolumn: Egenkolumn, lagrat: str | int | None) -> str:
    """A stored value as an input shows it (tal with a decimal comma, no thousands separator)."""
    if lagrat in (None, ""):
        return ""
    if kolumn.typ == Typ.TAL:
        return str(lagrat).replace(".", ",")
    return str(lagrat)


# --- cells ------------------------------------------------------------------------------------------------------


def tolka_cell(kolumn: Egenkolumn, text: str, namn: dict[int, str]) -> str:
    """A typed (or imported) cell as stored; ValidationError with a Swedish message. Empty → ""."""
    text = ("" if text is None else str(text)).strip()
    if not text:
        return ""
    if kolumn.typ == Typ.TEXT:
        if len(text) > MAX_TEXT:
            raise ValidationError(f"texten får vara högst {MAX_TEXT} tecken.")
        return text.replace("\r\n", "\n")
    if kolumn.typ == Typ.TAL:
        try:
            return str(tolka(text, BELOPP))
        except Talfel as e:
            if e.slag == "inget tal":
                raise ValidationError(f"”{text[:40]}” är inte ett tal.") from None
            raise ValidationError(f"talet {e.orsak}.") from None
    if kolumn.typ == Typ.DATUM:
        try:
            return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text).isoformat()
        except ValueError:
            raise ValidationError(f"”{text[:40]}” är inget datum; skriv som 2024-08-31.") from None
    if kolumn.typ == Typ.STATUS:
        for v in kolumn.statusval:
            if v.lower() == text.lower():
                return v
        raise ValidationError(f"”{text[:40]}” är ingen giltig status (välj {', '.join(kolumn.statusval)}).")
    if kolumn.typ == Typ.ANSVARIG:
        if text.isdigit() and int(text) in namn:
            return text
        träffar = [i for i, n in namn.items() if n.lower() == text.lower()]
        if len(träffar) == 1:
            return str(träffar[0])
        raise ValidationError(f"”{text[:40]}” är ingen användare i kommunen.")
    raise ValidationError("okänd kolumntyp.")  # pragma: no cover - Typ is a closed set


# --- the definition ---------------------------------------------------------------------------------------------


@dataclass
class Kolumnutkast:
    id: int | None
    namn: str
    typ: str
    statusval: list[str] = field(default_factory=list)


def statusval_från_text(text: str) -> list[str]:
    """The form's textarea (one value per line) → the list."""
    return [r.strip() for r in (text or "").splitlines() if r.strip()]


def _kontrollera_definition(namn: str, kolumner: Sequence[Kolumnutkast]) -> list[str]:
    fel = []
    if not namn:
        fel.append("Ange tabellens namn.")
    elif len(namn) > 120:
        fel.append("Tabellens namn får vara högst 120 tecken.")
    if not kolumner:
        fel.append("En tabell behöver minst en kolumn.")
    if len(kolumner) > MAX_KOLUMNER:
        fel.append(f"En tabell kan ha högst {MAX_KOLUMNER} kolumner.")
    sedda: set[str] = set()
    for nr, k in enumerate(kolumner, start=1):
        vem = f"Kolumn {nr}" + (f" ({k.namn})" if k.namn else "")
        if not k.namn:
            fel.append(f"{vem}: ange ett namn.")
        elif len(k.namn) > 80:
            fel.append(f"{vem}: namnet får vara högst 80 tecken.")
        elif k.namn.lower() in sedda:
            fel.append(f"{vem}: det finns redan en kolumn med det namnet.")
        sedda.add(k.namn.lower())
        if k.typ not in Typ.values:
            fel.append(f"{vem}: välj en typ.")
        if k.typ == Typ.STATUS:
            if not k.statusval:
                fel.append(f"{vem}: en statuskolumn behöver minst ett värde (ett per rad).")
            if len(k.statusval) > MAX_STATUSVAL:
                fel.append(f"{vem}: högst {MAX_STATUSVAL} statusvärden.")
            if len({v.lower() for v in k.statusval}) != len(k.statusval):
                fel.append(f"{vem}: samma statusvärde står två gånger.")
            if any(len(v) > 60 for v in k.statusval):
                fel.append(f"{vem}: ett statusvärde får vara högst 60 tecken.")
    return fel


def kolumnutkast_från_förval(kod: str) -> list[Kolumnutkast]:
    f = FÖRVAL[kod]
    return [Kolumnutkast(None, k.namn, k.typ, list(k.statusval)) for k in f.kolumner]


@transaction.atomic
def spara_definition(
    user,
    kommun: Kommun,
    tabell: Egentabell | None,
    namn: str,
    beskrivning: str,
    kolumner: Sequence[Kolumnutkast],
    förval: str = "",
) -> Egentabell:
    """Create or change a table's definition (kommun admins only): name, columns in order, types, status values.
    ValidationError lists every problem; nothing is saved then."""
    if not är_admin(user, kommun):
        raise PermissionDenied("Bara kommunens administratörer kan ändra egna tabeller.")
    namn, beskrivning = namn.strip(), beskrivning.strip()[:300]
    kolumner = [
        Kolumnutkast(k.id, k.namn.strip(), k.typ, [v.strip() for v in k.statusval if v.strip()]) for k in kolumner
    ]
    fel = _kontrollera_definition(namn, kolumner)
    andra = Egentabell.objects.filter(kommun=kommun, namn__iexact=namn)
    if tabell is not None:
        andra = andra.exclude(pk=tabell.pk)
    if namn and andra.exists():
        fel.append(f"Kommunen har redan en tabell som heter ”{namn}”.")
    befintliga: dict[int, Egenkolumn] = {}
    if tabell is not None:
        tabell = Egentabell.objects.select_for_update().get(pk=tabell.pk, kommun=kommun)
        befintliga = {k.pk: k for k in tabell.kolumner.all()}
        okända = [k.id for k in kolumner if k.id is not None and k.id not in befintliga]
        if okända:
            raise ValidationError(INAKTUELL)
        fel += _kontrollera_ändringar(tabell, befintliga, kolumner)
    if fel:
        raise ValidationError(fel)
    if tabell is None:
        tabell = Egentabell.objects.create(kommun=kommun, namn=namn, beskrivning=beskrivning, förval=förval)
    else:
        tabell.namn, tabell.beskrivning, tabell.version = namn, beskrivning, tabell.version + 1
        tabell.save()
    behållna = set()
    for ordning, k in enumerate(kolumner):
        statusval = k.statusval if k.typ == Typ.STATUS else []
        gammal = befintliga.get(k.id) if k.id is not None else None
        if gammal is None:
            Egenkolumn.objects.create(tabell=tabell, namn=k.namn, typ=k.typ, statusval=statusval, ordning=ordning)
            continue
        behållna.add(gammal.pk)
        if (gammal.namn, gammal.typ, gammal.statusval, gammal.ordning) != (k.namn, k.typ, statusval, ordning):
            gammal.namn, gammal.typ, gammal.statusval, gammal.ordning = k.namn, k.typ, statusval, ordning
            gammal.save()
    for pk, k in befintliga.items():
        if pk not in behållna:
            k.delete()
    return tabell


def _kontrollera_ändringar(
    tabell: Egentabell, befintliga: dict[int, Egenkolumn], kolumner: Sequence[Kolumnutkast]
) -> list[str]:
    """A column's type cannot change, nor a status value in use be removed, while rows have values in it."""
    fel = []
    använda = _använda_värden(tabell)
    for nr, k in enumerate(kolumner, start=1):
        gammal = befintliga.get(k.id) if k.id is not None else None
        if gammal is None or not använda.get(gammal.pk):
            continue
        if k.typ != gammal.typ:
            fel.append(
                f"Kolumn {nr} ({k.namn}): typen kan inte ändras när rader har värden i kolumnen — lägg till en "
                "ny kolumn i stället."
            )
        elif k.typ == Typ.STATUS:
            kvar = {v.lower() for v in k.statusval}
            borta = sorted(v for v in använda[gammal.pk] if v.lower() not in kvar)
            if borta:
                fel.append(
                    f"Kolumn {nr} ({k.namn}): statusvärdet {', '.join(f'”{v}”' for v in borta)} används i "
                    "rader och kan inte tas bort."
                )
    return fel


def _använda_värden(tabell: Egentabell) -> dict[int, set[str]]:
    """Column id → the values stored in any row of the table (every nämnd and year)."""
    ut: dict[int, set[str]] = {}
    for värden in Egenrad.objects.filter(tabell=tabell).values_list("värden", flat=True):
        for nyckel, v in (värden or {}).items():
            if v not in (None, "") and str(nyckel).isdigit():
                ut.setdefault(int(nyckel), set()).add(str(v))
    return ut


@transaction.atomic
def ta_bort_tabell(user, tabell: Egentabell) -> None:
    """Remove a table with its rows: refused while rows exist in a locked year of any nämnd (the guard)."""
    if not är_admin(user, tabell.kommun_id):
        raise PermissionDenied("Bara kommunens administratörer kan ta bort egna tabeller.")
    par = set(Egenrad.objects.filter(tabell=tabell).values_list("nämnd_id", "år"))
    nämnder = {n.pk: n for n in Nämnd.objects.filter(pk__in={n for n, _ in par}).select_related("kommun")}
    for nämnd_id in {n for n, _ in par}:
        år = {å for n, å in par if n == nämnd_id}
        Vakt.för(user, nämnder[nämnd_id], år).kräv([Ändring(Slag.ÅRSVÄRDE, å) for å in år])
    tabell.delete()


# --- the rows ---------------------------------------------------------------------------------------------------


@dataclass
class Radutkast:
    id: int | None
    värden: dict[int, str]  # column id → typed text


def tolka_rader(
    kolumner: Sequence[Egenkolumn], utkast: Sequence[Radutkast], namn: dict[int, str]
) -> tuple[list[tuple[int | None, dict[str, str]]], list[str]]:
    """Typed rows → stored values per row (empty rows skipped), and the Swedish errors ("Rad 2, Risk: …")."""
    ut, fel = [], []
    for nr, r in enumerate(utkast, start=1):
        värden = {}
        for k in kolumner:
            try:
                v = tolka_cell(k, r.värden.get(k.pk, ""), namn)
            except ValidationError as e:
                fel.append(f"Rad {nr}, {k.namn}: {e.messages[0]}")
                continue
            if v:
                värden[str(k.pk)] = v
        if värden or r.id is not None:
            ut.append((r.id, värden))
    return ut, fel


@transaction.atomic
def spara_rader(user, nämnd: Nämnd, tabell: Egentabell, år: int, utkast: Sequence[Radutkast], laddat: str) -> Sparat:
    """Replace the nämnd's rows of the year with ``utkast`` (in order; a row with an id and no values is removed).
    Asks the guard (the year's rows are ``ÅRSVÄRDE``), checks that the stored rows are what the user loaded
    (``laddat``, from ``avtryck``) and validates every cell: any problem → ValidationError, nothing saved."""
    if tabell.kommun_id != nämnd.kommun_id:
        raise PermissionDenied("Tabellen hör till en annan kommun.")
    Vakt.för(user, nämnd, år).kräv([Ändring(Slag.ÅRSVÄRDE, år)])
    Egentabell.objects.select_for_update().filter(pk=tabell.pk).first()  # serialises saves of the table
    kolumner = list(tabell.kolumner.all())
    namn = användare(nämnd.kommun_id)
    tolkade, fel = tolka_rader(kolumner, utkast, namn)
    if len(tolkade) > MAX_RADER:
        fel.append(f"En tabell kan ha högst {MAX_RADER} rader per nämnd och år.")
    if fel:
        raise ValidationError(fel)
    befintliga = {r.pk: r for r in rader(tabell, nämnd, år)}
    if avtryck(list(befintliga.values())) != laddat:
        raise ValidationError(INAKTUELL, code="inaktuell")
    if any(pk is not None and pk not in befintliga for pk, _ in tolkade):
        raise ValidationError(INAKTUELL, code="inaktuell")
    # Values of columns no longer defined stay (they are not shown, and a column can be re-added in the admin).
    definierade = {str(k.pk) for k in kolumner}
    skapade = ändrade = borttagna = 0
    sparade: set[int] = set()
    ordning = 0
    for pk, värden in tolkade:
        if pk is not None and not värden:
            continue
        ordning += 1
        if pk is None:
            Egenrad.objects.create(tabell=tabell, nämnd=nämnd, år=år, ordning=ordning, värden=värden)
            skapade += 1
            continue
        r = befintliga[pk]
        sparade.add(pk)
        nya = {**{k: v for k, v in r.värden.items() if k not in definierade}, **värden}
        if (r.ordning, r.värden) != (ordning, nya):
            r.ordning, r.värden = ordning, nya
            r.save()
            ändrade += 1
    for pk, r in befintliga.items():
        if pk not in sparade:
            r.delete()
            borttagna += 1
    return Sparat(skapade, ändrade, borttagna)


# --- the status follow-up ---------------------------------------------------------------------------------------


@dataclass
class Statusuppföljning:
    tabell: Egentabell
    kolumn: Egenkolumn
    per_status: list[tuple[str, int]]
    ej_klara: list[tuple[str, str]]  # (the row's first text, its status or "Ingen status")

    @property
    def klar(self) -> str:
        return self.kolumn.statusval[-1] if self.kolumn.statusval else ""


def statusuppföljning(nämnd: Nämnd, år: int, alla: Sequence[Egentabell] | None = None) -> list[Statusuppföljning]:
    """For every table of the kommun with a status column and rows for the nämnd and year: the count per status
    (the column's values in order) and the rows not done — the done status is the column's last value. Two
    queries (tables with columns, unless given; rows)."""
    if alla is None:
        alla = tabeller(nämnd.kommun_id)
    alla = [t for t in alla if any(k.typ == Typ.STATUS for k in t.kolumner.all())]
    if not alla:
        return []
    per_tabell: dict[int, list[Egenrad]] = {}
    for r in Egenrad.objects.filter(tabell__in=alla, nämnd=nämnd, år=år).order_by("ordning", "id"):
        per_tabell.setdefault(r.tabell_id, []).append(r)
    ut = []
    for t in alla:
        rader_ = per_tabell.get(t.pk)
        if not rader_:
            continue
        kolumner = list(t.kolumner.all())
        status = next(k for k in kolumner if k.typ == Typ.STATUS)
        första = next((k for k in kolumner if k.typ == Typ.TEXT), None)
        räkning = Counter(r.värden.get(str(status.pk), "") for r in rader_)
        per_status = [(v, räkning.get(v, 0)) for v in status.statusval]
        if räkning.get(""):
            per_status.append(("Ingen status", räkning[""]))
        klar = status.statusval[-1] if status.statusval else None
        ej_klara = [
            (
                (r.värden.get(str(första.pk)) if första else "") or f"Rad {i}",
                r.värden.get(str(status.pk)) or "Ingen status",
            )
            for i, r in enumerate(rader_, start=1)
            if r.värden.get(str(status.pk)) != klar
        ]
        ut.append(Statusuppföljning(t, status, per_status, ej_klara))
    return ut
