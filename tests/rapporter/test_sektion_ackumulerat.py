"""The ackumulerat section: utfall against the month's periodbudget (profile-weighted KF-budget plus even tillägg),
the result accumulated month by month and the helårsprognos, per chosen område, in tkr and in mnkr with costs
negative — every figure worked out by hand; HTML, Excel and (PostgreSQL pass) PDF."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekonomi.models import Budgetpost, Periodiseringsprofil, Prognos, Utfall
from rapporter import layouter
from tests import factories
from tests.rapporter.test_layouter import ÅR, excel, kommun, nämnd, område, sida, spara, tabellrader

pytestmark = pytest.mark.django_db

MÅNADER = ["Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli", "Augusti"]
# Hemtjänst's utfall per month in tkr (none booked in August).
HEMTJÄNST = [100, 125, 110, 90, 130, 115, 140, None]


def solby():
    """Solby: Hemtjänst (in block Äldreomsorg) with a KF-budget of 1 100 tkr on a profile with nothing in December
    (100 tkr a month January–November) and a tillägg of 120 tkr spread evenly (10 tkr a month): 110 tkr a month;
    prognoser 1 400 tkr made in June and 1 500 tkr made in September (after the delår: not shown). Placeringar:
    2 400 tkr even (200 tkr a month), utfall 210 tkr every month January–August, no prognos."""
    k = kommun("Solby kommun")
    n = nämnd(k, "Social- och omsorgsnämnden")
    äldre = område(n, "Äldreomsorg", "block")
    hemtjänst = område(n, "Hemtjänst", förälder=äldre)
    placeringar = område(n, "Placeringar")
    profil = Periodiseringsprofil.objects.create(kommun=k, namn="Ingen december", dec=0)
    Budgetpost.objects.create(verksamhetsområde=hemtjänst, år=ÅR, slag="kf", belopp=Decimal(1_100_000), profil=profil)
    Budgetpost.objects.create(
        verksamhetsområde=hemtjänst, år=ÅR, slag="tillägg", belopp=Decimal(120_000), kommentar="Fler brukare"
    )
    Budgetpost.objects.create(verksamhetsområde=placeringar, år=ÅR, slag="kf", belopp=Decimal(2_400_000))
    for m, tkr in enumerate(HEMTJÄNST, start=1):
        if tkr is not None:
            Utfall.objects.create(verksamhetsområde=hemtjänst, år=ÅR, månad=m, belopp=Decimal(tkr * 1000))
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=placeringar, år=ÅR, månad=m, belopp=Decimal(210_000)) for m in range(1, 9)
    )
    Prognos.objects.create(verksamhetsområde=hemtjänst, år=ÅR, månad=6, belopp=Decimal(1_400_000))
    Prognos.objects.create(verksamhetsområde=hemtjänst, år=ÅR, månad=9, belopp=Decimal(1_500_000))
    return k, n, hemtjänst, placeringar


def sektion(**parametrar) -> dict:
    return {"typ": "ackumulerat", "rubrik": "Ackumulerat resultat", "parametrar": {"id": "ack", **parametrar}}


def D(*v) -> list:
    return [None if x is None else Decimal(str(x)) for x in v]


def test_per_område_i_tkr_med_periodbudget_ackumulerat_och_prognos(client):
    k, n, hemtjänst, placeringar = solby()
    spara(k, "delårsrapport", [sektion(områden=[hemtjänst.id, placeringar.id], enhet="tkr")])
    client.force_login(factories.läsare(k))
    html = sida(client, n)

    # Hemtjänst: budget 110 a month; result = 110 − utfall (August: nothing booked → 110).
    assert tabellrader(html, f"ack-{hemtjänst.id}") == [
        ("Januari", D(100, 110, 10, 10)),
        ("Februari", D(125, 110, -15, -5)),
        ("Mars", D(110, 110, 0, -5)),
        ("April", D(90, 110, 20, 15)),
        ("Maj", D(130, 110, -20, -5)),
        ("Juni", D(115, 110, -5, -10)),
        ("Juli", D(140, 110, -30, -40)),
        ("Augusti", D(None, 110, 110, 70)),
        ("Summa jan–aug 2024", D(810, 880, 70, None)),
        ("Helår 2024: prognos mot budget", D(1400, 1220, -180, None)),
    ]
    assert tabellrader(html, f"ack-{placeringar.id}") == [
        *[(m, D(210, 200, -10, -10 * i)) for i, m in enumerate(MÅNADER, start=1)],
        ("Summa jan–aug 2024", D(1680, 1600, -80, None)),
        ("Helår 2024: prognos mot budget", D(None, 2400, None, None)),
    ]
    assert b"diagram-ack" in html and "Linjediagram över ackumulerat resultat".encode() in html
    assert b"<polyline" in html

    blad = excel(client, n, "ack")
    assert blad[0][0][:5] == [
        "Månad",
        "Utfall (tkr)",
        "Periodbudget (tkr)",
        "Resultat (tkr)",
        "Ackumulerat resultat (tkr)",
    ]
    assert blad[0][1][:5] == ["Januari", 100, 110, 10, 10]
    assert blad[0][8][:4] == ["Augusti", None, 110, 110]
    assert blad[0][9][:4] == ["Summa jan–aug 2024", 810, 880, 70]
    assert blad[1][10][:4] == ["Helår 2024: prognos mot budget", None, 2400, None]


def test_hela_nämnden_i_mnkr_med_kostnader_negativa(client):
    k, n, *_ = solby()
    spara(k, "delårsrapport", [sektion(enhet="mnkr", decimaler=2, negativa=["kostnad"], diagram=False)])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    rader = dict(tabellrader(html, "ack-alla"))
    # Both områden: budget 310 tkr a month; costs shown negative, results keep their sign.
    assert rader["Januari"] == D("-0.31", "-0.31", "0.00", "0.00")  # 100 + 210 against 110 + 200
    assert rader["Februari"] == D("-0.34", "-0.31", "-0.03", "-0.03")  # −0.025 rounds half away from zero
    assert rader["Augusti"] == D("-0.21", "-0.31", "0.10", "-0.01")  # accumulated: Hemtjänst 70, Placeringar −80
    assert rader["Summa jan–aug 2024"] == D("-2.49", "-2.48", "-0.01", None)
    # Placeringar has budget and utfall but no prognos: the nämnd's helårsprognos is missing, not Hemtjänst's alone.
    assert rader["Helår 2024: prognos mot budget"] == D(None, "-3.62", None, None)
    assert b"diagram-ack" not in html
    blad = excel(client, n, "ack")
    assert blad[0][1][1:5] == [-0.31, -0.31, 0, 0]


def test_okänt_område_avvisas():
    k, n, *_ = solby()
    annan = område(nämnd(kommun("Annanby kommun")), "Hemtjänst")
    with pytest.raises(ValidationError) as e:
        layouter.validera([sektion(områden=[annan.id])], layouter.Organisation.för(k))
    assert "Okänt val av område" in e.value.messages[0]
    with pytest.raises(ValidationError):
        layouter.validera([sektion(områden=["x"])], layouter.Organisation.för(k))


@pytest.mark.postgres
def test_pdf_visar_tabellen(client):
    k, n, hemtjänst, _ = solby()
    spara(k, "delårsrapport", [sektion(områden=[hemtjänst.id], enhet="tkr")])
    client.force_login(factories.läsare(k))
    r = client.get(reverse("rapport-pdf", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    ut = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True).stdout
    text = " ".join(ut.decode().replace("\u00a0", " ").split())
    assert "Juli 140 110 −30 −40" in text or "Juli 140 110 -30 -40" in text
    assert "Helår 2024: prognos mot budget 1 400 1 220 −180" in text.replace("-", "−")
    assert "Ackumulerat resultat per månad" in text
