"""The demo kommun holds the published Knivsta tables, and the domain maths reproduce the published
figures (within ±1 tkr of rounding): delår 2023, helårsprognos 2023 and driftsbudget 2024."""

from decimal import Decimal

import pytest

from ekonomi import berakning
from ekonomi.models import Utfall
from ekonomi.selectors import ekonomiunderlag, investeringar
from nämnd.models import Kommun
from socialreports import demodata
from tests.conftest import referens, tkr

TOLERANS = Decimal(1)


def avrundat(kr: Decimal) -> Decimal:
    return berakning.avrunda(kr, Decimal(1000))


def rader_per_namn(drift) -> dict[str, berakning.DriftRad]:
    return {r.namn: r for r in drift.rader}


@pytest.fixture
def underlag_delår(socialnämnden, django_user_model):
    su = django_user_model.objects.create_superuser("su", password="x")
    return ekonomiunderlag(su, [socialnämnden], 2023, 8)


def test_delår_2023_per_verksamhet_som_publicerat(underlag_delår):
    drift = berakning.gruppera(underlag_delår, lambda o: berakning.driftrad_period(o, 2023, 8))
    rader = rader_per_namn(drift)
    publicerat = [r for r in referens("driftredovisning_delar_2023.csv") if r["block"] != "SUMMA"]
    assert set(rader) == {r["verksamhet"] for r in publicerat}
    for p in publicerat:
        r = rader[p["verksamhet"]]
        assert avrundat(r.jämförelse) == tkr(p["nettokostnad_delar_2022_tkr"]), p["verksamhet"]
        assert avrundat(r.nettokostnad) == tkr(p["nettokostnad_delar_2023_tkr"]), p["verksamhet"]
        assert abs(avrundat(r.budget) - tkr(p["kf_budget_delar_2023_tkr"])) <= TOLERANS, p["verksamhet"]
        assert abs(avrundat(r.tillägg) - tkr(p["tillagg_avdrag_delar_2023_tkr"])) <= TOLERANS, p["verksamhet"]
        if p["verksamhet"] == "Vård & omsorg i ordinärt boende övrigt":
            # Published −1 233 ignores the row's own tillägg (+29); computed from the figures it is −1 204.
            assert abs(avrundat(r.avvikelse) - Decimal(-1204)) <= TOLERANS
        else:
            assert abs(avrundat(r.avvikelse) - tkr(p["budgetavvikelse_delar_2023_tkr"])) <= TOLERANS, p["verksamhet"]


def test_delår_2023_summerat(underlag_delår):
    drift = berakning.gruppera(underlag_delår, lambda o: berakning.driftrad_period(o, 2023, 8))
    summa = drift.summa
    publicerat = next(r for r in referens("driftredovisning_delar_2023.csv") if r["block"] == "SUMMA")
    assert avrundat(summa.jämförelse) == tkr(publicerat["nettokostnad_delar_2022_tkr"]) == 203069
    assert avrundat(summa.nettokostnad) == tkr(publicerat["nettokostnad_delar_2023_tkr"]) == 219654
    assert abs(avrundat(summa.budget) - tkr(publicerat["kf_budget_delar_2023_tkr"])) <= TOLERANS
    assert avrundat(summa.tillägg) == tkr(publicerat["tillagg_avdrag_delar_2023_tkr"]) == -1763
    # Published 7 922 carries the inconsistent row; computed from stored figures it is 7 951 (±1).
    assert abs(avrundat(summa.avvikelse) - 7951) <= TOLERANS
    assert tkr(publicerat["budgetavvikelse_delar_2023_tkr"]) == 7922


