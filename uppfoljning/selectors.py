"""Reads for the follow-up pages (uppfoljning): the dashboard of a nämnd and year, the period history and the audit
history of figures and texts. A fixed number of queries whatever the nämnd's size; scoped to the user.

What the dashboard flags (missing texts and bedömningar, deviations over the kommun's limit without a comment)
comes from the one list of checks, ``rapporter.kontroller``, that granskning and month closing run too; this
module only presents the findings. Templates get plain data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import CharField, Count, Q, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from ekonomi.models import Budgetpost, Prognos, Utfall
from grund import manader
from grund.format import tal
from nyckeltal.models import Indikatorvärde, Mål, Måluppfyllelse, Nyckeltalsvärde, Uppdragsstatus
from nämnd.models import Kommun, Nämnd, Period, Rapporttyp, Verksamhetsområde, kommun_ids_för
from rapporter import egentabeller, kontroller
from rapporter import selectors as rapporter_sel
from rapporter.models import Textavsnitt

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def tidpunkt(t: dt.datetime | None) -> str:
    """A stored time as shown everywhere in the app: Europe/Stockholm, ``2023-08-31 14:05``."""
    if t is None:
        return ""
    if timezone.is_naive(t):
        t = timezone.make_aware(t, dt.UTC)
    return t.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def användarnamn(user) -> str:
    if user is None:
        return "(okänd)"
    return user.get_full_name() or user.get_username()


def månadsuppföljning_url(nämnd_id: int, år: int, månad: int, vo_id: int | None = None) -> str:
    """The month grid (built elsewhere), optionally at a row. Falls back to the agreed path while the
    grid's URL name is not registered yet."""
    try:
        url = reverse("månadsuppföljning", args=[nämnd_id, år, månad])
    except NoReverseMatch:
        url = f"/ekonomi/{nämnd_id}/{år}/{månad}/"
    return f"{url}#vo-{vo_id}" if vo_id else url


# --- dashboard -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Månadsstatus:
    månad: int
    namn: str
    antal: int  # verksamhetsområden where figures are entered (leaves of the tree)
    med_utfall: int
    med_prognos: int
    stängd: bool = False
    stängd_av: str = ""
    stängd_tid: str = ""
    grid_url: str = ""

    @property
    def utfall_klart(self) -> bool:
        return self.antal > 0 and self.med_utfall >= self.antal


@dataclass(frozen=True)
class Textstatus:
    rubrik: str
    ifylld: bool
    id: int | None = None  # the Textavsnitt, for its history


@dataclass(frozen=True)
class Målstatus:
    namn: str
    ifylld: bool
    bedömning: str = ""  # display label, "" when missing
    id: int | None = None  # the Måluppfyllelse


@dataclass
class Rapportstatus:
    """A report's texts and bedömningar with the findings of the checks of its scope (``rapporter.kontroller``):
    the same findings granskning lists for these texts and mål."""

    typ: str
    namn: str
    texter: list[Textstatus] = field(default_factory=list)
    mål: list[Målstatus] | None = None  # None: the bedömning check does not apply to this report
    fynd: list[kontroller.Fynd] = field(default_factory=list)
    täckning: berakning.Täckning | None = None  # which of the report's months have utfall (None: no months)

    @property
    def saknade_texter(self) -> int:
        return sum(f.kod == "text_saknas" for f in self.fynd)

    @property
    def saknade_bedömningar(self) -> int:
        return sum(f.kod == "bedömning_saknas" for f in self.fynd)

    @property
    def klar(self) -> bool:
        return not any(f.nivå == kontroller.FEL for f in self.fynd)


@dataclass(frozen=True)
class Avvikelserad:
    """A report row (verksamhet, enheter summed in) with its period and helår deviations as the checks judge them
    (``rapporter.kontroller.avvikelser``); ``kommentar_saknas`` when the check ``kommentar_saknas`` names it."""

    id: int
    namn: str
    grupp: str
    period: berakning.DriftRad
    helår: berakning.DriftRad
    period_skäl: tuple[str, ...]
    helår_skäl: tuple[str, ...]
    har_prognos: bool
    kommentar: str
    url: str
    kommentar_saknas: bool = False

    @property
    def över_gräns(self) -> bool:
        return bool(self.period_skäl or self.helår_skäl)


