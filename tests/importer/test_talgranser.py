"""Bad numbers in uploaded files, through the views: NaN, Infinity, exponents and amounts with more digits than the
database stores are row errors naming the row, the column and the allowed range; sums too large to store are
errors too; nothing is stored, and the import history pages keep answering. An invented kommun of another shape
than the demo (mnkr, no blocks, costs negative), so nothing here leans on Knivsta."""

from __future__ import annotations

import importlib
import io
import types
from decimal import Decimal

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos, Utfall
from grund.tal import BELOPP, IMPORTSUMMA, NYCKELTAL
from importer import kolada, mallar
from importer.models import Import, Importändring
from nyckeltal.models import Indikatorvärde, Nyckeltalsvärde
from nämnd.models import Behörighet, Kommun, Nämnd, Verksamhetsområde

DÅLIGA = ["1e30", "1E+400", "NaN", "Infinity", "12345678901234567890", 12345678901234567890]
GRÄNS_BELOPP = "högst 14 siffror före decimaltecknet"


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


@pytest.fixture
def nämnd(db) -> Nämnd:
    kommun = Kommun.objects.create(namn="Talby kommun", kommunkod="9999", beloppsenhet="mnkr", kostnader_negativa=True)
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden")
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Hemtjänst", ansvarskoder="810", ordning=1)
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Barn och unga", ansvarskoder="820", ordning=2)
    Verksamhetsområde.objects.create(nämnd=nämnd, namn="Äldreboende", ansvarskoder="830", ordning=3)
    return nämnd


@pytest.fixture
def klient(client, nämnd):
    user = get_user_model().objects.create_user("controller-talby")  # no password: logged in directly
    Behörighet.objects.create(user=user, kommun=nämnd.kommun, roll="controller", får_importera=True).nämnder.add(nämnd)
    client.force_login(user)
    return client


def xlsx(rader: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rader:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv(rader: list[list]) -> bytes:
    return "\r\n".join(";".join(str(c) for c in r) for r in rader).encode("utf-8")


def fil(namn: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(namn, data)


def lagrat() -> tuple:
    """Everything an import may write, and the Import sums read back through the ORM (they must stay readable)."""
    summor = list(Import.objects.values_list("summa_fil", "summa_lagrad", "summa_ej_fördelad"))
    assert all(s is None or IMPORTSUMMA.ryms(s) for rad in summor for s in rad)
    return (
        Utfall.objects.count(),
        Budgetpost.objects.count(),
        Prognos.objects.count(),
        Nyckeltalsvärde.objects.count(),
        Indikatorvärde.objects.count(),
        Importändring.objects.count(),
    )


def feltabell(html: bytes) -> list[list[str]]:
    tabell = BeautifulSoup(html.decode(), "html.parser").find(id="fel")
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in tabell.tbody.find_all("tr")]


def historiken_svarar(klient, nämnd) -> None:
    assert klient.get(reverse("import-historik", args=[nämnd.pk])).status_code == 200
    assert klient.get(reverse("mallimport", args=[nämnd.pk])).status_code == 200
    for imp in Import.objects.filter(nämnd=nämnd):
        assert klient.get(reverse("import-detalj", args=[nämnd.pk, imp.pk])).status_code == 200


# --- utfall -------------------------------------------------------------------------------------------------


def ladda_upp_utfall(klient, nämnd, namn: str, data: bytes):
    r = klient.post(reverse("import-utfall", args=[nämnd.pk]), {"fil": fil(namn, data)})
    assert r.status_code == 302, r.content.decode()[:2000]
    return r["Location"], klient.get(r["Location"])


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_utfall_med_ogiltiga_och_för_stora_belopp_ger_radfel_med_gräns(klient, nämnd, format):
    rader = [["Period", "Ansvar", "Belopp"], ["202403", "810", 1500.5]]
    rader += [["202403", "820", v] for v in DÅLIGA if format == "xlsx" or isinstance(v, str)]
    data = xlsx(rader) if format == "xlsx" else csv(rader)
    före = lagrat()

    url, r = ladda_upp_utfall(klient, nämnd, f"export.{format}", data)
    assert r.status_code == 200
    fel = feltabell(r.content)
    assert [f[1] for f in fel] == [str(n) for n in range(3, len(rader) + 1)]  # every bad row, by its number
    for _, _, kolumn, text in fel:
        assert kolumn == "C (Belopp)" and GRÄNS_BELOPP in text, text
    assert any("”1e30” är inget giltigt tal" in f[3] for f in fel)
    assert any("”12345678901234567890” är för stort: högst 14 siffror före decimaltecknet." in f[3] for f in fel)

    # confirming anyway is refused, and nothing is stored
    fingeravtryck = BeautifulSoup(r.content.decode(), "html.parser").find("input", {"name": "fingeravtryck"})
    r = klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck["value"] if fingeravtryck else ""})
    assert r.status_code == 409 and "Inget har sparats" in r.content.decode()
    assert lagrat() == före
    historiken_svarar(klient, nämnd)


