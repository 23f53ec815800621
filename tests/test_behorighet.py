"""Tenant isolation: a user of one kommun never reads another kommun's data, whatever the URL."""

import pytest
from django.urls import reverse

from ekonomi.models import Utfall
from nämnd.models import Nämnd, Verksamhetsområde
from tests import factories


@pytest.fixture
def ekeby(db) -> factories.Byggd:
    """A kommun of another shape than the demo (mnkr, costs negative, a nämnd split on 1 July)."""
    return factories.annan_form_kommun(2025)


@pytest.fixture
def nämnd(ekeby) -> Nämnd:
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def läsare(ekeby):
    return factories.läsare(ekeby.kommun, "lasare-ekeby")


@pytest.fixture
def client_läsare(client, läsare):
    client.force_login(läsare)
    return client


def rapport_urls(nämnd):
    return [
        reverse("översikt", args=[nämnd.id, 2025]),
        *(
            reverse("rapport", args=[nämnd.id, år, typ])
            for år, typ in (
                (2025, "delårsrapport"),
                (2025, "verksamhetsberättelse"),
                (2025, "tertialrapport"),
                (2026, "verksamhetsplan"),
            )
        ),
        reverse("rapport-pdf", args=[nämnd.id, 2025, "delårsrapport"]),
    ]


def test_inloggning_krävs(client, nämnd):
    for url in ["/", *rapport_urls(nämnd)]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
    assert client.get(reverse("login")).status_code == 200


def test_läsare_i_egen_kommun_når_rapporterna(client_läsare, nämnd):
    for url in rapport_urls(nämnd):
        assert client_läsare.get(url).status_code == 200, url
    assert "Ekeby kommun" in client_läsare.get("/").content.decode()


def test_annan_kommuns_användare_får_404_på_gissade_id(client, nämnd, läsare_annan):
    client.force_login(läsare_annan)
    for url in rapport_urls(nämnd):
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"Ekeby" not in r.content and "Särskilt boende".encode() not in r.content
    start = client.get("/").content.decode()
    assert "Täby kommun" in start and "Ekeby" not in start


def test_användare_utan_behörighet_ser_ingenting(client, nämnd, django_user_model):
    client.force_login(django_user_model.objects.create_user("ny", password="x"))
    assert "ingen behörighet" in client.get("/").content.decode()
    assert client.get(reverse("rapport", args=[nämnd.id, 2025, "delårsrapport"])).status_code == 404


def test_for_user_avgränsar_alla_modeller(nämnd, läsare, läsare_annan):
    assert Nämnd.objects.for_user(läsare_annan).filter(pk=nämnd.pk).count() == 0
    assert Nämnd.objects.for_user(läsare).filter(pk=nämnd.pk).count() == 1
    assert Utfall.objects.for_user(läsare_annan).count() == 0
    # Omsorgsnämnden 2 verksamheter × 12 months, the old nämnd 1 × 6 (Jan–Jun), Socialnämnden 3 × 6 (Jul–Dec).
    assert Utfall.objects.for_user(läsare).count() == 2 * 12 + 1 * 6 + 3 * 6


@pytest.mark.parametrize("modell", ["verksamhetsområde", "budgetpost", "utfall", "prognos", "mål", "indikator"])
def test_admin_visar_inte_annan_kommuns_objekt(client, nämnd, läsare_annan, modell):
    from django.apps import apps
    from django.contrib.auth.models import Permission

    läsare_annan.is_staff = True
    läsare_annan.save()
    läsare_annan.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(läsare_annan)
    Modell = next(m for m in apps.get_models() if m._meta.model_name == modell)
    objekt = Modell.objects.for_kommun(nämnd.kommun).first()
    app, namn = Modell._meta.app_label, Modell._meta.model_name
    lista = client.get(reverse(f"admin:{app}_{namn}_changelist"))
    assert lista.status_code == 200
    assert str(objekt) not in lista.content.decode()
    ändra = client.get(reverse(f"admin:{app}_{namn}_change", args=[objekt.pk]))
    assert ändra.status_code in (302, 404)
    if ändra.status_code == 302:
        assert ändra["Location"] == reverse("admin:index")


def test_okänd_rapporttyp_ger_404(client_läsare, nämnd):
    assert client_läsare.get(reverse("rapport", args=[nämnd.id, 2025, "okänd"])).status_code == 404


def test_verksamhetsområden_för_år_följer_giltighet(nämnd, läsare):
    from ekonomi.selectors import områden_för_år

    Verksamhetsområde.objects.filter(nämnd=nämnd, namn="Särskilt boende").update(till_år=2025)
    namn_2026 = set(områden_för_år(läsare, [nämnd], 2026).values_list("namn", flat=True))
    assert "Särskilt boende" not in namn_2026 and "Hemtjänst" in namn_2026


def test_kommunadmin_ser_bara_egna_användare_och_inte_grupper_eller_loggar(client, ekeby, läsare, annan_kommun):
    from tests.conftest import skapa_användare

    admin_b = skapa_användare("admin-taby", annan_kommun, roll="admin")
    admin_b.is_staff = True
    admin_b.save()
    egen = skapa_användare("ekonom-taby", annan_kommun, roll="controller")
    client.force_login(admin_b)
    lista = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "ekonom-taby" in lista and läsare.username not in lista
    assert client.get(reverse("admin:auth_user_change", args=[läsare.pk])).status_code in (302, 404)
    ändra = client.get(reverse("admin:auth_user_change", args=[egen.pk])).content.decode()
    assert "is_superuser" not in ändra and "user_permissions" not in ändra
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
