"""A NUL byte (\\x00) anywhere in a request never reaches the database (PostgreSQL refuses it in text and answered
500): in the path → 404, in a parameter, form field, cookie or header → 400 with a Swedish page. Runs on both
databases (no postgres mark): on PostgreSQL these requests gave HTTP 500 before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nämnd.models import Kommun, Nämnd
from publicering.models import Publiceringsinställning


@pytest.fixture
def nämnd(db) -> Nämnd:
    kommun = Kommun.objects.create(namn="Nulby kommun", kommunkod="9921")
    Publiceringsinställning.objects.create(kommun=kommun, publicera=True)
    return Nämnd.objects.create(kommun=kommun, namn="Vård- och omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))


@pytest.fixture
def admin_klient(client, nämnd, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("super-nul", password="x"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/publikt/9921%00/",
        "/publikt/0330%00/rapport/1/",
        "/publikt/9921/rapport/1%00/",
        "/tillganglighet/%00",
        "/logga-in/%00",
    ],
)
def test_nul_i_publik_sökväg_ger_404(client, nämnd, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "Sidan finns inte" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/publikt/9921%00/",
        "/admin/auth/user/1%00/change/",
        "/admin/n%C3%A4mnd/kommun/%00/change/",
        "/import/mallar/{id}/budget%00/",
        "/publicering/rapport/{id}/2024/delarsrapport%00/",
        "/organisation/namnd/{id}/2024/%00",
    ],
)
def test_nul_i_sökväg_ger_404_även_inloggad(admin_klient, nämnd, url):
    r = admin_klient.get(url.format(id=nämnd.pk))
    assert r.status_code == 404
    assert "Sidan finns inte" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/?q=%00",
        "/admin/n%C3%A4mnd/kommun/?q=a%00b",
        "/admin/n%C3%A4mnd/n%C3%A4mnd/?kommun__id__exact=%00",
        "/?next=%00",
    ],
)
def test_nul_i_parameter_ger_400(admin_klient, nämnd, url):
    r = admin_klient.get(url)
    assert r.status_code == 400
    assert "Felaktig förfrågan" in r.content.decode()


def test_nul_i_anonym_parameter_kaka_och_huvud_ger_400(client, nämnd):
    r = client.get(reverse("publikt-index", args=["9921"]), {"sida": "1\x002"})
    assert r.status_code == 400 and "Felaktig förfrågan" in r.content.decode()
    client.cookies["sessionid"] = "abcdefghij\x00"
    assert client.get(reverse("publikt-index", args=["9921"])).status_code == 400
    del client.cookies["sessionid"]
    assert client.get(reverse("login"), HTTP_USER_AGENT="Mozilla\x00").status_code == 400
    assert client.get(reverse("publikt-index", args=["9921"])).status_code == 200


def test_nul_i_formulär_ger_400_och_inget_sparas(admin_klient, nämnd):
    url = reverse("admin:nämnd_kommun_change", args=[nämnd.kommun_id])
    r = admin_klient.post(
        url,
        {
            "namn": "Nul\x00by kommun",
            "kommunkod": "9921",
            "beloppsenhet": "tkr",
            "avvikelsegräns_kr": "500000",
            "avvikelsegräns_procent": "5",
        },
    )
    assert r.status_code == 400 and "Felaktig förfrågan" in r.content.decode()
    assert Kommun.objects.get(pk=nämnd.kommun_id).namn == "Nulby kommun"
    # A failed login attempt whose username holds NUL: refused before django-axes records it.
    client = admin_klient
    client.logout()
    r = client.post(reverse("login"), {"username": "admin\x00", "password": "fel"})
    assert r.status_code == 400
