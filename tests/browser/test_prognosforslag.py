"""The proposed helårsprognos in the month grid, in Chromium: "Använd" (a click, or Alt+F in the prognos cell) fills
the prognos input (the totals follow) while Tab still goes from cell to cell,
the unit switch converts the proposal's text, Ctrl+S saves it through the grid's save; the page stays axe-clean.

An invented kommun of another shape (tests/factories.annan_form_kommun, mnkr, 2025) with two earlier years of
Hemtjänst utfall added here: 1,5 mnkr a month in January–June, 6 in July, 1,8 in August–December (24 mnkr, months
1–6 = 0,375 of it). In June 2025 Hemtjänst has 12 mnkr → proposal 32 mnkr (säsongsprofil 2023–2024)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ekonomi.models import Prognos, Utfall
from tests import factories
from tests.browser.conftest import logga_in
from tests.browser.test_tillganglighet import granska

pytestmark = pytest.mark.postgres

ÅR = 2025
MNKR = Decimal(1_000_000)
NBSP = "\u00a0"


@pytest.fixture
def ekeby(transactional_db):
    b = factories.annan_form_kommun(år=ÅR)
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=b.områden["Hemtjänst"], år=år, månad=m, belopp=belopp * MNKR)
        for år in (ÅR - 2, ÅR - 1)
        for m, belopp in enumerate([Decimal("1.5")] * 6 + [Decimal(6)] + [Decimal("1.8")] * 5, start=1)
    )
    return b


def test_använd_fyller_i_prognosen_och_ctrl_s_sparar(sida, ekeby):
    from playwright.sync_api import expect

    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    hemtjänst = ekeby.områden["Hemtjänst"].id
    logga_in(sida, factories.controller(ekeby.kommun, "ekeby-webb", nämnder=[omsorg]))
    url = reverse("månadsuppföljning", args=[omsorg.id, ÅR, 6])
    granska(sida, url)  # axe: 0 violations with the proposals and their buttons

    förslag = sida.locator(f"#r{hemtjänst}-forslag")
    expect(förslag).to_contain_text(f"Förslag: 32{NBSP}000 (säsongsprofil 2023–2024)")
    prognos = sida.locator(f"#r{hemtjänst}-prognos")
    expect(prognos).to_have_value("")  # no prognos made in June yet (the builder's are April's and August's)

    # Tab goes on from the prognos cell to the comment, as before: the button is not in the way.
    prognos.focus()
    sida.keyboard.press("Tab")
    expect(sida.locator(f"#r{hemtjänst}-kommentar")).to_be_focused()

    # With the mouse: "Använd" fills the input and puts focus there; Esc undoes it.
    # (The comment field has focus and is tall while focused: the click must not lose it when the field shrinks.)
    knapp = förslag.get_by_role("button", name="Använd förslaget som helårsprognos, Hemtjänst")
    knapp.click()
    expect(prognos).to_have_value(f"32{NBSP}000")
    expect(prognos).to_be_focused()
    sida.keyboard.press("Escape")
    expect(prognos).to_have_value("")

    # From the keyboard: Alt+F in the prognos cell.
    sida.keyboard.press("Alt+f")
    expect(prognos).to_have_value(f"32{NBSP}000")
    expect(prognos).to_have_class("andrad")
    rad = sida.locator(f"#rad-{hemtjänst}")
    expect(rad.locator("[data-visa=forandring]")).to_have_text(f"6{NBSP}000")  # since April's 26 mnkr
    expect(sida.locator(".sparstatus").first).to_have_text("1 osparad ändring")
    assert not Prognos.objects.filter(verksamhetsområde_id=hemtjänst, år=ÅR, månad=6).exists()

    sida.locator("#id_enhet").select_option("kr")  # the proposal's text follows the unit, the input converts
    expect(förslag.locator("[data-forslag-visning]")).to_have_text(f"32{NBSP}000{NBSP}000")
    expect(prognos).to_have_value(f"32{NBSP}000{NBSP}000")

    prognos.focus()
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator(".meddelande")).to_contain_text("Sparat: 1 nya")
    assert Prognos.objects.get(verksamhetsområde_id=hemtjänst, år=ÅR, månad=6).belopp == 32 * MNKR
    assert not sida.konsolfel
