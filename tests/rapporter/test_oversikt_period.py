"""Honest periods on the per-nämnd overview (docs/beslut.md, "Ärliga perioder"): it says how many of the year's
months have utfall, its headings name the months compared, budget and last year are for exactly those months, and a
missing prognos shows "–", never 0.

Norrby kommun (invented; tkr with costs shown negative, unlike the demo), Vård- och omsorgsnämnden:
block Äldreomsorg → Hemtjänst (KF-budget 12 000 tkr, tillägg 1 200 tkr, utfall 1 100 tkr a month, prognos
13 000 tkr made in January) and Särskilt boende (KF-budget 24 000 tkr, utfall 2 100 tkr a month, no prognos);
Ledning outside the block (KF-budget 2 400 tkr, utfall 150 tkr a month, prognos 2 500 tkr made in January).
Last year (2023) every month has utfall, a different amount each month (base + m × 10 tkr, Ledning + m × 1 tkr),
so a sum over other months than the heading's cannot pass."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos, Utfall
from nämnd.models import Kommun, Verksamhetsområde
from tests.conftest import skapa_användare
from tests.factories import BudgetpostFactory, KommunFactory, NämndFactory, VerksamhetsområdeFactory
from tests.rapporter.test_rapport import tal

ÅR = 2024
# name: (KF-budget, utfall a month in ÅR, last year's base a month, last year's step per month)
OMRÅDEN = {
    "Hemtjänst": (D(12_000_000), D(1_100_000), D(1_000_000), D(10_000)),
    "Särskilt boende": (D(24_000_000), D(2_100_000), D(2_000_000), D(10_000)),
    "Ledning": (D(2_400_000), D(150_000), D(100_000), D(1_000)),
}


def norrby(månader) -> tuple:
    kommun = KommunFactory(
        namn="Norrby kommun", kommunkod="9917", beloppsenhet=Kommun.Beloppsenhet.TKR, kostnader_negativa=True
    )
    nämnd = NämndFactory(kommun=kommun, namn="Vård- och omsorgsnämnden")
    block = VerksamhetsområdeFactory(nämnd=nämnd, namn="Äldreomsorg", typ=Verksamhetsområde.Typ.BLOCK, ordning=10)
    for i, (namn, (budget, per_månad, fg, steg)) in enumerate(OMRÅDEN.items()):
        o = VerksamhetsområdeFactory(
            nämnd=nämnd, namn=namn, förälder=block if namn != "Ledning" else None, ordning=20 + 10 * i
        )
        BudgetpostFactory(verksamhetsområde=o, år=ÅR, slag=Budgetpost.Slag.KF_BUDGET, belopp=budget)
        Utfall.objects.bulk_create(
            [Utfall(verksamhetsområde=o, år=ÅR, månad=m, belopp=per_månad) for m in månader]
            + [Utfall(verksamhetsområde=o, år=ÅR - 1, månad=m, belopp=fg + m * steg) for m in range(1, 13)]
        )
        if namn == "Hemtjänst":
            BudgetpostFactory(verksamhetsområde=o, år=ÅR, slag=Budgetpost.Slag.TILLÄGG, belopp=D(1_200_000))
            Prognos.objects.create(verksamhetsområde=o, år=ÅR, månad=1, belopp=D(13_000_000))
        if namn == "Ledning":
            Prognos.objects.create(verksamhetsområde=o, år=ÅR, månad=1, belopp=D(2_500_000))
    return kommun, nämnd


def översikt(client, kommun, nämnd, år=ÅR):
    client.force_login(skapa_användare("lasare-norrby", kommun))
    r = client.get(reverse("översikt", args=[nämnd.id, år]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    tabell = soup.find("table", id="drift")
    rubriker = [th.get_text(" ", strip=True) for th in tabell.find("thead").find_all("th")]
    rader = {
        (tds := tr.find_all("td"))[0].get_text(strip=True): dict(
            zip(rubriker[1:], [tal(td.get_text()) for td in tds[1:]], strict=True)
        )
        for tr in tabell.find("tbody").find_all("tr")
    }
    tfoot = tabell.find("tfoot")
    assert tfoot is None or not tfoot.find_all("td")
    täckning = soup.find(id="tackning")
    return soup, rubriker, rader, täckning.get_text(" ", strip=True) if täckning else ""


def tkr(kr) -> D:
    return (D(kr) / 1000).quantize(D(1))


def fg(namn: str, t_o_m: int) -> D:
    _, _, bas, steg = OMRÅDEN[namn]
    return sum((bas + m * steg for m in range(1, t_o_m + 1)), D(0))


@pytest.mark.django_db
def test_only_january_entered_says_so_and_compares_january(client):
    kommun, nämnd = norrby([1])
    soup, rubriker, rader, täckning = översikt(client, kommun, nämnd)

    assert täckning == "Utfall finns för 1 av 12 månader (januari). Budget och föregående år avser samma månader."
    assert soup.find("h2", string=lambda s: s and s.startswith("Driftredovisning")).get_text() == (
        "Driftredovisning januari 2024 (tkr)"
    )
    assert rubriker == [
        "Verksamhetsområde",
        "Nettokostnad januari 2023",
        "Budget januari 2024",
        "Tillägg och avdrag januari 2024",
        "Nettokostnad januari 2024",
        "Budgetavvikelse januari 2024",
        "Budget helår 2024 inkl. tillägg och avdrag",
        "Helårsprognos 2024",
        "Avvikelse mot helårsprognos 2024",
    ]
    hemtjänst = rader["Hemtjänst"]
    assert hemtjänst == {
        "Nettokostnad januari 2023": -tkr(fg("Hemtjänst", 1)),  # −1 010: January 2023 only
        "Budget januari 2024": D(-1000),  # 12 000 / 12
        "Tillägg och avdrag januari 2024": D(100),
        "Nettokostnad januari 2024": D(-1100),
        "Budgetavvikelse januari 2024": D(0),
        "Budget helår 2024 inkl. tillägg och avdrag": D(-13_200),
        "Helårsprognos 2024": D(-13_000),
        "Avvikelse mot helårsprognos 2024": D(200),
    }
    # No prognos is missing, not a zero cost — in its row and in every sum it is part of.
    assert rader["Särskilt boende"]["Helårsprognos 2024"] is None
    assert rader["Särskilt boende"]["Avvikelse mot helårsprognos 2024"] is None
    assert rader["Summa"]["Helårsprognos 2024"] is None
    assert rader["Ledning"]["Helårsprognos 2024"] == D(-2500)
    summa = rader["Summa"]
    assert summa["Nettokostnad januari 2023"] == -tkr(sum(fg(n, 1) for n in OMRÅDEN))  # −3 121
    assert summa["Budget januari 2024"] == D(-3200)
    assert summa["Nettokostnad januari 2024"] == D(-3350)
    assert summa["Budgetavvikelse januari 2024"] == D(-50)  # 3 200 + 100 − 3 350, not a surplus of eleven months


@pytest.mark.django_db
def test_january_to_may_with_a_gap_in_march(client):
    kommun, nämnd = norrby([1, 2, 4, 5])
    _, rubriker, rader, täckning = översikt(client, kommun, nämnd)

    assert täckning == (
        "Utfall finns för 4 av 12 månader (jan–maj). Utfall saknas för mars. "
        "Budget och föregående år avser jan–maj, också mars som saknar utfall."
    )
    assert rubriker[1:6] == [
        "Nettokostnad jan–maj 2023",
        "Budget jan–maj 2024",
        "Tillägg och avdrag jan–maj 2024",
        "Nettokostnad jan–maj 2024",
        "Budgetavvikelse jan–maj 2024",
    ]
    for namn, (budget, per_månad, _, _) in OMRÅDEN.items():
        rad = rader[namn]
        assert rad["Nettokostnad jan–maj 2023"] == -tkr(fg(namn, 5)), namn  # the same five months of 2023
        assert rad["Budget jan–maj 2024"] == -tkr(budget * 5 / 12), namn
        assert rad["Nettokostnad jan–maj 2024"] == -tkr(per_månad * 4), namn
    assert rader["Hemtjänst"]["Tillägg och avdrag jan–maj 2024"] == D(500)
    assert rader["Summa"]["Nettokostnad jan–maj 2023"] == -tkr(sum(fg(n, 5) for n in OMRÅDEN))


@pytest.mark.django_db
def test_no_utfall_shows_the_year_without_period_columns(client):
    kommun, nämnd = norrby([])
    soup, rubriker, rader, täckning = översikt(client, kommun, nämnd)

    assert täckning == "Inget utfall är registrerat för perioden."
    assert "Driftredovisning 2024 (tkr)" in soup.get_text()
    assert rubriker == [
        "Verksamhetsområde",
        "Budget helår 2024 inkl. tillägg och avdrag",
        "Helårsprognos 2024",
        "Avvikelse mot helårsprognos 2024",
    ]
    assert rader["Summa"]["Budget helår 2024 inkl. tillägg och avdrag"] == D(-39_600)


@pytest.mark.django_db
def test_a_full_year_has_no_note(client):
    kommun, nämnd = norrby(range(1, 13))
    _, rubriker, rader, täckning = översikt(client, kommun, nämnd)

    assert täckning == ""
    assert rubriker[1] == "Nettokostnad jan–dec 2023"
    assert rader["Hemtjänst"]["Nettokostnad jan–dec 2023"] == -tkr(fg("Hemtjänst", 12))
