"""Production concerns: deploy checks, health endpoint, CSP, exact report caching, background jobs."""

import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekonomi.models import Prognos, Utfall
from jobb import rapportpdf
from jobb import services as jobb_services
from jobb.models import Jobb
from rapporter import rapportcache
from tests import factories
from tests.conftest import i_egen_tråd

ROT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lillby(db):
    """A small factory kommun (tkr) with figures for 2023 and the delårsrapport's sections."""
    byggd = factories.liten_kommun(2023)
    factories.layout(byggd.kommun, "delårsrapport")
    factories.TextavsnittFactory(nämnd=byggd.nämnd, år=2023, rubrik="Viktiga händelser")
    return byggd


@pytest.fixture
def kommun(lillby):
    return lillby.kommun


@pytest.fixture
def nämnd(lillby):
    return lillby.nämnd


@pytest.fixture
def läsare(kommun):
    return factories.läsare(kommun, "lasare-lillby")


@pytest.fixture
def client_läsare(client, läsare):
    client.force_login(läsare)
    return client


def test_check_deploy_utan_varningar(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialreports.settings_prod",
        "SECRET_KEY": "x" * 20 + "Yz9!" * 12,
        "ALLOWED_HOSTS": "rapport.kommun.example",
        "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3",
    }
    for variabel in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"):
        env.pop(variabel, None)
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_hälsa_är_publik_och_visar_ingen_data(client, kommun):
    r = i_egen_tråd(client.get, reverse("hälsa"))
    assert r.status_code == 200
    assert r.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK"}
    assert b"Lillby" not in r.content


