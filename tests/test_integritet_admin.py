"""Cross-kommun account takeover through the admin: the admin of kommun B must not change the account of a user
who also has a role in kommun A (name, e-mail, password, active), whatever admin URL is used; the user's
Behörighet in B stays B's to change. Superusers are unaffected; users only in B stay editable."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from nämnd.models import Behörighet, Kommun
from tests.conftest import skapa_användare

LÖSEN = "hemligt-lösen-1"
NYTT_LÖSEN = "Helt-nytt-lösen-987"


@pytest.fixture
def kommuner(db):
    return Kommun.objects.create(namn="Alfa kommun", kommunkod="9901"), Kommun.objects.create(
        namn="Beta kommun", kommunkod="9902"
    )


@pytest.fixture
def parter(kommuner):
    """admin_a: administratör in A and läsare in B (the target). admin_b: administratör in B only."""
    a, b = kommuner
    admin_a = skapa_användare("admin-alfa", a, roll="admin")
    Behörighet.objects.create(user=admin_a, kommun=b, roll="läsare")
    admin_a.email, admin_a.is_staff = "admin@alfa.example", True
    admin_a.save()
    admin_b = skapa_användare("admin-beta", b, roll="admin")
    admin_b.is_staff = True
    admin_b.save()
    endast_b = skapa_användare("lasare-beta", b)
    endast_b.email = "lasare@beta.example"
    endast_b.save()
    return admin_a, admin_b, endast_b


def formulär(html: bytes, form_id: str = "user_form") -> dict:
    """What the browser would post from an admin change form (checkboxes only when checked)."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    assert form is not None, "inget redigerbart formulär"
    data = {}
    for el in form.find_all(["input", "select", "textarea"]):
        namn = el.get("name")
        if not namn or el.get("type") in ("submit", "button"):
            continue
        if el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[namn] = el.get("value", "on")
        elif el.name == "select" and el.has_attr("multiple"):
            data[namn] = [o["value"] for o in el.find_all("option", selected=True)]
        elif el.name == "select":
            valt = el.find("option", selected=True)
            data[namn] = valt["value"] if valt else ""
        elif el.name == "textarea":
            data[namn] = el.get_text()
        else:
            data[namn] = el.get("value", "")
    return data


def oförändrad(user, hash_före: str, epost: str) -> None:
    user.refresh_from_db()
    assert user.password == hash_före and user.email == epost and user.is_active
    assert user.check_password(LÖSEN)


