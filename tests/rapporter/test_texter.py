"""Entry page for a report's narrative texts: one textarea per text section; save creates, updates and
deletes Textavsnitt with history, version check and period lock; the report shows the result."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nämnd.models import Kommun, Nämnd
from rapporter import services
from rapporter.models import Layoutsektion, Rapportlayout, Textavsnitt
from rapporter.texter import Textrad
from tests import factories
from tests.nyckeltal.test_inmatning import controller_för, felrutan, formulärdata, rapport_html, stäng, text

TEXTER = {  # the delårsrapport 2023's texts, in the report's order
    "Nämndens uppdrag": "Socialnämnden ansvarar för individ- och familjeomsorg och äldreomsorg.",
    "Omvärldsbevakning": "Efterfrågan på hemtjänst ökar när befolkningen blir äldre.",
    "Ledningssystem för kvalitet": "Kvalitetsarbetet följer nämndens ledningssystem.",
}


@pytest.fixture
def nämnd(db) -> Nämnd:
    """A small factory kommun with text sections: three in the delårsrapport (all with texts), one in the
    verksamhetsberättelse and the verksamhetsplan (no texts), none in the tertialrapport."""
    byggd = factories.liten_kommun(2023)
    kommun, nämnd = byggd.kommun, byggd.nämnd
    for i, rubrik in enumerate(TEXTER):
        factories.layoutsektion(kommun, "delårsrapport", "text", rubrik, i)
        factories.TextavsnittFactory(
            nämnd=nämnd, år=2023, rapporttyp="delårsrapport", rubrik=rubrik, text=TEXTER[rubrik]
        )
    factories.layoutsektion(kommun, "delårsrapport", "drift", ordning=9)
    for typ, rubrik in (("verksamhetsberättelse", "Nämndens uppdrag"), ("verksamhetsplan", "Nämndens ansvar")):
        factories.layoutsektion(kommun, typ, "text", rubrik, 0)
    factories.layoutsektion(kommun, "tertialrapport", "drift", ordning=0)
    return nämnd


@pytest.fixture
def kommun(nämnd) -> Kommun:
    return nämnd.kommun


@pytest.fixture
def läsare(kommun):
    return factories.läsare(kommun, "lasare-lillby")


@pytest.fixture
def controller(kommun, nämnd):
    return controller_för(kommun, nämnd)


@pytest.fixture
def cc(client, controller):
    client.force_login(controller)
    return client


def url(nämnd, år=2023, typ="delårsrapport"):
    return reverse("texter", args=[nämnd.id, år, typ])


def namn(rubrik: str) -> str:
    return f"{Textrad(rubrik, True, True).nyckel}-text"


def textruta(html, rubrik):
    return BeautifulSoup(text(html), "html.parser").find("textarea", attrs={"name": namn(rubrik)})


def test_sidan_visar_en_textruta_per_textsektion_i_rapportens_ordning(cc, nämnd):
    r = cc.get(url(nämnd))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content.decode(), "html.parser")
    rubriker = [h.get_text(strip=True) for h in soup.find("main").find_all("h2") if h.find("label")]
    assert rubriker == ["Nämndens uppdrag", "Omvärldsbevakning", "Ledningssystem för kvalitet"]
    ruta = textruta(r.content, "Omvärldsbevakning")
    assert ruta.get_text().strip().startswith("Efterfrågan på hemtjänst")
    assert soup.find("label", attrs={"for": ruta["id"]}).get_text(strip=True) == "Omvärldsbevakning"
    länkar = {a["href"] for a in soup.find_all("a")}
    assert reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"]) in länkar
    assert reverse("volymer-inmatning", args=[nämnd.id, 2023]) in länkar
    assert reverse("mal-inmatning", args=[nämnd.id, 2023, "delårsrapport"]) in länkar
    assert soup.find("a", attrs={"aria-current": "page"})["href"] == url(nämnd)


def test_ändrad_text_sparas_med_historik_och_syns_i_delårsrapporten(cc, nämnd, controller):
    data = formulärdata(cc.get(url(nämnd)).content)
    data[namn("Omvärldsbevakning")] = "Första stycket.\r\n\r\nAndra stycket om kompetensförsörjning."
    r = cc.post(url(nämnd), data)
    assert r.status_code == 302 and r["Location"] == url(nämnd)
    assert "Ändringarna är sparade (1 ändrad)." in cc.get(url(nämnd)).content.decode()
    t = Textavsnitt.objects.get(nämnd=nämnd, år=2023, rapporttyp="delårsrapport", rubrik="Omvärldsbevakning")
    assert t.text == "Första stycket.\n\nAndra stycket om kompetensförsörjning." and t.version == 2
    ny, gammal = t.history.order_by("-history_date", "-history_id")[:2]
    assert ny.history_user == controller and ny.history_type == "~"
    assert gammal.text.startswith("Efterfrågan på hemtjänst")
    (ändring,) = ny.diff_against(gammal).changes
    assert ändring.field == "text" and ändring.old.startswith("Efterfrågan") and ändring.new.startswith("Första")

    html = rapport_html(cc, nämnd)
    assert "<p>Andra stycket om kompetensförsörjning.</p>" in html
    assert "Efterfrågan på hemtjänst" not in html


def test_tom_text_tar_bort_och_ny_text_skapas(cc, nämnd, controller):
    vb = url(nämnd, 2023, "verksamhetsberättelse")
    data = formulärdata(cc.get(vb).content)
    assert all(v.strip() == "" for k, v in data.items() if k.endswith("-text"))
    data[namn("Nämndens uppdrag")] = "Nämnden ansvarar för socialtjänsten."
    assert cc.post(vb, data).status_code == 302
    t = Textavsnitt.objects.get(nämnd=nämnd, år=2023, rapporttyp="verksamhetsberättelse")
    assert (t.rubrik, t.text, t.version) == ("Nämndens uppdrag", "Nämnden ansvarar för socialtjänsten.", 1)
    assert t.history.get().history_type == "+"
    assert "Nämnden ansvarar för socialtjänsten." in rapport_html(cc, nämnd, 2023, "verksamhetsberättelse")

    data = formulärdata(cc.get(url(nämnd)).content)
    data[namn("Ledningssystem för kvalitet")] = "   "
    assert cc.post(url(nämnd), data).status_code == 302
    assert not Textavsnitt.objects.filter(rubrik="Ledningssystem för kvalitet", rapporttyp="delårsrapport").exists()
    assert (
        Textavsnitt.history.filter(
            rubrik="Ledningssystem för kvalitet", history_type="-", history_user=controller
        ).count()
        == 1
    )
    html = rapport_html(cc, nämnd)
    avsnitt = next(
        s
        for s in BeautifulSoup(html, "html.parser").find_all("section", class_="sektion-text")
        if "Ledningssystem för kvalitet" in s.h2.get_text()
    )
    assert "Text saknas." in avsnitt.get_text()


def test_befintlig_text_med_annan_rubrik_visas_och_kan_ändras(cc, nämnd):
    Textavsnitt.objects.create(
        nämnd=nämnd, år=2023, rapporttyp="delårsrapport", rubrik="Gammal rubrik", text="Gammal text"
    )
    r = cc.get(url(nämnd))
    html = r.content.decode()
    assert "Rapporten har ingen sektion med den här rubriken" in html
    data = formulärdata(r.content)
    data[namn("Gammal rubrik")] = "Ny text"
    assert cc.post(url(nämnd), data).status_code == 302
    assert Textavsnitt.objects.get(rubrik="Gammal rubrik").text == "Ny text"


def test_tjänsten_skapar_inte_texter_för_okända_rubriker(nämnd, controller):
    with pytest.raises(services.ValidationError, match="inget textavsnitt med rubriken ”Påhittad”"):
        services.spara_texter(controller, nämnd, 2023, "delårsrapport", [services.Textändring("Påhittad", "x")])
    assert not Textavsnitt.objects.filter(rubrik="Påhittad").exists()


def test_stängd_period_låser_texterna(cc, nämnd, kommun):
    data = formulärdata(cc.get(url(nämnd)).content)
    stäng(kommun, 2023, 8)
    r = cc.get(url(nämnd))
    assert textruta(r.content, "Omvärldsbevakning").has_attr("readonly")
    assert "Perioden 2023-08 är stängd: texterna i delårsrapporten kan inte ändras." in r.content.decode()
    data[namn("Omvärldsbevakning")] = "Ny text"
    r = cc.post(url(nämnd), data)
    assert r.status_code == 200
    assert "Perioden 2023-08 är stängd och kan inte ändras" in felrutan(r.content)
    assert textruta(r.content, "Omvärldsbevakning").get_text().strip() == "Ny text"
    assert Textavsnitt.objects.get(rubrik="Omvärldsbevakning").text.startswith("Efterfrågan")
    # The verksamhetsplan for the next year is locked by its own month (January).
    assert not textruta(cc.get(url(nämnd, 2024, "verksamhetsplan")).content, "Nämndens ansvar").has_attr("readonly")


def test_samtidig_ändring_ger_konflikt(cc, nämnd, kommun):
    data = formulärdata(cc.get(url(nämnd)).content)
    kollega = controller_för(kommun, nämnd, "kollega")
    t = Textavsnitt.objects.get(rubrik="Omvärldsbevakning")
    services.spara_texter(
        kollega,
        nämnd,
        2023,
        "delårsrapport",
        [services.Textändring("Omvärldsbevakning", "Kollegans text", t.version, services.avtryck(t.text))],
    )
    data[namn("Omvärldsbevakning")] = "Min text"
    data[namn("Nämndens uppdrag")] = "Också min text"
    r = cc.post(url(nämnd), data)
    assert r.status_code == 200
    assert "Någon annan har ändrat Omvärldsbevakning sedan du öppnade sidan. Inget sparades." in felrutan(r.content)
    assert Textavsnitt.objects.get(rubrik="Omvärldsbevakning").text == "Kollegans text"
    assert Textavsnitt.objects.get(rubrik="Nämndens uppdrag").text.startswith("Socialnämnden ansvarar")


def test_inaktuell_sida_sparar_inget(cc, nämnd):
    data = formulärdata(cc.get(url(nämnd)).content)
    data[namn("Nämndens uppdrag")] = "Ändrad"
    data["tokänd-laddat"] = "t=:0123456789abcdef"
    r = cc.post(url(nämnd), data)
    assert r.status_code == 200 and "Sidan har ändrats sedan du öppnade den" in felrutan(r.content)
    del data["tokänd-laddat"]
    data[f"{namn('Nämndens uppdrag')[:-5]}-laddat"] = "trasig"
    assert "Sidan har ändrats" in felrutan(cc.post(url(nämnd), data).content)
    assert Textavsnitt.objects.get(rubrik="Nämndens uppdrag").text.startswith("Socialnämnden ansvarar")


def test_läsare_403_annan_kommun_404_okänd_rapport_404(client, nämnd, läsare, läsare_annan, controller):
    client.force_login(läsare)
    assert client.get(url(nämnd)).status_code == 403
    assert client.post(url(nämnd), {}).status_code == 403
    client.force_login(läsare_annan)
    assert client.get(url(nämnd)).status_code == 404
    assert client.post(url(nämnd), {}).status_code == 404
    client.force_login(controller)
    assert client.get(url(nämnd, typ="okänd")).status_code == 404


def test_rapport_utan_textsektioner(cc, nämnd):
    r = cc.get(url(nämnd, 2023, "tertialrapport"))
    assert r.status_code == 200 and "Tertialrapporten har inga textavsnitt." in r.content.decode()


def bygg(namn_: str, antal: int):
    kommun = Kommun.objects.create(namn=namn_)
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2020, 1, 1))
    layout = Rapportlayout.objects.create(kommun=kommun, rapporttyp="delårsrapport")
    Layoutsektion.objects.bulk_create(
        Layoutsektion(layout=layout, typ="text", rubrik=f"Avsnitt {i}", ordning=i) for i in range(antal)
    )
    Textavsnitt.objects.bulk_create(
        Textavsnitt(nämnd=nämnd, år=2023, rapporttyp="delårsrapport", rubrik=f"Avsnitt {i}", text=f"Text {i}")
        for i in range(0, antal, 3)
    )
    return nämnd, controller_för(kommun, nämnd, f"controller-{namn_}")


def test_antal_frågor_beror_inte_på_antal_texter(client, db):
    antal = []
    for namn_, storlek in (("Liten kommun", 6), ("Stor kommun", 30)):
        nämnd, user = bygg(namn_, storlek)
        client.force_login(user)
        with CaptureQueriesContext(connection) as läsning:
            r = client.get(url(nämnd))
        data = formulärdata(r.content)
        for i in range(storlek):
            # Texts exist for every third section: delete half of them, update the others; create some.
            if i % 3 == 0:
                data[namn(f"Avsnitt {i}")] = "" if i % 6 == 0 else f"Ändrad {i}"
            elif i % 3 == 1:
                data[namn(f"Avsnitt {i}")] = f"Ny {i}"
        with CaptureQueriesContext(connection) as sparning:
            r = client.post(url(nämnd), data)
        assert r.status_code == 302, felrutan(r.content)
        antal.append((len(läsning), len(sparning)))
        assert sorted(Textavsnitt.objects.filter(nämnd=nämnd).values_list("text", flat=True)) == sorted(
            f"Ändrad {i}" if i % 3 == 0 else f"Ny {i}" for i in range(storlek) if i % 6 != 0 and i % 3 != 2
        )
    assert antal[0] == antal[1], antal
