"""The month grid's variance split and drafted comments (``ekonomi.selectors.kommentarsförslag``,
templates/ekonomi/kommentarsforslag.html) on ``annan_form_kommun`` (mnkr, costs negative; not the demo's shape).

Omsorgsnämnden, August: Hemtjänst budget (24 + 1,2 mnkr tillägg) × 8/12 = 16,8 mnkr, utfall 16 mnkr (+0,8 mnkr,
4,8 %); its KF-budget is 48 000 hours × 500 kr and the nyckeltal "Beviljade timmar" (4 200 hours a month) is its
volume. Särskilt boende: budget 24 mnkr, utfall 28 mnkr (−4 mnkr), no volume. The limit is 1 mnkr / 5 %."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi.models import Prognos
from grund.format import MINUS, NBSP
from nämnd.services import stäng
from tests import factories
from tests.ekonomi.test_grid_status import formulärdata
from tests.rapporter.test_volymdelning_rapport import med_volym

ÅR = factories.ÅR
SÄRSKILT = f"Nettokostnaden är 4,0{NBSP}mnkr högre än periodbudgeten."
HEMTJÄNST = (
    f"Överskottet på 0,8{NBSP}mnkr beror främst på att kostnaden per timme är 5{NBSP}% lägre än budgeterat "
    f"(+0,8{NBSP}mnkr), medan det är fler timmar än budgeterat (+200{NBSP}timmar/månad, {MINUS}0,8{NBSP}mnkr). "
    f"Budget som inte följer volymen: +0,8{NBSP}mnkr."
)


@pytest.fixture
def ekeby(db):
    b = factories.annan_form_kommun()
    med_volym(b, år=ÅR)
    b.kommun.avvikelsegräns_kr = D(1_000_000)
    b.kommun.avvikelsegräns_procent = D(5)
    b.kommun.save()
    return b


@pytest.fixture
def controller(client, ekeby):
    user = factories.controller(ekeby.kommun, "controller-ekeby", nämnder=[ekeby.nämnder["Omsorgsnämnden"]])
    client.force_login(user)
    client.user = user
    return client


def url(b, månad=8):
    return reverse("månadsuppföljning", args=[b.nämnder["Omsorgsnämnden"].id, ÅR, månad])


def sida(client, b, månad=8) -> BeautifulSoup:
    r = client.get(url(b, månad))
    assert r.status_code == 200
    return BeautifulSoup(r.content, "html.parser")


def förslag(soup, o) -> str | None:
    ruta = soup.find(id=f"r{o.id}-kommentarsforslag")
    return ruta.find(attrs={"data-kommentarsforslag": True}).get_text() if ruta else None


def test_förslag_över_gränsen_inte_under(controller, ekeby):
    soup = sida(controller, ekeby)
    assert förslag(soup, ekeby.områden["Särskilt boende"]) == SÄRSKILT
    assert förslag(soup, ekeby.områden["Hemtjänst"]) is None  # +0,8 mnkr, 4,8 %: within the limit
    knapp = soup.find(id=f"r{ekeby.områden['Särskilt boende'].id}-kommentarsforslag").find("button")
    assert knapp["name"] == "anvand_kommentar" and knapp["value"] == str(ekeby.områden["Särskilt boende"].id)
    # The split is shown for the row with volume whatever the limit, as a detail to expand.
    rad = soup.find(id=f"rad-{ekeby.områden['Hemtjänst'].id}")
    detalj = {dt.get_text(): dd.get_text() for dt, dd in zip(rad.select("dt"), rad.select("dd"), strict=True)}
    assert detalj == {
        "Volym": f"33{NBSP}600{NBSP}timmar mot budgeterat 32{NBSP}000",
        "Kostnad per timme": f"476{NBSP}kr mot budgeterat 500{NBSP}kr",
        "Volymeffekt": f"{MINUS}0,8{NBSP}mnkr",
        "Priseffekt": f"+0,8{NBSP}mnkr",
        "Budget som inte följer volymen": f"+0,8{NBSP}mnkr",
    }
    assert soup.find(id=f"rad-{ekeby.områden['Särskilt boende'].id}").find("details") is None

    ekeby.kommun.avvikelsegräns_procent = D(4)
    ekeby.kommun.save()
    assert förslag(sida(controller, ekeby), ekeby.områden["Hemtjänst"]) == HEMTJÄNST


def test_kommenterad_rad_får_inget_förslag(controller, ekeby):
    Prognos.objects.filter(verksamhetsområde=ekeby.områden["Särskilt boende"], år=ÅR, månad=8).update(
        kommentar="Fler beslut om särskilt boende."
    )
    assert förslag(sida(controller, ekeby), ekeby.områden["Särskilt boende"]) is None


def test_använd_förslaget_utan_javascript_sparar_genom_gridens_tjänst(controller, ekeby):
    o = ekeby.områden["Särskilt boende"]
    data = formulärdata(sida(controller, ekeby)) | {"anvand_kommentar": str(o.id)}
    r = controller.post(url(ekeby), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    p = Prognos.objects.get(verksamhetsområde=o, år=ÅR, månad=8)
    assert p.kommentar == SÄRSKILT
    assert p.belopp == D("39500000")  # the rest of the row as it was
    assert p.history.latest().history_user == controller.user
    assert förslag(sida(controller, ekeby), o) is None  # commented now


def test_stängd_månad_visar_förslaget_utan_knapp_och_vägrar_spara(controller, ekeby):
    o = ekeby.områden["Särskilt boende"]
    data = formulärdata(sida(controller, ekeby)) | {"anvand_kommentar": str(o.id)}
    stäng(factories.admin(ekeby.kommun), ekeby.kommun, ÅR, [8])
    soup = sida(controller, ekeby)
    assert förslag(soup, o) == SÄRSKILT
    assert soup.find(id=f"r{o.id}-kommentarsforslag").find("button") is None
    r = controller.post(url(ekeby), data)
    assert r.status_code in (200, 403)
    assert Prognos.objects.get(verksamhetsområde=o, år=ÅR, månad=8).kommentar == ""


def test_läsare_får_inte_spara_förslaget(client, ekeby):
    o = ekeby.områden["Särskilt boende"]
    client.force_login(factories.läsare(ekeby.kommun))
    soup = sida(client, ekeby)
    assert soup.find(id=f"r{o.id}-kommentarsforslag").find("button") is None
    data = formulärdata(soup) | {"anvand_kommentar": str(o.id), f"r{o.id}-kommentar": ""}
    assert client.post(url(ekeby), data).status_code == 403
    assert Prognos.objects.get(verksamhetsområde=o, år=ÅR, månad=8).kommentar == ""
