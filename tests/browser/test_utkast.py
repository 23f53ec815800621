"""A drafted comment in the month grid, in Chromium: "Använd förslaget" fills the Kommentar field (nothing saved
yet), the controller edits it and saves with Ctrl+S through the grid's save; the draft is gone once the row is
commented. On ``annan_form_kommun`` (mnkr, costs negative), August: Särskilt boende −4 mnkr (over the limit), and
Hemtjänst with a volume (the variance split as an expandable detail)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from ekonomi.models import Prognos
from tests import factories
from tests.browser.conftest import logga_in
from tests.rapporter.test_volymdelning_rapport import med_volym

pytestmark = pytest.mark.postgres

ÅR = factories.ÅR
NBSP = "\u00a0"
UTKAST = f"Nettokostnaden är 4,0{NBSP}mnkr högre än periodbudgeten."


def test_använd_förslaget_redigera_och_spara(sida, transactional_db):
    from playwright.sync_api import expect

    b = factories.annan_form_kommun()
    med_volym(b, år=ÅR)
    b.kommun.avvikelsegräns_kr = D(1_000_000)
    b.kommun.save()
    omsorg = b.nämnder["Omsorgsnämnden"]
    särskilt, hemtjänst = b.områden["Särskilt boende"], b.områden["Hemtjänst"]
    logga_in(sida, factories.controller(b.kommun, "controller-utkast", nämnder=[omsorg]))
    sida.goto(reverse("månadsuppföljning", args=[omsorg.id, ÅR, 8]))

    ruta = sida.locator(f"#r{särskilt.id}-kommentarsforslag")
    expect(ruta.locator("[data-kommentarsforslag]")).to_have_text(UTKAST)
    fält = sida.locator(f"#r{särskilt.id}-kommentar")
    expect(fält).to_have_value("")

    # The split of the row with volume opens as a detail.
    detalj = sida.locator(f"#rad-{hemtjänst.id} details.volymdelning")
    detalj.locator("summary").click()
    expect(detalj.locator("dd").nth(2)).to_have_text(f"\u22120,8{NBSP}mnkr")

    ruta.get_by_role("button", name="Använd förslaget").click()  # JS: fills the field, posts nothing
    expect(fält).to_have_value(UTKAST)
    expect(fält).to_be_focused()
    assert Prognos.objects.get(verksamhetsområde=särskilt, år=ÅR, månad=8).kommentar == ""

    sida.keyboard.press("End")
    sida.keyboard.type(" Fler beslut om särskilt boende.")
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator(".meddelande")).to_contain_text("Sparat")
    assert (
        Prognos.objects.get(verksamhetsområde=särskilt, år=ÅR, månad=8).kommentar
        == f"{UTKAST} Fler beslut om särskilt boende."
    )
    expect(sida.locator(f"#r{särskilt.id}-kommentarsforslag")).to_have_count(0)
    assert not sida.konsolfel