def test_helårsprognos_2023_per_verksamhet_och_summerat(underlag_delår):
    helår = berakning.gruppera(underlag_delår, lambda o: berakning.driftrad_helår(o, 2023, 8))
    rader = rader_per_namn(helår)
    for p in referens("driftredovisning_helarsprognos_2023.csv"):
        r = helår.summa if p["block"] == "SUMMA" else rader[p["verksamhet"]]
        assert avrundat(r.jämförelse) == tkr(p["nettokostnad_helar_2022_tkr"]), p["verksamhet"]
        assert avrundat(r.budget) == tkr(p["kf_budget_helar_2023_tkr"]), p["verksamhet"]
        assert avrundat(r.tillägg) == tkr(p["tillagg_avdrag_helar_2023_tkr"]), p["verksamhet"]
        assert avrundat(r.nettokostnad) == tkr(p["prognos_nettokostnad_helar_2023_tkr"]), p["verksamhet"]
        assert abs(avrundat(r.avvikelse) - tkr(p["prognos_budgetavvikelse_helar_2023_tkr"])) <= TOLERANS, p[
            "verksamhet"
        ]


def test_block_delsummor_är_summan_av_sina_rader(underlag_delår):
    drift = berakning.gruppera(underlag_delår, lambda o: berakning.driftrad_period(o, 2023, 8))
    block = {g.namn: g for g in drift.grupper if g.är_block}
    assert set(block) == {
        "Vård och omsorg enligt SoL och HSL",
        "Vård och omsorg enligt LSS och SFB",
        "Individ och familjeomsorg",
    }
    publicerat = referens("driftredovisning_delar_2023.csv")
    for namn, g in block.items():
        väntat = sum(tkr(r["nettokostnad_delar_2023_tkr"]) for r in publicerat if r["block"] == namn)
        assert abs(avrundat(g.summa.nettokostnad) - väntat) <= TOLERANS


def test_driftsbudget_2024(socialnämnden, django_user_model):
    su = django_user_model.objects.create_superuser("su", password="x")
    budget = berakning.gruppera(ekonomiunderlag(su, [socialnämnden], 2024, 12), lambda o: berakning.budgetrad(o, 2024))
    rader = {r.namn: r for r in budget.rader}
    for p in referens("driftsbudget_2024.csv"):
        r = budget.summa if p["block"] == "SUMMA" else rader[p["verksamhet"]]
        assert avrundat(r.föregående) == tkr(p["kf_budget_2023_tkr"]), p["verksamhet"]
        assert avrundat(r.kf) == tkr(p["kf_budget_2024_tkr"]), p["verksamhet"]
        assert avrundat(r.nämnd) == tkr(p["namndbudget_2024_tkr"]), p["verksamhet"]
    assert rader["Förebyggande verksamhet SoL"].kf == 0  # moved into ordinärt boende övrigt in 2024


def test_investeringar_2023(socialnämnden, django_user_model):
    su = django_user_model.objects.create_superuser("su", password="x")
    rader = {r.namn: r for r in investeringar(su, [socialnämnden], 2023, 8)}
    for p in referens("investeringar_2023.csv"):
        r = rader[p["investering"]]
        assert avrundat(r.ram) == tkr(p["kf_investeringsram_tkr"])
        assert avrundat(r.utgift) == tkr(p["utgift_8_manader_tkr"])
        assert avrundat(r.prognos) == tkr(p["prognos_investeringsutgift_tkr"])
        assert avrundat(r.avvikelse) == tkr(p["avvikelse_investering_tkr"])


def test_lagrat_i_kronor_som_decimal(socialnämnden):
    from ekonomi.models import Budgetpost, Utfall

    kf = Budgetpost.objects.get(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2023, slag="kf")
    assert kf.belopp == Decimal("1427000.00") and isinstance(kf.belopp, Decimal)
    delår = sum(
        u.belopp
        for u in Utfall.objects.filter(verksamhetsområde__namn="Nämnd- och styrelseverksamhet", år=2023, månad__lte=8)
    )
    assert delår == Decimal("1042000.00")


def test_demodata_kan_laddas_om(knivsta):
    """The demo loader (moved here from tests/nämnd/test_modeller.py: the demo is only loaded by tests of the
    demo) replaces an existing demo kommun."""
    demodata.ladda()
    assert Kommun.objects.filter(namn="Knivsta kommun").count() == 1
    assert Utfall.objects.for_kommun(Kommun.objects.get(namn="Knivsta kommun")).count() == 13 * 20
