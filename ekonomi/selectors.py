"""Reads for ekonomi: everything a report or page needs, in a fixed number of queries, scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractYear

from nämnd.models import Nämnd, Verksamhetsområde

from . import berakning, prognosforslag, volymkalla
from .berakning import NOLL, Budgetbelopp, Investeringsrad, Områdesunderlag
from .kommentarsforslag import Radförslag, radförslag
from .models import MÅNADER, Budgetpost, Investering, Investeringsprognos, Prognos, Utfall
from .prognosforslag import ÅR_BAKÅT, Prognosförslag


def områden_för_år(user, nämnder: Sequence[Nämnd], år: int):
    """Verksamhetsområden of ``nämnder`` valid in ``år``, in display order, scoped to ``user``."""
    return (
        Verksamhetsområde.objects.for_user(user)
        .filter(nämnd__in=nämnder)
        .filter(Q(från_år__isnull=True) | Q(från_år__lte=år), Q(till_år__isnull=True) | Q(till_år__gte=år))
        .order_by("ordning", "namn", "id")
    )


_STANDARD = "standardprofil"


def med_standardprofil(qs: QuerySet[Budgetpost]) -> QuerySet[Budgetpost]:
    """Budget posts with the weights of their kommun's standard profile (``Periodiseringsprofil.standard``) in
    the same query: a join, at most one standard profile per kommun (for ``vikter``)."""
    return qs.annotate(
        **{_STANDARD: FilteredRelation("verksamhetsområde__nämnd__kommun__profiler", condition=Q(
            verksamhetsområde__nämnd__kommun__profiler__standard=True))},
        **{f"_standard_{m}": F(f"{_STANDARD}__{m}") for m in MÅNADER},
    )  # fmt: skip


def vikter(post: Budgetpost) -> tuple[Decimal, ...] | None:
    """The monthly weights a post's budget is spread by: its own profile, else its kommun's standard profile (read
    by ``med_standardprofil``), else None (evenly)."""
    if post.profil is not None:
        return tuple(post.profil.vikter)
    standard = tuple(getattr(post, f"_standard_{m}", None) for m in MÅNADER)
    return None if any(v is None for v in standard) else standard  # type: ignore[return-value]


def ekonomiunderlag(
    user, nämnder: Sequence[Nämnd], år: int, månad: int, prognos_t_o_m: int | None = None
) -> list[Områdesunderlag]:
    """Stored budget, utfall and prognoser per verksamhetsområde of ``nämnder`` for ``år`` up to ``månad``
    (prognoser made up to ``prognos_t_o_m``, default ``månad``). Four queries whatever the number of nämnder."""
    rader = list(
        områden_för_år(user, nämnder, år).values(
            "id", "namn", "typ", "förälder_id", "nämnd_id", "föregångare", "från_år", "nämnd__giltig_från"
        )
    )  # one row per föregångare (the links of the "föregående år" columns come with the tree)
    områden = list({o["id"]: o for o in rader}.values())
    ids = [o["id"] for o in områden]

    budget: dict[int, list[Budgetbelopp]] = defaultdict(list)
    for b in med_standardprofil(
        Budgetpost.objects.filter(verksamhetsområde_id__in=ids, år__in=(år - 1, år)).select_related(
            "profil", "kostnadsslag"
        )
    ):
        ks = b.kostnadsslag
        budget[b.verksamhetsområde_id].append(
            Budgetbelopp(
                b.slag,
                b.år,
                b.belopp,
                vikter(b),
                b.kategori,
                b.volym,
                b.peng,
                (ks.id, ks.namn, ks.typ, ks.ordning) if ks else None,
                b.månader,
            )
        )

    jämförs_med = jämförelser(
        [(o["id"], o["föregångare"], o["från_år"], o["nämnd__giltig_från"], False) for o in rader], år
    )
    alla_ids = set(ids) | {g for gamla in jämförs_med.values() for g in gamla}
    utfall: dict[int, dict[str, dict]] = defaultdict(dict)  # område → kategori → sums
    for u in (
        Utfall.objects.filter(verksamhetsområde_id__in=alla_ids, år__in=(år - 1, år))
        .values("verksamhetsområde_id", "kategori")
        .annotate(
            period=Sum("belopp", filter=Q(år=år, månad__lte=månad)),
            period_fg=Sum("belopp", filter=Q(år=år - 1, månad__lte=månad)),
            helår_fg=Sum("belopp", filter=Q(år=år - 1)),
        )
    ):
        utfall[u["verksamhetsområde_id"]][u["kategori"]] = u

    prognoser: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    kommentar: dict[int, str] = {}
    p_månad = max(månad if prognos_t_o_m is None else prognos_t_o_m, 1)
    for p in Prognos.objects.filter(verksamhetsområde_id__in=ids, år=år, månad__lte=p_månad).order_by("månad"):
        if p.belopp is not None:
            prognoser[p.verksamhetsområde_id].append((p.månad, p.belopp))
        if p.kommentar:
            kommentar[p.verksamhetsområde_id] = p.kommentar

    NYCKLAR = ("period", "period_fg", "helår_fg")

    def källor(vo_id: int, nyckel: str) -> list[int]:
        return jämförs_med.get(vo_id, [vo_id]) if nyckel in ("period_fg", "helår_fg") else [vo_id]

    def summa(vo_id: int, nyckel: str, kategori: str | None = None) -> Decimal | None:
        värden = [
            rad[nyckel]
            for k in källor(vo_id, nyckel)
            for kat, rad in utfall.get(k, {}).items()
            if (kategori is None or kat == kategori) and rad[nyckel] is not None
        ]
        return sum(värden, NOLL) if värden else None

    def kategorier(vo_id: int) -> list[str]:
        return sorted({kat for n in NYCKLAR for k in källor(vo_id, n) for kat in utfall.get(k, {})})

    result = []
    for o in områden:
        vo = o["id"]
        summor = {n: summa(vo, n) for n in NYCKLAR}
        result.append(
            Områdesunderlag(
                id=vo,
                namn=o["namn"],
                typ=o["typ"],
                förälder_id=o["förälder_id"],
                budget=tuple(budget[vo]),
                utfall_period=summor["period"] or NOLL,
                utfall_period_fg=summor["period_fg"] or NOLL,
                utfall_helår_fg=summor["helår_fg"] or NOLL,
                prognoser=tuple(prognoser[vo]),
                kommentar=kommentar.get(vo, ""),
                nämnd_id=o["nämnd_id"],
                saknas=frozenset(n for n, v in summor.items() if v is None),
                per_kategori=tuple(
                    (kat, summa(vo, "period", kat), summa(vo, "period_fg", kat), summa(vo, "helår_fg", kat))
                    for kat in kategorier(vo)
                ),
            )
        )
    return result


def _jämförelseområden(ids: list[int], år: int | None = None) -> dict[int, list[int]]:
    """Whose last-year figures each område's "föregående år" columns show, when the tree changed at the
    turn of the year or a nämnd was split (``Verksamhetsområde.föregångare``). One query.

    An område that is another's föregångare no longer shows its own last-year figures (it is counted in its
    successor). An område with föregångare shows theirs and, when it existed itself in ``år − 1``, its own
    (docs/beslut.md, "Föregående år efter en delning"): the link wins over figures stored on the område for a
    year before it existed (jämförelsetal from an import), so nothing is counted twice. Without ``år`` the rule is
    read from the data: an område with utfall from a year before it existed (before its ``från_år`` or its nämnd's
    first year) shows only its föregångare, any other also its own figures (none when it did not exist)."""
    jämförelsetal = Utfall.objects.filter(verksamhetsområde=OuterRef("pk")).filter(
        Q(år__lt=OuterRef("från_år")) | Q(år__lt=ExtractYear(OuterRef("nämnd__giltig_från")))
    )
    rader = list(
        Verksamhetsområde.objects.filter(pk__in=ids, föregångare__isnull=False)
        .annotate(har_jämförelsetal=Exists(jämförelsetal))
        .values_list("id", "föregångare", "från_år", "nämnd__giltig_från", "har_jämförelsetal")
    )
    return jämförelser(rader, år)


def jämförelser(rader, år: int | None) -> dict[int, list[int]]:
    """``_jämförelseområden``'s rule on rows (område, föregångare, från_år, the nämnd's giltig_från, has
    jämförelsetal) — for a caller that read them with its own query."""
    rader = [r for r in rader if r[1] is not None]
    if not rader:
        return {}
    result: dict[int, list[int]] = defaultdict(list)
    egna: dict[int, bool] = {}
    for ny, gammal, från_år, giltig_från, har_jämförelsetal in rader:
        if gammal != ny:
            result[ny].append(gammal)
        if år is not None:
            egna[ny] = (från_år is None or från_år < år) and giltig_från.year < år
        else:
            egna[ny] = not har_jämförelsetal
    for ny, egen in egna.items():
        if egen:
            result[ny].insert(0, ny)
        else:
            result.setdefault(ny, [])
    for _, gammal, *_ in rader:
        if gammal not in result:
            result[gammal] = []
    return dict(result)


def investeringar(user, nämnder: Sequence[Nämnd], år: int, månad: int) -> list[Investeringsrad]:
    """Investeringar of the year with utgift up to ``månad`` and the latest prognos made up to it. One query."""
    senaste = Investeringsprognos.objects.filter(investering=OuterRef("pk"), månad__lte=max(månad, 1)).order_by(
        "-månad"
    )
    qs = (
        Investering.objects.for_user(user)
        .filter(nämnd__in=nämnder, år=år)
        .annotate(
            utgift=Sum("utgifter__belopp", filter=Q(utgifter__månad__lte=månad)),
            prognos=Subquery(senaste.values("belopp")[:1]),
            prognoskommentar=Subquery(senaste.values("kommentar")[:1]),
        )
        .order_by("nämnd__giltig_från", "ordning", "namn")  # an aggregate drops the model's default ordering
    )
    rader = [
        Investeringsrad(
            namn=inv.namn,
            ram=inv.kf_ram,
            tillägg=inv.tillägg,
            utgift=inv.utgift or NOLL,
            prognos=inv.prognos,
            kommentar=inv.prognoskommentar or "",
        )
        for inv in qs
    ]
    return rader


@dataclass
class Månadsgrupp:
    namn: str
    är_block: bool
    rader: list[berakning.Månadsrad]
    # område id → the proposed helårsprognos (``ekonomi.prognosforslag``), for the rows that have one
    förslag: dict[int, Prognosförslag] = field(default_factory=dict)

    @property
    def summa(self) -> dict:
        return berakning.summera_månad(f"Summa {self.namn}", self.rader)


def månadsuppföljning(user, nämnd: Nämnd, år: int, månad: int) -> list[Månadsgrupp]:
    """The month grid: one row per leaf verksamhetsområde (where figures are entered), grouped under its
    top-level block, with a proposed helårsprognos per row (``utfallshistorik``). Ten queries whatever the number
    of rows (eleven when some utfall is per kostnadsslag)."""
    underlag = ekonomiunderlag(user, [nämnd], år, månad)
    ids = [o.id for o in underlag]
    har_barn = {o.förälder_id for o in underlag}
    historik = utfallshistorik(user, nämnd, [vo for vo in ids if vo not in har_barn], år)
    från, till = prognosforslag.nämndens_månader(nämnd.giltig_från, nämnd.giltig_till, år)
    netto = {
        u.verksamhetsområde_id: u
        for u in Utfall.objects.filter(
            verksamhetsområde_id__in=ids, år=år, månad=månad, kostnadsslag__isnull=True, kategori=""
        )
    }
    uppdelat = set(
        Utfall.objects.filter(verksamhetsområde_id__in=ids, år=år, månad=månad)
        .exclude(kostnadsslag__isnull=True, kategori="")
        .values_list("verksamhetsområde_id", flat=True)
    )
    prognos = {
        p.verksamhetsområde_id: p for p in Prognos.objects.filter(verksamhetsområde_id__in=ids, år=år, månad=månad)
    }
    månadssumma = (
        {
            r["verksamhetsområde_id"]: r["s"]
            for r in Utfall.objects.filter(verksamhetsområde_id__in=uppdelat, år=år, månad=månad)
            .values("verksamhetsområde_id")
            .annotate(s=Sum("belopp"))
        }
        if uppdelat
        else {}
    )

    förälder = {o.id: o.förälder_id for o in underlag}
    namn = {o.id: o.namn for o in underlag}
    grupper: dict[int, Månadsgrupp] = {}
    for o in underlag:
        if o.id in har_barn:
            continue
        topp = o.id
        while (upp := förälder.get(topp)) is not None:
            topp = upp
        grupp = grupper.setdefault(topp, Månadsgrupp(namn[topp], topp != o.id, []))
        u, p = netto.get(o.id), prognos.get(o.id)
        grupp.rader.append(
            berakning.månadsrad(
                o,
                år,
                månad,
                utfall_månad=månadssumma.get(o.id, u.belopp if u else None)
                if o.id in uppdelat
                else (u.belopp if u else None),
                prognos=p.belopp if p else None,
                kommentar=p.kommentar if p else "",
                utfall_version=u.version if u else None,
                prognos_version=p.version if p else None,
                utfall_per_kostnadsslag=o.id in uppdelat,
            )
        )
        förslag = prognosforslag.för_område(
            o.id, år, månad, historik.utfall, historik.föregångare, o.budget, från, till
        )
        if förslag is not None:
            grupp.förslag[o.id] = förslag
    return list(grupper.values())


def kommentarsförslag(user, nämnd: Nämnd, år: int, månad: int, grupper: Sequence[Månadsgrupp]) -> dict[int, Radförslag]:
    """Each grid row's variance split through ``månad`` (with its volume, ``volymkalla``) and, where the period's
    deviation reaches the kommun's limit (``berakning.över_gräns``) and the row has no comment, a drafted comment
    (``kommentarsforslag.radförslag``). Rows with neither are left out. Two queries (the volumes)."""
    volymer = volymkalla.volymer(user, nämnd, år, månad)
    kommun = nämnd.kommun
    result = {}
    for g in grupper:
        for r in g.rader:
            v = volymer.get(r.id)
            över = berakning.över_gräns(
                r.avvikelse, r.periodbudget, kommun.avvikelsegräns_kr, kommun.avvikelsegräns_procent
            )
            f = radförslag(r, månad, v.värde if v else None, v.enhet if v else "", kommun.beloppsenhet, bool(över))
            if f.delning is not None or f.text:
                result[r.id] = f
    return result


def månader_med_värden(user, nämnd: Nämnd, år: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per month of ``år``: how many verksamhetsområden have utfall, and how many have a prognos. Two queries."""

    def per_månad(model) -> dict[int, int]:
        return dict(
            model.objects.for_user(user)
            .filter(verksamhetsområde__nämnd=nämnd, år=år)
            .values("månad")
            .annotate(n=Count("verksamhetsområde", distinct=True))
            .values_list("månad", "n")
        )

    return per_månad(Utfall), per_månad(Prognos)


