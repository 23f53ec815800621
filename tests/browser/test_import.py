"""Importing utfall in a real browser: upload an export, see the preview with an error row (a code another
kommun uses) and an unmapped code, fix the mapping from the preview, confirm, and find the figures in the
månadsuppföljning."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from ekonomi.models import Kostnadsslag
from importer.models import Import
from nämnd.models import Nämnd, Verksamhetsområde
from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

IFO = "Hemtjänst"
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FÄRDTJÄNST = "Boende"


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


@pytest.fixture
def nämnd(transactional_db) -> Nämnd:
    """A small kommun of the demo's shape (tkr; utfall for 2023 up to August, none for September)."""
    return factories.liten_kommun(2023).nämnd


@pytest.fixture
def controller(nämnd):
    user = skapa_användare("controller-import", nämnd.kommun, roll="controller", får_importera=True)
    user.behörigheter.get().nämnder.set([nämnd])
    return user


def tillgänglig(sida) -> None:
    """axe-core, WCAG 2.1 A and AA: no violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    resultat = Axe().run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()


def export() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utfall"
    for rad in (
        ["Utfall september 2023"],
        [],
        ["Period", "Ansvar", "Vht", "Konto", "Motpart", "Text", "Belopp"],
        ["202309", "7710", "610", "4010", "Anna Andersson", "Lön", 100_000],
        ["202309", "7710", "610", "4010", "Anna Andersson", "Lön", 25_000],
        ["202309", "8100", "", "4650", "Bolag AB", "Köp", 40_000],  # a code Täby uses: an error until mapped
        ["202309", "9999", "", "5400", "", "", 3_000],  # no area has it: Ej fördelat
    ):
        ws.append(rad)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_ladda_upp_granska_rätta_mappningen_bekräfta_och_se_siffrorna(sida, controller, nämnd, annan_kommun):
    from playwright.sync_api import expect

    Verksamhetsområde.objects.filter(nämnd=nämnd, namn=IFO).update(ansvarskoder="7710")
    Verksamhetsområde.objects.filter(nämnd=nämnd, namn=FÄRDTJÄNST).update(ansvarskoder="7600")
    Verksamhetsområde.objects.create(
        nämnd=Nämnd.objects.get(kommun=annan_kommun), namn="Hemtjänst", ansvarskoder="8100"
    )
    Kostnadsslag.objects.create(kommun=nämnd.kommun, namn="Personal", typ="kostnad", konton="4000-4999")
    Kostnadsslag.objects.create(kommun=nämnd.kommun, namn="Övrigt", typ="kostnad", konton="5000-8999")
    ifo = Verksamhetsområde.objects.get(nämnd=nämnd, namn=IFO)
    färdtjänst = Verksamhetsområde.objects.get(nämnd=nämnd, namn=FÄRDTJÄNST)

    logga_in(sida, controller)
    sida.goto(reverse("import-utfall", args=[nämnd.id]))
    expect(sida.locator("#granser")).to_contain_text("20 MB")
    sida.get_by_label("Fil från ekonomisystemet").set_input_files(
        files=[{"name": "utfall-202309.xlsx", "mimeType": "application/octet-stream", "buffer": export()}]
    )
    sida.get_by_role("button", name="Ladda upp och förhandsgranska").click()

    # The preview: one error row with sheet, row and column; the unmapped code with its amount; no confirm.
    expect(sida.locator("h1")).to_contain_text("Förhandsgranskning")
    felrad = sida.locator("table#fel tbody tr")
    expect(felrad).to_have_count(1)
    expect(felrad).to_contain_text("Utfall")
    expect(felrad.locator("th")).to_have_text("6")
    expect(felrad).to_contain_text("B (Ansvar)")
    expect(felrad).to_contain_text("hör till en annan kommun")
    expect(sida.locator("p.fel[role=alert]").first).to_be_visible()
    oplacerad = sida.locator("table#oplacerade tbody tr")
    expect(oplacerad).to_have_count(1)
    expect(oplacerad).to_contain_text("ansvar 9999")
    expect(oplacerad).to_contain_text("3\u00a0000,00")
    expect(sida.get_by_role("button", name="Bekräfta importen")).to_have_count(0)
    tillgänglig(sida)

    # Fix the mapping from the preview: the code belongs to Boende here.
    rad = sida.locator("table#frammande tbody tr", has_text="ansvar 8100")
    rad.get_by_label("Verksamhetsområde för ansvar 8100").select_option(label=FÄRDTJÄNST)
    rad.get_by_role("button", name="Lägg till koden").click()

    expect(sida.locator("table#fel")).to_have_count(0)
    expect(sida.locator("#avstamning")).to_contain_text("168\u00a0000,00")
    expect(sida.locator("#avstamning")).to_contain_text("stämmer.")
    expect(sida.locator("table#oplacerade tbody tr")).to_have_count(1)  # 9999 stays on Ej fördelat
    sida.get_by_role("button", name="Bekräfta importen").click()

    expect(sida.locator("#status")).to_have_text("Genomförd")
    tillgänglig(sida)
    expect(sida.locator("table#andringar")).to_contain_text(f"{IFO}, 2023-09, Personal")
    imp = Import.objects.get()
    assert imp.status == Import.Status.GENOMFÖRD and imp.summa_ej_fördelad == 3000

    # The figures in the månadsuppföljning (tkr, imported per kostnadsslag), and the rest on Ej fördelat.
    sida.goto(reverse("månadsuppföljning", args=[nämnd.id, 2023, 9]))
    expect(sida.locator(f"#rad-{ifo.id} [data-visa=utfall]")).to_have_text("125")
    expect(sida.locator(f"#rad-{färdtjänst.id} [data-visa=utfall]")).to_have_text("40")
    ej = Verksamhetsområde.objects.get(nämnd=nämnd, ej_fördelat=True)
    expect(sida.locator(f"#rad-{ej.id} [data-visa=utfall]")).to_have_text("3")
    assert not sida.konsolfel
