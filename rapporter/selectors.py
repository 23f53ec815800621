"""Reads for reports: the nämnd (scoped; ``nämnd_för`` lives in nämnd.selectors), its parts in a year, the
kommun's layout of a report and narrative texts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from nämnd.models import Nämnd, Rapportlås, Rapporttyp
from nämnd.selectors import nämnd_för  # re-exported: its home is nämnd.selectors

from . import forval
from .models import Layoutsektion, Textavsnitt

__all__ = [
    "delar",
    "layout",
    "nämnd_för",
    "rapportens_sektioner",
    "sektioner_per_typ",
    "textavsnitt_per_rubrik",
    "textsektioner",
    "texter",
]


def layouter_per_typ(kommun_id: int, år: int | None, typer=None) -> dict[str, list[dict]]:
    """The kommun's sections per report type for ``år`` (the layout with the latest ``från_år`` ≤ år; one query)."""
    qs = Layoutsektion.objects.filter(layout__kommun_id=kommun_id)
    if typer is not None:
        qs = qs.filter(layout__rapporttyp__in=typer)
    if år is not None:
        qs = qs.filter(layout__från_år__lte=år)
    gällande: dict[str, tuple[tuple[int, int], list[dict]]] = {}
    for typ, från, layout_id, sektion, rubrik, parametrar in qs.order_by("layout_id", "ordning", "id").values_list(
        "layout__rapporttyp", "layout__från_år", "layout_id", "typ", "rubrik", "parametrar"
    ):
        nyckel = (från, layout_id)
        if typ not in gällande or gällande[typ][0] < nyckel:
            gällande[typ] = (nyckel, [])
        if gällande[typ][0] == nyckel:
            gällande[typ][1].append({"typ": sektion, "rubrik": rubrik, "parametrar": parametrar})
    return {typ: sektioner for typ, (_, sektioner) in gällande.items()}


def layout(kommun_id: int, rapporttyp: str, år: int | None) -> list[dict]:
    """The sections ({"typ", "rubrik", "parametrar"}) of the kommun's layout of a report type for ``år``, or the
    standard preset when it has none."""
    return layouter_per_typ(kommun_id, år, [rapporttyp]).get(rapporttyp) or forval.sektioner(
        forval.STANDARD, rapporttyp
    )


def _lås_sektioner(lagrad) -> list[dict]:
    # Locks written before layouts were data stored (sektion, rubrik) pairs; the data migration converts them.
    return [dict(s) for s in lagrad]


def delar(nämnd: Nämnd, år: int) -> list[Nämnd]:
    """The nämnder whose figures make up ``nämnd``'s report for ``år``: its predecessors that were active
    during the year (a split or merger mid-year), then itself. One query — none for a nämnd that existed when the
    year began (its predecessors had ended before it started)."""
    return delar_och_fler(nämnd, år, ())[0]


def delar_och_fler(nämnd: Nämnd, år: int, ids) -> tuple[list[Nämnd], list[Nämnd]]:
    """``delar`` and the kommun's nämnder among ``ids`` (a section's chosen nämnder, e.g. the sector; another
    kommun's are never read), in one query — none when there are no such nämnder and ``nämnd`` existed when the year
    began."""
    ids = set(ids) - {nämnd.id}
    hela_året = nämnd.giltig_från <= dt.date(år, 1, 1)
    if hela_året and not ids:
        return [nämnd], []
    start, slut = dt.date(år, 1, 1), dt.date(år, 12, 31)
    länk = Nämnd.föregångare.through.objects.filter(from_nämnd_id=nämnd.id, to_nämnd_id=OuterRef("pk"))
    valda = Q(id__in=ids) if hela_året else Q(id__in=ids) | Q(efterträdare=nämnd)
    föregångare, fler = [], []
    for n in (
        Nämnd.objects.filter(Q(kommun_id=nämnd.kommun_id) & valda)
        .annotate(är_föregångare=Exists(länk))
        .distinct()
        .order_by("giltig_från", "namn")
    ):
        aktiv = n.giltig_från <= slut and (n.giltig_till is None or n.giltig_till >= start)
        if not hela_året and n.är_föregångare and aktiv:
            föregångare.append(n)
        if n.id in ids:
            fler.append(n)
    return [*föregångare, nämnd], fler


def rapportens_layout(nämnd: Nämnd, år: int, rapporttyp: str) -> tuple[list[dict], int | None, dict | None]:
    """The sections of this report and, when it is fastställd, the last month it was fastställd with: as
    snapshotted then (``Rapportlås``), so a later change of the kommun's layout or report months does not change an
    adopted report; otherwise the kommun's layout for the year (and None). Third: the fastställande
    (``{"datum", "paragraf", "version"}``, what the report's cover says) or None. Two queries."""
    lås = (
        Rapportlås.objects.filter(nämnd=nämnd, år=år, rapporttyp=rapporttyp)
        .values("layout", "slutmånad", "fastställd_datum", "paragraf", "version")
        .first()
    )
    if lås is None:
        return layout(nämnd.kommun_id, rapporttyp, år), None, None
    fastställd = {"datum": lås["fastställd_datum"], "paragraf": lås["paragraf"], "version": lås["version"]}
    sektioner = _lås_sektioner(lås["layout"]) if lås["layout"] else layout(nämnd.kommun_id, rapporttyp, år)
    return sektioner, lås["slutmånad"], fastställd


def rapportens_sektioner(nämnd: Nämnd, år: int, rapporttyp: str) -> list[dict]:
    return rapportens_layout(nämnd, år, rapporttyp)[0]


def sektioner_per_typ(nämnd: Nämnd, år: int) -> dict[str, list[dict]]:
    """The sections per rapporttyp as ``rapportens_sektioner`` gives them (a fastställd report keeps the layout it
    was fastställd with), for every report type in two queries (the status page)."""
    låsta = dict(Rapportlås.objects.filter(nämnd=nämnd, år=år).values_list("rapporttyp", "layout"))
    egna = layouter_per_typ(nämnd.kommun_id, år)
    return {
        typ: _lås_sektioner(låsta[typ]) if låsta.get(typ) else egna.get(typ) or forval.sektioner(forval.STANDARD, typ)
        for typ in Rapporttyp.values
    }


def texter(nämnder, år: int, rapporttyp: str) -> dict[str, list[Textavsnitt]]:
    """Narrative texts by rubrik; several when the report has several parts. One query."""
    result: dict[str, list[Textavsnitt]] = {}
    for t in Textavsnitt.objects.filter(nämnd__in=nämnder, år=år, rapporttyp=rapporttyp).order_by("nämnd__giltig_från"):
        result.setdefault(t.rubrik, []).append(t)
    return result


def textavsnitt_per_rubrik(nämnd: Nämnd, år: int, rapporttyp: str) -> dict[str, Textavsnitt]:
    """The nämnd's saved texts for one report, by rubrik. One query."""
    return {t.rubrik: t for t in Textavsnitt.objects.filter(nämnd=nämnd, år=år, rapporttyp=rapporttyp)}


def textsektioner(kommun_id: int, rapporttyp: str, år: int | None = None) -> list[str]:
    """The headings of the text sections of the kommun's layout of a report type, in layout order. One query."""
    return [s["rubrik"] for s in layout(kommun_id, rapporttyp, år) if s["typ"] == "text"]


def läsbara_nämnder(user) -> list[Nämnd]:
    """The nämnder the user may read, with their kommun, by kommun and age. One query."""
    return list(Nämnd.objects.for_user(user).select_related("kommun").order_by("kommun__namn", "giltig_från"))
