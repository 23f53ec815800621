"""The månadsserie section on an invented kommun: chosen nyckeltal per month (the report year's months, or a rolling
13 months crossing the year), their varav rows, snittkostnad per month, the line charts, masking in published
output, validation, the layout file and the layout page — every figure checked in HTML and Excel, and the query
count constant in the number of series and months.

Björkå kommun (tkr), Vård- och omsorgsnämnden, delårsrapport per August ``ÅR``:
- Hemtjänst (område): utfall 500 000 kr a month in jan–aug ``ÅR`` and 450 000 kr a month in ``ÅR`` − 1.
- Group "Hemtjänst": "Beviljade timmar" (timmar, linked to Hemtjänst): 1 000 + 10·m in month m of ``ÅR``
  (jan–aug), 900 + m in ``ÅR`` − 1; varav "Kommunal regi": 600 + m and 500 + m.
- Group "Särskilt boende": "Boendeplatser" (antal): 40 + m and 38; varav "Kommunal regi" (the same name as the
  other varav row): 3 a month and 2 a month; "Korttidsplatser" (antal), not chosen.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekonomi.models import Utfall
from nyckeltal.models import Nyckeltal, Nyckeltalsvärde
from rapporter import layouter
from rapporter.rapport import bygg_rapport
from rapporter.selectors import layouter_per_typ
from tests import factories
from tests.rapporter.test_layouter import ÅR, excel, pdf_text, sida, spara, tabellrader

pytestmark = pytest.mark.django_db

MÅNADER = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def björkå(namn: str = "Björkå kommun"):
    k = factories.KommunFactory(namn=namn, kommunkod="9951")
    n = factories.NämndFactory(kommun=k, namn="Vård- och omsorgsnämnden")
    hemtjänst = factories.VerksamhetsområdeFactory(nämnd=n, namn="Hemtjänst")
    Utfall.objects.bulk_create(
        [
            *(Utfall(verksamhetsområde=hemtjänst, år=ÅR, månad=m, belopp=Decimal(500_000)) for m in range(1, 9)),
            *(Utfall(verksamhetsområde=hemtjänst, år=ÅR - 1, månad=m, belopp=Decimal(450_000)) for m in range(1, 13)),
        ]
    )
    g1 = factories.NyckeltalsgruppFactory(nämnd=n, namn="Hemtjänst", ordning=0)
    g2 = factories.NyckeltalsgruppFactory(nämnd=n, namn="Särskilt boende", ordning=1)
    timmar = factories.NyckeltalFactory(
        grupp=g1, namn="Beviljade timmar", enhet="timmar", verksamhetsområde=hemtjänst, ordning=0
    )
    regi_t = factories.NyckeltalFactory(grupp=g1, namn="Kommunal regi", enhet="timmar", förälder=timmar, ordning=1)
    platser = factories.NyckeltalFactory(grupp=g2, namn="Boendeplatser", enhet="antal", ordning=0)
    regi_p = factories.NyckeltalFactory(grupp=g2, namn="Kommunal regi", enhet="antal", förälder=platser, ordning=1)
    korttid = factories.NyckeltalFactory(grupp=g2, namn="Korttidsplatser", enhet="antal", ordning=2)
    värden = []
    for m in range(1, 13):
        värden += [
            (timmar, ÅR - 1, m, 900 + m),
            (regi_t, ÅR - 1, m, 500 + m),
            (platser, ÅR - 1, m, 38),
            (regi_p, ÅR - 1, m, 2),
            (korttid, ÅR - 1, m, 7),
        ]
        if m <= 8:
            värden += [
                (timmar, ÅR, m, 1000 + 10 * m),
                (regi_t, ÅR, m, 600 + m),
                (platser, ÅR, m, 40 + m),
                (regi_p, ÅR, m, 3),
                (korttid, ÅR, m, 8),
            ]
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=nt, år=år, typ="utfall_månad", månad=m, värde=Decimal(v)) for nt, år, m, v in värden
    )
    ids = {"timmar": timmar.id, "regi_t": regi_t.id, "platser": platser.id, "regi_p": regi_p.id, "korttid": korttid.id}
    return k, n, ids


def serie(rubrik: str, nyckeltal: list[int], **parametrar) -> dict:
    return {"typ": "manadsserie", "rubrik": rubrik, "parametrar": {"nyckeltal": nyckeltal, **parametrar}}


def kr(v: Decimal) -> Decimal:
    return v.quantize(Decimal(1), ROUND_HALF_UP)


def test_rapportårets_månader_med_varav_och_snittkostnad_i_html_och_excel(client):
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Styrande nyckeltal", [ids["platser"], ids["timmar"]], snittkostnad=True)])
    client.force_login(factories.läsare(k))
    html = sida(client, n)
    soup = BeautifulSoup(html, "html.parser")
    t = soup.find("table", id="t1-serier")
    assert t.find("caption").get_text(strip=True) == f"Styrande nyckeltal, jan–aug {ÅR}"
    assert [th.get_text(strip=True) for th in t.find("thead").find_all("th")] == ["Nyckeltal", *MÅNADER[:8]]
    # The kommun's order (group, then nyckeltal), each varav row under its parent; groups as headings.
    assert [th.get_text(strip=True) for th in t.find_all("th", scope="rowgroup")] == ["Hemtjänst", "Särskilt boende"]
    m = range(1, 9)
    väntat = [
        ("Beviljade timmar (timmar)", [Decimal(1000 + 10 * i) for i in m]),
        ("varav Kommunal regi (timmar)", [Decimal(600 + i) for i in m]),
        ("Snittkostnad, kr", [kr(Decimal(500_000) / (1000 + 10 * i)) for i in m]),  # 495, 490, …
        ("Boendeplatser (antal)", [Decimal(40 + i) for i in m]),
        ("varav Kommunal regi (antal)", [Decimal(3)] * 8),
    ]
    assert tabellrader(html, "t1-serier") == väntat
    assert väntat[2][1][:2] == [Decimal(495), Decimal(490)]
    assert "Korttidsplatser" not in t.get_text()
    # Excel: the same rows and figures (headings as their own rows), then "Om tabellen".
    blad = excel(client, n, "t1")
    assert blad[0][0] == ["Nyckeltal", *MÅNADER[:8]]
    rader = [(r[0], [None if v is None else kr(Decimal(str(v))) for v in r[1:]]) for r in blad[0][1:]]
    assert [r for r in rader if any(v is not None for v in r[1])] == väntat
    assert [r[0] for r in rader if all(v is None for v in r[1])] == ["Hemtjänst", "Särskilt boende"]


def test_rullande_13_månader_över_årsskiftet():
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Rullande", [ids["timmar"]], period="rullande", snittkostnad=True)])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "delårsrapport")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False}).encode()
    t = BeautifulSoup(html, "html.parser").find("table", id="t1-serier")
    rubriker = [th.get_text(strip=True) for th in t.find("thead").find_all("th")][1:]
    assert rubriker == [f"{m} {ÅR - 1}" for m in MÅNADER[7:]] + [f"{m} {ÅR}" for m in MÅNADER[:8]]
    assert t.find("caption").get_text(strip=True) == f"Rullande, aug {ÅR - 1} – aug {ÅR}"
    fg, i_år = range(8, 13), range(1, 9)
    assert tabellrader(html, "t1-serier") == [
        ("Beviljade timmar (timmar)", [Decimal(900 + m) for m in fg] + [Decimal(1000 + 10 * m) for m in i_år]),
        ("varav Kommunal regi (timmar)", [Decimal(500 + m) for m in fg] + [Decimal(600 + m) for m in i_år]),
        (
            "Snittkostnad, kr",
            [kr(Decimal(450_000) / (900 + m)) for m in fg] + [kr(Decimal(500_000) / (1000 + 10 * m)) for m in i_år],
        ),
    ]


def test_en_tertialrapport_i_april_visar_jan_till_apr():
    k, n, ids = björkå()
    spara(k, "tertialrapport", [serie("Timmar", [ids["timmar"]])])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "tertialrapport")
    t = rapport.sektioner[0].tabeller[0]
    assert [kol.rubrik for kol in t.kolumner] == MÅNADER[:4]
    assert t.värden[1] == [Decimal(1000 + 10 * m) for m in range(1, 5)]  # under the group heading


def test_linjediagram_per_serie_med_textalternativ():
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Med diagram", [ids["timmar"], ids["platser"]], diagram=True)])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "delårsrapport")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    figurer = BeautifulSoup(html, "html.parser").select("figure.diagram")
    assert len(figurer) == 2  # one per chosen series, none for the varav rows
    svg = figurer[0].find("svg")
    assert svg["role"] == "img" and svg["width"] == "100%" and svg["viewbox"].startswith("0 0 400 ")
    assert svg.find("title").get_text() == f"Beviljade timmar per månad {ÅR} och {ÅR - 1}"
    besk = svg.find("desc").get_text()
    assert svg["aria-labelledby"] == f"{svg.find('title')['id']} {svg.find('desc')['id']}"
    # The description names the figures: this year's up to August, all of last year's.
    assert f"{ÅR} (timmar): jan 1 010, feb 1 020" in besk.replace("\u00a0", " ")
    assert "aug 1 080." in besk.replace("\u00a0", " ") and "sep" not in besk.split(f"{ÅR - 1} (timmar)")[0]
    assert f"{ÅR - 1} (timmar): jan 901" in besk.replace("\u00a0", " ") and "dec 912." in besk.replace("\u00a0", " ")
    # Without the parameter: no chart.
    spara(k, "delårsrapport", [serie("Utan diagram", [ids["timmar"]])])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "delårsrapport")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    assert "<svg" not in html


def test_publicerad_rapport_maskerar_små_antal_och_deras_diagram():
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Platser", [ids["platser"], ids["timmar"]], diagram=True)])
    rapport = bygg_rapport(factories.läsare(k), n, ÅR, "delårsrapport")
    rapport.maska_under = 5
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False}).encode()
    rader = dict(tabellrader(html, "t1-serier"))
    assert rader["varav Kommunal regi (antal)"] == ["<5"] * 8  # counts of individuals below 5
    assert rader["Boendeplatser (antal)"][0] == Decimal(41)
    assert rader["varav Kommunal regi (timmar)"][0] == Decimal(601)  # hours are not counts of individuals
    assert b"Antal f\xc3\xa4rre \xc3\xa4n 5 visas inte" in html
    # Boendeplatser's chart shows no count below 5 (its varav row is not charted): both charts stay.
    assert html.count(b"<figure") == 2
    rapport.maska_under = 50
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False}).encode()
    assert html.count(b"<figure") == 1  # Boendeplatser (41–48) would show counts below 50


def test_frågor_lika_många_för_en_serie_en_månad_och_många_serier_13_månader():
    k, n, ids = björkå()
    user = factories.läsare(k)

    def frågor(sektioner, typ="delårsrapport") -> int:
        spara(k, typ, sektioner)
        bygg_rapport(user, n, ÅR, typ)
        with CaptureQueriesContext(connection) as c:
            r = bygg_rapport(user, n, ÅR, typ)
            render_to_string("rapporter/rapport_artikel.html", {"rapport": r, "pdf": False})
        return len(c)

    få = frågor([serie("En", [ids["korttid"]], snittkostnad=True)])  # snittkostnad reads the month utfall once
    alla = list(ids.values())
    många = frågor(
        [
            serie("Alla rullande", alla, period="rullande", snittkostnad=True, diagram=True),
            serie("Alla i år", alla, snittkostnad=True, diagram=True),
            serie("Timmar", [ids["timmar"]], diagram=True),
        ]
    )
    # One read for every section, snittkostnad included: nothing grows with series, months or sections. (The
    # kommun's logo is read once per Kommun instance; the first case may read it where the second has it cached.)
    assert många <= få and många <= 20, (få, många)


def test_validering_och_andra_kommuners_nyckeltal():
    k, n, ids = björkå()
    _, _, andras = björkå("Annanby kommun")
    admin = factories.admin(k)
    with pytest.raises(ValidationError) as e:
        layouter.spara(admin, k, "delårsrapport", [serie("Serier", [])])
    assert "Avsnitt 1 (Serier): Välj minst ett nyckeltal." in e.value.messages
    with pytest.raises(ValidationError) as e:
        layouter.spara(admin, k, "delårsrapport", [serie("Serier", [andras["timmar"]])])
    assert e.value.messages == [f"Avsnitt 1 (Serier): Okänt nyckeltal: {andras['timmar']}. Välj bland kommunens egna."]
    with pytest.raises(ValidationError) as e:
        layouter.spara(admin, k, "delårsrapport", [serie("Serier", "12", period="kvartal")])
    assert e.value.messages == [
        "Avsnitt 1 (Serier): Ogiltigt val av nyckeltal.",
        "Avsnitt 1 (Serier): Perioden är rapportårets månader eller rullande 13 månader.",
    ]


def test_layoutfil_namnger_nyckeltalen_och_läses_in_i_en_annan_kommun():
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Serier", [ids["timmar"], ids["regi_p"]], period="rullande")])
    fil = layouter.exportera(k, layouter_per_typ(k.id, ÅR))
    parametrar = json.loads(fil)["rapporter"]["delårsrapport"][0]["parametrar"]
    assert parametrar["nyckeltal"] == [
        "Vård- och omsorgsnämnden: Hemtjänst / Beviljade timmar",
        "Vård- och omsorgsnämnden: Särskilt boende / Boendeplatser / Kommunal regi",
    ]
    k2, _, ids2 = björkå("Lindå kommun")
    inläst = layouter.läs_fil(k2, fil)
    assert inläst["delårsrapport"][0]["parametrar"]["nyckeltal"] == [ids2["timmar"], ids2["regi_p"]]
    Nyckeltal.objects.filter(id=ids2["regi_p"]).update(namn="Egen regi")
    with pytest.raises(ValidationError) as e:
        layouter.läs_fil(k2, fil)
    assert (
        "kommunen saknar nyckeltalet ”Vård- och omsorgsnämnden: Särskilt boende / Boendeplatser / Kommunal regi”"
        in (e.value.messages[0])
    )


def test_layoutsidan_sparar_avsnittet_från_formuläret(client):
    k, n, ids = björkå()
    client.force_login(factories.admin(k))
    url = reverse("layout", args=[k.id, "delårsrapport"])
    r = client.get(url)
    assert r.status_code == 200
    spara(k, "delårsrapport", [serie("Månadsserier", [ids["timmar"]])])
    html = client.get(url).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    rutor = {i["value"]: i.has_attr("checked") for i in soup.select('input[name="s0-nyckeltal"]')}
    assert rutor == {str(v): v == ids["timmar"] for v in ids.values()}
    etikett = soup.find("label", attrs={"for": f"s0-serie-{ids['regi_t']}"}).get_text(strip=True)
    assert etikett == "varav Kommunal regi"
    grupper = [lg.get_text(strip=True) for lg in soup.select("fieldset.nyckeltal fieldset legend")]
    assert grupper == ["Vård- och omsorgsnämnden: Hemtjänst", "Vård- och omsorgsnämnden: Särskilt boende"]
    post = {
        "sektion": ["s0"],
        "s0-typ": "manadsserie",
        "s0-rubrik": "Styrande nyckeltal",
        "s0-nyckeltal": [str(ids["platser"]), str(ids["timmar"])],
        "s0-period": "rullande",
        "s0-diagram": "1",
        "åtgärd": "spara",
    }
    r = client.post(url, post)
    assert r.status_code == 302, r.content[:500]
    sparad = layouter_per_typ(k.id, ÅR)["delårsrapport"]
    assert sparad == [
        {
            "typ": "manadsserie",
            "rubrik": "Styrande nyckeltal",
            "parametrar": {
                "nyckeltal": [ids["platser"], ids["timmar"]],
                "period": "rullande",
                "snittkostnad": False,
                "diagram": True,
            },
        }
    ]
    # Nothing chosen: a Swedish message at the section, nothing saved.
    r = client.post(url, {**post, "s0-nyckeltal": []})
    assert "Välj minst ett nyckeltal." in r.content.decode()
    assert layouter_per_typ(k.id, ÅR)["delårsrapport"] == sparad


@pytest.mark.postgres
def test_pdf_har_tabellens_siffror(client):
    k, n, ids = björkå()
    spara(k, "delårsrapport", [serie("Styrande nyckeltal", [ids["timmar"]], diagram=True)])
    client.force_login(factories.läsare(k))
    r = client.get(reverse("rapport-pdf", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "Beviljade timmar (timmar) 1 010 1 020 1 030 1 040 1 050 1 060 1 070 1 080" in text
    # The label may wrap inside its cell in the PDF ("varav Kommunal regi" / "(timmar)"): label, then the figures.
    assert re.search(r"varav Kommunal regi (\(timmar\) )?601 602 603 604 605 606 607 608", text), text
    assert f"Beviljade timmar per månad {ÅR} och {ÅR - 1}" in text
