"""The column mapping of a template import in a real browser: a prognos per ansvar with the kommun's own headers
is refused with the missing column named, the columns are chosen in the preview (axe-clean), the same upload is
read again and confirmed; the upload page then pre-selects the saved profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekonomi.models import Prognos
from nämnd.models import Verksamhetsområde
from tests import factories
from tests.browser.conftest import logga_in
from tests.browser.test_import import tillgänglig
from tests.conftest import skapa_användare
from tests.importer.test_lasare import xlsx

pytestmark = pytest.mark.postgres


def test_kolumnerna_väljs_i_förhandsgranskningen(sida, transactional_db):
    from playwright.sync_api import expect

    byggd = factories.annan_form_kommun(2023)
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    Verksamhetsområde.objects.filter(nämnd=nämnd, namn="Hemtjänst").update(ansvarskoder="74*")
    user = skapa_användare("ctrl-profil", byggd.kommun, roll="controller", får_importera=True)
    user.behörigheter.get().nämnder.add(nämnd)
    fil = xlsx(("Prognos", [["Ansvar", "Helårsprog. (tkr)", "Komm."], [7410, 25_500, "Fler timmar"]]))

    logga_in(sida, user)
    sida.goto(reverse("mallimport-ladda-upp", args=[nämnd.id, "prognos"]))
    sida.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "prognos.xlsx", "mimeType": "application/octet-stream", "buffer": fil}]
    )
    sida.get_by_label("Prognostillfälle").fill("2023-09")
    sida.get_by_role("button", name="Förhandsgranska").click()

    expect(sida.locator("table#fel")).to_contain_text(
        "Kolumnen för Prognos nettokostnad helår (kr) eller Kommentar saknas"
    )
    expect(sida.locator("table#fel")).to_contain_text(
        "Rubrikerna på rad 1 i bladet Prognos är: Ansvar, Helårsprog. (tkr), Komm."
    )
    tillgänglig(sida)
    sida.get_by_label("Kolumn B: ”Helårsprog. (tkr)”").select_option("belopp")
    sida.get_by_label("Kolumn C: ”Komm.”").select_option("kommentar")
    sida.get_by_role("button", name="Använd kolumnerna").click()

    expect(sida.locator("table#fel")).to_have_count(0)
    expect(sida.locator("table#andringar")).to_contain_text("Hemtjänst prognos 2023-09")
    expect(sida.locator("table#andringar")).to_contain_text("25\u00a0500\u00a0000")
    tillgänglig(sida)
    sida.get_by_role("button", name="Bekräfta importen").click()
    expect(sida.locator("h1")).to_be_visible()
    assert Prognos.objects.get(verksamhetsområde__namn="Hemtjänst", år=2023, månad=9).belopp == 25_500_000

    sida.goto(reverse("mallimport-ladda-upp", args=[nämnd.id, "prognos"]))
    expect(sida.get_by_label("Importprofil")).to_have_value(str(nämnd.kommun.importprofiler.get().pk))
    tillgänglig(sida)
    assert not sida.konsolfel
