"""Writes for reports: the narrative texts (Textavsnitt) of a nämnd's report (one transaction per save,
optimistic locking by ``version``, bulk writes with history: the pattern of nyckeltal.services). Closing months
after the checks is a workflow: ``uppfoljning.services.stäng_månader``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ekonomi.services import Konflikt, Sparat
from nyckeltal.services import avtryck, skriv
from nämnd.models import Nämnd, Rapporttyp
from nämnd.vakt import Slag, Vakt, Ändring

from . import selectors
from .models import Textavsnitt

__all__ = ["Konflikt", "Sparat", "Textändring", "spara_texter", "normalisera"]


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
    rubrik in the kommun's layout of the report; existing texts under other rubriker
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

    befintliga = {
        t.rubrik: t
        for t in Textavsnitt.objects.select_for_update().filter(
            nämnd=nämnd, år=år, rapporttyp=rapporttyp, rubrik__in=rubriker
        )
    }
    if konflikter := [
        t.rubrik for t in ändrade if (befintliga[t.rubrik].version if t.rubrik in befintliga else None) != t.version
    ]:
        raise Konflikt(konflikter)
    sektioner = set(selectors.textsektioner(nämnd.kommun_id, rapporttyp, år))

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
