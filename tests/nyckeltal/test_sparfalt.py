"""The entry pages share one save bar and one script (docs/beslut.md, "Inmatningssidorna"): volymer, indikatorer and
texter render ``templates/ekonomi/sparfalt.html`` in a form marked ``data-inmatning``; every page built on
nyckeltal/bas.html loads static/js/inmatning.js (no inline script) and its error summary can take focus. A fully
locked page has no bar and no unsaved-changes warning. On an invented kommun (``annan_form_kommun``)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from nämnd.services import stäng
from tests import factories

ÅR = factories.ÅR


@pytest.fixture
def ekeby(db):
    return factories.annan_form_kommun()


def sidor(nämnd):
    return {
        "volymer": reverse("volymer-inmatning", args=[nämnd.id, ÅR]),
        "indikatorer": reverse("indikatorer-inmatning", args=[nämnd.id, ÅR]),
        "texter": reverse("texter", args=[nämnd.id, ÅR, "delårsrapport"]),
        "mål": reverse("mal-inmatning", args=[nämnd.id, ÅR, "delårsrapport"]),
    }


def soppa(client, url) -> BeautifulSoup:
    r = client.get(url)
    assert r.status_code == 200, url
    return BeautifulSoup(r.content, "html.parser")


def test_samma_sparfält_och_skript_på_inmatningssidorna(client, ekeby):
    user = factories.admin(ekeby.kommun, "admin-sparfalt")
    client.force_login(user)
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    for namn, url in sidor(omsorg).items():
        s = soppa(client, url)
        assert s.find("script", src=lambda v: v and v.endswith("js/inmatning.js")), namn
        assert not [t for t in s.find_all("script") if not t.get("src")], namn  # CSP: no inline scripts
        assert s.find(attrs={"data-inmatningssida": True}), namn
        form = s.find("form", attrs={"data-inmatning": True})
        assert form is not None, namn
        knapp = form.select_one(".sparfalt button.spara")
        assert knapp.get_text() == "Spara" and knapp["type"] == "submit", namn
        assert form.select_one(".sparfalt .sparstatus").get_text() == "Inga osparade ändringar", namn

    # An error: the summary at the top can take focus and links to the field
    s = soppa(client, sidor(omsorg)["volymer"])
    fält = s.select_one("form[data-inmatning] table input[type=text]")
    data = {i["name"]: i.get("value", "") for i in s.select("form[data-inmatning] input[name]")}
    r = client.post(sidor(omsorg)["volymer"], {**data, fält["name"]: "abc"})
    s = BeautifulSoup(r.content, "html.parser")
    summering = s.find(id="fel")
    assert summering["tabindex"] == "-1" and summering.find("a")["href"] == f"#{fält['id']}"


def test_låst_sida_har_inget_sparfält(client, ekeby):
    user = factories.admin(ekeby.kommun, "admin-sparfalt-last")
    client.force_login(user)
    stäng(user, ekeby.kommun, ÅR, range(1, 13))
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    for namn in ("indikatorer", "texter"):
        s = soppa(client, sidor(omsorg)[namn])
        assert s.find("form", attrs={"data-inmatning": True}) is None, namn
        assert s.select(".sparfalt") == [], namn
