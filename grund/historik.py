"""Audit history (django-simple-history) for bulk writes: one history row per changed object, in one query.

``save()`` records history by itself; bulk operations do not, so services that write many rows call
``registrera`` with the objects as they are after the change (or, for deletions, as they were).
It also sends ``massskrivning`` before the history rows are written; ``nämnd.dataversion`` receives it and bumps the
kommun's data version in the same transaction, so cached reports are never stale after a bulk write (the ground
knows no models, hence a signal rather than an import)."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal
from django.utils import timezone

SKAPAD, ÄNDRAD, BORTTAGEN = "+", "~", "-"

# Sent (sender=model, objekt=list) for every bulk write, synchronously and inside the writing transaction.
# Receivers raise into the write: a failed data version bump must not leave a stale cache key.
massskrivning = Signal()


def registrera(model, objekt: Iterable, typ: str, user=None, orsak: str = "") -> None:
    objekt = list(objekt)
    if not objekt:
        return
    massskrivning.send(sender=model, objekt=objekt)
    historik = model.history.model
    nu = timezone.now()
    historik.objects.bulk_create(
        historik(
            history_date=nu,
            history_user=user if getattr(user, "pk", None) else None,
            history_type=typ,
            history_change_reason=orsak,
            **{f.attname: getattr(o, f.attname) for f in historik.tracked_fields},
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
