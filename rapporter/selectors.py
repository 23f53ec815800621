"""Reads for reports: the nämnd (scoped), its parts in a year, section order and narrative texts."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from nämnd.models import Nämnd, Rapportlås

from .models import Sektion, Sektionsordning, Textavsnitt

STANDARDORDNING = {
    "verksamhetsplan": [(Sektion.MÅL, "Mål, uppdrag och indikatorer"), (Sektion.BUDGET, "Driftsbudget"),
                        (Sektion.VOLYMER, "Volymer och nyckeltal"), (Sektion.INVESTERINGAR, "Investeringar")],
    "default": [(Sektion.MÅL, "Mål, uppdrag och indikatorer"), (Sektion.DRIFT, "Driftredovisning"),
                (Sektion.PROGNOS, "Helårsprognos"), (Sektion.INVESTERINGAR, "Investeringar"),
                (Sektion.VOLYMER, "Volymer och nyckeltal")],
}


def nämnd_för(user, nämnd_id: int) -> Nämnd:
    """The nämnd if the user may read it, else 404 (another kommun's ids look like missing ones)."""
    return get_object_or_404(Nämnd.objects.for_user(user).select_related("kommun"), pk=nämnd_id)


def delar(nämnd: Nämnd, år: int) -> list[Nämnd]:
    """The nämnder whose figures make up ``nämnd``'s report for ``år``: its predecessors that were active
    during the year (a split or merger mid-year), then itself. One query."""
    start, slut = f"{år}-01-01", f"{år}-12-31"
    aktiva = Q(giltig_från__lte=slut) & (Q(giltig_till__isnull=True) | Q(giltig_till__gte=start))
    föregångare = list(nämnd.föregångare.filter(aktiva).order_by("giltig_från"))
    return [*föregångare, nämnd]


def rapportens_sektioner(nämnd: Nämnd, år: int, rapporttyp: str) -> list[tuple[str, str]]:
    """The sections of this report: as snapshotted when it was fastställd (``Rapportlås.layout``), so a later
    change of the kommun's layout does not change an adopted report; otherwise the kommun's current layout."""
    lås = Rapportlås.objects.filter(nämnd=nämnd, år=år, rapporttyp=rapporttyp).values_list("layout", flat=True).first()
    if lås:
        return [(sektion, rubrik) for sektion, rubrik in lås]
    return sektioner(nämnd.kommun, rapporttyp)


def sektioner(kommun, rapporttyp: str) -> list[tuple[str, str]]:
    """(sektion, rubrik) in the kommun's configured order, or the standard order."""
    rader = list(
        Sektionsordning.objects.filter(kommun=kommun, rapporttyp=rapporttyp, visas=True)
        .order_by("ordning", "id").values_list("sektion", "rubrik")
    )
    if rader or Sektionsordning.objects.filter(kommun=kommun, rapporttyp=rapporttyp).exists():
        return rader
    return STANDARDORDNING.get(rapporttyp, STANDARDORDNING["default"])


def texter(nämnder, år: int, rapporttyp: str) -> dict[str, list[Textavsnitt]]:
    """Narrative texts by rubrik; several when the report has several parts. One query."""
    result: dict[str, list[Textavsnitt]] = {}
    for t in Textavsnitt.objects.filter(nämnd__in=nämnder, år=år, rapporttyp=rapporttyp).order_by("nämnd__giltig_från"):
        result.setdefault(t.rubrik, []).append(t)
    return result