@dataclass(frozen=True)
class Periodhändelse:
    tid: str
    vem: str
    period: str
    händelse: str
    orsak: str


@dataclass
class Dashboard:
    nämnd: Nämnd
    år: int
    månader: list[Månadsstatus]
    rapporter: list[Rapportstatus]
    avvikelsemånad: int | None
    avvikelser: list[Avvikelserad]
    gräns_kr: Decimal
    gräns_procent: Decimal
    indikatorer_utan_värde: list[kontroller.Indikatorpost]
    periodhistorik: list[Periodhändelse]
    täckning: berakning.Täckning | None = None  # of months 1..avvikelsemånad; the deviations run through its senaste
    egna_tabeller: list[tuple[str, str]] = field(default_factory=list)  # the kommun's own tables: (name, entry url)
    tabellstatus: list[egentabeller.Statusuppföljning] = field(default_factory=list)  # their status columns

    @property
    def stängda(self) -> list[int]:
        return [m.månad for m in self.månader if m.stängd]

    @property
    def öppna(self) -> list[int]:
        return [m.månad for m in self.månader if not m.stängd]

    @property
    def antal_över_gräns(self) -> int:
        return sum(a.över_gräns for a in self.avvikelser)

    @property
    def avvikelsemånad_namn(self) -> str:
        return manader.kort(self.avvikelsemånad) if self.avvikelsemånad else ""

    @property
    def jämförelsemånad(self) -> int:
        """The month the deviations run through: the last month with utfall up to ``avvikelsemånad`` (like is
        compared with like, docs/beslut.md "Ärliga perioder"); 0 when there is none."""
        return self.täckning.senaste if self.täckning else 0

    @property
    def jämförelseperiod(self) -> str:
        return berakning.månadsspann(self.jämförelsemånad)


def dashboard(user, nämnd: Nämnd, år: int, månad: int | None = None) -> Dashboard:
    """Status of a nämnd's year: per month entered/closed, per report what is missing, deviations over the
    kommun's thresholds (at ``månad``, default the latest month with utfall) and the period history.
    Fixed number of queries (about 15) whatever the number of verksamhetsområden, mål and indikatorer."""
    kommun: Kommun = nämnd.kommun
    områden = list(ekonomi_sel.områden_för_år(user, [nämnd], år).values_list("id", "förälder_id"))
    föräldrar = {f for _, f in områden if f}
    löv = [i for i, _ in områden if i not in föräldrar]

    per_månad_utfall = dict(
        Utfall.objects.filter(verksamhetsområde_id__in=löv, år=år)
        .values("månad")
        .annotate(n=Count("verksamhetsområde", distinct=True))
        .values_list("månad", "n")
    )
    per_månad_prognos = dict(
        Prognos.objects.filter(verksamhetsområde_id__in=löv, år=år, belopp__isnull=False)
        .values("månad")
        .annotate(n=Count("verksamhetsområde", distinct=True))
        .values_list("månad", "n")
    )
    perioder = {p.månad: p for p in Period.objects.filter(kommun=kommun, år=år).select_related("stängd_av")}
    månader = []
    for m in range(1, 13):
        p = perioder.get(m)
        stängd = bool(p and p.stängd)
        månader.append(
            Månadsstatus(
                månad=m,
                namn=manader.kort(m),
                antal=len(löv),
                med_utfall=per_månad_utfall.get(m, 0),
                med_prognos=per_månad_prognos.get(m, 0),
                stängd=stängd,
                stängd_av=användarnamn(p.stängd_av) if p and stängd and p.stängd_av_id else "",
                stängd_tid=tidpunkt(p.stängd_tid) if p and stängd else "",
                grid_url=månadsuppföljning_url(nämnd.id, år, m),
            )
        )

    delar = rapporter_sel.delar(nämnd, år)
    # Months with utfall in the report's nämnder, for honest periods: the month table's when the nämnd is alone,
    # one more query when predecessors (a split mid-year) are part of its reports.
    utfallsmånader = (
        ekonomi_sel.utfallsmånader(user, delar, år, 12)
        if len(delar) > 1
        else sorted(m for m, n in per_månad_utfall.items() if n)
    )
    if månad is None:
        månad = max(utfallsmånader, default=None)
    täckning = berakning.täckt_period(utfallsmånader, månad) if månad else None
    avvikelser = _avvikelser(user, nämnd, delar, år, täckning.senaste) if täckning and täckning.senaste else []
    rapporter, indikatorer_utan_värde = _rapporter(user, nämnd, delar, år, utfallsmånader)
    egna = egentabeller.tabeller(kommun.id)  # the kommun's own tables (one query, two with any)

    return Dashboard(
        nämnd=nämnd,
        år=år,
        månader=månader,
        rapporter=rapporter,
        avvikelsemånad=månad,
        avvikelser=avvikelser,
        gräns_kr=kommun.avvikelsegräns_kr,
        gräns_procent=kommun.avvikelsegräns_procent,
        indikatorer_utan_värde=indikatorer_utan_värde,
        periodhistorik=periodhistorik(kommun, år),
        täckning=täckning,
        egna_tabeller=[(t.namn, reverse("egentabell-rader", args=[nämnd.id, år, t.pk])) for t in egna],
        tabellstatus=egentabeller.statusuppföljning(nämnd, år, egna),
    )


