"""Drill-down in Chromium: from a figure of the HTML report to its months and on to the import behind the month's
utfall — two clicks — on an invented kommun (tests/factories.py ``annan_form_kommun``: mnkr, costs negative), and
the months page is axe-clean (WCAG 2.1 AA)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from ekonomi.models import Utfall
from importer.models import Import
from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare
from tests.factories import ÅR

pytestmark = pytest.mark.postgres

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SHA = "c3" * 32


def test_från_siffran_till_importen_med_två_klick(sida, transactional_db):
    ekeby = factories.annan_form_kommun()
    omsorg, hemtjänst = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    controller = skapa_användare("ctrl-drill", ekeby.kommun, roll="controller", får_importera=True)
    imp = Import.objects.create(
        kommun=ekeby.kommun,
        nämnd=omsorg,
        typ="utfall",
        filnamn="utfall-mars.xlsx",
        sha256=SHA,
        användare=controller,
        status=Import.Status.GENOMFÖRD,
        genomförd=dt.datetime(ÅR, 4, 5, 10, 30, tzinfo=ZoneInfo("Europe/Stockholm")),
        antal_rader=240,
        summa_fil=Decimal("5500000.00"),
    )
    u = Utfall.objects.get(verksamhetsområde=hemtjänst, år=ÅR, månad=3)
    u.källa = imp
    u.save()

    logga_in(sida, controller)
    sida.goto(reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"]))
    # Click 1: Hemtjänst's nettokostnad jan–aug in the driftredovisning (2 mnkr a month: −16,0).
    rad = sida.locator(f"table#drift-{omsorg.id} tr[data-id='{hemtjänst.id}']")
    rad.get_by_role("link", name="−16,0").first.click()
    sida.wait_for_url(f"**{reverse('område-månader', args=[omsorg.id, ÅR, hemtjänst.id])}")
    assert sida.locator("h1").inner_text() == f"Hemtjänst {ÅR}: månad för månad"
    mars = sida.locator("tr#m3")
    assert "−2,0" in mars.inner_text() and SHA in mars.inner_text() and "240 rader i filen" in mars.inner_text()
    resultat = Axe().run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()
    # Click 2: the import behind March's utfall.
    mars.get_by_role("link", name="utfall-mars.xlsx").click()
    sida.wait_for_url(f"**{reverse('import-detalj', args=[omsorg.id, imp.id])}")
    assert SHA in sida.locator("#importinfo").inner_text()
    assert "240" in sida.locator("#importinfo").inner_text()
    assert not sida.konsolfel, sida.konsolfel


def test_sammanfattningen_i_rapporten_och_översikten_axe_och_320_px(sida, transactional_db):
    from rapporter import forval, layouter

    ekeby = factories.annan_form_kommun()
    omsorg, hemtjänst = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    admin = skapa_användare("admin-sf", ekeby.kommun, roll="admin")
    layouter.spara(admin, ekeby.kommun, "delårsrapport", forval.sektioner(forval.STANDARD, "delårsrapport"))
    logga_in(sida, admin)
    sidor = [
        reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"]),
        reverse("översikt", args=[omsorg.id, ÅR]),
        reverse("område-månader", args=[omsorg.id, ÅR, hemtjänst.id]),
    ]
    axe = Axe()
    for url in sidor:
        sida.set_viewport_size({"width": 1280, "height": 900})
        sida.goto(url)
        assert sida.locator(".sf-rutor").count() == (0 if "omrade" in url else 1), url
        resultat = axe.run(sida, options=WCAG_AA)
        assert resultat.violations_count == 0, f"{url}\n{resultat.generate_report()}"
        sida.set_viewport_size({"width": 320, "height": 800})
        bredd = sida.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert bredd[0] <= bredd[1], (url, bredd)
    assert not sida.konsolfel, sida.konsolfel
