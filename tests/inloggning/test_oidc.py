"""Single sign-on against a local OIDC provider on loopback (oidc_provider.py): the whole authorization code flow
with the Django test client, roles from groups, refusals, tampered tokens, tenant isolation, local login."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse

from inloggning import regler
from inloggning.models import Inloggningsregel, OidcKoppling, RegelstyrdBehörighet
from nämnd.models import Behörighet, Dataversion, Kommun, Nämnd
from tests import factories
from tests.conftest import skapa_användare

from .oidc_provider import OidcProvider

User = get_user_model()
Roll = Behörighet.Roll


@pytest.fixture(autouse=True)
def _snabba_lösenord(settings):
    """Password hashing is not under test here; PBKDF2 would take most of these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _provider():
    provider = OidcProvider()
    yield provider
    provider.stäng()


@pytest.fixture
def provider(_provider, settings):
    _provider.återställ()
    for namn, värde in _provider.inställningar().items():
        setattr(settings, namn, värde)
    return _provider


@pytest.fixture
def solna(db) -> Kommun:
    kommun = Kommun.objects.create(namn="Solna kommun", kommunkod="0184")
    Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2019, 1, 1))
    Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(2019, 1, 1))
    return kommun


@pytest.fixture
def sundbyberg(db) -> Kommun:
    kommun = Kommun.objects.create(namn="Sundbybergs stad", kommunkod="0183")
    Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2019, 1, 1))
    return kommun


def regel(kommun, värde, roll=Roll.LÄSARE, claim="groups", nämnder=(), **rättigheter) -> Inloggningsregel:
    r = Inloggningsregel.objects.create(kommun=kommun, claim=claim, värde=värde, roll=roll, **rättigheter)
    r.nämnder.set(nämnder)
    return r


def person(sub="anna-1", grupper=(), **claims) -> dict:
    return {
        "sub": sub,
        "email": f"{sub}@kommun.example",
        "email_verified": True,
        "preferred_username": sub,
        "given_name": "Anna",
        "family_name": "Andersson",
        "groups": list(grupper),
        **claims,
    }


def sso(client, provider, claims, next_url=None):
    """The browser's part of the flow: our start URL → provider's /authorize (followed with plain requests, as a
    browser would after the user signed in there) → our callback with the provider's code and state."""
    provider.nästa = claims
    start = reverse("oidc_authentication_init") + (f"?next={quote(next_url)}" if next_url else "")
    r = client.get(start)
    assert r.status_code == 302 and r["Location"].startswith(f"{provider.url}/authorize?"), r
    hos_leverantören = requests.get(r["Location"], allow_redirects=False, timeout=5)
    assert hos_leverantören.status_code == 302
    åter = urlsplit(hos_leverantören.headers["Location"])
    assert (åter.netloc, åter.path) == ("testserver", reverse("oidc_authentication_callback"))
    return client.get(f"{åter.path}?{åter.query}")


def inloggad(client):
    return client.get(reverse("start")).wsgi_request.user


# --- the flow --------------------------------------------------------------------------------------------------


def test_första_inloggningen_skapar_användare_med_behörighet_från_grupper(client, provider, solna, sundbyberg):
    controller_grupp = regel(
        solna,
        "sg-soc-controller",
        Roll.CONTROLLER,
        nämnder=solna.nämnder.filter(namn="Socialnämnden"),
        får_importera=True,
    )
    regel(sundbyberg, "sundbyberg-admin", Roll.ADMIN)

    r = sso(client, provider, person(grupper=["sg-soc-controller", "alla-anställda"]))

    assert r.status_code == 302 and r["Location"] == reverse("start")
    user = inloggad(client)
    assert user.is_authenticated and user.username == "anna-1"
    assert (user.email, user.first_name, user.last_name) == ("anna-1@kommun.example", "Anna", "Andersson")
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    b = Behörighet.objects.get(user=user)
    assert (b.kommun, b.roll, b.får_importera, b.får_fastställa) == (solna, Roll.CONTROLLER, True, False)
    assert list(b.nämnder.all()) == list(controller_grupp.nämnder.all())
    assert RegelstyrdBehörighet.objects.filter(behörighet=b).exists()
    assert OidcKoppling.objects.get(user=user).sub == "anna-1"
    assert provider.anrop == ["GET /authorize", "POST /token", "GET /jwks", "GET /userinfo"]
    sida = client.get(reverse("start")).content.decode()
    assert "Solna kommun" in sida and "Sundbyberg" not in sida


