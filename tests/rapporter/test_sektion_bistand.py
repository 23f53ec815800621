"""The ekonomiskt bistånd section: utbetalt per month this year and last (from chosen kostnadsslag, or an
område's utfall), hushåll per month from a nyckeltal, beslutsorsaker as nyckeltal — every figure by hand; HTML,
Excel, mnkr with costs negative; the parameters checked against the kommun's own kostnadsslag and nyckeltal; and
a report with this section and the ackumulerat one stays within its query budget whatever the kommun's size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from ekonomi.models import Budgetpost, Kostnadsslag, Utfall
from nyckeltal.models import Nyckeltal, Nyckeltalsgrupp, Nyckeltalsvärde
from rapporter import layouter
from rapporter.rapport import bygg_rapport
from tests import factories
from tests.rapporter.test_layouter import ÅR, excel, kommun, nämnd, område, sida, spara, tabellrader

pytestmark = pytest.mark.django_db

K = Decimal(1000)


def D(*v) -> list:
    return [None if x is None else Decimal(str(x)) for x in v]


def åby(orsaker: int = 2, områden: int = 0, namn: str = "Åby kommun"):
    """Åby: område Ekonomiskt bistånd with utfall on kostnadsslag Försörjningsstöd (200 tkr a month January–August,
    260 in March; 180 every month last year), Hyresbidrag (20 tkr a month January–August, none last year) and
    Löner (500 tkr a month, not chosen). Nyckeltal: Antal hushåll (40 + month this year, 38 every month last year);
    beslutsorsaker Arbetslöshet (20 hushåll every month this year, 18 last year) and Sjukdom (yearly delår values
    15 and 12). ``orsaker`` > 2 adds more orsaker, ``områden`` more områden with utfall (for the query count)."""
    k = kommun(namn)
    n = nämnd(k, "Socialnämnden")
    eb = område(n, "Ekonomiskt bistånd")
    fs = Kostnadsslag.objects.create(kommun=k, namn="Försörjningsstöd", typ="kostnad", konton="4710-4719")
    hb = Kostnadsslag.objects.create(kommun=k, namn="Hyresbidrag", typ="kostnad", konton="4720")
    löner = Kostnadsslag.objects.create(kommun=k, namn="Löner", typ="kostnad", konton="5010-5999")
    Budgetpost.objects.create(verksamhetsområde=eb, år=ÅR, slag="kf", belopp=Decimal(9_000_000))
    rader = []
    for m in range(1, 13):
        rader.append(Utfall(verksamhetsområde=eb, år=ÅR - 1, månad=m, kostnadsslag=fs, belopp=180 * K))
        if m <= 8:
            rader.append(
                Utfall(verksamhetsområde=eb, år=ÅR, månad=m, kostnadsslag=fs, belopp=(260 if m == 3 else 200) * K)
            )
            rader.append(Utfall(verksamhetsområde=eb, år=ÅR, månad=m, kostnadsslag=hb, belopp=20 * K))
            rader.append(Utfall(verksamhetsområde=eb, år=ÅR, månad=m, kostnadsslag=löner, belopp=500 * K))
    for i in range(områden):
        o = område(n, f"Område {i}")
        rader += [Utfall(verksamhetsområde=o, år=ÅR, månad=m, belopp=K) for m in range(1, 9)]
    Utfall.objects.bulk_create(rader)
    grupp = Nyckeltalsgrupp.objects.create(nämnd=n, namn="Ekonomiskt bistånd")
    hushåll = Nyckeltal.objects.create(grupp=grupp, namn="Antal hushåll", enhet="antal")
    arbete = Nyckeltal.objects.create(grupp=grupp, namn="Arbetslöshet", enhet="antal", ordning=1)
    sjukdom = Nyckeltal.objects.create(grupp=grupp, namn="Sjukdom", enhet="antal", ordning=2)
    fler = [
        Nyckeltal.objects.create(grupp=grupp, namn=f"Orsak {i}", enhet="antal", ordning=3 + i)
        for i in range(orsaker - 2)
    ]
    värden = []
    for m in range(1, 13):
        värden.append(Nyckeltalsvärde(nyckeltal=hushåll, år=ÅR - 1, typ="utfall_månad", månad=m, värde=38))
        värden.append(
            Nyckeltalsvärde(nyckeltal=arbete, år=ÅR - 1, typ="utfall_månad", månad=m, värde=18 if m <= 8 else 25)
        )
        if m <= 8:
            värden.append(Nyckeltalsvärde(nyckeltal=hushåll, år=ÅR, typ="utfall_månad", månad=m, värde=40 + m))
            värden.append(Nyckeltalsvärde(nyckeltal=arbete, år=ÅR, typ="utfall_månad", månad=m, värde=20))
            värden += [Nyckeltalsvärde(nyckeltal=f, år=ÅR, typ="utfall_månad", månad=m, värde=1) for f in fler]
    värden.append(Nyckeltalsvärde(nyckeltal=sjukdom, år=ÅR, typ="utfall_delår", värde=15))
    värden.append(Nyckeltalsvärde(nyckeltal=sjukdom, år=ÅR - 1, typ="utfall_delår", värde=12))
    Nyckeltalsvärde.objects.bulk_create(värden)
    ids = {"fs": fs.id, "hb": hb.id, "löner": löner.id, "eb": eb.id, "hushåll": hushåll.id}
    return k, n, ids, [arbete.id, sjukdom.id, *(f.id for f in fler)]


def sektion(**parametrar) -> dict:
    return {"typ": "bistand", "rubrik": "Ekonomiskt bistånd", "parametrar": {"id": "eb", **parametrar}}


def test_utbetalt_från_kostnadsslag_hushåll_och_beslutsorsaker_i_tkr(client):
    k, n, ids, orsaker = åby()
    spara(
        k,
        "delårsrapport",
        [sektion(kostnadsslag=[ids["fs"], ids["hb"]], hushåll=ids["hushåll"], nyckeltal=orsaker, enhet="tkr")],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    rader = tabellrader(html, "eb-manad")
    # utbetalt 2024, 2023, change, hushåll 2024, 2023, kronor per hushåll (220 000 / 41 = 5 365.85…)
    assert rader[0] == ("Januari", D(220, 180, 40, 41, 38, 5366))
    assert rader[2] == ("Mars", D(280, 180, 100, 43, 38, 6512))  # 280 000 / 43 = 6 511.6…
    assert rader[7] == ("Augusti", D(220, 180, 40, 48, 38, 4583))  # 220 000 / 48 = 4 583.3…
    assert rader[8] == ("Summa jan–aug 2024", D(1820, 1440, 380, None, None, None))
    assert len(rader) == 9
    assert tabellrader(html, "eb-orsak") == [
        ("Arbetslöshet (antal, snitt per månad)", D(20, 18, "57.1")),  # 20 / 35
        ("Sjukdom (antal)", D(15, 12, "42.9")),
        ("Summa", D(35, 30, 100)),
    ]
    assert b'id="diagram-eb-titel"' in html and "Utbetalt ekonomiskt bistånd per månad, 2023 och 2024".encode() in html

    blad = excel(client, n, "eb")
    assert blad[0][0][:4] == ["Månad", "Utbetalt 2024 (tkr)", "Utbetalt 2023 (tkr)", "Förändring (tkr)"]
    assert blad[0][1][:7] == ["Januari", 220, 180, 40, 41, 38, pytest.approx(220_000 / 41)]
    assert blad[1][1][:3] == ["Arbetslöshet (antal, snitt per månad)", 20, 18]


def test_utbetalt_från_område_i_mnkr_med_kostnader_negativa(client):
    k, n, ids, _ = åby()
    spara(
        k,
        "delårsrapport",
        [sektion(källa="område", område=ids["eb"], enhet="mnkr", decimaler=2, negativa=["kostnad"], diagram=False)],
    )
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    rader = dict(tabellrader(html, "eb-manad"))
    # The område's whole utfall (Löner too): 720 tkr in January, 180 last year; costs negative, the change too.
    assert rader["Januari"] == D("-0.72", "-0.18", "-0.54")
    assert rader["Mars"] == D("-0.78", "-0.18", "-0.60")
    assert rader["Summa jan–aug 2024"] == D("-5.82", "-1.44", "-4.38")
    assert b"eb-orsak" not in html and b"diagram-eb" not in html


def test_parametrar_prövas_mot_kommunens_egna():
    k, n, ids, orsaker = åby()
    org = layouter.Organisation.för(k)
    annan = kommun("Annanby kommun")
    främmande = Kostnadsslag.objects.create(kommun=annan, namn="Försörjningsstöd", typ="kostnad")
    with pytest.raises(ValidationError) as e:
        layouter.validera([sektion(kostnadsslag=[främmande.id])], org)
    assert "Okänt val av kostnadsslag" in e.value.messages[0]
    with pytest.raises(ValidationError) as e:
        layouter.validera([sektion(kostnadsslag=[])], org)
    assert "Välj minst ett kostnadsslag" in e.value.messages[0]
    with pytest.raises(ValidationError) as e:
        layouter.validera([sektion(källa="område")], org)
    assert "Välj verksamhetsområdet" in e.value.messages[0]
    with pytest.raises(ValidationError) as e:
        layouter.validera([sektion(kostnadsslag=[ids["fs"]], nyckeltal=[orsaker[0], 10**9])], org)
    assert "Okänt val av nyckeltal för beslutsorsak" in e.value.messages[0]
    giltig = layouter.validera([sektion(kostnadsslag=[ids["fs"]], hushåll=ids["hushåll"], nyckeltal=orsaker)], org)
    assert giltig[0]["parametrar"]["nyckeltal"] == orsaker


def frågor(storlek: int) -> int:
    k, n, ids, orsaker = åby(orsaker=2 + 3 * storlek, områden=4 * storlek, namn=f"Kommun {storlek}")
    sektioner = [
        sektion(kostnadsslag=[ids["fs"], ids["hb"]], hushåll=ids["hushåll"], nyckeltal=orsaker),
        {
            "typ": "bistand",
            "rubrik": "Bistånd per område",
            "parametrar": {"id": "eb2", "källa": "område", "område": ids["eb"]},
        },
        {"typ": "ackumulerat", "rubrik": "Ackumulerat", "parametrar": {"områden": [ids["eb"]]}},
        {"typ": "ackumulerat", "rubrik": "Ackumulerat alla", "parametrar": {}},
    ]
    spara(k, "delårsrapport", sektioner)
    user = factories.läsare(k)
    with CaptureQueriesContext(connection) as q:
        r = bygg_rapport(user, n, ÅR, "delårsrapport")
        render_to_string("rapporter/rapport.html", {"rapport": r, "pdf": False})
    assert len(r.sektioner[0].tabeller[1].rader) == 2 + 3 * storlek + 1
    return len(q.captured_queries)


def test_frågor_konstanta_och_högst_20():
    liten = frågor(0)
    stor = frågor(3)
    assert liten == stor <= 20, (liten, stor)


def test_layoutsidan_lägger_till_och_sparar_båda_slagen(client):
    from rapporter import selectors as sel
    from tests.rapporter.test_layoutsida import formulär, nyckel, sida_url

    k, n, ids, orsaker = åby()
    spara(k, "delårsrapport", [{"typ": "text", "rubrik": "Inledning", "parametrar": {}}])
    client.force_login(factories.admin(k))
    data = formulär(client.get(sida_url(k)).content)
    data = formulär(client.post(sida_url(k), {**data, "ny_typ": ["bistand"], "åtgärd": ["lägg_till"]}).content)
    data = formulär(client.post(sida_url(k), {**data, "ny_typ": ["ackumulerat"], "åtgärd": ["lägg_till"]}).content)
    b, a = nyckel(data, "Ekonomiskt bistånd"), nyckel(data, "Ackumulerat resultat per månad")
    data[f"{b}-kostnadsslag"] = [str(ids["fs"]), str(ids["hb"])]
    data[f"{b}-hushåll"] = [str(ids["hushåll"])]
    data[f"{b}-nyckeltal"] = [str(i) for i in orsaker]
    data[f"{b}-enhet"] = ["mnkr"]
    data[f"{a}-områden"] = [str(ids["eb"])]
    data.pop(f"{a}-diagram", None)
    svar = client.post(sida_url(k), {**data, "åtgärd": ["spara"], "från_år": ["0"]})
    assert svar.status_code == 302, svar.content.decode()[:2000]
    sparad = {s["typ"]: s["parametrar"] for s in sel.layout(k.id, "delårsrapport", ÅR)}
    assert sparad["bistand"]["kostnadsslag"] == [ids["fs"], ids["hb"]]
    assert (sparad["bistand"]["hushåll"], sparad["bistand"]["nyckeltal"]) == (ids["hushåll"], orsaker)
    assert sparad["bistand"]["enhet"] == "mnkr" and sparad["bistand"]["källa"] == "kostnadsslag"
    assert sparad["ackumulerat"]["områden"] == [ids["eb"]] and sparad["ackumulerat"]["diagram"] is False
    igen = formulär(client.get(sida_url(k)).content)
    b2 = nyckel(igen, "Ekonomiskt bistånd")
    assert igen[f"{b2}-kostnadsslag"] == [str(ids["fs"]), str(ids["hb"])]
    assert igen[f"{b2}-hushåll"] == [str(ids["hushåll"])]

    # an unknown kostnadsslag is refused at the section, nothing saved
    igen[f"{b2}-kostnadsslag"] = ["999999"]
    svar = client.post(sida_url(k), {**igen, "åtgärd": ["spara"], "från_år": ["0"]})
    assert svar.status_code == 400 or "Okänt val av kostnadsslag" in svar.content.decode()
    assert sel.layout(k.id, "delårsrapport", ÅR)[1]["parametrar"]["kostnadsslag"] == [ids["fs"], ids["hb"]]
