"""Nothing a logged-in user sees is stored by a browser or a proxy: pages, exports and PDFs answer
``Cache-Control: private, no-store`` (also the login page, redirects and errors). Only public pages for anonymous
visitors may be cached, briefly. And the login lifetime for shared computers: a session cookie that ends with the
browser, an idle limit and an absolute limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest
from django.urls import reverse

from nämnd.models import Kommun, Nämnd
from publicering.models import Publiceringsinställning, Rapportversion, Rapportärende
from socialreports.middleware import INLOGGAD, SENAST_AKTIV
from tests.conftest import i_egen_tråd, skapa_användare

PDF = b"%PDF-1.7\n% en arkiverad version\n"


@pytest.fixture
def nämnd(db) -> Nämnd:
    kommun = Kommun.objects.create(namn="Cachby kommun", kommunkod="9931", beloppsenhet="mnkr")
    Publiceringsinställning.objects.create(kommun=kommun, publicera=True)
    return Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2020, 1, 1))


@pytest.fixture
def version(nämnd) -> Rapportversion:
    ärende = Rapportärende.objects.create(
        nämnd=nämnd, år=2024, typ="delårsrapport", status="fastställd", publicerad=True
    )
    return Rapportversion.objects.create(
        ärende=ärende,
        nummer=1,
        fastställd_datum=dt.date(2024, 10, 1),
        paragraf="§ 12",
        fastställd_av=skapa_användare("registrator", nämnd.kommun, "admin"),
        pdf=PDF,
        sha256=hashlib.sha256(PDF).hexdigest(),
        html="<h1>Delårsrapport 2024</h1>",
    )


@pytest.fixture
def lösen():
    return "hemligt-lösen-1"


@pytest.fixture
def inloggad(client, nämnd, lösen):
    user = skapa_användare("lasare-cachby", nämnd.kommun, roll="admin")
    user.is_staff = True
    user.save()
    r = client.post(reverse("login"), {"username": user.username, "password": lösen})
    assert r.status_code == 302
    return client


def ej_lagrad(r) -> bool:
    delar = {d.strip() for d in r.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= delar and not any(d.startswith(("public", "max-age=6")) for d in delar)


def test_inloggad_sida_export_pdf_och_admin_lagras_inte(inloggad, nämnd, version):
    urls = [
        reverse("start"),
        reverse("dashboard", args=[nämnd.pk, 2024]),
        reverse("export-manad", args=[nämnd.pk, 2024, 3]),
        reverse("rapportversion-pdf", args=[version.pk]),
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("dashboard", args=[nämnd.pk + 1000, 2024]),  # 404
        reverse("publikt-index", args=["9931"]),  # public page, but seen by a logged-in user
        reverse("publikt-pdf", args=["9931", version.pk]),
    ]
    for url in urls:
        r = inloggad.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        assert ej_lagrad(r), (url, r.get("Cache-Control"))
    assert inloggad.get(reverse("rapportversion-pdf", args=[version.pk])).content == PDF


def test_anonym_inloggningssida_och_omdirigering_lagras_inte(client, nämnd):
    for url in (reverse("login"), reverse("start"), reverse("dashboard", args=[nämnd.pk, 2024]), "/halsa/"):
        r = i_egen_tråd(client.get, url) if url == "/halsa/" else client.get(url)
        assert ej_lagrad(r), (url, r.status_code, r.get("Cache-Control"))


def test_publika_sidor_får_cachas_kort_för_anonyma(client, nämnd, version):
    for url in (
        reverse("publikt-index", args=["9931"]),
        reverse("publikt-rapport", args=["9931", version.pk]),
        reverse("publikt-pdf", args=["9931", version.pk]),
        reverse("tillgänglighet"),
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        delar = {d.strip() for d in r["Cache-Control"].split(",")}
        assert delar == {"public", "max-age=60"}, (url, delar)


# --- login lifetime -----------------------------------------------------------------------------------------


def test_sessionskakan_gäller_tills_webbläsaren_stängs(client, nämnd, lösen):
    user = skapa_användare("lasare-kaka", nämnd.kommun)
    r = client.post(reverse("login"), {"username": user.username, "password": lösen})
    kaka = r.cookies["sessionid"]
    assert kaka["expires"] == "" and kaka["max-age"] == ""
    assert kaka["httponly"]


def flytta_bakåt(client, nyckel: str, sekunder: int) -> None:
    session = client.session
    session[nyckel] = session.get(nyckel, int(time.time())) - sekunder
    session.save()


def test_inaktiv_inloggning_avslutas(inloggad, nämnd, settings):
    start = reverse("start")
    assert inloggad.get(start).status_code == 200
    flytta_bakåt(inloggad, SENAST_AKTIV, settings.SESSION_COOKIE_AGE - 60)
    assert inloggad.get(start).status_code == 200  # still within the limit
    flytta_bakåt(inloggad, SENAST_AKTIV, settings.SESSION_COOKIE_AGE + 1)
    r = inloggad.get(start)
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    sida = inloggad.get(r["Location"]).content.decode()
    assert "Du har loggats ut efter 60 minuter utan aktivitet" in sida
    assert inloggad.get(start).status_code == 302  # the session is gone, not just this request


def test_aktiv_inloggning_förnyas_men_har_en_högsta_tid(inloggad, settings):
    start = reverse("start")
    inloggad.get(start)
    assert SENAST_AKTIV not in inloggad.session  # no session write on the requests right after logging in
    # Active: a request after 50 idle minutes counts as activity, so 50 more minutes are fine too.
    flytta_bakåt(inloggad, SENAST_AKTIV, 50 * 60)
    assert inloggad.get(start).status_code == 200
    assert time.time() - inloggad.session[SENAST_AKTIV] < 60
    flytta_bakåt(inloggad, SENAST_AKTIV, 50 * 60)
    assert inloggad.get(start).status_code == 200
    # The absolute limit holds whatever the activity.
    flytta_bakåt(inloggad, INLOGGAD, settings.SESSION_ABSOLUTE_AGE + 1)
    r = inloggad.get(start)
    assert r.status_code == 302
    assert "en inloggning gäller högst 10 timmar" in inloggad.get(r["Location"]).content.decode()