def _avvikelser(user, nämnd: Nämnd, delar: list[Nämnd], år: int, månad: int) -> list[Avvikelserad]:
    """The report rows through ``månad`` as the month's checks see them, flagged by their findings."""
    u = kontroller.månadsunderlag(user, delar, år, månad, nämnd)
    saknar = {f.ref for f in kontroller.kontrollera(u) if f.kod == "kommentar_saknas"}
    flera = len(u.delar) > 1
    return [
        Avvikelserad(
            id=a.id,
            namn=a.period.namn,
            grupp=", ".join(x for x in (del_.rubrik if flera else "", grupp.get(a.id, "")) if x),
            period=a.period,
            helår=a.helår,
            period_skäl=a.period_skäl,
            helår_skäl=a.helår_skäl,
            har_prognos=a.har_prognos,
            kommentar=a.kommentar,
            url=månadsuppföljning_url(del_.nämnd.id, år, månad, u.ankare.get(a.id, a.id)),
            kommentar_saknas=a.id in saknar,
        )
        for del_ in u.delar
        if del_.drift is not None  # a month's underlag always has its drift
        for grupp in [{r.id: g.namn for g in del_.drift.grupper if g.är_block for r in g.rader}]
        for a in kontroller.avvikelser(del_, månad, nämnd.kommun)
        if a.id is not None  # deviations are judged on rows of a verksamhetsområde, never on a sum
    ]


def _rapporter(
    user, nämnd: Nämnd, delar: list[Nämnd], år: int, utfallsmånader: list[int]
) -> tuple[list[Rapportstatus], list[kontroller.Indikatorpost]]:
    """Per report its texts and bedömningar, the findings of its checks and which of its months have utfall; and
    the year's indikatorer without a value. A fixed number of queries for all four reports."""
    underlag, utan_värde = kontroller.rapportunderlag(
        user, nämnd, delar, år, rapporter_sel.sektioner_per_typ(nämnd, år)
    )
    result = []
    for typ, u in underlag.items():  # the reports the kommun makes (Rapporttillfälle), in the standard order
        namn = Rapporttyp(typ).label
        if typ == Rapporttyp.TERTIALRAPPORT and Rapporttyp.TERTIALRAPPORT_2 in underlag:
            namn = "Tertialrapport 1"
        fynd = kontroller.kontrollera(u)
        saknas = {(f.kod, f.ref) for f in fynd}
        result.append(
            Rapportstatus(
                typ,
                namn,
                texter=[Textstatus(t.rubrik, ("text_saknas", t.rubrik) not in saknas, t.id) for t in u.texter or ()],
                mål=[
                    Målstatus(m.namn, ("bedömning_saknas", m.id) not in saknas, m.bedömning_text, m.uppfyllelse_id)
                    for m in u.mål
                ]
                if u.mål is not None and kontroller.gäller("bedömning_saknas", typ)
                else None,
                fynd=fynd,
                täckning=berakning.täckt_period(utfallsmånader, u.månad) if u.månad else None,  # the kommun's month
            )
        )
    return result, utan_värde


