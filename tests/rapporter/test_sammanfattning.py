"""The sammanfattning section and the overview's tiles on an invented kommun of another shape (Ekeby, mnkr, costs
negative; tests/factories.py ``annan_form_kommun``), delårsrapport per August of ``ÅR``.

Omsorgsnämnden (whole year): Hemtjänst budget 24 mnkr + tillägg 1,2 mnkr, utfall 2 mnkr a month; Särskilt boende
budget 36 mnkr, utfall 3,5 mnkr a month; prognoser at month 8 = budget + one month (26 and 39,5 mnkr).
- Period jan–aug: budget (incl. tillägg) 8/12 × 61,2 = 40,8 mnkr, nettokostnad 8 × 5,5 = 44 mnkr, avvikelse −3,2.
- Helår: budget 61,2 mnkr, prognos 65,5 mnkr, avvikelse −4,3.
- Mål "Trygg omsorg": delvis (the standard scale's "Delvis uppnått").
- Nyckeltal "Beviljade timmar": mål 1 100 this year, utfall 1 000 last year (ökar, +10,0 %).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from nyckeltal.models import Nyckeltal, Nyckeltalsgrupp, Nyckeltalsvärde
from rapporter import forval, layouter
from rapporter.rapport import bygg_rapport
from rapporter.sektioner import REGISTER, Sammanhang
from tests import factories
from tests.factories import ÅR

pytestmark = pytest.mark.django_db

SAMMANFATTNING = {"typ": "sammanfattning", "rubrik": "Sammanfattning", "parametrar": {}}


def _layout(kommun, *, parametrar: dict | None = None):
    sektioner = [
        {**SAMMANFATTNING, "parametrar": parametrar or {}},
        *forval.sektioner(forval.STANDARD, "delårsrapport")[1:],
    ]
    admin = User.objects.filter(username=f"layoutadmin{kommun.id}").first() or factories.admin(
        kommun, f"layoutadmin{kommun.id}"
    )
    layouter.spara(admin, kommun, "delårsrapport", sektioner)


def _sammanfattning(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    el = soup.select_one(".sf-rutor")
    assert el is not None
    return el


def _rutor(el) -> dict[str, dict[str, str]]:
    """Heading → {dt text: the figure} of each economy tile."""
    ut = {}
    for ruta in el.select(".sf-ekonomi"):
        rubrik = ruta.select_one("h3, .sf-titel").get_text(" ", strip=True)
        ut[rubrik] = {
            r.dt.get_text(strip=True): r.select_one(".sf-tal").get_text(strip=True) for r in ruta.select(".sf-rad")
        }
    return ut


def test_sammanfattningen_visar_resultat_prognos_mål_och_nyckeltal():
    ekeby = factories.annan_form_kommun()
    _layout(ekeby.kommun)
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    rapport = bygg_rapport(factories.läsare(ekeby.kommun), omsorg, ÅR, "delårsrapport")
    assert rapport.sektioner[0].sektion == "sammanfattning"
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    el = _sammanfattning(html)
    rutor = _rutor(el)
    assert rutor[f"Resultat jan–aug {ÅR} (mnkr)"] == {
        f"Budget inkl. tillägg jan–aug {ÅR}": "−40,8",
        f"Nettokostnad jan–aug {ÅR}": "−44,0",
        "Budgetavvikelse": "−3,2",
    }
    assert rutor[f"Helårsprognos {ÅR} (mnkr)"] == {
        f"Budget {ÅR}": "−61,2",
        f"Prognos nettokostnad {ÅR}": "−65,5",
        f"Prognos budgetavvikelse {ÅR}": "−4,3",
    }
    # The deviation in words and a shape, not colour alone.
    lägen = [x.get_text(" ", strip=True) for x in el.select(".sf-lage")]
    assert lägen == ["▼ Sämre än budget", "▼ Sämre än budget"]
    mål = el.select_one(".sf-mal")
    assert "Trygg omsorg" in mål.get_text() and "◐ Delvis uppnått" in mål.get_text(" ", strip=True)
    assert "Delvis uppnått: 1" in mål.select_one(".sf-malsumma").get_text(" ", strip=True)
    nyckeltal = el.select_one(".sf-nyckeltal").get_text(" ", strip=True)
    assert "Beviljade timmar (timmar) 1\xa0100 mål " + str(ÅR) in nyckeltal
    assert f"Utfall {ÅR - 1}: 1\xa0000 ▶" not in nyckeltal
    assert f"Utfall {ÅR - 1}: 1\xa0000 ▲ Ökar +10,0\xa0%" in nyckeltal


def test_samma_siffror_i_pdf_html():
    ekeby = factories.annan_form_kommun()
    _layout(ekeby.kommun)
    rapport = bygg_rapport(factories.läsare(ekeby.kommun), ekeby.nämnder["Omsorgsnämnden"], ÅR, "delårsrapport")
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True})
    assert _rutor(_sammanfattning(html))[f"Helårsprognos {ÅR} (mnkr)"][f"Prognos nettokostnad {ÅR}"] == "−65,5"
    # Tile titles are not h3 in the PDF (its contents list a section's h3 headings).
    assert not _sammanfattning(html).select("h3") and len(_sammanfattning(html).select("[role=heading]")) == 4


def test_valda_nyckeltal_och_antal():
    ekeby = factories.annan_form_kommun()
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    grupp = Nyckeltalsgrupp.objects.create(nämnd=omsorg, namn="Boende", ordning=1)
    platser = []
    for i in range(5):
        n = Nyckeltal.objects.create(grupp=grupp, namn=f"Platser {i}", enhet="antal", ordning=i)
        Nyckeltalsvärde.objects.create(nyckeltal=n, år=ÅR - 1, typ="utfall_helår", värde=50)
        Nyckeltalsvärde.objects.create(nyckeltal=n, år=ÅR, typ="prognos", värde=40 + i)
        platser.append(n)
    user = factories.läsare(ekeby.kommun)
    _layout(ekeby.kommun, parametrar={"antal": 3})
    html = render_to_string(
        "rapporter/rapport_artikel.html",
        {"rapport": bygg_rapport(user, omsorg, ÅR, "delårsrapport"), "pdf": False},
    )
    namn = [dt.get_text(strip=True) for dt in _sammanfattning(html).select(".sf-nyckeltal dt")]
    assert namn == ["Beviljade timmar (timmar)", "Platser 0 (antal)", "Platser 1 (antal)"]
    _layout(ekeby.kommun, parametrar={"nyckeltal": [platser[4].id, platser[2].id]})
    html = render_to_string(
        "rapporter/rapport_artikel.html",
        {"rapport": bygg_rapport(user, omsorg, ÅR, "delårsrapport"), "pdf": False},
    )
    el = _sammanfattning(html).select_one(".sf-nyckeltal")
    assert [dt.get_text(strip=True) for dt in el.select("dt")] == ["Platser 4 (antal)", "Platser 2 (antal)"]
    # A prognos of 44 against 50 last year: it falls.
    assert f"44 prognos {ÅR} Utfall {ÅR - 1}: 50 ▼ Minskar −12,0\xa0%" in el.get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("data", "fel"),
    [
        ({"antal": 2}, "Antal nyckeltal i sammanfattningen är 3–5."),
        ({"antal": "sex"}, "Antal nyckeltal i sammanfattningen är 3–5."),
        ({"nyckeltal": [1, 2, 3, 4, 5, 6]}, "Välj högst 5 nyckeltal till sammanfattningen."),
        ({"nyckeltal": ["x"]}, "Ogiltigt val av nyckeltal."),
        ({"nyckeltal": [99]}, "Okänt nyckeltal: 99. Välj bland kommunens egna."),
    ],
)
def test_parametrarna_valideras(data, fel):
    sammanhang = Sammanhang(nyckeltal={1: "a", 2: "b", 3: "c", 4: "d", 5: "e", 6: "f"})
    with pytest.raises(ValidationError) as e:
        REGISTER["sammanfattning"].läs(data, sammanhang)
    assert fel in e.value.messages
    p = REGISTER["sammanfattning"].läs({"nyckeltal": [2, 1], "antal": "5"}, sammanhang)
    assert p.som_dict() == {"nyckeltal": [2, 1], "antal": 5}


def test_varje_förval_börjar_med_sammanfattningen():
    for namn, (_, _, per_typ) in forval.FÖRVAL.items():
        for typ, sektioner in per_typ.items():
            assert sektioner[0]["typ"] == "sammanfattning", (namn, typ)


def test_sparade_layouter_får_ingen_sammanfattning():
    ekeby = factories.annan_form_kommun()  # its stored layout (tests/factories.py ``layout``) has none
    rapport = bygg_rapport(factories.läsare(ekeby.kommun), ekeby.nämnder["Omsorgsnämnden"], ÅR, "delårsrapport")
    assert "sammanfattning" not in [s.sektion for s in rapport.sektioner]


def test_verksamhetsplanen_har_budget_och_inga_bedömningar():
    ekeby = factories.annan_form_kommun()
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    layouter.spara(
        factories.admin(ekeby.kommun, "planadmin"),
        ekeby.kommun,
        "verksamhetsplan",
        forval.sektioner(forval.STANDARD, "verksamhetsplan"),
    )
    rapport = bygg_rapport(factories.läsare(ekeby.kommun), omsorg, ÅR, "verksamhetsplan")
    el = _sammanfattning(render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True}))
    assert _rutor(el) == {f"Budget {ÅR} (mnkr)": {f"Nettokostnad {ÅR - 1}": "–", f"Budget {ÅR}": "−61,2"}}
    assert el.select_one(".sf-mal") is None
    assert f"1\xa0100 plan {ÅR}" in el.select_one(".sf-nyckeltal").get_text(" ", strip=True)


def test_översikten_visar_samma_rutor(client):
    ekeby = factories.annan_form_kommun()
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    # Utfall for the whole year: the overview's period is jan–dec, so its first tile is the year's result.
    client.force_login(factories.läsare(ekeby.kommun))
    r = client.get(reverse("översikt", args=[omsorg.id, ÅR]))
    assert r.status_code == 200
    el = _sammanfattning(r.content.decode())
    rutor = _rutor(el)
    assert rutor[f"Resultat jan–dec {ÅR} (mnkr)"] == {
        f"Budget inkl. tillägg jan–dec {ÅR}": "−61,2",
        f"Nettokostnad jan–dec {ÅR}": "−66,0",
        "Budgetavvikelse": "−4,8",
    }
    assert rutor[f"Utfall helår {ÅR} (mnkr)"][f"Utfall nettokostnad {ÅR}"] == "−66,0"
    assert "◐ Delvis uppnått" in el.select_one(".sf-mal").get_text(" ", strip=True)
    # No utfall for the year yet: the year's mål, against last year's utfall.
    assert f"Beviljade timmar (timmar) 1\xa0100 mål {ÅR} Utfall {ÅR - 1}: 1\xa0000 ▲ Ökar" in el.select_one(
        ".sf-nyckeltal"
    ).get_text(" ", strip=True)


def test_layoutsidan_visar_och_läser_sammanfattningens_fält(client):
    from django.http import QueryDict

    from rapporter import layoutformular

    ekeby = factories.annan_form_kommun()
    timmar = Nyckeltal.objects.get(namn="Beviljade timmar", grupp__nämnd__kommun=ekeby.kommun)
    _layout(ekeby.kommun, parametrar={"nyckeltal": [timmar.id], "antal": 3})
    client.force_login(factories.admin(ekeby.kommun, "sidadmin"))
    r = client.get(reverse("layout", args=[ekeby.kommun.id, "delårsrapport"]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    ruta = soup.find("input", attrs={"value": str(timmar.id), "name": lambda n: n and n.endswith("-nyckeltal")})
    assert ruta is not None and ruta.has_attr("checked")
    antal = soup.find("select", attrs={"name": lambda n: n and n.endswith("-antal")})
    assert antal.find("option", selected=True)["value"] == "3"
    q = QueryDict(mutable=True)
    q.setlist("sektion", ["a1"])
    q.update({"a1-typ": "sammanfattning", "a1-rubrik": "Sammanfattning", "a1-antal": "5"})
    q.setlist("a1-nyckeltal", [str(timmar.id)])
    utkast = layoutformular.utkast_från_form(q)
    assert utkast[0]["parametrar"] == {"nyckeltal": [timmar.id], "antal": "5"}
