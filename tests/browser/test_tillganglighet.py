"""Accessibility: axe-core (WCAG 2.0/2.1 A and AA) in real Chromium, 0 violations on every page people use
(not the Django admin): login, start, overview, reports, entry grids, dashboard, import pages, the adoption
page, and the public pages."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from ekonomi.models import Prognos
from nämnd.models import Kommun, Nämnd
from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


AXE = Axe()


def granska(sida, url: str, axe: Axe = AXE) -> None:
    sida.goto(url)
    resultat = axe.run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, f"{url}\n{resultat.generate_report()}"
    assert sida.evaluate("document.documentElement.lang") == "sv", url
    assert not sida.konsolfel, (url, sida.konsolfel)


@pytest.fixture
def demo(transactional_db) -> tuple[Kommun, Nämnd]:
    """A kommun of another shape than the demo (mnkr, costs shown negative, enheter under verksamheter in
    the other nämnd); the pages are checked for its Omsorgsnämnden, whose deviations are commented."""
    byggd = factories.annan_form_kommun(2025)
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    Prognos.objects.filter(verksamhetsområde__nämnd=nämnd).update(kommentar="Fler brukare än budgeterat.")
    return byggd.kommun, nämnd


def test_inloggning_och_publika_sidor(sida, demo):
    from publicering import services
    from publicering.models import Publiceringsinställning

    kommun, nämnd = demo
    admin = skapa_användare("adm", kommun, roll="admin", får_fastställa=True)
    ärende = services.ärende_för(nämnd, 2025, "delårsrapport")
    services.bocka_av(admin, ärende, dict.fromkeys(services.inställning(kommun).checklistpunkter, True))
    services.markera_klar(admin, ärende)
    version = services.fastställ(admin, ärende, dt.date(2025, 9, 20), "§ 87")
    Publiceringsinställning.objects.filter(kommun=kommun).update(publicera=True)
    services.publicera(admin, ärende, True)
    for url in (
        reverse("login"),
        reverse("tillgänglighet"),
        reverse("publikt-index", args=[kommun.kommunkod]),
        reverse("publikt-rapport", args=[kommun.kommunkod, version.pk]),
    ):
        granska(sida, url)


def test_inloggade_sidor(sida, demo):
    kommun, nämnd = demo
    controller = skapa_användare("ctrl", kommun, roll="controller", får_importera=True, får_fastställa=True)
    controller.behörigheter.get().nämnder.add(nämnd)
    logga_in(sida, controller)
    n = nämnd.id
    for url in (
        reverse("start"),
        reverse("översikt", args=[n, 2025]),
        reverse("rapport", args=[n, 2025, "delårsrapport"]),
        reverse("rapport", args=[n, 2026, "verksamhetsplan"]),
        reverse("månadsuppföljning", args=[n, 2025, 8]),
        reverse("månader", args=[n, 2025]),
        reverse("volymer-inmatning", args=[n, 2025]),
        reverse("indikatorer-inmatning", args=[n, 2025]),
        reverse("mal-inmatning", args=[n, 2025, "delårsrapport"]),
        reverse("texter", args=[n, 2025, "delårsrapport"]),
        reverse("dashboard", args=[n, 2025]),
        reverse("import-utfall", args=[n]),
        reverse("import-historik", args=[n]),
        reverse("mallimport", args=[n]),
        reverse("rapportärende", args=[n, 2025, "delårsrapport"]),
    ):
        granska(sida, url)


def test_kommunens_inställningar(sida, demo):
    """The kommun settings page (kommun admins), with a logo preview and an import profile, and after a refused
    save (its error messages)."""
    import io

    from PIL import Image

    from importer.models import Importprofil
    from kommunadmin import installningar

    kommun, _ = demo
    admin = skapa_användare("admin-ekeby", kommun, roll="admin")
    buf = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 80, 160)).save(buf, format="PNG")
    installningar.spara_inställningar(admin, kommun, {}, {}, logotyp=installningar.förbered_logotyp(buf.getvalue()))
    Importprofil.objects.create(kommun=kommun, namn="Ekonomisystemet")
    logga_in(sida, admin)
    url = reverse("kommun-installningar", args=[kommun.id])
    granska(sida, url)
    sida.fill("#id_avvikelsegräns_kr", "-5")
    with sida.expect_navigation():
        sida.click("button:has-text('Spara inställningarna')")
    assert "kan inte vara negativ" in sida.content()
    resultat = AXE.run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()


def test_ny_kommun_checklistan_och_användarna(sida, demo):
    """Ny kommun (superuser, also after a refused save), the new kommun's checklist and its users pages."""
    from django.contrib.auth import get_user_model

    kommun, nämnd = demo
    superanvändare = get_user_model().objects.create_superuser("installation", password=factories.LÖSENORD)
    logga_in(sida, superanvändare)
    granska(sida, reverse("kommun-ny"))
    sida.fill("#id_namn", "Norrvik kommun")
    sida.fill("#id_kommunkod", "12")
    with sida.expect_navigation():
        sida.click("button:has-text('Lägg upp kommunen')")
    assert "Kommunkoden är fyra siffror." in sida.content()
    resultat = AXE.run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()
    sida.konsolfel.clear()  # the refused form is answered with 400 on purpose

    admin = skapa_användare("admin-ekeby-start", kommun, roll="admin")
    ctrl = skapa_användare("ctrl-ekeby-start", kommun, roll="controller")
    ctrl.behörigheter.get().nämnder.add(nämnd)
    sida.context.clear_cookies()
    logga_in(sida, admin)
    b = ctrl.behörigheter.get()
    for url in (
        reverse("kommun-kom-igang", args=[kommun.id]),
        reverse("kommun-anvandare", args=[kommun.id]),
        reverse("kommun-anvandare-andra", args=[kommun.id, b.id]),
        reverse("kommun-anvandare-ta-bort", args=[kommun.id, b.id]),
    ):
        granska(sida, url)