def test_next_följer_med_genom_flödet(client, provider, solna):
    regel(solna, "läsare")
    r = sso(client, provider, person(grupper=["läsare"]), next_url="/ekonomi/")
    assert r.status_code == 302 and r["Location"] == "/ekonomi/"
    r = sso(client, provider, person(grupper=["läsare"]), next_url="https://elak.example/")
    assert r["Location"] == reverse("start")  # only our own host


def test_andra_inloggningen_följer_ändrade_grupper(client, provider, solna, sundbyberg):
    regel(solna, "solna-läsare")
    regel(solna, "solna-controller", Roll.CONTROLLER, nämnder=solna.nämnder.all(), får_fastställa=True)
    regel(sundbyberg, "sundbyberg-läsare")

    sso(client, provider, person(grupper=["solna-läsare"]))
    user = inloggad(client)
    assert Behörighet.objects.get(user=user).roll == Roll.LÄSARE
    client.logout()

    sso(client, provider, person(grupper=["solna-läsare", "solna-controller", "sundbyberg-läsare"]))
    assert inloggad(client) == user and User.objects.count() == 1
    i_solna = Behörighet.objects.get(user=user, kommun=solna)
    assert (i_solna.roll, i_solna.får_fastställa, i_solna.nämnder.count()) == (Roll.CONTROLLER, True, 2)
    assert Behörighet.objects.get(user=user, kommun=sundbyberg).roll == Roll.LÄSARE
    client.logout()

    # Removed from every Solna group: the Solna Behörighet goes, Sundbyberg stays.
    sso(client, provider, person(grupper=["sundbyberg-läsare"]))
    assert list(Behörighet.objects.filter(user=user).values_list("kommun", "roll")) == [(sundbyberg.pk, Roll.LÄSARE)]
    sida = client.get(reverse("start")).content.decode()
    assert "Sundbybergs stad" in sida and "Solna" not in sida


def test_högsta_rollen_vinner_och_rättigheterna_läggs_ihop(provider, solna):
    soc, oms = (Nämnd.objects.get(kommun=solna, namn=namn) for namn in ("Socialnämnden", "Omsorgsnämnden"))
    regel(solna, "a", Roll.LÄSARE, får_fastställa=True)
    regel(solna, "b", Roll.ADMIN)
    regel(solna, "c", Roll.CONTROLLER, nämnder=[soc], får_importera=True)
    regel(solna, "d", Roll.CONTROLLER, nämnder=[oms])
    t = regler.tilldelningar(regler.matchande_regler(person(grupper=["a", "b", "c", "d", "x"])))
    assert t == {solna.pk: regler.Tilldelning(Roll.ADMIN, {soc.pk, oms.pk}, True, True)}
    t = regler.tilldelningar(regler.matchande_regler(person(grupper=["a", "d"])))
    assert t == {solna.pk: regler.Tilldelning(Roll.CONTROLLER, {oms.pk}, False, True)}


def test_claim_som_text_och_nästlat_claim(provider, solna, sundbyberg):
    regel(solna, "Socialförvaltningen", claim="department")
    regel(sundbyberg, "rapport-admin", Roll.ADMIN, claim="realm_access.roles")
    regel(sundbyberg, "x", claim="https://kommun.example/claims/roller")
    claims = person(
        department="Socialförvaltningen",
        realm_access={"roles": ["rapport-admin"]},
        **{"https://kommun.example/claims/roller": ["x"]},
    )
    t = regler.tilldelningar(regler.matchande_regler(claims))
    assert {k: v.roll for k, v in t.items()} == {solna.pk: Roll.LÄSARE, sundbyberg.pk: Roll.ADMIN}
    assert regler.matchande_regler(person(department="Socialförvaltningen x")) == []


