"""What the month grid's plausibility warnings (``ekonomi.rimlighet``) compare with, read from the database: the
same month of last year per verksamhetsområde. A selector of its own so that the grid's selector stays as it is."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from .models import Utfall


def utfall_samma_månad_fg(ids: Iterable[int], år: int, månad: int) -> dict[int, Decimal]:
    """Område id → its utfall in ``månad`` of ``år`` − 1 (kategorier and kostnadsslag summed). One query. The ids
    come from a selector that already scoped them to the user's kommun (``ekonomi.selectors.månadsuppföljning``)."""
    return {
        vo: summa
        for vo, summa in Utfall.objects.filter(verksamhetsområde_id__in=list(ids), år=år - 1, månad=månad)
        .values("verksamhetsområde_id")
        .annotate(summa=Sum("belopp"))
        .order_by()
        .values_list("verksamhetsområde_id", "summa")
        if summa is not None
    }
