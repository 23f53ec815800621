"""The safe file reader: real .xlsx files written with openpyxl (and patched at the XML level for the attacks),
real CSV text. No mocks: every case goes through the same code an upload does."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from importer import lasare
from importer.lasare import Filfel, Fält, Gränser

FÄLT = [
    Fält("period", "Period", ("månad",), obligatorisk=True),
    Fält("ansvar", "Ansvar", ("ansvarsställe",), obligatorisk=True),
    Fält("verksamhet", "Verksamhet", ("vht",)),
    Fält("konto", "Konto"),
    Fält("motpart", "Motpart", läses=False),
    Fält("belopp", "Belopp", ("utfall", "saldo"), obligatorisk=True),
]


def xlsx(*blad: tuple[str, list[list]], bearbeta=None) -> bytes:
    """A workbook with sheets of rows; ``bearbeta(ws)`` may merge cells or hide sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for namn, rader in blad:
        ws = wb.create_sheet(namn)
        for r in rader:
            ws.append(r)
        if bearbeta:
            bearbeta(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patcha(data: bytes, ändra: dict[str, callable], lägg_till: dict[str, bytes] | None = None) -> bytes:
    """Rewrite parts of a zip: {part name: function(bytes) → bytes}, plus new parts."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            innehåll = zin.read(info.filename)
            if info.filename in ändra:
                innehåll = ändra[info.filename](innehåll)
            z.writestr(info.filename, innehåll)
        for namn, innehåll in (lägg_till or {}).items():
            z.writestr(namn, innehåll)
    return out.getvalue()


def rader(tabell) -> list[tuple[str, int, dict]]:
    return [tuple(r) for r in tabell.rader()]


ENKEL = [["Period", "Ansvar", "Konto", "Belopp"], ["202303", "7410", "4010", 1500.5], ["202303", "7420", "4010", -200]]


# --- header layouts ---------------------------------------------------------------------------------------


def test_rubrikrad_längre_ner_synonymer_och_skiftläge():
    data = xlsx(
        (
            "Export",
            [
                ["Utfall per ansvar, Socialnämnden"],
                ["Utskrivet 2023-09-02"],
                [],
                ["MÅNAD", "Ansvarsställe", "Vht", "Motpart", "Utfall"],
                ["2023-03", 7410, 511, "Leverantör AB", 1234.5],
            ],
        )
    )
    tabell = lasare.läs(data, "export.xlsx", FÄLT)
    blad = tabell.blad[0]
    assert blad.rubrikrad == 4 and not blad.saknade
    assert blad.kolumner == {"period": 0, "ansvar": 1, "verksamhet": 2, "motpart": 3, "belopp": 4}
    [(namn, nummer, värden)] = rader(tabell)
    assert (namn, nummer) == ("Export", 5)
    # motpart is recognised but never read: its value does not leave the reader
    assert värden == {"period": "2023-03", "ansvar": 7410.0, "verksamhet": 511.0, "belopp": 1234.5}
    assert lasare.text(värden["ansvar"]) == "7410"


def test_sammanslagna_rubrikceller_och_data_som_inte_börjar_i_kolumn_a():
    def slå_ihop(ws):
        ws.merge_cells("C2:F2")  # a title over the table
        ws.merge_cells("C3:C4")  # "Period" spans both header rows
        ws.merge_cells("D3:E3")  # "Kontering" over Ansvar and Konto
        ws.merge_cells("F3:F4")  # "Belopp" spans both header rows

    data = xlsx(
        (
            "Blad1",
            [
                [],
                [None, None, "Utfall 2023"],
                [None, None, "Period", "Kontering", None, "Belopp"],
                [None, None, None, "Ansvar", "Konto", None],
                [None, None, 202303, 7410, 4010, 100],
                [None, None, 202303, 7410, 4010, "12 abc"],
            ],
        ),
        bearbeta=slå_ihop,
    )
    tabell = lasare.läs(data, "x.xlsx", FÄLT)
    blad = tabell.blad[0]
    assert blad.rubrikrad == 4
    assert blad.kolumner == {"period": 2, "ansvar": 3, "konto": 4, "belopp": 5}
    första, andra = list(tabell.rader())
    assert första.nummer == 5 and första.cell("belopp") == "F5"
    with pytest.raises(ValueError) as e:
        lasare.tal(andra.värden["belopp"])
    fel = lasare.Radfel.för(andra, "belopp", str(e.value))
    assert str(fel) == "Blad Blad1, rad 6, kolumn F (Belopp): Texten ”12 abc” är inget tal."


def test_upprepade_rubrikrader_och_tomma_rader_hoppas_över():
    huvud = ["Period", "Ansvar", "Belopp"]
    data = xlsx(
        (
            "Sida",
            [
                huvud,
                ["202301", "7410", 1],
                [],
                ["Sida 2"],
                huvud,
                ["202302", "7410", 2],
                ["PERIOD", "ansvar", "BELOPP"],
                ["202303", "7410", 3],
            ],
        )
    )
    tabell = lasare.läs(data, "x.xlsx", FÄLT)
    got = [(nr, v["belopp"]) for _, nr, v in rader(tabell)]
    # "Sida 2" has no period and no amount but is not empty: it reaches the caller, who reports it
    assert [b for _, b in got if b is not None] == [1, 2, 3]
    assert [nr for nr, _ in got] == [2, 4, 6, 8]


def test_flera_blad_dolt_blad_läses_inte():
    def dölj(ws):
        if ws.title == "Dold":
            ws.sheet_state = "hidden"

    data = xlsx(("Jan", ENKEL), ("Info", [["Detta är en förklaring"]]), ("Dold", ENKEL), ("Feb", ENKEL), bearbeta=dölj)
    tabell = lasare.läs(data, "x.xlsx", FÄLT)
    assert [b.namn for b in tabell.blad] == ["Jan", "Feb"]
    assert {r[0] for r in rader(tabell)} == {"Jan", "Feb"} and len(rader(tabell)) == 4
    assert any("Dold" in m and "dolt" in m for m in tabell.meddelanden)
    assert any("Info" in m for m in tabell.meddelanden)


def test_saknade_kolumner_och_profilens_mappning():
    data = xlsx(("A", [["Bokf.period", "Ansvar", "Summa kronor", "Kommentar"], ["202303", "7410", 5]]))
    tabell = lasare.läs(data, "x.xlsx", FÄLT)
    assert [f.namn for f in tabell.saknade] == ["period", "belopp"]
    assert tabell.okända_rubriker == ["Bokf.period", "Summa kronor", "Kommentar"]
    assert rader(tabell) == []  # a sheet with missing columns yields nothing

    tabell = lasare.läs(data, "x.xlsx", FÄLT, mappning={"period": "bokf.period", "belopp": "SUMMA KRONOR"})
    assert not tabell.saknade and tabell.okända_rubriker == ["Kommentar"]
    assert rader(tabell) == [("A", 2, {"period": "202303", "ansvar": "7410", "belopp": 5})]


def test_profilens_mappning_går_före_en_synonym():
    data = xlsx(("A", [["Period", "Ansvar", "Belopp", "Saldo"], ["202303", "7410", 5, 99]]))
    tabell = lasare.läs(data, "x.xlsx", FÄLT, mappning={"belopp": "Saldo"})
    assert rader(tabell)[0][2]["belopp"] == 99


def test_ingen_rubrikrad():
    data = xlsx(("A", [[1, 2, 3], [4, 5, 6]]))
    with pytest.raises(Filfel, match="ingen rubrikrad"):
        lasare.läs(data, "x.xlsx", FÄLT)


# --- CSV ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kodning", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_semikolon_decimalkomma_och_kodningar(kodning):
    text = (
        "Rapport;;\r\nPeriod;Ansvarsställe;Motpart;Belopp\r\n202303;7410;Åsa Öberg;1 234,50\r\n2023-04;7420;;-12,5\r\n"
    )
    tabell = lasare.läs(text.encode(kodning), "utfall.csv", FÄLT)
    assert tabell.filtyp == "csv"
    got = rader(tabell)
    assert got == [
        ("", 3, {"period": "202303", "ansvar": "7410", "belopp": "1 234,50"}),
        ("", 4, {"period": "2023-04", "ansvar": "7420", "belopp": "-12,5"}),
    ]
    assert [lasare.tal(v["belopp"]) for _, _, v in got] == [Decimal("1234.50"), Decimal("-12.5")]


def test_csv_med_tabb_och_citattecken():
    text = 'Period\tAnsvar\tText\tBelopp\n202303\t7410\t"Rad med\ttabb"\t100\n'
    tabell = lasare.läs(text.encode(), "x.csv", [*FÄLT, Fält("text", "Text", läses=False)])
    assert rader(tabell) == [("", 2, {"period": "202303", "ansvar": "7410", "belopp": "100"})]


def test_csv_radgräns():
    text = "Period;Ansvar;Belopp\n" + "202303;7410;1\n" * 60
    with pytest.raises(Filfel, match="rader"):
        lasare.läs(text.encode(), "x.csv", FÄLT, gränser=Gränser(max_rader=50, rubriksök=5))


def test_csv_med_binärt_innehåll_avvisas():
    with pytest.raises(Filfel, match="binära"):
        lasare.läs(b"Period;Ansvar;Belopp\n\x00\x01\x02", "x.csv", FÄLT)


# --- values ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "indata, väntat",
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,5", "1234.5"),
        ("\u22121 022", "-1022"),
        ("-1022", "-1022"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234.5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1234-", "-1234"),
        ("(1 234)", "-1234"),
        (12.5, "12.5"),
        (7, "7"),
        (0.1, "0.1"),
    ],
)
def test_tal(indata, väntat):
    assert lasare.tal(indata) == Decimal(väntat)


@pytest.mark.parametrize("indata", ["abc", "12 kr 3", "", None, True, dt.date(2023, 1, 1), "1,2,3"])
def test_tal_avvisar(indata):
    with pytest.raises(ValueError):
        lasare.tal(indata)


def test_formler_läses_genom_sparade_värden_och_saknade_värden_är_fel():
    data = xlsx(
        (
            "A",
            [
                ["Period", "Ansvar", "Belopp"],
                ["202303", "7410", "=1+1"],
                ["202303", "7410", "=2+2"],
                ["202303", "7410", "#DIV/0!"],
                ["202303", "7410", 5],
            ],
        )
    )
    # openpyxl writes formulas without cached values; give the first one a cached value as Excel would.
    data = patcha(
        data,
        {
            "xl/worksheets/sheet1.xml": lambda x: (
                x.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
                .replace(b"<f>1+1</f><v/>", b"<f>1+1</f><v>2</v>")
                .replace(b"<f>1+1</f>", b"<f>1+1</f><v>2</v>", 1)
            )
        },
    )
    got = list(lasare.läs(data, "x.xlsx", FÄLT).rader())
    assert lasare.tal(got[0].värden["belopp"]) == 2
    for rad, text in ((got[1], "formel utan sparat värde"), (got[2], "#DIV/0!")):
        with pytest.raises(ValueError, match=text):
            lasare.tal(rad.värden["belopp"])
    assert lasare.tal(got[3].värden["belopp"]) == 5


# --- bad files ------------------------------------------------------------------------------------------------


def test_fel_filtyp_eller_omdöpt_fil():
    for data, text in (
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "bild"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b"", "tom"),
    ):
        with pytest.raises(Filfel, match=text):
            lasare.läs(data, "utfall.xlsx", FÄLT)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<document/>")
    with pytest.raises(Filfel, match="Word"):
        lasare.läs(docx.getvalue(), "utfall.xlsx", FÄLT)
    vanlig_zip = io.BytesIO()
    with zipfile.ZipFile(vanlig_zip, "w") as z:
        z.writestr("a.txt", "hej")
    with pytest.raises(Filfel, match="ingen Excel-arbetsbok"):
        lasare.läs(vanlig_zip.getvalue(), "utfall.xlsx", FÄLT)


def ole2(med_krypterat_paket: bool) -> bytes:
    """The start of a Compound File Binary (OLE2) file, as Excel writes for password-protected .xlsx."""
    huvud = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 480
    katalog = ("EncryptedPackage" if med_krypterat_paket else "Workbook").encode("utf-16-le").ljust(64, b"\x00")
    return huvud + katalog + b"\x00" * 448


def test_lösenordsskyddad_och_gammal_xls():
    with pytest.raises(Filfel, match="lösenordsskyddad"):
        lasare.läs(ole2(True), "utfall.xlsx", FÄLT)
    with pytest.raises(Filfel, match=r"\.xls"):
        lasare.läs(ole2(False), "utfall.xls", FÄLT)
    krypterad_post = bytearray(xlsx(("A", ENKEL)))
    krypterad_post[6] |= 0x1  # general purpose flag bit 0 of the first local header …
    cd = krypterad_post.rfind(b"PK\x01\x02", 0)
    första_cd = bytes(krypterad_post).find(b"PK\x01\x02")
    krypterad_post[första_cd + 8] |= 0x1  # … and of its central directory entry
    assert cd >= första_cd
    with pytest.raises(Filfel, match="krypterad"):
        lasare.läs(bytes(krypterad_post), "x.xlsx", FÄLT)


def test_skadad_zip():
    data = xlsx(("A", ENKEL))
    with pytest.raises(Filfel, match="skadad"):
        lasare.läs(data[: len(data) // 2], "x.xlsx", FÄLT)
    # a flipped byte in the compressed sheet: zlib or the CRC check fails
    zin = zipfile.ZipFile(io.BytesIO(data))
    info = zin.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    trasig = bytearray(data)
    for i in range(start + 10, start + 20):
        trasig[i] ^= 0xFF
    with pytest.raises(Filfel, match="skadad"):
        lasare.läs(bytes(trasig), "x.xlsx", FÄLT)


def zip_med_stort_blad(storlek: int) -> bytes:
    """A valid workbook whose sheet XML is ``storlek`` bytes of highly compressible padding."""
    bas = xlsx(("A", ENKEL))
    zin = zipfile.ZipFile(io.BytesIO(bas))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            innehåll = zin.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, innehåll)
                continue
            före, efter = innehåll.split(b"<sheetData>")
            with z.open(info.filename, "w", force_zip64=True) as f:
                f.write(före + b"<sheetData>")
                block = b" " * (1024 * 1024)
                for _ in range(storlek // len(block)):
                    f.write(block)
                f.write(efter)
    return out.getvalue()


def test_zipbomb_stoppas_av_okomprimerad_storlek():
    bomb = zip_med_stort_blad(160 * 1024 * 1024)  # 160 MB of spaces packs to well under 1 MB
    assert len(bomb) < 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(Filfel, match="packas upp till mer än 150 MB"):
        lasare.läs(bomb, "x.xlsx", FÄLT)
    assert time.perf_counter() - start < 5


def test_zipbomb_med_falsk_storlek_i_katalogen():
    """The central directory claims a small size; the real data is larger: stopped by the CRC/size check."""
    bomb = bytearray(zip_med_stort_blad(3 * 1024 * 1024))
    namn = b"xl/worksheets/sheet1.xml"
    cd = bomb.find(b"PK\x01\x02")
    while bomb[cd + 46 : cd + 46 + len(namn)] != namn:
        cd = bomb.find(b"PK\x01\x02", cd + 4)
    assert int.from_bytes(bomb[cd + 24 : cd + 28], "little") > 3 * 1024 * 1024
    bomb[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")  # uncompressed size in the central directory
    with pytest.raises(Filfel, match="skadad"):
        lasare.läs(bytes(bomb), "x.xlsx", FÄLT, gränser=Gränser(max_okomprimerat=2 * 1024 * 1024))


def test_glest_blad_med_en_cell_långt_bort_avvisas_innan_det_läses():
    """One cell at ZZ1000000 would make the reader allocate a million rows × 702 columns."""
    for cell in (
        b'<row r="1000000"><c r="ZZ1000000"><v>1</v></c></row>',
        b'<row r="150000"><c r="GZ150000"><v>1</v></c></row>',
        b'<row r="90000"><c r="CV90000"><v>1</v></c></row>',
    ):
        data = patcha(
            xlsx(("A", ENKEL)),
            {"xl/worksheets/sheet1.xml": lambda x, c=cell: x.replace(b"</sheetData>", c + b"</sheetData>")},
        )
        with pytest.raises(Filfel, match="kolumner|rader|för stort"):
            lasare.läs(data, "x.xlsx", FÄLT)
    # the same without r attributes: the walker places the cells as the reader would
    utan_ref = b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>"
    data = patcha(
        xlsx(("A", ENKEL)),
        {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", utan_ref + b"</sheetData>")},
    )
    with pytest.raises(Filfel, match="300 kolumner"):
        lasare.läs(data, "x.xlsx", FÄLT)


def test_delade_texter_med_orimligt_antal_avvisas():
    data = patcha(
        xlsx(("A", ENKEL)),
        {},
        {
            "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
        },
    )
    with pytest.raises(Filfel, match="fler texter"):
        lasare.läs(data, "x.xlsx", FÄLT)


ENTITET = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [<!ENTITY hemligt SYSTEM "file:///etc/passwd"><!ENTITY e "EXPANDERAD">]>"""


def test_xml_entiteter_avvisas_innan_någon_tolkare_ser_dem():
    data = xlsx(("A", [["Period", "Ansvar", "Belopp"], ["202303", "7410", "X"]]))
    attack = patcha(
        data, {"xl/worksheets/sheet1.xml": lambda x: ENTITET + x.replace(b"<t>X</t>", b"<t>&e;&hemligt;</t>")}
    )
    with pytest.raises(Filfel, match="DOCTYPE/ENTITY") as e:
        lasare.läs(attack, "x.xlsx", FÄLT)
    assert "EXPANDERAD" not in str(e.value) and "root:" not in str(e.value)
    with pytest.raises(Filfel, match="DOCTYPE"):
        lasare.kontrollera(attack)
    # "billion laughs" in the workbook part, and a DOCTYPE hidden in UTF-16
    skratt = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    with pytest.raises(Filfel, match="DOCTYPE"):
        lasare.läs(patcha(data, {"xl/workbook.xml": lambda x: skratt + x.split(b"?>", 1)[-1]}), "x.xlsx", FÄLT)
    utf16 = patcha(
        data,
        {
            "xl/worksheets/sheet1.xml": lambda x: (
                (ENTITET.decode() + x.decode()).replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
            )
        },
    )
    with pytest.raises(Filfel, match="teckenkodning"):
        lasare.läs(utf16, "x.xlsx", FÄLT)
    # the walker used for formulas refuses a DTD by itself too
    with pytest.raises(Filfel, match="DTD"):
        lasare._skanna_celler(ENTITET + b"<worksheet><sheetData/></worksheet>")


def test_makron_avvisas():
    data = patcha(xlsx(("A", ENKEL)), {}, {"xl/vbaProject.bin": b"\x00" * 100})
    with pytest.raises(Filfel, match="makron"):
        lasare.läs(data, "x.xlsm", FÄLT)


def test_storleks_och_radgräns_för_xlsx():
    data = xlsx(("A", [["Period", "Ansvar", "Belopp"]] + [["202303", "7410", i] for i in range(60)]))
    with pytest.raises(Filfel, match="MB"):
        lasare.läs(data, "x.xlsx", FÄLT, gränser=Gränser(max_filstorlek=1000))
    with pytest.raises(Filfel, match="rader"):
        lasare.läs(data, "x.xlsx", FÄLT, gränser=Gränser(max_rader=50, rubriksök=5))
    assert len(rader(lasare.läs(data, "x.xlsx", FÄLT, gränser=Gränser(max_rader=60, rubriksök=5)))) == 60


def test_gränserna_beskrivs_för_uppladdningssidan():
    text = " ".join(lasare.GRÄNSER.beskrivning())
    assert "20 MB" in text and "150 MB" in text and "200\u00a0000 rader" in text


def test_kontrollera_ger_typ_och_kontrollsumma():
    import hashlib

    data = xlsx(("A", ENKEL))
    info = lasare.kontrollera(data)
    assert info.filtyp == "xlsx" and info.sha256 == hashlib.sha256(data).hexdigest() and info.storlek == len(data)
    assert lasare.kontrollera(b"a;b\n1;2\n").filtyp == "csv"


def test_råa_blad_för_egna_layouter():
    def slå_ihop(ws):
        ws.merge_cells("B1:C1")

    data = xlsx(
        ("Volymer", [["Nyckeltal", "2023", None], [None, "jan", "feb"], ["Hemtjänst", 10, "=1/0"]]), bearbeta=slå_ihop
    )
    data = patcha(data, {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"<f>1/0</f><v></v>", b"<f>1/0</f>")})
    filtyp, blad, meddelanden = lasare.läs_blad(data, "v.xlsx")
    assert filtyp == "xlsx" and [b.namn for b in blad] == ["Volymer"] and not meddelanden
    [vol] = blad
    assert vol.sammanslagna == [((0, 1), (0, 2))]
    got = list(vol.rader())
    assert got[0] == (1, ["Nyckeltal", "2023", None]) and got[1] == (2, [None, "jan", "feb"])
    assert got[2][1][:2] == ["Hemtjänst", 10] and isinstance(got[2][1][2], lasare.Cellvärdesfel)

    filtyp, [csvblad], _ = lasare.läs_blad("a;b\r\n1;2\r\n".encode("cp1252"), "x.csv")
    assert filtyp == "csv" and csvblad.namn == "" and list(csvblad.rader()) == [(1, ["a", "b"]), (2, ["1", "2"])]


def test_filtypen_avgörs_av_innehållet_inte_namnet():
    som_csv = lasare.läs(xlsx(("A", ENKEL)), "utfall.csv", FÄLT)
    assert som_csv.filtyp == "xlsx" and len(rader(som_csv)) == 2
    som_xlsx = lasare.läs(b"Period;Ansvar;Belopp\n202303;7410;5\n", "utfall.xlsx", FÄLT)
    assert som_xlsx.filtyp == "csv" and rader(som_xlsx) == [
        ("", 2, {"period": "202303", "ansvar": "7410", "belopp": "5"})
    ]
