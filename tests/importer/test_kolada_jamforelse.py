"""Kolada comparison: peer groups and the values of a group, its members and riket, in the v3 shape written by
hand under tests/importer/kolada/ (grupper_*.json, jamforelse_*.json); fetched through a fake (the network is
never used: urllib's opener is made to fail), stored with provenance, revised with from_date, shown in the mål
section and on the indikator's comparison page; another kommun sees nothing of it.

The kommun is ``annan_form_kommun`` (2023) with kommunkod 0330 and the Kolada indikatorer of test_kolada.py;
U21468 has its own values 2021 79, 2022 85, 2023 94. Its group G90001 (0330, 0160, 2280) has Kolada's mean
81,5 / 82 / 83,25 for 2020–2022 and none for 2023 (then 0160's 90 is the only member value: computed here);
riket 84 / 85 / 86 / null."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from importer import kolada_jamforelse as kj
from importer.kolada import KoladaHämtfel
from importer.management.commands import hamta_kolada_grupper
from nyckeltal import kolada_selectors, kolada_services
from nyckeltal.jamforelse import gruppmedel
from nyckeltal.models import Indikator, Jämförelsegrupp, Koladahämtning, Koladavärde, Mål
from nämnd.models import Nämnd
from tests import factories
from tests.importer.test_kolada import INDIKATORER, KOD

SVAR = Path(__file__).parent / "kolada"
B = "https://api.kolada.se/v3"
D = Decimal


def sida(namn: str) -> dict:
    return json.loads((SVAR / namn).read_text(encoding="utf-8"))


@pytest.fixture
def ekeby(db) -> factories.Byggd:
    """test_kolada.py's kommun: Ekeby (0330) with four Kolada indikatorer and their own values."""
    b = factories.annan_form_kommun(år=2023)
    b.kommun.kommunkod = KOD
    b.kommun.save(update_fields=["kommunkod"])
    mål = Mål.objects.get(nämnd=b.nämnder["Omsorgsnämnden"], namn="Trygg omsorg")
    for kpi, (namn, per_år) in INDIKATORER.items():
        indikator = factories.IndikatorFactory(mål=mål, namn=namn, kolada_id=kpi)
        for år, (t, k, m) in per_år.items():
            factories.IndikatorvärdeFactory(indikator=indikator, år=år, totalt=t, kvinnor=k, män=m)
    return b


@pytest.fixture
def omsorg(ekeby) -> Nämnd:
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture(autouse=True)
def inget_nät(monkeypatch):
    """Any real request fails the test."""

    def stopp(*a, **k):
        raise AssertionError("Testet försökte använda nätet.")

    monkeypatch.setattr(urllib.request, "urlopen", stopp)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", stopp)


class FalskKolada:
    """Answers by URL and records each request. ``revision``: a from_date query answers the revised values."""

    def __init__(self):
        self.adresser: list[str] = []

    def __call__(self, url: str) -> dict:
        self.adresser.append(url)
        if url.startswith(f"{B}/municipality_groups"):
            return sida("grupper_sida2.json" if "page=2" in url else "grupper_sida1.json")
        if "from_date=" in url:
            return sida("jamforelse_revision.json") if "U21468" in url else tom()
        if "page=2" in url:
            return sida("jamforelse_sida2.json")
        if "U21468" in url:
            return sida("jamforelse_sida1.json")
        return tom()


def tom() -> dict:
    return {"count": 0, "next_url": None, "previous_url": None, "values": []}


def hämta_allt(kommun, falsk=None, **kw):
    falsk = falsk or FalskKolada()
    kj.hämta_grupper(None, kommun, hämta=falsk)
    return kj.hämta_jämförelse(None, kommun, hämta=falsk, år=[2020, 2021, 2022, 2023], **kw), falsk


def u21468(kommun) -> Indikator:
    return Indikator.objects.for_kommun(kommun).get(kolada_id="U21468")


# --- parsing and URLs --------------------------------------------------------------------------------