def test_admin_i_b_ser_användare_med_roll_i_a_skrivskyddat(client, parter, kommuner):
    admin_a, admin_b, _ = parter
    client.force_login(admin_b)
    r = client.get(reverse("admin:auth_user_change", args=[admin_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("input", {"name": "email"}) is None and soup.find("input", {"name": "is_active"}) is None
    assert "admin@alfa.example" in html  # shown, as text
    assert "kommun som du inte administrerar" in html
    # The user's role in B is listed; the kommun A is not named (another kommun's data).
    assert "Beta kommun" in html and "Alfa kommun" not in html
    assert reverse("admin:auth_user_password_change", args=[admin_a.pk]) not in html


def test_admin_i_b_kan_inte_ändra_konto_med_roll_i_a(client, parter):
    admin_a, admin_b, endast_b = parter
    hash_före = admin_a.password
    client.force_login(admin_b)
    # The change form, posted with what an editable form would send (taken from a user the admin may change).
    data = formulär(client.get(reverse("admin:auth_user_change", args=[endast_b.pk])).content)
    data |= {"username": admin_a.username, "email": "angripare@beta.example", "first_name": "X"}
    r = client.post(reverse("admin:auth_user_change", args=[admin_a.pk]), data)
    assert r.status_code == 403
    oförändrad(admin_a, hash_före, "admin@alfa.example")

    # The password form: neither shown nor accepted.
    lösen_url = reverse("admin:auth_user_password_change", args=[admin_a.pk])
    assert client.get(lösen_url).status_code == 403
    r = client.post(lösen_url, {"password1": NYTT_LÖSEN, "password2": NYTT_LÖSEN, "usable_password": "true"})
    assert r.status_code == 403
    oförändrad(admin_a, hash_före, "admin@alfa.example")

    # Delete, and the bulk delete action from the change list.
    assert client.get(reverse("admin:auth_user_delete", args=[admin_a.pk])).status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[admin_a.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [admin_a.pk], "post": "yes"},
    )
    assert get_user_model().objects.filter(pk=admin_a.pk).exists()
    oförändrad(admin_a, hash_före, "admin@alfa.example")
    # ... and so no login in A with a password set from B.
    r = Client().post(reverse("login"), {"username": admin_a.username, "password": NYTT_LÖSEN})
    assert r.status_code == 200 and "_auth_user_id" not in r.wsgi_request.session


def test_användare_bara_i_b_kan_ändras_av_admin_i_b(client, parter):
    _, admin_b, endast_b = parter
    client.force_login(admin_b)
    ändra = reverse("admin:auth_user_change", args=[endast_b.pk])
    data = formulär(client.get(ändra).content) | {"email": "ny@beta.example"}
    r = client.post(ändra, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    lösen_url = reverse("admin:auth_user_password_change", args=[endast_b.pk])
    assert client.get(lösen_url).status_code == 200
    r = client.post(lösen_url, {"password1": NYTT_LÖSEN, "password2": NYTT_LÖSEN, "usable_password": "true"})
    assert r.status_code == 302
    endast_b.refresh_from_db()
    assert endast_b.email == "ny@beta.example" and endast_b.check_password(NYTT_LÖSEN)


def test_superanvändare_ändrar_alla(client, parter, django_user_model):
    admin_a, _, _ = parter
    client.force_login(django_user_model.objects.create_superuser("super", password="x"))
    lösen_url = reverse("admin:auth_user_password_change", args=[admin_a.pk])
    r = client.post(lösen_url, {"password1": NYTT_LÖSEN, "password2": NYTT_LÖSEN, "usable_password": "true"})
    assert r.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password(NYTT_LÖSEN)


def behörighetsadmin(user) -> None:
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="nämnd", codename__endswith="_behörighet")
    )


def test_admin_i_b_ändrar_användarens_behörighet_i_b_men_inte_i_annan_kommun(client, parter, kommuner):
    admin_a, admin_b, _ = parter
    a, b = kommuner
    # admin_b also reads in a third kommun C: that kommun's Behörigheter are visible to them, not changeable.
    c = Kommun.objects.create(namn="Gamma kommun", kommunkod="9903")
    Behörighet.objects.create(user=admin_b, kommun=c, roll="läsare")
    i_c = Behörighet.objects.create(user=admin_a, kommun=c, roll="läsare")
    behörighetsadmin(admin_b)
    client.force_login(admin_b)

    i_b = Behörighet.objects.get(user=admin_a, kommun=b)
    ändra_b = reverse("admin:nämnd_behörighet_change", args=[i_b.pk])
    data = formulär(client.get(ändra_b).content, "behörighet_form") | {"roll": "controller"}
    assert client.post(ändra_b, data).status_code == 302
    i_b.refresh_from_db()
    assert i_b.roll == "controller"

    ändra_c = reverse("admin:nämnd_behörighet_change", args=[i_c.pk])
    r = client.get(ändra_c)
    assert (
        r.status_code == 200
        and BeautifulSoup(r.content, "html.parser").find("form", id="behörighet_form").find("select", {"name": "roll"})
        is None
    )
    assert (
        client.post(ändra_c, data | {"kommun": str(c.pk), "user": str(admin_a.pk), "roll": "admin"}).status_code == 403
    )
    # Not even themselves: a reader in C does not make themselves admin there.
    egen_c = Behörighet.objects.get(user=admin_b, kommun=c)
    r = client.post(
        reverse("admin:nämnd_behörighet_change", args=[egen_c.pk]),
        data | {"kommun": str(c.pk), "user": str(admin_b.pk), "roll": "admin"},
    )
    assert r.status_code == 403
    assert client.post(reverse("admin:nämnd_behörighet_delete", args=[i_c.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:nämnd_behörighet_changelist"),
        {"action": "delete_selected", "_selected_action": [i_c.pk, egen_c.pk], "post": "yes"},
    )
    i_c.refresh_from_db()
    egen_c.refresh_from_db()
    assert i_c.roll == "läsare" and egen_c.roll == "läsare"
    # A new Behörighet can only be in a kommun they administer.
    ny = client.get(reverse("admin:nämnd_behörighet_add")).content.decode()
    kommunval = BeautifulSoup(ny, "html.parser").find("select", {"name": "kommun"})
    assert {o.get_text() for o in kommunval.find_all("option") if o["value"]} == {"Beta kommun"}
