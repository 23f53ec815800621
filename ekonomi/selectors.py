"""Reads for ekonomi: everything a report or page needs, in a fixed number of queries, scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from nämnd.models import Nämnd, Verksamhetsområde

from . import berakning
from .berakning import NOLL, Budgetbelopp, Investeringsrad, Områdesunderlag
from .models import Budgetpost, Investering, Prognos, Utfall


def områden_för_år(user, nämnder: Sequence[Nämnd], år: int):
    """Verksamhetsområden of ``nämnder`` valid in ``år``, in display order, scoped to ``user``."""
    return (
        Verksamhetsområde.objects.for_user(user)
        .filter(nämnd__in=nämnder)
        .filter(Q(från_år__isnull=True) | Q(från_år__lte=år), Q(till_år__isnull=True) | Q(till_år__gte=år))
        .order_by("ordning", "namn", "id")
    )


def ekonomiunderlag(user, nämnder: Sequence[Nämnd], år: int, månad: int) -> list[Områdesunderlag]:
    """Stored budget, utfall and prognoser per verksamhetsområde for ``år`` up to ``månad``. Five queries."""
    områden = list(områden_för_år(user, nämnder, år).values("id", "namn", "typ", "förälder_id"))
    ids = [o["id"] for o in områden]

    budget: dict[int, list[Budgetbelopp]] = defaultdict(list)
    for b in Budgetpost.objects.filter(verksamhetsområde_id__in=ids, år__in=(år - 1, år)).select_related("profil"):
        budget[b.verksamhetsområde_id].append(
            Budgetbelopp(b.slag, b.år, b.belopp, tuple(b.profil.vikter) if b.profil else None)
        )

    jämförs_med = _jämförelseområden(ids)
    alla_ids = set(ids) | {g for gamla in jämförs_med.values() for g in gamla}
    utfall = {
        u["verksamhetsområde_id"]: u
        for u in Utfall.objects.filter(verksamhetsområde_id__in=alla_ids, år__in=(år - 1, år))
        .values("verksamhetsområde_id")
        .annotate(
            period=Sum("belopp", filter=Q(år=år, månad__lte=månad)),
            period_fg=Sum("belopp", filter=Q(år=år - 1, månad__lte=månad)),
            helår_fg=Sum("belopp", filter=Q(år=år - 1)),
        )
    }

    prognoser: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    kommentar: dict[int, str] = {}
    for p in Prognos.objects.filter(verksamhetsområde_id__in=ids, år=år, månad__lte=max(månad, 1)).order_by("månad"):
        if p.belopp is not None:
            prognoser[p.verksamhetsområde_id].append((p.månad, p.belopp))
        if p.kommentar:
            kommentar[p.verksamhetsområde_id] = p.kommentar

    def belopp(vo_id: int, nyckel: str) -> Decimal:
        if nyckel in ("period_fg", "helår_fg"):
            return sum(((utfall.get(k) or {}).get(nyckel) or NOLL for k in jämförs_med.get(vo_id, [vo_id])), NOLL)
        return (utfall.get(vo_id) or {}).get(nyckel) or NOLL

    return [
        Områdesunderlag(
            id=o["id"],
            namn=o["namn"],
            typ=o["typ"],
            förälder_id=o["förälder_id"],
            budget=tuple(budget[o["id"]]),
            utfall_period=belopp(o["id"], "period"),
            utfall_period_fg=belopp(o["id"], "period_fg"),
            utfall_helår_fg=belopp(o["id"], "helår_fg"),
            prognoser=tuple(prognoser[o["id"]]),
            kommentar=kommentar.get(o["id"], ""),
        )
        for o in områden
    ]


def _jämförelseområden(ids: list[int]) -> dict[int, list[int]]:
    """Whose last-year figures each område's "föregående år" columns show, when the tree changed at the
    turn of the year (``Verksamhetsområde.föregångare``). An område that is another's föregångare no longer
    shows its own last-year figures unless it lists itself. One query."""
    kopplingar = list(
        Verksamhetsområde.föregångare.through.objects.filter(from_verksamhetsområde_id__in=ids).values_list(
            "from_verksamhetsområde_id", "to_verksamhetsområde_id"
        )
    )
    if not kopplingar:
        return {}
    result: dict[int, list[int]] = defaultdict(list)
    for ny, gammal in kopplingar:
        result[ny].append(gammal)
    for gammal in {g for _, g in kopplingar}:
        if gammal not in result:
            result[gammal] = []
    return dict(result)


def investeringar(user, nämnder: Sequence[Nämnd], år: int, månad: int) -> list[Investeringsrad]:
    """Investeringar of the year with utgift up to ``månad`` and the latest prognos. Two queries."""
    rader = []
    qs = (
        Investering.objects.for_user(user)
        .filter(nämnd__in=nämnder, år=år)
        .annotate(utgift=Sum("utgifter__belopp", filter=Q(utgifter__månad__lte=månad)))
        .prefetch_related("prognoser")
    )
    for inv in qs:
        prognoser = [p for p in inv.prognoser.all() if p.månad <= max(månad, 1)]
        rader.append(
            Investeringsrad(
                namn=inv.namn,
                ram=inv.kf_ram,
                tillägg=inv.tillägg,
                utgift=inv.utgift or NOLL,
                prognos=prognoser[-1].belopp if prognoser else None,
                kommentar=prognoser[-1].kommentar if prognoser else "",
            )
        )
    return rader


@dataclass
class Månadsgrupp:
    namn: str
    är_block: bool
    rader: list[berakning.Månadsrad]

    @property
    def summa(self) -> dict:
        return berakning.summera_månad(f"Summa {self.namn}", self.rader)


def månadsuppföljning(user, nämnd: Nämnd, år: int, månad: int) -> list[Månadsgrupp]:
    """The month grid: one row per leaf verksamhetsområde (where figures are entered), grouped under its
    top-level block. Eight queries whatever the number of rows (nine when some utfall is per kostnadsslag)."""
    underlag = ekonomiunderlag(user, [nämnd], år, månad)
    ids = [o.id for o in underlag]
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

    har_barn = {o.förälder_id for o in underlag}
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
    return list(grupper.values())


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