def test_grupper_följer_next_url_och_behåller_bara_kommunens():
    falsk = FalskKolada()
    grupper = kj.tolka_grupper(kj.hämta_sidor([kj.GRUPPER_URL], falsk))
    assert falsk.adresser == [f"{B}/municipality_groups", f"{B}/municipality_groups?page=2&per_page=2"]
    assert [(g.kolada_id, g.medlemmar) for g in grupper] == [
        ("G90001", ("0330", "0160", "2280")),
        ("G90002", ("0330", "1960")),
        ("G90003", ("0180", "1480")),
    ]


def test_data_två_sidor_null_och_count():
    falsk = FalskKolada()
    url = f"{B}/data/kpi/U21468/municipality/0000,G90001/year/2020,2021,2022,2023"
    poster = kj.tolka_data(kj.hämta_sidor([url], falsk))
    assert len(falsk.adresser) == 2 and "page=2" in falsk.adresser[1]
    per = {(p.municipality, p.år): p for p in poster}
    assert len(poster) == 11
    assert per[("G90001", 2022)].värde == D("83.25") and per[("G90001", 2022)].antal == 3
    assert per[("0000", 2023)].värde is None and per[("0000", 2023)].status == "Missing"
    assert per[("0000", 2020)].källa_url == url
    assert per[("0000", 2022)].källa_url == falsk.adresser[1]  # the page it came from


def test_fler_än_25_id_delas_i_segment():
    ids = [f"{n:04d}" for n in range(1, 31)] + ["0000"]
    adresser = kj.dataadresser(["U21468"], ids, [2022, 2023], dt.date(2026, 11, 1))
    assert len(adresser) == 2
    segment = [a.split("/municipality/")[1].split("/year/")[0].split(",") for a in adresser]
    assert [len(s) for s in segment] == [25, 6]
    assert sorted(segment[0] + segment[1]) == sorted(ids)
    assert all(a.endswith("/year/2022,2023?from_date=2026-11-01") for a in adresser)


def test_grupp_med_30_medlemmar_ger_två_anrop(ekeby):
    kommun = ekeby.kommun
    medlemmar = ["0330", *(f"{n:04d}" for n in range(1001, 1030))]
    kolada_services.spara_grupper(
        None, kommun, [kolada_services.Gruppost("G90009", "Stor grupp", tuple(medlemmar))], dt.datetime.now(dt.UTC)
    )
    kpier, adresser = kj.jämförelseadresser(kommun, [2023])
    assert kpier == ["N31814", "U21468", "U23471", "U40455"]
    assert len(adresser) == 2  # 32 ids (29 + 0330 + the group + riket): 25 + 7
    assert all(a.startswith(f"{B}/data/kpi/N31814,U21468,U23471,U40455/municipality/") for a in adresser)


def test_felsvar_avbryter_och_inget_sparas(ekeby):
    def fel(url):
        return {"error": "This endpoint is deprecated."}

    with pytest.raises(KoladaHämtfel, match="deprecated"):
        kj.hämta_grupper(None, ekeby.kommun, hämta=fel)
    assert not Jämförelsegrupp.objects.exists()


def test_gruppmedel_ovägt():
    assert gruppmedel([D(80), None, D("85.5")]) == (D("82.75"), 2)
    assert gruppmedel([None]) == (None, 0)


# --- storing, provenance, revisions --------------------------------------------------------------------


def test_hämtning_sparar_grupper_värden_och_härkomst(ekeby):
    h, falsk = hämta_allt(ekeby.kommun)
    grupper = {g.kolada_id: g for g in Jämförelsegrupp.objects.filter(kommun=ekeby.kommun)}
    assert set(grupper) == {"G90001", "G90002"}  # Storstäder has no 0330
    assert grupper["G90001"].standard and not grupper["G90002"].standard
    # one data URL (+ its page 2): 4 kpier; municipality ids of the standard group and riket
    assert falsk.adresser[2] == (
        f"{B}/data/kpi/N31814,U21468,U23471,U40455/municipality/0000,0160,0330,2280,G90001/year/2020,2021,2022,2023"
    )
    assert (h.antal_nya, h.antal_reviderade) == (8, 0)  # 11 values, 3 null never stored
    v = Koladavärde.objects.get(kommun=ekeby.kommun, municipality="G90001", år=2022)
    assert (v.värde, v.antal, v.revision, v.hämtning_id, v.källa_url) == (D("83.25"), 3, 1, h.pk, falsk.adresser[2])
    assert not Koladavärde.objects.filter(municipality="0000", år=2023).exists()