def budgetår_per_nämnd(user) -> dict[int, tuple[int, int]]:
    """Nämnd id → (first, last) year with budget, for the nämnder the user may read. One query."""
    return {
        r["verksamhetsområde__nämnd"]: (r["första"], r["sista"])
        for r in Budgetpost.objects.for_user(user)
        .values("verksamhetsområde__nämnd")
        .annotate(första=Min("år"), sista=Max("år"))
    }


def senaste_utfallsmånad(user, nämnd: Nämnd, år: int) -> int | None:
    """The last month of ``år`` with any utfall for the nämnd, or None. One query."""
    return Utfall.objects.for_user(user).filter(verksamhetsområde__nämnd=nämnd, år=år).aggregate(m=Max("månad"))["m"]


def utfallsmånader(user, nämnder: Sequence[Nämnd], år: int, t_o_m: int) -> list[int]:
    """The months 1..``t_o_m`` of ``år`` in which the nämnder have any utfall, ascending (for
    ``berakning.täckt_period``). One query."""
    return list(
        Utfall.objects.for_user(user)
        .filter(verksamhetsområde__nämnd__in=nämnder, år=år, månad__gte=1, månad__lte=t_o_m)
        .order_by("månad")
        .values_list("månad", flat=True)
        .distinct()
    )


