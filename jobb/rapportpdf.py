"""Report PDFs that never fail because others save.

A PDF is rendered from one consistent data version: the kommun's data version and every figure are read in one
transaction (REPEATABLE READ on PostgreSQL; SQLite's read transaction is a snapshot too), and the cover says
"Data per <tid> (version N)". The rendered file is kept in the database (``Pdfrendering``), so

* the report's PDF URL answers at once (200) when the current version is rendered;
* a finished job links to *its* rendering (``?version=N``), which stays downloadable however many saves
  come after it (old versions are pruned after ``BEHÅLL``; the newest is always kept);
* a job asked for version N is done as soon as any rendering ≥ N exists, and renders of one report are
  serialised (PostgreSQL advisory lock), so a queue of requests during busy saving costs one render, not one
  each;
* with Redis configured, a change schedules a pre-render of the kommun's recently requested reports, coalesced
  per kommun (``jobb.tasks``), so the link usually answers at once. The embedded mode does nothing extra.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from nämnd import dataversion
from nämnd.models import Nämnd, Rapporttyp
from rapporter.pdf import render_pdf
from rapporter.rapport import bygg_rapport

from .models import Jobb, Pdfrendering
from .services import hanterare

log = logging.getLogger(__name__)

BEHÅLL = dt.timedelta(minutes=15)  # older versions stay downloadable this long (a finished job's link)
FÖRRENDERA_INOM = dt.timedelta(hours=24)  # reports requested this recently are pre-rendered after changes


@contextlib.contextmanager
def ögonblicksbild():
    """One consistent read: on PostgreSQL a REPEATABLE READ transaction when this opens it (inside an outer
    transaction, e.g. a test's, the outer one's isolation applies)."""
    yttersta = not connection.in_atomic_block
    with transaction.atomic():
        if yttersta and connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@contextlib.contextmanager
def _rapportlås(nämnd_id: int, år: int, typ: str):
    """PostgreSQL: one render of a report at a time (session advisory lock; dies with the session)."""
    if connection.vendor != "postgresql":
        yield
        return
    nyckel = int.from_bytes(
        hashlib.blake2b(f"pdf:{nämnd_id}:{år}:{typ}".encode(), digest_size=8).digest(), "big", signed=True
    )
    with connection.cursor() as c:
        c.execute("SELECT pg_advisory_lock(%s)", [nyckel])
    try:
        yield
    finally:
        try:
            with connection.cursor() as c:
                c.execute("SELECT pg_advisory_unlock(%s)", [nyckel])
        except DatabaseError:
            connection.close()  # the session (and with it the lock) is gone or must go


def _renderingar(nämnd: Nämnd, år: int, typ: str):
    return Pdfrendering.objects.filter(nämnd=nämnd, år=år, typ=typ).defer("fil")


def senaste(nämnd: Nämnd, år: int, typ: str) -> Pdfrendering | None:
    return _renderingar(nämnd, år, typ).order_by("-version").first()


def för_version(nämnd: Nämnd, år: int, typ: str, version) -> Pdfrendering | None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        return None
    return _renderingar(nämnd, år, typ).filter(version=version).first()


def aktuell(nämnd: Nämnd, år: int, typ: str) -> Pdfrendering | None:
    """The rendering of the kommun's current data version, if there is one."""
    return för_version(nämnd, år, typ, dataversion.version(nämnd.kommun_id))


def minst(user, nämnd: Nämnd, år: int, typ: str, version: int, *, efterfrågad: bool = True) -> Pdfrendering:
    """A rendering of at least ``version``: an existing one, or a new snapshot of the current data."""
    with _rapportlås(nämnd.id, år, typ):
        r = senaste(nämnd, år, typ)
        if r is None or r.version < version:
            r = _rendera(user, nämnd, år, typ, föregående=r)
    if efterfrågad:
        markera_efterfrågad(r)
    return r


def _html(user, nämnd: Nämnd, år: int, typ: str, månad: int | None, underlag: dict) -> str:
    rapport = bygg_rapport(user, nämnd, år, typ, månad)
    artikel = render_to_string(
        "rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True, "underlag": underlag}
    )
    return render_to_string(
        "rapporter/rapport.html",
        {
            "artikel": artikel,
            "titel": f"{nämnd.namn} – {rapport.titel}",
            "författare": nämnd.kommun.namn,
            "pdf": True,
        },
    )


