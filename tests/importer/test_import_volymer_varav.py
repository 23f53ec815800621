"""The volymer import with "varav" rows whose names repeat under different parents (issue 14, item 7), with real
.xlsx files: a varav row is found by a qualified name "Förälder / Varav", or by the row above it that is not a
varav row (the order the volymer export writes); a name that still means several nyckeltal is a Swedish row error.

Varby kommun, Omsorgsnämnden: group Hemtjänst with Beviljade timmar and Utförda timmar, each with a varav row
"Kommunal regi"; group Särskilt boende with Boendeplatser and its own varav "Kommunal regi"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nyckeltal.models import Nyckeltalsvärde
from tests import factories
from tests.importer.test_lasare import xlsx
from tests.importer.test_mallar import bekräfta, granskning, ladda_upp

pytestmark = pytest.mark.django_db
ÅR = 2024
RUBRIK = ["Område", "Nyckeltal", "År", "jan", "feb"]


@pytest.fixture
def varby():
    k = factories.KommunFactory(namn="Varby kommun", kommunkod="9952")
    n = factories.NämndFactory(kommun=k, namn="Omsorgsnämnden")
    hemtjänst = factories.NyckeltalsgruppFactory(nämnd=n, namn="Hemtjänst", ordning=0)
    boende = factories.NyckeltalsgruppFactory(nämnd=n, namn="Särskilt boende", ordning=1)
    nt = {}
    for grupp, förälder in ((hemtjänst, "Beviljade timmar"), (hemtjänst, "Utförda timmar"), (boende, "Boendeplatser")):
        nt[förälder] = factories.NyckeltalFactory(grupp=grupp, namn=förälder)
        nt[f"{förälder} / Kommunal regi"] = factories.NyckeltalFactory(
            grupp=grupp, namn="Kommunal regi", förälder=nt[förälder]
        )
    return k, n, nt


def månader(nt) -> dict[int, Decimal]:
    return dict(Nyckeltalsvärde.objects.filter(nyckeltal=nt, år=ÅR, typ="utfall_månad").values_list("månad", "värde"))


def test_varav_rader_med_samma_namn_under_olika_föräldrar(client, varby):
    k, n, nt = varby
    client.force_login(factories.admin(k))
    fil = xlsx(
        (
            "Volymer",
            [
                RUBRIK,
                ["Hemtjänst", "Beviljade timmar", ÅR, 100, 110],
                ["Hemtjänst", "varav Kommunal regi", ÅR, 60, 61],  # under the row above
                ["Hemtjänst", "Utförda timmar", ÅR, 90, 95],
                ["Hemtjänst", "varav Kommunal regi", ÅR, 50, None],
                [None, "Boendeplatser / Kommunal regi", ÅR, 3, 4],  # qualified, no Område needed
                [None, "Utförda timmar / varav Kommunal regi", ÅR, None, 52],  # "varav" may be written
            ],
        )
    )
    g = granskning(ladda_upp(client, n, "volymer", "volymer.xlsx", fil))
    assert g["fel"] == []
    assert (g["nya"], g["ändrade"]) == (10, 0)
    assert bekräfta(client, g).status_code == 302
    assert månader(nt["Beviljade timmar / Kommunal regi"]) == {1: Decimal(60), 2: Decimal(61)}
    assert månader(nt["Utförda timmar / Kommunal regi"]) == {1: Decimal(50), 2: Decimal(52)}
    assert månader(nt["Boendeplatser / Kommunal regi"]) == {1: Decimal(3), 2: Decimal(4)}
    assert månader(nt["Beviljade timmar"]) == {1: Decimal(100), 2: Decimal(110)}


def test_fortfarande_tvetydigt_ger_ett_tydligt_fel_och_inget_sparas(client, varby):
    k, n, nt = varby
    client.force_login(factories.admin(k))
    fil = xlsx(
        (
            "Volymer",
            [
                RUBRIK,
                [None, "varav Kommunal regi", ÅR, 1, 2],  # no parent above, no Område
                ["Hemtjänst", "Kommunal regi", ÅR, 1, 2],  # two parents in the group
                ["Hemtjänst", "Okänd / Kommunal regi", ÅR, 1, 2],
                ["Hemtjänst", "Beviljade timmar", ÅR, 5, 6],
                ["Hemtjänst", "Saknas", ÅR, 5, 6],  # not found: the next varav row has no parent above
                ["Hemtjänst", "varav Kommunal regi", ÅR, 1, 2],
            ],
        )
    )
    g = granskning(ladda_upp(client, n, "volymer", "v.xlsx", fil))
    fel = {f[1]: f[3] for f in g["fel"]}
    assert fel["2"] == (
        "Nyckeltalet 'varav Kommunal regi' finns som varav-rad under flera nyckeltal (Beviljade timmar (Hemtjänst), "
        "Boendeplatser (Särskilt boende), Utförda timmar (Hemtjänst)). Skriv förälderns namn först, t.ex. "
        "”Beviljade timmar / Kommunal regi”, eller lägg raden direkt under sitt nyckeltal i filen."
    )
    assert "under flera nyckeltal (Beviljade timmar (Hemtjänst), Utförda timmar (Hemtjänst))" in fel["3"]
    assert fel["4"] == "Nyckeltalet 'Okänd / Kommunal regi' finns inte i området 'Hemtjänst'."
    assert "finns inte" in fel["6"] and "under flera nyckeltal" in fel["7"]
    assert not g["kan_bekräftas"]
    assert not Nyckeltalsvärde.objects.filter(nyckeltal__grupp__nämnd=n).exists()