def test_oförändrad_inloggning_skriver_inget_och_rör_inte_rapportcachen(client, provider, solna):
    regel(solna, "controller", Roll.CONTROLLER, nämnder=solna.nämnder.all())
    sso(client, provider, person(grupper=["controller"]))
    version = Dataversion.objects.get(kommun_id=solna.pk).version
    client.logout()
    sso(client, provider, person(grupper=["controller"]))
    assert inloggad(client).is_authenticated
    assert Dataversion.objects.get(kommun_id=solna.pk).version == version


# --- refusals --------------------------------------------------------------------------------------------------


def test_ingen_matchande_regel_nekas_och_ingen_användare_skapas(client, provider, solna):
    regel(solna, "socialrapport-läsare")
    r = sso(client, provider, person(grupper=["alla-anställda"]))
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert not inloggad(client).is_authenticated
    assert not User.objects.exists() and not OidcKoppling.objects.exists()
    sida = client.get(r["Location"]).content.decode()
    assert "Ditt konto hos kommunen ger ingen behörighet i Socialrapport" in sida
    assert 'role="alert"' in sida


def test_borttagen_ur_alla_grupper_nekas_och_förlorar_regelstyrd_behörighet(client, provider, solna, sundbyberg):
    regel(solna, "läsare")
    sso(client, provider, person(grupper=["läsare"]))
    user = inloggad(client)
    manuell = Behörighet.objects.create(user=user, kommun=sundbyberg, roll=Roll.LÄSARE)  # made by hand in the admin
    client.logout()

    r = sso(client, provider, person(grupper=[]))
    assert r["Location"] == reverse("login") and not inloggad(client).is_authenticated
    assert list(Behörighet.objects.filter(user=user)) == [manuell]  # the hand-made one is not the rules' to remove


def test_manuell_behörighet_ändras_inte_av_reglerna(client, provider, solna):
    regel(solna, "läsare")
    befintlig = skapa_användare("anna", solna, roll=Roll.ADMIN, får_fastställa=True)
    befintlig.email = "Anna-1@Kommun.example"
    befintlig.save()

    sso(client, provider, person(grupper=["läsare"]))
    assert inloggad(client) == befintlig  # linked by email, no second user
    assert User.objects.count() == 1 and OidcKoppling.objects.get().user == befintlig
    b = Behörighet.objects.get(user=befintlig)
    assert (b.roll, b.får_fastställa) == (Roll.ADMIN, True)
    assert not RegelstyrdBehörighet.objects.exists()


@pytest.mark.parametrize("fall", ["superuser", "annan_kommun", "overifierad"])
def test_epost_kopplar_inte_konton_värda_mer_än_reglerna_ger(client, provider, solna, sundbyberg, fall):
    regel(solna, "läsare")
    befintlig = User.objects.create_user(
        "lokal", email="anna-1@kommun.example", password="hemligt-lösen-1", is_superuser=fall == "superuser"
    )
    if fall == "annan_kommun":
        Behörighet.objects.create(user=befintlig, kommun=sundbyberg, roll=Roll.ADMIN)
    claims = person(grupper=["läsare"], email_verified=fall != "overifierad")

    r = sso(client, provider, claims)

    if fall == "overifierad":  # an unverified email is not used for matching: a new user of its own
        assert inloggad(client) != befintlig and User.objects.count() == 2
        return
    assert r["Location"] == reverse("login") and not inloggad(client).is_authenticated
    assert User.objects.count() == 1 and not OidcKoppling.objects.exists()
    assert "kan inte kopplas" in client.get(reverse("login")).content.decode()


