"""Imports accept a new nämnd's jämförelsetal (docs/beslut.md, "Föregående år efter en delning"): a re-coded
export of 2023 with the new Äldrenämnden's codes, imported for Äldrenämnden (from 1 July 2024, områden from 2024)
while 2023 is closed and the old nämnd's delårsrapport 2023 is fastställd. Real .xlsx files written with openpyxl.
The scenario is ``delad_kommun`` (tests/ekonomi/test_foregaende_ar_delning.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ekonomi.models import Budgetpost, Utfall
from nämnd.models import Period, Rapportlås
from tests.ekonomi.test_foregaende_ar_delning import Delning, delad_kommun, drift
from tests.importer.test_lasare import xlsx as arbetsbok
from tests.importer.test_mallar import bekräfta, granskning, ladda_upp
from tests.importer.test_utfall import förhandsgranska, importera, xlsx
from tests.rapporter.test_rapport import tabell, url


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


@pytest.fixture
def delning(db) -> Delning:
    d = delad_kommun()
    # 2023 is closed for the whole kommun and the old nämnd's delårsrapport 2023 is fastställd.
    Period.objects.bulk_create(Period(kommun=d.kommun, år=2023, månad=m, stängd=True) for m in range(1, 13))
    Rapportlås.objects.create(
        nämnd=d.gamla,
        år=2023,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(2023, 9, 20),
        paragraf="§ 80",
        version=1,
    )
    return d


@pytest.fixture
def su(client, django_user_model):
    user = django_user_model.objects.create_superuser("su", password="x")
    client.force_login(user)
    return user


def omkodad_export(år: int = 2023, månader=range(1, 13), kod: str = "5200", belopp: float = 410_000.0) -> bytes:
    """The ekonomisystem's export of ``år`` re-coded to the new organisation: one row per month."""
    return xlsx([[f"{år}{m:02d}", kod, "", "4010", "", "Omkodad", belopp] for m in månader])


def test_omkodad_export_för_året_före_tas_emot_och_visas_som_föregående_år(client, su, delning):
    gamla_före = drift(client, delning.gamla, 2023)
    gamla_utfall = sorted(
        Utfall.objects.filter(verksamhetsområde__nämnd=delning.gamla).values_list("år", "månad", "belopp")
    )
    imp, g = förhandsgranska(su, delning.äldre, omkodad_export())
    assert g.kan_genomföras, (g.allmänna_fel, [str(f) for f in g.fel])
    assert any("Raderna för 2023 är jämförelsetal" in m for m in g.meddelanden)
    importera(su, delning.äldre, omkodad_export(), filnamn="omkodad.xlsx")

    nya = delning.områden["Äldreomsorg"]
    assert Utfall.objects.filter(verksamhetsområde=nya, år=2023).count() == 12
    assert drift(client, delning.äldre, 2024)["Äldreomsorg"][0] == 3_280  # 8 × 410 tkr
    # The old nämnd's figures and its fastställd report are untouched.
    assert drift(client, delning.gamla, 2023) == gamla_före
    assert (
        sorted(Utfall.objects.filter(verksamhetsområde__nämnd=delning.gamla).values_list("år", "månad", "belopp"))
        == gamla_utfall
    )


def test_samma_fil_igen_ändrar_ingenting(su, delning):
    importera(su, delning.äldre, omkodad_export(), filnamn="a.xlsx")
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(), filnamn="b.xlsx")
    assert (g.antal("ny"), g.antal("ändrad"), g.antal("oförändrad")) == (0, 0, 12)


def test_månader_före_delningen_i_startåret_vägras(su, delning):
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(2024, range(3, 4)))
    assert not g.kan_genomföras
    assert [str(f.text) for f in g.fel] == [
        "Nämnden fanns inte 2024-03 (den började 2024-07-01). Utfallet före det hör till föregångaren och "
        "importeras där; jämförelsetal för föregående år tas emot för 2023."
    ]
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(2022, range(1, 2)))
    assert [str(f.text) for f in g.fel] == ["Nämnden fanns inte 2022-01."]


