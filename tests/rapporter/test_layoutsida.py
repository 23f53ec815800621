"""The layout page (/layout/<kommun>/<rapport>/) with the Django client: who may use it, editing a layout through
the page's own form fields (what a browser without JavaScript posts), Swedish validation messages next to the
section with nothing saved, the preview of a draft, export → import of a layout file, and the report occasions.

The kommun is ``annan_form_kommun`` (mnkr, costs negative, a nämnd split mid-year, enheter under verksamheter)."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from nämnd.models import Rapporttillfälle
from rapporter import layouter
from rapporter import selectors as sel
from rapporter.models import Rapportlayout
from rapporter.rapport import bygg_rapport
from tests import factories

pytestmark = pytest.mark.django_db

ÅR = factories.ÅR


@pytest.fixture
def ekeby():
    return factories.annan_form_kommun()


@pytest.fixture
def admin(ekeby, client):
    user = factories.admin(ekeby.kommun, "admin-ekeby")
    client.force_login(user)
    return user


def sida_url(kommun, typ="delårsrapport") -> str:
    return reverse("layout", args=[kommun.id, typ])


def formulär(html: bytes | str) -> dict[str, list[str]]:
    """What a browser posts from the layout form as rendered: text and hidden fields, ticked boxes and radios,
    chosen options (buttons apart)."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("#layoutform")
    data: dict[str, list[str]] = {}
    for f in form.select("input, select"):
        namn = f.get("name")
        if not namn:
            continue
        if f.name == "select":
            vald = f.select_one("option[selected]") or f.select_one("option")
            värde = vald.get("value", "") if vald else ""
        elif f.get("type") in ("checkbox", "radio"):
            if not f.has_attr("checked"):
                continue
            värde = f.get("value", "on")
        elif f.get("type") == "file":
            continue
        else:
            värde = f.get("value", "")
        data.setdefault(namn, []).append(värde)
    return data


def nyckel(data: dict, rubrik: str) -> str:
    return next(k for k in data["sektion"] if data[f"{k}-rubrik"] == [rubrik])


