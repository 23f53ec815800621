"""Utfall from the ekonomisystem: real .xlsx and .csv exports written in the tests, imported through the service
and the views, checked against the published Knivsta figures, the avstämning, idempotence and atomicity."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi.models import Kostnadsslag, Utfall
from importer import utfall
from importer.models import Import, Importprofil, Importändring
from nämnd.models import Behörighet, Nämnd, Period, Verksamhetsområde
from tests.conftest import referens, skapa_användare, tkr
from tests.rapporter.test_rapport import tabell

KODER = {  # verksamhetsområde → (ansvarskoder, verksamhetskoder, the codes the export uses)
    "Nämnd- och styrelseverksamhet": ("1100", "", ["1100"]),
    "Förebyggande verksamhet SoL": ("7100", "", ["7100"]),
    "LOV - hemtjänst och delegerad HSL": ("72*", "", ["7210", "7220", "7299"]),
    "Vård & omsorg i ordinärt boende övrigt": ("7300, 7310", "", ["7300", "7310"]),
    "Vård & omsorg i särskilt/ annat boende": ("74*", "", ["7410", "7420"]),
    "Insatser LSS i ordinärt boende": ("7500", "", ["7500"]),  # exact beats the 75* below
    "Insatser LSS i boende med särskild service": ("75*", "", ["7510", "7520"]),
    "Färdtjänst och riksfärdtjänst": ("7600", "", ["7600"]),
    "Ifo öppenvård och stöd": ("77*", "610", ["7710"]),  # ansvar and verksamhet both
    "Ifo vård och stöd institution/annat boende": ("77*", "", ["7720"]),
    "Ifo, ekonomisk bistånd": ("7730", "", ["7730"]),
    "Flyktingmottagande": ("7800", "", ["7800"]),
    "Arbetsmarknadsåtgärder": ("79*", "", ["7900"]),
}
VHT = {"Ifo öppenvård och stöd": "610"}


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


@pytest.fixture
def kodad(socialnämnden):
    for namn, (ansvar, vht, _) in KODER.items():
        assert (
            Verksamhetsområde.objects.filter(nämnd=socialnämnden, namn=namn).update(
                ansvarskoder=ansvar, verksamhetskoder=vht
            )
            == 1
        ), namn
    kommun = socialnämnden.kommun
    Kostnadsslag.objects.bulk_create(
        [
            Kostnadsslag(kommun=kommun, namn="Intäkter", typ="intäkt", konton="3000-3999", ordning=1),
            Kostnadsslag(kommun=kommun, namn="Personal", typ="kostnad", konton="4000-4999", ordning=2),
            Kostnadsslag(kommun=kommun, namn="Köp av verksamhet", typ="kostnad", konton="4600-4699", ordning=3),
            Kostnadsslag(kommun=kommun, namn="Övrigt", typ="kostnad", konton="5000-8999", ordning=4),
        ]
    )
    return socialnämnden


@pytest.fixture
def controller(knivsta, socialnämnden):
    user = skapa_användare("controller-knivsta", knivsta, "controller", får_importera=True)
    Behörighet.objects.get(user=user).nämnder.add(socialnämnden)
    return user


@pytest.fixture
def client_controller(client, controller):
    client.force_login(controller)
    return client


# --- building exports ---------------------------------------------------------------------------------------

RUBRIKER = ["Period", "Ansvar", "Vht", "Konto", "Motpart", "Text", "Belopp"]


def öre(d: Decimal) -> int:
    return int(d * 100)


def referensrader(år: int = 2023, månader=range(1, 9)) -> list[list]:
    """Transaction rows for Knivsta whose sums per area are the published nettokostnad delår 2023 (kronor):
    per area and month a few costs, an income and an identical pair of rows, spread over the area's codes."""
    rader = []
    for p in referens("driftredovisning_delar_2023.csv"):
        if p["block"] == "SUMMA":
            continue
        namn = p["verksamhet"]
        totalt = öre(tkr(p["nettokostnad_delar_2023_tkr"]) * 1000)
        koder = KODER[namn][2]
        per_månad = totalt // len(månader)
        for i, m in enumerate(månader):
            belopp = per_månad + (totalt - per_månad * len(månader) if i == len(månader) - 1 else 0)
            a = belopp * 7 // 10 - (belopp * 7 // 10) % 2
            b = belopp // 2
            c = belopp - a - b  # an income when negative
            kod = koder[i % len(koder)]
            vht = VHT.get(namn, "500")
            period = f"{år}{m:02d}"
            rader += [
                [period, kod, vht, "4010", "Anna Andersson", "Lön mars", a // 2 / 100],
                [period, kod, vht, "4010", "Anna Andersson", "Lön mars", a // 2 / 100],  # identical rows: summed
                [period, kod, vht, "5400", "Leverantör AB", "Faktura 12", b / 100],
                [period, kod, vht, "3510", "Region Uppsala", "Ersättning", c / 100],
            ]
    return rader


def xlsx(rader: list[list], rubriker=RUBRIKER, före: list[list] = (), blad="Utfall", bearbeta=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = blad
    for r in [*före, rubriker, *rader]:
        ws.append(r)
    if bearbeta:
        bearbeta(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_text(rader: list[list], rubriker=RUBRIKER, kodning="cp1252") -> bytes:
    def cell(v):
        if isinstance(v, float):
            return f"{v:.2f}".replace(".", ",")
        return str(v)

    return "\r\n".join(";".join(cell(v) for v in r) for r in [rubriker, *rader]).encode(kodning)


def förhandsgranska(
    user, nämnd, data: bytes, filnamn="export.xlsx", profil=None
) -> tuple[Import, utfall.Utfallsimport]:
    imp = utfall.skapa_import(user, nämnd, filnamn, data, profil)
    return imp, utfall.importera_utfall(imp, data, user)


def importera(user, nämnd, data: bytes, filnamn="export.xlsx", profil=None) -> utfall.Utfallsimport:
    imp, granskning = förhandsgranska(user, nämnd, data, filnamn, profil)
    assert granskning.kan_genomföras, (granskning.filfel, granskning.saknade, [str(f) for f in granskning.fel])
    resultat = utfall.importera_utfall(imp, data, user, spara=True, fingeravtryck=granskning.fingeravtryck)
    utfall.radera_väntande(imp, user)
    return resultat


def summor_per_område(nämnd, år=2023, månader=range(1, 9)) -> dict[str, Decimal]:
    s = defaultdict(Decimal)
    for namn, belopp in Utfall.objects.filter(
        verksamhetsområde__nämnd=nämnd, år=år, månad__in=list(månader)
    ).values_list("verksamhetsområde__namn", "belopp"):
        s[namn] += belopp
    return dict(s)


# --- parsing units ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "värde, år, väntat",
    [
        ("202103", None, (2021, 3)),
        (202103.0, None, (2021, 3)),
        ("2021-03", None, (2021, 3)),
        ("2021/3", None, (2021, 3)),
        ("03-2021", None, (2021, 3)),
        ("mars 2021", None, (2021, 3)),
        ("Mars 2021", None, (2021, 3)),
        ("mar-21", None, (2021, 3)),
        ("2021 mars", None, (2021, 3)),
        ("2021-03-31", None, (2021, 3)),
        (dt.date(2021, 3, 31), None, (2021, 3)),
        (dt.datetime(2021, 3, 31, 0, 0, tzinfo=dt.UTC), None, (2021, 3)),
        ("3", 2021.0, (2021, 3)),
        ("mars", "2021", (2021, 3)),
    ],
)
def test_tolka_period(värde, år, väntat):
    assert utfall.tolka_period(värde, år) == väntat


@pytest.mark.parametrize(
    "värde, text",
    [
        ("2021-13", "finns inte"),
        ("Q1 2021", "känns inte igen"),
        ("mars", "saknar år"),
        (None, "saknas"),
        ("199912", "finns inte"),
    ],
)
def test_tolka_period_fel(värde, text):
    with pytest.raises(ValueError, match=text):
        utfall.tolka_period(värde)


def test_kodkarta_mest_specifika_vinner():
    karta = utfall.Kodkarta(
        [
            {
                "id": 1,
                "namn": "A",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "74*",
                "verksamhetskoder": "",
            },
            {
                "id": 2,
                "namn": "B",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "741*",
                "verksamhetskoder": "",
            },
            {
                "id": 3,
                "namn": "C",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "7410",
                "verksamhetskoder": "",
            },
            {
                "id": 4,
                "namn": "D",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": 2022,
                "ansvarskoder": "7420",
                "verksamhetskoder": "",
            },
            {
                "id": 5,
                "namn": "E",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "75*",
                "verksamhetskoder": "6*",
            },
            {
                "id": 6,
                "namn": "F",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "75*",
                "verksamhetskoder": "",
            },
            {
                "id": 7,
                "namn": "G",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "",
                "verksamhetskoder": "8*",
            },
            {
                "id": 8,
                "namn": "H",
                "nämnd_id": 1,
                "från_år": None,
                "till_år": None,
                "ansvarskoder": "",
                "verksamhetskoder": "8*",
            },
        ]
    )

    def ids(ansvar, vht="", år=2023):
        return [o.id for o in karta.hitta(ansvar, vht, år)]

    assert ids("7410") == [3]  # exact beats prefixes
    assert ids("7415") == [2]  # the longer prefix wins
    assert ids("7499") == [1]
    assert ids("7420", år=2022) == [4] and ids("7420", år=2023) == [1]  # validity in years
    assert ids("7510", "610") == [5] and ids("7510", "500") == [6]  # both codes beat one
    assert ids("9999", "810") == [7, 8]  # a tie: an error in the row
    assert ids("1234") == []


def test_kontokarta():
    ks = [
        Kostnadsslag(id=1, namn="Intäkter", konton="3000-3999"),
        Kostnadsslag(id=2, namn="Personal", konton="4000-4999"),
        Kostnadsslag(id=3, namn="Köp", konton="4600-4699, 47*"),
        Kostnadsslag(id=4, namn="Hyra", konton="5010"),
    ]
    karta = utfall.Kontokarta(ks)
    assert [karta.hitta(k) for k in ("3510", "4010", "4650", "4710", "5010", "50101", "5011", "9000", "401 Lön")] == [
        1,
        2,
        3,
        3,
        4,
        4,
        None,
        None,
        None,
    ]
    assert karta.hitta("40101") == 2  # a five-digit sub-account falls in the four-digit range


# --- the reference: Knivsta delår 2023 ---------------------------------------------------------------------


def test_referens_knivsta_delår_2023_via_xlsx(kodad, controller, client_läsare):
    """An export whose rows sum to the published nettokostnad per area, imported over the demo's months: the
    delårsrapport shows the published figures and the avstämning holds."""
    rader = referensrader()
    före_utfall = Utfall.objects.filter(verksamhetsområde__nämnd=kodad).count()
    data = xlsx(rader, före=[["Utfall per ansvar och konto, Socialnämnden"], ["Period 202301–202308"], []])
    resultat = importera(controller, kodad, data)

    publicerat = {
        p["verksamhet"]: tkr(p["nettokostnad_delar_2023_tkr"]) * 1000
        for p in referens("driftredovisning_delar_2023.csv")
        if p["block"] != "SUMMA"
    }
    assert summor_per_område(kodad) == publicerat
    assert resultat.summa_fil == resultat.summa_lagrad == Decimal(219_654_000) and resultat.summa_ej_fördelad == 0
    assert resultat.antal_rader == len(rader) and not resultat.oplacerade
    # the demo stored one figure per area and month; the import replaces them with one per kostnadsslag
    imp = Import.objects.get(pk=resultat.imp.pk)
    assert imp.status == Import.Status.GENOMFÖRD and imp.antal_rader == len(rader)
    assert imp.summa_fil == imp.summa_lagrad == Decimal(219_654_000) and imp.summa_ej_fördelad == 0
    assert imp.antal_skapade == 13 * 8 * 3 and imp.antal_ändrade == 13 * 8  # 104 hand-entered figures removed
    assert Importändring.objects.filter(imp=imp).count() == imp.antal_skapade + imp.antal_ändrade
    assert Utfall.objects.filter(verksamhetsområde__nämnd=kodad, år=2023, månad__lte=8, källa=imp).count() == 312
    assert Utfall.objects.filter(verksamhetsområde__nämnd=kodad).count() == före_utfall - 104 + 312
    assert not Utfall.objects.filter(verksamhetsområde__nämnd=kodad, år=2023, månad__lte=8, källa__isnull=True).exists()
    personal = Utfall.objects.filter(
        verksamhetsområde__namn="Flyktingmottagande", år=2023, kostnadsslag__namn="Personal"
    )
    assert personal.count() == 8

    r = client_läsare.get(reverse("rapport", args=[kodad.id, 2023, "delårsrapport"]))
    drift = tabell(r.content, f"drift-{kodad.id}")
    assert drift["Summa"][3] == 219_654
    for p in referens("driftredovisning_delar_2023.csv"):
        namn = "Summa" if p["block"] == "SUMMA" else p["verksamhet"]
        assert drift[namn][3] == tkr(p["nettokostnad_delar_2023_tkr"]), namn
    assert "Ej fördelat" not in drift


def test_referens_via_csv_med_decimalkomma(kodad, controller):
    rader = referensrader()
    resultat = importera(controller, kodad, csv_text(rader), "export.csv")
    assert resultat.filtyp == "csv" and resultat.summa_lagrad == Decimal(219_654_000)
    assert sum(summor_per_område(kodad).values()) == Decimal(219_654_000)


def test_en_verklig_layout_titelrader_sammanslagen_rubrik_sidbrytningar_och_summarad(kodad, controller):
    rubriker = ["Ansvarsställe", "Verksamhet", "Konto", "Motpart", "Verifikationstext", "Månad", "Utfall (kr)"]
    rader = [[r[1], r[2], r[3], r[4], r[5], f"{r[0][:4]}-{r[0][4:]}", r[6]] for r in referensrader(månader=range(1, 3))]

    def layout(ws):
        ws.merge_cells("A1:G1")
        ws.insert_rows(60)
        for i, v in enumerate(rubriker, start=1):  # the header again after a page break
            ws.cell(row=60, column=i, value=v.upper())
        ws.append([None, None, None, None, "Summa", None, sum(r[6] for r in rader)])

    data = xlsx(
        rader, rubriker=rubriker, före=[["Raindance – utfall per ansvar"], ["Utskrivet 2023-03-05"]], bearbeta=layout
    )
    resultat = importera(controller, kodad, data)
    assert resultat.kolumner["period"] == "Månad" and resultat.kolumner["belopp"] == "Utfall (kr)"
    assert resultat.antal_rader == len(rader)
    assert any("summarad" in m for m in resultat.meddelanden)
    assert resultat.summa_fil == Decimal(sum(öre(Decimal(str(r[6]))) for r in rader)) / 100


# --- saldo, sign, unmapped codes -----------------------------------------------------------------------------


def saldorader(månadsbelopp: dict[int, list[tuple[str, float]]]) -> list[list]:
    """Ackumulerat saldo per period from monthly amounts: {månad: [(ansvar, belopp)]}."""
    rader, saldo = [], defaultdict(float)
    for m in sorted(månadsbelopp):
        for ansvar, belopp in månadsbelopp[m]:
            saldo[ansvar] += belopp
        rader += [[f"2023-{m:02d}", ansvar, "500", "4010", round(s, 2)] for ansvar, s in sorted(saldo.items())]
    return rader


def test_ackumulerat_saldo_ger_månadsvärden_genom_differens(kodad, controller):
    profil = Importprofil.objects.create(kommun=kodad.kommun, namn="Saldo", beloppstyp="ackumulerat")
    belopp = {1: [("7100", 1000.0), ("7410", 500.0)], 2: [("7100", 250.5)], 3: [("7100", -100.0), ("7420", 80.0)]}
    data = xlsx(saldorader(belopp), rubriker=["Period", "Ansvar", "Vht", "Konto", "Saldo"])
    resultat = importera(controller, kodad, data, profil=profil)

    def månad(namn, m):
        return Utfall.objects.filter(verksamhetsområde__namn=namn, år=2023, månad=m).values_list("belopp", flat=True)

    assert list(månad("Förebyggande verksamhet SoL", 1)) == [Decimal("1000.00")]
    assert list(månad("Förebyggande verksamhet SoL", 2)) == [Decimal("250.50")]
    assert list(månad("Förebyggande verksamhet SoL", 3)) == [Decimal("-100.00")]
    särskilt = "Vård & omsorg i särskilt/ annat boende"  # 7410 and 7420 both map here: 500 carried, then +80
    assert [list(månad(särskilt, m)) for m in (1, 2, 3)] == [[Decimal(500)], [], [Decimal(80)]]
    assert resultat.summa_fil == Decimal("1730.50") == resultat.summa_lagrad

    # the next file starts in April: its first month is the difference from what is stored for Jan–Mar
    data = xlsx([["2023-04", "7100", "500", "4010", 1400.5]], rubriker=["Period", "Ansvar", "Vht", "Konto", "Saldo"])
    importera(controller, kodad, data, profil=profil)
    assert list(månad("Förebyggande verksamhet SoL", 4)) == [Decimal("250.00")]
    assert list(månad("Förebyggande verksamhet SoL", 1)) == [Decimal("1000.00")]


def test_teckenkonvention_kostnader_negativa(kodad, controller):
    profil = Importprofil.objects.create(kommun=kodad.kommun, namn="Unit4", kostnader_negativa=True)
    data = xlsx([["202305", "7600", "500", "4010", "", "", -1234.5], ["202305", "7600", "500", "3010", "", "", 200]])
    importera(controller, kodad, data, profil=profil)
    assert sorted(
        Utfall.objects.filter(verksamhetsområde__namn="Färdtjänst och riksfärdtjänst", år=2023, månad=5).values_list(
            "belopp", flat=True
        )
    ) == [Decimal("-200.00"), Decimal("1234.50")]


def test_okodade_koder_summeras_och_lagras_på_ej_fördelat(kodad, controller):
    data = xlsx(
        [
            ["202309", "7100", "500", "4010", "", "", 1000],
            ["202309", "9100", "500", "4010", "", "", 300],
            ["202309", "9100", "500", "4010", "", "", 300],
            ["202310", "9100", "500", "5010", "", "", 50.25],
            ["202309", "9200", "", "4010", "", "", -20],
        ]
    )
    imp, granskning = förhandsgranska(controller, kodad, data)
    assert [(o.kod, o.belopp, o.rader) for o in granskning.oplacerade] == [
        ("ansvar 9100, verksamhet 500", Decimal("650.25"), 3),
        ("ansvar 9200", Decimal("-20.00"), 1),
    ]
    assert (granskning.summa_fil, granskning.summa_lagrad, granskning.summa_ej_fördelad) == (
        Decimal("1630.25"),
        Decimal("1000.00"),
        Decimal("630.25"),
    )
    assert granskning.avstämning_stämmer
    assert not Verksamhetsområde.objects.filter(nämnd=kodad, ej_fördelat=True).exists()  # only on confirm
    utfall.importera_utfall(imp, data, controller, spara=True, fingeravtryck=granskning.fingeravtryck)

    ej = Verksamhetsområde.objects.get(nämnd=kodad, ej_fördelat=True)
    assert ej.namn == "Ej fördelat" and ej.förälder is None
    assert sum(Utfall.objects.filter(verksamhetsområde=ej).values_list("belopp", flat=True)) == Decimal("630.25")
    imp.refresh_from_db()
    assert (imp.summa_fil, imp.summa_lagrad, imp.summa_ej_fördelad) == (
        Decimal("1630.25"),
        Decimal("1000.00"),
        Decimal("630.25"),
    )

    # the code is added to an area: the same file again moves the amounts there and empties Ej fördelat
    utfall.lägg_till_kod(
        controller, kodad, Verksamhetsområde.objects.get(nämnd=kodad, namn="Flyktingmottagande"), "ansvarskoder", "9100"
    )
    resultat = importera(controller, kodad, data)
    assert [o.kod for o in resultat.oplacerade] == ["ansvar 9200"]
    assert sum(Utfall.objects.filter(verksamhetsområde=ej).values_list("belopp", flat=True)) == Decimal("-20.00")
    assert sum(
        Utfall.objects.filter(verksamhetsområde__namn="Flyktingmottagande", år=2023, månad__in=[9, 10]).values_list(
            "belopp", flat=True
        )
    ) == Decimal("650.25")


# --- re-import ----------------------------------------------------------------------------------------------


def test_korrigerad_månad_ersätter_och_lägger_aldrig_till(kodad, controller):
    rader = referensrader(månader=range(1, 4))
    importera(controller, kodad, xlsx(rader))
    före = summor_per_område(kodad, månader=[1, 2])
    mars = summor_per_område(kodad, månader=[3])

    # a corrected March: every amount of Färdtjänst +1 000 kr, and Flyktingmottagande's income row dropped
    korr = [list(r) for r in rader if r[0] == "202303"]
    for r in korr:
        if r[1] == "7600" and r[3] == "4010":
            r[6] += 500
    korr = [r for r in korr if not (r[1] == "7800" and r[3] == "3510")]
    resultat = importera(controller, kodad, xlsx(korr))
    assert summor_per_område(kodad, månader=[1, 2]) == före  # other months untouched
    nu = summor_per_område(kodad, månader=[3])
    assert nu["Färdtjänst och riksfärdtjänst"] == mars["Färdtjänst och riksfärdtjänst"] + 1000
    flykt_intäkt = Decimal(str([r for r in rader if r[0] == "202303" and r[1] == "7800" and r[3] == "3510"][0][6]))
    assert nu["Flyktingmottagande"] == mars["Flyktingmottagande"] - flykt_intäkt
    assert {k: v for k, v in nu.items() if k not in ("Färdtjänst och riksfärdtjänst", "Flyktingmottagande")} == {
        k: v for k, v in mars.items() if k not in ("Färdtjänst och riksfärdtjänst", "Flyktingmottagande")
    }
    assert (resultat.antal("ändrad"), resultat.antal("borttagen"), resultat.antal("ny")) == (1, 1, 0)
    ändringar = {(ä.beskrivning, ä.gammalt, ä.nytt) for ä in Importändring.objects.filter(imp=resultat.imp)}
    assert ("Flyktingmottagande, 2023-03, Intäkter", utfall.visa(flykt_intäkt), "") in ändringar
    assert any(b == "Färdtjänst och riksfärdtjänst, 2023-03, Personal" for b, _, _ in ändringar)


def test_samma_fil_två_gånger_ändrar_ingenting(kodad, controller):
    data = xlsx(referensrader(månader=range(1, 3)))
    första = importera(controller, kodad, data)
    ögonblick = sorted(
        Utfall.objects.filter(verksamhetsområde__nämnd=kodad).values_list("pk", "belopp", "version", "källa")
    )
    andra = importera(controller, kodad, data)
    assert (andra.antal("ny"), andra.antal("ändrad"), andra.antal("borttagen")) == (0, 0, 0)
    assert andra.antal("oförändrad") == första.antal("ny")
    assert (
        sorted(Utfall.objects.filter(verksamhetsområde__nämnd=kodad).values_list("pk", "belopp", "version", "källa"))
        == ögonblick
    )
    imp = Import.objects.get(pk=andra.imp.pk)
    assert (imp.antal_skapade, imp.antal_ändrade, imp.antal_oförändrade) == (0, 0, första.antal("ny"))
    assert not Importändring.objects.filter(imp=imp).exists()


# --- atomicity and errors -----------------------------------------------------------------------------------


def test_ett_sent_fel_sparar_ingenting(kodad, controller):
    rader = [["202309", "7100", "500", "4010", "", "", 10.0 + i] for i in range(3000)]
    rader.append(["202309", "7100", "500", "4010", "", "", "12 kr och 50 öre"])
    data = xlsx(rader)
    före = list(Utfall.objects.order_by("pk").values_list("pk", "belopp"))
    imp, granskning = förhandsgranska(controller, kodad, data)
    assert not granskning.kan_genomföras and granskning.antal_fel == 1
    [fel] = granskning.fel
    assert (fel.blad, fel.rad, fel.kolumn, fel.rubrik) == ("Utfall", 3002, "G", "Belopp")
    assert str(fel) == "Blad Utfall, rad 3002, kolumn G (Belopp): Texten ”12 kr och 50 öre” är inget tal."
    with pytest.raises(utfall.Importfel):
        utfall.importera_utfall(imp, data, controller, spara=True, fingeravtryck=granskning.fingeravtryck)
    assert list(Utfall.objects.order_by("pk").values_list("pk", "belopp")) == före
    assert not Importändring.objects.exists()
    assert Import.objects.get(pk=imp.pk).status == Import.Status.FÖRHANDSGRANSKAD


def test_period_stängd_efter_förhandsgranskningen_sparar_ingenting(kodad, controller):
    data = xlsx([["202309", "7100", "500", "4010", "", "", 100], ["202310", "7100", "500", "4010", "", "", 100]])
    imp, granskning = förhandsgranska(controller, kodad, data)
    assert granskning.kan_genomföras
    Period.objects.create(kommun=kodad.kommun, år=2023, månad=10, stängd=True)
    with pytest.raises(utfall.Importfel, match="2023-10"):
        utfall.importera_utfall(imp, data, controller, spara=True, fingeravtryck=granskning.fingeravtryck)
    assert not Utfall.objects.filter(år=2023, månad__in=[9, 10]).exists()


def test_ändrad_databas_mellan_förhandsgranskning_och_bekräftelse(kodad, controller):
    data = xlsx([["202309", "7100", "500", "4010", "", "", 100]])
    imp, granskning = förhandsgranska(controller, kodad, data)
    Utfall.objects.create(
        verksamhetsområde=Verksamhetsområde.objects.get(namn="Förebyggande verksamhet SoL"), år=2023, månad=9, belopp=5
    )
    with pytest.raises(utfall.Importfel, match="ändrats sedan"):
        utfall.importera_utfall(imp, data, controller, spara=True, fingeravtryck=granskning.fingeravtryck)
    assert Utfall.objects.filter(år=2023, månad=9).count() == 1


def test_radfel_okänd_och_stängd_period_text_och_främmande_koder(kodad, controller, annan_kommun):
    Period.objects.create(kommun=kodad.kommun, år=2023, månad=2, stängd=True)
    täby = Nämnd.objects.get(kommun=annan_kommun)
    Verksamhetsområde.objects.create(nämnd=täby, namn="Hemtjänst Täby", ansvarskoder="8100")
    annan_nämnd = Nämnd.objects.create(kommun=kodad.kommun, namn="Utbildningsnämnden")
    Verksamhetsområde.objects.create(nämnd=annan_nämnd, namn="Grundskola", ansvarskoder="3*")
    Verksamhetsområde.objects.filter(nämnd=kodad, namn="Färdtjänst och riksfärdtjänst").update(verksamhetskoder="9*")
    Verksamhetsområde.objects.filter(nämnd=kodad, namn="Flyktingmottagande").update(
        ansvarskoder="7600", verksamhetskoder="9*"
    )
    data = xlsx(
        [
            ["202301", "7100", "500", "4010", "", "", 100],  # ok
            ["2023-13", "7100", "500", "4010", "", "", 100],  # unknown period
            ["202302", "7100", "500", "4010", "", "", 100],  # closed
            ["199901", "7100", "500", "4010", "", "", 100],  # before the nämnd existed? out of range
            ["202301", "7100", "500", "4010", "", "", "hundra"],  # text in a number cell
            ["202301", "8100", "500", "4010", "", "", 100],  # another kommun's code
            ["202301", "3100", "500", "4010", "", "", 100],  # another nämnd's code
            ["202301", "7600", "910", "4010", "", "", 100],  # two areas match equally well
            ["202301", "", "", "4010", "", "", 100],  # no codes
        ]
    )
    imp, g = förhandsgranska(controller, kodad, data)
    fel = {(f.rad, f.kolumn): f.meddelande for f in g.fel}
    assert "finns inte" in fel[(3, "A")]
    assert "2023-02 är stängd" in fel[(4, "A")]
    assert "finns inte" in fel[(5, "A")]
    assert "”hundra” är inget tal" in fel[(6, "G")]
    assert "hör till en annan kommun" in fel[(7, "B")] and "Täby" not in fel[(7, "B")]
    assert "hör till Utbildningsnämnden" in fel[(8, "B")]
    assert "matchar flera verksamhetsområden" in fel[(9, "B")]
    assert "saknas" in fel[(10, "B")]
    assert g.antal_fel == 8 and not g.kan_genomföras
    assert [o.kod for o in g.främmande_koder] == ["ansvar 3100, verksamhet 500", "ansvar 8100, verksamhet 500"]
    assert Import.objects.get(pk=imp.pk).antal_fel == 8


def test_formel_utan_sparat_värde_är_ett_fel_i_cellen(kodad, controller):
    data = xlsx([["202309", "7100", "500", "4010", "", "", "=100+1"], ["202309", "7100", "500", "4010", "", "", 5]])
    _, g = förhandsgranska(controller, kodad, data)
    [fel] = g.fel
    assert (fel.rad, fel.kolumn) == (2, "G") and "formel utan sparat värde" in fel.meddelande


def test_nämnd_som_inte_fanns(kodad, controller):
    ny = Nämnd.objects.create(kommun=kodad.kommun, namn="Ny nämnd", giltig_från=dt.date(2024, 1, 1))
    Verksamhetsområde.objects.create(nämnd=ny, namn="Allt", ansvarskoder="6*")
    Behörighet.objects.get(user=controller).nämnder.add(ny)
    _, g = förhandsgranska(controller, ny, xlsx([["202212", "6100", "", "", "", "", 5]]))
    assert g.fel[0].meddelande == "Nämnden fanns inte 2022-12."
    # The year just before is the nämnd's jämförelseår (docs/beslut.md, "Föregående år efter en delning").
    _, g = förhandsgranska(controller, ny, xlsx([["202312", "6100", "", "", "", "", 5]]))
    assert not g.fel and g.kan_genomföras


def test_saknade_kolumner(kodad, controller):
    _, g = förhandsgranska(controller, kodad, xlsx([["202301", "7100", 5]], rubriker=["Period", "Ansvar", "Kr"]))
    assert g.saknade == ["Belopp"] and g.okända_rubriker == ["Kr"] and not g.kan_genomföras
    _, g = förhandsgranska(controller, kodad, xlsx([["202301", "4010", 5]], rubriker=["Period", "Konto", "Belopp"]))
    assert g.saknade == ["Ansvar (eller Verksamhet)"]


# --- through the views: permissions, preview, mapping, confirm, history ---------------------------------------


def ladda_upp(client, nämnd, data: bytes, namn="export.xlsx", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("import-utfall", args=[nämnd.id]), {"fil": SimpleUploadedFile(namn, data), **extra})


def sida(r) -> BeautifulSoup:
    return BeautifulSoup(r.content, "html.parser")


def test_behörighet(client, kodad, knivsta, läsare, läsare_annan, controller):
    url = reverse("import-utfall", args=[kodad.id])
    data = xlsx([["202309", "7100", "500", "4010", "", "", 1]])
    client.force_login(läsare)
    assert client.get(url).status_code == 403 and ladda_upp(client, kodad, data).status_code == 403
    utan_rätt = skapa_användare("controller-utan", knivsta, "controller")
    Behörighet.objects.get(user=utan_rätt).nämnder.add(kodad)
    client.force_login(utan_rätt)
    assert client.get(url).status_code == 403 and ladda_upp(client, kodad, data).status_code == 403
    ej_tilldelad = skapa_användare("controller-annan-namnd", knivsta, "controller", får_importera=True)
    client.force_login(ej_tilldelad)
    assert client.get(url).status_code == 403
    client.force_login(läsare_annan)
    assert client.get(url).status_code == 404 and ladda_upp(client, kodad, data).status_code == 404
    assert client.get(reverse("import-historik", args=[kodad.id])).status_code == 404

    # another user's preview, even with the right to import, is not found
    client.force_login(controller)
    r = ladda_upp(client, kodad, data)
    granska = r["Location"]
    admin = skapa_användare("admin-knivsta", knivsta, "admin")
    client.force_login(admin)
    assert client.get(granska).status_code == 404
    assert client.post(granska, {"åtgärd": "bekräfta"}).status_code == 404
    client.force_login(läsare)
    assert client.get(granska).status_code == 403
    imp = Import.objects.get()
    assert client.get(reverse("import-detalj", args=[kodad.id, imp.id])).status_code == 200
    client.force_login(läsare_annan)
    assert client.get(reverse("import-detalj", args=[kodad.id, imp.id])).status_code == 404
    assert not Utfall.objects.filter(år=2023, månad=9).exists()


def test_uppladdningssidan_visar_gränserna(client_controller, kodad):
    html = sida(client_controller.get(reverse("import-utfall", args=[kodad.id])))
    text = html.find(id="granser").get_text(" ")
    assert "20 MB" in text and "150 MB" in text and "200\u00a0000 rader" in text
    assert html.find("label", attrs={"for": "id_fil"})


def test_hela_flödet_i_vyerna_med_profil_kod_och_historik(client_controller, kodad, controller, settings):
    rubriker = ["Bokf.per", "Ansvar", "Vht", "Konto", "Motpart", "Text", "Belopp"]
    data = xlsx(
        [
            ["202309", "7100", "500", "4010", "Anna Andersson", "Ersättning till Anna", 1000],
            ["202309", "9100", "500", "4010", "Bertil B", "", 250],
        ],
        rubriker=rubriker,
    )
    r = ladda_upp(client_controller, kodad, data)
    assert r.status_code == 302
    granska = r["Location"]
    imp = Import.objects.get()
    väntande = Path(settings.IMPORT_TEMP_DIR) / f"utfall-{imp.pk}-{controller.pk}.bin"
    assert väntande.read_bytes() == data and oct(väntande.stat().st_mode & 0o777) == "0o600"

    html = sida(client_controller.get(granska))
    assert "Period" in html.find(id="saknade").get_text() and html.find(id="saknade")["role"] == "alert"
    assert html.find("form", id="bekrafta").find("button", value="bekräfta") is None
    # map the unknown column once: it is saved in the kommun's profile
    mappning = html.find("form", id="mappning")
    fält = {i["name"]: i.get("value", "") for i in mappning.find_all("input") if i.get("type") != "radio"}
    kolumn = next(
        s["name"]
        for s in mappning.find_all("select")
        if "Bokf.per" in mappning.find("label", attrs={"for": s["id"]}).get_text()
    )
    index = kolumn.split("_")[1]
    assert fält[f"rubrik_{index}"] == "Bokf.per"
    post = {**fält, kolumn: "period", "beloppstyp": "månad", "åtgärd": "mappa"}
    assert client_controller.post(granska, post).status_code == 302
    profil = Importprofil.objects.get(kommun=kodad.kommun)
    assert profil.kolumner == {"period": "Bokf.per"} and Import.objects.get().profil == profil

    html = sida(client_controller.get(granska))
    assert not html.find(id="saknade")
    oplacerade = html.find("table", id="oplacerade")
    assert "ansvar 9100" in oplacerade.get_text() and "250,00" in oplacerade.get_text()
    assert (
        "1\u00a0250,00" in html.find(id="avstamning").get_text() or "1 250,00" in html.find(id="avstamning").get_text()
    )
    # add the code to an area from the preview
    kodform = oplacerade.find("form")
    post = {i["name"]: i.get("value", "") for i in kodform.find_all("input")}
    område = Verksamhetsområde.objects.get(nämnd=kodad, namn="Ifo, ekonomisk bistånd")
    post[kodform.find("select")["name"]] = område.pk
    post["åtgärd"] = "kod"
    assert client_controller.post(granska, post).status_code == 302
    område.refresh_from_db()
    assert område.ansvarskoder == "7730, 9100"

    html = sida(client_controller.get(granska))
    assert not html.find("table", id="oplacerade")
    fingeravtryck = html.find("input", attrs={"name": "fingeravtryck"})["value"]
    r = client_controller.post(granska, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck})
    assert r.status_code == 302 and r["Location"] == reverse("import-detalj", args=[kodad.id, imp.pk])
    assert not väntande.exists()  # the uploaded file is deleted after the import
    assert Utfall.objects.get(verksamhetsområde=område, år=2023, månad=9).belopp == Decimal(250)

    detalj = sida(client_controller.get(r["Location"]))
    assert detalj.find(id="status").get_text() == "Genomförd"
    rader = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in detalj.find("table", id="andringar").tbody.find_all("tr")
    ]
    assert ["Ifo, ekonomisk bistånd, 2023-09, Personal", "–", "250,00"] in rader
    historik = sida(client_controller.get(reverse("import-historik", args=[kodad.id])))
    rad = historik.find("table", id="importer").tbody.tr.get_text(" ", strip=True)
    assert "export.xlsx" in rad and "controller-knivsta" in rad and "Genomförd" in rad and imp.sha256[:12] in rad
    assert client_controller.get(granska).status_code == 302  # a finished import goes to its record

    # nothing of the motpart or text columns is stored anywhere
    for text in ("Anna", "Bertil"):
        assert not Import.objects.filter(meddelande__contains=text).exists()
        assert not Importändring.objects.filter(beskrivning__contains=text).exists()

    # next time the profile recognises the column by itself
    r = ladda_upp(client_controller, kodad, data, profil=profil.pk)
    html = sida(client_controller.get(r["Location"]))
    assert not html.find(id="saknade") and html.find(id="inga-andringar")


def test_avbryt_raderar_filen(client_controller, kodad, controller, settings):
    r = ladda_upp(client_controller, kodad, xlsx([["202309", "7100", "500", "4010", "", "", 1]]))
    imp = Import.objects.get()
    väntande = Path(settings.IMPORT_TEMP_DIR) / f"utfall-{imp.pk}-{controller.pk}.bin"
    assert väntande.exists()
    assert client_controller.post(r["Location"], {"åtgärd": "avbryt"}).status_code == 302
    assert not väntande.exists() and Import.objects.get().status == Import.Status.AVBRUTEN
    assert client_controller.get(r["Location"]).status_code == 410
    assert not Utfall.objects.filter(år=2023, månad=9).exists()


def trasig_xlsx() -> bytes:
    data = xlsx([["202309", "7100", "500", "4010", "", "", 1]])
    return data[: len(data) // 2]


def xlsx_med_entitet() -> bytes:
    from tests.importer.test_lasare import ENTITET, patcha

    return patcha(
        xlsx([["202309", "7100", "500", "4010", "", "", "X"]]),
        {"xl/worksheets/sheet1.xml": lambda x: ENTITET + x.replace(b"<t>X</t>", b"<t>&e;</t>")},
    )


@pytest.mark.parametrize(
    "namn, data, text",
    [
        ("utfall.xlsx", b"%PDF-1.4 inte en arbetsbok", "PDF"),
        ("utfall.xlsx", trasig_xlsx, "skadad"),
        ("utfall.xlsx", xlsx_med_entitet, "DOCTYPE/ENTITY"),
        (
            "utfall.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le"),
            "lösenordsskyddad",
        ),
        ("utfall.csv", b"Period;Konto;Belopp\n202301;4010;5\n", "Ansvar"),
    ],
)
def test_dåliga_filer_i_vyn_ger_tydligt_fel_och_inget_sparas(client_controller, kodad, namn, data, text):
    före = Utfall.objects.count()
    r = ladda_upp(client_controller, kodad, data() if callable(data) else data, namn)
    html = sida(client_controller.get(r["Location"]))
    alert = " ".join(e.get_text() for e in html.find_all(attrs={"role": "alert"}))
    assert text in alert
    assert html.find("form", id="bekrafta").find("button", value="bekräfta") is None
    assert client_controller.post(r["Location"], {"åtgärd": "bekräfta", "fingeravtryck": ""}).status_code == 409
    assert Utfall.objects.count() == före


def test_för_stor_fil_stoppas_i_formuläret(client_controller, kodad):
    r = ladda_upp(client_controller, kodad, b"a" * (20 * 1024 * 1024 + 1), "stor.csv")
    assert r.status_code == 400 and "högst 20 MB" in r.content.decode()
    assert not Import.objects.exists()


def test_bekräfta_som_bakgrundsjobb(kodad, controller, client_controller, settings, django_capture_on_commit_callbacks):
    """With Redis (not eager) the confirm step is a job: the page goes to the job's state, the job stores the
    figures once, and the pending upload is removed."""
    from jobb.models import Jobb
    from socialreports.celery import app

    imp, resultat = förhandsgranska(controller, kodad, xlsx(referensrader()))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the worker itself runs in-process here; the real worker path is tested
    try:  # with celery.contrib.testing in tests/test_produktion.py
        with django_capture_on_commit_callbacks(execute=True):
            r = client_controller.post(
                reverse("import-utfall-granska", args=[kodad.pk, imp.pk]),
                {"åtgärd": "bekräfta", "fingeravtryck": resultat.fingeravtryck},
            )
    finally:
        app.conf.task_always_eager = eager
    jobb = Jobb.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobb-status", args=[jobb.pk])
    assert jobb.status == Jobb.Status.KLAR, jobb.fel
    imp.refresh_from_db()
    assert imp.status == Import.Status.GENOMFÖRD and utfall.läs_väntande(imp, controller) is None
    assert summor_per_område(kodad)["Nämnd- och styrelseverksamhet"] == tkr("1042") * 1000