def test_from_date_reviderar_gammalt_nytt_och_null_raderar_inget(ekeby):
    hämta_allt(ekeby.kommun)
    h2, falsk = hämta_allt(ekeby.kommun, från_datum=dt.date(2026, 11, 1))
    assert all("from_date=2026-11-01" in a for a in falsk.adresser if "/data/" in a)
    assert (h2.antal_reviderade, h2.antal_nya) == (2, 0)
    v = Koladavärde.objects.get(kommun=ekeby.kommun, municipality="G90001", år=2022)
    assert (v.föregående_värde, v.värde, v.revision, v.reviderad_i_id) == (D("83.25"), D("84.50"), 2, h2.pk)
    assert Koladavärde.objects.get(municipality="G90001", år=2021).revision == 1
    # a later full fetch where Kolada answers null for a stored value leaves it (and its revision) alone
    kolada_services.spara_värden(
        None,
        ekeby.kommun,
        [kolada_services.Koladapost("U21468", "G90001", 2022, "T", None, 0, "Missing", "x")],
        tidpunkt=dt.datetime.now(dt.UTC),
        kpier=["U21468"],
        adresser=["x"],
    )
    v.refresh_from_db()
    assert (v.värde, v.revision) == (D("84.50"), 2)


def test_läsare_får_inte_hämta_eller_välja(ekeby):
    läsare = factories.läsare(ekeby.kommun)
    with pytest.raises(PermissionDenied):
        kj.hämta_jämförelse(läsare, ekeby.kommun, hämta=FalskKolada(), år=[2023])
    with pytest.raises(PermissionDenied):
        kolada_services.välj_grupp(läsare, u21468(ekeby.kommun), None)


# --- shown -------------------------------------------------------------------------------------------


def _tabell(soup, namn: str) -> list[list[str]]:
    tabell = next(t for t in soup.select("table.kolada") if namn in t.caption.get_text())
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in tabell.select("tr")]


def test_mål_avsnittet_visar_tabell_diagram_och_källa(client, ekeby, omsorg):
    kommun = ekeby.kommun
    with_tid = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
    falsk = FalskKolada()
    kj.hämta_grupper(None, kommun, hämta=falsk)
    kolada_services.spara_värden(
        None,
        kommun,
        kj.tolka_data(kj.hämta_sidor([f"{B}/data/kpi/U21468/municipality/0000/year/2020"], falsk)),
        tidpunkt=with_tid,
        kpier=["U21468"],
        adresser=[],
    )
    kolada_services.spara_värden(
        None,
        kommun,
        kj.tolka_data([("rev", sida("jamforelse_revision.json"))]),
        tidpunkt=with_tid,
        kpier=["U21468"],
        adresser=["rev"],
    )
    client.force_login(factories.läsare(kommun))
    html = client.get(reverse("rapport", args=[omsorg.id, 2023, "delårsrapport"])).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    rader = _tabell(soup, "Brukarbedömning hemtjänst")
    assert rader[0] == ["Jämförelse", "2020", "2021", "2022", "2023"]
    assert rader[1] == ["Ekeby kommun", "–", "79", "85", "94"]
    assert rader[2] == ["Liknande kommuner, äldreomsorg (medel)", "81,5", "82", "84,5", "90"]
    assert rader[3] == ["Riket", "84", "85,5", "86", "–"]
    figur = soup.select_one("#kolada-" + str(u21468(kommun).pk) + "-titel")
    assert figur is not None and "Liknande kommuner, äldreomsorg" in figur.get_text()
    assert "Källa: Kolada, hämtat 2026-11-30, revision 2" in html
    assert "2023: beräknat här ur medlemmarnas värden" in html
    # indikatorer without Kolada values show no comparison
    assert len(soup.select("table.kolada")) == 1