def avsnitt(html) -> list[tuple[str, list[str]]]:
    """(rubrik, the section's messages) per section of the editor, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (li.select_one("input[name$='-rubrik']")["value"], [m.get_text() for m in li.select(".avsnitt-fel li")])
        for li in soup.select("#avsnittslista > li.avsnitt")
    ]


def förhandsvisning(html) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser").select_one("#forhandsvisning") or BeautifulSoup(html, "html.parser")


def kolumnrubriker(html) -> list[str]:
    return [th.get_text(" ", strip=True) for th in förhandsvisning(html).select("table thead th")]


# --- who may use it -----------------------------------------------------------------------------------------


def test_annan_kommuns_admin_får_404_och_controller_403(ekeby, client):
    annan = factories.liten_kommun(ÅR, namn="Annanby kommun")
    client.force_login(factories.admin(annan.kommun, "admin-annan"))
    k = ekeby.kommun
    for url in (sida_url(k), reverse("layout-tillfällen", args=[k.id]), reverse("layout-export", args=[k.id])):
        assert client.get(url).status_code == 404, url
    assert client.post(sida_url(k), {"åtgärd": "spara"}).status_code == 404
    assert client.post(reverse("layout-förhandsvisning", args=[k.id, "delårsrapport"])).status_code == 404
    assert client.get(sida_url(annan.kommun)).status_code == 200  # its own

    client.force_login(factories.controller(k, "controller-ekeby", nämnder=[ekeby.nämnder["Omsorgsnämnden"]]))
    assert client.get(sida_url(k)).status_code == 403
    assert client.post(sida_url(k), {"åtgärd": "spara"}).status_code == 403
    assert client.post(reverse("layout-tillfällen", args=[k.id]), {}).status_code == 403
    start = client.get(reverse("start")).content.decode()
    assert "Rapportlayout" not in start


def test_startsidan_länkar_till_layoutsidan_för_admin(ekeby, admin, client):
    html = client.get(reverse("start")).content.decode()
    assert sida_url(ekeby.kommun) in html


def test_sidan_visar_avsnitten_och_förhandsvisningen_utan_json(ekeby, admin, client):
    svar = client.get(sida_url(ekeby.kommun))
    assert svar.status_code == 200
    html = svar.content.decode()
    rubriker = [r for r, _ in avsnitt(html)]
    assert rubriker == [s["rubrik"] for s in sel.layout(ekeby.kommun.id, "delårsrapport", ÅR)]
    assert "<textarea" not in html and "{&quot;" not in html and '{"' not in html
    assert "Omsorgsnämnden" in förhandsvisning(html).get_text()  # the kommun's first nämnd with budget
    assert "Budgetavvikelse perioden, %" in html  # the column vocabulary
    assert "Särskilt boende" in html  # the area tree


# --- editing with the form fields ---------------------------------------------------------------------------


def test_spara_en_layout_med_formulärets_fält(ekeby, admin, client):
    k = ekeby.kommun
    data = formulär(client.get(sida_url(k)).content)
    d = nyckel(data, "Driftredovisning")
    data[f"{d}-rubrik"] = ["Ekonomi per enhet"]
    data[f"{d}-kol"] = ["utfall", "budget", "avvikelse_procent"]
    data[f"{d}-kolrubrik-utfall"] = ["Utfall hittills"]
    data[f"{d}-ned_till"] = ["enhet"]
    ifo = ekeby.områden["Individ- och familjeomsorg"].id
    data[f"{d}-rötter"] = [str(ifo)]
    data[f"{d}-delsummor"] = ["block", "verksamhet"]
    data[f"{d}-delsumma_etikett"] = ["Resultat {namn}"]
    data[f"{d}-summa_etikett"] = ["Totalt"]
    data[f"{d}-enhet"] = ["tkr"]
    data[f"{d}-decimaler"] = ["1"]
    data[f"{d}-tecken"] = ["egna"]
    data[f"{d}-negativa"] = ["kostnad"]
    data[f"{d}-kommentarer"] = ["1"]
    data.pop(f"{d}-sammanställning", None)
    data["åtgärd"] = ["spara"]
    data["från_år"] = [str(ÅR + 1)]

    svar = client.post(sida_url(k), data)
    assert svar.status_code == 302, avsnitt(svar.content)
    sparad = next(s for s in sel.layout(k.id, "delårsrapport", ÅR + 1) if s["rubrik"] == "Ekonomi per enhet")
    p = sparad["parametrar"]
    assert p["kolumner"] == [
        {"mått": "utfall", "rubrik": "Utfall hittills"},
        {"mått": "budget", "rubrik": ""},
        {"mått": "avvikelse_procent", "rubrik": ""},
    ]
    assert p["rader"]["ned_till"] == "enhet" and p["rader"]["rötter"] == [ifo]
    assert p["rader"]["delsummor"] == ["block", "verksamhet"]
    assert (p["rader"]["delsumma_etikett"], p["rader"]["summa_etikett"]) == ("Resultat {namn}", "Totalt")
    assert (p["enhet"], p["decimaler"], p["negativa"]) == ("tkr", 1, ["kostnad"])
    assert p["kommentarer"] is True and p["sammanställning"] is False
    # "Gäller från år": this year's reports keep the layout they had
    assert "Ekonomi per enhet" not in [s["rubrik"] for s in sel.layout(k.id, "delårsrapport", ÅR)]

    # the saved layout shows up in the page again, with the same values in the fields
    igen = formulär(client.get(sida_url(k) + f"?ar={ÅR + 1}").content)
    d2 = nyckel(igen, "Ekonomi per enhet")
    assert igen[f"{d2}-kol"][:3] == ["utfall", "budget", "avvikelse_procent"]
    assert igen[f"{d2}-kolrubrik-utfall"] == ["Utfall hittills"]


def test_valideringsfel_visas_vid_avsnittet_och_inget_sparas(ekeby, admin, client):
    k = ekeby.kommun
    före = sel.layout(k.id, "delårsrapport", ÅR)
    antal = Rapportlayout.objects.count()
    data = formulär(client.get(sida_url(k)).content)
    d = nyckel(data, "Driftredovisning")
    data[f"{d}-kol"] = []  # no column
    data[f"{d}-rubrik"] = ["Drift (per enhet)"]
    h = nyckel(data, "Helårsprognos")
    data[f"{h}-rubrik"] = ["Drift (per enhet)"]  # the same heading twice
    data[f"{h}-rötter"] = ["999999"]  # not the kommun's område (a tampered post)
    data["åtgärd"] = ["spara"]

    svar = client.post(sida_url(k), data)
    assert svar.status_code == 400
    fel = dict((i, m) for i, (_, m) in enumerate(avsnitt(svar.content)))
    ordning = data["sektion"]
    assert "Välj minst en kolumn." in fel[ordning.index(d)]
    assert any("rubriken finns redan" in m for m in fel[ordning.index(h)])
    assert any("Okänt val av område: 999999" in m for m in fel[ordning.index(h)])
    assert "Layouten sparades inte" in svar.content.decode()
    assert sel.layout(k.id, "delårsrapport", ÅR) == före and Rapportlayout.objects.count() == antal


def test_knappar_utan_javascript_flyttar_tar_bort_och_lägger_till_utan_att_spara(ekeby, admin, client):
    k = ekeby.kommun
    före = sel.layout(k.id, "delårsrapport", ÅR)
    data = formulär(client.get(sida_url(k)).content)
    rubriker = [r for r, _ in avsnitt(client.get(sida_url(k)).content)]
    andra = data["sektion"][1]
    svar = client.post(sida_url(k), {**data, "åtgärd": [f"upp:{andra}"]})
    assert [r for r, _ in avsnitt(svar.content)] == [rubriker[1], rubriker[0], *rubriker[2:]]

    data = formulär(svar.content)
    svar = client.post(sida_url(k), {**data, "åtgärd": [f"bort:{data['sektion'][0]}"]})
    assert [r for r, _ in avsnitt(svar.content)] == [rubriker[0], *rubriker[2:]]

    data = formulär(svar.content)
    svar = client.post(sida_url(k), {**data, "ny_typ": ["drift"], "åtgärd": ["lägg_till"]})
    nya = avsnitt(svar.content)
    assert len(nya) == len(rubriker) and nya[-1][0] == "Driftredovisning 2"  # a new drift table, a free name

    data = formulär(svar.content)
    d = data["sektion"][-1]
    data[f"{d}-kol"] = [*data[f"{d}-kol"], "avvikelse_procent"]  # ticked: last among the chosen
    svar = client.post(sida_url(k), {**data, "åtgärd": [f"kol-upp:{d}:avvikelse_procent"]})
    koder = formulär(svar.content)[f"{d}-kol"]
    assert koder[-2:] == ["avvikelse_procent", "avvikelse"]
    assert sel.layout(k.id, "delårsrapport", ÅR) == före  # nothing saved


def test_förval_läses_in_som_utkast(ekeby, admin, client):
    k = ekeby.kommun
    före = sel.layout(k.id, "delårsrapport", ÅR)
    data = formulär(client.get(sida_url(k)).content)
    svar = client.post(sida_url(k), {**data, "förval": ["budgetkategori"], "åtgärd": ["förval"]})
    assert svar.status_code == 200
    assert [r for r, _ in avsnitt(svar.content)] == [
        "Sammanfattning",  # every preset starts with it (rapporter/forval.py)
        "Mål",
        "Driftredovisning per budgetkategori",
        "Investeringar",
        "Volymer",
    ]
    assert "Driftredovisning per budgetkategori" in förhandsvisning(svar.content).get_text()
    assert sel.layout(k.id, "delårsrapport", ÅR) == före


# --- preview ----------------------------------------------------------------------------------------------------


def test_förhandsvisningen_visar_utkastets_kolumner_utan_att_spara(ekeby, admin, client):
    k = ekeby.kommun
    före = sel.layout(k.id, "delårsrapport", ÅR)
    data = formulär(client.get(sida_url(k)).content)
    d = nyckel(data, "Driftredovisning")
    url = reverse("layout-förhandsvisning", args=[k.id, "delårsrapport"])
    assert "Avvikelse %" not in kolumnrubriker(client.post(url, data).content)
    data[f"{d}-kol"] = ["utfall", "avvikelse_procent"]
    data[f"{d}-kolrubrik-utfall"] = ["Kostnad hittills"]
    svar = client.post(url, data)
    assert svar.status_code == 200
    rubriker = kolumnrubriker(svar.content)
    assert "Avvikelse %" in rubriker and "Kostnad hittills" in rubriker
    assert sel.layout(k.id, "delårsrapport", ÅR) == före

    data[f"{d}-kol"] = []
    svar = client.post(url, data)
    assert svar.status_code == 422
    assert "Välj minst en kolumn." in svar.content.decode()

    # another nämnd of the kommun
    social = ekeby.nämnder["Socialnämnden"]
    data[f"{d}-kol"] = ["utfall"]
    svar = client.post(url, {**data, "nämnd": [str(social.id)]})
    assert "Socialnämnden" in BeautifulSoup(svar.content, "html.parser").select_one(".omslag-namnd").get_text()


def test_nytt_avsnitt_hämtas_som_fält(ekeby, admin, client):
    url = reverse("layout-avsnitt", args=[ekeby.kommun.id, "delårsrapport"])
    svar = client.get(url, {"typ": "drift", "nyckel": "j1", "nummer": "8", "rubrik": ["Driftredovisning"]})
    html = svar.content.decode()
    assert svar.status_code == 200 and 'name="j1-kol"' in html and 'value="Driftredovisning 2"' in html
    assert client.get(url, {"typ": "okänd", "nyckel": "j1"}).status_code == 400


# --- files ------------------------------------------------------------------------------------------------------


def test_export_och_import_tillbaka(ekeby, admin, client):
    k = ekeby.kommun
    data = formulär(client.get(sida_url(k)).content)
    d = nyckel(data, "Driftredovisning")
    data[f"{d}-kol"] = ["utfall", "avvikelse_procent"]
    data[f"{d}-rötter"] = [str(ekeby.områden["Barn och unga"].id)]
    assert client.post(sida_url(k), {**data, "åtgärd": ["spara"], "från_år": ["0"]}).status_code == 302
    sparad = sel.layout(k.id, "delårsrapport", ÅR)

    fil = client.get(reverse("layout-export", args=[k.id]))
    assert fil.status_code == 200 and "attachment" in fil["Content-Disposition"]
    innehåll = json.loads(fil.content)
    assert innehåll["format"] == layouter.FORMAT
    drift = next(s for s in innehåll["rapporter"]["delårsrapport"] if s["rubrik"] == "Driftredovisning")
    assert drift["parametrar"]["rader"]["rötter"] == ["Socialnämnden: Individ- och familjeomsorg / Barn och unga"]

    layouter.tillämpa_förval(admin, k, "per_enhet")  # something else in between
    assert sel.layout(k.id, "delårsrapport", ÅR) != sparad

    url = reverse("layout-import", args=[k.id, "delårsrapport"])
    fil.content  # noqa: B018
    from django.core.files.uploadedfile import SimpleUploadedFile

    visad = client.post(url, {"fil": SimpleUploadedFile("layout.json", fil.content, "application/json")})
    assert visad.status_code == 200
    html = visad.content.decode()
    assert "Driftredovisning" in html and "Avvikelse %" in html  # the sections and the rendered preview
    assert sel.layout(k.id, "delårsrapport", ÅR) != sparad  # shown only

    assert client.post(url, {"åtgärd": "använd"}).status_code == 302
    assert sel.layout(k.id, "delårsrapport", ÅR) == sparad


def test_import_med_okänt_område_ger_svenskt_fel_och_inget_används(ekeby, admin, client):
    k = ekeby.kommun
    fil = client.get(reverse("layout-export", args=[k.id])).content
    innehåll = json.loads(fil)
    drift = next(s for s in innehåll["rapporter"]["delårsrapport"] if s["typ"] == "drift")
    drift["parametrar"]["rader"]["rötter"] = ["Omsorgsnämnden: Daglig verksamhet"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    före = sel.layout(k.id, "delårsrapport", ÅR)
    url = reverse("layout-import", args=[k.id, "delårsrapport"])
    data = json.dumps(innehåll, ensure_ascii=False).encode()
    svar = client.post(url, {"fil": SimpleUploadedFile("layout.json", data, "application/json")})
    assert svar.status_code == 400
    html = svar.content.decode()
    assert "kommunen saknar verksamhetsområdet ”Omsorgsnämnden: Daglig verksamhet”" in html
    assert "Inget har ändrats" in html
    assert client.post(url, {"åtgärd": "använd"}).status_code == 302  # nothing stored to use
    assert sel.layout(k.id, "delårsrapport", ÅR) == före

    svar = client.post(url, {"fil": SimpleUploadedFile("x.json", b"inte json", "application/json")})
    assert svar.status_code == 400 and "inte en layoutfil" in svar.content.decode()


# --- report occasions -------------------------------------------------------------------------------------------


def test_rapporttillfällen_sparas_och_delårets_periodtext_följer(ekeby, admin, client):
    k = ekeby.kommun
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    assert bygg_rapport(admin, omsorg, ÅR, "delårsrapport").period_text.endswith("per 31 augusti " + str(ÅR))
    url = reverse("layout-tillfällen", args=[k.id])
    assert client.get(url).status_code == 200
    svar = client.post(
        url,
        {
            "tertialrapport-anvands": "1",
            "tertialrapport-manad": "4",
            "tertialrapport2-anvands": "1",
            "tertialrapport2-manad": "8",
            "delårsrapport-anvands": "1",
            "delårsrapport-manad": "6",
            "verksamhetsberättelse-anvands": "1",
        },
    )
    assert svar.status_code == 302
    valda = {r.rapporttyp: (r.används, r.slutmånad) for r in Rapporttillfälle.objects.filter(kommun=k)}
    assert valda["delårsrapport"] == (True, 6)
    assert valda["tertialrapport2"] == (True, None)  # the standard month is stored as no choice
    assert valda["verksamhetsplan"] == (False, None) and valda["månadsrapport"] == (False, None)
    rapport = bygg_rapport(admin, omsorg, ÅR, "delårsrapport")
    assert rapport.period_text == f"Delårsrapport per 30 juni {ÅR}"
    assert rapport.namn == "Delårsrapport"
    assert bygg_rapport(admin, omsorg, ÅR, "tertialrapport").namn == "Tertialrapport 1"
    sidan = client.get(sida_url(k)).content.decode()
    assert "Tertialrapport 2" in sidan  # the page's menu follows the reports the kommun makes


def test_rapporttillfällen_fel_ger_svenskt_fel_och_inget_sparas(ekeby, admin, client):
    k = ekeby.kommun
    url = reverse("layout-tillfällen", args=[k.id])
    svar = client.post(url, {"delårsrapport-anvands": "1", "delårsrapport-manad": "11"})
    assert svar.status_code == 400
    assert "Välj en månad mellan 6 och 8 för delårsrapport." in svar.content.decode()
    svar = client.post(
        url,
        {
            "tertialrapport-anvands": "1",
            "tertialrapport-manad": "9",
            "tertialrapport2-anvands": "1",
            "tertialrapport2-manad": "5",
        },
    )
    assert svar.status_code == 400 and "Tertialrapport 1 måste sluta före tertialrapport 2." in svar.content.decode()
    assert not Rapporttillfälle.objects.filter(kommun=k).exists()
