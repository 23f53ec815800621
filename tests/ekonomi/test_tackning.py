"""Honest periods (docs/beslut.md, "Ärliga perioder"): ``berakning.täckt_period`` says which months of a period
have utfall and what a reader must be told, and ``berakning.helårsprognoser`` never turns a missing prognos into 0."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ekonomi.berakning import Budgetbelopp, Områdesunderlag, helårsprognoser, månadsspann, täckt_period


def test_full_period_has_no_text():
    t = täckt_period(range(1, 9), 8)
    assert (t.t_o_m, t.senaste, t.antal, t.luckor, t.fullständig, t.text) == (8, 8, 8, (), True, "")
    assert t.period == "jan–aug"


def test_five_of_eight_months():
    t = täckt_period([1, 2, 3, 4, 5], 8)
    assert (t.senaste, t.antal, t.luckor, t.fullständig) == (5, 5, (), False)
    assert t.text == "Utfall finns för 5 av 8 månader (jan–maj). Budget och föregående år avser samma månader."


def test_only_january_of_the_year():
    t = täckt_period([1], 12)
    assert (t.senaste, t.antal, t.period) == (1, 1, "januari")
    assert t.text.startswith("Utfall finns för 1 av 12 månader (januari).")


def test_gap_is_flagged_not_bridged():
    t = täckt_period([5, 1, 2, 4, 4], 8)  # any order, duplicates
    assert (t.senaste, t.antal, t.luckor, t.fullständig) == (5, 4, (3,), False)
    assert t.text == (
        "Utfall finns för 4 av 8 månader (jan–maj). Utfall saknas för mars. "
        "Budget och föregående år avser jan–maj, också mars som saknar utfall."
    )


def test_gap_inside_a_period_that_ends_with_utfall():
    t = täckt_period([1, 4], 4)
    assert (t.senaste, t.antal, t.luckor) == (4, 2, (2, 3))
    assert "Utfall saknas för februari och mars." in t.text
    assert täckt_period([1, 5], 5).text.count("februari, mars och april") == 2


def test_no_utfall():
    t = täckt_period([], 4)
    assert (t.senaste, t.antal, t.luckor, t.fullständig, t.period) == (0, 0, (), False, "")
    assert t.text == "Inget utfall är registrerat för perioden."


def test_months_after_the_period_do_not_count():
    t = täckt_period([1, 2, 9, 10], 8)
    assert (t.senaste, t.antal) == (2, 2)
    assert täckt_period([9], 8).text == "Inget utfall är registrerat för perioden."


def test_a_period_of_no_months_is_complete():
    assert täckt_period([1, 2], 0).text == ""


@pytest.mark.parametrize(("månader", "t_o_m"), [([1], 13), ([1], -1), ([0], 4), ([13], 12)])
def test_bad_months_are_refused_in_swedish(månader, t_o_m):
    with pytest.raises(ValueError, match="Månad|månad"):
        täckt_period(månader, t_o_m)


def test_månadsspann():
    assert [månadsspann(m) for m in (0, 1, 2, 12)] == ["", "januari", "jan–feb", "jan–dec"]


def _o(id_, förälder=None, prognoser=(), utfall=D(0), budget=True):
    kf = (Budgetbelopp("kf", 2024, D(1200)),) if budget else ()
    return Områdesunderlag(id_, f"O{id_}", "verksamhet", förälder, kf, utfall_period=utfall, prognoser=prognoser)


def test_helårsprognoser_missing_is_none_never_zero():
    områden = [
        _o(1, budget=False),  # a block: no figures of its own
        _o(2, 1, prognoser=((1, D(100)), (4, D(150)))),
        _o(3, 1),  # active (KF-budget), no prognos
        _o(4, prognoser=((2, D(50)),)),
    ]
    p = helårsprognoser(områden, 2024, 12)
    assert p == {1: None, 2: D(150), 3: None, 4: D(50), None: None}
    # Only prognoser made up to the month count.
    assert helårsprognoser(områden, 2024, 3)[2] == D(100)
    assert helårsprognoser(områden, 2024, 1)[4] is None


def test_helårsprognoser_sum_when_every_active_part_has_one():
    områden = [
        _o(1, budget=False),
        _o(2, 1, prognoser=((4, D(100)),)),
        _o(3, 1, prognoser=((4, D(30)),)),
        _o(5, 1, budget=False),  # an empty område (no budget, utfall or prognos) does not count
        _o(4, budget=False, utfall=D(7), prognoser=((4, D(20)),)),
    ]
    p = helårsprognoser(områden, 2024, 8)
    assert p == {1: D(130), 2: D(100), 3: D(30), 5: None, 4: D(20), None: D(150)}
    # Budget of another year does not make an område active.
    gammal = Områdesunderlag(6, "O6", "verksamhet", None, (Budgetbelopp("kf", 2023, D(1)),))
    assert helårsprognoser([*områden, gammal], 2024, 8)[None] == D(150)
