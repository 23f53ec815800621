"""The tidplan page and the overview of late sections in Chromium: axe-clean (WCAG 2.1 AA), no console errors,
and a deadline, a responsible person and a klar mark saved through the form — on Ekeby (another shape, mnkr)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from publicering import services, tidplan
from publicering.models import Sektionsplan
from tests import factories
from tests.browser.conftest import logga_in
from tests.browser.test_tillganglighet import granska
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres


def test_tidplan_och_sena_sektioner_är_tillgängliga(sida, transactional_db):
    b = factories.annan_form_kommun(2025)
    nämnd = b.nämnder["Omsorgsnämnden"]
    admin = skapa_användare("ekeby-admin", b.kommun, "admin")
    admin.first_name, admin.last_name = "Anna", "Berg"
    admin.save()
    ärende = services.ärende_för(nämnd, 2025, "delårsrapport")
    rader = tidplan.rader(ärende)
    sen = timezone.localdate() - dt.timedelta(days=4)
    framtid = timezone.localdate() + dt.timedelta(days=10)
    tidplan.spara(admin, ärende, [tidplan.Ändrad(rader[1].rubrik, sen, admin.pk, False)])

    logga_in(sida, admin)
    url = reverse("rapport-tidplan", args=[nämnd.id, 2025, "delårsrapport"])
    granska(sida, url)
    assert "Sen 4 dagar" in sida.inner_text("main")
    sida.fill("#id_deadline_1", framtid.isoformat())
    sida.select_option("#id_ansvarig_1", label="Anna Berg")
    sida.check("#id_klar_3")
    with sida.expect_navigation():
        sida.click("text=Spara tidplanen")
    assert "Tidplanen är sparad (2 sektioner ändrade)." in sida.inner_text("main")
    planer = {p.rubrik: p for p in Sektionsplan.objects.all()}
    assert planer[rader[0].rubrik].deadline == framtid and planer[rader[0].rubrik].ansvarig == admin
    assert planer[rader[2].rubrik].klar_av == admin
    granska(sida, url)

    granska(sida, reverse("sena-sektioner", args=[b.kommun.id]))
    text = sida.inner_text("main")
    assert "Omsorgsnämnden" in text and rader[1].rubrik in text and "Anna Berg" in text
    assert rader[0].rubrik not in text  # deadline in the future
