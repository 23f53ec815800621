"""The variance split as report columns (``rapporter.tabell.MÅTT``: volymeffekt, priseffekt, volymrest) on an
invented kommun of another shape than the demo (mnkr, costs negative): HTML and Excel carry the same figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ekonomi.models import Budgetpost
from nyckeltal.models import Nyckeltal, Nyckeltalsvärde
from tests import factories
from tests.rapporter.test_layouter import excel, mnkr, rubriker, samma_siffror, sida, spara, tabell, tabellrader

pytestmark = pytest.mark.django_db

ÅR = 2024
M = Decimal(1_000_000)
KOLUMNER = ["avvikelse", "volym", "plan_volym", "volymeffekt", "priseffekt", "volymrest"]


def med_volym(b: factories.Byggd, timmar_per_månad: int = 4200, år: int = ÅR) -> None:
    """Hemtjänst's KF-budget (24 mnkr) is 48 000 planned hours × 500 kr; the nyckeltal "Beviljade timmar" is the
    verksamhet's volume, ``timmar_per_månad`` in each month 1–12."""
    hemtjänst = b.områden["Hemtjänst"]
    Budgetpost.objects.filter(verksamhetsområde=hemtjänst, år=år, slag="kf").update(
        volym=Decimal(48_000), peng=Decimal(500)
    )
    timmar = Nyckeltal.objects.get(grupp__nämnd=b.nämnder["Omsorgsnämnden"], namn="Beviljade timmar")
    timmar.verksamhetsområde = hemtjänst
    timmar.save()
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=timmar, år=år, typ="utfall_månad", månad=m, värde=Decimal(timmar_per_månad))
        for m in range(1, 13)
    )


def test_volym_och_priseffekt_som_kolumner(client):
    """Delår jan–aug: budget (24 + 1,2 tillägg) × 8/12 = 16,8 mnkr, utfall 16 mnkr → +0,8 mnkr. 33 600 hours
    against 32 000 planned: volume effect −1 600 × 500 = −0,8 mnkr; 16 mnkr ÷ 33 600 h = 476,19 kr per hour
    against 500: price effect 33 600 × 500 − 16 mnkr = +0,8 mnkr; the tillägg (0,8 mnkr for the period) does not
    follow the volume. Särskilt boende has no volume: "–"; the sum adds up the rows that have a split."""
    b = factories.annan_form_kommun(ÅR)
    med_volym(b)
    n = b.nämnder["Omsorgsnämnden"]
    spara_layout = [
        {
            "typ": "drift",
            "rubrik": "Volym och pris",
            "parametrar": {
                "id": "varians",
                "kolumner": [{"mått": m, "rubrik": ""} for m in KOLUMNER],
                "sammanställning": False,
            },
        }
    ]
    spara(b.kommun, "delårsrapport", spara_layout)
    client.force_login(factories.läsare(b.kommun))
    html = sida(client, n)
    rader = tabell(html, f"varians-{n.id}")
    assert rader["Hemtjänst"] == [
        mnkr(Decimal("0.8") * M),
        Decimal(33_600),
        Decimal(32_000),
        mnkr(-Decimal("0.8") * M),
        mnkr(Decimal("0.8") * M),
        mnkr(Decimal("0.8") * M),
    ]
    assert rader["Särskilt boende"] == [mnkr(-4 * M), None, None, None, None, None]
    assert rader["Summa"][3:] == rader["Hemtjänst"][3:]
    samma_siffror(tabellrader(html, f"varians-{n.id}"), excel(client, n, "varians")[0], [1, 0, 0, 1, 1, 1])


def test_utan_budgeterad_volym_ingen_delning(client):
    """The same volume series, but no volym/peng on the budget: nothing to split, so the effect columns are empty
    and, as every empty column, not shown (never 0)."""
    b = factories.annan_form_kommun(ÅR)
    med_volym(b)
    Budgetpost.objects.filter(verksamhetsområde=b.områden["Hemtjänst"]).update(volym=None, peng=None)
    n = b.nämnder["Omsorgsnämnden"]
    spara(
        b.kommun,
        "delårsrapport",
        [
            {
                "typ": "drift",
                "rubrik": "Volym och pris",
                "parametrar": {
                    "id": "varians",
                    "kolumner": [{"mått": m, "rubrik": ""} for m in KOLUMNER],
                    "sammanställning": False,
                },
            }
        ],
    )
    client.force_login(factories.läsare(b.kommun))
    html = sida(client, n)
    assert rubriker(html, f"varians-{n.id}") == ["Budgetavvikelse", "Volym jan–aug 2024"]
    assert tabell(html, f"varians-{n.id}")["Hemtjänst"] == [mnkr(Decimal("0.8") * M), Decimal(33_600)]