def test_indikatorsidan_visar_revisioner_och_sparar_grupp(client, ekeby):
    kommun = ekeby.kommun
    hämta_allt(kommun)
    hämta_allt(kommun, från_datum=dt.date(2026, 11, 1))
    i = u21468(kommun)
    client.force_login(factories.admin(kommun))
    url = reverse("kolada-jamforelse", args=[i.pk, 2023])
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    revisioner = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])][:5] for tr in soup.select("#revisioner tbody tr")
    ]
    assert revisioner == [
        ["Riket", "2021", "Totalt", "85", "85,5"],
        ["Liknande kommuner, äldreomsorg (medel)", "2022", "Totalt", "83,25", "84,5"],
    ]
    assert "revision 2" in soup.select_one(".kolada-jamforelse .kalla").get_text()

    g2 = Jämförelsegrupp.objects.get(kommun=kommun, kolada_id="G90002")
    assert client.post(url, {"grupp": g2.pk}).status_code == 302
    i.refresh_from_db()
    assert i.jämförelsegrupp == g2
    rader = _tabell(BeautifulSoup(client.get(url).content, "html.parser"), "Brukarbedömning")
    assert rader[2] == ["Liknande kommuner, individ- och familjeomsorg (medel)", "–", "–", "–", "–"]
    # a third fetch asks for the IFO group's members for U21468
    _, falsk = hämta_allt(kommun)
    assert any("/municipality/0000,0330,1960,G90002/" in a and "U21468" in a for a in falsk.adresser)


def test_indikatorsidan_utan_revisioner_efter_oförändrad_hämtning(client, ekeby):
    hämta_allt(ekeby.kommun)
    hämta_allt(ekeby.kommun, från_datum=dt.date(2026, 11, 1))
    hämta_allt(ekeby.kommun)  # the first answers again: 2 values revised back
    client.force_login(factories.läsare(ekeby.kommun))
    soup = BeautifulSoup(
        client.get(reverse("kolada-jamforelse", args=[u21468(ekeby.kommun).pk, 2023])).content, "html.parser"
    )
    assert len(soup.select("#revisioner tbody tr")) == 2
    assert soup.select_one("#grupp-val") is None  # a läsare cannot choose
    assert Koladavärde.objects.get(municipality="G90001", år=2022).revision == 3


def test_annan_kommun_ser_inget(client, ekeby, omsorg):
    hämta_allt(ekeby.kommun)
    annan = factories.liten_kommun(år=2023)
    client.force_login(factories.admin(annan.kommun))
    i = u21468(ekeby.kommun)
    assert client.get(reverse("kolada-jamforelse", args=[i.pk, 2023])).status_code == 404
    assert client.post(reverse("kolada-jamforelse", args=[i.pk, 2023]), {"grupp": ""}).status_code == 404
    user = factories.läsare(annan.kommun)
    assert kolada_selectors.grupper(user, ekeby.kommun.pk) == []
    assert kolada_selectors.jämförelser(user, [i.mål_id], 2023) == {}
    assert not Koladavärde.objects.for_user(user).exists()
    assert not Koladahämtning.objects.for_user(user).exists()


def test_kommandot_hämtar_grupper_och_värden(ekeby, monkeypatch, capsys):
    falsk = FalskKolada()
    monkeypatch.setattr(hamta_kolada_grupper, "hämta_json", falsk)
    call_command("hamta_kolada_grupper", "--kommun", "0330", "--år", "2020-2023")
    ut = capsys.readouterr().out
    assert "2 jämförelsegrupper: Liknande kommuner, äldreomsorg, Liknande kommuner, individ- och familjeomsorg" in ut
    assert "8 nya, 0 reviderade" in ut
    call_command("hamta_kolada_grupper", "--kommun", "0330", "--år", "2020-2023", "--från-datum", "2026-11-01")
    assert "0 nya, 2 reviderade" in capsys.readouterr().out


# --- the demo --------------------------------------------------------------------------------------


