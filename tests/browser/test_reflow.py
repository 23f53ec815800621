"""Reflow (WCAG 2.1 1.4.10): every page people use works at 320 CSS px without horizontal page scrolling — wide
tables scroll inside their own focusable region, the top bar wraps, charts scale, forms stack. One browser context
loops over the page list (the one of test_tillganglighet.py) on an invented kommun of another shape. At 1 366 px the
grid's Kommentar column is fully visible and the volymer month view fits.

With SCREENSHOTS=1 a phone view (390 px) of a report page is written to docs/bilder/mobil-rapport.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ekonomi.models import Prognos
from rapporter.models import Layoutsektion
from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

# The page's width, and the widest element that sticks out to the right (its selector), for the message.
MÄT = """() => {
  const vidd = window.innerWidth;
  const väg = (e) => {
    const delar = [];
    for (let n = e; n && n.nodeType === 1 && delar.length < 5; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) { delar.unshift(s + "#" + n.id); break; }
      if (n.classList.length) s += "." + [...n.classList].join(".");
      delar.unshift(s);
    }
    return delar.join(" > ");
  };
  let värst = null, högerkant = vidd;
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    // text that runs out of its box (a long word) counts from where the box starts
    const höger = getComputedStyle(e).overflowX === "visible" ? Math.max(r.right, r.left + e.scrollWidth) : r.right;
    // ">=": of an element and its descendant with the same right edge, the deeper one is named
    if (r.width && höger > vidd + 0.5 && höger >= högerkant) {
      // only elements that are themselves visible on the page, not content clipped by a scrolling ancestor
      let klippt = false;
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== "visible") { klippt = true; break; }
      }
      if (!klippt) { högerkant = höger; värst = väg(e) + " (höger " + Math.round(höger) + " px)"; }
    }
  }
  return {scroll: document.documentElement.scrollWidth, vidd, värst};
}"""


def kontrollera(sida, namn: str, url: str, fel: list[str]) -> None:
    """Note (not raise) a page that scrolls sideways, so one run names every such page."""
    svar = sida.goto(url)
    if svar is None or svar.status != 200:
        fel.append(f"{namn} ({url}): HTTP {svar and svar.status}")
        return
    m = sida.evaluate(MÄT)
    if m["scroll"] > m["vidd"]:
        fel.append(f"{namn} ({url}): scrollWidth {m['scroll']} px > innerWidth {m['vidd']} px; bredast: {m['värst']}")


@pytest.fixture
def kommun_med_rapport(transactional_db):
    """An invented kommun of another shape (mnkr, costs negative, a split nämnd); its Omsorgsnämnden's
    delårsrapport is fastställd and published, so the public pages have a report to show."""
    from publicering import services
    from publicering.models import Publiceringsinställning

    byggd = factories.annan_form_kommun(2025)
    kommun, nämnd = byggd.kommun, byggd.nämnder["Omsorgsnämnden"]
    Prognos.objects.filter(verksamhetsområde__nämnd=nämnd).update(kommentar="Fler brukare än budgeterat.")
    admin = skapa_användare("adm", kommun, roll="admin", får_fastställa=True)
    ärende = services.ärende_för(nämnd, 2025, "delårsrapport")
    services.bocka_av(admin, ärende, dict.fromkeys(services.inställning(kommun).checklistpunkter, True))
    services.markera_klar(admin, ärende)
    version = services.fastställ(admin, ärende, dt.date(2025, 9, 20), "§ 87")
    Publiceringsinställning.objects.filter(kommun=kommun).update(publicera=True)
    services.publicera(admin, ärende, True)
    return kommun, nämnd, admin, version


def test_alla_sidor_utan_sidledsrullning_vid_320_px_och_gridden_vid_1366_px(
    webbläsare, live_server, kommun_med_rapport
):
    kommun, nämnd, admin, version = kommun_med_rapport
    controller = skapa_användare("ctrl", kommun, roll="controller", får_importera=True, får_fastställa=True)
    controller.behörigheter.get().nämnder.add(nämnd)
    n = nämnd.id
    context = webbläsare.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 800})
    context.set_default_timeout(15_000)
    sida = context.new_page()
    fel: list[str] = []
    try:
        for namn, url in (
            ("inloggning", reverse("login")),
            ("tillgänglighet", reverse("tillgänglighet")),
            ("publikt index", reverse("publikt-index", args=[kommun.kommunkod])),
            ("publik rapport", reverse("publikt-rapport", args=[kommun.kommunkod, version.pk])),
        ):
            kontrollera(sida, namn, url, fel)
        # the layout page is the kommun admin's
        logga_in(sida, admin)
        for namn, url in (
            ("layout", reverse("layout", args=[kommun.id, "delårsrapport"])),
            ("rapporttillfällen", reverse("layout-tillfällen", args=[kommun.id])),
            ("egna tabeller", reverse("egentabeller", args=[kommun.id])),
            ("nytt år", reverse("nytt-år", args=[nämnd.id, 2025])),
            ("historik", reverse("historik-nämnd", args=[nämnd.id, 2025])),
        ):
            kontrollera(sida, namn, url, fel)
        context.clear_cookies()
        logga_in(sida, controller)
        for namn, url in (
            ("start", reverse("start")),
            ("översikt", reverse("översikt", args=[n, 2025])),
            ("delårsrapport", reverse("rapport", args=[n, 2025, "delårsrapport"])),
            ("verksamhetsplan", reverse("rapport", args=[n, 2026, "verksamhetsplan"])),
            ("månadsuppföljning", reverse("månadsuppföljning", args=[n, 2025, 9])),
            ("månader", reverse("månader", args=[n, 2025])),
            ("volymer", reverse("volymer-inmatning", args=[n, 2025])),
            ("volymer per månad", reverse("volymer-inmatning", args=[n, 2025]) + "?vy=manad"),
            ("indikatorer", reverse("indikatorer-inmatning", args=[n, 2025])),
            ("mål", reverse("mal-inmatning", args=[n, 2025, "delårsrapport"])),
            ("texter", reverse("texter", args=[n, 2025, "delårsrapport"])),
            ("status", reverse("dashboard", args=[n, 2025])),
            ("import av utfall", reverse("import-utfall", args=[n])),
            ("importhistorik", reverse("import-historik", args=[n])),
            ("mallimport", reverse("mallimport", args=[n])),
            ("publicering", reverse("rapportärende", args=[n, 2025, "delårsrapport"])),
        ):
            kontrollera(sida, namn, url, fel)
        assert not fel, "Sidor som rullar i sidled vid 320 px:\n" + "\n".join(fel)

        # At 320 px the grid's name column is not sticky: it never covers the inputs. (September: the fastställd
        # delårsrapport covers January–August, whose grid is read-only.)
        sida.goto(reverse("månadsuppföljning", args=[n, 2025, 9]))
        assert (
            sida.locator(".grid tbody th[scope='row']").first.evaluate("e => getComputedStyle(e).position") == "static"
        )

        # At 1 366 px the grid's Kommentar column is fully visible and the volymer month view fits.
        sida.set_viewport_size({"width": 1366, "height": 768})
        sida.goto(reverse("månadsuppföljning", args=[n, 2025, 9]))
        assert (
            sida.locator(".grid tbody th[scope='row']").first.evaluate("e => getComputedStyle(e).position") == "sticky"
        )
        kommentar = sida.locator(".grid textarea").first.bounding_box()
        ram = sida.locator(".gridram").bounding_box()
        assert kommentar is not None and ram is not None
        assert kommentar["x"] + kommentar["width"] <= min(1366, ram["x"] + ram["width"]), (kommentar, ram)
        sida.goto(reverse("volymer-inmatning", args=[n, 2025]) + "?vy=manad")
        assert sida.locator("#volymer-inmatning thead th").count() == 14  # the month view: name, unit, 12 months
        m = sida.evaluate(MÄT)
        assert m["scroll"] <= 1366, m
        # nor does the table scroll inside its region
        ram = sida.locator(".tabellrulle:has(#volymer-inmatning)").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert ram[0] <= ram[1], f"volymtabellen per månad är {ram[0]} px bred i en ram på {ram[1]} px"
    finally:
        context.close()


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="skärmbilder bara med SCREENSHOTS=1")
def test_skärmbild_mobil_rapport(webbläsare, live_server, kommun_med_rapport):
    """The logged-in delårsrapport on a phone, at its drift table (which scrolls in its own region)."""
    kommun, nämnd, admin, _ = kommun_med_rapport
    context = webbläsare.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    sida = context.new_page()
    try:
        logga_in(sida, admin)
        sida.goto(reverse("rapport", args=[nämnd.id, 2025, "delårsrapport"]))
        sida.locator("section.sektion-drift").first.evaluate("s => s.scrollIntoView()")
        mål = Path(settings.BASE_DIR) / "docs" / "bilder" / "mobil-rapport.png"
        sida.screenshot(path=str(mål))
    finally:
        context.close()


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="skärmbilder bara med SCREENSHOTS=1")
def test_skärmbild_rapport_och_sammanfattning(webbläsare, live_server, transactional_db):
    """The README's pictures of a report page on a desktop: the top of the delårsrapport and its sammanfattning
    (an invented kommun whose layout starts with the sammanfattning, as every preset does)."""
    byggd = factories.annan_form_kommun(2025)
    kommun, nämnd = byggd.kommun, byggd.nämnder["Omsorgsnämnden"]
    Prognos.objects.filter(verksamhetsområde__nämnd=nämnd).update(kommentar="Fler brukare än budgeterat.")
    for s in Layoutsektion.objects.filter(layout__kommun=kommun, layout__rapporttyp="delårsrapport"):
        s.ordning += 1
        s.save(update_fields=["ordning"])
    factories.layoutsektion(kommun, "delårsrapport", "sammanfattning", ordning=0)
    admin = skapa_användare("adm", kommun, roll="admin")
    context = webbläsare.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900}, device_scale_factor=1
    )
    sida = context.new_page()
    try:
        logga_in(sida, admin)
        sida.goto(reverse("rapport", args=[nämnd.id, 2025, "delårsrapport"]))
        bilder = Path(settings.BASE_DIR) / "docs" / "bilder"
        sida.screenshot(path=str(bilder / "rapport.png"))
        sida.locator("section.sektion-sammanfattning").first.screenshot(path=str(bilder / "sammanfattning.png"))
    finally:
        context.close()