def utan_föregående_år(nämnd: Nämnd, år: int) -> list[Verksamhetsområde]:
    """The nämnd's områden of ``år`` whose "föregående år" misses months because the nämnd did not exist all of
    ``år − 1`` (created by a split): leaves, not "Ej fördelat", without a föregångare link and — in the nämnd's
    first year — without jämförelsetal (utfall of ``år − 1``) of their own. The months before a mid-year start can
    only come through a link. Empty without a query for a nämnd that existed all of ``år − 1``; else one query."""
    if nämnd.giltig_från <= dt.date(år - 1, 1, 1) or nämnd.giltig_från.year > år:
        return []
    kopplad = Verksamhetsområde.föregångare.through.objects.filter(from_verksamhetsområde_id=OuterRef("pk")).exclude(
        to_verksamhetsområde_id=OuterRef("pk")
    )
    qs = (
        Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False)
        .filter(Q(från_år__isnull=True) | Q(från_år__lte=år), Q(till_år__isnull=True) | Q(till_år__gte=år))
        .exclude(Exists(Verksamhetsområde.objects.filter(förälder=OuterRef("pk"))))
        .exclude(Exists(kopplad))
    )
    if nämnd.giltig_från.year == år:
        qs = qs.exclude(Exists(Utfall.objects.filter(verksamhetsområde=OuterRef("pk"), år=år - 1)))
    return list(qs.order_by("ordning", "namn", "id"))


