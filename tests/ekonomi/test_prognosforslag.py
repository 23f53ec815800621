"""The proposed helårsprognos (ekonomi/prognosforslag.py): the seasonal profile of earlier years, its fallbacks
(the budget's periodisering, the run-rate), the method named, and the earlier years found through föregångare.

Figures are chosen so the expected proposal can be computed by hand (each test says how)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi.berakning import Budgetbelopp
from ekonomi.models import Prognos, Utfall
from ekonomi.prognosforslag import (
    BUDGET,
    RAK,
    SÄSONG,
    nämndens_månader,
    prognosförslag,
    säsongsprofil,
    tidigare_år,
    årsspann,
)
from ekonomi.selectors import utfallshistorik
from nämnd.models import Verksamhetsområde
from nämnd.services import stäng
from tests.ekonomi.test_manadsuppfoljning import formulärdata
from tests.factories import admin, annan_form_kommun, controller, läsare


def år_med(*månadsbelopp: int) -> dict[int, D]:
    """Twelve months from twelve amounts (kronor)."""
    assert len(månadsbelopp) == 12
    return {m: D(b) for m, b in enumerate(månadsbelopp, start=1)}


# A year with half its utfall in months 1–6 (100 a month) and half in 7–12 (100 a month), except that July carries
# 400 and August–December 40: months 1–6 = 600 of 1 200 = 50 %, months 1–7 = 1 000 / 1 200.
JÄMNT = år_med(*[100] * 12)  # 1 200, 1/12 a month
SOMMAR = år_med(100, 100, 100, 100, 100, 100, 400, 40, 40, 40, 40, 40)  # 1 200, July heavy


def test_säsongsprofil_av_tre_år_är_medelvärdet_av_andelarna():
    # Shares of months 1–7: 700/1200, 1000/1200 and 700/1200 → mean 2400/3600 = 2/3.
    s = säsongsprofil({2021: JÄMNT, 2022: SOMMAR, 2023: JÄMNT})
    assert s is not None
    profil, år = s
    assert år == (2021, 2022, 2023)
    assert profil[0] == 0 and profil[12] == 1
    assert profil[7] == D(2) / D(3)


def test_förslaget_skalar_upp_med_säsongsprofilen():
    # Two earlier years: July-heavy both. This year 150 a month in 1–7 = 1 050; share of 1–7 = 1000/1200 →
    # 1 050 × 1200/1000 = 1 260. The run-rate would say 1 050 / 7 × 12 = 1 800.
    i_år = {m: D(150) for m in range(1, 8)}
    f = prognosförslag(i_år, 7, {2022: SOMMAR, 2023: SOMMAR})
    assert f is not None
    assert (f.belopp, f.metod, f.år, f.t_o_m) == (D(1260), SÄSONG, (2022, 2023), 7)
    assert f.text == "Säsongsprofil 2022–2023"
    rak = prognosförslag(i_år, 7)
    assert rak is not None and (rak.belopp, rak.metod, rak.text) == (D(1800), RAK, "Rak uppräkning")


def test_två_år_med_olika_profil_ger_medelandelen():
    # 2022 even (6/12 in 1–6), 2023 front-loaded: 200 a month in 1–6, 0 in 7–12 except 100 in December
    # (1 200 of 1 300). Mean share (0.5 + 12/13) / 2 = 37/52; this year 100 a month in 1–6 = 600 → 600 × 52/37.
    tidigt = år_med(200, 200, 200, 200, 200, 200, 0, 0, 0, 0, 0, 100)
    f = prognosförslag({m: D(100) for m in range(1, 7)}, 6, {2022: JÄMNT, 2023: tidigt})
    assert f is not None and f.metod == SÄSONG
    assert f.belopp == (D(600) * 52 / 37).quantize(D(1))  # 843
    assert f.belopp == D(843)


def test_år_med_saknad_månad_eller_total_under_noll_hoppas_över():
    # 2021 misses March, 2022's total is negative (an income area that year), 2023 is July-heavy: only 2023 counts.
    saknar_mars = {m: D(100) for m in range(1, 13) if m != 3}
    negativt = år_med(*[-100] * 12)
    s = säsongsprofil({2021: saknar_mars, 2022: negativt, 2023: SOMMAR})
    assert s is not None and s[1] == (2023,)
    f = prognosförslag({m: D(150) for m in range(1, 8)}, 7, {2021: saknar_mars, 2022: negativt, 2023: SOMMAR})
    assert f is not None and (f.belopp, f.text) == (D(1260), "Säsongsprofil 2023")
    # With no usable year at all the next method answers.
    assert säsongsprofil({2021: saknar_mars, 2022: negativt}) is None
    f = prognosförslag({m: D(150) for m in range(1, 8)}, 7, {2021: saknar_mars, 2022: negativt})
    assert f is not None and f.metod == RAK


def test_högst_tre_år_de_senaste_används():
    historik = {2018: SOMMAR, 2019: JÄMNT, 2020: JÄMNT, 2022: JÄMNT}
    s = säsongsprofil(historik)
    assert s is not None and s[1] == (2019, 2020, 2022)
    f = prognosförslag({1: D(100)}, 1, historik)
    assert f is not None and f.text == "Säsongsprofil 2019–2020 och 2022"


def test_årets_saknade_månader_räknas_inte_som_noll():
    # The grid month is 8 but August is not imported yet: the proposal scales months 1–7 (t_o_m 7). A gap in
    # March is summed as what is stored (the months seen are 1–7 by the profile).
    i_år = {m: D(150) for m in range(1, 8)}
    f = prognosförslag(i_år, 8, {2023: SOMMAR})
    assert f is not None and (f.t_o_m, f.belopp) == (7, D(1260))
    # No utfall at all this year: no proposal; December: none (the year's utfall is known).
    assert prognosförslag({}, 8, {2023: SOMMAR}) is None
    assert prognosförslag({m: D(1) for m in range(1, 13)}, 12, {2023: SOMMAR}) is None


def _kf(belopp: int, vikter=None, månader=None, år: int = 2024, slag: str = "kf") -> Budgetbelopp:
    return Budgetbelopp(
        slag,
        år,
        D(belopp),
        tuple(D(v) for v in vikter) if vikter else None,
        månader=tuple(None if v is None else D(v) for v in månader) if månader else None,
    )


def test_utan_historik_används_budgetens_periodisering():
    # Budget 1 200 with weight 2 in July and December, 1 in the other months (14 in all): months 1–7 = 8/14.
    # Utfall 1–7 = 800 → 800 × 14/8 = 1 400.
    budget = [_kf(1200, [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2])]
    f = prognosförslag({m: D(800) / 7 for m in range(1, 8)}, 7, {}, budget, 2024)
    assert f is not None and (f.belopp, f.metod, f.text) == (D(1400), BUDGET, "Budgetens periodisering")


def test_budgetens_exakta_månader_följer_periodbudget():
    # Exact January and February (300 each of 1 200), the rest (600) evenly over ten months: months 1–2 = 600
    # of 1 200 = 50 %. Utfall 1–2 = 500 → 1 000. A tillägg without a profile is part of the year's budget.
    budget = [_kf(1200, månader=[300, 300] + [None] * 10), _kf(0, slag="tillägg")]
    f = prognosförslag({1: D(250), 2: D(250)}, 2, None, budget, 2024)
    assert f is not None and (f.belopp, f.metod) == (D(1000), BUDGET)


def test_jämnt_periodiserad_budget_är_rak_uppräkning_och_heter_så():
    budget = [_kf(1200), _kf(1300, [1] * 12, år=2023)]  # last year's profile does not count for this year
    f = prognosförslag({m: D(100) for m in range(1, 5)}, 4, {}, budget, 2024)
    assert f is not None and (f.belopp, f.metod) == (D(1200), RAK)


def test_budget_noll_eller_negativ_ger_rak_uppräkning():
    budget = [_kf(-500, [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2])]
    f = prognosförslag({1: D(-40)}, 1, {}, budget, 2024)
    assert f is not None and (f.belopp, f.metod) == (D(-480), RAK)


def test_för_liten_andel_går_vidare_till_nästa_metod():
    # Earlier years carry almost nothing in January (1 of 1 201): the profile would multiply by 1 201; the
    # proposal falls back to the run-rate instead.
    nästan_noll = år_med(1, *[100] * 11)
    f = prognosförslag({1: D(50)}, 1, {2023: nästan_noll})
    assert f is not None and (f.metod, f.belopp) == (RAK, D(600))


def test_nämnd_som_startar_under_året_räknar_från_sin_första_månad():
    # A nämnd from 1 July: utfall in July–September (3 × 100 = 300). Even earlier years: months 7–9 are 3 of the
    # 6 months it has → 600. The run-rate over its months says the same; the July-heavy profile says
    # 300 × (600/1200) / (480/1200) = 375.
    i_år = {7: D(100), 8: D(100), 9: D(100)}
    assert prognosförslag(i_år, 9, från_månad=7).belopp == D(600)  # type: ignore[union-attr]
    f = prognosförslag(i_år, 9, {2023: SOMMAR}, från_månad=7)
    assert f is not None and f.belopp == D(375)
    assert prognosförslag(i_år, 6, från_månad=7) is None


def test_nämnd_som_upphör_under_året_räknar_till_sin_sista_månad():
    # A nämnd until 30 April: utfall 100 in January–February; July-heavy profile: months 1–2 = 200 of the 400
    # January–April carry → 400. In April (its last month) the year is known: no proposal.
    f = prognosförslag({1: D(100), 2: D(100)}, 2, {2023: SOMMAR}, till_månad=4)
    assert f is not None and (f.belopp, f.metod, round(f.andel, 6)) == (D(400), SÄSONG, D("0.5"))
    assert prognosförslag({m: D(100) for m in range(1, 5)}, 4, {2023: SOMMAR}, till_månad=4) is None


def test_nämndens_månader():
    assert nämndens_månader(dt.date(2019, 1, 1), None, 2024) == (1, 12)
    assert nämndens_månader(dt.date(2024, 5, 1), None, 2024) == (5, 12)
    assert nämndens_månader(dt.date(2015, 1, 1), dt.date(2024, 4, 30), 2024) == (1, 4)
    assert nämndens_månader(dt.date(2015, 1, 1), dt.date(2024, 4, 30), 2023) == (1, 12)


def test_tidigare_år_genom_föregångare_generation_för_generation():
    # Område 3 exists from 2023; its föregångare 2 covers 2021–2022, and 2's föregångare 1 covers 2020.
    # 2019: 1 has only eleven months → left out. 2022: 2 has a complete year. 2023: 3 has its own.
    utfall = {
        1: {2019: {m: D(1) for m in range(1, 12)}, 2020: dict(JÄMNT)},
        2: {2021: dict(SOMMAR), 2022: dict(SOMMAR)},
        3: {2023: dict(JÄMNT), 2024: {1: D(5)}},
    }
    historik = tidigare_år(3, 2024, utfall, {3: [2], 2: [1]})
    assert sorted(historik) == [2020, 2021, 2022, 2023]
    assert historik[2021] == SOMMAR and historik[2023] == JÄMNT
    # A nämnd split in the middle of the year: the new område has July–December of 2023 and its föregångare all
    # of 2023 — the first generation with utfall (the område's own) is incomplete, so 2023 is left out rather
    # than mixed; the föregångare's 2022 is used.
    utfall = {10: {2022: dict(JÄMNT), 2023: dict(JÄMNT)}, 11: {2023: {m: D(50) for m in range(7, 13)}}}
    assert sorted(tidigare_år(11, 2024, utfall, {11: [10]})) == [2022]


def test_sammanslagna_föregångare_summeras_per_månad():
    # Two föregångare of one område are summed per month (a merger): 100 + 50 a month.
    utfall = {1: {2023: dict(JÄMNT)}, 2: {2023: {m: D(50) for m in range(1, 13)}}}
    assert tidigare_år(3, 2024, utfall, {3: [1, 2]})[2023] == {m: D(150) for m in range(1, 13)}


@pytest.mark.parametrize(
    ("år", "text"),
    [((2023,), "2023"), ((2021, 2022, 2023), "2021–2023"), ((2019, 2021, 2022), "2019 och 2021–2022")],
)
def test_årsspann(år, text):
    assert årsspann(år) == text


# --- in the month grid (an invented kommun of another shape: tests/factories.annan_form_kommun) ------------------


GRIDÅR = 2025
MNKR = D(1_000_000)
NBSP = "\u00a0"
# Earlier years of Hemtjänst: 1,5 mnkr a month in January–June, 6 in July, 1,8 in August–December = 24 mnkr, of
# which months 1–6 carry 9/24 = 0,375.
HEMTJÄNST_FÖRR = [D("1.5")] * 6 + [D(6)] + [D("1.8")] * 5


@pytest.fixture
def ekeby(db):

    b = annan_form_kommun(år=GRIDÅR)
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=b.områden["Hemtjänst"], år=år, månad=m, belopp=belopp * MNKR)
        for år in (GRIDÅR - 2, GRIDÅR - 1)
        for m, belopp in enumerate(HEMTJÄNST_FÖRR, start=1)
    )
    return b


def _grid(client, nämnd, månad: int):
    return reverse("månadsuppföljning", args=[nämnd.id, GRIDÅR, månad])


def _förslag(html: bytes) -> dict[int, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {
        int(str(s["id"]).split("-")[0][1:]): re.sub(r"[ \t\n]+", " ", s.get_text(" ", strip=True))
        for s in soup.select(".prognosforslag")
    }


def test_griden_visar_förslaget_bredvid_prognosen(client, ekeby):

    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    client.force_login(controller(ekeby.kommun, "ekeby-controller", nämnder=[omsorg]))
    r = client.get(_grid(client, omsorg, 6))
    assert r.status_code == 200
    förslag = _förslag(r.content)
    hemtjänst, boende = ekeby.områden["Hemtjänst"].id, ekeby.områden["Särskilt boende"].id
    # Hemtjänst: 12 mnkr in months 1–6 / 0,375 = 32 mnkr. Särskilt boende (no earlier years, an even budget):
    # 3,5 mnkr × 6 / 6 × 12 = 42 mnkr. In tkr, as the grid's unit.
    assert (
        förslag[hemtjänst]
        == f"Förslag: 32{NBSP}000 (säsongsprofil 2023–2024) Använd förslaget som helårsprognos, Hemtjänst"
    )
    assert förslag[boende].startswith(f"Förslag: 42{NBSP}000 (rak uppräkning) Använd")
    # In kronor the same proposal, to the krona.
    r = client.post(_grid(client, omsorg, 6), {"enhet": "kr", "visad_enhet": "tkr", "atgard": "byt_enhet"})
    assert _förslag(r.content)[hemtjänst].startswith(f"Förslag: 32{NBSP}000{NBSP}000 (säsongsprofil 2023–2024)")


def test_nämnd_som_börjar_mitt_i_året_får_förslag_för_sina_månader(client, ekeby):

    social = ekeby.nämnder["Socialnämnden"]
    client.force_login(admin(ekeby.kommun, "ekeby-admin"))
    förslag = _förslag(client.get(_grid(client, social, 9)).content)
    # Familjehem from July: 0,5 mnkr × 3 months, run-rate over its six months = 3 mnkr (not × 12 / 9).
    assert förslag[ekeby.områden["Familjehem"].id].startswith(f"Förslag: 3{NBSP}000 (rak uppräkning)")
    # Before the nämnd's first month: no utfall, no proposal; December: the year is known.
    assert _förslag(client.get(_grid(client, social, 12)).content) == {}


def test_använd_utan_javascript_fyller_i_och_spara_går_genom_vakten(client, ekeby):

    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    user = controller(ekeby.kommun, "ekeby-controller", nämnder=[omsorg])
    client.force_login(user)
    hemtjänst = ekeby.områden["Hemtjänst"].id
    data = formulärdata(client.get(_grid(client, omsorg, 6)).content)

    # "Använd" posts the row id: the page comes back with the proposal in the input, nothing saved.
    r = client.post(_grid(client, omsorg, 6), data | {"anvand_forslag": str(hemtjänst)})
    assert r.status_code == 200
    ifyllt = formulärdata(r.content)
    assert ifyllt[f"r{hemtjänst}-prognos"] == f"32{NBSP}000"
    assert not Prognos.objects.filter(verksamhetsområde_id=hemtjänst, år=GRIDÅR, månad=6).exists()
    # Another row's typed value is kept.
    boende = ekeby.områden["Särskilt boende"].id
    r = client.post(
        _grid(client, omsorg, 6), data | {f"r{boende}-kommentar": "Mitt skäl", "anvand_forslag": str(hemtjänst)}
    )
    assert formulärdata(r.content)[f"r{boende}-kommentar"] == "Mitt skäl"

    # Spara saves it as any typed prognos (the grid's save service and edit guard).
    r = client.post(_grid(client, omsorg, 6), ifyllt | {"atgard": "spara_anda"})
    assert r.status_code == 302
    assert Prognos.objects.get(verksamhetsområde_id=hemtjänst, år=GRIDÅR, månad=6).belopp == 32 * MNKR

    # A closed month: the proposal is shown without "Använd", and a posted save is refused by the guard.
    data = formulärdata(client.get(_grid(client, omsorg, 7)).content)
    stäng(user, ekeby.kommun, GRIDÅR, [7])
    r = client.get(_grid(client, omsorg, 7))
    soup = BeautifulSoup(r.content, "html.parser")
    assert soup.select_one(f"#r{hemtjänst}-forslag") is not None
    assert not soup.select("button.anvand-forslag")
    r = client.post(_grid(client, omsorg, 7), data | {f"r{hemtjänst}-prognos": "33 000", "atgard": "spara_anda"})
    assert r.status_code == 200 and "är stängd" in r.content.decode()
    assert Prognos.objects.filter(verksamhetsområde_id=hemtjänst, år=GRIDÅR, månad=7).count() == 0


def test_läsare_ser_förslaget_utan_knapp(client, ekeby):

    client.force_login(läsare(ekeby.kommun, "ekeby-lasare"))
    r = client.get(_grid(client, ekeby.nämnder["Omsorgsnämnden"], 6))
    förslag = _förslag(r.content)
    assert förslag[ekeby.områden["Hemtjänst"].id] == f"Förslag: 32{NBSP}000 (säsongsprofil 2023–2024)"
    assert b"anvand-forslag" not in r.content


def test_utfallshistorik_två_frågor_genom_en_kedja_av_föregångare(ekeby, django_assert_num_queries):
    # Hemtjänst ← "Hemtjänst 2023" ← "Hemtjänst 2022" (föregångare in two steps): the history of both older
    # områden comes with the same two queries as without links.

    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    hemtjänst = ekeby.områden["Hemtjänst"]
    äldre = Verksamhetsområde.objects.create(nämnd=omsorg, namn="Hemtjänst 2022", till_år=2022)
    mellan = Verksamhetsområde.objects.create(nämnd=omsorg, namn="Hemtjänst 2023", till_år=2023)
    mellan.föregångare.add(äldre)
    hemtjänst.föregångare.add(mellan)
    Utfall.objects.bulk_create(Utfall(verksamhetsområde=äldre, år=2022, månad=m, belopp=D(100)) for m in range(1, 13))
    user = admin(ekeby.kommun, "ekeby-admin-historik")
    with django_assert_num_queries(2):
        historik = utfallshistorik(user, omsorg, [hemtjänst.id], GRIDÅR)
    assert historik.föregångare[hemtjänst.id] == [mellan.id] and historik.föregångare[mellan.id] == [äldre.id]
    assert sorted(historik.utfall) == [hemtjänst.id, äldre.id]
    # Hemtjänst's own 2023 and 2024 come first; 2022 only through the chain.

    assert sorted(tidigare_år(hemtjänst.id, GRIDÅR, historik.utfall, historik.föregångare)) == [2022, 2023, 2024]
