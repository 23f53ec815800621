from decimal import Decimal as D

from nyckeltal.bedomning import (
    Indikatorbedömning,
    Indikatorrad,
    Indikatorvärden,
    Trend,
    bedöm_mot_målvärde,
    trend,
)


def test_minst_och_högst():
    assert bedöm_mot_målvärde(D(85), "minst", D(85)) is Indikatorbedömning.UPPNÅTT
    assert bedöm_mot_målvärde(D("84.9"), "minst", D(85)) is Indikatorbedömning.EJ_UPPNÅTT
    assert bedöm_mot_målvärde(D(10), "högst", D(10)) is Indikatorbedömning.UPPNÅTT
    assert bedöm_mot_målvärde(D(11), "högst", D(10)) is Indikatorbedömning.EJ_UPPNÅTT
    assert bedöm_mot_målvärde(None, "minst", D(10)) is None
    assert bedöm_mot_målvärde(D(1), "", None) is None


def test_trend_efter_önskad_riktning():
    assert trend(D(94), D(85), "öka") is Trend.BÄTTRE
    assert trend(D(14), D(19), "minska") is Trend.BÄTTRE
    assert trend(D(19), D(14), "minska") is Trend.SÄMRE
    assert trend(D(23), D(27), "bibehålla") is Trend.SÄMRE
    assert trend(D(5), D(5), "öka") is Trend.OFÖRÄNDRAD
    assert trend(D(5), None, "öka") is None


def test_indikatorrad_bedömer_senaste_året_med_värde():
    rad = Indikatorrad(
        namn="Brukarbedömning hemtjänst",
        kolada_id="U21468",
        enhet="%",
        riktning="öka",
        jämförelse="minst",
        målvärde=D(85),
        år=2024,
        värden=(Indikatorvärden(2022, D(85)), Indikatorvärden(2023, D(94)), Indikatorvärden(2024, None)),
    )
    assert rad.senaste.år == 2023
    assert rad.bedömning is Indikatorbedömning.UPPNÅTT
    assert rad.trend is Trend.BÄTTRE
    assert rad.målvärde_text == "Minst 85\u00a0%"
