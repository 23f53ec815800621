"""Writes of the follow-up workflow: closing months after the month's checks (``rapporter.kontroller``).
Opening a new year is ``uppfoljning.nytt_ar``; the plain period services (stäng, öppna) are ``nämnd.services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from grund import manader
from nämnd.models import Kommun, Nämnd, Period
from nämnd.services import stäng, stängda_månader
from rapporter import kontroller

__all__ = ["OrsakKrävs", "stäng_månader", "stängningsfynd"]


# --- closing months ----------------------------------------------------------------------------------------------


class OrsakKrävs(ValidationError):
    """Months whose checks find errors are closed only with a reason. ``fynd``: the errors per nämnd."""

    def __init__(self, år: int, månad: int, fynd: list[tuple[Nämnd, list[kontroller.Fynd]]]):
        super().__init__(
            [
                f"Kontrollerna t.o.m. {manader.lång(månad)} {år} hittade fel: avvikelser över kommunens gräns utan "
                "kommentar. Kommentera raderna i månadsuppföljningen, eller ange en orsak för att stänga ändå "
                "(orsaken sparas i periodhistoriken):",
                *(f"{n.namn}: {f.text}" for n, rader in fynd for f in rader),
            ],
            code="orsak_krävs",
        )
        self.år, self.månad, self.fynd = år, månad, fynd


def stängningsfynd(user, kommun: Kommun, år: int, månad: int) -> list[tuple[Nämnd, list[kontroller.Fynd]]]:
    """The errors the checks of a month (``rapporter.kontroller``, as on the status page) find through ``månad``,
    for every nämnd of the kommun active in ``år`` — closing a month locks them all. About six queries a nämnd."""
    nämnder = (
        Nämnd.objects.for_user(user)
        .filter(kommun=kommun, giltig_från__lte=dt.date(år, 12, 31))
        .filter(Q(giltig_till__isnull=True) | Q(giltig_till__gte=dt.date(år, 1, 1)))
        .select_related("kommun")
        .order_by("namn", "giltig_från")
    )
    result = []
    for n in nämnder:
        fel = [
            f
            for f in kontroller.kontrollera(kontroller.månadsunderlag(user, [n], år, månad))
            if f.nivå == kontroller.FEL
        ]
        if fel:
            result.append((n, fel))
    return result


@transaction.atomic
def stäng_månader(user, kommun: Kommun, år: int, månader: Iterable[int], orsak: str = "") -> list[Period]:
    """Close months after the month's checks: run through the last month being closed (deviations are cumulative,
    jan–month), for every nämnd of the kommun. With errors (deviations over the kommun's limit without a comment)
    the months are closed only with ``orsak``, kept in the period history; without, no reason is needed. Refused
    with ``OrsakKrävs`` listing the rows; then nothing is closed."""
    månader = sorted(set(månader))
    att_stänga = [m for m in månader if m not in stängda_månader(kommun, år)]
    perioder = stäng(user, kommun, år, månader, orsak=orsak)  # the role check comes first; rolled back if refused
    if att_stänga and not orsak.strip() and (fynd := stängningsfynd(user, kommun, år, att_stänga[-1])):
        raise OrsakKrävs(år, att_stänga[-1], fynd)
    return perioder