def periodhistorik(kommun: Kommun | int, år: int) -> list[Periodhändelse]:
    """Closing and reopening of the year's months, newest first, from ``Period.history``. One query."""
    poster = list(
        Period.history.filter(kommun_id=getattr(kommun, "pk", kommun), år=år)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    föregående: dict[int, bool] = {}
    händelser = []
    for h in poster:
        tidigare = föregående.get(h.id)
        if h.history_type == "-":
            text = "Borttagen"
        elif h.stängd and tidigare is not True:
            text = "Stängd"
        elif not h.stängd and tidigare is True:
            text = "Öppnad igen"
        else:
            # A period is created open the first time a month is closed (``services.stäng``); creating it and
            # saving it unchanged are not events anyone needs to see.
            föregående[h.id] = h.stängd
            continue
        föregående[h.id] = h.stängd
        händelser.append(
            Periodhändelse(
                tidpunkt(h.history_date),
                användarnamn(h.history_user),
                f"{h.år}-{h.månad:02d}",
                text,
                h.history_change_reason or "",
            )
        )
    händelser.reverse()
    return händelser


# --- audit history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Historikmodell:
    """A model with ``history`` as the history pages know it: how to reach its nämnd and its year."""

    model: type[models.Model]
    nämnd_väg: str | None  # lookup from the model to its nämnd; None for Period (kommun-wide)

    @property
    def namn(self) -> str:
        return self.model._meta.model_name or ""

    @property
    def etikett(self) -> str:
        return str(self.model._meta.verbose_name).capitalize()

    @property
    def kommun_väg(self) -> str:
        # Every history model's manager is a KommunScopedQuerySet; django-stubs knows only the base Manager.
        return self.model._default_manager.all().kommun_lookup  # type: ignore[attr-defined]

    @property
    def historik(self) -> Any:
        """simple_history's manager of past records (added at runtime; not in the model's static type)."""
        return self.model.history  # type: ignore[attr-defined]


HISTORIKMODELLER: dict[str, Historikmodell] = {
    h.namn: h
    for h in (
        Historikmodell(Utfall, "verksamhetsområde__nämnd"),
        Historikmodell(Prognos, "verksamhetsområde__nämnd"),
        Historikmodell(Budgetpost, "verksamhetsområde__nämnd"),
        Historikmodell(Nyckeltalsvärde, "nyckeltal__grupp__nämnd"),
        Historikmodell(Indikatorvärde, "indikator__mål__nämnd"),
        Historikmodell(Måluppfyllelse, "mål__nämnd"),
        Historikmodell(Uppdragsstatus, "uppdrag__mål__nämnd"),
        Historikmodell(Textavsnitt, "nämnd"),
        Historikmodell(Period, None),
        Historikmodell(Verksamhetsområde, "nämnd"),
    )
}
# The nämnd page lists the year's figures and texts: every model above that has a year.
NÄMNDHISTORIK = [h for h in HISTORIKMODELLER.values() if h.model is not Verksamhetsområde]

TYPER = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}
UTESLUTNA_FÄLT = {"id", "version"}


@dataclass(frozen=True)
class Fältändring:
    fält: str
    före: str
    efter: str


@dataclass(frozen=True)
class Historikpost:
    modell: str  # model_name, for the row link
    modell_etikett: str
    objekt_id: int
    objekt: str
    tid: str
    vem: str
    typ: str
    orsak: str
    ändringar: tuple[Fältändring, ...]

    @property
    def rad_url(self) -> str:
        return reverse("historik-rad", args=[self.modell, self.objekt_id])


def _fält(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in UTESLUTNA_FÄLT]


def _visa(f: models.Field, värde, namn: dict) -> str:
    if värde is None or värde == "":
        return "–"
    if f.is_relation:
        return namn.get((f.related_model, värde), f"#{värde}")
    if f.flatchoices:
        return str(dict(f.flatchoices).get(värde, värde))
    if isinstance(värde, bool):
        return "Ja" if värde else "Nej"
    if isinstance(värde, Decimal):
        return tal(värde, 0 if värde == värde.to_integral() else 2)
    if isinstance(värde, dt.datetime):
        return tidpunkt(värde)
    return str(värde)


