"""Writes for reports: the narrative texts (Textavsnitt) of a nämnd's report (one transaction per save,
optimistic locking by ``version``, bulk writes with history: the pattern of nyckeltal.services), and closing months
after the checks (``stäng_månader``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ekonomi.services import Konflikt, Sparat
from nyckeltal.services import avtryck, skriv
from nämnd.models import Kommun, Nämnd, Period, Rapporttyp
from nämnd.services import stäng, stängda_månader
from nämnd.vakt import Slag, Vakt, Ändring

from . import kontroller
from .models import Sektion, Sektionsordning, Textavsnitt
from .rapport import MÅNADER_LÅNG

__all__ = ["Konflikt", "OrsakKrävs", "Sparat", "Textändring", "spara_texter", "normalisera", "stäng_månader"]


def normalisera(text: str) -> str:
    """Texts are stored with LF line breaks and no surrounding whitespace (browsers send CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Textändring:
    """The text under one rubrik of a report. Empty = delete the Textavsnitt."""

    rubrik: str
    text: str
    version: int | None = None  # the stored Textavsnitt's version when the page was loaded; None = none then
    avtryck_före: str = avtryck("")  # avtryck(text as loaded)

    @property
    def ändrad(self) -> bool:
        return avtryck(self.text) != self.avtryck_före


@transaction.atomic
def spara_texter(user, nämnd: Nämnd, år: int, rapporttyp: str, ändringar: Sequence[Textändring]) -> Sparat:
    """Create, update or delete a nämnd's texts for a report. A new text needs a text section with its
    rubrik in the kommun's report configuration (``Sektionsordning``); existing texts under other rubriker
    can be edited or emptied. Locked when the report's month is closed or the report is fastställd
    (``nämnd.vakt``). A fixed number of queries whatever the number of texts."""
    vakt = Vakt.för(user, nämnd, år)
    vakt.kräv_behörighet()
    if rapporttyp not in Rapporttyp.values:
        raise ValidationError(f"Okänd rapport: {rapporttyp!r}.")
    ändrade = [t for t in ändringar if t.ändrad]
    if not ändrade:
        return Sparat(0, 0, 0)
    rubriker = [t.rubrik for t in ändrade]
    if len(rubriker) != len(set(rubriker)):
        raise ValidationError("Samma rubrik skickades två gånger. Ladda om sidan och försök igen.")
    vakt.kräv([Ändring(Slag.TEXT, år, rapporttyp=rapporttyp)])

    befintliga = {t.rubrik: t for t in Textavsnitt.objects.select_for_update().filter(
        nämnd=nämnd, år=år, rapporttyp=rapporttyp, rubrik__in=rubriker)}
    if konflikter := [
        t.rubrik for t in ändrade
        if (befintliga[t.rubrik].version if t.rubrik in befintliga else None) != t.version
    ]:
        raise Konflikt(konflikter)
    sektioner = set(Sektionsordning.objects.filter(
        kommun_id=nämnd.kommun_id, rapporttyp=rapporttyp, sektion=Sektion.TEXT, rubrik__in=rubriker,
    ).values_list("rubrik", flat=True))

    nya, ändrade_objekt, borttagna = [], [], []
    for t in ändrade:
        text, befintlig = normalisera(t.text), befintliga.get(t.rubrik)
        if not text:
            if befintlig is not None:
                borttagna.append(befintlig)
        elif befintlig is not None:
            ändrade_objekt.append((befintlig, {"text": text}))
        elif t.rubrik in sektioner:
            nya.append(Textavsnitt(nämnd=nämnd, år=år, rapporttyp=rapporttyp, rubrik=t.rubrik, text=text))
        else:
            raise ValidationError(
                f"Rapporten har inget textavsnitt med rubriken ”{t.rubrik}”. Ladda om sidan.", code="okänd_rubrik"
            )
    return skriv(Textavsnitt, user, nya=nya, ändringar=ändrade_objekt, borttagna=borttagna, namn=lambda t: t.rubrik)


# --- closing months ----------------------------------------------------------------------------------------------


class OrsakKrävs(ValidationError):
    """Months whose checks find errors are closed only with a reason. ``fynd``: the errors per nämnd."""

    def __init__(self, år: int, månad: int, fynd: list[tuple[Nämnd, list[kontroller.Fynd]]]):
        super().__init__([
            f"Kontrollerna t.o.m. {MÅNADER_LÅNG[månad - 1]} {år} hittade fel: avvikelser över kommunens gräns utan "
            "kommentar. Kommentera raderna i månadsuppföljningen, eller ange en orsak för att stänga ändå "
            "(orsaken sparas i periodhistoriken):",
            *(f"{n.namn}: {f.text}" for n, rader in fynd for f in rader),
        ], code="orsak_krävs")
        self.år, self.månad, self.fynd = år, månad, fynd


def stängningsfynd(user, kommun: Kommun, år: int, månad: int) -> list[tuple[Nämnd, list[kontroller.Fynd]]]:
    """The errors the checks of a month (``rapporter.kontroller``, as on the status page) find through ``månad``,
    for every nämnd of the kommun active in ``år`` — closing a month locks them all. About six queries a nämnd."""
    nämnder = (
        Nämnd.objects.for_user(user).filter(kommun=kommun, giltig_från__lte=dt.date(år, 12, 31))
        .filter(Q(giltig_till__isnull=True) | Q(giltig_till__gte=dt.date(år, 1, 1)))
        .select_related("kommun").order_by("namn", "giltig_från")
    )
    result = []
    for n in nämnder:
        fel = [f for f in kontroller.kontrollera(kontroller.månadsunderlag(user, [n], år, månad))
               if f.nivå == kontroller.FEL]
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
