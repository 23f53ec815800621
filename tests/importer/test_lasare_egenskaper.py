"""Properties of the file readers (hypothesis): any bytes, and valid .xlsx/.csv files mutated at random, give rows
or the reader's own error (``Filfel``; ValueError for a single cell's value), never another exception. Also the
CSV limits: a 200 000-column row and an over-long field are the reader's errors."""

from __future__ import annotations

import contextlib
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer import lasare, mallar
from importer.lasare import Filfel
from tests.importer.test_lasare import FÄLT, xlsx

GILTIG_XLSX = xlsx(
    (
        "Utfall",
        [
            ["Utfall per ansvar"],
            [],
            ["Period", "Ansvar", "Vht", "Konto", "Motpart", "Belopp"],
            ["202303", 7410, 511, 4010, "Leverantör AB", 1234.5],
            ["2023-04", "7420", "", "5400", "", "−1 022"],
            ["mars 2023", "7410", 511, 4010, "", "=1+1"],
        ],
    ),
    ("Dold", [["Period", "Belopp"], ["202301", 1]]),
)
GILTIG_CSV = 'Period;Ansvar;Konto;Text;Belopp\r\n202303;7410;4010;"Rad; med\r\nradbrytning";1 234,50\r\n'.encode(
    "cp1252"
)
GRÄNSER = lasare.Gränser(max_rader=50, max_kolumner=20, rubriksök=5, max_okomprimerat=5 * lasare.MB)


def läs_allt(data: bytes) -> None:
    """Everything an import does with a file: recognise headers, read every row and parse every value. Only the
    reader's own errors may come out."""
    try:
        tabell = lasare.läs(data, "fil", FÄLT, gränser=GRÄNSER)
        assert isinstance(tabell, lasare.Tabell)
        for rad in tabell.rader():
            for värde in rad.värden.values():
                with contextlib.suppress(ValueError):
                    lasare.tal(värde)
                with contextlib.suppress(ValueError):
                    lasare.text(värde)
    except Filfel as e:
        assert str(e)
    try:
        _, blad, _ = lasare.läs_blad(data, "fil", GRÄNSER)
        for rb in blad:
            for nummer, celler in rb.rader():
                assert nummer >= 1 and isinstance(celler, list)
    except Filfel as e:
        assert str(e)
    try:
        tabeller, _ = mallar.läs_tabeller("fil", data)
        assert all(isinstance(t, lasare.Bladrader) for t in tabeller)
    except lasare.Filfel as e:
        assert str(e)


@given(st.binary(max_size=3000))
def test_alla_byte_ger_tabell_eller_filfel(data):
    läs_allt(data)


@given(st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b))
def test_alla_byte_som_ser_ut_som_zip_ger_tabell_eller_filfel(data):
    läs_allt(data)


CSV_TECKEN = st.sampled_from(list(";,\t\r\n\"' 0123456789-,.abcÅäöPeriodBelopAnsvar€\u00a0\u2212"))


# Text, sometimes with one character repeated past the csv module's field limit (131 072) or the column limit.
CSV_TEXT = st.builds(
    lambda text, tecken, antal: text + tecken * antal,
    st.lists(CSV_TECKEN, max_size=400).map("".join),
    CSV_TECKEN,
    st.sampled_from([0, 0, 0, 250, 131_073]),
)


@given(CSV_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_all_text_ger_tabell_eller_filfel(text, kodning):
    läs_allt(("Period;Ansvar;Belopp\n" + text).encode(kodning, errors="replace"))


def _mutera(data: bytes, ändringar: list[tuple[int, int, bytes]]) -> bytes:
    """Delete ``längd`` bytes at each position (relative to the length) and insert the given bytes there."""
    for position, längd, infogat in ändringar:
        i = position % (len(data) + 1)
        data = data[:i] + infogat + data[i + längd :]
    return data


ÄNDRINGAR = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 40), st.binary(max_size=12)), min_size=1, max_size=4
)
XML_BITAR = st.sampled_from(
    [
        b"<",
        b">",
        b"/>",
        b'"',
        b' r="A999999"',
        b' r="XFD1"',
        b"<c>",
        b"</c>",
        b"<v>",
        b"</v>",
        b"<row>",
        b"</row>",
        b' t="e"',
        b' t="s"',
        b' t="inlineStr"',
        b"<f>1</f>",
        b"<!DOCTYPE x>",
        b"&amp;",
        b"&#0;",
        b"\xff",
        b"<is><t>x</t></is>",
        b"1e308",
        b"NaN",
        b'<mergeCell ref="A1:XFD1048576"/>',
        b'count="999999999"',
        b"\x00",
        b"",
    ]
)
XML_ÄNDRINGAR = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 30), XML_BITAR), min_size=1, max_size=5)


@given(ÄNDRINGAR)
def test_muterad_csv_ger_tabell_eller_filfel(ändringar):
    läs_allt(_mutera(GILTIG_CSV, ändringar))


@given(ÄNDRINGAR)
def test_muterad_xlsx_fil_ger_tabell_eller_filfel(ändringar):
    """Bytes of the zip itself changed: mostly broken zips and checksums."""
    läs_allt(_mutera(GILTIG_XLSX, ändringar))


@given(st.sampled_from(sorted(zipfile.ZipFile(io.BytesIO(GILTIG_XLSX)).namelist())), XML_ÄNDRINGAR)
def test_muterad_del_i_giltig_zip_ger_tabell_eller_filfel(del_, ändringar):
    """One part's XML changed, packed into a valid zip again: what reaches the XML checks and the reader."""
    zin = zipfile.ZipFile(io.BytesIO(GILTIG_XLSX))
    ut = io.BytesIO()
    with zipfile.ZipFile(ut, "w", zipfile.ZIP_DEFLATED) as z:
        for namn in zin.namelist():
            innehåll = zin.read(namn)
            z.writestr(namn, _mutera(innehåll, ändringar) if namn == del_ else innehåll)
    läs_allt(ut.getvalue())


# --- CSV limits -----------------------------------------------------------------------------------------------


def test_csv_rad_med_200_000_kolumner_ger_läsarens_fel():
    data = ("Period;Ansvar;Belopp\n" + ";".join(["1"] * 200_000) + "\n202303;7410;5\n").encode()
    with pytest.raises(Filfel, match=r"^Rad 2 har 200000 kolumner; högst 200 tas emot\.$"):
        lasare.läs(data, "x.csv", FÄLT)
    # the first row alone, whatever the delimiter guess makes of it
    with pytest.raises(Filfel, match="kolumner"):
        lasare.läs(";".join(["Period"] * 200_000).encode(), "x.csv", FÄLT)
    with pytest.raises(lasare.Filfel, match="kolumner"):
        mallar.läs_tabeller("x.csv", data)


def test_csv_med_för_långt_fält_ger_läsarens_fel():
    data = ('Period;Ansvar;Belopp\n202303;"' + "x" * 200_000 + '";5\n').encode()
    with pytest.raises(Filfel, match=r"^Rad 2 går inte att läsa som CSV: ett fält är längre än 131\xa0072 tecken\."):
        lasare.läs(data, "x.csv", FÄLT)


def test_csv_radgräns_gäller_också_radbrytningar_som_inte_räknades():
    """Rows ending in CR alone, and line breaks inside quoted fields, still stop at the limit."""
    data = ("Period;Ansvar;Belopp\r" + "202303;7410;1\r" * 60).encode()
    with pytest.raises(Filfel, match="rader"):
        list(lasare.läs(data, "x.csv", FÄLT, gränser=lasare.Gränser(max_rader=50, rubriksök=5)).rader())
