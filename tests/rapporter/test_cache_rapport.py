"""The cached report page: authorisation on every request, no per-user part shared, exact invalidation.

The page is the shared cached article inside a frame rendered once per process (``rapporter.rapportcache``); the
nämnd, the reader's right to it and the data version come from one plain SQL query (``läsbar``), pinned here to
the ORM's rule (``nämnd.selectors.nämnd_för``)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from nämnd.selectors import nämnd_för
from rapporter import rapportcache
from rapporter.services import Textändring, avtryck, spara_texter
from tests import factories


@pytest.fixture
def lillby(db):
    byggd = factories.liten_kommun(2023)
    factories.layout(byggd.kommun, "delårsrapport")
    factories.TextavsnittFactory(nämnd=byggd.nämnd, år=2023, rubrik="Viktiga händelser", text="Första lydelsen.")
    return byggd


@pytest.fixture
def ekeby(db):
    return factories.annan_form_kommun(2023)


def url(nämnd, typ="delårsrapport"):
    return reverse("rapport", args=[nämnd.id, 2023, typ])


def _kan_läsa_enligt_orm(user, nämnd_id) -> bool:
    try:
        nämnd_för(user, nämnd_id)
    except Http404:
        return False
    return True


def _kan_läsa_enligt_sql(user, nämnd_id) -> bool:
    try:
        läst = rapportcache.läsbar(user, nämnd_id)
    except Http404:
        return False
    assert läst.id == nämnd_id
    return True


def test_läsbar_följer_samma_regel_som_nämnd_för(lillby, ekeby, django_user_model):
    lillby_nämnd, ekeby_nämnder = lillby.nämnd, list(ekeby.kommun.nämnder.all())
    användare = [
        AnonymousUser(),
        factories.läsare(lillby.kommun, "läsare-lillby"),
        factories.controller(ekeby.kommun, "controller-ekeby"),
        django_user_model.objects.create_user("utan-behörighet", password="x"),
        django_user_model.objects.create_superuser("super", password="x"),
    ]
    båda = factories.läsare(lillby.kommun, "i-båda")
    factories.läsare(ekeby.kommun, "i-båda")
    användare.append(båda)
    ids = [lillby_nämnd.id, *(n.id for n in ekeby_nämnder), 999_999]
    for u in användare:
        for nämnd_id in ids:
            assert _kan_läsa_enligt_sql(u, nämnd_id) == _kan_läsa_enligt_orm(u, nämnd_id), (u, nämnd_id)
    # and the rule is not trivially true or false
    assert _kan_läsa_enligt_sql(användare[1], lillby_nämnd.id)
    assert not _kan_läsa_enligt_sql(användare[1], ekeby_nämnder[0].id)


def test_läsbar_ger_kommunens_dataversion(lillby):
    from nämnd import dataversion

    läsare = factories.läsare(lillby.kommun, "l")
    före = rapportcache.läsbar(läsare, lillby.nämnd.id)
    assert före.dataversion == dataversion.version(lillby.kommun.id)
    dataversion.bumpa([lillby.kommun.id])
    efter = rapportcache.läsbar(läsare, lillby.nämnd.id)
    assert efter.dataversion == före.dataversion + 1 == dataversion.version(lillby.kommun.id)


def test_annan_kommuns_cachade_rapport_kan_inte_läsas(client, lillby, ekeby, monkeypatch):
    byggda = []
    original = rapportcache.bygg_rapport
    monkeypatch.setattr(rapportcache, "bygg_rapport", lambda *a, **k: byggda.append(1) or original(*a, **k))
    client.force_login(factories.läsare(lillby.kommun, "läsare-lillby"))
    assert client.get(url(lillby.nämnd)).status_code == 200  # now in the cache
    assert len(byggda) == 1
    client.force_login(factories.läsare(ekeby.kommun, "läsare-ekeby"))
    r = client.get(url(lillby.nämnd))
    assert r.status_code == 404
    assert b"Lillby" not in r.content and "Första lydelsen" not in r.content.decode()
    assert len(byggda) == 1


def _csrf_i_sidan(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_användarens_delar_delas_inte_mellan_användare(lillby):
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    läsare = factories.läsare(lillby.kommun, "anna<b>&")
    personal = factories.läsare(lillby.kommun, "bertil-stab")
    personal.is_staff = True
    personal.save()

    klient_a, klient_b = Client(), Client()
    klient_a.force_login(läsare)
    klient_b.force_login(personal)
    sida_a = klient_a.get(url(lillby.nämnd)).content.decode()
    sida_b = klient_b.get(url(lillby.nämnd)).content.decode()
    hemlighet_a, hemlighet_b = klient_a.cookies["csrftoken"].value, klient_b.cookies["csrftoken"].value

    # own name (escaped), own menu
    assert "Logga ut anna&lt;b&gt;&amp;" in sida_a and "bertil-stab" not in sida_a
    assert "Logga ut bertil-stab" in sida_b and "anna" not in sida_b
    assert reverse("admin:index") not in sida_a and reverse("admin:index") in sida_b
    # own CSRF token: each page's field unmasks to that user's cookie secret
    assert hemlighet_a != hemlighet_b
    assert _unmask_cipher_token(_csrf_i_sidan(sida_a)) == hemlighet_a
    assert _unmask_cipher_token(_csrf_i_sidan(sida_b)) == hemlighet_b
    # the shared part is the same article
    artikel = rapportcache.artikel(läsare, rapportcache.läsbar(läsare, lillby.nämnd.id), 2023, "delårsrapport")
    assert artikel in sida_a and artikel in sida_b


def test_sidan_är_densamma_som_mallen_ger(client, lillby):
    """The frame rendered once with markers equals the page the template renders for the request."""
    from django.template.loader import render_to_string

    läsare = factories.läsare(lillby.kommun, "cecilia")
    client.force_login(läsare)
    r = client.get(url(lillby.nämnd))
    html = r.content.decode()
    token = _csrf_i_sidan(html)
    artikel = rapportcache.artikel(läsare, rapportcache.läsbar(läsare, lillby.nämnd.id), 2023, "delårsrapport")
    väntad = render_to_string(
        "rapporter/rapport.html",
        {
            "artikel": artikel,
            "titel": "Socialnämnden – Delårsrapport 2023",
            "pdf": False,
            "user": läsare,
            "csrf_token": token,
        },
    )
    assert html == väntad


def test_ändrad_text_syns_direkt_och_bara_en_ny_byggnad(client, lillby, monkeypatch):
    byggda = []
    original = rapportcache.bygg_rapport
    monkeypatch.setattr(rapportcache, "bygg_rapport", lambda *a, **k: byggda.append(1) or original(*a, **k))
    controller = factories.controller(lillby.kommun, "ctrl-lillby", nämnder=[lillby.nämnd])
    client.force_login(factories.läsare(lillby.kommun, "läsare-lillby"))
    assert "Första lydelsen." in client.get(url(lillby.nämnd)).content.decode()
    assert "Första lydelsen." in client.get(url(lillby.nämnd)).content.decode()
    assert len(byggda) == 1
    avsnitt = lillby.nämnd.textavsnitt.get(år=2023, rubrik="Viktiga händelser")
    ändring = Textändring("Viktiga händelser", "Andra lydelsen.", avsnitt.version, avtryck(avsnitt.text))
    spara_texter(controller, lillby.nämnd, 2023, "delårsrapport", [ändring])
    html = client.get(url(lillby.nämnd)).content.decode()
    assert "Andra lydelsen." in html and "Första lydelsen." not in html
    assert len(byggda) == 2
    client.get(url(lillby.nämnd))
    assert len(byggda) == 2


def test_okänd_nämnd_och_rapporttyp_ger_404(client, lillby):
    client.force_login(factories.läsare(lillby.kommun, "läsare-lillby"))
    assert client.get(reverse("rapport", args=[999_999, 2023, "delårsrapport"])).status_code == 404
    assert client.get(reverse("rapport", args=[lillby.nämnd.id, 2023, "okänd"])).status_code == 404
