"""The organisation import's column mapping in a real browser: an area sheet with the kommun's own headers is
refused with the missing columns named, the columns are chosen in the preview (axe-clean, the template imports'
partial), the same upload is read again and confirmed; the upload page then pre-selects the saved profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nämnd.models import Verksamhetsområde
from tests import factories
from tests.browser.conftest import logga_in
from tests.browser.test_import import tillgänglig
from tests.importer.test_importprofiler_konto_org import _orgfil

pytestmark = pytest.mark.postgres


def test_organisationens_kolumner_väljs_i_förhandsgranskningen(sida, transactional_db):
    from playwright.sync_api import expect

    kommun = factories.KommunFactory(namn="Öby kommun", kommunkod="9966")
    user = factories.admin(kommun)

    logga_in(sida, user)
    sida.goto(reverse("import-organisation", args=[kommun.pk]))
    sida.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "org.xlsx", "mimeType": "application/octet-stream", "buffer": _orgfil()}]
    )
    sida.get_by_role("button", name="Förhandsgranska").click()

    expect(sida.locator("table#fel")).to_contain_text("saknar kolumnerna Nämnd, Namn")
    expect(sida.locator("table#fel")).to_contain_text("Hittade rubrikerna: Förvaltning, Enhetsnamn, Ingår i")
    tillgänglig(sida)
    sida.get_by_label("Kolumn A: ”Förvaltning”").select_option("nämnd")
    sida.get_by_label("Kolumn B: ”Enhetsnamn”").select_option("namn")
    sida.get_by_role("button", name="Använd kolumnerna").click()

    expect(sida.locator("table#fel")).to_have_count(0)
    expect(sida.locator("table#andringar")).to_contain_text("Hemtjänst centrum")
    expect(sida.locator("#antal-nya")).to_have_text("5")
    tillgänglig(sida)
    sida.get_by_role("button", name="Bekräfta importen").click()
    expect(sida.locator("h1")).to_contain_text("Import")
    assert Verksamhetsområde.objects.get(nämnd__kommun=kommun, namn="Hemtjänst centrum").ansvarskoder == "6110"

    sida.goto(reverse("import-organisation", args=[kommun.pk]))
    expect(sida.get_by_label("Importprofil")).to_have_value(str(kommun.importprofiler.get().pk))
    tillgänglig(sida)
    assert not sida.konsolfel
