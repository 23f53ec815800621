from decimal import Decimal as D

import pytest

from ekonomi import berakning as b


def test_periodandel_jämn_fördelning():
    assert b.periodandel(None, 8) == D(8) / 12
    assert b.periodandel(None, 0) == 0
    assert b.periodandel(None, 12) == 1


def test_periodandel_med_profil_följer_vikterna():
    # Half of the year's weight in July and December (holiday pay, invoices in arrears).
    vikter = (D(1),) * 6 + (D(3),) + (D(1),) * 4 + (D(3),)
    assert b.periodandel(vikter, 6) == D(6) / 16
    assert b.periodandel(vikter, 7) == D(9) / 16


@pytest.mark.parametrize("månad", [-1, 13])
def test_periodandel_vägrar_månad_utanför_året(månad):
    with pytest.raises(ValueError, match="Månad måste vara 0–12"):
        b.periodandel(None, månad)


def test_periodbudget_avrundar_till_öre():
    assert b.periodbudget(D("1427000"), None, 8) == D("951333.33")


def test_budgetavvikelse_positiv_är_under_budget():
    assert b.budgetavvikelse(D(100), D(10), D(90)) == D(20)
    assert b.budgetavvikelse(D(100), D(-10), D(120)) == D(-30)


def test_snittkostnad_och_volymavvikelse():
    assert b.snittkostnad(D("34433000"), D("50000")) == D("688.66")
    assert b.snittkostnad(D(100), D(0)) is None
    # 200 timmar fewer than budgeted at 500 kr per timme leaves 100 000 kr.
    assert b.volymavvikelse(D(55341), D(55141), D(500)) == D(100000)


def test_avrunda_halvt_bort_från_noll():
    assert b.avrunda(D("1233500"), D(1000)) == D(1234)
    assert b.avrunda(D("-1233500"), D(1000)) == D(-1234)
    assert b.avrunda(D("26549000"), D(1000000), 1) == D("26.5")


def _o(id, namn, typ="verksamhet", förälder=None, **kw):
    return b.Områdesunderlag(id=id, namn=namn, typ=typ, förälder_id=förälder, **kw)


def test_gruppera_block_delsummor_och_enheter_summeras_in_i_sin_verksamhet():
    områden = [
        _o(1, "Nämnd", utfall_period=D(10)),
        _o(2, "IFO", typ="block"),
        _o(3, "Barn och unga", förälder=2, utfall_period=D(5)),
        _o(4, "Utredningsenheten", typ="enhet", förälder=3, utfall_period=D(7)),
        _o(5, "Vuxna", förälder=2, utfall_period=D(3)),
    ]
    drift = b.gruppera(områden, lambda o: b.driftrad_period(o, 2023, 8))
    assert [g.namn for g in drift.grupper] == ["Nämnd", "IFO"]
    assert [g.är_block for g in drift.grupper] == [False, True]
    ifo = drift.grupper[1]
    assert [(r.namn, r.nettokostnad) for r in ifo.rader] == [("Barn och unga", D(12)), ("Vuxna", D(3))]
    assert ifo.summa.nettokostnad == D(15)
    assert drift.summa.nettokostnad == D(25)


def test_driftrad_period_periodiserar_budget_och_tillägg():
    o = _o(
        1,
        "X",
        budget=(
            b.Budgetbelopp("kf", 2023, D(1200)),
            b.Budgetbelopp("tillägg", 2023, D(120)),
            b.Budgetbelopp("kf", 2022, D(999)),
        ),
        utfall_period=D(900),
        utfall_period_fg=D(700),
    )
    rad = b.driftrad_period(o, 2023, 8)
    assert (rad.budget, rad.tillägg, rad.nettokostnad, rad.jämförelse) == (D(800), D(80), D(900), D(700))
    assert rad.avvikelse == D(-20)


def test_driftrad_helår_tar_senaste_prognosen_och_förändringen_sedan_förra():
    o = _o(1, "X", budget=(b.Budgetbelopp("kf", 2023, D(1000)),), prognoser=((4, D(1100)), (8, D(1050))))
    rad = b.driftrad_helår(o, 2023, 8)
    assert rad.nettokostnad == D(1050)
    assert rad.prognosförändring == D(-50)
    assert rad.avvikelse == D(-50)
    tertial = b.driftrad_helår(o, 2023, 4)
    assert tertial.nettokostnad == D(1100) and tertial.prognosförändring is None


def test_driftrad_helår_i_verksamhetsberättelsen_är_utfallet():
    o = _o(1, "X", budget=(b.Budgetbelopp("kf", 2023, D(1000)),), utfall_period=D(990), prognoser=((8, D(1050)),))
    rad = b.driftrad_helår(o, 2023, 12)
    assert rad.nettokostnad == D(990) and rad.avvikelse == D(10)


def test_budgetrad_föregående_år_är_nämndbudget_om_den_finns():
    o = _o(
        1,
        "X",
        budget=(
            b.Budgetbelopp("kf", 2023, D(100)),
            b.Budgetbelopp("nämnd", 2023, D(110)),
            b.Budgetbelopp("kf", 2024, D(120)),
            b.Budgetbelopp("nämnd", 2024, D(125)),
        ),
    )
    rad = b.budgetrad(o, 2024)
    assert (rad.föregående, rad.kf, rad.nämnd) == (D(110), D(120), D(125))
    utan_nämndbudget = b.budgetrad(_o(2, "Y", budget=(b.Budgetbelopp("kf", 2023, D(100)),)), 2024)
    assert utan_nämndbudget.föregående == D(100)


def test_summera_valfri_kolumn_bara_när_alla_rader_har_värde():
    rader = [b.DriftRad("a", föregående_prognos=D(1)), b.DriftRad("b")]
    assert b.summera("s", rader).föregående_prognos is None
    assert b.summera("s", rader[:1]).föregående_prognos == D(1)


def test_investeringsavvikelse_mot_prognos_annars_utgift():
    assert b.Investeringsrad("Inventarier", D(100), D(0), D(0), D(0)).avvikelse == D(100)
    assert b.Investeringsrad("Inventarier", D(100), D(50), D(120)).avvikelse == D(30)
