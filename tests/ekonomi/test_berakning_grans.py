"""The kommun's avvikelsegräns: one function (``berakning.över_gräns``) for status, granskning and month closing."""

from decimal import Decimal as D

import pytest

from ekonomi.berakning import BELOPP, PROCENT, över_gräns

KR, PROCENTGRÄNS = D(500_000), D(5)


@pytest.mark.parametrize(
    ("avvikelse", "budget", "skäl"),
    [
        (D(500_000), D(100_000_000), (BELOPP,)),  # equal to the kr limit counts (≥, not >)
        (D("499999.99"), D(100_000_000), ()),
        (D(-500_000), D(100_000_000), (BELOPP,)),  # negative deviations (over budget) alike
        (D(-499_999), D(100_000_000), ()),
        (D(50_000), D(1_000_000), (PROCENT,)),  # exactly 5 % of 1 mnkr
        (D("49999.99"), D(1_000_000), ()),
        (D(-50_000), D(1_000_000), (PROCENT,)),
        (D(600_000), D(1_000_000), (BELOPP, PROCENT)),  # both criteria, both named
        (D(-60_000), D(-1_000_000), (PROCENT,)),  # an income budget: |budget|
        (D(283_000), D(0), ()),  # no budget: the % criterion does not apply
        (D(0), D(0), ()),
        (D(0), D(1_000_000), ()),
    ],
)
def test_gränsen_vid_kanterna(avvikelse, budget, skäl):
    assert över_gräns(avvikelse, budget, KR, PROCENTGRÄNS) == skäl


@pytest.mark.parametrize("av", [D(0), None, D(-1)])
def test_gräns_0_eller_tom_stänger_av_kriteriet(av):
    # kr limit off: only the % criterion is left.
    assert över_gräns(D(10_000_000), D(1_000_000_000), av, PROCENTGRÄNS) == ()
    assert över_gräns(D(-50_000_000), D(1_000_000_000), av, PROCENTGRÄNS) == (PROCENT,)
    assert över_gräns(D(500_000), D(0), av, PROCENTGRÄNS) == ()
    # % limit off: only the kr criterion is left.
    assert över_gräns(D(900_000), D(1_000_000), KR, av) == (BELOPP,)
    assert över_gräns(D(400_000), D(1_000_000), KR, av) == ()  # 40 % of the budget, but % is off
    # Both off: nothing is over the limit, not even a deviation of the whole budget or of nothing at all.
    assert över_gräns(D(1_000_000_000), D(1), av, av) == ()
    assert över_gräns(D(0), D(0), av, av) == ()
    assert över_gräns(D(-1), D(10), av, av) == ()


def test_procent_med_decimaler_räknas_exakt():
    # 3,5 % of 2 000 000 is exactly 70 000: no rounding in the comparison.
    assert över_gräns(D(70_000), D(2_000_000), D(0), D("3.5")) == (PROCENT,)
    assert över_gräns(D("69999.99"), D(2_000_000), D(0), D("3.5")) == ()
    assert över_gräns(D("0.01"), D("0.10"), D(0), D(10)) == (PROCENT,)