def test_sub_gäller_före_epost(client, provider, solna):
    regel(solna, "läsare")
    sso(client, provider, person(grupper=["läsare"]))
    user = inloggad(client)
    client.logout()
    sso(client, provider, person(grupper=["läsare"], email="anna.nytt.namn@kommun.example"))
    assert inloggad(client) == user
    user.refresh_from_db()
    assert user.email == "anna.nytt.namn@kommun.example"


def test_avstängt_konto_släpps_inte_in(client, provider, solna):
    regel(solna, "läsare")
    sso(client, provider, person(grupper=["läsare"]))
    User.objects.update(is_active=False)
    client.logout()
    r = sso(client, provider, person(grupper=["läsare"]))
    assert r["Location"] == reverse("login") and not inloggad(client).is_authenticated
    assert "avstängt" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "manipulation",
    [
        "fel_nyckel",
        "fel_mottagare",
        "fel_utfärdare",
        "utgången",
        "fel_nonce",
        "osignerad",
    ],
)
def test_manipulerad_id_token_nekas(client, provider, solna, manipulation):
    regel(solna, "läsare")
    if manipulation == "fel_nyckel":
        provider.signera_med_fel_nyckel = True  # same kid, another key: the signature doesn't verify
    elif manipulation == "osignerad":
        provider.osignerad = True  # alg "none"
    else:
        provider.id_token_ändring = {
            "fel_mottagare": {"aud": "en-annan-klient"},
            "fel_utfärdare": {"iss": "https://elak.example"},
            "utgången": {"exp": 1_000_000_000, "iat": 999_999_000},
            "fel_nonce": {"nonce": "fel"},
        }[manipulation]
    r = sso(client, provider, person(grupper=["läsare"]))
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert not inloggad(client).is_authenticated
    assert not User.objects.exists()
    assert "Inloggningen med kommunens konto misslyckades" in client.get(reverse("login")).content.decode()


def test_återanvänd_eller_okänd_state_nekas_utan_serverfel(client, provider, solna):
    regel(solna, "läsare")
    sso(client, provider, person(grupper=["läsare"]))
    client.logout()
    r = client.get(reverse("oidc_authentication_callback") + "?code=gammal&state=gissad")
    assert r.status_code == 302 and r["Location"] == reverse("login")
    client.get(reverse("oidc_authentication_init"))  # a session with a real state, but not this one
    r = client.get(reverse("oidc_authentication_callback") + "?code=gammal&state=gissad")
    assert r.status_code == 302 and r["Location"] == reverse("login")
    assert not inloggad(client).is_authenticated


def test_avbruten_hos_leverantören(client, provider, solna):
    r = sso(client, provider, {})  # the provider answers error=access_denied
    assert r["Location"] == reverse("login")
    assert "Inloggningen med kommunens konto avbröts" in client.get(reverse("login")).content.decode()


def test_nekade_inloggningar_spärrar_inte_kontorets_ip_adress(client, provider, solna, settings):
    regel(solna, "läsare")
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        r = sso(client, provider, person(sub=f"obehörig-{i}", grupper=["annat"]))
        assert r["Location"] == reverse("login")
    r = sso(client, provider, person(grupper=["läsare"]))
    assert r["Location"] == reverse("start") and inloggad(client).is_authenticated


# --- tenant isolation, local accounts, configuration -----------------------------------------------------------


def test_sso_användare_i_en_kommun_ser_inte_en_annan(client, provider, annan_kommun):
    ekeby = factories.annan_form_kommun(2025)
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    regel(annan_kommun, "taby-socialtjänst", Roll.CONTROLLER, nämnder=annan_kommun.nämnder.all())
    sso(client, provider, person(grupper=["taby-socialtjänst"]))
    start = client.get(reverse("start")).content.decode()
    assert "Täby kommun" in start and "Ekeby" not in start
    for url in (
        reverse("rapport", args=[omsorg.pk, 2025, "delårsrapport"]),
        reverse("översikt", args=[omsorg.pk, 2025]),
    ):
        r = client.get(url)
        assert r.status_code == 404 and b"Ekeby" not in r.content
    client.force_login(factories.admin(ekeby.kommun, "ekeby-admin"))  # the pages exist: 404 above is isolation
    for url in (
        reverse("rapport", args=[omsorg.pk, 2025, "delårsrapport"]),
        reverse("översikt", args=[omsorg.pk, 2025]),
    ):
        assert client.get(url).status_code == 200


