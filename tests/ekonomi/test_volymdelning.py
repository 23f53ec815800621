"""The budgetavvikelse split into volume and price effect (``berakning.volymdelning``, ``berakning.bas``) and the
drafted comment built from it (``ekonomi.kommentarsforslag``). Pure: no database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from ekonomi.berakning import Budgetbelopp, Månadsrad, Områdesunderlag, bas, månadsrad, summera_bas, volymdelning
from ekonomi.kommentarsforslag import belopp, kommentarsförslag, radförslag
from grund.format import MINUS, NBSP

ÅR = 2024


def test_effekterna_summerar_till_avvikelsen():
    """Placements: 720 vårddygn planned for jan–jun at 5 000 kr (3,6 mnkr), a tillägg of 150 000 kr on top; 792
    dygn at 4 850 kr per dygn."""
    d = volymdelning(D(3_750_000), D(792 * 4850), D(720), D(792), D(3_600_000))
    assert d is not None
    assert d.peng == D(5000)
    assert d.styckkostnad == D(4850)
    assert d.volymeffekt == (D(720) - D(792)) * D(5000) == D(-360_000)
    assert d.priseffekt == (D(5000) - D(4850)) * D(792) == D(118_800)
    assert d.rest == D(150_000)
    assert d.avvikelse == D(3_750_000) - D(792 * 4850) == D(-91_200)
    assert d.volymeffekt + d.priseffekt + d.rest == d.avvikelse
    assert d.prisändring_procent == D(-3)


@pytest.mark.parametrize(
    ("budget", "kostnad", "plan", "volym", "plan_kostnad"),
    [
        (D("1234567.89"), D("1111111.11"), D("333.33"), D("301.7"), D("1200000")),
        (D(500_000), D(812_345), D(100), D(140), D(400_000)),
        (D(0), D(10), D(7), D(3), D("0.01")),
    ],
)
def test_summan_stämmer_exakt_även_med_ojämna_tal(budget, kostnad, plan, volym, plan_kostnad):
    d = volymdelning(budget, kostnad, plan, volym, plan_kostnad)
    assert d is not None
    assert d.volymeffekt + d.priseffekt + d.rest == budget - kostnad
    assert d.volymeffekt + d.priseffekt == plan_kostnad - kostnad  # the volume-driven part's own deviation


def test_noll_volym_hela_kostnaden_är_priseffekt():
    """No unit delivered: the whole planned volume is left over (volume effect = the volume budget) and the whole
    nettokostnad is a price effect (cost without volume); there is no actual cost per unit."""
    d = volymdelning(D(600_000), D(80_000), D(120), D(0), D(600_000))
    assert d is not None
    assert d.volymeffekt == D(600_000)
    assert d.priseffekt == D(-80_000)
    assert d.styckkostnad is None and d.prisändring_procent is None
    assert d.volymeffekt + d.priseffekt == d.avvikelse


@pytest.mark.parametrize(
    "argument",
    [
        dict(plan_volym=None),  # no budgeted volume
        dict(plan_volym=D(0)),
        dict(plan_kostnad=None),  # no peng
        dict(volym=None),  # no volume series linked (or no values)
        dict(nettokostnad=None),  # no utfall in the period
        dict(budget=None),
    ],
)
def test_ingen_delning_utan_underlag(argument):
    värden = dict(budget=D(100), nettokostnad=D(90), plan_volym=D(10), volym=D(9), plan_kostnad=D(100))
    assert volymdelning(**(värden | argument)) is None


def _område(id_: int, *, volym=None, peng=None, belopp=D(1_200_000), tillägg=None, utfall=D(0)):
    budget = [Budgetbelopp("kf", ÅR, belopp, volym=volym, peng=peng)]
    if tillägg is not None:
        budget.append(Budgetbelopp("tillägg", ÅR, tillägg))
    return Områdesunderlag(id_, f"O{id_}", "verksamhet", None, tuple(budget), utfall_period=utfall)


def test_bas_delar_periodens_avvikelse_och_summaraden_lägger_ihop():
    """Hemtjänst: 12 000 hours × 100 kr planned for the year (even spread), a tillägg of 60 000 kr; jan–jun 6 500
    hours for 690 000 kr. Myndighet has no volume: no split, and the sum row adds up only the rows that have one."""
    hemtjänst = _område(1, volym=D(12_000), peng=D(100), tillägg=D(60_000), utfall=D(690_000))
    b = bas(hemtjänst, ÅR, 6, 6, volym=D(6500), period_med_utfall=True)
    assert b.plan_volym == D(6000) and b.plan_peng == D(600_000)
    assert b.volymeffekt == (D(6000) - D(6500)) * D(100) == D(-50_000)
    assert b.priseffekt == D(6500) * D(100) - D(690_000) == D(-40_000)
    assert b.volymrest == D(30_000)  # half the year's tillägg
    assert b.volymeffekt + b.priseffekt + b.volymrest == b.budget - b.utfall == D(-60_000)

    myndighet = bas(_område(2, utfall=D(500_000)), ÅR, 6, 6, volym=None, period_med_utfall=True)
    assert (myndighet.volymeffekt, myndighet.priseffekt, myndighet.volymrest) == (None, None, None)
    summa = summera_bas([b, myndighet])
    assert (summa.volymeffekt, summa.priseffekt, summa.volymrest) == (D(-50_000), D(-40_000), D(30_000))


def test_bas_utan_utfall_i_en_period_utan_utfall_ger_ingen_delning():
    o = _område(1, volym=D(1200), peng=D(1000))
    o = Områdesunderlag(o.id, o.namn, o.typ, None, o.budget, saknas=frozenset({"period"}))
    assert bas(o, ÅR, 3, 3, volym=D(300), period_med_utfall=False).volymeffekt is None
    # In a period with utfall elsewhere nothing booked here is a cost of 0: all budget left over.
    b = bas(o, ÅR, 3, 3, volym=D(0), period_med_utfall=True)
    assert (b.volymeffekt, b.priseffekt) == (D(300_000), D(0))


# --- drafted comments -----------------------------------------------------------------------------------------


def test_underskott_av_volym_med_lägre_styckkostnad():
    """The issue's example: more placements than budgeted, the cost per dygn 3 % lower."""
    d = volymdelning(D(3_600_000), D(792 * 4850), D(720), D(792), D(3_600_000))
    assert kommentarsförslag(d.avvikelse, d, 6, "vårddygn", "mnkr") == (
        f"Underskottet på 0,2{NBSP}mnkr beror främst på fler vårddygn än budgeterat (+12{NBSP}vårddygn/månad, "
        f"{MINUS}0,4{NBSP}mnkr), medan kostnaden per vårddygn är 3{NBSP}% lägre än budgeterat (+0,1{NBSP}mnkr)."
    )


