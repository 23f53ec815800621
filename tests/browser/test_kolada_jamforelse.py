"""The Kolada comparison in Chromium: the mål section with its peer table and chart, and the indikator's comparison
page (revisions, group choice) pass axe-core (WCAG 2.1 AA) on a kommun of another shape (Ekeby, mnkr)."""

import datetime as dt

import pytest
from django.urls import reverse

from importer import kolada_jamforelse as kj
from nyckeltal import kolada_services
from nyckeltal.models import Mål
from tests import factories
from tests.browser.conftest import logga_in
from tests.browser.test_tillganglighet import granska
from tests.conftest import skapa_användare
from tests.importer.test_kolada_jamforelse import sida as svar

pytestmark = pytest.mark.postgres


def test_jämförelsen_är_tillgänglig(sida, transactional_db):
    b = factories.annan_form_kommun(2023)
    b.kommun.kommunkod = "0330"
    b.kommun.save(update_fields=["kommunkod"])
    nämnd = b.nämnder["Omsorgsnämnden"]
    i = factories.IndikatorFactory(
        mål=Mål.objects.get(nämnd=nämnd, namn="Trygg omsorg"), namn="Brukarbedömning hemtjänst", kolada_id="U21468"
    )
    factories.IndikatorvärdeFactory(indikator=i, år=2022, totalt=85)
    grupper = kj.tolka_grupper([("g", svar("grupper_sida1.json"))])
    kolada_services.spara_grupper(None, b.kommun, grupper, dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    for namn, när in (("jamforelse_sida1.json", 2), ("jamforelse_sida2.json", 2), ("jamforelse_revision.json", 30)):
        kolada_services.spara_värden(
            None,
            b.kommun,
            kj.tolka_data([(namn, svar(namn))]),
            tidpunkt=dt.datetime(2026, 11, när, tzinfo=dt.UTC),
            kpier=["U21468"],
            adresser=[namn],
        )
    admin = skapa_användare("adm", b.kommun, roll="admin")
    logga_in(sida, admin)
    granska(sida, reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"]))
    assert sida.locator("table.kolada").count() == 1
    granska(sida, reverse("kolada-jamforelse", args=[i.pk, 2023]))
    assert sida.locator("#revisioner tbody tr").count() == 2
