"""PostgreSQL pass: Redis down (pages answer, jobs get a clear fel, /halsa/ recovers by itself), PDFs during
concurrent saves (one consistent snapshot, never an error), and who is running a job (advisory lock)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import threading
import time
from decimal import Decimal

import pytest
import redis
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ekonomi.models import Utfall
from jobb import rapportpdf, services
from jobb.models import Jobb
from nämnd import dataversion
from socialreports.celery import app
from tests.conftest import i_egen_tråd

from .conftest import pdf_text, pdf_url

pytestmark = pytest.mark.postgres


def ledig_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vänta_på(villkor, sekunder: float) -> bool:
    slut = time.monotonic() + sekunder
    while time.monotonic() < slut:
        if villkor():
            return True
        time.sleep(0.25)
    return villkor()


def glöm_anslutningar() -> None:
    """Drop the app's pooled broker connections (they belong to the broker URL they were made for)."""
    app.close()
    app.amqp._producer_pool = None
    app.control.mailbox.__dict__.pop("producer_pool", None)


@contextlib.contextmanager
def celery_mot(broker_url: str):
    """The Celery app against another broker, with fresh connection pools before and after."""
    före = app.conf.broker_url, app.conf.task_always_eager
    glöm_anslutningar()
    app.conf.broker_url, app.conf.task_always_eager = broker_url, False
    try:
        yield
    finally:
        glöm_anslutningar()
        app.conf.broker_url, app.conf.task_always_eager = före


def spara_i_egen_anslutning(nämnd, belopp: int) -> None:
    """A controller's save in another connection (thread), committed at once."""

    def spara():
        try:
            u = Utfall.objects.get(
                verksamhetsområde__nämnd=nämnd, verksamhetsområde__namn="Hemtjänst", år=2023, månad=8
            )
            u.belopp = Decimal(belopp)
            u.save()
        finally:
            connection.close()

    t = threading.Thread(target=spara)
    t.start()
    t.join()


def test_redis_nere_sidor_svarar_och_jobb_får_tydligt_fel(
    client, ödeby, ödeby_läsare, settings, django_capture_on_commit_callbacks
):
    stängd = f"redis://127.0.0.1:{ledig_port()}/0"  # nothing listens there: what a stopped Redis looks like
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": stängd,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(ödeby_läsare)
    with celery_mot(stängd):
        sida = client.get(reverse("rapport", args=[ödeby.id, 2023, "delårsrapport"]))
        assert sida.status_code == 200 and "Hemtjänst" in sida.content.decode()  # rendered uncached
        with django_capture_on_commit_callbacks(execute=True):
            t = time.monotonic()
            r = client.get(pdf_url(ödeby))
        assert r.status_code == 302 and time.monotonic() - t < 10
        jobb = Jobb.objects.get()
        assert jobb.status == Jobb.Status.FEL
        assert jobb.fel == "Bakgrundstjänsten kan inte nås just nu. Försök igen om en stund."
        jobbsida = client.get(r["Location"])
        assert jobbsida.status_code == 200 and jobb.fel in jobbsida.content.decode()
        hälsa = i_egen_tråd(client.get, reverse("hälsa"))
        assert hälsa.status_code == 500
        svar = hälsa.json()
        assert svar["Database(alias='default')"] == "OK"
        assert any(k.startswith("CeleryPing") and "Redis" in v for k, v in svar.items()), svar