def test_underskott_av_pris_i_tkr_med_timmar_och_rest():
    """Hemtjänst: fewer hours than planned but 12 % dearer per hour; a tillägg that does not follow the volume."""
    d = volymdelning(D(3_800_000), D(700 * 5600), D(720), D(700), D(3_600_000))
    assert kommentarsförslag(d.avvikelse, d, 6, "timmar", "tkr") == (
        f"Underskottet på 120{NBSP}tkr beror främst på att kostnaden per timme är 12{NBSP}% högre än budgeterat "
        f"({MINUS}420{NBSP}tkr), medan det är färre timmar än budgeterat ({MINUS}3,3{NBSP}timmar/månad, "
        f"+100{NBSP}tkr). Budget som inte följer volymen: +200{NBSP}tkr."
    )


def test_överskott_av_färre_brukare_och_lägre_styckkostnad():
    """Both effects under budget: "och", not "medan"."""
    d = volymdelning(D(1_200_000), D(90 * 12_000), D(100), D(90), D(1_200_000))
    assert d.volymeffekt == D(120_000) and d.priseffekt == D(0)
    d = volymdelning(D(1_200_000), D(90 * 11_000), D(100), D(90), D(1_200_000))
    assert kommentarsförslag(d.avvikelse, d, 12, "antal brukare", "tkr") == (
        f"Överskottet på 210{NBSP}tkr beror främst på färre brukare än budgeterat ({MINUS}0,8{NBSP}brukare/månad, "
        f"+120{NBSP}tkr), och kostnaden per brukare är 8{NBSP}% lägre än budgeterat (+90{NBSP}tkr)."
    )


