"""Report occasions per kommun: the edit guard and the report's headings follow the kommun's months."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from nämnd.models import Period, Rapportlås, Rapporttillfälle, Rapporttillfällen
from nämnd.vakt import Slag, Vakt, Ändring
from rapporter import layouter
from rapporter.models import Rapportlayout
from rapporter.rapport import bygg_rapport
from rapporter.selectors import rapportens_sektioner
from tests import factories
from tests.conftest import skapa_användare
from uppfoljning.nytt_ar import öppna_nytt_år

ÅR = 2024


@pytest.fixture
def byggd(db):
    b = factories.annan_form_kommun(ÅR)  # mnkr, costs negative, a split nämnd: not the demo's shape
    Rapporttillfälle.objects.create(kommun=b.kommun, rapporttyp="delårsrapport", slutmånad=6)
    Rapporttillfälle.objects.create(kommun=b.kommun, rapporttyp="tertialrapport2", slutmånad=8)
    return b


def test_tillfällena_läses_per_kommun(byggd):
    t = Rapporttillfällen.för(byggd.kommun.id)
    assert (t.slutmånad("delårsrapport"), t.slutmånad("tertialrapport"), t.slutmånad("tertialrapport2")) == (6, 4, 8)
    assert t.namn("tertialrapport") == "Tertialrapport 1"  # two tertialrapporter: the first is numbered
    assert Rapporttillfällen.för(factories.KommunFactory().id).slutmånad("delårsrapport") == 8  # the standard


def test_stängd_junimånad_låser_delårets_texter_när_delåret_slutar_i_juni(byggd):
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    controller = skapa_användare("controller-juni", byggd.kommun, "controller")
    text = Ändring(Slag.TEXT, ÅR, rapporttyp="delårsrapport")
    assert Vakt.för(controller, nämnd, ÅR).spärr(text) is None
    Period.objects.create(kommun=byggd.kommun, år=ÅR, månad=6, stängd=True)
    spärr = Vakt.för(controller, nämnd, ÅR).spärr(text)
    assert spärr is not None and "2024-06" in spärr.text
    # the standard delår (August) of another kommun is not locked by its June
    annan = factories.annan_form_kommun(ÅR, namn="Annanby kommun")
    Period.objects.create(kommun=annan.kommun, år=ÅR, månad=6, stängd=True)
    assert Vakt.för(controller, annan.nämnder["Omsorgsnämnden"], ÅR).spärr(text) is None


def test_rapportens_period_och_rubriker_följer_kommunens_månad(byggd):
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    admin = skapa_användare("admin-juni", byggd.kommun, "admin")
    r = bygg_rapport(admin, nämnd, ÅR, "delårsrapport")
    assert r.månad == 6 and r.period_text == "Delårsrapport per 30 juni 2024"
    html = render_to_string("rapporter/rapport_artikel.html", {"rapport": r, "pdf": False})
    assert "Budget jan–jun 2024" in html and "Nettokostnad jan–jun 2023" in html
    t2 = bygg_rapport(admin, nämnd, ÅR, "tertialrapport2")
    assert t2.titel == "Tertialrapport 2 2024" and t2.period_text == "Tertialrapport 2 per 31 augusti 2024"
    m = bygg_rapport(admin, nämnd, ÅR, "månadsrapport", månad=5)
    assert m.period_text == "Månadsrapport per 31 maj 2024"


def test_fastställd_rapport_behåller_layout_och_månad(byggd):
    """A layout or report-month change after fastställande leaves the adopted report as it was."""
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    admin = skapa_användare("admin-lås", byggd.kommun, "admin")
    före = bygg_rapport(admin, nämnd, ÅR, "delårsrapport")
    Rapportlås.objects.create(
        nämnd=nämnd,
        år=ÅR,
        rapporttyp="delårsrapport",
        slutmånad=före.månad,
        fastställd_datum=dt.date(ÅR, 9, 20),
        paragraf="§ 7",
        version=1,
        layout=rapportens_sektioner(nämnd, ÅR, "delårsrapport"),
    )
    Rapporttillfälle.objects.filter(kommun=byggd.kommun, rapporttyp="delårsrapport").update(slutmånad=8)
    layouter.spara(admin, byggd.kommun, "delårsrapport", [{"typ": "mål", "rubrik": "Bara mål", "parametrar": {}}])
    efter = bygg_rapport(admin, nämnd, ÅR, "delårsrapport")
    assert efter.månad == före.månad == 6
    assert [s.rubrik for s in efter.sektioner] == [s.rubrik for s in före.sektioner] != ["Bara mål"]
    annat_år = bygg_rapport(admin, nämnd, ÅR + 1, "delårsrapport")  # not fastställd: the kommun's current choice
    assert annat_år.månad == 8 and [s.rubrik for s in annat_år.sektioner] == ["Bara mål"]


def test_öppna_nytt_år_kopierar_layouterna_så_att_en_ändring_för_nästa_år_inte_rör_årets(byggd):
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    admin = skapa_användare("admin-nyttår", byggd.kommun, "admin")
    layouter.spara(admin, byggd.kommun, "delårsrapport", [{"typ": "mål", "rubrik": "Målen", "parametrar": {}}])
    resultat = öppna_nytt_år(admin, nämnd, ÅR, {})
    assert any("Rapportlayouter kopierade till 2025" in h for h in resultat.händelser)
    assert Rapportlayout.objects.filter(kommun=byggd.kommun, rapporttyp="delårsrapport", från_år=ÅR + 1).exists()
    layouter.spara(admin, byggd.kommun, "delårsrapport", [{"typ": "text", "rubrik": "Nytt", "parametrar": {}}], ÅR + 1)
    assert [s.rubrik for s in bygg_rapport(admin, nämnd, ÅR, "delårsrapport").sektioner] == ["Målen"]
    assert [s.rubrik for s in bygg_rapport(admin, nämnd, ÅR + 1, "delårsrapport").sektioner] == ["Nytt"]


def test_månadsrapport_för_vald_månad_genom_sidorna(byggd, client):
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    client.force_login(skapa_användare("läsare-maj", byggd.kommun, "läsare"))
    sida = client.get(reverse("rapport", args=[nämnd.id, ÅR, "månadsrapport"]) + "?månad=5")
    html = sida.content.decode()
    assert sida.status_code == 200 and "Månadsrapport per 31 maj 2024" in html and "Budget jan–maj 2024" in html
    assert "?månad=5" in html  # its PDF link keeps the month
    utan = client.get(reverse("rapport", args=[nämnd.id, ÅR, "månadsrapport"])).content.decode()
    assert "Månadsrapport per 31 december 2024" in utan  # the latest month with utfall (all twelve here)
    for fel in ("13", "0", "maj"):
        assert client.get(reverse("rapport", args=[nämnd.id, ÅR, "månadsrapport"]) + f"?månad={fel}").status_code == 404
    lista = client.get(reverse("export-lista", args=[nämnd.id, ÅR, "månadsrapport"]) + "?månad=5").content.decode()
    assert "?månad=5" in lista
    xlsx = client.get(reverse("export-tabell", args=[nämnd.id, ÅR, "månadsrapport", "drift"]) + "?månad=5").content
    assert "Driftredovisning jan–maj 2024" in openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames
    # no case to fastställa for a working report
    client.force_login(skapa_användare("admin-maj", byggd.kommun, "admin"))
    assert client.get(reverse("rapportärende", args=[nämnd.id, ÅR, "månadsrapport"])).status_code == 404


@pytest.mark.postgres
def test_månadsrapportens_pdf_är_för_vald_månad(byggd, client):
    nämnd = byggd.nämnder["Omsorgsnämnden"]
    client.force_login(skapa_användare("läsare-pdf", byggd.kommun, "läsare"))
    svar = client.get(reverse("rapport-pdf", args=[nämnd.id, ÅR, "månadsrapport"]) + "?månad=5")
    assert svar.status_code == 200 and svar["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=svar.content, capture_output=True, check=True).stdout.decode()
    assert "Månadsrapport per 31 maj 2024" in text
