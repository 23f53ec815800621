"""Closing and reopening periods from the dashboard: edits are refused while closed and allowed after
reopening; both are recorded in Period.history with user and reason."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekonomi.models import Utfall
from ekonomi.services import Gridrad, spara_månad
from nämnd.models import Period, Verksamhetsområde
from nämnd.services import stäng, öppna
from nämnd.vakt import Låst, Slag, Vakt, Ändring
from tests import factories
from tests.conftest import skapa_användare


@pytest.fixture
def nämnd(db):
    """A small kommun of the demo's shape (tkr), figures for 2023."""
    return factories.liten_kommun(2023).nämnd


@pytest.fixture
def läsare(nämnd):
    return factories.läsare(nämnd.kommun, "lasare-lillby")


@pytest.fixture
def controller(nämnd):
    user = skapa_användare("controller-lillby", nämnd.kommun, "controller")
    user.behörigheter.get().nämnder.set([nämnd])
    return user


@pytest.fixture
def admin(nämnd):
    return skapa_användare("admin-lillby", nämnd.kommun, "admin")


@pytest.fixture
def hemtjänst(nämnd):
    return Verksamhetsområde.objects.get(nämnd=nämnd, namn="Hemtjänst")


def perioder_url(nämnd, år=2023):
    return reverse("perioder", args=[nämnd.id, år])


def ändra_utfall(user, nämnd, vo, belopp: Decimal):
    u = Utfall.objects.get(verksamhetsområde=vo, år=2023, månad=8, kostnadsslag__isnull=True, kategori="")
    return spara_månad(
        user,
        nämnd,
        2023,
        8,
        [
            Gridrad(
                vo.id,
                utfall=belopp,
                prognos=None,
                kommentar="",
                utfall_före=u.belopp,
                utfall_version=u.version,
            )
        ],
    )


def stängda(kommun, år=2023):
    return sorted(Period.objects.filter(kommun=kommun, år=år, stängd=True).values_list("månad", flat=True))


def test_stängd_månad_låser_och_öppnad_går_att_ändra_igen(client, nämnd, controller, admin, hemtjänst):
    kommun = nämnd.kommun
    client.force_login(controller)
    r = client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "månad", "månad": 8})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard", args=[nämnd.id, 2023])
    assert stängda(kommun) == [8]

    with pytest.raises(Låst, match="Perioden 2023-08 är stängd"):
        ändra_utfall(controller, nämnd, hemtjänst, Decimal("123456.00"))
    vakt = Vakt.för(controller, nämnd, 2023)
    with pytest.raises(Låst):
        vakt.kräv([Ändring(Slag.MÅNADSVÄRDE, 2023, m) for m in (7, 8)])
    vakt.kräv([Ändring(Slag.MÅNADSVÄRDE, 2023, m) for m in (7, 9)])  # other months stay open

    # A controller may close but not reopen.
    r = client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [8], "orsak": "Rättelse"})
    assert r.status_code == 403
    assert stängda(kommun) == [8]

    client.force_login(admin)
    r = client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [8], "orsak": ""}, follow=True)
    assert "Ange varför perioden öppnas igen." in r.content.decode()
    assert stängda(kommun) == [8]
    client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [8], "orsak": "Rättelse av felbokning"})
    assert stängda(kommun) == []

    ändra_utfall(controller, nämnd, hemtjänst, Decimal("123456.00"))
    assert Utfall.objects.get(verksamhetsområde=hemtjänst, år=2023, månad=8, kategori="").belopp == Decimal("123456.00")

    # services.stäng creates the period (open) and then closes it: the creation itself is not an event.
    historik = list(
        Period.history.filter(kommun=kommun, år=2023, månad=8)
        .exclude(history_type="+", stängd=False)
        .order_by("history_date", "history_id")
    )
    assert [(h.stängd, h.history_user, h.history_change_reason) for h in historik] == [
        (True, controller, None),
        (False, admin, "Rättelse av felbokning"),
    ]
    assert historik[0].stängd_av == controller and historik[0].stängd_tid is not None

    # The dashboard shows the same history, newest first.
    s = BeautifulSoup(client.get(reverse("dashboard", args=[nämnd.id, 2023])).content, "html.parser")
    rader = [
        [td.get_text(strip=True) for td in tr.find_all(["td", "th"])]
        for tr in s.find("table", id="periodhistorik").tbody.find_all("tr")
    ]
    assert [r[1:] for r in rader] == [
        ["2023-08", "Öppnad igen", "admin-lillby", "Rättelse av felbokning"],
        ["2023-08", "Stängd", "controller-lillby", "–"],
    ]


