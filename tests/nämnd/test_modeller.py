"""Organisation and validation: invalid input is refused with a clear Swedish message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ekonomi.models import Budgetpost, Utfall
from nyckeltal.models import Nyckeltal, Nyckeltalsgrupp, Nyckeltalsvärde
from nämnd.models import Kommun, Nämnd, Period, Verksamhetsområde


@pytest.fixture
def kommun(db):
    return Kommun.objects.create(namn="Testkommun")


@pytest.fixture
def nämnd(kommun):
    return Nämnd.objects.create(kommun=kommun, namn="Socialnämnden")


@pytest.fixture
def vo(nämnd):
    return Verksamhetsområde.objects.create(nämnd=nämnd, namn="Hemtjänst")


def test_månad_utanför_1_12_vägras_med_tydligt_meddelande(vo):
    with pytest.raises(ValidationError) as fel:
        Utfall(verksamhetsområde=vo, år=2023, månad=13, belopp=Decimal(1)).full_clean()
    assert "Månad måste vara 1–12." in fel.value.message_dict["månad"]
    with pytest.raises(ValidationError, match="Månad måste vara 1–12"):
        Period(kommun=vo.nämnd.kommun, år=2023, månad=0).full_clean()


def test_månad_utanför_1_12_vägras_även_av_databasen(vo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Utfall.objects.create(verksamhetsområde=vo, år=2023, månad=13, belopp=Decimal(1))


def test_budget_utan_år_vägras(vo):
    with pytest.raises(ValidationError) as fel:
        Budgetpost(verksamhetsområde=vo, slag="kf", belopp=Decimal(100)).full_clean()
    assert "år" in fel.value.message_dict


def test_tillägg_kräver_kommentar_och_kf_budget_är_unik(vo):
    with pytest.raises(ValidationError, match="skälet"):
        Budgetpost(verksamhetsområde=vo, år=2023, slag="tillägg", belopp=Decimal(5)).full_clean()
    Budgetpost.objects.create(verksamhetsområde=vo, år=2023, slag="kf", belopp=Decimal(100))
    with pytest.raises(ValidationError, match="Det finns redan en sådan budget"):
        Budgetpost(verksamhetsområde=vo, år=2023, slag="kf", belopp=Decimal(200)).full_clean()
    # Several tillägg och avdrag per year are normal.
    for i in range(2):
        Budgetpost.objects.create(verksamhetsområde=vo, år=2023, slag="tillägg", belopp=Decimal(i), kommentar="Lön")


def test_verksamhetsområde_under_annan_kommuns_träd_vägras(vo):
    annan = Nämnd.objects.create(kommun=Kommun.objects.create(namn="Annan kommun"), namn="Socialnämnden")
    främmande = Verksamhetsområde(nämnd=annan, namn="Äldreomsorg", förälder=vo)
    with pytest.raises(ValidationError) as fel:
        främmande.full_clean()
    assert fel.value.message_dict["förälder"] == [
        "Ett verksamhetsområde kan inte ligga under en annan kommuns verksamhetsområde."
    ]


def test_verksamhetsområde_kan_inte_ligga_under_sig_självt(vo):
    barn = Verksamhetsområde.objects.create(nämnd=vo.nämnd, namn="Enhet 1", förälder=vo, typ="enhet")
    vo.förälder = barn
    with pytest.raises(ValidationError, match="under sig självt"):
        vo.full_clean()


def test_koder_med_jokertecken(vo):
    vo.ansvarskoder = "3110, 74*"
    vo.full_clean()
    assert vo.matchar(ansvar="3110") and vo.matchar(ansvar="742040") and not vo.matchar(ansvar="7500")
    vo.ansvarskoder = "7*4"
    with pytest.raises(ValidationError, match="jokertecken"):
        vo.full_clean()


def test_nämnd_delad_1_juni_representeras(kommun):
    """Täby: the Socialnämnd became a social- and an äldrenämnd on 1 June 2023."""
    gamla = Nämnd.objects.create(
        kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2019, 1, 1), giltig_till=dt.date(2023, 5, 31)
    )
    nya_social = Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2023, 6, 1))
    äldre = Nämnd.objects.create(kommun=kommun, namn="Äldrenämnden", giltig_från=dt.date(2023, 6, 1))
    nya_social.föregångare.add(gamla)
    äldre.föregångare.add(gamla)
    assert gamla.månader(2023) == [1, 2, 3, 4, 5]
    assert äldre.månader(2023) == [6, 7, 8, 9, 10, 11, 12]
    assert set(gamla.efterträdare.all()) == {nya_social, äldre}
    assert gamla.månader(2024) == [] and äldre.månader(2022) == []


def test_nämnd_giltighet_i_fel_ordning_vägras(kommun):
    n = Nämnd(kommun=kommun, namn="X", giltig_från=dt.date(2023, 6, 1), giltig_till=dt.date(2023, 5, 31))
    with pytest.raises(ValidationError, match="Giltig till kan inte vara före giltig från"):
        n.full_clean()


def test_period_härledda_tertial_och_delår(kommun):
    april, maj, aug, sep = (Period(kommun=kommun, år=2023, månad=m) for m in (4, 5, 8, 9))
    assert (april.tertial, maj.tertial, sep.tertial) == (1, 2, 3)
    assert aug.i_delår and not sep.i_delår
    assert aug.slutdatum == dt.date(2023, 8, 31)


def test_negativ_volym_vägras_där_den_inte_är_tillåten(nämnd):
    grupp = Nyckeltalsgrupp.objects.create(nämnd=nämnd, namn="Hemtjänst")
    timmar = Nyckeltal.objects.create(grupp=grupp, namn="Biståndsbedömd tid", enhet="timmar")
    with pytest.raises(ValidationError, match="kan inte vara negativt"):
        Nyckeltalsvärde(nyckeltal=timmar, år=2023, typ="utfall_helår", värde=Decimal(-1)).full_clean()
    with pytest.raises(ValidationError, match="Ange månad"):
        Nyckeltalsvärde(nyckeltal=timmar, år=2023, typ="utfall_månad", värde=Decimal(1)).full_clean()
