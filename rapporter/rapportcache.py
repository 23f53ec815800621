"""Report bodies cached per (report, data version).

The cached body is the report article only — no CSRF token, user name or menu — so it can be shared by
every reader of the kommun. The key holds the kommun's data version (``nämnd.dataversion``),
which every write bumps in its own transaction: invalidation is exact, entries of old versions just age out.

The cache is an optimisation, never a dependency: if Redis cannot be reached the body is built and served
uncached (a warning is logged), so report pages keep working while Redis is down. PDFs are not cached here:
they are rendered from one consistent data version and kept in the database (``jobb.rapportpdf``).
"""

from __future__ import annotations

import logging

import redis.exceptions
from django.core.cache import cache
from django.template.loader import render_to_string

from nämnd import dataversion
from nämnd.models import Nämnd

from .rapport import bygg_rapport

log = logging.getLogger(__name__)

# What the Redis cache raises when Redis is away or too slow (connection refused, reset, timeout).
CACHEFEL = (redis.exceptions.RedisError, OSError)


def _nyckel(nämnd: Nämnd, år: int, typ: str, variant: str) -> str:
    return f"rapport:{nämnd.kommun_id}:v{dataversion.version(nämnd.kommun_id)}:{nämnd.id}:{år}:{typ}:{variant}"


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


def artikel(user, nämnd: Nämnd, år: int, typ: str, pdf: bool = False) -> str:
    nyckel = _nyckel(nämnd, år, typ, "pdfhtml" if pdf else "html")
    html = hämta(nyckel)
    if html is None:
        rapport = bygg_rapport(user, nämnd, år, typ)
        html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": pdf})
        spara(nyckel, html)
    return html
