"""The invented ekonomisystem exports under fixtures/<demo>/ekonomisystem/ import into the demo kommuner as the README
there promises: 0 errors, the file's sum = stored + ej fördelat to the öre, exactly one deliberately uncoded row on
"Ej fördelat", and the budget export for the next year stored per kostnadsslag. The demo's published figures are
untouched (the files are for months/years the demo has no figures for)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from ekonomi.models import Budgetpost, Utfall
from importer import mallar, utfall
from nämnd.models import Nämnd, Verksamhetsområde
from socialreports import demodata
from tests import factories

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
KNIVSTA = FIXTURES / "knivsta-2023-2024"
EXEMPELBY = FIXTURES / "exempelby-2023-2024"


@pytest.fixture(autouse=True)
def _importkatalog(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "väntande")


def importera(user, nämnd: Nämnd, väg: Path) -> utfall.Utfallsimport:
    data = väg.read_bytes()
    imp = utfall.skapa_import(user, nämnd, väg.name, data, None)
    granskning = utfall.importera_utfall(imp, data, user)
    assert granskning.kan_genomföras, (granskning.filfel, granskning.saknade, [str(f) for f in granskning.fel[:5]])
    resultat = utfall.importera_utfall(imp, data, user, spara=True, fingeravtryck=granskning.fingeravtryck)
    utfall.radera_väntande(imp, user)
    return resultat


def csv_rader(väg: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(väg.read_text(encoding="utf-8")), delimiter=";"))


def xlsx_rader(väg: Path) -> list[dict]:
    ws = openpyxl.load_workbook(väg, read_only=True).active
    rader = list(ws.iter_rows(values_only=True))
    return [dict(zip(rader[0], r, strict=True)) for r in rader[1:]]


def kr(värde) -> Decimal:
    return Decimal(str(värde).replace(",", ".")).quantize(Decimal("0.01"))


def test_demons_områden_har_koder_från_koder_csv(db):
    knivsta = demodata.ladda(katalog=KNIVSTA)
    exempelby = demodata.ladda(katalog=EXEMPELBY)
    ordinärt = Verksamhetsområde.objects.get(nämnd__kommun=knivsta, namn="Vård & omsorg i ordinärt boende övrigt")
    assert (ordinärt.ansvarskoder, ordinärt.verksamhetskoder) == ("2230, 22*", "")
    solrosen = Verksamhetsområde.objects.get(
        nämnd__kommun=exempelby, nämnd__namn="Socialnämnden", namn="Gruppbostad Solrosen"
    )
    assert (solrosen.ansvarskoder, solrosen.verksamhetskoder) == ("3411", "52*")
    # Every leaf with figures has codes; blocks and verksamheter with enheter under them have none.
    for kommun in (knivsta, exempelby):
        for o in Verksamhetsområde.objects.filter(nämnd__kommun=kommun):
            assert bool(o.ansvarskoder) == (not o.barn.exists()), o


def test_knivstas_utfall_för_september_placeras_utom_en_okodad_rad(db):
    knivsta = demodata.ladda(katalog=KNIVSTA)
    nämnd = Nämnd.objects.get(kommun=knivsta)
    före = list(Utfall.objects.filter(verksamhetsområde__nämnd=nämnd).order_by("pk").values_list("pk", "belopp"))
    väg = KNIVSTA / "ekonomisystem" / "utfall-2023-09.csv"
    rader = csv_rader(väg)
    summa = sum((kr(r["Belopp"]) for r in rader), Decimal(0))
    okodad = [r for r in rader if r["Ansvar"] == "2999"]
    assert 300 <= len(rader) <= 5000 and len(okodad) == 1

    resultat = importera(factories.admin(knivsta), nämnd, väg)

    assert resultat.antal_fel == 0 and resultat.antal_rader == len(rader)
    assert resultat.summa_fil == summa
    assert resultat.summa_fil == resultat.summa_lagrad + resultat.summa_ej_fördelad
    assert [(o.ansvar, o.belopp, o.rader) for o in resultat.oplacerade] == [("2999", kr(okodad[0]["Belopp"]), 1)]
    lagrat = Utfall.objects.filter(verksamhetsområde__nämnd=nämnd, år=2023, månad=9)
    assert sum(lagrat.values_list("belopp", flat=True)) == summa
    ej = lagrat.get(verksamhetsområde__ej_fördelat=True)
    assert ej.belopp == kr("1250,00")
    # The wildcard catch-all: ansvar 2290 is no area's exact code and lands on "ordinärt boende övrigt" (22*).
    catch_all = sum(kr(r["Belopp"]) for r in rader if r["Ansvar"] in ("2230", "2290"))
    assert lagrat.get(verksamhetsområde__namn="Vård & omsorg i ordinärt boende övrigt").belopp == catch_all
    # Nothing the demo publishes (2022, January–August 2023) has changed.
    assert list(Utfall.objects.filter(pk__in=[p for p, _ in före]).order_by("pk").values_list("pk", "belopp")) == före


def test_exempelbys_utfall_och_budgetexport_för_socialnämnden(db):
    exempelby = demodata.ladda(katalog=EXEMPELBY)
    nämnd = Nämnd.objects.get(kommun=exempelby, namn="Socialnämnden")
    admin = factories.admin(exempelby)
    väg = EXEMPELBY / "ekonomisystem" / "utfall-socialnamnden-2024-09.xlsx"
    rader = xlsx_rader(väg)
    summa = sum((kr(r["Belopp"]) for r in rader), Decimal(0))

    resultat = importera(admin, nämnd, väg)

    assert resultat.antal_fel == 0 and resultat.antal_rader == len(rader)
    assert resultat.summa_fil == summa == resultat.summa_lagrad + resultat.summa_ej_fördelad
    assert [(o.ansvar, o.verksamhet, o.rader) for o in resultat.oplacerade] == [("3999", "579", 1)]
    assert resultat.summa_ej_fördelad == kr("980,50")
    assert resultat.konton_utan_slag == []  # every konto is in one of Exempelby's kostnadsslag
    lagrat = Utfall.objects.filter(verksamhetsområde__nämnd=nämnd, år=2024, månad=9)
    assert sum(lagrat.values_list("belopp", flat=True)) == summa
    assert lagrat.exclude(kostnadsslag__isnull=False).filter(verksamhetsområde__ej_fördelat=False).count() == 0

    budget = EXEMPELBY / "ekonomisystem" / "budget-socialnamnden-2025.csv"
    g = mallar.förhandsgranska(admin, nämnd, "budgetkonto", budget.name, budget.read_bytes())
    assert g.fel == [] and g.kan_bekräftas
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    poster = Budgetpost.objects.filter(verksamhetsområde__nämnd=nämnd, år=2025)
    assert sum(poster.values_list("belopp", flat=True)) == sum(kr(r["Årsbudget"]) for r in csv_rader(budget))
    assert not poster.filter(kostnadsslag__isnull=True).exists()


def test_generatorn_skriver_samma_filer(tmp_path, monkeypatch):
    """The committed files are what fixtures/skapa_ekonomisystem.py writes (seeded, fixed dates)."""
    import importlib.util
    import shutil

    for katalog in (KNIVSTA, EXEMPELBY):
        (tmp_path / katalog.name).mkdir()
        for namn in ("koder.csv", "budget.csv", "driftredovisning_helarsprognos_2023.csv"):
            if (katalog / namn).exists():
                shutil.copy(katalog / namn, tmp_path / katalog.name / namn)
    spec = importlib.util.spec_from_file_location("skapa_ekonomisystem", FIXTURES / "skapa_ekonomisystem.py")
    modul = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modul)
    monkeypatch.setattr(modul, "FIXTURES", tmp_path)
    modul.knivsta()
    modul.exempelby()
    for katalog in (KNIVSTA, EXEMPELBY):
        for fil in (katalog / "ekonomisystem").iterdir():
            if fil.suffix in (".csv", ".xlsx"):
                assert (tmp_path / katalog.name / "ekonomisystem" / fil.name).read_bytes() == fil.read_bytes(), fil
