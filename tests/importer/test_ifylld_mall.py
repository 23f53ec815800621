"""Prefilled import templates (issue 15, item 4): a kommun without budget downloads its budget template with a row
for every område valid in the year, in tree order, with codes that lead back to the område; fills in amounts;
uploads → preview → confirm → stored. Prognos, volymer and indikatorer templates are prefilled the same way."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from ekonomi.models import Budgetpost
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from tests import factories
from tests.importer.test_mallar import bekräfta, granskning, ladda_upp

ÅR = 2026
BLOCK = Verksamhetsområde.Typ.BLOCK


@pytest.fixture
def norrvik(db):
    """An invented kommun (mnkr, costs negative) without any budget: a block whose children's ordning is lower
    than the top-level areas' (tree order is not ordning order), a wildcard catch-all with a verksamhet code, an
    område without codes and one that ended last year."""
    kommun = Kommun.objects.create(
        namn="Norrvik kommun", kommunkod="9977", beloppsenhet=Kommun.Beloppsenhet.MNKR, kostnader_negativa=True
    )
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))

    def område(namn, ordning, förälder=None, **kw):
        return Verksamhetsområde.objects.create(nämnd=nämnd, namn=namn, ordning=ordning, förälder=förälder, **kw)

    område("Ledning", 10, ansvarskoder="9100")
    stöd = område("Stöd", 20, typ=BLOCK)
    område("Daglig verksamhet", 5, stöd, ansvarskoder="9220, 9221")
    område("Boende", 1, stöd, ansvarskoder="92*", verksamhetskoder="63*")
    område("Nedlagd verksamhet", 2, stöd, ansvarskoder="9230", till_år=ÅR - 1)
    område("Färdtjänst", 40)
    return nämnd


def mall(client, nämnd: Nämnd, typ: str, år: int = ÅR) -> openpyxl.Workbook:
    r = client.get(reverse("importmall-ifylld", args=[nämnd.pk, typ, år]))
    assert r.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(r.content))


def rader(ws) -> tuple[list[str], list[dict]]:
    rubriker = [c.value for c in ws[1]]
    return rubriker, [dict(zip(rubriker, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def spara(wb: openpyxl.Workbook) -> bytes:
    ut = io.BytesIO()
    wb.save(ut)
    return ut.getvalue()


def test_budgetmallen_fylls_med_områden_och_koder_och_går_att_importera(client, norrvik):
    client.force_login(factories.admin(norrvik.kommun))
    wb = mall(client, norrvik, "budget")
    ws = wb["Budget"]
    rubriker, data = rader(ws)
    assert rubriker[:3] == ["Verksamhetsområde", "Ansvar", "Verksamhetskod"]
    assert [(r["Verksamhetsområde"], r["Ansvar"], r["Verksamhetskod"], r["År"], r["Slag"]) for r in data] == [
        ("Ledning", "9100", None, ÅR, "KF-budget"),
        ("Boende", "92*", "63*", ÅR, "KF-budget"),
        ("Daglig verksamhet", "9220", None, ÅR, "KF-budget"),
        ("Färdtjänst", None, None, ÅR, "KF-budget"),
    ]
    assert all(r["Belopp helår (kr)"] is None for r in data)
    assert "Giltiga värden" in wb.sheetnames

    # The untouched template imports cleanly and stores nothing.
    g = granskning(ladda_upp(client, norrvik, "budget", "ifylld.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 0 and g["ändrade"] == 0

    belopp = {"Ledning": 2_400_000, "Boende": 18_750_000.5, "Daglig verksamhet": 6_100_000, "Färdtjänst": 0}
    kolumn = rubriker.index("Belopp helår (kr)") + 1
    for i, r in enumerate(data, start=2):
        ws.cell(i, kolumn, belopp[r["Verksamhetsområde"]])
    g = granskning(ladda_upp(client, norrvik, "budget", "ifylld.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 4 and g["kan_bekräftas"]
    assert bekräfta(client, g).status_code == 302
    lagrat = dict(
        Budgetpost.objects.filter(verksamhetsområde__nämnd=norrvik, år=ÅR, slag="kf").values_list(
            "verksamhetsområde__namn", "belopp"
        )
    )
    assert lagrat == {
        "Ledning": Decimal("2400000.00"),
        "Boende": Decimal("18750000.50"),
        "Daglig verksamhet": Decimal("6100000.00"),
        "Färdtjänst": Decimal("0.00"),
    }

    # Downloaded again: the stored amounts are in it, and importing it again changes nothing.
    wb = mall(client, norrvik, "budget")
    _, data = rader(wb["Budget"])
    assert [(r["Verksamhetsområde"], r["Ansvar"], r["Belopp helår (kr)"]) for r in data] == [
        ("Ledning", "9100", 2_400_000),
        ("Boende", "92*", 18_750_000.5),
        ("Daglig verksamhet", "9220", 6_100_000),
        ("Färdtjänst", None, 0),
    ]
    g = granskning(ladda_upp(client, norrvik, "budget", "igen.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 0 and g["ändrade"] == 0 and g["oförändrade"] == 4


def test_prognosmallen_har_en_rad_per_område_och_importeras_utan_fel(client, norrvik):
    client.force_login(factories.admin(norrvik.kommun))
    boende = Verksamhetsområde.objects.get(nämnd=norrvik, namn="Boende")
    factories.PrognosFactory(verksamhetsområde=boende, år=ÅR, månad=4, belopp=Decimal(19_000_000), kommentar="Fler")
    wb = mall(client, norrvik, "prognos")
    rubriker, data = rader(wb.worksheets[0])
    assert "Ansvar" in rubriker and "Verksamhetskod" in rubriker
    assert [(r["Verksamhetsområde"], r["Ansvar"]) for r in data] == [
        ("Ledning", "9100"),
        ("Boende", "92*"),
        ("Daglig verksamhet", "9220"),
        ("Färdtjänst", None),
    ]
    # rows without a prognos carry the year's prognostillfälle, so the untouched file imports without errors
    g = granskning(ladda_upp(client, norrvik, "prognos", "ifylld.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 0 and g["ändrade"] == 0


def test_volym_och_indikatormallarna_fylls(client, norrvik):
    client.force_login(factories.admin(norrvik.kommun))
    grupp = factories.NyckeltalsgruppFactory(nämnd=norrvik, namn="Hemtjänst")
    nt = factories.NyckeltalFactory(grupp=grupp, namn="Beviljade timmar", enhet="timmar")
    factories.NyckeltalsvärdeFactory(nyckeltal=nt, år=ÅR, typ="utfall_månad", månad=3, värde=Decimal(1200))
    mål = factories.MålFactory(nämnd=norrvik, namn="Trygg omsorg", från_år=ÅR - 1, till_år=ÅR + 2)
    factories.IndikatorFactory(mål=mål, namn="Nöjdhet", kolada_id="U99999")
    wb = mall(client, norrvik, "volymer")
    _, volymer = rader(wb.worksheets[0])
    assert [(r["Område"], r["Nyckeltal"], r["År"], r["mar"], r["apr"]) for r in volymer] == [
        ("Hemtjänst", "Beviljade timmar", ÅR, 1200, None)
    ]
    g = granskning(ladda_upp(client, norrvik, "volymer", "ifylld.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 0 and g["ändrade"] == 0
    wb = mall(client, norrvik, "indikatorer")
    _, indikatorer = rader(wb.worksheets[0])
    assert [(r["Indikator"], r["Kolada-id"], r["År"], r["Totalt"]) for r in indikatorer] == [
        ("Nöjdhet", "U99999", ÅR, None)
    ]
    g = granskning(ladda_upp(client, norrvik, "indikatorer", "ifylld.xlsx", spara(wb)))
    assert g["fel"] == [] and g["nya"] == 0 and g["ändrade"] == 0


def test_annan_kommuns_mall_404(client, norrvik):
    client.force_login(factories.admin(factories.KommunFactory(namn="Sörby kommun")))
    assert client.get(reverse("importmall-ifylld", args=[norrvik.pk, "budget", ÅR])).status_code == 404
