"""The grid and the entry pages in a real browser, on an invented kommun (``annan_form_kommun``, 2025):
"Till raden" on the status page puts focus in the row's first editable cell; a closed month is read-only from the
start; the kommun's avvikelsegräns and the plausibility warnings follow the typing; the volymer page saves with
Ctrl+S, has the shared save bar and warns before leaving with unsaved changes (beforeunload); axe stays at 0."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nyckeltal.sidor import volym_url
from nämnd.services import stäng
from tests import factories
from tests.browser.conftest import logga_in

pytestmark = pytest.mark.postgres

ÅR = factories.ÅR
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def ekeby(transactional_db):
    return factories.annan_form_kommun()


@pytest.fixture
def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def inloggad(sida, ekeby):
    user = factories.admin(ekeby.kommun, "admin-ekeby-webb")
    logga_in(sida, user)
    sida.user = user
    return sida


def fokus(sida) -> str:
    return sida.evaluate("document.activeElement ? document.activeElement.id : ''")


def axe_noll(sida, tillstånd: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    resultat = Axe().run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, f"{tillstånd}\n{resultat.generate_report()}"


def test_till_raden_ger_fokus_i_radens_första_redigerbara_cell(inloggad, ekeby, omsorg):
    from playwright.sync_api import expect

    sida = inloggad
    boende = ekeby.områden["Särskilt boende"]
    sida.goto(reverse("dashboard", args=[omsorg.id, ÅR]))
    länk = sida.locator("#avvikelser tr", has=sida.locator("th", has_text="Särskilt boende")).get_by_role(
        "link", name="Till raden"
    )
    assert länk.get_attribute("href").endswith(f"#vo-{boende.id}")
    with sida.expect_navigation():
        länk.click()
    expect(sida.locator(f"#r{boende.id}-utfall")).to_be_focused()
    # typing goes straight into the cell (it was selected)
    sida.keyboard.type("3 600")
    assert sida.locator(f"#r{boende.id}-utfall").input_value() == "3 600"
    # and another row's anchor on the same page moves focus there too
    hemtjänst = ekeby.områden["Hemtjänst"]
    sida.evaluate(f"window.location.hash = 'vo-{hemtjänst.id}'")
    expect(sida.locator(f"#r{hemtjänst.id}-utfall")).to_be_focused()
    assert not sida.konsolfel


def test_stängd_månad_är_skrivskyddad_från_början(inloggad, ekeby, omsorg):
    from playwright.sync_api import expect

    sida = inloggad
    stäng(sida.user, ekeby.kommun, ÅR, [8])
    boende = ekeby.områden["Särskilt boende"]
    sida.goto(reverse("månadsuppföljning", args=[omsorg.id, ÅR, 8]) + f"#vo-{boende.id}")
    expect(sida.locator("#skrivskydd")).to_contain_text(f"Augusti {ÅR} är stängd.")
    assert sida.locator("#grid input:enabled:not([type=hidden]), #grid textarea:enabled").count() == 0
    assert sida.locator("button.spara").count() == 0
    assert fokus(sida) == f"vo-{boende.id}"  # "Till raden" to a read-only row: the row's header
    expect(sida.locator(f"#rad-{boende.id} [data-grans=period]")).to_be_visible()  # −4 mnkr jan–aug
    axe_noll(sida, "stängd månad")
    assert not sida.konsolfel


def test_gränsen_och_rimligheten_följer_inmatningen(inloggad, ekeby, omsorg):
    from playwright.sync_api import expect

    sida = inloggad
    ekeby.kommun.avvikelsegräns_kr = 1_000_000
    ekeby.kommun.avvikelsegräns_procent = 10
    ekeby.kommun.save()
    hemtjänst = ekeby.områden["Hemtjänst"]
    sida.goto(reverse("månadsuppföljning", args=[omsorg.id, ÅR, 8]))
    rad = sida.locator(f"#rad-{hemtjänst.id}")
    gräns, varning = rad.locator("[data-grans=period]"), rad.locator("[data-rimlighet=utfall]")
    expect(gräns).to_be_hidden()  # +0,8 mnkr of 16,8: within 1 mnkr / 10 %
    status = sida.locator("#manadsgrid .sparfalt .sparstatus")
    expect(status).to_have_text("Inga osparade ändringar")
    sida.select_option("#id_enhet", "kr")  # another unit converts the cells: no change to save
    expect(status).to_have_text("Inga osparade ändringar")
    sida.select_option("#id_enhet", "tkr")
    sida.locator(f"#r{hemtjänst.id}-utfall").fill("4 000")  # jan–aug 18 mnkr against 16,8: −1,2 mnkr, over
    expect(gräns).to_be_visible()
    expect(gräns).to_have_text("▲ Över gränsen")
    expect(varning).to_be_hidden()
    expect(status).to_have_text("1 osparad ändring")
    sida.locator(f"#r{hemtjänst.id}-utfall").fill("26 000")  # more than the year's budget (25,2 mnkr)
    expect(varning).to_contain_text("Utfall augusti är större än hela årets budget.")
    sida.locator(f"#r{hemtjänst.id}-utfall").fill("2 000")
    expect(varning).to_be_hidden()
    expect(gräns).to_be_hidden()

    sida.locator(f"#r{hemtjänst.id}-prognos").fill("60 000")  # more than 2 × the budget
    with sida.expect_navigation():
        sida.locator("button.spara").click()
    expect(sida.locator("#varningssummering")).to_contain_text("Helårsprognosen är mer än 2 gånger årets budget.")
    expect(sida.locator("button.spara")).to_have_text("Spara ändå")
    assert fokus(sida) == "varningssummering"
    axe_noll(sida, "rimlighetsvarning")
    sida.on("dialog", lambda d: d.accept())
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator(".meddelande")).to_contain_text("Sparat: 0 nya, 1 ändrade")
    assert not sida.konsolfel


def test_volymer_sparas_med_ctrl_s_och_varnar_innan_man_lämnar(inloggad, omsorg):
    from playwright.sync_api import expect

    sida = inloggad
    sida.goto(volym_url(omsorg, ÅR, "år"))
    form = sida.locator("form[data-inmatning]")
    status = form.locator(".sparfalt .sparstatus")
    expect(status).to_have_text("Inga osparade ändringar")
    fält = form.locator("table input[type=text]:enabled").first
    fält.click()
    sida.keyboard.press("Control+a")
    sida.keyboard.type("1 234")
    expect(status).to_have_text("1 osparad ändring")

    # Leaving: the browser asks (beforeunload); dismissed, the page and the typed value stay.
    dialoger = []

    def stanna(d):
        dialoger.append(d.type)
        d.dismiss()

    sida.once("dialog", stanna)
    url = sida.url
    sida.get_by_role("link", name="Start", exact=True).first.click()
    sida.wait_for_timeout(500)
    assert dialoger == ["beforeunload"]
    assert sida.url == url and fält.input_value() == "1 234"

    # Ctrl+S saves (no dialog: the page is being submitted)
    sida.on("dialog", lambda d: dialoger.append(d.type) or d.dismiss())
    fält.focus()
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator("[role=status]").first).to_contain_text("Ändringarna är sparade")
    assert dialoger == ["beforeunload"]
    expect(sida.locator("form[data-inmatning] table input[type=text]:enabled").first).to_have_value("1 234")

    # An error: the summary at the top gets focus and links to the field; leaving then asks too.
    fält = sida.locator("form[data-inmatning] table input[type=text]:enabled").first
    fält.fill("abc")
    with sida.expect_navigation():
        sida.keyboard.press("Control+s")
    expect(sida.locator("#fel")).to_be_focused()
    sida.locator("#fel a").first.click()
    assert fokus(sida) == fält.get_attribute("id")
    axe_noll(sida, "volymer med fel")
    assert not sida.konsolfel