# --- kostnadsslag: utfall per month and budget (the kostnadsslag section of a report) ---------------------------


_KS_FÄLT = (
    "verksamhetsområde_id",
    "kostnadsslag_id",
    "kostnadsslag__namn",
    "kostnadsslag__typ",
    "kostnadsslag__ordning",
)


@dataclass(frozen=True)
class Månadsbelopp:
    """One område's utfall of a month, per kostnadsslag (``kostnadsslag_id`` None: netto or per budget kind)."""

    område_id: int
    kostnadsslag_id: int | None
    namn: str  # the kostnadsslag's
    typ: str
    ordning: int
    år: int
    månad: int
    belopp: Decimal
    nämnd_id: int


def månadsutfall(user, nämnder: Sequence[Nämnd], år: int) -> list[Månadsbelopp]:
    """Utfall per (område, kostnadsslag, år, månad) of ``nämnder`` for ``år`` − 1 and ``år``: every monthly section
    of a report derives its figures from this one read (ackumulerat, kostnadsslag, bistånd). One query."""
    return [
        Månadsbelopp(
            r["verksamhetsområde_id"],
            r["kostnadsslag_id"],
            r["kostnadsslag__namn"] or "",
            r["kostnadsslag__typ"] or "",
            r["kostnadsslag__ordning"] or 0,
            r["år"],
            r["månad"],
            r["summa"],
            r["verksamhetsområde__nämnd_id"],
        )
        for r in Utfall.objects.for_user(user)
        .filter(verksamhetsområde__nämnd__in=nämnder, år__in=(år - 1, år))
        .values(*_KS_FÄLT, "verksamhetsområde__nämnd_id", "år", "månad")
        .annotate(summa=Sum("belopp"))
        .order_by()
    ]


