"""Audit history (django-simple-history) for bulk writes: one history row per changed object, in one query.

``save()`` records history by itself; bulk operations do not, so services that write many rows call
``registrera`` with the objects as they are after the change (or, for deletions, as they were).
It also bumps the kommun's data version, so cached reports are never stale after a bulk write."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from socialreports import dataversion

SKAPAD, ÄNDRAD, BORTTAGEN = "+", "~", "-"


def registrera(model, objekt: Iterable, typ: str, user=None, orsak: str = "") -> None:
    objekt = list(objekt)
    if not objekt:
        return
    dataversion.bumpa_för(model, objekt)
    historik = model.history.model
    nu = timezone.now()
    historik.objects.bulk_create(
        historik(
            history_date=nu, history_user=user if getattr(user, "pk", None) else None, history_type=typ,
            history_change_reason=orsak, **{f.attname: getattr(o, f.attname) for f in historik.tracked_fields},
        )
        for o in objekt
    )


def radera(model, objekt: Iterable, user=None, orsak: str = "") -> None:
    """Delete in bulk with one history row per object (and a data version bump).

    Bypasses the per-object delete signals on purpose: simple_history's post_delete would record each deletion
    a second time, one query per row. Only for models nothing references (no cascade to collect)."""
    objekt = list(objekt)
    if not objekt:
        return
    registrera(model, objekt, BORTTAGEN, user, orsak)
    qs = model.objects.filter(pk__in=[o.pk for o in objekt])
    qs._raw_delete(qs.db)
