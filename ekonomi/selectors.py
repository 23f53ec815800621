"""Reads for ekonomi: everything a report or page needs, in a fixed number of queries, scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Q, Sum

from nämnd.models import Nämnd, Verksamhetsområde

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
    """Stored budget, utfall and prognoser per verksamhetsområde for ``år`` up to ``månad``. Four queries."""
    områden = list(områden_för_år(user, nämnder, år).values("id", "namn", "typ", "förälder_id"))
    ids = [o["id"] for o in områden]

    budget: dict[int, list[Budgetbelopp]] = defaultdict(list)
    for b in Budgetpost.objects.filter(verksamhetsområde_id__in=ids, år__in=(år - 1, år)).select_related("profil"):
        budget[b.verksamhetsområde_id].append(
            Budgetbelopp(b.slag, b.år, b.belopp, tuple(b.profil.vikter) if b.profil else None)
        )

    utfall = {
        u["verksamhetsområde_id"]: u
        for u in Utfall.objects.filter(verksamhetsområde_id__in=ids, år__in=(år - 1, år))
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
        prognoser[p.verksamhetsområde_id].append((p.månad, p.belopp))
        kommentar[p.verksamhetsområde_id] = p.kommentar

    def belopp(vo_id: int, nyckel: str) -> Decimal:
        return (utfall.get(vo_id) or {}).get(nyckel) or NOLL

    return [
        Områdesunderlag(
            id=o["id"], namn=o["namn"], typ=o["typ"], förälder_id=o["förälder_id"],
            budget=tuple(budget[o["id"]]),
            utfall_period=belopp(o["id"], "period"),
            utfall_period_fg=belopp(o["id"], "period_fg"),
            utfall_helår_fg=belopp(o["id"], "helår_fg"),
            prognoser=tuple(prognoser[o["id"]]),
            kommentar=kommentar.get(o["id"], ""),
        )
        for o in områden
    ]


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
        rader.append(Investeringsrad(
            namn=inv.namn, ram=inv.kf_ram, tillägg=inv.tillägg, utgift=inv.utgift or NOLL,
            prognos=prognoser[-1].belopp if prognoser else None,
            kommentar=prognoser[-1].kommentar if prognoser else "",
        ))
    return rader