def test_lokal_inloggning_fungerar_och_sidan_visar_sso_länken(client, provider, solna):
    skapa_användare("lokal-admin", solna, roll=Roll.ADMIN)
    sida = client.get(reverse("login") + "?next=/ekonomi/").content.decode()
    assert f'href="{reverse("oidc_authentication_init")}?next=/ekonomi/"' in sida
    assert "Logga in med kommunens konto" in sida
    r = client.post(reverse("login"), {"username": "lokal-admin", "password": "hemligt-lösen-1", "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert inloggad(client).username == "lokal-admin"
    assert provider.anrop == []  # a password login never talks to the provider
    client.logout()
    r = client.post(reverse("login"), {"username": "lokal-admin", "password": "fel"})
    assert r.status_code == 200 and "Fel användarnamn eller lösenord" in r.content.decode()


def test_lösenordsförsök_spärras_fortfarande(client, provider, solna, settings):
    """The exemption of the OIDC callback from django-axes does not reach the password form."""
    skapa_användare("lokal", solna)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lokal", "password": "fel"})
    r = client.post(reverse("login"), {"username": "lokal", "password": "hemligt-lösen-1"})
    assert r.status_code == 429 and not inloggad(client).is_authenticated


def test_utan_oidc_inställningar_ingen_länk_och_404(client, db, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert "kommunens konto" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404


def test_halvt_inställd_oidc_ger_varning(settings):
    from inloggning.checks import oidc_inställningar

    settings.OIDC_RP_CLIENT_ID = "socialrapport"
    for namn in (
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        setattr(settings, namn, "")
    varningar = oidc_inställningar(None)
    assert [v.id for v in varningar] == ["inloggning.W001"] and "OIDC_OP_JWKS_ENDPOINT" in varningar[0].hint


def test_backendordning(settings):
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "inloggning.backend.KommunOIDCBackend",
    ]


def test_sso_sessionen_har_en_övre_gräns(client, provider, solna, settings):
    settings.OIDC_SESSION_AGE = 3600
    regel(solna, "läsare")
    sso(client, provider, person(grupper=["läsare"]))
    assert 3500 < client.session.get_expiry_age() <= 3600


def test_admin_regler_avgränsas_per_kommun(client, solna, sundbyberg):
    from django.contrib.auth.models import Permission

    regel(solna, "solna-grupp")
    regel(sundbyberg, "sundbyberg-grupp")
    admin = skapa_användare("solna-admin", solna, roll=Roll.ADMIN)
    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="inloggning"))
    client.force_login(admin)
    lista = client.get(reverse("admin:inloggning_inloggningsregel_changelist")).content.decode()
    assert "solna-grupp" in lista and "sundbyberg-grupp" not in lista
    annan = Inloggningsregel.objects.get(värde="sundbyberg-grupp")
    assert client.get(reverse("admin:inloggning_inloggningsregel_change", args=[annan.pk])).status_code == 302
    # Identity links name users of every kommun: superusers only.
    assert client.get(reverse("admin:inloggning_oidckoppling_changelist")).status_code == 403
    assert client.get(reverse("admin:inloggning_regelstyrdbehörighet_changelist")).status_code == 200
    client.force_login(User.objects.create_superuser("su", password="x"))
    for namn in ("inloggningsregel", "oidckoppling", "regelstyrdbehörighet"):
        assert client.get(reverse(f"admin:inloggning_{namn}_changelist")).status_code == 200