def test_utfall_vars_summa_inte_ryms_ger_fel_och_lagrar_inget(klient, nämnd):
    """Every row fits, but two of them add up to more than one utfall can store."""
    stort = "60 000 000 000 000"
    data = xlsx(
        [["Period", "Ansvar", "Belopp"], ["202403", "810", stort], ["202403", "810", stort], ["202403", "820", "100"]]
    )
    före = lagrat()
    url, r = ladda_upp_utfall(klient, nämnd, "summa.xlsx", data)
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        "Utfallet för Hemtjänst, 2024-03 blir 120\u00a0000\u00a0000\u00a0000\u00a0000,00 kr och är för stort: "
        "högst 14 siffror före decimaltecknet."
    ) in html
    assert klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": ""}).status_code == 409
    assert lagrat() == före
    historiken_svarar(klient, nämnd)


def test_utfall_vars_totalsumma_inte_ryms_i_importen_ger_fel(klient, nämnd):
    """Each month's figure fits an utfall, but the file's total does not fit the Import's sum (18 digits)."""
    belopp = "90 000 000 000 000"  # 9e13 kr in each of 3 areas × 12 months × 4 years: 1.296e16 kr
    rader = [["Period", "Ansvar", "Belopp"]] + [
        [f"{år}{m:02d}", ansvar, belopp]
        for år in range(2023, 2027)
        for m in range(1, 13)
        for ansvar in ("810", "820", "830")
    ]
    före = lagrat()
    url, r = ladda_upp_utfall(klient, nämnd, "total.xlsx", xlsx(rader))
    assert r.status_code == 200
    assert (
        "Summan i filen blir 12\u00a0960\u00a0000\u00a0000\u00a0000\u00a0000,00 kr och är för stort: högst 16 siffror"
        in r.content.decode()
    )
    imp = Import.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])
    assert imp.summa_fil is None and imp.status == Import.Status.FÖRHANDSGRANSKAD
    assert klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": ""}).status_code == 409
    assert lagrat() == före
    historiken_svarar(klient, nämnd)


def test_utfall_csv_med_200_000_kolumner_ger_läsarens_fel(klient, nämnd):
    data = ("Period;Ansvar;Belopp\n202403;810;5\n" + ";".join(["1"] * 200_000) + "\n").encode()
    _, r = ladda_upp_utfall(klient, nämnd, "bred.csv", data)
    assert r.status_code == 200
    assert "Rad 3 har 200000 kolumner; högst 200 tas emot." in r.content.decode()
    assert Import.objects.get(nämnd=nämnd).status == Import.Status.FEL
    historiken_svarar(klient, nämnd)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL never stored such sums (numeric overflow)")
def test_för_stora_summor_som_sqlite_redan_lagrat_töms_av_migreringen(klient, nämnd):
    """Sums stored on SQLite before the bounds existed cannot be read back; the repair migration empties them."""
    imp = Import.objects.create(
        kommun=nämnd.kommun,
        nämnd=nämnd,
        typ="utfall",
        filnamn="gammal.xlsx",
        sha256="0" * 64,
        summa_ej_fördelad=Decimal("12.50"),
    )
    with connection.cursor() as c:
        c.execute(
            "UPDATE importer_import SET summa_fil = '12345678901234567890.00', summa_lagrad = '1E+30' WHERE id = %s",
            [imp.pk],
        )
    with pytest.raises(ArithmeticError):
        list(Import.objects.values_list("summa_fil", "summa_lagrad"))
    migrering = importlib.import_module("importer.migrations.0002_summor_som_inte_ryms")
    migrering.töm_för_stora_summor(
        apps, types.SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    )
    assert Import.objects.values_list("summa_fil", "summa_lagrad", "summa_ej_fördelad").get(pk=imp.pk) == (
        None,
        None,
        Decimal("12.50"),
    )
    historiken_svarar(klient, nämnd)


# --- budget (template) --------------------------------------------------------------------------------------


