"""Background jobs and report PDFs (both passes): PDFs of one data version and their pinned links, jobs that
cannot be queued, transient errors retried, cut-off jobs shown as avbrutna and run again, the pre-render."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import kombu.exceptions
import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from ekonomi.models import Utfall
from jobb import rapportpdf, services, tasks
from jobb.models import Jobb, Pdfrendering
from nämnd import dataversion

from .conftest import pdf_text, pdf_url


def spara_utfall(nämnd, belopp: int) -> None:
    """A save as any service makes it: the kommun's data version moves on."""
    u = Utfall.objects.get(verksamhetsområde__nämnd=nämnd, verksamhetsområde__namn="Hemtjänst", år=2023, månad=8)
    u.belopp = Decimal(belopp)
    u.save()


@pytest.fixture
def renderingar(monkeypatch):
    anrop = []
    original = rapportpdf.render_pdf
    monkeypatch.setattr(rapportpdf, "render_pdf", lambda html, **kw: anrop.append(1) or original(html, **kw))
    return anrop


@pytest.fixture
def med_kö(settings, celery_inline):
    """The Redis mode's view path (the PDF view starts a job), with Celery itself run inline."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PDF_FÖRRENDERING_SEKUNDER = 0


def test_pdf_bär_sin_dataversion_och_renderas_en_gång_per_version(client, ödeby, ödeby_läsare, renderingar):
    client.force_login(ödeby_läsare)
    version = dataversion.version(ödeby.kommun_id)
    a, b = client.get(pdf_url(ödeby)), client.get(pdf_url(ödeby))
    assert a["Content-Type"] == "application/pdf" and a.content == b.content and len(renderingar) == 1
    text = pdf_text(a.content)
    assert f"(version {version})" in text and "Data per" in text
    spara_utfall(ödeby, 5_000_000)
    c = client.get(pdf_url(ödeby))
    assert len(renderingar) == 2 and f"(version {version + 1})" in pdf_text(c.content)


def test_jobbets_länk_ger_dess_pdf_fast_andra_sparat_under_tiden(
    client, ödeby, ödeby_läsare, med_kö, monkeypatch, django_capture_on_commit_callbacks
):
    """Someone saves while the job renders: the finished job's link still gives a PDF — its own version —
    instead of a new job ("PDF inaktuell")."""
    client.force_login(ödeby_läsare)
    original = rapportpdf.render_pdf

    def spara_under_renderingen(html, **kw):
        spara_utfall(ödeby, 6_000_000)
        return original(html, **kw)

    monkeypatch.setattr(rapportpdf, "render_pdf", spara_under_renderingen)
    före = dataversion.version(ödeby.kommun_id)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(pdf_url(ödeby))
    jobb = Jobb.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobb-status", args=[jobb.pk])
    jobb.refresh_from_db()
    assert jobb.status == Jobb.Status.KLAR, jobb.fel
    assert dataversion.version(ödeby.kommun_id) > före  # saved meanwhile
    assert jobb.resultat["url"] == pdf_url(ödeby, version=före) and jobb.resultat["version"] == före
    nedladdning = client.get(jobb.resultat["url"])
    assert nedladdning.status_code == 200 and f"(version {före})" in pdf_text(nedladdning.content)
    sida = client.get(reverse("jobb-status", args=[jobb.pk])).content.decode()
    assert "Ladda ner PDF" in sida and f"version {före}" in sida


def test_samma_användares_pdf_jobb_för_samma_version_återanvänds(
    client, ödeby, ödeby_läsare, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    köade = []
    monkeypatch.setattr(tasks.kör_jobb, "delay", lambda jobb_id: köade.append(jobb_id))
    client.force_login(ödeby_läsare)
    with django_capture_on_commit_callbacks(execute=True):
        a, b = client.get(pdf_url(ödeby)), client.get(pdf_url(ödeby))
    assert a["Location"] == b["Location"] and Jobb.objects.count() == 1 and len(köade) == 1
    sida = client.get(a["Location"]).content.decode()
    assert "Sidan uppdateras när jobbet är klart" in sida and "senaste färdiga PDF" not in sida


def test_jobb_som_inte_kan_köas_blir_fel_med_tydligt_meddelande(
    client, ödeby, ödeby_läsare, settings, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(ödeby_läsare)
    client.get(pdf_url(ödeby))  # an earlier PDF (embedded mode renders inline): offered while the queue is down
    spara_utfall(ödeby, 7_000_000)
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def kö_nere(jobb_id):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.kör_jobb, "delay", kö_nere)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(pdf_url(ödeby))
    jobb = Jobb.objects.get()
    assert r.status_code == 302 and jobb.status == Jobb.Status.FEL
    assert jobb.fel == "Bakgrundstjänsten kan inte nås just nu. Försök igen om en stund."
    sida = client.get(r["Location"])
    text = sida.content.decode()
    assert sida.status_code == 200 and jobb.fel in text and "Kör igen" in text
    senaste = Pdfrendering.objects.get()
    assert f"?version={senaste.version}" in text and "underlag från" in text
    assert client.get(rapportpdf.länk(senaste)).status_code == 200


@pytest.fixture
def testjobb():
    """A job type whose handler fails with a transient database error as many times as asked."""
    körningar = []

    @services.hanterare("test")
    def _hanterare(jobb):
        körningar.append(jobb.pk)
        if len(körningar) <= jobb.parametrar.get("fel", 0):
            raise OperationalError("server closed the connection unexpectedly")
        return {"url": "/", "länktext": "Klart"}

    yield körningar
    services.HANTERARE.pop("test")


class Omförsök(Exception):
    pass


def leverera(jobb: Jobb, försök: int, monkeypatch) -> list[int]:
    """Deliver the job as a worker would on attempt ``försök`` (0 = first); returns the retry countdowns asked."""
    task = tasks.kör_jobb._get_current_object()
    väntetider = []
    monkeypatch.setattr(task, "retry", lambda exc, countdown: väntetider.append(countdown) or Omförsök())
    task.push_request(retries=försök, is_eager=False)
    try:
        task.run(str(jobb.pk))
    except Omförsök:
        pass
    finally:
        task.pop_request()
    jobb.refresh_from_db()
    return väntetider


def test_tillfälligt_databasfel_ger_nytt_försök_inte_fel(ödeby, testjobb, monkeypatch):
    jobb = Jobb.objects.create(typ="test", kommun=ödeby.kommun, parametrar={"fel": 1})
    assert leverera(jobb, 0, monkeypatch) == [2]
    assert jobb.status == Jobb.Status.KÖAD and jobb.fel == "" and jobb.försök == 1
    assert leverera(jobb, 1, monkeypatch) == []
    assert jobb.status == Jobb.Status.KLAR and jobb.försök == 2


def test_tillfälliga_fel_till_sista_försöket_ger_fel(ödeby, testjobb, monkeypatch):
    jobb = Jobb.objects.create(typ="test", kommun=ödeby.kommun, parametrar={"fel": 99})
    väntetider = [v for försök in range(tasks.MAX_FÖRSÖK) for v in leverera(jobb, försök, monkeypatch)]
    assert väntetider == [2, 4, 8, 16, 30] and jobb.status == Jobb.Status.KÖAD
    assert leverera(jobb, tasks.MAX_FÖRSÖK, monkeypatch) == []
    assert jobb.status == Jobb.Status.FEL and "tekniskt fel" in jobb.fel and "server closed" not in jobb.fel


def test_fel_jobb_som_levereras_igen_körs_inte_om(ödeby, testjobb):
    jobb = Jobb.objects.create(typ="test", kommun=ödeby.kommun, status=Jobb.Status.FEL, fel="Filen saknas.")
    services.kör(str(jobb.pk))
    jobb.refresh_from_db()
    assert testjobb == [] and jobb.status == Jobb.Status.FEL


def test_avbrutet_jobb_visas_som_avbrutet_och_kan_köras_igen(
    client, ödeby, ödeby_läsare, testjobb, settings, med_kö, django_capture_on_commit_callbacks
):
    """A job left "pågår" by a worker that died (here: started long before the task time limit)."""
    länge_sedan = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    jobb = Jobb.objects.create(
        typ="test", kommun=ödeby.kommun, användare=ödeby_läsare, status=Jobb.Status.PÅGÅR, startad=länge_sedan, försök=1
    )
    client.force_login(ödeby_läsare)
    url = reverse("jobb-status", args=[jobb.pk])
    assert client.get(url + "?format=json").json()["status"] == "avbruten"
    sida = client.get(url).content.decode()
    assert "Avbruten" in sida and "Kör igen" in sida and 'data-status="avbruten"' in sida
    assert client.get(reverse("jobb-kor-igen", args=[jobb.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("jobb-kor-igen", args=[jobb.pk]))
    jobb.refresh_from_db()
    assert r["Location"] == url and jobb.status == Jobb.Status.KLAR and jobb.försök == 2 and testjobb == [jobb.pk]
    assert client.get(url + "?format=json").json()["status"] == "klar"


def test_köat_jobb_som_aldrig_startade_visas_som_avbrutet(ödeby, settings):
    länge_sedan = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    gammalt = Jobb.objects.create(typ="pdf", kommun=ödeby.kommun, senast_köad=länge_sedan)
    nytt = Jobb.objects.create(typ="pdf", kommun=ödeby.kommun, senast_köad=timezone.now())
    assert services.effektiv_status(gammalt) == "avbruten" and services.effektiv_status(nytt) == "köad"


def test_andras_jobb_kan_inte_köras_igen(client, ödeby, ödeby_läsare, läsare_annan):
    jobb = Jobb.objects.create(typ="pdf", kommun=ödeby.kommun, användare=ödeby_läsare, status=Jobb.Status.FEL)
    client.force_login(läsare_annan)
    assert client.post(reverse("jobb-kor-igen", args=[jobb.pk])).status_code == 404


def test_förrendering_väntar_tills_ändringarna_tystnat(
    ödeby, settings, monkeypatch, django_capture_on_commit_callbacks, celery_med_kö
):
    """One pending pre-render per kommun however many saves; it renders only once the data has been quiet for
    PDF_FÖRRENDERING_SEKUNDER (until then it only re-schedules itself); nothing at all in the embedded mode."""
    schemalagda, förrenderade = [], []
    monkeypatch.setattr(
        tasks.förrendera_pdf, "apply_async", lambda args, countdown: schemalagda.append((args, round(countdown)))
    )
    monkeypatch.setattr(rapportpdf, "förrendera", förrenderade.append)
    with django_capture_on_commit_callbacks(execute=True):
        spara_utfall(ödeby, 1_000_000)  # the embedded mode does nothing in the background
    assert schemalagda == []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    fördröjning = settings.PDF_FÖRRENDERING_SEKUNDER
    for belopp in (2_000_000, 3_000_000, 4_000_000):
        with django_capture_on_commit_callbacks(execute=True):
            spara_utfall(ödeby, belopp)
    assert schemalagda == [((ödeby.kommun_id,), fördröjning)]
    tasks.förrendera_pdf.run(ödeby.kommun_id)  # runs while saves just came in: waits again
    assert förrenderade == [] and len(schemalagda) == 2 and 0 < schemalagda[1][1] <= fördröjning + 1
    senare = time.time() + fördröjning + 1
    monkeypatch.setattr(tasks.time, "time", lambda: senare)  # quiet since
    tasks.förrendera_pdf.run(ödeby.kommun_id)
    assert förrenderade == [ödeby.kommun_id] and len(schemalagda) == 2


def test_förrendering_gäller_efterfrågade_rapporter(client, ödeby, ödeby_läsare, renderingar):
    client.force_login(ödeby_läsare)
    client.get(pdf_url(ödeby))
    assert rapportpdf.förrendera(ödeby.kommun_id) == 0  # up to date
    spara_utfall(ödeby, 9_000_000)
    assert rapportpdf.förrendera(ödeby.kommun_id) == 1 and len(renderingar) == 2
    assert rapportpdf.aktuell(ödeby, 2023, "delårsrapport") is not None
    assert client.get(pdf_url(ödeby)).status_code == 200 and len(renderingar) == 2  # answered at once
    Pdfrendering.objects.update(efterfrågad=timezone.now() - rapportpdf.FÖRRENDERA_INOM - dt.timedelta(minutes=1))
    spara_utfall(ödeby, 10_000_000)
    assert rapportpdf.förrendera(ödeby.kommun_id) == 0  # nobody asked for it lately


def test_gamla_versioner_gallras_men_den_senaste_och_färska_länkar_finns_kvar(client, ödeby, ödeby_läsare):
    client.force_login(ödeby_läsare)
    client.get(pdf_url(ödeby))
    första = Pdfrendering.objects.get()
    spara_utfall(ödeby, 2_000_000)
    client.get(pdf_url(ödeby))
    assert Pdfrendering.objects.count() == 2  # the first version's link is still fresh
    Pdfrendering.objects.filter(pk=första.pk).update(
        skapad=timezone.now() - rapportpdf.BEHÅLL - dt.timedelta(minutes=1)
    )
    spara_utfall(ödeby, 3_000_000)
    client.get(pdf_url(ödeby))
    assert sorted(Pdfrendering.objects.values_list("version", flat=True)) == [första.version + 1, första.version + 2]
    # A pruned version's link gives the current PDF instead of an error.
    assert client.get(pdf_url(ödeby, version=första.version)).status_code == 200


def test_hämtning_av_version_i_annan_kommun_ger_404(client, ödeby, ödeby_läsare, läsare_annan):
    client.force_login(ödeby_läsare)
    client.get(pdf_url(ödeby))
    client.force_login(läsare_annan)
    assert client.get(pdf_url(ödeby, version=Pdfrendering.objects.get().version)).status_code == 404


def test_omleverans_sker_inom_visibility_timeout(settings):
    """kombu scans for unacknowledged jobs every interval × throttle seconds: with throttle 1 and an interval
    of at most a third of the visibility timeout, a killed worker's job comes back within timeout + interval."""
    val = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert val["unacked_restore_throttle"] == 1
    assert 1 <= val["unacked_restore_interval"] <= max(1, val["visibility_timeout"] // 3)