def test_demons_mål_avsnitt_visar_jämförelse_med_källa(client, knivsta, socialnämnden):
    """fixtures/<demo>/kolada/: two groups (äldreomsorg standard, IFO chosen for N31814), two fetches, the second
    revising two values."""
    grupper = {g.kolada_id: g for g in Jämförelsegrupp.objects.filter(kommun=knivsta)}
    assert set(grupper) == {"G91001", "G91002"} and grupper["G91001"].standard
    assert Indikator.objects.for_kommun(knivsta).get(kolada_id="N31814").jämförelsegrupp == grupper["G91002"]
    assert list(Koladahämtning.objects.filter(kommun=knivsta).values_list("antal_reviderade", flat=True)) == [2, 0]
    client.force_login(factories.läsare(knivsta))
    html = client.get(reverse("rapport", args=[socialnämnden.id, 2023, "delårsrapport"])).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    rader = _tabell(soup, "Brukarbedömning hemtjänst")
    assert rader[1] == ["Knivsta kommun", "–", "79", "85", "94"]
    assert rader[2][0] == "Liknande kommuner, äldreomsorg (påhittad demogrupp) (medel)"
    g2022 = Koladavärde.objects.get(kommun=knivsta, kpi="U21468", municipality="G91001", år=2022)
    assert (g2022.föregående_värde, g2022.värde, g2022.revision) == (D("87.17"), D("87.97"), 2)
    assert rader[2][3] == "87,97"
    assert rader[3] == ["Riket", "88", "87", "86,5", "85"]
    assert "Källa: Kolada, hämtat 2026-11-30, revision 2" in html
    ifo = _tabell(soup, "ekonomiskt bistånd")
    assert ifo[2][0] == "Liknande kommuner, individ- och familjeomsorg (påhittad demogrupp) (medel)"
    assert len(soup.select("figure.diagram title[id^=kolada-]")) == 4  # one chart per Kolada indikator


def test_inmatningssidan_länkar_jämförelsen(client, ekeby, omsorg):
    client.force_login(factories.admin(ekeby.kommun))
    soup = BeautifulSoup(client.get(reverse("indikatorer-inmatning", args=[omsorg.id, 2023])).content, "html.parser")
    länk = soup.find("a", string="U21468")
    assert länk["href"] == reverse("kolada-jamforelse", args=[u21468(ekeby.kommun).pk, 2023])


def test_pdf_visar_jämförelsen_med_källa(client, ekeby, omsorg):
    """The PDF is rendered from the same template: the comparison's rows and provenance are in its text."""
    import shutil
    import subprocess

    kolada_services.spara_grupper(
        None,
        ekeby.kommun,
        kj.tolka_grupper([("g", sida("grupper_sida1.json"))]),
        dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )
    kolada_services.spara_värden(
        None,
        ekeby.kommun,
        kj.tolka_data([("s1", sida("jamforelse_sida1.json")), ("s2", sida("jamforelse_sida2.json"))]),
        tidpunkt=dt.datetime(2026, 11, 30, 6, tzinfo=dt.UTC),
        kpier=["U21468"],
        adresser=["s1", "s2"],
    )
    client.force_login(factories.läsare(ekeby.kommun))
    r = client.get(reverse("rapport-pdf", args=[omsorg.id, 2023, "delårsrapport"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert shutil.which("pdftotext")
    ut = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True).stdout
    text = " ".join(ut.decode().replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Källa: Kolada, hämtat 2026-11-30." in text
    assert "Riket 84 85 86 –" in text


def test_standardgrupp_väljs_av_administratören(client, ekeby):
    hämta_allt(ekeby.kommun)
    i = u21468(ekeby.kommun)
    url = reverse("kolada-jamforelse", args=[i.pk, 2023])
    g2 = Jämförelsegrupp.objects.get(kommun=ekeby.kommun, kolada_id="G90002")
    controller = factories.controller(ekeby.kommun, nämnder=[i.mål.nämnd])
    client.force_login(controller)
    assert client.post(url, {"standard": g2.pk}).status_code == 403
    client.force_login(factories.admin(ekeby.kommun))
    assert client.post(url, {"standard": "999999"}).status_code == 400
    assert client.post(url, {"standard": g2.pk}).status_code == 302
    assert list(Jämförelsegrupp.objects.filter(kommun=ekeby.kommun, standard=True)) == [g2]
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    assert "Liknande kommuner, individ- och familjeomsorg" in soup.select_one("#grupp").get_text()