def test_enhet_utan_ord_talar_om_volymen():
    d = volymdelning(D(1_000_000), D(1_300_000), D(100), D(130), D(1_000_000))
    assert kommentarsförslag(d.avvikelse, d, 5, "antal", "tkr") == (
        f"Underskottet på 300{NBSP}tkr beror främst på en högre volym än budgeterat (+6/månad, {MINUS}300{NBSP}tkr), "
        f"medan kostnaden per enhet är i nivå med budget (0{NBSP}tkr)."
    )


def test_utan_volym_nettokostnad_mot_periodbudget():
    assert kommentarsförslag(D(-1_234_567), None, 6, beloppsenhet="mnkr") == (
        f"Nettokostnaden är 1,2{NBSP}mnkr högre än periodbudgeten."
    )
    assert kommentarsförslag(D(456_700), None, 6) == f"Nettokostnaden är 457{NBSP}tkr lägre än periodbudgeten."
    assert kommentarsförslag(D(400), None, 6) == "Nettokostnaden är i nivå med periodbudgeten."


def test_avvikelsen_av_budget_som_inte_följer_volymen():
    """Volume and cost per unit as budgeted: the deviation is the avdrag on the part without volume."""
    d = volymdelning(D(2_600_000), D(3_600_000), D(720), D(720), D(3_600_000))
    assert kommentarsförslag(d.avvikelse, d, 6, "vårddygn", "tkr") == (
        f"Underskottet på 1{NBSP}000{NBSP}tkr beror på budget som inte följer volymen ({MINUS}1{NBSP}000{NBSP}tkr); "
        f"volym och kostnad per vårddygn ger tillsammans 0{NBSP}tkr."
    )


def test_belopp_med_tecken():
    assert belopp(D(-1_250_000), "mnkr") == f"{MINUS}1,3{NBSP}mnkr"
    assert belopp(D(1_250_000), "mnkr", tecken=True) == f"+1,3{NBSP}mnkr"
    assert belopp(D(499), "tkr", tecken=True) == f"0{NBSP}tkr"


def test_gridradens_förslag_bara_över_gränsen_och_utan_kommentar():
    """The grid row carries the split whenever it has one; the draft only when the deviation is over the limit and
    the row has no comment yet."""
    r = Månadsrad(
        1,
        "Hemtjänst",
        utfall_ack=D(16_000_000),
        periodbudget=D(16_800_000),
        plan_volym=D(32_000),
        plan_kostnad=D(16_000_000),
    )
    f = radförslag(r, 8, D(33_600), "timmar", "mnkr", över_gräns=True)
    assert f.delning is not None and f.delning.volymeffekt == D(-800_000)
    assert dict(f.detaljer) == {
        "Volym": f"33{NBSP}600{NBSP}timmar mot budgeterat 32{NBSP}000",
        "Kostnad per timme": f"476{NBSP}kr mot budgeterat 500{NBSP}kr",
        "Volymeffekt": f"{MINUS}0,8{NBSP}mnkr",
        "Priseffekt": f"+0,8{NBSP}mnkr",
        "Budget som inte följer volymen": f"+0,8{NBSP}mnkr",
    }
    assert f.text.startswith(f"Överskottet på 0,8{NBSP}mnkr beror främst på att kostnaden per timme är 5{NBSP}% lägre")
    assert radförslag(r, 8, D(33_600), "timmar", "mnkr", över_gräns=False).text == ""
    kommenterad = replace(r, kommentar="Fler timmar men billigare.")
    assert radförslag(kommenterad, 8, D(33_600), "timmar", "mnkr", över_gräns=True).text == ""
    utan_volym = radförslag(r, 8, None, "", "mnkr", över_gräns=True)
    assert utan_volym.delning is None and utan_volym.detaljer == ()
    assert utan_volym.text == f"Nettokostnaden är 0,8{NBSP}mnkr lägre än periodbudgeten."


def test_månadsraden_får_periodens_volymbudget():
    o = _område(1, volym=D(12_000), peng=D(100), tillägg=D(60_000), utfall=D(690_000))
    r = månadsrad(o, ÅR, 6)
    assert (r.plan_volym, r.plan_kostnad, r.periodbudget) == (D(6000), D(600_000), D(630_000))
    assert r.volymdelning(D(6500)).priseffekt == D(-40_000)
    assert månadsrad(_område(2), ÅR, 6).volymdelning(D(10)) is None
