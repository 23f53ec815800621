"""The Månadsuppföljning grid in a real browser, keyboard only: Enter moves down, totals update while typing,
Ctrl+S saves, the delårsrapport shows the new figures. Screenshot for the README: docs/bilder/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from nämnd.models import Verksamhetsområde
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

BILD = Path(__file__).resolve().parents[2] / "docs" / "bilder" / "manadsuppfoljning.png"
IFO = "Ifo öppenvård och stöd"
NBSP = "\u00a0"


def tkr(text: str) -> str:
    """ "1 234" as the page shows it (no-break space between thousands)."""
    return text.replace(" ", NBSP).replace("-", "\u2212")


@pytest.fixture
def controller(knivsta, socialnämnden):
    user = skapa_användare("controller-webb", knivsta, roll="controller")
    user.behörigheter.get().nämnder.set([socialnämnden])
    return user


def fokus(sida) -> str:
    return sida.evaluate("document.activeElement && document.activeElement.id")


def test_månadsuppföljning_med_bara_tangentbordet(sida, controller, socialnämnden):
    from playwright.sync_api import expect

    ifo = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn=IFO).id
    logga_in(sida, controller)
    grid_url = reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8])
    sida.goto(grid_url)
    expect(sida.locator("h1")).to_have_text("Månadsuppföljning augusti 2023")
    summa = sida.locator("#summa-total")
    expect(summa.locator("[data-visa=ack]")).to_have_text(tkr("219 654"))  # the published delår nettokostnad

    # The first editable cell gets focus; from there on, only keys.
    sida.locator("[data-kol=utfall]").first.focus()
    for _ in range(8):  # down the utfall column, past the block headings and subtotals, to Ifo öppenvård
        sida.keyboard.press("Enter")
    assert fokus(sida) == f"r{ifo}-utfall"
    sida.keyboard.press("Shift+Enter")
    assert fokus(sida) != f"r{ifo}-utfall"
    sida.keyboard.press("Enter")
    assert fokus(sida) == f"r{ifo}-utfall"

    sida.keyboard.type("2 807")  # Enter selected the cell: typing replaces it (+500 tkr; the demo's August 2 307)
    sida.keyboard.press("Tab")
    assert fokus(sida) == f"r{ifo}-prognos"
    sida.keyboard.type("30 000")  # was 28 418
    sida.keyboard.press("Tab")
    assert fokus(sida) == f"r{ifo}-kommentar"
    sida.keyboard.press("Control+a")
    sida.keyboard.type("Fler placeringar än planerat.")

    # Live, before saving: the row, its block and the total row.
    rad = sida.locator(f"#rad-{ifo}")
    expect(rad.locator("[data-visa=ack]")).to_have_text(tkr("18 977"))
    expect(rad.locator("[data-visa=avvikelse]")).to_have_text(tkr("590"))
    blocksumma = rad.locator("xpath=ancestor::tbody").locator("tr[data-summa]")
    expect(blocksumma.locator("[data-visa=ack]")).to_have_text(tkr("45 359"))
    expect(summa.locator("[data-visa=utfall]")).to_have_text(tkr("27 955"))
    expect(summa.locator("[data-visa=ack]")).to_have_text(tkr("220 154"))
    expect(summa.locator("[data-visa=prognos]")).to_have_text(tkr("337 987"))
    expect(sida.locator(f"#r{ifo}-utfall")).to_have_class("andrad")

    BILD.parent.mkdir(parents=True, exist_ok=True)
    sida.set_viewport_size({"width": 1440, "height": 1500})  # tall enough for the whole grid, total row included
    sida.screenshot(path=str(BILD), full_page=True)

    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator(".meddelande")).to_have_text("Sparat: 0 nya, 2 ändrade, 0 borttagna värden.")
    expect(summa.locator("[data-visa=ack]")).to_have_text(tkr("220 154"))
    expect(summa.locator("[data-visa=prognos]")).to_have_text(tkr("337 987"))
    expect(sida.locator(f"#r{ifo}-utfall")).to_have_value(tkr("2 807"))
    expect(sida.locator(f"#r{ifo}-kommentar")).to_have_value("Fler placeringar än planerat.")

    sida.goto(reverse("rapport", args=[socialnämnden.id, 2023, "delårsrapport"]))
    helår = sida.locator(f"#helar-{socialnämnden.id} tr", has=sida.locator("th", has_text=IFO))
    expect(helår.locator("td").nth(3)).to_have_text(tkr("30 000"))
    drift = sida.locator(f"#drift-{socialnämnden.id} tr", has=sida.locator("th", has_text=IFO))
    expect(drift.locator("td").nth(3)).to_have_text(tkr("18 977"))
    assert not sida.konsolfel


def test_fel_markeras_direkt_och_sparas_inte(sida, controller, socialnämnden):
    from playwright.sync_api import expect

    ifo = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn=IFO).id
    logga_in(sida, controller)
    sida.goto(reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8]))
    sida.locator(f"#r{ifo}-prognos").focus()
    sida.keyboard.press("Control+a")
    sida.keyboard.type("12a")
    expect(sida.locator(f"#r{ifo}-prognos")).to_have_attribute("aria-invalid", "true")
    sida.keyboard.press("Escape")  # undo the cell
    expect(sida.locator(f"#r{ifo}-prognos")).to_have_value(tkr("28 418"))
    sida.keyboard.press("Shift+Tab")  # to the utfall cell and back: Tab selects a cell's content
    sida.keyboard.press("Tab")
    sida.keyboard.type("12 a")
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    fel = sida.locator("#felsummering")
    expect(fel).to_contain_text(f"{IFO}, helårsprognos: '12 a' är inte ett tal.")
    expect(fel).to_be_focused()
    expect(sida.locator(f"#r{ifo}-prognos")).to_have_value("12 a")
    expect(sida.locator(f"#rad-{ifo}")).to_contain_text("Fel i raden")
    assert not sida.konsolfel


def test_enhet_kr_räknar_om_cellerna(sida, controller, socialnämnden):
    from playwright.sync_api import expect

    ifo = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn=IFO).id
    logga_in(sida, controller)
    sida.goto(reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8]))
    expect(sida.locator("button.byt-enhet")).to_be_hidden()  # JavaScript converts in place
    sida.locator("#id_enhet").select_option("kr")
    expect(sida.locator(f"#r{ifo}-prognos")).to_have_value(tkr("28 418 000"))
    expect(sida.locator("#summa-total [data-visa=ack]")).to_have_text(tkr("219 654 000"))
    sida.locator(f"#r{ifo}-prognos").focus()
    sida.keyboard.press("Control+a")
    sida.keyboard.type("28 418 500")
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator(".meddelande")).to_contain_text("1 ändrade")
    expect(sida.locator("#id_enhet")).to_have_value("kr")  # remembered
    expect(sida.locator(f"#r{ifo}-prognos")).to_have_value(tkr("28 418 500"))


def test_läsare_ser_månaden_skrivskyddad(sida, läsare, socialnämnden):
    logga_in(sida, läsare)
    svar = sida.goto(reverse("månadsuppföljning", args=[socialnämnden.id, 2023, 8]))
    assert svar.status == 200
    assert sida.locator("input[data-kol], textarea[data-kol]").count() == 0
    assert sida.locator("button.spara").count() == 0
    assert "Du kan läsa men inte ändra" in sida.inner_text("#skrivskydd")