def _relaterade_namn(user, poster_per_modell: dict[type, list]) -> dict[tuple[type, object], str]:
    """Names of the objects foreign keys point to (verksamhetsområde, user, …), one query per related model,
    scoped to the user where the model can be scoped."""
    ids: dict[type[models.Model], set] = defaultdict(set)
    for model, poster in poster_per_modell.items():
        for f in _fält(model):
            if f.is_relation and isinstance(f.related_model, type):
                ids[f.related_model].update(getattr(p, f.attname) for p in poster if getattr(p, f.attname) is not None)
    namn = {}
    for rel, värden in ids.items():
        if not värden:
            continue
        qs = rel._default_manager.filter(pk__in=värden)
        if hasattr(qs, "for_user"):
            qs = qs.for_user(user)
        elif rel is not Period.stängd_av.field.related_model:
            continue
        for o in qs:
            namn[(rel, o.pk)] = användarnamn(o) if rel is Period.stängd_av.field.related_model else str(o)
    return namn


def _objekttext(h: Historikmodell, post, namn: dict) -> str:
    """A short description of the object a history record is about, from the record alone."""
    m = post
    vo = lambda: namn.get((Verksamhetsområde, m.verksamhetsområde_id), f"#{m.verksamhetsområde_id}")  # noqa: E731
    match h.model.__name__:
        case "Utfall":
            return f"{vo()} {m.år}-{m.månad:02d}"
        case "Prognos":
            return f"{vo()}, prognos {m.år}-{m.månad:02d}"
        case "Budgetpost":
            return f"{vo()} {m.år}, {dict(Budgetpost.Slag.choices).get(m.slag, m.slag)}"
        case "Textavsnitt":
            return f"{m.rubrik} ({Rapporttyp(m.rapporttyp).label} {m.år})"
        case "Period":
            return f"{m.år}-{m.månad:02d}"
        case "Verksamhetsområde":
            return m.namn
        case _:
            fk = next(f for f in _fält(h.model) if f.is_relation)
            text = f"{namn.get((fk.related_model, getattr(m, fk.attname)), '')} {m.år}"
            if getattr(m, "rapporttyp", ""):
                text += f", {Rapporttyp(m.rapporttyp).label.lower()}"
            return text


def historikposter(
    user, h: Historikmodell, poster: list, tidigare: dict[int, object] | None = None
) -> list[Historikpost]:
    """History records of one model as display rows. ``tidigare`` maps history_id → the record before it of the
    same object (computed from ``poster`` when they are an object's whole history)."""
    if tidigare is None:
        tidigare = {}
        senast: dict[int, object] = {}
        for p in sorted(poster, key=lambda p: (p.history_date, p.history_id)):
            tidigare[p.history_id] = senast.get(p.id)
            senast[p.id] = p
    namn = _relaterade_namn(user, {h.model: [*poster, *(t for t in tidigare.values() if t)]})
    fält = _fält(h.model)
    result = []
    for p in poster:
        före = tidigare.get(p.history_id)
        ändringar = []
        for f in fält:
            nytt = getattr(p, f.attname)
            if p.history_type == "-":
                # Deleted: the record holds the values as they were.
                if nytt not in (None, ""):
                    ändringar.append(Fältändring(str(f.verbose_name), _visa(f, nytt, namn), "–"))
            elif före is None:
                # Created, or changed when no earlier record exists (rows loaded without history).
                if nytt not in (None, ""):
                    gammalt = "–" if p.history_type == "+" else "(okänt)"
                    ändringar.append(Fältändring(str(f.verbose_name), gammalt, _visa(f, nytt, namn)))
            elif getattr(före, f.attname) != nytt:
                ändringar.append(
                    Fältändring(str(f.verbose_name), _visa(f, getattr(före, f.attname), namn), _visa(f, nytt, namn))
                )
        result.append(
            Historikpost(
                modell=h.namn,
                modell_etikett=h.etikett,
                objekt_id=p.id,
                objekt=_objekttext(h, p, namn),
                tid=tidpunkt(p.history_date),
                vem=användarnamn(p.history_user) if p.history_user_id else "(system)",
                typ=TYPER.get(p.history_type, p.history_type),
                orsak=p.history_change_reason or "",
                ändringar=tuple(ändringar),
            )
        )
    return result


