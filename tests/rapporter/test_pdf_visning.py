"""How a report and its PDF are shown: PDFs inline in the browser (a download on request), the kommun's logo in the
report header and on the PDF cover, a fastställd report says so in its HTML, the PDF contents list sub-headings.
On a kommun of another shape than the demo (annan_form_kommun: mnkr, costs negative, a split nämnd, delår per June).
The PDF margins are checked by rendering in tests/rapporter/test_pdf_marginaler.py (PostgreSQL pass)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from PIL import Image

from nämnd.models import Kommunlogotyp, Rapportlås
from publicering import services as publicering
from publicering.models import Rapportversion
from rapporter.templatetags.rapport_pdf import med_underrubriker
from tests import factories

ÅR = factories.ÅR


@pytest.fixture
def ekeby(db):
    return factories.annan_form_kommun(delårsmånad=6)


@pytest.fixture
def inloggad(client, ekeby):
    client.force_login(factories.admin(ekeby.kommun))
    return client


def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


def logotyp(kommun, färg=(0, 90, 160)) -> Kommunlogotyp:
    bild = io.BytesIO()
    Image.new("RGB", (120, 40), färg).save(bild, "PNG")
    return Kommunlogotyp.objects.create(kommun=kommun, png=bild.getvalue(), bredd=120, höjd=40)


def test_rapportens_pdf_visas_i_webbläsaren_och_laddas_ner_på_begäran(inloggad, ekeby):
    url = reverse("rapport-pdf", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])
    visa = inloggad.get(url)
    assert visa.status_code == 200 and visa.content.startswith(b"%PDF")
    assert visa["Content-Disposition"] == 'inline; filename="ekeby-kommun-omsorgsnamnden-delarsrapport-2025.pdf"'
    ladda = inloggad.get(url + "?ladda_ner=1")
    assert ladda["Content-Disposition"] == 'attachment; filename="ekeby-kommun-omsorgsnamnden-delarsrapport-2025.pdf"'
    # The report page links to both.
    sida = inloggad.get(reverse("rapport", args=[omsorg(ekeby).id, ÅR, "delårsrapport"])).content.decode()
    länkar = {
        a.get_text(): a["href"] for a in BeautifulSoup(sida, "html.parser").select("header.omslag .nedladdning a")
    }
    assert länkar == {"Öppna som PDF": url, "Ladda ner PDF": url + "?ladda_ner=1"}


def test_en_arkiverad_version_visas_i_webbläsaren(inloggad, ekeby):
    ärende = publicering.ärende_för(omsorg(ekeby), ÅR, "delårsrapport")
    pdf = b"%PDF-1.7 arkiverad"
    v = Rapportversion.objects.create(
        ärende=ärende,
        nummer=1,
        fastställd_datum=dt.date(ÅR, 9, 24),
        paragraf="§ 87",
        fastställd_av=factories.admin(ekeby.kommun),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        html="<p>x</p>",
    )
    url = reverse("rapportversion-pdf", args=[v.pk])
    r = inloggad.get(url)
    assert r.content == pdf
    assert r["Content-Disposition"] == f'inline; filename="ekeby-kommun-omsorgsnamnden-delarsrapport-{ÅR}-v1.pdf"'
    assert inloggad.get(url + "?ladda_ner=1")["Content-Disposition"].startswith("attachment; ")


def test_kommunens_logotyp_i_rapportens_huvud_och_på_pdfens_omslag(inloggad, ekeby):
    from pypdf import PdfReader

    nämnd = omsorg(ekeby)
    sida = inloggad.get(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"])).content.decode()
    assert "kommun-logotyp" not in sida  # no logo, no image
    logo = logotyp(ekeby.kommun)
    sida = inloggad.get(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"])).content.decode()
    bild = BeautifulSoup(sida, "html.parser").select_one("header.omslag img.kommun-logotyp")
    assert bild is not None
    assert bild["src"] == logo.data_uri and bild["alt"] == "Ekeby kommun logotyp"
    # The PDF embeds it on the cover (page 1) only: WeasyPrint's fetcher accepts the data: URI.
    pdf = PdfReader(io.BytesIO(inloggad.get(reverse("rapport-pdf", args=[nämnd.id, ÅR, "delårsrapport"])).content))

    def bilder(sida) -> dict:
        xobj = sida["/Resources"].get("/XObject") or {}
        return {namn: x.idnum for namn, x in xobj.items() if x.get_object().get("/Subtype") == "/Image"}

    def ritade(sida) -> set:
        innehåll = sida.get_contents().get_data()
        return {namn for namn in bilder(sida) if f"{namn} Do".encode() in innehåll}

    assert len({i for s in pdf.pages for i in bilder(s).values()}) == 1  # one image in the document
    assert len(ritade(pdf.pages[0])) == 1 and not any(ritade(s) for s in pdf.pages[1:])  # drawn on the cover


def test_fastställd_rapport_säger_det_i_html(inloggad, ekeby):
    nämnd = omsorg(ekeby)
    url = reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"])
    assert "Fastställd" not in inloggad.get(url).content.decode()
    lås = Rapportlås.objects.create(
        nämnd=nämnd, år=ÅR, rapporttyp="delårsrapport", slutmånad=6, fastställd_datum=dt.date(ÅR, 10, 24),
        paragraf="§ 87", version=2,
    )  # fmt: skip
    soup = BeautifulSoup(inloggad.get(url).content.decode(), "html.parser")
    not_ = soup.select_one("header.omslag p.faststalld")
    assert not_ is not None
    assert not_.get_text() == f"Fastställd av omsorgsnämnden {ÅR}-10-24, § 87. Version 2."
    föregående = not_.find_previous_sibling("p")
    assert föregående is not None and föregående.get_text() == "Omsorgsnämnden"  # right under the title and nämnd
    # Opened for rättelse (the lock removed): no longer said to be fastställd.
    lås.delete()
    assert "Fastställd" not in inloggad.get(url).content.decode()


def test_innehållet_får_sektionernas_underrubriker():
    artikel = (
        '<article><header><h1>R</h1></header><nav class="innehallsforteckning"><h2>Innehåll</h2><ol>'
        '<li><a href="#a">Mål</a></li><li><a href="#b">Drift</a></li></ol></nav>'
        '<section class="sektion" id="a"><h2>Mål</h2><h3>KF-mål: Trygg &amp; säker</h3><h4>Nämndmål</h4>'
        '<h3 id="egen">Andra <em>målet</em></h3></section>'
        '<section class="sektion" id="b"><h2>Drift</h2><p>Tabell</p></section></article>'
    )
    ut = med_underrubriker(artikel)
    assert ut == (
        '<article><header><h1>R</h1></header><nav class="innehallsforteckning"><h2>Innehåll</h2><ol>'
        '<li><a href="#a">Mål</a><ol class="underrubriker"><li><a href="#a-u1">KF-mål: Trygg &amp; säker</a></li>'
        '<li><a href="#egen">Andra målet</a></li></ol></li><li><a href="#b">Drift</a></li></ol></nav>'
        '<section class="sektion" id="a"><h2>Mål</h2><h3 id="a-u1">KF-mål: Trygg &amp; säker</h3><h4>Nämndmål</h4>'
        '<h3 id="egen">Andra <em>målet</em></h3></section>'
        '<section class="sektion" id="b"><h2>Drift</h2><p>Tabell</p></section></article>'
    )
    assert med_underrubriker("<p>Ingen innehållsförteckning</p>") == "<p>Ingen innehållsförteckning</p>"
