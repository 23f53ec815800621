"""Writes for the Kolada comparison: peer groups, the values of peers and riket, the group chosen per indikator.

Peer and riket values are reference data of the kommun, not its figures: they never change an Indikatorvärde, so
closed periods and fastställda reports do not stop them (a fastställd report keeps its archived copy). Who may
write them is the import right: an administrator, or a controller who may import for one of the kommun's nämnder;
``user=None`` is the system (the management commands and the demo loader). Choosing an indikator's group is an
edit of the indikator (``kräv_redigering`` on its nämnd). Every call is one transaction and bumps the kommun's data
version, so a cached report is rebuilt. docs/beslut.md "Kolada-jämförelse".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nämnd import dataversion
from nämnd.behorighet import kan_importera, kräv_admin, kräv_redigering, är_admin
from nämnd.models import Kommun, Nämnd

from .models import Indikator, Jämförelsegrupp, Koladahämtning, Koladavärde


@dataclass(frozen=True)
class Gruppost:
    """A municipality group as Kolada describes it."""

    kolada_id: str
    namn: str
    medlemmar: tuple[str, ...]
    källa_url: str = ""


@dataclass(frozen=True)
class Koladapost:
    """One value of a Kolada data answer (per kpi, municipality, year and gender), with the page it came from."""

    kpi: str
    municipality: str
    år: int
    kön: str
    värde: Decimal | None
    antal: int | None
    status: str
    källa_url: str
    raderad: bool = False  # "isdeleted": Kolada withdrew the value


def kräv_koladarätt(user, kommun: Kommun) -> None:
    """The import right for some nämnd of the kommun (or administrator); ``None`` is the system."""
    if user is None or är_admin(user, kommun):
        return
    if any(kan_importera(user, n) for n in Nämnd.objects.filter(kommun=kommun)):
        return
    raise PermissionDenied("Du har inte behörighet att hämta Kolada-värden för kommunen.")


@transaction.atomic
def spara_grupper(user, kommun: Kommun, grupper: Sequence[Gruppost], tidpunkt: dt.datetime) -> list[Jämförelsegrupp]:
    """Create or update the kommun's groups (by Kolada id); the first becomes the standard group when the kommun
    has none. Groups not in ``grupper`` are kept (an indikator may use them)."""
    kräv_koladarätt(user, kommun)
    Kommun.objects.select_for_update().filter(pk=kommun.pk).first()
    befintliga = {g.kolada_id: g for g in Jämförelsegrupp.objects.filter(kommun=kommun)}
    sparade = []
    for p in grupper:
        if not p.kolada_id.strip() or not p.namn.strip():
            raise ValidationError("En jämförelsegrupp från Kolada saknar id eller namn; inget sparades.")
        g = befintliga.get(p.kolada_id) or Jämförelsegrupp(kommun=kommun, kolada_id=p.kolada_id)
        g.namn, g.medlemmar, g.hämtad, g.källa_url = p.namn[:300], list(p.medlemmar), tidpunkt, p.källa_url[:500]
        g.save()
        sparade.append(g)
    if sparade and not any(g.standard for g in befintliga.values()):
        sparade[0].standard = True
        sparade[0].save(update_fields=["standard"])
    dataversion.bumpa([kommun.pk])
    return sparade


def _lika(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


@transaction.atomic
def spara_värden(
    user,
    kommun: Kommun,
    poster: Sequence[Koladapost],
    *,
    tidpunkt: dt.datetime,
    kpier: Sequence[str],
    adresser: Sequence[str],
    från_datum: dt.date | None = None,
) -> Koladahämtning:
    """Store one fetch: new values (revision 1), changed values as revisions (old value kept, revision + 1, the
    fetch named), unchanged values with the new fetch as their provenance. A null value never erases a stored one
    (Kolada answers null for a value not yet published); a value Kolada marks as deleted ("isdeleted") becomes a
    revision to no value."""
    kräv_koladarätt(user, kommun)
    Kommun.objects.select_for_update().filter(pk=kommun.pk).first()  # one fetch at a time per kommun
    hämtning = Koladahämtning.objects.create(
        kommun=kommun,
        tidpunkt=tidpunkt,
        från_datum=från_datum,
        kpier=",".join(sorted({k.upper() for k in kpier}))[:2000],
        adresser=list(adresser),
    )
    nycklar = {(p.kpi, p.municipality, p.år, p.kön) for p in poster}
    befintliga = {
        (v.kpi, v.municipality, v.år, v.kön): v
        for v in Koladavärde.objects.filter(
            kommun=kommun,
            kpi__in={k[0] for k in nycklar},
            municipality__in={k[1] for k in nycklar},
            år__in={k[2] for k in nycklar},
        )
    }
    nya: dict[tuple, Koladavärde] = {}
    uppdaterade: dict[tuple, Koladavärde] = {}
    oförändrade = 0
    for p in poster:
        nyckel = (p.kpi, p.municipality, p.år, p.kön)
        v = befintliga.get(nyckel)
        if v is None:
            if p.värde is None:
                continue  # nothing to show and nothing to revise
            nya[nyckel] = Koladavärde(
                kommun=kommun,
                kpi=p.kpi,
                municipality=p.municipality,
                år=p.år,
                kön=p.kön,
                värde=p.värde,
                antal=p.antal,
                status=p.status[:50],
                hämtning=hämtning,
                källa_url=p.källa_url[:1000],
            )
            continue
        nytt = None if p.raderad else p.värde
        if (nytt is None and not p.raderad) or _lika(v.värde, nytt):
            oförändrade += 1
        else:
            v.föregående_värde, v.värde = v.värde, nytt
            v.revision += 1
            v.reviderad_i = hämtning
        if nytt is not None or p.raderad:
            v.antal, v.status = p.antal, p.status[:50]
        v.hämtning, v.källa_url = hämtning, p.källa_url[:1000]
        uppdaterade[nyckel] = v
    Koladavärde.objects.bulk_create(nya.values())
    Koladavärde.objects.bulk_update(
        uppdaterade.values(),
        ["värde", "föregående_värde", "revision", "reviderad_i", "antal", "status", "hämtning", "källa_url"],
    )
    hämtning.antal_nya = len(nya)
    hämtning.antal_reviderade = sum(1 for v in uppdaterade.values() if v.reviderad_i_id == hämtning.pk)
    hämtning.antal_oförändrade = oförändrade
    hämtning.save(update_fields=["antal_nya", "antal_reviderade", "antal_oförändrade"])
    dataversion.bumpa([kommun.pk])
    return hämtning


@transaction.atomic
def välj_grupp(user, indikator: Indikator, grupp: Jämförelsegrupp | None) -> None:
    """The indikator's own peer group (None: the kommun's standard group). ``user=None``: the system."""
    nämnd = indikator.mål.nämnd
    if user is not None:
        kräv_redigering(user, nämnd)
    if grupp is not None and grupp.kommun_id != nämnd.kommun_id:
        raise ValidationError("Jämförelsegruppen tillhör en annan kommun.")
    Indikator.objects.filter(pk=indikator.pk).update(jämförelsegrupp=grupp)
    indikator.jämförelsegrupp = grupp
    dataversion.bumpa([nämnd.kommun_id])


@transaction.atomic
def välj_standardgrupp(user, grupp: Jämförelsegrupp) -> None:
    """The group an indikator without its own is compared with (administrators; ``user=None``: the system)."""
    if user is not None:
        kräv_admin(user, grupp.kommun_id)
    Jämförelsegrupp.objects.filter(kommun_id=grupp.kommun_id, standard=True).exclude(pk=grupp.pk).update(standard=False)
    Jämförelsegrupp.objects.filter(pk=grupp.pk).update(standard=True)
    dataversion.bumpa([grupp.kommun_id])
