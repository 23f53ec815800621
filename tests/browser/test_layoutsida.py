"""The layout page in Chromium, as a kommun admin: add a drift table, tick a column in the list and see the preview
gain it, move sections with the keyboard and by drag and drop, save, and find the new column in the real report. No JSON is typed
anywhere; the page has no axe-core (WCAG 2.1 AA) violations and no console or CSP errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rapporter import selectors as sel
from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

ÅR = factories.ÅR
KOLUMN = "Budgetavvikelse perioden, %"
RUBRIK = "Avvikelse %"  # its heading in the report
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def byggd(transactional_db):
    return factories.liten_kommun()


def rubriker(sida) -> list[str]:
    return sida.locator("#avsnittslista > li.avsnitt input[name$='-rubrik']").evaluate_all("fs => fs.map(f => f.value)")


def test_redigera_förhandsvisa_flytta_spara_och_se_rapporten(sida, byggd):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    kommun, nämnd = byggd.kommun, byggd.nämnd
    logga_in(sida, skapa_användare("admin-layout", kommun, roll="admin"))
    sida.goto(reverse("start"))
    sida.get_by_role("link", name="Rapportlayout och rapporttillfällen").click()
    expect(sida.locator("main > h1")).to_have_text("Rapportlayout: Delårsrapport")
    förhand = sida.locator("#forhandsvisning")
    expect(förhand.locator("h1")).to_have_text(f"Delårsrapport {ÅR}")
    expect(förhand.locator("th", has_text=RUBRIK)).to_have_count(0)
    före = rubriker(sida)

    resultat = Axe().run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()

    # Add a drift table (fetched without a reload; its settings open)
    sida.get_by_label("Tabell: driftredovisning").check()
    sida.get_by_role("button", name="Lägg till avsnitt").click()
    expect(sida.locator("#avsnittslista > li.avsnitt")).to_have_count(len(före) + 1)
    ny = sida.locator("#" + sida.locator("#avsnittslista > li.avsnitt").last.get_attribute("id"))  # stays put
    expect(ny.locator("input[name$='-rubrik']")).to_have_value("Driftredovisning 2")
    expect(ny.locator("input[name$='-rubrik']")).to_be_focused()
    ny.locator("input[name$='-rubrik']").fill("Avvikelser i procent")

    # Tick a column in the vocabulary list: the preview gains its heading
    ny.get_by_label(KOLUMN, exact=True).check()
    expect(ny.locator(".valda-kolumner").get_by_label(KOLUMN, exact=True)).to_be_checked()  # moved to the chosen
    expect(förhand.locator("th", has_text=RUBRIK).first).to_be_visible()
    expect(förhand.locator("h2", has_text="Avvikelser i procent")).to_be_visible()

    # Keyboard: focus the new section's "Flytta upp" and press Enter — it moves above the last old section
    upp = ny.get_by_role("button", name="Flytta upp")
    upp.focus()
    sida.keyboard.press("Enter")
    expect(upp).to_be_focused()
    assert rubriker(sida) == [*före[:-1], "Avvikelser i procent", före[-1]]
    expect(ny.locator(".avsnitt-nummer")).to_have_text(str(len(före)))
    expect(förhand.locator("nav.innehallsforteckning li").nth(len(före) - 1)).to_have_text("Avvikelser i procent")
    assert "Avvikelser i procent" not in [s["rubrik"] for s in sel.layout(kommun.id, "delårsrapport", ÅR)]  # not saved

    # Drag: the first section's handle onto the lower half of the second — they swap
    andra = sida.locator("#avsnittslista > li.avsnitt").nth(1)
    höjd = andra.bounding_box()["height"]
    sida.locator("#avsnittslista > li.avsnitt").first.locator(".dragghandtag").drag_to(
        andra, target_position={"x": 20, "y": höjd - 4}
    )
    ordning = [före[1], före[0], *före[2:-1], "Avvikelser i procent", före[-1]]
    assert rubriker(sida) == ordning
    expect(förhand.locator("nav.innehallsforteckning li").first).to_have_text(före[1])

    # Save, then the real report
    with sida.expect_navigation():
        sida.get_by_role("button", name="Spara", exact=True).click()
    expect(sida.locator(".meddelanden")).to_contain_text("Layouten för delårsrapport är sparad")
    assert rubriker(sida) == ordning
    sida.goto(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"]))
    avsnitt = sida.locator("section.sektion", has_text="Avvikelser i procent")
    expect(avsnitt.locator("th", has_text=RUBRIK).first).to_be_visible()
    expect(sida.locator("nav.innehallsforteckning li")).to_have_text(ordning)
    assert not sida.konsolfel, sida.konsolfel
