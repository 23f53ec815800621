"""Reads for the adoption pages and the public pages: a report's versions, the public ones of a kommun."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from nämnd.models import Kommun, Nämnd

from .models import Rapportversion, Rapportärende


def versioner(ärende: Rapportärende) -> list[Rapportversion]:
    """The report's adopted versions, newest first. One query."""
    return list(ärende.versioner.order_by("-nummer"))


def version(user, version_id: int) -> Rapportversion:
    """An archived version the user may read (its kommun), with nämnd and kommun; else 404."""
    return get_object_or_404(
        Rapportversion.objects.for_user(user).select_related("ärende__nämnd__kommun"), pk=version_id
    )


def fastställd_version(nämnd: Nämnd, år: int, typ: str) -> Rapportversion | None:
    """The latest adopted version of a fastställd report (its archived PDF wins over a new render), or None."""
    return (
        Rapportversion.objects.filter(ärende__nämnd=nämnd, ärende__år=år, ärende__typ=typ, ärende__status="fastställd")
        .order_by("-nummer")
        .first()
    )


def kommun(user, kommun_id: int) -> Kommun:
    """A kommun the user has a behörighet in (any role); else 404."""
    return get_object_or_404(Kommun.objects.for_user(user), pk=kommun_id)


# --- public (no login) ------------------------------------------------------------------------------


def publik_kommun(kommunkod: str) -> Kommun:
    """A kommun that publishes its reports; else 404."""
    return get_object_or_404(Kommun, kommunkod=kommunkod, publicering__publicera=True)


def _publika_versioner(kommun: Kommun) -> QuerySet[Rapportversion]:
    return Rapportversion.objects.filter(
        ärende__nämnd__kommun=kommun,
        ärende__publicerad=True,
        ärende__nämnd__kommun__publicering__publicera=True,
    ).select_related("ärende__nämnd__kommun")


def publika_versioner(kommun: Kommun) -> list[Rapportversion]:
    """The kommun's published versions for the index: by nämnd, year (newest first), report type, version
    (newest first); without the archived PDF and HTML. One query."""
    return list(
        _publika_versioner(kommun)
        .order_by("ärende__nämnd__namn", "-ärende__år", "ärende__typ", "-nummer")
        .defer("pdf", "html")
    )


def publik_version(kommun: Kommun, version_id: int) -> Rapportversion:
    """One published version of the kommun (with its PDF); else 404."""
    return get_object_or_404(_publika_versioner(kommun), pk=version_id)


def versioner_utan_arkiv(ärende: Rapportärende) -> list[Rapportversion]:
    """All versions of the report, newest first, without the archived PDF and HTML. One query."""
    return list(ärende.versioner.defer("pdf", "html").order_by("-nummer"))