def månadsrapport(user, nämnd: Nämnd, år: int, månad: int) -> bytes:
    """A månadsrapport's PDF, rendered when asked for: a working report for any month, never fastställd or
    archived, so it is not stored either."""
    with ögonblicksbild():
        underlag = {"tid": timezone.now(), "version": dataversion.version(nämnd.kommun_id)}
        html = _html(user, nämnd, år, Rapporttyp.MÅNADSRAPPORT, månad, underlag)
    return render_pdf(html)


def _rendera(user, nämnd: Nämnd, år: int, typ: str, föregående: Pdfrendering | None) -> Pdfrendering:
    with ögonblicksbild():
        version = dataversion.version(nämnd.kommun_id)
        data_per = timezone.now()
        html = _html(user, nämnd, år, typ, None, {"tid": data_per, "version": version})
    data = render_pdf(html)  # the slow part, outside the transaction
    try:
        with transaction.atomic():
            r = Pdfrendering.objects.create(
                kommun_id=nämnd.kommun_id,
                nämnd=nämnd,
                år=år,
                typ=typ,
                version=version,
                data_per=data_per,
                fil=data,
                storlek=len(data),
                användare=user if getattr(user, "is_authenticated", False) else None,
                efterfrågad=föregående.efterfrågad if föregående else None,
            )
    except IntegrityError:  # the same version rendered meanwhile without the lock (SQLite, several processes)
        return _renderingar(nämnd, år, typ).get(version=version)
    # Prune: older versions once nobody can still be holding a fresh link to them; the newest always stays.
    _renderingar(nämnd, år, typ).filter(version__lt=version, skapad__lt=timezone.now() - BEHÅLL).delete()
    return r


def markera_efterfrågad(r: Pdfrendering) -> None:
    """Remember that someone wants this report (at most one write a minute)."""
    nu = timezone.now()
    Pdfrendering.objects.filter(pk=r.pk).filter(
        Q(efterfrågad__isnull=True) | Q(efterfrågad__lt=nu - dt.timedelta(minutes=1))
    ).update(efterfrågad=nu)


def fil(r: Pdfrendering) -> bytes:
    return bytes(Pdfrendering.objects.values_list("fil", flat=True).get(pk=r.pk))


def länk(r: Pdfrendering) -> str:
    return reverse("rapport-pdf", args=[r.nämnd_id, r.år, r.typ]) + f"?version={r.version}"


def resultat(r: Pdfrendering) -> dict:
    return {
        "url": länk(r),
        "länktext": "Ladda ner PDF",
        "version": r.version,
        "data_per": timezone.localtime(r.data_per).strftime("%Y-%m-%d %H:%M:%S"),
    }


@hanterare(Jobb.Typ.PDF, atomisk=False)
def _pdf_jobb(jobb: Jobb) -> dict:
    p = jobb.parametrar
    nämnd = Nämnd.objects.for_user(jobb.användare).select_related("kommun").get(pk=p["nämnd_id"])
    version = p.get("version") or dataversion.version(nämnd.kommun_id)  # jobs queued before versions were kept
    return resultat(minst(jobb.användare, nämnd, p["år"], p["typ"], version))


def förrendera(kommun_id: int) -> int:
    """Render, as of now, every report of the kommun whose PDF was requested within ``FÖRRENDERA_INOM`` and is
    behind the current data version. Returns the number rendered."""
    version = dataversion.version(kommun_id)
    rapporter: dict[tuple, Pdfrendering] = {}
    for r in (
        Pdfrendering.objects.filter(kommun_id=kommun_id, efterfrågad__gte=timezone.now() - FÖRRENDERA_INOM)
        .defer("fil")
        .order_by("-version")
    ):
        rapporter.setdefault((r.nämnd_id, r.år, r.typ), r)
    antal = 0
    for (nämnd_id, år, typ), r in rapporter.items():
        nämnd = Nämnd.objects.for_user(r.användare).select_related("kommun").filter(pk=nämnd_id).first()
        if nämnd is None or senaste(nämnd, år, typ).version >= version:  # no longer readable, or up to date
            continue
        try:
            minst(r.användare, nämnd, år, typ, version, efterfrågad=False)
            antal += 1
        except Exception:
            log.exception("Förrendering av PDF (nämnd %s, %s %s) misslyckades", nämnd_id, typ, år)
    return antal
