"""Tenant isolation: a user of one kommun never reads another kommun's data, whatever the URL."""

import pytest
from django.urls import reverse

from ekonomi.models import Utfall
from nämnd.models import Nämnd, Verksamhetsområde


def rapport_urls(nämnd):
    return [
        reverse("översikt", args=[nämnd.id, 2023]),
        *(reverse("rapport", args=[nämnd.id, år, typ]) for år, typ in
          ((2023, "delårsrapport"), (2023, "verksamhetsberättelse"), (2023, "tertialrapport"), (2024, "verksamhetsplan"))),
        reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"]),
    ]


def test_inloggning_krävs(client, socialnämnden):
    for url in ["/", *rapport_urls(socialnämnden)]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
    assert client.get(reverse("login")).status_code == 200


def test_läsare_i_egen_kommun_når_rapporterna(client_läsare, socialnämnden):
    for url in rapport_urls(socialnämnden):
        assert client_läsare.get(url).status_code == 200, url
    assert "Knivsta kommun" in client_läsare.get("/").content.decode()


def test_annan_kommuns_användare_får_404_på_gissade_id(client, socialnämnden, läsare_annan):
    client.force_login(läsare_annan)
    for url in rapport_urls(socialnämnden):
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"Knivsta" not in r.content and b"219" not in r.content
    start = client.get("/").content.decode()
    assert "Täby kommun" in start and "Knivsta" not in start


def test_användare_utan_behörighet_ser_ingenting(client, socialnämnden, django_user_model):
    client.force_login(django_user_model.objects.create_user("ny", password="x"))
    assert "ingen behörighet" in client.get("/").content.decode()
    assert client.get(reverse("rapport", args=[socialnämnden.id, 2023, "delårsrapport"])).status_code == 404


def test_for_user_avgränsar_alla_modeller(socialnämnden, läsare, läsare_annan):
    assert Nämnd.objects.for_user(läsare_annan).filter(pk=socialnämnden.pk).count() == 0
    assert Nämnd.objects.for_user(läsare).filter(pk=socialnämnden.pk).count() == 1
    assert Utfall.objects.for_user(läsare_annan).count() == 0
    assert Utfall.objects.for_user(läsare).count() == 260


@pytest.mark.parametrize("modell", ["verksamhetsområde", "budgetpost", "utfall", "prognos", "mål", "indikator"])
def test_admin_visar_inte_annan_kommuns_objekt(client, socialnämnden, läsare_annan, modell):
    from django.apps import apps
    from django.contrib.auth.models import Permission

    läsare_annan.is_staff = True
    läsare_annan.save()
    läsare_annan.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(läsare_annan)
    Modell = next(m for m in apps.get_models() if m._meta.model_name == modell)
    objekt = Modell.objects.for_kommun(socialnämnden.kommun).first()
    app, namn = Modell._meta.app_label, Modell._meta.model_name
    lista = client.get(reverse(f"admin:{app}_{namn}_changelist"))
    assert lista.status_code == 200
    assert str(objekt) not in lista.content.decode()
    ändra = client.get(reverse(f"admin:{app}_{namn}_change", args=[objekt.pk]))
    assert ändra.status_code in (302, 404)
    if ändra.status_code == 302:
        assert ändra["Location"] == reverse("admin:index")


def test_okänd_rapporttyp_ger_404(client_läsare, socialnämnden):
    assert client_läsare.get(reverse("rapport", args=[socialnämnden.id, 2023, "okänd"])).status_code == 404


def test_verksamhetsområden_för_år_följer_giltighet(socialnämnden, läsare):
    from ekonomi.selectors import områden_för_år

    Verksamhetsområde.objects.filter(namn="Förebyggande verksamhet SoL").update(till_år=2023)
    namn_2024 = set(områden_för_år(läsare, [socialnämnden], 2024).values_list("namn", flat=True))
    assert "Förebyggande verksamhet SoL" not in namn_2024 and "Flyktingmottagande" in namn_2024


def test_kommunadmin_ser_bara_egna_användare_och_inte_grupper_eller_loggar(client, knivsta, läsare, annan_kommun):
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