# --- prognosförslag: monthly utfall of earlier years ------------------------------------------------------------


@dataclass(frozen=True)
class Utfallshistorik:
    """Monthly utfall (område → år → månad → kronor; kategorier and kostnadsslag summed) of some områden and their
    föregångare, for ``år`` and the ``prognosforslag.ÅR_BAKÅT`` years before, and the kommun's föregångare links
    (område → its föregångare). What ``prognosforslag.för_område`` proposes a helårsprognos from."""

    utfall: dict[int, dict[int, dict[int, Decimal]]]
    föregångare: dict[int, list[int]]


def utfallshistorik(user, nämnd: Nämnd, ids: Sequence[int], år: int) -> Utfallshistorik:
    """The monthly utfall of the områden ``ids`` of ``nämnd`` and of their föregångare (through any number of
    links). Two queries: the kommun's föregångare links, and one aggregated read of the utfall per område, year
    and month."""
    föregångare: dict[int, list[int]] = defaultdict(list)
    for ny, gammal in (
        Verksamhetsområde.föregångare.through.objects.filter(from_verksamhetsområde__nämnd__kommun_id=nämnd.kommun_id)
        .order_by("from_verksamhetsområde_id", "to_verksamhetsområde_id")
        .values_list("from_verksamhetsområde_id", "to_verksamhetsområde_id")
    ):
        if ny != gammal:
            föregångare[ny].append(gammal)
    alla, kö = set(ids), list(ids)
    while kö:
        for f in föregångare.get(kö.pop(), ()):
            if f not in alla:
                alla.add(f)
                kö.append(f)
    # One row per område and year with the twelve months as columns (NULL = no utfall that month): a twelfth of
    # the rows of one per month, for a grid of hundreds of rows and six years.
    utfall: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(dict)
    for rad in (
        Utfall.objects.for_user(user)
        .filter(verksamhetsområde_id__in=alla, år__gte=år - ÅR_BAKÅT, år__lte=år)
        .values("verksamhetsområde_id", "år")
        .annotate(**{f"m{m}": Sum("belopp", filter=Q(månad=m)) for m in range(1, 13)})
        .order_by()
    ):
        utfall[rad["verksamhetsområde_id"]][rad["år"]] = {
            m: rad[f"m{m}"] for m in range(1, 13) if rad[f"m{m}"] is not None
        }
    return Utfallshistorik(dict(utfall), dict(föregångare))
