"""The texter page in Chromium: text copied from Word (clipboard HTML with Word's mso markup, styles and list
paragraphs) is pasted into a textarea as the Markdown subset — headings, lists, a table and a link kept, styles and
Word's markup dropped — the preview shows it as the report will, saving puts it in the report, and the page has no
axe-core (WCAG 2.1 AA) violations and no console or CSP errors. On an invented kommun (liten_kommun)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.browser.conftest import logga_in
from tests.conftest import skapa_användare

pytestmark = pytest.mark.postgres

ÅR = factories.ÅR
RUBRIK = "Verksamhetens utveckling"
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# What Word puts on the clipboard (abridged): conditional comments, mso styles and classes, list paragraphs
# with their bullet in an "mso-list:Ignore" span, a table with widths, a link and bold/italic.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=Generator content="Microsoft Word 15"><style><!-- p.MsoNormal {mso-style-unhide:no; font-size:11pt} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]--></head>
<body lang=SV style='tab-interval:65.2pt'><!--StartFragment-->
<h1 style='mso-margin-top-alt:auto'><span style='font-family:"Calibri Light"'>Hemtjänst<o:p></o:p></span></h1>
<p class=MsoNormal>Antalet <b>timmar</b> ökade med <i>tolv</i> procent, se <a href="https://www.kolada.se/">Kolada</a>.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span><![endif]>Fler brukare<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span><![endif]>Längre besök<o:p></o:p></p>
<h2>Bemanning</h2>
<table class=MsoTableGrid border=1 style='border-collapse:collapse'>
<tr><td width=200 style='width:150pt'><p class=MsoNormal><b>Enhet</b></p></td><td width=100><p class=MsoNormal><b>Årsarbetare</b></p></td></tr>
<tr><td><p class=MsoNormal>Norr</p></td><td><p class=MsoNormal>12</p></td></tr>
<tr><td><p class=MsoNormal>Söder</p></td><td><p class=MsoNormal>9</p></td></tr>
</table>
<p class=MsoNormal style='color:red'><span onclick="alert(1)">Slut.</span><o:p>&nbsp;</o:p></p>
<!--EndFragment--></body></html>"""
VÄNTAT = """# Hemtjänst

Antalet **timmar** ökade med *tolv* procent, se [Kolada](https://www.kolada.se/).

- Fler brukare
- Längre besök

## Bemanning

| **Enhet** | **Årsarbetare** |
| --- | --- |
| Norr | 12 |
| Söder | 9 |

Slut."""


@pytest.fixture
def byggd(transactional_db):
    byggd = factories.liten_kommun(ÅR, namn="Textby kommun")
    factories.layoutsektion(byggd.kommun, "delårsrapport", "text", RUBRIK, 0)
    return byggd


def klistra_in(sida, väljare: str, html: str) -> None:
    sida.locator(väljare).focus()
    sida.evaluate(
        """([väljare, html]) => {
            const dt = new DataTransfer();
            dt.setData("text/html", html);
            dt.setData("text/plain", "bara text");
            const ta = document.querySelector(väljare);
            ta.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
        }""",
        [väljare, html],
    )


def test_klistra_in_från_word_förhandsgranska_och_spara(sida, byggd):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    kommun, nämnd = byggd.kommun, byggd.nämnd
    user = skapa_användare("controller-texter", kommun, roll="controller")
    user.behörigheter.get().nämnder.set([nämnd])
    logga_in(sida, user)
    sida.goto(reverse("texter", args=[nämnd.id, ÅR, "delårsrapport"]))
    ruta = sida.get_by_role("textbox", name=RUBRIK)
    väljare = "#" + ruta.get_attribute("id")
    klistra_in(sida, väljare, WORD_HTML)
    assert ruta.input_value() == VÄNTAT

    # Plain text on the clipboard (no HTML) pastes as the browser does.
    assert sida.evaluate("window.socialrapportMarkdown.toMarkdown('<p>1. inte en lista *ok*</p>')") == (
        "1\\. inte en lista \\*ok\\*"
    )

    sida.get_by_role("button", name="Förhandsgranska").click()
    visning = sida.get_by_role("region", name=f"Förhandsvisning – {RUBRIK}")
    expect(visning.locator("h3")).to_have_text("Hemtjänst")
    expect(visning.locator("h4")).to_have_text("Bemanning")
    expect(visning.locator("li")).to_have_text(["Fler brukare", "Längre besök"])
    expect(visning.locator("table td")).to_have_text(["Norr", "12", "Söder", "9"])
    expect(visning.locator("a[href='https://www.kolada.se/']")).to_have_text("Kolada")
    assert sida.get_by_role("textbox", name=RUBRIK).input_value() == VÄNTAT  # the textarea keeps the pasted text
    resultat = Axe().run(sida, options=WCAG_AA)
    assert resultat.violations_count == 0, resultat.generate_report()

    sida.get_by_role("button", name="Spara").click()
    sida.goto(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"]))
    sektion = sida.locator("section.sektion-text")
    nummer = sektion.locator("h2 .nummer").inner_text()
    expect(sektion.locator("h3")).to_have_text(f"{nummer}.1 Hemtjänst")
    expect(sektion.locator("h4")).to_have_text(f"{nummer}.1.1 Bemanning")
    expect(sida.locator("nav.innehallsforteckning ol.underrubriker a")).to_have_text(f"{nummer}.1 Hemtjänst")
    expect(sektion.locator("[onclick]")).to_have_count(0)
    assert not sida.konsolfel, sida.konsolfel