def test_stäng_delår_och_helår(client, nämnd, controller):
    client.force_login(controller)
    client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "delår"})
    assert stängda(nämnd.kommun) == list(range(1, 9))
    client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "helår"})
    assert stängda(nämnd.kommun) == list(range(1, 13))
    # Closing again changes nothing and records nothing new.
    assert Period.history.filter(kommun=nämnd.kommun, år=2023, stängd=True).count() == 12


def test_öppna_flera_månader_med_en_orsak(client, nämnd, admin):
    stäng(admin, nämnd.kommun, 2023, range(1, 13))
    client.force_login(admin)
    s = BeautifulSoup(client.get(reverse("dashboard", args=[nämnd.id, 2023])).content, "html.parser")
    assert len(s.find_all("input", attrs={"name": "månader"})) == 12
    client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [11, 12], "orsak": "Bokslutsjustering"})
    assert stängda(nämnd.kommun) == list(range(1, 11))
    assert set(
        Period.history.filter(kommun=nämnd.kommun, stängd=False, history_type="~").values_list(
            "månad", "history_change_reason"
        )
    ) == {(11, "Bokslutsjustering"), (12, "Bokslutsjustering")}


def test_för_lång_orsak_och_öppen_månad_vägras(client, nämnd, admin):
    stäng(admin, nämnd.kommun, 2023, [3])
    client.force_login(admin)
    r = client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [3], "orsak": "x" * 101}, follow=True)
    assert "som mest 100 tecken" in r.content.decode()
    r = client.post(perioder_url(nämnd), {"atgard": "oppna", "månader": [4], "orsak": "Fel"}, follow=True)
    assert "Välj ett giltigt alternativ" in r.content.decode()
    assert stängda(nämnd.kommun) == [3]


def test_stäng_månad_kräver_månad(client, nämnd, controller):
    client.force_login(controller)
    r = client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "månad"}, follow=True)
    assert "Välj vilken månad som ska stängas." in r.content.decode()
    assert client.post(perioder_url(nämnd), {"atgard": "okänd"}).status_code == 400


def test_läsare_och_annan_kommun_får_inte_stänga(client, nämnd, läsare, annan_kommun):
    client.force_login(läsare)
    assert client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "helår"}).status_code == 403
    client.force_login(skapa_användare("admin-taby", annan_kommun, "admin"))
    assert client.post(perioder_url(nämnd), {"atgard": "stang", "omfattning": "helår"}).status_code == 404
    assert client.get(perioder_url(nämnd)).status_code in (404, 405)
    assert stängda(nämnd.kommun) == []


def test_tjänsterna_kräver_roll_och_orsak(nämnd, läsare, controller, admin):
    kommun = nämnd.kommun
    with pytest.raises(PermissionDenied):
        stäng(läsare, kommun, 2023, [1])
    stäng(controller, kommun, 2023, [1])
    with pytest.raises(PermissionDenied):
        öppna(controller, kommun, 2023, [1], "Rättelse")
    with pytest.raises(ValidationError, match="Ange varför"):
        öppna(admin, kommun, 2023, [1], "   ")
    assert stängda(kommun) == [1]
