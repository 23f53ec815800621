"""Report pages cached per (report, data version), with a cheap fixed cost per cached answer.

The cached body is the report article only — no CSRF token, user name or menu — so it can be shared by
every reader of the kommun. The key holds the kommun's data version (``nämnd.dataversion``),
which every write bumps in its own transaction: invalidation is exact, entries of old versions just age out.

A cached answer costs one query of its own (``läsbar``: the nämnd, the reader's right to read it and the
kommun's data version together) and one cache read; the page frame around the article (``base.html``:
menu, user name, CSRF field) is rendered once per process and title/staff flag, with markers that are replaced
per request by this request's user name and CSRF token (``_ram``). Nothing per-user is ever stored in the
shared cache.

The cache is an optimisation, never a dependency: if Redis cannot be reached the body is built and served
uncached (a warning is logged), so report pages keep working while Redis is down. PDFs are not cached here:
they are rendered from one consistent data version and kept in the database (``jobb.rapportpdf``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache

import redis.exceptions
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from grund import manader
from nämnd.models import Behörighet, Dataversion, Nämnd, Rapporttyp
from nämnd.selectors import nämnd_för

from .rapport import bygg_rapport

log = logging.getLogger(__name__)

# What the Redis cache raises when Redis is away or too slow (connection refused, reset, timeout).
CACHEFEL = (redis.exceptions.RedisError, OSError)


@dataclass(frozen=True)
class Läsbar:
    """What a cached answer needs of the nämnd: enough for the cache key and the page title."""

    id: int
    namn: str
    kommun_id: int
    dataversion: int


@lru_cache(maxsize=1)
def _läsbar_sql() -> str:
    n, d, b = (connection.ops.quote_name(m._meta.db_table) for m in (Nämnd, Dataversion, Behörighet))
    # Only our own table names are formatted in; every value is a parameter.
    return (
        f"SELECT n.id, n.namn, n.kommun_id, COALESCE(d.version, 0) FROM {n} n "  # noqa: S608
        f"LEFT JOIN {d} d ON d.kommun_id = n.kommun_id "
        f"WHERE n.id = %s AND (%s OR EXISTS (SELECT 1 FROM {b} b WHERE b.user_id = %s AND b.kommun_id = n.kommun_id))"
    )


def läsbar(user, nämnd_id: int) -> Läsbar:
    """The nämnd if ``user`` may read it, else 404, with its kommun's data version — one plain query, run on every
    request, cached or not. The rule is ``nämnd.models.kommun_ids_för`` (superuser: every kommun; otherwise the
    kommuner of the user's Behörighet rows; anonymous: none), written out in SQL because the ORM's compiling of
    ``Nämnd.objects.for_user(user)`` costs more CPU than the rest of a cached answer together;
    ``tests/rapporter/test_cache_rapport.py`` pins it to ``nämnd.selectors.nämnd_för``. The version is read as
    ``nämnd.dataversion.version`` does (no row: 0)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("Nämnden finns inte.")
    with connection.cursor() as c:
        c.execute(_läsbar_sql(), [nämnd_id, bool(user.is_superuser), user.pk])
        rad = c.fetchone()
    if rad is None:
        raise Http404("Nämnden finns inte.")
    return Läsbar(*rad)


def _nyckel(nämnd: Läsbar, år: int, typ: str, variant: str) -> str:
    return f"rapport:{nämnd.kommun_id}:v{nämnd.dataversion}:{nämnd.id}:{år}:{typ}:{variant}"


def hämta(nyckel: str):
    try:
        return cache.get(nyckel)
    except CACHEFEL as e:
        log.warning("Rapportcachen kan inte läsas (%s): bygger utan cache", e)
        return None


def spara(nyckel: str, värde) -> None:
    try:
        cache.set(nyckel, värde)
    except CACHEFEL as e:
        log.warning("Rapportcachen kan inte skrivas (%s)", e)


def artikel(user, nämnd: Läsbar, år: int, typ: str, pdf: bool = False, månad: int | None = None) -> str:
    """The report article of the version ``läsbar`` read; built (and cached) when the cache has none. ``månad``:
    a månadsrapport's month."""
    nyckel = _nyckel(nämnd, år, typ if månad is None else f"{typ}-{månad}", "pdfhtml" if pdf else "html")
    html = hämta(nyckel)
    if html is None:
        rapport = bygg_rapport(user, nämnd_för(user, nämnd.id), år, typ, månad)
        html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": pdf})
        spara(nyckel, html)
    return html


# Markers for the per-request parts of the frame: random per process, so no report text or name can hold them.
_ARTIKEL, _ANVÄNDARE, _CSRF = (f"\ue000{namn}{secrets.token_hex(12)}\ue001" for namn in ("a", "u", "c"))


class _Markör:
    """Stands in for the user while the frame is rendered once: what ``base.html`` reads of the user."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, is_staff: bool):
        self.is_staff = is_staff

    def get_username(self) -> str:
        return _ANVÄNDARE


def _rendera_ram(titel: str, is_staff: bool) -> tuple[str, str]:
    sida = render_to_string(
        "rapporter/rapport.html",
        {"artikel": _ARTIKEL, "titel": titel, "pdf": False, "user": _Markör(is_staff), "csrf_token": _CSRF},
    )
    före, efter = sida.split(_ARTIKEL)
    if _ARTIKEL in efter or _ANVÄNDARE in efter or _CSRF in efter:
        raise RuntimeError("Rapportramen: per-användardelar efter artikeln stöds inte")
    return före, efter


_ram = lru_cache(maxsize=256)(_rendera_ram)


def sida(request, nämnd_id: int, år: int, typ: str, månad: int | None = None) -> str:
    """The report page for ``request.user``: authorisation and data version checked on every request, the article
    from the shared cache, the frame with this user's name, menu and CSRF token."""
    user = request.user
    nämnd = läsbar(user, nämnd_id)
    html = artikel(user, nämnd, år, typ, månad=månad)
    titel = f"{nämnd.namn} – {Rapporttyp(typ).label} {år}" + (f", {manader.lång(månad)}" if månad else "")
    # DEBUG: templates are re-read on every request, so the frame is too.
    före, efter = (_rendera_ram if settings.DEBUG else _ram)(titel, bool(user.is_staff))
    före = före.replace(_ANVÄNDARE, escape(user.get_username())).replace(_CSRF, get_token(request))
    return före + html + efter
