"""Reads for the import pages: a user's imports, their changes, the kommun's profiles. Scoped to the user."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from nämnd.models import Kommun, Nämnd, Verksamhetsområde

from .models import Import, Importprofil, Importändring


def eget_import(user, nämnd: Nämnd, import_id: int, typer: Iterable[str]) -> Import:
    """An import of one of ``typer`` that ``user`` started for ``nämnd`` (the preview belongs to them); else 404."""
    return get_object_or_404(
        Import.objects.for_user(user).select_related("nämnd__kommun", "profil"),
        pk=import_id,
        nämnd=nämnd,
        användare=user,
        typ__in=list(typer),
    )


def importen(user, nämnd: Nämnd, import_id: int) -> Import:
    """Any of the nämnd's imports the user may read (with who ran it and the profile); else 404."""
    return get_object_or_404(
        Import.objects.for_user(user).select_related("användare", "profil"), pk=import_id, nämnd=nämnd
    )


def ändringar(imp: Import, högst: int) -> tuple[list[Importändring], int]:
    """The import's first ``högst`` changes in the order they were made, and how many there are. Two queries."""
    alla = Importändring.objects.filter(imp=imp).order_by("pk")
    return list(alla[:högst]), alla.count()


def senaste_importer(user, nämnd: Nämnd, typer: Iterable[str], antal: int = 20) -> list[Import]:
    return list(
        Import.objects.for_user(user).filter(nämnd=nämnd, typ__in=list(typer)).select_related("användare")[:antal]
    )


def importhistorik(user, nämnd: Nämnd, antal: int = 200) -> list[Import]:
    """The nämnd's latest imports, each with ``antal_ändringar``. One query."""
    return list(
        Import.objects.for_user(user)
        .filter(nämnd=nämnd)
        .select_related("användare", "profil")
        .annotate(antal_ändringar=Count("ändringar"))[:antal]
    )


def importprofiler(kommun: Kommun, typ: str) -> QuerySet[Importprofil]:
    """The kommun's import profiles of one kind, by name (a queryset: a form's choices)."""
    return Importprofil.objects.filter(kommun=kommun, typ=typ).order_by("namn")


def importprofil(kommun: Kommun, typ: str, profil_id) -> Importprofil:
    """One of the kommun's import profiles of a kind; another kommun's (or a malformed id) → 404."""
    if not str(profil_id).isdigit():
        raise Http404("Okänd importprofil.")
    return get_object_or_404(Importprofil, kommun=kommun, typ=typ, pk=int(profil_id))


def importområden(nämnd: Nämnd) -> QuerySet[Verksamhetsområde]:
    """The nämnd's areas a code can be added to: no blocks, not the unallocated area (a form's choices)."""
    return (
        Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False)
        .exclude(typ=Verksamhetsområde.Typ.BLOCK)
        .order_by("ordning", "namn")
    )