def test_csp_utan_inline_skript(client_läsare, nämnd):
    for url in [reverse("login"), reverse("start"), reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"])]:
        r = client_läsare.get(url)
        csp = r["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r["X-Frame-Options"] == "DENY"
        # Every <script> has a src: nothing inline that the policy would block.
        assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", r.content), url


def rapport_url(nämnd):
    return reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"])


def test_rapportcache_träffar_och_invalideras_exakt(client_läsare, nämnd, monkeypatch):
    byggda = []
    original = rapportcache.bygg_rapport
    monkeypatch.setattr(rapportcache, "bygg_rapport", lambda *a, **k: byggda.append(1) or original(*a, **k))
    första = client_läsare.get(rapport_url(nämnd)).content.decode()
    andra = client_läsare.get(rapport_url(nämnd)).content.decode()
    # Helårsprognos in total: 1 300 + 2 650 + 650 tkr (each budget + one month).
    assert len(byggda) == 1 and "4\u00a0600" in första and "4\u00a0600" in andra
    # Change one figure through a normal save (as the admin or a service would).
    p = Prognos.objects.get(verksamhetsområde__namn="Bistånd", år=2023, månad=8)
    p.belopp = Decimal("1650000")
    p.save()
    tredje = client_läsare.get(rapport_url(nämnd)).content.decode()
    assert len(byggda) == 2
    assert "5\u00a0600" in tredje and "4\u00a0600" not in tredje


def test_rapportcache_invalideras_av_bulkskrivning(client_läsare, nämnd, django_user_model):
    from ekonomi.services import Gridrad, spara_månad
    from nämnd.models import Verksamhetsområde

    assert "3\u00a0200" in client_läsare.get(rapport_url(nämnd)).content.decode()  # 800 + 2 000 + 400 tkr
    vo = Verksamhetsområde.objects.get(nämnd=nämnd, namn="Bistånd")
    u = Utfall.objects.get(verksamhetsområde=vo, år=2023, månad=8)
    admin = django_user_model.objects.create_superuser("admin-x", password="x")
    spara_månad(
        admin,
        nämnd,
        2023,
        8,
        [Gridrad(vo.id, u.belopp + 1_234_000, None, "", utfall_före=u.belopp, utfall_version=u.version)],
    )
    html = client_läsare.get(rapport_url(nämnd)).content.decode()
    assert "4\u00a0434" in html  # Summa nettokostnad delår: 3 200 + 1 234 tkr


def test_pdf_renderas_en_gång_per_dataversion(client_läsare, nämnd, monkeypatch):
    renderingar = []
    original = rapportpdf.render_pdf
    monkeypatch.setattr(rapportpdf, "render_pdf", lambda html: renderingar.append(1) or original(html))
    url = reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"])
    a, b = client_läsare.get(url).content, client_läsare.get(url).content
    assert a == b and len(renderingar) == 1
    Utfall.objects.filter(verksamhetsområde__nämnd=nämnd).first().save()
    client_läsare.get(url)
    assert len(renderingar) == 2


@pytest.fixture
def räknande_jobb():
    körningar = []

    @jobb_services.hanterare("test")
    def _hanterare(jobb):
        körningar.append(jobb.pk)
        if jobb.parametrar.get("fel"):
            Utfall.objects.all().delete()  # half-done work that must be rolled back
            raise ValidationError("Filen innehåller en period som är stängd.")
        if jobb.parametrar.get("krasch"):
            raise RuntimeError("boom")
        return {"ok": True}

    yield körningar
    jobb_services.HANTERARE.pop("test")


def test_jobb_som_levereras_två_gånger_görs_en_gång(kommun, räknande_jobb, django_user_model):
    jobb = Jobb.objects.create(typ="test", kommun=kommun, parametrar={})
    jobb_services.kör(str(jobb.pk))
    jobb_services.kör(str(jobb.pk))
    jobb.refresh_from_db()
    assert jobb.status == Jobb.Status.KLAR and räknande_jobb == [jobb.pk] and jobb.resultat == {"ok": True}


def test_misslyckat_jobb_lämnar_inget_halvskrivet(kommun, räknande_jobb):
    antal = Utfall.objects.count()
    jobb = Jobb.objects.create(typ="test", kommun=kommun, parametrar={"fel": True})
    jobb_services.kör(str(jobb.pk))
    jobb.refresh_from_db()
    assert jobb.status == Jobb.Status.FEL and jobb.fel == "Filen innehåller en period som är stängd."
    assert Utfall.objects.count() == antal
    krasch = Jobb.objects.create(typ="test", kommun=kommun, parametrar={"krasch": True})
    jobb_services.kör(str(krasch.pk))
    krasch.refresh_from_db()
    assert krasch.status == Jobb.Status.FEL and "tekniskt fel" in krasch.fel and "boom" not in krasch.fel


def test_jobbsidan_visar_status_bara_för_ägaren(client, kommun, läsare, läsare_annan):
    jobb = Jobb.objects.create(
        typ="pdf",
        kommun=kommun,
        användare=läsare,
        status="klar",
        resultat={"url": "/x.pdf", "länktext": "Ladda ner PDF"},
    )
    client.force_login(läsare)
    r = client.get(reverse("jobb-status", args=[jobb.pk]))
    assert r.status_code == 200 and "Klar" in r.content.decode() and "Ladda ner PDF" in r.content.decode()
    assert client.get(reverse("jobb-status", args=[jobb.pk]) + "?format=json").json()["status"] == "klar"
    client.force_login(läsare_annan)
    assert client.get(reverse("jobb-status", args=[jobb.pk])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pdf_som_celery_jobb_med_riktig_worker(client, settings):
    """PostgreSQL pass: Redis broker and an in-process Celery worker (celery.contrib.testing)."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL saknas")
    from celery.contrib.testing.worker import start_worker

    from socialreports.celery import app
    from tests.conftest import skapa_användare

    nämnd = factories.liten_kommun(2023).nämnd
    kommun = nämnd.kommun
    client.force_login(skapa_användare("läsare-jobb", kommun))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        r = client.get(reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"]))
        assert r.status_code == 302 and "/jobb/" in r["Location"]
        jobb = Jobb.objects.get()
        for _ in range(120):
            jobb.refresh_from_db()
            if not jobb.pågår:
                break
            time.sleep(0.5)
        assert jobb.status == Jobb.Status.KLAR, jobb.fel
        pdf = client.get(jobb.resultat["url"])
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_mallar_utan_inline_stil_och_skript():
    """The CSP allows only our own files: no <style> blocks, style attributes or inline scripts in templates."""
    fel = []
    for mall in (ROT / "templates").rglob("*.html"):
        text = mall.read_text(encoding="utf-8")
        if "<style" in text or re.search(r"\sstyle=", text) or re.search(r"<script(?![^>]*\bsrc=)", text):
            fel.append(str(mall.relative_to(ROT)))
    assert fel == []
