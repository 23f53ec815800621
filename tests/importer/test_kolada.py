"""Kolada: v3 JSON answers (written here in the documented shape, see tests/importer/kolada/) and downloaded
tables into Indikatorvärde with källa "Kolada"; revisions, locking, and the fetch command with a fake fetch
function (the tests never use the network).

The kommun is ``annan_form_kommun`` (2023) with kommunkod 0330 (the stored answers are for 0330; 0160 is another
kommun) and four Kolada indikatorer on its mål, with the values in ``INDIKATORER``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.urls import reverse

from importer import kolada
from importer.management.commands import hamta_kolada
from importer.models import Import, Importändring
from nyckeltal.models import Indikatorvärde, Mål
from nämnd.models import Nämnd, Period
from tests import factories
from tests.importer.test_mallar import bekräfta, granskning, ladda_upp, xlsx

SVAR = Path(__file__).parent / "kolada"
BRUKARBEDÖMNING = "Brukarbedömning hemtjänst äldreomsorg (helhetssyn), andel (%)"


def sida(namn: str) -> dict:
    return json.loads((SVAR / namn).read_text(encoding="utf-8"))


def båda_sidorna() -> bytes:
    return json.dumps([sida("u21468_sida1.json"), sida("u21468_sida2.json")]).encode()


def värden(år: int, kpi: str = "U21468") -> tuple:
    v = Indikatorvärde.objects.get(indikator__kolada_id=kpi, år=år, typ="utfall")
    return v.totalt, v.kvinnor, v.män, v.källa


KOD = "0330"
# kolada_id → (namn, {år: (totalt, kvinnor, män)}) before any import
INDIKATORER = {
    "U21468": (BRUKARBEDÖMNING, {2021: (79, 83, 73), 2022: (85, 85, 85), 2023: (94, 92, 96)}),
    "U23471": ("Brukarbedömning särskilt boende äldreomsorg (helhetssyn), andel (%)", {2023: (79, None, None)}),
    "N31814": ("Vuxna med långvarigt ekonomiskt bistånd, andel (%)", {2021: (27, 25, 29)}),
    "U40455": ("Väntetid till särskilt boende, medelvärde (dagar)", {}),
}


@pytest.fixture
def ekeby(db) -> factories.Byggd:
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
    """The nämnd that holds the Kolada indikatorer."""
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def client_admin(client, ekeby):
    client.force_login(factories.admin(ekeby.kommun))
    return client


# --- parsing ------------------------------------------------------------------------------------


def test_tolka_json_sidor_null_och_saknat_år():
    tolkat = kolada.tolka_json([sida("u21468_sida1.json"), sida("u21468_sida2.json")])
    assert tolkat.fel == [] and tolkat.antal_rader == 5
    rader = {(r["kpi"], r["kommun"], r["år"]): (r["T"], r["K"], r["M"]) for r in tolkat.rader}
    assert rader[("U21468", "0330", 2020)] == ("80.00", "82.00", "77.00")
    assert rader[("U21468", "0330", 2022)] == ("86.00", "85.00", None)  # null stays "no value"
    assert ("U21468", "0330", 2021) not in rader  # the missing year
    assert rader[("U21468", "0160", 2022)] == ("89.00", "90.00", "88.00")
    assert tolkat.noteringar == []  # the last page has no next_url


def test_tolka_json_en_sida_med_next_url_ger_notering_och_fel_per_post():
    svar = sida("u21468_sida1.json")
    svar["values"].append({"kpi": "X1", "municipality": "0330", "period": 2023, "values": []})
    svar["values"].append({"kpi": "U21468", "municipality": "0330", "period": "tjugo", "values": []})
    svar["values"].append(
        {"kpi": "U21468", "municipality": "0330", "period": 2021, "values": [{"gender": "F", "value": 1.0}]}
    )
    svar["values"].append(
        {
            "kpi": "U21468",
            "municipality": "0330",
            "period": 2020,  # conflicts with the first
            "values": [{"gender": "T", "value": 81.0}],
        }
    )
    tolkat = kolada.tolka_json(svar)
    assert [str(f) for f in tolkat.fel] == [
        "Blad JSON, rad 4, kolumn kpi: 'X1' är inte ett Kolada-id (t.ex. U21468).",
        "Blad JSON, rad 5, kolumn period: 'tjugo' är inte ett år.",
        "Blad JSON, rad 6, kolumn gender: Okänt kön {'gender': 'F', 'value': 1.0}; Kolada använder T, K och M.",
        "Blad JSON, rad 7, kolumn values: U21468 2020 kön T finns redan (rad 1) med ett annat värde.",
    ]
    assert "fler sidor (next_url)" in tolkat.noteringar[0]


def test_tolka_json_felsvar_från_api():
    tolkat = kolada.tolka_json({"error": "This endpoint is deprecated. Please use /v3 instead."})
    assert "Kolada svarade med ett fel: This endpoint is deprecated" in str(tolkat.fel[0])


def test_tolka_tabell_lång_med_kön_och_värde():
    csv = (
        "Kpi;Nyckeltal;Kommun;År;Kön;Värde\n"
        f"U21468;{BRUKARBEDÖMNING};0330 Ekeby;2020;Totalt;80\n"
        f"U21468;{BRUKARBEDÖMNING};0330 Ekeby;2020;Kvinnor;82,0\n"
        f"U21468;{BRUKARBEDÖMNING};0330 Ekeby;2020;Män;77\n"
        f"U21468;{BRUKARBEDÖMNING};0160 Täby;2020;Totalt;90\n"
    ).encode()
    tolkat = kolada.Koladaimport().tolka("kolada.csv", csv)
    assert tolkat.fel == []
    assert sorted((r["kommun"], r["T"], r["K"], r["M"]) for r in tolkat.rader) == [
        ("0160", "90.00", None, None),
        ("0330", "80.00", "82.00", "77.00"),
    ]


def test_tolka_tabell_en_kolumn_per_år_och_tappad_nolla():
    innehåll = xlsx(
        (
            "Kolada",
            [
                ["Nyckeltal", "Kommun-id", "Kön", 2020, 2021, 2022],
                [f"U21468 {BRUKARBEDÖMNING}", 330, "T", 80, None, 86],  # Excel dropped the leading zero
                [f"U21468 {BRUKARBEDÖMNING}", 330, "K", 82, None, "85,0"],
            ],
        )
    )
    tolkat = kolada.Koladaimport().tolka("kolada.xlsx", innehåll)
    assert tolkat.fel == []
    rader = {(r["kommun"], r["år"]): (r["T"], r["K"], r["M"]) for r in tolkat.rader}
    assert rader == {
        ("0330", 2020): ("80.00", "82.00", None),
        ("0330", 2021): (None, None, None),
        ("0330", 2022): ("86.00", "85.00", None),
    }


# --- import via the upload pages -----------------------------------------------------------------


def test_kolada_json_importeras_och_visas_i_delårsrapporten(client_admin, omsorg):
    Indikatorvärde.objects.filter(indikator__mål__nämnd=omsorg).update(källa="")
    rapport = reverse("rapport", args=[omsorg.id, 2023, "delårsrapport"])
    assert "Källa: Kolada" not in client_admin.get(rapport).content.decode()

    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada-u21468.json", båda_sidorna()))
    assert g["fel"] == []
    assert "Värden för andra kommuner hoppades över: 0160 (1 st)." in g["noteringar"]
    assert any("U21468: inget värde för 2021 i filen" in n for n in g["noteringar"])
    assert bekräfta(client_admin, g).status_code == 302

    assert värden(2020) == (80, 82, 77, "Kolada")
    assert värden(2021) == (79, 83, 73, "")  # the missing year is left alone
    assert värden(2022) == (86, 85, 85, "Kolada")  # M was null: the stored 85 stays
    assert värden(2023) == (94, 92, 96, "Kolada")  # same values, now labelled with their source
    assert värden(2023, "U23471")[:1] == (81,)

    html = client_admin.get(rapport).content
    soup = BeautifulSoup(html, "html.parser")
    rad = next(tr for tr in soup.select("table.indikatorer tr") if tr.find("th", string=BRUKARBEDÖMNING))
    celler = [td.get_text(" ", strip=True) for td in rad.find_all("td")]
    assert celler[0] == "U21468"
    assert celler[1].startswith("80") and "K 82 / M 77" in celler[1]  # 2020: kvinnor/män shown
    assert celler[2].startswith("79")  # 2021 unchanged
    assert celler[3].startswith("86")
    assert "Källa: Kolada" in html.decode()


def test_kolada_reimport_visar_revision_gammalt_nytt(client_admin, omsorg):
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.json", båda_sidorna()))
    rader = {r[1]: r for r in g["rader"]}
    revision = rader[f"U21468 {BRUKARBEDÖMNING} 2022 totalt"]
    assert revision == ["Reviderad", f"U21468 {BRUKARBEDÖMNING} 2022 totalt", "85", "86"]
    assert rader[f"U21468 {BRUKARBEDÖMNING} 2020 totalt"][0] == "Ny"
    assert bekräfta(client_admin, g).status_code == 302
    imp = Import.objects.get(typ="kolada")
    assert imp.status == Import.Status.GENOMFÖRD
    ä = Importändring.objects.get(imp=imp, beskrivning=f"U21468 {BRUKARBEDÖMNING} 2022 totalt")
    assert (ä.modell, ä.gammalt, ä.nytt) == ("Indikatorvärde", "85", "86")

    # importing the same answer again: nothing to do
    g2 = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.json", båda_sidorna()))
    assert (g2["nya"], g2["ändrade"]) == (0, 0) and not g2["kan_bekräftas"]

    # Kolada revises 2022 once more: old → new against what the first import stored
    svar = [sida("u21468_sida1.json"), sida("u21468_sida2.json")]
    svar[0]["values"][1]["values"][2]["value"] = 87.5
    g3 = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.json", json.dumps(svar).encode()))
    assert g3["rader"] == [["Reviderad", f"U21468 {BRUKARBEDÖMNING} 2022 totalt", "86", "87,50"]]


def test_kolada_vägras_för_stängt_år(client_admin, omsorg):
    Period.objects.create(kommun=omsorg.kommun, år=2022, månad=12, stängd=True)
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.json", båda_sidorna()))
    assert not g["kan_bekräftas"]
    assert g["fel"] == [
        [
            "JSON sida 1",
            "2",
            "–",
            "Året 2022 är stängt (2022-12 är stängd) och värdet kan inte ändras. "
            "Be en administratör öppna perioden igen.",
        ]
    ]
    assert bekräfta(client_admin, g).status_code == 409
    assert not Indikatorvärde.objects.filter(indikator__kolada_id="U21468", år=2020).exists()
    assert värden(2022)[0] == 85


def test_kolada_vägras_för_fastställd_rapport(client_admin, omsorg):
    import datetime as dt

    from nämnd.models import Rapportlås

    Rapportlås.objects.create(
        nämnd=omsorg,
        år=2022,
        rapporttyp="verksamhetsberättelse",
        slutmånad=12,
        fastställd_datum=dt.date(2023, 3, 28),
        paragraf="§ 31",
        version=1,
    )
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.json", båda_sidorna()))
    assert [f[3] for f in g["fel"]] == [
        f"Verksamhetsberättelse 2022 för {omsorg.namn} är fastställd (2023-03-28, § 31) och låst. För att "
        "ändra den måste någon som får fastställa öppna rapporten för rättelse på sidan Granskning och "
        f"fastställande (/publicering/rapport/{omsorg.pk}/2022/verksamhetsberättelse/)."
    ]
    assert not g["kan_bekräftas"]


def test_kolada_fil_för_annan_kommun_är_fel(client_admin, omsorg):
    svar = sida("u21468_sida1.json")
    svar["values"] = [v for v in svar["values"] if v["municipality"] == "0160"]
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "taby.json", json.dumps(svar).encode()))
    assert g["fel"][0][3] == "Filen innehåller inga värden för Ekeby kommun (kommunkod 0330)."


def test_kolada_csv_tabell_importeras(client_admin, omsorg):
    csv = (
        "Kolada-id;Kommun;År;T;K;M\nU21468;Ekeby;2020;80;82;77\nN31814;Ekeby;2023;24;23;25\nU99999;Ekeby;2023;1;1;1\n"
    ).encode()
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "kolada.csv", csv))
    assert g["fel"] == []
    assert any("U99999 (1 st)" in n for n in g["noteringar"])
    assert bekräfta(client_admin, g).status_code == 302
    assert värden(2020) == (80, 82, 77, "Kolada")
    assert värden(2023, "N31814") == (24, 23, 25, "Kolada")


def test_kolada_ogiltig_json(client_admin, omsorg):
    g = granskning(ladda_upp(client_admin, omsorg, "kolada", "svar.json", b'{"values": [1, 2'))
    assert g["fel"][0][3].startswith("Filen är inte giltig JSON")


# --- the fetch command ---------------------------------------------------------------------------


class FalskKolada:
    """Answers by URL and records every request; an id in ``fel_för`` makes the request fail."""

    def __init__(self, sidor: dict[str, dict] | None = None, fel_för: str | None = None):
        self.sidor, self.fel_för, self.adresser = sidor or {}, fel_för, []

    def __call__(self, url: str) -> dict:
        self.adresser.append(url)
        if self.fel_för and self.fel_för in url:
            raise OSError("Anslutningen bröts")
        if "page=2" in url:
            return sida("u21468_sida2.json")
        if "U21468" in url:
            return sida("u21468_sida1.json")
        return {"count": 0, "next_url": None, "previous_url": None, "values": []}


def test_kommandot_hämtar_alla_sidor_och_importerar(ekeby, monkeypatch, capsys):
    falsk = FalskKolada()
    monkeypatch.setattr(hamta_kolada, "hämta_json", falsk)
    call_command("hamta_kolada", "--kommun", "0330", "--år", "2020-2023")
    assert falsk.adresser == [
        f"{kolada.BAS_URL}/data/kpi/N31814,U21468,U23471,U40455/municipality/0330/year/2020,2021,2022,2023",
        sida("u21468_sida1.json")["next_url"],
    ]
    assert värden(2020) == (80, 82, 77, "Kolada") and värden(2022)[0] == 86
    imp = Import.objects.get(typ="kolada")
    assert imp.användare is None and imp.nämnd is None and imp.status == Import.Status.GENOMFÖRD
    assert imp.antal_ändrade > 0 and imp.ändringar.filter(gammalt="85", nytt="86").exists()
    assert "Reviderad" in capsys.readouterr().out


def test_kommandot_delar_30_id_i_25_plus_5_och_skriver_inget_när_andra_biten_fallerar(ekeby, monkeypatch):
    kpier = ["U21468", *(f"Z{i:05d}" for i in range(1, 30))]  # 30 ids; U21468 sorts first
    falsk = FalskKolada(fel_för="Z00025")
    monkeypatch.setattr(hamta_kolada, "hämta_json", falsk)
    före = list(Indikatorvärde.objects.order_by("pk").values_list("pk", "totalt", "kvinnor", "män", "källa"))
    with pytest.raises(CommandError, match="inget importerades"):
        call_command("hamta_kolada", "--kommun", "0330", "--kpi", ",".join(kpier), "--år", "2020,2021,2022,2023")
    segment = [url.split("/kpi/")[1].split("/")[0].split(",") for url in falsk.adresser]
    # chunk 1 (25 ids) and its second page (next_url), then chunk 2 (5 ids) fails
    assert falsk.adresser[1] == sida("u21468_sida1.json")["next_url"]
    assert [len(segment[0]), len(segment[2])] == [25, 5] and len(falsk.adresser) == 3
    assert segment[0][0] == "U21468" and segment[2] == [f"Z{i:05d}" for i in range(25, 30)]
    assert list(Indikatorvärde.objects.order_by("pk").values_list("pk", "totalt", "kvinnor", "män", "källa")) == före
    assert not Import.objects.exists()


def test_kommandot_30_id_utan_fel(ekeby, monkeypatch):
    falsk = FalskKolada()
    monkeypatch.setattr(hamta_kolada, "hämta_json", falsk)
    call_command(
        "hamta_kolada",
        "--kommun",
        "0330",
        "--kpi",
        "U21468",
        "--kpi",
        ",".join(f"Z{i:05d}" for i in range(1, 30)),
        "--år",
        "2022",
    )
    chunkar = [u for u in falsk.adresser if "page=" not in u]
    assert [len(u.split("/kpi/")[1].split("/")[0].split(",")) for u in chunkar] == [25, 5]
    assert värden(2022)[0] == 86


def test_kommandot_vägrar_stängt_år_och_torrkörning_skriver_inget(ekeby, monkeypatch, capsys):
    monkeypatch.setattr(hamta_kolada, "hämta_json", FalskKolada())
    call_command("hamta_kolada", "--kommun", "0330", "--år", "2020-2023", "--torrkörning")
    assert "Torrkörning: inget sparades" in capsys.readouterr().out
    assert värden(2022)[0] == 85 and not Import.objects.exists()
    Period.objects.create(kommun=ekeby.kommun, år=2022, månad=12, stängd=True)
    with pytest.raises(CommandError, match="Året 2022 är stängt"):
        call_command("hamta_kolada", "--kommun", "0330", "--år", "2020-2023")
    assert not Indikatorvärde.objects.filter(indikator__kolada_id="U21468", år=2020).exists()


def test_kommandot_följer_bara_koladas_adresser(ekeby, monkeypatch):
    def falsk(url):
        return {"values": [], "next_url": "https://example.com/v3/data?page=2"}

    monkeypatch.setattr(hamta_kolada, "hämta_json", falsk)
    with pytest.raises(CommandError, match="annan adress"):
        call_command("hamta_kolada", "--kommun", "0330", "--kpi", "U21468", "--år", "2023")


def test_hämta_json_vägrar_andra_adresser():
    with pytest.raises(ValueError):
        kolada.hämta_json("file:///etc/passwd")


def test_värden_avrundas_till_två_decimaler():
    assert kolada._värde(94.456) == Decimal("94.46")
    assert kolada._värde("12,5") == Decimal("12.50")
    assert kolada._värde(None) is None