def test_jämförelsetal_låses_av_nya_nämndens_fastställda_rapport(su, delning):
    Rapportlås.objects.create(
        nämnd=delning.äldre,
        år=2024,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(2024, 9, 20),
        paragraf="§ 12",
        version=1,
    )
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(månader=range(10, 11)))
    assert not g.kan_genomföras
    assert "Delårsrapport 2024 för Äldrenämnden är fastställd" in str(g.fel[0].text)


def test_jämförelsetal_låses_när_visande_årets_månad_stängs(su, delning):
    Period.objects.create(kommun=delning.kommun, år=2024, månad=3, stängd=True)
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(månader=range(3, 5)))
    assert [str(f.text) for f in g.fel] == [
        "Perioden 2024-03 är stängd och kan inte ändras. Be en administratör öppna den igen."
    ]


def test_kopplingen_vinner_över_importerade_jämförelsetal(client, su, delning):
    delning.koppla()
    importera(su, delning.äldre, omkodad_export())
    assert drift(client, delning.äldre, 2024)["Äldreomsorg"][0] == 3_200  # the link: the old Äldreomsorg only


def test_koder_som_föregångaren_använder_vägras_för_jämförelseåret(su, delning):
    """The old nämnd's own code in 2023 belongs to the old nämnd: not a re-coded row."""
    _, g = förhandsgranska(su, delning.äldre, omkodad_export(kod="5100", månader=range(1, 2)))
    assert not g.kan_genomföras
    assert "hör till Social- och omsorgsnämnden" in str(g.fel[0].text)


def test_budget_för_året_före_tas_emot_för_verksamhetsplanen(client, su, delning):
    innehåll = arbetsbok(
        (
            "Budget",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp"],
                ["Äldreomsorg", 2023, "KF-budget", 4_900_000],
                ["Äldreomsorg", 2024, "KF-budget", 5_200_000],
            ],
        )
    )
    g = granskning(ladda_upp(client, delning.äldre, "budget", "budget.xlsx", innehåll))
    assert not g["fel"], g["fel"]
    assert bekräfta(client, g).status_code == 302
    nya = delning.områden["Äldreomsorg"]
    assert Budgetpost.objects.get(verksamhetsområde=nya, år=2023).belopp == Decimal(4_900_000)
    # The old nämnd's 2023 budget is untouched.
    assert Budgetpost.objects.get(verksamhetsområde=delning.områden["Äldreomsorg (gamla)"], år=2023).belopp == 4_800_000
    r = client.get(url(delning.äldre, 2024, "verksamhetsplan"))
    assert r.status_code == 200
    assert tabell(r.content, f"budget-{delning.äldre.id}")["Äldreomsorg"][:2] == [4_900, 5_200]


def test_budget_för_året_före_låses_av_nya_nämndens_fastställda_verksamhetsplan(client, su, delning):
    Rapportlås.objects.create(
        nämnd=delning.äldre,
        år=2024,
        rapporttyp="verksamhetsplan",
        slutmånad=0,
        fastställd_datum=dt.date(2024, 6, 20),
        paragraf="§ 1",
        version=1,
    )
    innehåll = arbetsbok(
        ("Budget", [["Verksamhetsområde", "År", "Slag", "Belopp"], ["Äldreomsorg", 2023, "KF-budget", 4_900_000]])
    )
    g = granskning(ladda_upp(client, delning.äldre, "budget", "budget.xlsx", innehåll))
    assert g["fel"] and "Verksamhetsplan 2024 för Äldrenämnden är fastställd" in g["fel"][0][-1]


def test_utan_ändring_vägras_gamla_raden_som_förut(su, delning):
    """A row of the closed 2023 for the old nämnd itself is still refused: the rule is only for a new nämnd."""
    _, g = förhandsgranska(su, delning.gamla, omkodad_export(kod="5100", månader=range(1, 2)))
    assert not g.kan_genomföras
    assert "Delårsrapport 2023 för Social- och omsorgsnämnden är fastställd" in str(g.fel[0].text)
