"""Organisation-level reads that every layer above may use."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from .models import Nämnd


def nämnd_för(user, nämnd_id: int) -> Nämnd:
    """The nämnd if the user may read it, else 404 (another kommun's ids look like missing ones)."""
    return get_object_or_404(Nämnd.objects.for_user(user).select_related("kommun"), pk=nämnd_id)
