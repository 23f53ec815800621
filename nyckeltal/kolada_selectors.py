"""Reads for the Kolada comparison: per indikator its kommun's value, its peer group's mean and riket over four
years, with the provenance of the Kolada values and the revisions of the latest fetch. A fixed number of queries
whatever the number of indikatorer; everything scoped to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from .jamforelse import RIKET, ÅR_I_JÄMFÖRELSEN, Jämförelse, Källvärde, Revision, jämförelserader
from .models import Indikator, Indikatorvärde, Jämförelsegrupp, Koladahämtning, Koladavärde


def år_för(år: int) -> tuple[int, ...]:
    return tuple(range(år - ÅR_I_JÄMFÖRELSEN + 1, år + 1))


def grupper(user, kommun_id: int) -> list[Jämförelsegrupp]:
    return list(Jämförelsegrupp.objects.for_user(user).filter(kommun_id=kommun_id))


def _senaste_hämtning(hämtningar: list[Koladahämtning], kommun_id: int, kpi: str) -> Koladahämtning | None:
    """The latest fetch of the kommun that asked for the kpi (``hämtningar`` newest first)."""
    return next((h for h in hämtningar if h.kommun_id == kommun_id and kpi in h.kpier.split(",")), None)


def _bygg(indikatorer: list[Indikator], år: int, med_revisioner: bool) -> list[Jämförelse]:
    årtal = år_för(år)
    kommun_ids = {i.mål.nämnd.kommun_id for i in indikatorer}
    kpier = {i.kolada_id for i in indikatorer}
    egna: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for indikator_id, å, totalt in Indikatorvärde.objects.filter(
        indikator__in=indikatorer, typ=Indikatorvärde.Typ.UTFALL, år__in=årtal
    ).values_list("indikator_id", "år", "totalt"):
        egna[indikator_id][å] = totalt
    standard = {g.kommun_id: g for g in Jämförelsegrupp.objects.filter(kommun_id__in=kommun_ids, standard=True)}
    värden: dict[tuple[int, str, str], dict[int, Koladavärde]] = defaultdict(dict)
    for kv in Koladavärde.objects.filter(kommun_id__in=kommun_ids, kpi__in=kpier, år__in=årtal, kön="T").select_related(
        "hämtning"
    ):
        värden[(kv.kommun_id, kv.kpi, kv.municipality)][kv.år] = kv
    hämtningar = list(Koladahämtning.objects.filter(kommun_id__in=kommun_ids).order_by("-tidpunkt", "-id"))
    revisioner: dict[tuple[int, str], list[Koladavärde]] = defaultdict(list)
    if med_revisioner:
        senaste = {
            (k, kpi): h.pk
            for k in kommun_ids
            for kpi in kpier
            if (h := _senaste_hämtning(hämtningar, k, kpi)) is not None
        }
        for r in Koladavärde.objects.filter(reviderad_i_id__in=set(senaste.values()), kpi__in=kpier).select_related(
            "reviderad_i"
        ):
            if senaste.get((r.kommun_id, r.kpi)) == r.reviderad_i_id:
                revisioner[(r.kommun_id, r.kpi)].append(r)

    def källvärden(kommun_id: int, kpi: str, municipality: str) -> dict[int, Källvärde]:
        return {
            å: Källvärde(v.värde, v.antal, v.hämtning.tidpunkt, v.revision, v.källa_url)
            for å, v in värden.get((kommun_id, kpi, municipality), {}).items()
        }

    ut = []
    for i in indikatorer:
        kommun = i.mål.nämnd.kommun
        grupp = i.jämförelsegrupp or standard.get(kommun.pk)
        medlemmar: dict[int, list] = defaultdict(list)
        if grupp is not None:
            for kod in grupp.medlemmar:
                for å, källa in källvärden(kommun.pk, i.kolada_id, kod).items():
                    medlemmar[å].append(källa.värde)
        rader, visade = jämförelserader(
            årtal,
            egna.get(i.pk, {}),
            grupp.namn if grupp else "",
            källvärden(kommun.pk, i.kolada_id, grupp.kolada_id) if grupp else {},
            medlemmar,
            källvärden(kommun.pk, i.kolada_id, RIKET),
            kommun.namn,
        )
        namn = {RIKET: "Riket", kommun.kommunkod: kommun.namn}
        if grupp is not None:
            namn[grupp.kolada_id] = f"{grupp.namn} (medel)"
        ut.append(
            Jämförelse(
                indikator_id=i.pk,
                mål_id=i.mål_id,
                namn=i.namn,
                kpi=i.kolada_id,
                enhet=i.enhet,
                år=årtal,
                grupp=grupp.namn if grupp else "",
                medlemmar=len(grupp.medlemmar) if grupp else 0,
                rader=rader,
                hämtad=max((k.hämtad for k in visade), default=None),
                revision=max((k.revision for k in visade), default=0),
                adresser=tuple(sorted({k.källa_url for k in visade})),
                revisioner=[
                    Revision(
                        namn.get(v.municipality, v.municipality),
                        v.år,
                        v.get_kön_display(),
                        v.föregående_värde,
                        v.värde,
                        v.reviderad_i.tidpunkt,  # type: ignore[union-attr]
                    )
                    for v in sorted(
                        revisioner.get((kommun.pk, i.kolada_id), []), key=lambda v: (v.municipality, v.år, v.kön)
                    )
                ],
            )
        )
    return ut


def _indikatorer(user) -> QuerySet[Indikator]:
    return (
        Indikator.objects.for_user(user)
        .exclude(kolada_id="")
        .select_related("jämförelsegrupp", "mål__nämnd__kommun")
        .order_by("mål_id", "ordning", "pk")
    )


def jämförelser(user, mål_ids: Iterable[int], år: int) -> dict[int, list[Jämförelse]]:
    """The comparisons of the indikatorer (with a Kolada-id) of these mål, by mål id. Five queries."""
    per_mål: dict[int, list[Jämförelse]] = defaultdict(list)
    indikatorer = list(_indikatorer(user).filter(mål_id__in=list(mål_ids)))
    if indikatorer:
        for j in _bygg(indikatorer, år, med_revisioner=False):
            per_mål[j.mål_id].append(j)
    return dict(per_mål)


def indikator(user, indikator_id: int) -> Indikator | None:
    """The indikator if the user may see it (None → 404), with its nämnd and group."""
    return (
        Indikator.objects.for_user(user)
        .select_related("jämförelsegrupp", "mål__nämnd__kommun")
        .filter(pk=indikator_id)
        .first()
    )


def jämförelse(user, i: Indikator, år: int) -> Jämförelse | None:
    """One indikator's comparison with the revisions of the latest fetch (the indikator page)."""
    if not i.kolada_id or not Indikator.objects.for_user(user).filter(pk=i.pk).exists():
        return None
    return _bygg([i], år, med_revisioner=True)[0]
