"""Bytes per row in PostgreSQL, for docs/scaling.md (not CI).

    .venv/bin/python bench/storlek.py [--namnder 8]

Creates a throwaway database next to DATABASE_URL (bench/stack.py), migrates it, loads the demo kommun and
``--namnder`` synthetic nämnder of 60 verksamheter (tests.factories.syntetisk_nämnd: budget, 20 months of
utfall, prognoser, nyckeltal and indikator values), plus what the synthetic generator leaves out:
a history row for every figure (as every save and import writes one), utfall per kostnadsslag (8 slag
for a quarter of the verksamheter), texts of realistic length and import change records. Then
VACUUM ANALYZE and, per table, rows and pg_total_relation_size (table + indexes + TOAST) / rows.
The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROT, radera_databas, skapa_databas, sql  # noqa: E402

TABELLER = [
    "ekonomi_utfall",
    "ekonomi_historicalutfall",
    "ekonomi_budgetpost",
    "ekonomi_historicalbudgetpost",
    "ekonomi_prognos",
    "ekonomi_historicalprognos",
    "nyckeltal_nyckeltalsvärde",
    "nyckeltal_historicalnyckeltalsvärde",
    "nyckeltal_indikatorvärde",
    "nyckeltal_historicalindikatorvärde",
    "rapporter_textavsnitt",
    "rapporter_historicaltextavsnitt",
    "importer_import",
    "importer_importändring",
    "nämnd_verksamhetsområde",
    "jobb_jobb",
    "django_session",
]

FYLL = r"""
import random, time
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from ekonomi.models import Budgetpost, Kostnadsslag, Prognos, Utfall
from importer.models import Import, Importändring
from jobb.models import Jobb
from nyckeltal.models import Indikatorvärde, Nyckeltalsvärde
from nämnd.models import Kommun, Verksamhetsområde
from rapporter.models import Textavsnitt
from grund import historik
from socialreports import demodata
from tests.factories import syntetisk_nämnd

random.seed(1)
kommun = demodata.ladda(med_användare=True)
nämnder = [syntetisk_nämnd(kommun, 6, 10, f"Syntetisk {i}") for i in range(NÄMNDER)]
slag = [Kostnadsslag.objects.create(kommun=kommun, namn=f"Kostnadsslag {i}", typ="kostnad", ordning=i) for i in range(8)]
for n in nämnder:
    områden = list(Verksamhetsområde.objects.filter(nämnd=n, typ="verksamhet"))
    per_slag = [Utfall(verksamhetsområde=o, år=2024, månad=m, kostnadsslag=s, belopp=Decimal(random.randint(1, 10**7)) / 100)
                for o in områden[: len(områden) // 4] for m in range(1, 13) for s in slag]
    Utfall.objects.bulk_create(per_slag)
    Textavsnitt.objects.bulk_create(
        Textavsnitt(nämnd=n, år=2023, rapporttyp="delårsrapport", rubrik=f"Avsnitt {i}",
                    text=("Verksamheten har under perioden arbetat med " * 30)[: random.randint(600, 2500)])
        for i in range(10))
admin = get_user_model().objects.get(username="demo-admin")
for model in (Utfall, Budgetpost, Prognos, Nyckeltalsvärde, Indikatorvärde, Textavsnitt):
    objekt = list(model.objects.all())
    historik.registrera(model, objekt, historik.ÄNDRAD, admin, orsak="storleksmätning")
imp = Import.objects.create(kommun=kommun, typ="utfall", filnamn="huvudbok-2024-12.xlsx", sha256="0" * 64,
                            användare=admin, status="genomförd", antal_rader=1000)
Importändring.objects.bulk_create(
    Importändring(imp=imp, modell="Utfall", objekt_id=u.pk, beskrivning=f"{u.verksamhetsområde_id} 2024-{u.månad:02d} {u.kostnadsslag_id}",
                  gammalt="1 234 567,89", nytt="1 240 000,00")
    for u in Utfall.objects.filter(år=2024).only("pk", "verksamhetsområde_id", "månad", "kostnadsslag_id"))
Jobb.objects.bulk_create(Jobb(typ="pdf", status="klar", kommun=kommun, användare=admin,
                              parametrar={"nämnd_id": nämnder[0].id, "år": 2023, "typ": "delårsrapport"},
                              resultat={"url": "/namnd/1/2023/delårsrapport.pdf", "länktext": "Ladda ner PDF"},
                              klar=timezone.now()) for _ in range(2000))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--namnder", type=int, default=8)
    parser.add_argument(
        "--behall", action="store_true", help="keep the database (e.g. to time bin/backup); prints its URL"
    )
    args = parser.parse_args()
    namn = f"socialrapport_storlek_{os.getpid()}"
    url = skapa_databas(namn)
    try:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "socialreports.settings"}
        env.pop("REDIS_URL", None)
        py = str(ROT / ".venv" / "bin" / "python")
        subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROT, env=env, check=True)
        subprocess.run(
            [py, "manage.py", "shell", "-c", FYLL.replace("NÄMNDER", str(args.namnder))], cwd=ROT, env=env, check=True
        )
        sql(url, "VACUUM ANALYZE")
        print(f"{'tabell':<38}{'rader':>10}{'byte/rad':>10}{'totalt':>10}")
        for t in TABELLER:
            rader, storlek = sql(url, f'SELECT count(*), pg_total_relation_size(%s) FROM "{t}"', (f'"{t}"',))[0]
            per = storlek / rader if rader else float("nan")
            print(f"{t:<38}{rader:>10}{per:>10.0f}{storlek / 1024 / 1024:>8.1f} MB")
        total = sql(url, "SELECT pg_database_size(current_database())")[0][0]
        print(f"{'databasen totalt':<38}{'':>10}{'':>10}{total / 1024 / 1024:>8.1f} MB")
        if args.behall:
            print(f'DATABASE_URL={url}  (drop it: DROP DATABASE "{namn}")')
    finally:
        if not args.behall:
            radera_databas(namn)


if __name__ == "__main__":
    main()
