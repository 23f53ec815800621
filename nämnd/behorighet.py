"""Roles per kommun: what a user may do. Reads are scoped by ``KommunScopedQuerySet.for_user``; this module
answers the write questions (edit a nämnd's figures, administer a kommun, import, fastställa)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import Behörighet, Kommun, Nämnd

Roll = Behörighet.Roll


def _behörighet(user, kommun_id: int) -> Behörighet | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_behörigheter", {})
    if kommun_id not in cache:
        cache[kommun_id] = Behörighet.objects.filter(user=user, kommun_id=kommun_id).prefetch_related("nämnder").first()
    return cache[kommun_id]


def är_admin(user, kommun: Kommun | int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    b = _behörighet(user, getattr(kommun, "pk", kommun))
    return b is not None and b.roll == Roll.ADMIN


def kan_redigera(user, nämnd: Nämnd) -> bool:
    """Admins edit every nämnd of their kommun; controllers the nämnder they are assigned to."""
    if är_admin(user, nämnd.kommun_id):
        return True
    b = _behörighet(user, nämnd.kommun_id)
    return b is not None and b.roll == Roll.CONTROLLER and any(n.pk == nämnd.pk for n in b.nämnder.all())


def kan_importera(user, nämnd: Nämnd) -> bool:
    if är_admin(user, nämnd.kommun_id):
        return True
    b = _behörighet(user, nämnd.kommun_id)
    return kan_redigera(user, nämnd) and b is not None and b.får_importera


def kan_fastställa(user, nämnd: Nämnd) -> bool:
    b = _behörighet(user, nämnd.kommun_id)
    return getattr(user, "is_superuser", False) or (kan_redigera(user, nämnd) and b is not None and b.får_fastställa)


def kräv_redigering(user, nämnd: Nämnd) -> None:
    if not kan_redigera(user, nämnd):
        raise PermissionDenied("Du har inte behörighet att ändra nämndens uppgifter.")


def kräv_admin(user, kommun: Kommun | int) -> None:
    if not är_admin(user, kommun):
        raise PermissionDenied("Endast kommunens administratörer får göra detta.")


def redigerbara_nämnder(user):
    """The nämnder a user may edit, as a QuerySet (for lists and links)."""
    qs = Nämnd.objects.for_user(user)
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(
        pk__in=Nämnd.objects.filter(kommun__behörigheter__user=user, kommun__behörigheter__roll=Roll.ADMIN).values("pk")
    ) | qs.filter(pk__in=Behörighet.objects.filter(user=user, roll=Roll.CONTROLLER).values("nämnder"))
