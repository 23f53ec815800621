"""Data version per kommun: the key that makes report caching exact.

Every write to tenant data bumps ``Dataversion`` of its kommun inside the writing transaction:
per-object saves and deletes through model signals (admin, services using ``save()``), bulk writes
through ``grund.historik.registrera`` (which every bulk service calls). Readers key cached
report bodies and PDFs by (kommun, version); a changed figure means a new key, never a stale hit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from grund import historik

# Apps whose models are report data: figures, texts, organisation (and adoption). Models without a kommun path
# (e.g. Dataversion) are skipped. Not ``importer``: its models (Import, Importändring, Importprofil) record
# uploads and how a kommun's files look; no report reads them. An upload that is refused, previewed, mapped or
# cancelled therefore leaves every cached report valid, and a confirmed import bumps through the figures it
# writes (``historik.registrera``), in the same transaction.
TENANT_APPS = ("nämnd", "ekonomi", "nyckeltal", "rapporter", "publicering")


def kommun_lookup(model) -> str | None:
    qs_class = type(model._default_manager.get_queryset())
    return getattr(qs_class, "kommun_lookup", None)


def kommun_ids(model, objekt: Iterable) -> set[int]:
    """Kommun ids of objects of ``model``, resolving the kommun path with at most one query."""
    lookup = kommun_lookup(model)
    if lookup is None:
        return set()
    objekt = list(objekt)
    if lookup == "id":
        return {o.pk for o in objekt}
    första, _, resten = lookup.partition("__")
    fält = model._meta.get_field(första)
    ids = {getattr(o, fält.attname) for o in objekt} - {None}
    if not resten:
        return ids
    return set(fält.related_model._default_manager.filter(pk__in=ids).values_list(resten, flat=True)) - {None}


# Sent once the transaction that bumped these kommuner's versions has committed (``kommun_ids``), e.g. to
# schedule a pre-render of their PDFs (jobb.tasks). Receivers must be cheap; their errors are logged, never
# raised into the save.
ny_version = Signal()


def _modeller():
    # Through the registry, not an import: nämnd/apps.py imports this module before models can be imported.
    return apps.get_model("nämnd", "Dataversion"), apps.get_model("nämnd", "Kommun")


def bumpa(kommun_ids_: Iterable[int]) -> None:
    Dataversion, Kommun = _modeller()
    ids = sorted(set(kommun_ids_))
    for kommun_id in ids:
        if Dataversion.objects.filter(kommun_id=kommun_id).update(version=F("version") + 1):
            continue
        if Kommun.objects.filter(pk=kommun_id).exists():  # not for a kommun being deleted
            with transaction.atomic():
                Dataversion.objects.get_or_create(kommun_id=kommun_id)
            Dataversion.objects.filter(kommun_id=kommun_id).update(version=F("version") + 1)
    if ids and ny_version.has_listeners():
        transaction.on_commit(lambda: ny_version.send(sender=None, kommun_ids=ids), robust=True)


def bumpa_för(model, objekt: Iterable) -> None:
    bumpa(kommun_ids(model, objekt))


def version(kommun_id: int) -> int:
    Dataversion, _ = _modeller()
    return Dataversion.objects.filter(kommun_id=kommun_id).values_list("version", flat=True).first() or 0


def _vid_ändring(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    with contextlib.suppress(models.ObjectDoesNotExist):  # the parent went in the same cascade; it bumps
        bumpa_för(sender, [instance])


def _vid_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _vid_ändring(type(instance), instance)


def _vid_massskrivning(sender, objekt, **kwargs):
    bumpa_för(sender, objekt)


def koppla_signaler() -> None:
    historik.massskrivning.connect(_vid_massskrivning, dispatch_uid="dataversion-massskrivning")
    for app in TENANT_APPS:
        for model in apps.get_app_config(app).get_models():
            if kommun_lookup(model) is None:
                continue
            post_save.connect(_vid_ändring, sender=model, dispatch_uid=f"dataversion-save-{model._meta.label}")
            post_delete.connect(_vid_ändring, sender=model, dispatch_uid=f"dataversion-delete-{model._meta.label}")
            for m2m in model._meta.many_to_many:
                m2m_changed.connect(
                    _vid_m2m,
                    sender=m2m.remote_field.through,
                    dispatch_uid=f"dataversion-m2m-{model._meta.label}-{m2m.name}",
                )
