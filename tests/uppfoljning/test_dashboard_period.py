"""Honest periods on the status page (docs/beslut.md, "Ärliga perioder"): each report says how many of its months
have utfall, and the budget deviations asked for a month without utfall run through the last month that has it.

Built on Norrby kommun from tests/rapporter/test_oversikt_period.py (tkr, costs negative), 2024 with utfall in
January, February, April and May (March missing)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from tests.conftest import skapa_användare
from tests.rapporter.test_oversikt_period import ÅR, norrby
from tests.rapporter.test_rapport import tal


@pytest.fixture
def sida(client, db):
    kommun, nämnd = norrby([1, 2, 4, 5])
    user = skapa_användare("controller-norrby", kommun, "controller")
    user.behörigheter.get().nämnder.set([nämnd])
    client.force_login(user)

    def hämta(**params):
        r = client.get(reverse("dashboard", args=[nämnd.id, ÅR]), params)
        assert r.status_code == 200
        return BeautifulSoup(r.content, "html.parser")

    return hämta


def test_each_report_says_which_of_its_months_have_utfall(sida):
    s = sida()
    text = {
        typ: (p.get_text(" ", strip=True) if (p := s.find(id=f"rapport-{typ}").find(class_="tackning")) else "")
        for typ in ("verksamhetsplan", "tertialrapport", "delarsrapport", "verksamhetsberattelse")
    }
    assert text["verksamhetsplan"] == ""
    assert text["tertialrapport"] == (
        "Utfall finns för 3 av 4 månader (jan–apr). Utfall saknas för mars. "
        "Budget och föregående år avser jan–apr, också mars som saknar utfall."
    )
    assert text["delarsrapport"].startswith("Utfall finns för 4 av 8 månader (jan–maj). Utfall saknas för mars.")
    assert text["verksamhetsberattelse"].startswith("Utfall finns för 4 av 12 månader (jan–maj).")


def test_deviations_for_august_run_through_may_and_say_so(sida):
    s = sida(manad=8)
    assert s.find(id="rubrik-avvikelser").get_text(strip=True) == "Budgetavvikelser jan–maj 2024"
    assert s.find(id="tackning").get_text(" ", strip=True).startswith("Utfall finns för 4 av 8 månader (jan–maj).")
    tabell = s.find("table", id="avvikelser")
    rubriker = [th.get_text(" ", strip=True) for th in tabell.find("thead").find_all("th")]
    assert rubriker[1:3] == ["Budget jan–maj", "Avvikelse jan–maj"]
    rader = {
        tr.find("th").get_text(" ", strip=True): [tal(td.get_text()) for td in tr.find_all("td")]
        for tr in tabell.find("tbody").find_all("tr")
    }
    # Hemtjänst: budget 12 000 + tillägg 1 200 tkr, five months = 5 500 tkr (not eight months' 8 800);
    # utfall 4 × 1 100 tkr, so the deviation is +1 100 tkr — March's budget without its utfall, as the note says.
    assert rader["Äldreomsorg: Hemtjänst"][:2] == [D(-5500), D(1100)]
    # Särskilt boende has no prognos: its helår deviation is "–".
    assert rader["Äldreomsorg: Särskilt boende"][2] is None


def test_the_latest_month_by_default_and_no_note_for_a_month_with_utfall(sida):
    s = sida(manad=2)
    assert s.find(id="rubrik-avvikelser").get_text(strip=True) == "Budgetavvikelser jan–feb 2024"
    assert s.find(id="tackning") is None
    assert sida().find(id="rubrik-avvikelser").get_text(strip=True) == "Budgetavvikelser jan–maj 2024"


def test_a_split_nämnd_counts_its_predecessors_months(client, db):
    """Socialnämnden of annan_form_kommun starts 1 July; its predecessor has utfall January–June, so its
    delårsrapport (predecessor + itself) has utfall for every month and needs no note."""
    from tests.factories import ÅR as FÅR
    from tests.factories import annan_form_kommun

    b = annan_form_kommun()
    social = b.nämnder["Socialnämnden"]
    user = skapa_användare("controller-ekeby", b.kommun, "controller")
    user.behörigheter.get().nämnder.set([social])
    client.force_login(user)
    s = BeautifulSoup(client.get(reverse("dashboard", args=[social.id, FÅR])).content, "html.parser")
    assert s.find(id="rapport-delarsrapport").find(class_="tackning") is None
    assert s.find(id="rapport-tertialrapport").find(class_="tackning") is None
    assert s.find(id="rubrik-avvikelser").get_text(strip=True) == f"Budgetavvikelser jan–dec {FÅR}"
