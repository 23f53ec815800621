"""Reads for reports: the nämnd (scoped; ``nämnd_för`` lives in nämnd.selectors), its parts in a year, section order and narrative texts."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from nämnd.models import Nämnd, Rapportlås, Rapporttyp
from nämnd.selectors import nämnd_för  # re-exported: its home is nämnd.selectors

from .models import Sektion, Sektionsordning, Textavsnitt

__all__ = [
    "STANDARDORDNING",
    "delar",
    "nämnd_för",
    "rapportens_sektioner",
    "sektioner",
    "sektioner_per_typ",
    "standardordning",
    "textavsnitt_per_rubrik",
    "textsektioner",
    "texter",
]

STANDARDORDNING = {
    "verksamhetsplan": [
        (Sektion.MÅL, "Mål, uppdrag och indikatorer"),
        (Sektion.BUDGET, "Driftsbudget"),
        (Sektion.VOLYMER, "Volymer och nyckeltal"),
        (Sektion.INVESTERINGAR, "Investeringar"),
    ],
    "default": [
        (Sektion.MÅL, "Mål, uppdrag och indikatorer"),
        (Sektion.DRIFT, "Driftredovisning"),
        (Sektion.PROGNOS, "Helårsprognos"),
        (Sektion.INVESTERINGAR, "Investeringar"),
        (Sektion.VOLYMER, "Volymer och nyckeltal"),
    ],
}


def standardordning(rapporttyp: str) -> list[tuple[str, str]]:
    """The sections of a report type when the kommun has configured none: the one home of the standard order."""
    return list(STANDARDORDNING.get(rapporttyp, STANDARDORDNING["default"]))


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
        .order_by("ordning", "id")
        .values_list("sektion", "rubrik")
    )
    if rader or Sektionsordning.objects.filter(kommun=kommun, rapporttyp=rapporttyp).exists():
        return rader
    return standardordning(rapporttyp)


def sektioner_per_typ(nämnd: Nämnd, år: int) -> dict[str, list[tuple[str, str]]]:
    """(sektion, rubrik) per rapporttyp as ``rapportens_sektioner`` gives them (a fastställd report keeps the
    layout it was fastställd with), for all four reports in two queries (the status page)."""
    låsta = dict(Rapportlås.objects.filter(nämnd=nämnd, år=år).values_list("rapporttyp", "layout"))
    konfigurerade: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for typ, sektion, rubrik, visas in (
        Sektionsordning.objects.filter(kommun_id=nämnd.kommun_id)
        .order_by("ordning", "id")
        .values_list("rapporttyp", "sektion", "rubrik", "visas")
    ):
        konfigurerade[typ].append((sektion, rubrik, visas))
    result = {}
    for typ in Rapporttyp.values:
        if låsta.get(typ):
            result[typ] = [(s, r) for s, r in låsta[typ]]
        elif typ in konfigurerade:
            result[typ] = [(s, r) for s, r, v in konfigurerade[typ] if v]
        else:
            result[typ] = standardordning(typ)
    return result


def texter(nämnder, år: int, rapporttyp: str) -> dict[str, list[Textavsnitt]]:
    """Narrative texts by rubrik; several when the report has several parts. One query."""
    result: dict[str, list[Textavsnitt]] = {}
    for t in Textavsnitt.objects.filter(nämnd__in=nämnder, år=år, rapporttyp=rapporttyp).order_by("nämnd__giltig_från"):
        result.setdefault(t.rubrik, []).append(t)
    return result


def textavsnitt_per_rubrik(nämnd: Nämnd, år: int, rapporttyp: str) -> dict[str, Textavsnitt]:
    """The nämnd's saved texts for one report, by rubrik. One query."""
    return {t.rubrik: t for t in Textavsnitt.objects.filter(nämnd=nämnd, år=år, rapporttyp=rapporttyp)}


def textsektioner(kommun_id: int, rapporttyp: str) -> list[tuple[str, bool]]:
    """(rubrik, visas) of the kommun's text sections for a report type, in layout order. One query."""
    return list(
        Sektionsordning.objects.filter(kommun_id=kommun_id, rapporttyp=rapporttyp, sektion=Sektion.TEXT)
        .order_by("ordning", "id")
        .values_list("rubrik", "visas")
    )


def läsbara_nämnder(user) -> list[Nämnd]:
    """The nämnder the user may read, with their kommun, by kommun and age. One query."""
    return list(Nämnd.objects.for_user(user).select_related("kommun").order_by("kommun__namn", "giltig_från"))
