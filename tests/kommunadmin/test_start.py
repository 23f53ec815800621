"""Ny kommun, the new kommun's checklist and its users page (kommunadmin/start.py), on invented kommuner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from kommunadmin import start
from nämnd.models import Behörighet, Kommun, Nämnd, Rapporttillfälle, Verksamhetsområde
from rapporter.models import Rapportlayout
from tests import factories

User = get_user_model()
LÖSEN = "Trädgårdsmästare-47"


def ny_kommun_data(**ändrat) -> dict:
    data = {
        "namn": "Norrvik kommun",
        "kommunkod": "9950",
        "organisationsnummer": "212000-9999",
        "beloppsenhet": "mnkr",
        "kostnader_negativa": "on",
        "standardinställningar": "on",
        "användarnamn": "norrvik-admin",
        "förnamn": "Alva",
        "efternamn": "Berg",
        "epost": "alva.berg@norrvik.invalid",
        "lösenord1": LÖSEN,
        "lösenord2": LÖSEN,
    }
    data.update(ändrat)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def superanvändare(db):
    return User.objects.create_superuser("installation", password=LÖSEN)


def antal() -> tuple[int, int, int, int, int]:
    return (
        Kommun.objects.count(),
        User.objects.count(),
        Behörighet.objects.count(),
        Rapporttillfälle.objects.count(),
        Rapportlayout.objects.count(),
    )


def skapa(client, superanvändare, **ändrat):
    client.force_login(superanvändare)
    r = client.post(reverse("kommun-ny"), ny_kommun_data(**ändrat))
    client.logout()
    return r


def status(r) -> dict[str, str]:
    return {s.nyckel: s.status for s in r.context["lista"].steg}


def test_superanvändaren_lägger_upp_kommun_och_admin_i_ett_formulär(client, superanvändare):
    före = antal()
    r = skapa(client, superanvändare, standardinställningar=None)
    kommun = Kommun.objects.get(kommunkod="9950")
    assert r.status_code == 302 and r["Location"] == reverse("kommun-kom-igang", args=[kommun.pk])
    assert (kommun.namn, kommun.beloppsenhet, kommun.kostnader_negativa, kommun.organisationsnummer) == (
        "Norrvik kommun",
        "mnkr",
        True,
        "212000-9999",
    )
    assert antal() == (före[0] + 1, före[1] + 1, före[2] + 1, före[3], före[4])
    admin = User.objects.get(username="norrvik-admin")
    b = admin.behörigheter.get()
    assert (b.kommun, b.roll, b.får_importera, b.får_fastställa) == (kommun, "admin", True, True)
    assert (admin.get_full_name(), admin.email, admin.is_superuser, admin.is_staff) == (
        "Alva Berg",
        "alva.berg@norrvik.invalid",
        False,
        True,
    )
    assert kommun.bedömningsnivåer.count() == 3  # the standard scale, as every new kommun gets it
    assert LogEntry.objects.filter(object_id=str(admin.pk)).count() == 1

    # The new admin logs in with the password typed twice and sees every step not begun.
    assert client.post(reverse("login"), {"username": "norrvik-admin", "password": LÖSEN}).status_code == 302
    r = client.get(reverse("kommun-kom-igang", args=[kommun.pk]))
    assert r.status_code == 200
    assert set(status(r).values()) == {start.INTE_PÅBÖRJAT}
    assert list(status(r)) == ["organisation", "användare", "inställningar", "layout", "budget", "utfall", "rapport"]
    text = r.content.decode()
    assert reverse("kommun-anvandare", args=[kommun.pk]) in text
    assert reverse("layout", args=[kommun.pk, "delårsrapport"]) in text
    # The start page links the checklist although the kommun has no nämnd yet.
    assert reverse("kommun-kom-igang", args=[kommun.pk]) in client.get(reverse("start")).content.decode()


def test_standardinställningarna_ger_rapporttillfällen_och_förvalda_layouter(client, superanvändare):
    skapa(client, superanvändare)
    kommun = Kommun.objects.get(kommunkod="9950")
    tillfällen = dict(Rapporttillfälle.objects.filter(kommun=kommun).values_list("rapporttyp", "används"))
    assert tillfällen == {
        "verksamhetsplan": True,
        "tertialrapport": True,
        "tertialrapport2": False,
        "delårsrapport": True,
        "verksamhetsberättelse": True,
        "månadsrapport": True,
    }
    assert Rapportlayout.objects.filter(kommun=kommun, förval="standard").count() == 6
    lista = start.checklista(kommun)
    assert {s.nyckel: s.status for s in lista.steg} == {
        "organisation": start.INTE_PÅBÖRJAT,
        "användare": start.INTE_PÅBÖRJAT,
        "inställningar": start.KLART,
        "layout": start.KLART,
        "budget": start.INTE_PÅBÖRJAT,
        "utfall": start.INTE_PÅBÖRJAT,
        "rapport": start.INTE_PÅBÖRJAT,
    }
    assert not lista.klar and lista.antal_klara == 2


@pytest.mark.parametrize(
    ("ändrat", "fält", "fel"),
    [
        ({"kommunkod": "9901"}, "kommunkod", "Kommunkoden 9901 används redan"),
        ({"lösenord1": "123456", "lösenord2": "123456"}, "lösenord1", ""),
        ({"lösenord2": "något-annat-99"}, "lösenord2", "Lösenorden är inte lika."),
        ({"användarnamn": "upptagen"}, "användarnamn", "Användarnamnet upptagen är upptaget."),
        ({"kommunkod": "99a1"}, "kommunkod", "Kommunkoden är fyra siffror."),
        ({"lösenord1": "", "lösenord2": ""}, "lösenord1", "Ange ett lösenord"),
    ],
)
def test_fel_ger_svenska_meddelanden_och_inget_sparas(client, superanvändare, ändrat, fält, fel):
    factories.annan_form_kommun()  # has kommunkod 9901
    User.objects.create_user("upptagen")
    före = antal()
    client.force_login(superanvändare)
    r = client.post(reverse("kommun-ny"), ny_kommun_data(**ändrat))
    assert r.status_code == 400
    assert fel in " ".join(r.context["form"].errors[fält])
    assert antal() == före
    assert not Kommun.objects.filter(namn="Norrvik kommun").exists()


def test_svagt_lösenord_nekas_av_djangos_kontroller(client, superanvändare):
    client.force_login(superanvändare)
    r = client.post(reverse("kommun-ny"), ny_kommun_data(lösenord1="norrvik-admin", lösenord2="norrvik-admin"))
    assert r.status_code == 400 and r.context["form"].errors["lösenord1"]
    r = client.post(reverse("kommun-ny"), ny_kommun_data(lösenord1="kort", lösenord2="kort"))
    assert any("för kort" in f for f in r.context["form"].errors["lösenord1"])
    assert not Kommun.objects.filter(kommunkod="9950").exists()


def test_utan_lösenord_med_kommunens_konto(client, superanvändare, settings):
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "klient", "hemlighet"
    for namn in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{namn}_ENDPOINT", f"https://idp.invalid/{namn.lower()}")
    r = skapa(client, superanvändare, lösenord1="", lösenord2="", epost="")
    assert r.status_code == 400 and Kommun.objects.filter(kommunkod="9950").count() == 0
    r = skapa(client, superanvändare, lösenord1="", lösenord2="")
    assert r.status_code == 302
    assert not User.objects.get(username="norrvik-admin").has_usable_password()


def test_ny_kommun_bara_för_superanvändare(client, db):
    byggd = factories.liten_kommun()
    for user in (factories.admin(byggd.kommun), factories.controller(byggd.kommun)):
        client.force_login(user)
        assert client.get(reverse("kommun-ny")).status_code == 403
        före = antal()
        assert client.post(reverse("kommun-ny"), ny_kommun_data()).status_code == 403
        assert antal() == före
    client.logout()
    assert client.get(reverse("kommun-ny")).status_code == 302  # to the login page


def test_admin_lägger_till_controller_som_når_nämnden(client, superanvändare):
    skapa(client, superanvändare, standardinställningar=None)
    kommun = Kommun.objects.get(kommunkod="9950")
    admin = User.objects.get(username="norrvik-admin")
    # The organisation step (here written directly; the organisation import is another page).
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Vård- och omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Hemtjänst", ansvarskoder="51*")
    client.force_login(admin)
    före = antal()
    r = client.post(
        reverse("kommun-anvandare", args=[kommun.pk]),
        {
            "användarnamn": "norrvik-controller",
            "förnamn": "Eje",
            "efternamn": "Lund",
            "epost": "eje@norrvik.invalid",
            "roll": "controller",
            "nämnder": [str(nämnd.pk)],
            "får_importera": "on",
            "lösenord1": LÖSEN,
            "lösenord2": LÖSEN,
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    assert antal() == (före[0], före[1] + 1, före[2] + 1, före[3], före[4])
    ctrl = User.objects.get(username="norrvik-controller")
    b = ctrl.behörigheter.get()
    assert (b.kommun, b.roll, list(b.nämnder.all()), b.får_importera, b.får_fastställa) == (
        kommun,
        "controller",
        [nämnd],
        True,
        False,
    )
    sida = client.get(reverse("kommun-anvandare", args=[kommun.pk])).content.decode()
    assert "norrvik-controller" in sida and "Vård- och omsorgsnämnden" in sida
    steg = {s.nyckel: s for s in start.checklista(kommun).steg}
    assert steg["organisation"].status == start.KLART
    assert steg["användare"].status == start.KLART
    assert "Administratörer: 1, controller: 1, läsare: 0" in steg["användare"].detalj

    client.logout()
    assert client.post(reverse("login"), {"username": "norrvik-controller", "password": LÖSEN}).status_code == 302
    år = timezone.localdate().year
    assert client.get(reverse("översikt", args=[nämnd.pk, år])).status_code == 200
    assert client.get(reverse("kommun-kom-igang", args=[kommun.pk])).status_code == 403
    assert client.get(reverse("kommun-anvandare", args=[kommun.pk])).status_code == 403


def test_ändra_roll_och_ta_bort_behörighet(client, db):
    byggd = factories.annan_form_kommun()
    kommun = byggd.kommun
    admin = factories.admin(kommun, "ekeby-admin")
    läs = factories.läsare(kommun, "ekeby-lasare")
    b = läs.behörigheter.get()
    omsorg = byggd.nämnder["Omsorgsnämnden"]
    client.force_login(admin)
    url = reverse("kommun-anvandare-andra", args=[kommun.pk, b.pk])
    r = client.post(url, {"roll": "controller"})
    assert r.status_code == 400 and "En controller behöver minst en nämnd." in r.context["form"].errors["nämnder"]
    r = client.post(url, {"roll": "controller", "nämnder": [str(omsorg.pk)], "får_fastställa": "on"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert (b.roll, list(b.nämnder.all()), b.får_importera, b.får_fastställa) == ("controller", [omsorg], False, True)
    assert "Läsare / nämndledamot → Controller, nämnder: Omsorgsnämnden, får fastställa" in (
        LogEntry.objects.filter(object_id=str(läs.pk)).latest("pk").change_message
    )
    # The last administrator cannot demote or remove themselves.
    egen = admin.behörigheter.get()
    r = client.post(reverse("kommun-anvandare-andra", args=[kommun.pk, egen.pk]), {"roll": "läsare"})
    assert r.status_code == 400 and "minst en administratör" in " ".join(r.context["form"].errors["roll"])
    r = client.post(reverse("kommun-anvandare-ta-bort", args=[kommun.pk, egen.pk]))
    assert r.status_code == 400 and Behörighet.objects.filter(pk=egen.pk).exists()
    r = client.post(reverse("kommun-anvandare-ta-bort", args=[kommun.pk, b.pk]))
    assert r.status_code == 302 and not Behörighet.objects.filter(pk=b.pk).exists()
    assert User.objects.filter(pk=läs.pk).exists()  # the account stays


def test_annan_kommuns_admin_får_404_och_kan_inte_ta_en_annan_kommuns_användare(client, db):
    ekeby = factories.annan_form_kommun().kommun
    lillby = factories.liten_kommun()
    ekeby_admin = factories.admin(ekeby, "ekeby-admin")
    lillby_admin = factories.admin(lillby.kommun, "lillby-admin")
    lillby_ctrl = factories.controller(lillby.kommun, "lillby-controller", nämnder=[lillby.nämnd])
    b = lillby_ctrl.behörigheter.get()
    client.force_login(ekeby_admin)
    for url in (
        reverse("kommun-kom-igang", args=[lillby.kommun.pk]),
        reverse("kommun-anvandare", args=[lillby.kommun.pk]),
        reverse("kommun-anvandare-andra", args=[lillby.kommun.pk, b.pk]),
        reverse("kommun-anvandare-ta-bort", args=[lillby.kommun.pk, b.pk]),
        reverse("kommun-anvandare-andra", args=[ekeby.pk, b.pk]),  # Lillby's Behörighet under Ekeby's id
        reverse("kommun-anvandare-ta-bort", args=[ekeby.pk, b.pk]),
    ):
        assert client.get(url).status_code == 404, url
        if "kom-igang" not in url:
            assert client.post(url, {"roll": "läsare"}).status_code == 404, url
    assert Behörighet.objects.get(pk=b.pk).roll == "controller"

    # Linking Lillby's controller (who has a role in a kommun Ekeby's admin does not administer) is refused.
    före = antal()
    r = client.post(
        reverse("kommun-anvandare", args=[ekeby.pk]),
        {"användarnamn": "lillby-controller", "roll": "läsare", "lösenord1": LÖSEN, "lösenord2": LÖSEN},
    )
    assert r.status_code == 400
    assert "behörighet i en kommun som du inte administrerar" in " ".join(r.context["form"].errors["användarnamn"])
    assert antal() == före
    assert lillby_ctrl.check_password(factories.LÖSENORD)

    # An account without any role, or with roles only in kommuner the admin administers, is linked as it is.
    fri = User.objects.create_user("fristående", password="ett-annat-lösen-88")
    r = client.post(reverse("kommun-anvandare", args=[ekeby.pk]), {"användarnamn": "fristående", "roll": "läsare"})
    assert r.status_code == 302
    assert fri.behörigheter.get().kommun == ekeby
    fri.refresh_from_db()
    assert fri.check_password("ett-annat-lösen-88")
    # Lillby's admin may now not link it: it has a role in Ekeby.
    client.force_login(lillby_admin)
    r = client.post(
        reverse("kommun-anvandare", args=[lillby.kommun.pk]), {"användarnamn": "fristående", "roll": "läsare"}
    )
    assert r.status_code == 400 and fri.behörigheter.count() == 1


def test_kontroller_och_läsare_får_403(client, db):
    byggd = factories.annan_form_kommun()
    for user in (factories.controller(byggd.kommun, nämnder=[byggd.nämnd]), factories.läsare(byggd.kommun)):
        client.force_login(user)
        for namn in ("kommun-kom-igang", "kommun-anvandare"):
            assert client.get(reverse(namn, args=[byggd.kommun.pk])).status_code == 403


def test_checklistan_räknar_en_kommun_med_siffror(db, django_assert_max_num_queries):
    """annan_form_kommun in 2025: three nämnder valid in the year, all with budget and utfall; its areas have no
    codes (organisation delvis); no users but the admin; a layout of the delårsrapport; nothing fastställt."""
    byggd = factories.annan_form_kommun()
    factories.admin(byggd.kommun)
    factories.controller(byggd.kommun)  # a controller without nämnd
    with django_assert_max_num_queries(3):
        lista = start.checklista(byggd.kommun, factories.ÅR)
    steg = {s.nyckel: s for s in lista.steg}
    assert steg["organisation"].status == start.DELVIS
    assert steg["organisation"].detalj == (
        "3 nämnder, 8 verksamhetsområden (0 av 6 med ansvars- eller verksamhetskoder), 0 kostnadsslag."
    )
    assert steg["användare"].status == start.DELVIS
    assert steg["layout"].status == start.KLART
    assert steg["budget"].status == start.KLART and steg["budget"].detalj == "3 av 3 nämnder har budget 2025."
    assert steg["utfall"].status == start.KLART
    assert steg["rapport"].status == start.DELVIS
    assert [länk.url for länk in steg["rapport"].länkar] == [
        reverse("rapport", args=[byggd.nämnder[n].pk, 2025, "delårsrapport"])
        for n in ("Omsorgsnämnden", "Social- och arbetsmarknadsnämnden", "Socialnämnden")
    ]
    assert reverse("mallimport-ladda-upp", args=[byggd.nämnder["Socialnämnden"].pk, "budgetkonto"]) in [
        länk.url for länk in steg["budget"].länkar
    ]
    # Without a year: the latest with figures.
    with django_assert_max_num_queries(4):
        assert start.checklista(byggd.kommun).år == factories.ÅR
    # Next year's budget does not move the checklist past this year.
    i_år = timezone.localdate().year
    factories.BudgetpostFactory(verksamhetsområde=byggd.områden["Hemtjänst"], år=i_år + 1, slag="kf", belopp=1)
    assert start.checklista(byggd.kommun).år == i_år
    # The next year: nämnder that ended in 2025 are not counted; nobody has figures yet.
    nästa = {s.nyckel: s for s in start.checklista(byggd.kommun, factories.ÅR + 1).steg}
    assert nästa["budget"].detalj == "0 av 2 nämnder har budget 2026." and nästa["budget"].status == start.INTE_PÅBÖRJAT