def ladda_upp_mall(klient, nämnd, typ: str, namn: str, data: bytes):
    r = klient.post(reverse("mallimport-ladda-upp", args=[nämnd.pk, typ]), {"fil": fil(namn, data)})
    assert r.status_code == 302, r.content.decode()[:2000]
    return r["Location"], klient.get(r["Location"])


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_budget_med_ogiltiga_och_för_stora_belopp_ger_radfel_med_gräns(klient, nämnd, format):
    områden = ["Hemtjänst", "Barn och unga", "Äldreboende"]
    rader = [["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)"], ["Hemtjänst", 2024, "KF-budget", 1_000_000]]
    dåliga = [v for v in DÅLIGA if format == "xlsx" or isinstance(v, str)]
    rader += [[områden[i % 3], 2024, ("Nämndbudget", "KF-budget")[i // 3 % 2], v] for i, v in enumerate(dåliga)]
    data = xlsx(rader) if format == "xlsx" else csv(rader)
    före = lagrat()

    url, r = ladda_upp_mall(klient, nämnd, "budget", f"budget.{format}", data)
    assert r.status_code == 200
    fel = feltabell(r.content)
    assert [f[1] for f in fel] == [str(n) for n in range(3, len(rader) + 1)]
    for _, _, kolumn, text in fel:
        assert kolumn == "D (Belopp helår (kr))" and GRÄNS_BELOPP in text, text
    fingeravtryck = BeautifulSoup(r.content.decode(), "html.parser").find("input", {"name": "fingeravtryck"})["value"]
    r = klient.post(url, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck})
    assert r.status_code == 409
    assert lagrat() == före
    historiken_svarar(klient, nämnd)


def test_budget_i_tkr_namnger_gränsen_i_tkr_och_summan_kontrolleras(klient, nämnd):
    rader = [
        ["Verksamhetsområde", "År", "Slag", "Belopp helår (tkr)"],
        ["Hemtjänst", 2024, "KF-budget", "100 000 000 000"],  # 1e14 kr: one digit too many
        ["Barn och unga", 2024, "KF-budget", "99 999 999 999,99999"],
    ]  # the largest amount there is
    url, r = ladda_upp_mall(klient, nämnd, "budget", "budget.xlsx", xlsx(rader))
    assert feltabell(r.content) == [
        [
            "Sheet",
            "2",
            "D (Belopp helår (tkr))",
            "Beloppet ”100000000000” är för stort: högst 11 siffror före decimaltecknet (i tkr).",
        ]
    ]
    # 200 rows that each fit, and whose total does not fit the Import's sum
    rader = [["Verksamhetsområde", "År", "Slag", "Kommentar", "Belopp helår (kr)"]] + [
        ["Hemtjänst", 2024, "Tillägg och avdrag", f"Tillägg {i}", "99 999 999 999 999"] for i in range(200)
    ]
    före = lagrat()
    url, r = ladda_upp_mall(klient, nämnd, "budget", "tillagg.xlsx", xlsx(rader))
    assert r.status_code == 200
    assert feltabell(r.content)[-1][3].startswith("Summan av beloppen i filen blir 19\u00a0999\u00a0999")
    assert Import.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1]).summa_fil is None
    assert lagrat() == före
    historiken_svarar(klient, nämnd)


# --- the other kinds: the same parser, each with its field's bound -------------------------------------------


@pytest.mark.parametrize(
    ("typ", "rubriker", "rad", "kolumn", "gräns"),
    [
        (
            "prognos",
            ["Verksamhetsområde", "År", "Prognostillfälle (månad)", "Prognos nettokostnad helår (kr)"],
            ["Hemtjänst", 2024, "aug"],
            "D (Prognos nettokostnad helår (kr))",
            BELOPP,
        ),
        ("volymer", ["Nyckeltal", "År", "Värde"], ["Antal brukare", 2024], "C (Värde)", NYCKELTAL),
        ("indikatorer", ["Kolada-id", "År", "Totalt"], ["U21468", 2024], "C (Totalt)", NYCKELTAL),
        ("kolada", ["kpi", "år", "T"], ["U21468", 2024], "C (T)", NYCKELTAL),
    ],
)
def test_varje_importtyp_ger_radfel_med_fältets_gräns(typ, rubriker, rad, kolumn, gräns):
    värden = ["1e30", "1E+400", "NaN", "-Infinity", "1" * 20, 1e30]
    tolkat = mallar.importtyp(typ).tolka(f"{typ}.xlsx", xlsx([rubriker, *([*rad, v] for v in värden)]))
    assert [(f.rad, f.kolumn) for f in tolkat.fel] == [(n, kolumn) for n in range(2, 2 + len(värden))], tolkat.fel
    assert all(f"högst {gräns.heltalssiffror} siffror före decimaltecknet" in f.text for f in tolkat.fel)
    assert not tolkat.rader


def test_kolada_json_med_för_stora_värden_ger_radfel():
    tolkat = kolada.tolka_json(
        {
            "values": [
                {
                    "kpi": "U21468",
                    "municipality": "9999",
                    "period": 2023,
                    "values": [
                        {"gender": "T", "value": 1e30},
                        {"gender": "K", "value": 10**20},
                        {"gender": "M", "value": 12.345},
                    ],
                }
            ]
        }
    )
    assert [f.text for f in tolkat.fel] == [
        "Värdet ”1e+30” är för stort: högst 12 siffror före decimaltecknet.",
        "Värdet ”100000000000000000000” är för stort: högst 12 siffror före decimaltecknet.",
    ]
    assert tolkat.rader[0]["M"] == str(Decimal("12.35"))
