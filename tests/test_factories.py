"""The test-data builders give the figures their docstrings promise (so tests can compute expectations by hand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ekonomi import selectors
from ekonomi.models import Utfall
from nämnd.models import Behörighet, Kommun, Verksamhetsområde
from rapporter.rapport import bygg_rapport
from tests import factories

pytestmark = pytest.mark.django_db
M = Decimal(1_000_000)


def _superuser():
    return factories.UserFactory(username="super", is_superuser=True)


def test_annan_form_kommun_har_sin_form():
    b = factories.annan_form_kommun(2025)
    assert b.kommun.beloppsenhet == Kommun.Beloppsenhet.MNKR and b.kommun.kostnader_negativa
    omsorg, gamla, social = (
        b.nämnder[n] for n in ("Omsorgsnämnden", "Social- och arbetsmarknadsnämnden", "Socialnämnden")
    )
    # No blocks in the Omsorgsnämnden; three levels in the Socialnämnden.
    assert not Verksamhetsområde.objects.filter(nämnd=omsorg, typ="block").exists()
    assert b.områden["Familjehem"].förälder.förälder.typ == "block"
    # The split on 1 July: two nämnder in every month.
    assert gamla.månader(2025) == [1, 2, 3, 4, 5, 6] and social.månader(2025) == list(range(7, 13))
    assert list(social.föregångare.all()) == [gamla]
    assert dt.date(2025, 6, 30) == gamla.giltig_till


def test_annan_form_kommun_siffror():
    b = factories.annan_form_kommun(2025)
    underlag = {o.namn: o for o in selectors.ekonomiunderlag(_superuser(), [b.nämnder["Omsorgsnämnden"]], 2025, 12)}
    # Hemtjänst: 2 mnkr × 12 months; Särskilt boende: 3.5 mnkr × 12.
    assert underlag["Hemtjänst"].utfall_period == 24 * M
    assert underlag["Särskilt boende"].utfall_period == 42 * M
    # Socialnämnden's enheter: utfall only July–December.
    social = {o.namn: o for o in selectors.ekonomiunderlag(_superuser(), [b.nämnder["Socialnämnden"]], 2025, 8)}
    assert social["HVB"].utfall_period == Decimal("1.5") * M * 2
    assert Utfall.objects.for_kommun(b.kommun).filter(år=2025).count() == 12 + 12 + 6 + 6 + 6 + 6


def test_liten_kommun_siffror():
    b = factories.liten_kommun(2025)
    underlag = {o.namn: o for o in selectors.ekonomiunderlag(_superuser(), [b.nämnd], 2025, 8)}
    assert underlag["Boende"].utfall_period == 2_000_000
    assert underlag["Hemtjänst"].utfall_period_fg == 800_000 and underlag["Hemtjänst"].utfall_helår_fg == 1_200_000


def test_användare_med_roller():
    kommun = factories.KommunFactory()
    nämnd = factories.NämndFactory(kommun=kommun)
    a = factories.admin(kommun, "a")
    c = factories.controller(kommun, "c", nämnder=[nämnd])
    läs = factories.läsare(kommun, "l", får_importera=True)
    assert a.check_password(factories.LÖSENORD)
    ba, bc, bl = (Behörighet.objects.get(user=u) for u in (a, c, läs))
    assert (ba.roll, ba.får_fastställa, bc.roll, list(bc.nämnder.all())) == ("admin", True, "controller", [nämnd])
    assert (bl.roll, bl.får_importera, bl.får_fastställa) == ("läsare", True, False)


def test_syntetisk_nämnd_storlek():
    nämnd = factories.syntetisk_nämnd(factories.KommunFactory(), 2, 3)
    assert Verksamhetsområde.objects.filter(nämnd=nämnd).count() == 2 + 6
    assert Utfall.objects.filter(verksamhetsområde__nämnd=nämnd).count() == 6 * 20


def test_annan_form_kommun_med_delår_i_juni():
    b = factories.annan_form_kommun(2024, delårsmånad=6)
    rapport = bygg_rapport(_superuser(), b.nämnder["Omsorgsnämnden"], 2024, "delårsrapport")
    assert rapport.månad == 6 and rapport.period_text == "Delårsrapport per 30 juni 2024"
