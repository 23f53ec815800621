"""Reads for the job pages and for finding a job already under way. Scoped to the user."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from nämnd.models import Nämnd

from .models import Jobb


def eget_jobb(user, jobb_id: int) -> Jobb:
    """A job the user started (and may still read); else 404."""
    return get_object_or_404(Jobb.objects.for_user(user), pk=jobb_id, användare=user)


def pågående_jobb(user, typ: str, parametrar: dict[str, Any]) -> Jobb | None:
    """The user's queued or running job of ``typ`` with exactly these parameters, if any. One query."""
    return Jobb.objects.filter(
        användare=user,
        typ=typ,
        status__in=[Jobb.Status.KÖAD, Jobb.Status.PÅGÅR],
        **{f"parametrar__{k}": v for k, v in parametrar.items()},
    ).first()


def läsbar_nämnd(user, nämnd_id: object) -> Nämnd | None:
    """The nämnd if the user may read it, else None (a job's parameters may name one that is gone)."""
    return Nämnd.objects.for_user(user).filter(pk=nämnd_id).first()