def _skopad_historik(user, h: Historikmodell):
    qs = h.historik.all()
    ids = kommun_ids_för(user)
    return qs if ids is None else qs.filter(**{f"{h.kommun_väg}__in": ids})


def radhistorik(user, h: Historikmodell, pk: int) -> tuple[str, list[Historikpost]] | None:
    """An object's history, newest first, and a title; None when the user may not read it (or it never
    existed). Deleted objects keep their history: the records are scoped through their kommun."""
    poster = list(
        _skopad_historik(user, h).filter(id=pk).select_related("history_user").order_by("history_date", "history_id")
    )
    finns = h.model._default_manager.for_user(user).filter(pk=pk).exists()  # type: ignore[attr-defined]  # scoped manager
    if not poster and not finns:
        return None
    rader = historikposter(user, h, poster)
    rader.reverse()
    titel = rader[0].objekt if rader else str(h.model._default_manager.get(pk=pk))
    return titel, rader


def nämndhistorik_frågor(nämnd: Nämnd, år: int):
    """All history records of the nämnd's figures and texts of ``år`` as one UNION query of
    (modell, history_id, history_date), newest first: count and slice it to paginate."""
    delar = []
    for h in NÄMNDHISTORIK:
        qs = h.historik.filter(år=år)
        if h.model is Period:
            # Kommun-wide; a period created open on its way to being closed is not a change (see periodhistorik).
            qs = qs.filter(kommun_id=nämnd.kommun_id).exclude(history_type="+", stängd=False)
        else:
            qs = qs.filter(**{h.nämnd_väg: nämnd})
        delar.append(
            qs.order_by()  # historical models are ordered; parts of a UNION must not be
            .annotate(modell=Value(h.namn, output_field=CharField()))
            .values_list("modell", "history_id", "history_date")
        )
    första, *övriga = delar
    return första.union(*övriga, all=True).order_by("-history_date", "-history_id")


def nämndhistorik_sida(user, rader: list[tuple[str, int, dt.datetime]]) -> list[Historikpost]:
    """Display rows for one page of ``nämndhistorik_frågor``: per model one query for the page's records and
    one for the records before them (to show old → new)."""
    per_modell: dict[str, list[int]] = defaultdict(list)
    for modell, history_id, _ in rader:
        per_modell[modell].append(history_id)
    poster: dict[tuple[str, int], Historikpost] = {}
    for modell, history_ids in per_modell.items():
        h = HISTORIKMODELLER[modell]
        sidans = list(h.historik.filter(history_id__in=history_ids).select_related("history_user"))
        objekt_ids = {p.id for p in sidans}
        senaste = max(p.history_date for p in sidans)
        alla = list(
            h.historik.filter(id__in=objekt_ids, history_date__lte=senaste).order_by("history_date", "history_id")
        )
        tidigare: dict[int, object] = {}
        senast: dict[int, object] = {}
        for p in alla:
            tidigare[p.history_id] = senast.get(p.id)
            senast[p.id] = p
        for p, post in zip(sidans, historikposter(user, h, sidans, tidigare), strict=True):
            poster[(modell, p.history_id)] = post
    return [poster[(modell, hid)] for modell, hid, _ in rader if (modell, hid) in poster]


__all__ = [
    "HISTORIKMODELLER",
    "Dashboard",
    "dashboard",
    "historikposter",
    "månadsuppföljning_url",
    "nämndhistorik_frågor",
    "nämndhistorik_sida",
    "periodhistorik",
    "radhistorik",
    "tidpunkt",
]


def nytt_år_underlag(user, nämnd: Nämnd, år: int) -> tuple[list[Verksamhetsområde], list[Mål]]:
    """What the Öppna nytt år page decides about: the nämnd's areas valid in ``år`` and its mål ending in ``år``."""
    giltiga = (Q(från_år__isnull=True) | Q(från_år__lte=år)) & (Q(till_år__isnull=True) | Q(till_år__gte=år))
    områden = list(Verksamhetsområde.objects.for_user(user).filter(giltiga, nämnd=nämnd))
    mål = list(Mål.objects.for_user(user).filter(nämnd=nämnd, till_år=år).order_by("ordning", "id"))
    return områden, mål