@pytest.mark.django_db(transaction=True)
def test_hälsa_blir_frisk_igen_när_redis_är_tillbaka(client, settings):
    """/halsa/ pings the workers over a fresh connection: after a Redis restart it is 200 again by itself
    (the pooled connection of django-health-check's Ping stayed dead in the web process)."""
    binär = shutil.which("redis-server")
    if binär is None:
        pytest.skip("redis-server saknas")
    from celery.contrib.testing.worker import start_worker

    port = ledig_port()

    def starta_redis() -> subprocess.Popen:
        argv = [binär, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        assert vänta_på(lambda: _pong(port), 10)
        return p

    settings.CELERY_TASK_ALWAYS_EAGER = False
    server = starta_redis()
    try:
        with (
            celery_mot(f"redis://127.0.0.1:{port}/0"),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            assert vänta_på(lambda: i_egen_tråd(client.get, reverse("hälsa")).status_code == 200, 20), i_egen_tråd(
                client.get, reverse("hälsa")
            ).json()
            server.terminate()
            server.wait(10)
            nere = i_egen_tråd(client.get, reverse("hälsa"))
            assert nere.status_code == 500
            server = starta_redis()
            assert vänta_på(lambda: i_egen_tråd(client.get, reverse("hälsa")).status_code == 200, 30), i_egen_tråd(
                client.get, reverse("hälsa")
            ).json()
            assert all(i_egen_tråd(client.get, reverse("hälsa")).status_code == 200 for _ in range(3))
    finally:
        server.terminate()
        server.wait(10)


def _pong(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.mark.django_db(transaction=True)
def test_pdf_renderas_ur_en_ögonblicksbild(client, ödeby, ödeby_läsare, monkeypatch):
    """A save commits while the report is being built: the PDF shows the data of the version on its cover."""
    original = rapportpdf.bygg_rapport

    def bygg_medan_någon_sparar(*a, **kw):
        spara_i_egen_anslutning(ödeby, 14_000_000)  # Hemtjänst august +10 mnkr: delår 104,0 → 114,0
        return original(*a, **kw)

    monkeypatch.setattr(rapportpdf, "bygg_rapport", bygg_medan_någon_sparar)
    client.force_login(ödeby_läsare)
    före = dataversion.version(ödeby.kommun_id)
    text = pdf_text(client.get(pdf_url(ödeby)).content)
    assert f"(version {före})" in text
    assert "104,0" in text and "114,0" not in text
    assert dataversion.version(ödeby.kommun_id) > före
    monkeypatch.setattr(rapportpdf, "bygg_rapport", original)
    assert "114,0" in pdf_text(client.get(pdf_url(ödeby)).content)


@pytest.mark.django_db(transaction=True)
def test_pdf_begäran_under_samtidiga_sparningar(client, ödeby, ödeby_läsare, settings, celery_inline):
    """A controller saves all the time; every PDF request ends with a PDF (through a job, as with Redis)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PDF_FÖRRENDERING_SEKUNDER = 0
    stopp, sparningar = threading.Event(), []

    def controller():
        try:
            while not stopp.is_set():
                u = Utfall.objects.get(
                    verksamhetsområde__nämnd=ödeby, verksamhetsområde__namn="Hemtjänst", år=2023, månad=8
                )
                u.belopp += 1000
                u.save()
                sparningar.append(u.belopp)
                time.sleep(0.01)
        finally:
            connection.close()

    client.force_login(ödeby_läsare)
    tråd = threading.Thread(target=controller)
    tråd.start()
    versioner = []
    try:
        for _ in range(3):
            r = client.get(pdf_url(ödeby))
            if r.status_code == 302:
                jobb = Jobb.objects.get(pk=r["Location"].rstrip("/").rsplit("/", 1)[1])
                assert jobb.status == Jobb.Status.KLAR, jobb.fel
                r = client.get(jobb.resultat["url"])
            assert r.status_code == 200 and r.content.startswith(b"%PDF")
            versioner.append(int(re.search(r"\(version (\d+)\)", pdf_text(r.content))[1]))
    finally:
        stopp.set()
        tråd.join()
    assert len(sparningar) >= 3 and versioner == sorted(set(versioner))


@pytest.mark.django_db(transaction=True)
def test_jobb_som_en_worker_kör_är_inte_avbrutet(ödeby):
    jobb = Jobb.objects.create(typ="pdf", kommun=ödeby.kommun, status=Jobb.Status.PÅGÅR, startad=timezone.now())
    hålls, släpp = threading.Event(), threading.Event()

    def worker():
        try:
            with services._körlås(jobb.pk):
                hålls.set()
                släpp.wait(10)
        finally:
            connection.close()

    tråd = threading.Thread(target=worker)
    tråd.start()
    try:
        assert hålls.wait(10)
        assert services.effektiv_status(jobb) == "pågår"
    finally:
        släpp.set()
        tråd.join()
    assert services.effektiv_status(jobb) == "avbruten"  # the worker is gone, the job says pågår


@pytest.mark.django_db(transaction=True)
def test_jobb_som_blev_klart_medan_sidan_frågade_visas_med_sitt_resultat(ödeby, ödeby_läsare):
    """The status page read the job as pågår; the worker finished it (and let go of its lock) before the
    avbruten check: the answer is klar with the result link, never klar without one."""
    jobb = Jobb.objects.create(
        typ="pdf", kommun=ödeby.kommun, användare=ödeby_läsare, status=Jobb.Status.PÅGÅR, startad=timezone.now()
    )
    inaktuell = Jobb.objects.get(pk=jobb.pk)
    Jobb.objects.filter(pk=jobb.pk).update(status=Jobb.Status.KLAR, resultat={"url": "/x.pdf?version=7"})
    assert services.effektiv_status(inaktuell) == "klar" and inaktuell.resultat["url"] == "/x.pdf?version=7"
