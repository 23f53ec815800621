"""Benchmark: importing an ekonomisystem export of 10 000 and 100 000 rows, end to end, against the time
openpyxl (read_only) needs just to read the same file, and peak memory.

    .venv/bin/python bench/import_utfall.py [--postgres] [--rader 10000 100000]

Each measurement runs in its own subprocess, so ru_maxrss is that run's own peak. End to end = the confirm
path ``importer.utfall.importera_utfall(..., spara=True)``: safety checks, parse, map codes and kontos,
aggregate, plan against the database and write the aggregates (bulk) with their history and change log.
SQLite always (a throwaway file); PostgreSQL too with --postgres or DATABASE_URL set (a throwaway database
is created on that server and dropped afterwards). Targets: end to end ≤ 0.5 × openpyxl's bare read; memory
growth from 10 000 to 100 000 rows ≤ 150 MB. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOKAL_PG = "postgres://socialrapport:socialrapport-ci@127.0.0.1:5432/socialrapport"
BLOCK, PER_BLOCK = 10, 10  # 100 verksamhetsområden with ansvar codes 7BVV
RUBRIKER = ["Period", "Ansvar", "Vht", "Konto", "Motpart", "Text", "Belopp"]


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generera(rader: int, sökväg: Path) -> None:
    """A transaction export: Jan–Aug 2023, 100 areas' codes plus 1 % unknown codes, kontos in four ranges,
    identical rows, motpart and text columns."""
    import openpyxl

    r = random.Random(rader)  # noqa: S311 — test data, not secrets
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Utfall")
    ws.append(["Utfall per ansvar och konto"])
    ws.append([])
    ws.append(RUBRIKER)
    koder = [f"7{b}{v:02d}" for b in range(BLOCK) for v in range(PER_BLOCK)]
    for i in range(rader):
        ansvar = r.choice(koder) if r.random() > 0.01 else f"99{r.randint(0, 9)}"
        rad = [
            f"2023{r.randint(1, 8):02d}",
            ansvar,
            str(r.randint(500, 530)),
            str(r.choice([3510, 4010, 4650, 5400, 7010])),
            f"Leverantör {r.randint(1, 500)}",
            f"Faktura {r.randint(1, 10**6)}",
            round(r.uniform(-5000, 20000), 2),
        ]
        ws.append(rad)
        if i % 50 == 0 and i + 1 < rader:
            ws.append(rad)  # identical rows are normal in transaction exports
    wb.save(sökväg)


def mät_openpyxl(sökväg: Path) -> dict:
    import openpyxl

    start = time.perf_counter()
    wb = openpyxl.load_workbook(sökväg, read_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return {"sekunder": time.perf_counter() - start, "rader": n, "maxrss_mb": maxrss_mb()}


def mät_calamine(sökväg: Path) -> dict:
    """The bare read of the same file with python-calamine (what importer.lasare uses for .xlsx)."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    n = sum(1 for _ in CalamineWorkbook.from_path(str(sökväg)).get_sheet_by_index(0).iter_rows())
    return {"sekunder": time.perf_counter() - start, "rader": n, "maxrss_mb": maxrss_mb()}


def mät_import(sökväg: Path, databas: str) -> dict:
    os.environ["DATABASE_URL"] = databas
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialreports.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from ekonomi.models import Kostnadsslag, Utfall
    from importer import utfall
    from nämnd.models import Kommun, Nämnd, Verksamhetsområde

    settings.IMPORT_TEMP_DIR = tempfile.mkdtemp(prefix="bench-import-")
    call_command("migrate", verbosity=0)
    kommun = Kommun.objects.create(namn=f"Benchkommun {time.time_ns()}")
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Socialnämnden")
    for b in range(BLOCK):
        block = Verksamhetsområde.objects.create(nämnd=nämnd, namn=f"Block {b}", typ="block", ordning=b * 100)
        Verksamhetsområde.objects.bulk_create(
            Verksamhetsområde(
                nämnd=nämnd,
                förälder=block,
                namn=f"Verksamhet {b}.{v}",
                ordning=b * 100 + v + 1,
                ansvarskoder=f"7{b}{v:02d}" if v else f"7{b}*",
            )
            for v in range(PER_BLOCK)
        )
    Kostnadsslag.objects.bulk_create(
        [
            Kostnadsslag(kommun=kommun, namn="Intäkter", typ="intäkt", konton="3000-3999"),
            Kostnadsslag(kommun=kommun, namn="Personal", typ="kostnad", konton="4000-4599"),
            Kostnadsslag(kommun=kommun, namn="Köp av verksamhet", typ="kostnad", konton="4600-4699"),
            Kostnadsslag(kommun=kommun, namn="Övrigt", typ="kostnad", konton="5000-8999"),
        ]
    )
    user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password=None)
    före = maxrss_mb()
    data = sökväg.read_bytes()
    imp = utfall.skapa_import(user, nämnd, sökväg.name, data, None)
    start = time.perf_counter()
    förhandsgranskning = utfall.importera_utfall(imp, data, user)
    mitt = time.perf_counter()
    resultat = utfall.importera_utfall(imp, data, user, spara=True, fingeravtryck=förhandsgranskning.fingeravtryck)
    slut = time.perf_counter()
    utfall.radera_väntande(imp, user)
    lagrat = sum(Utfall.objects.filter(verksamhetsområde__nämnd=nämnd).values_list("belopp", flat=True))
    if resultat.antal_fel or not resultat.avstämning_stämmer or lagrat != resultat.summa_fil:
        sys.exit(f"avstämningen stämmer inte: fil {resultat.summa_fil}, lagrat {lagrat}, fel {resultat.antal_fel}")
    # the same file again: nothing changes
    imp2 = utfall.skapa_import(user, nämnd, sökväg.name, data, None)
    igen = utfall.importera_utfall(imp2, data, user)
    shutil.rmtree(settings.IMPORT_TEMP_DIR, ignore_errors=True)
    return {
        "databas": connection.vendor,
        "rader": resultat.antal_rader,
        "förhandsgranskning": mitt - start,
        "import": slut - mitt,
        "värden": resultat.antal("ny"),
        "ej_fördelade_koder": len(resultat.oplacerade),
        "andra_gången_ändrade": igen.antal("ny") + igen.antal("ändrad") + igen.antal("borttagen"),
        "maxrss_mb": maxrss_mb(),
        "maxrss_före_mb": före,
    }


def barn(*argument: str) -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--barn", *argument],  # noqa: S603 — this script itself
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode:
        sys.exit(f"{' '.join(argument)} misslyckades:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="också PostgreSQL (DATABASE_URL eller lokal)")
    parser.add_argument("--rader", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--barn", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.barn:
        slag, fil, databas = args.barn
        mätare = {"openpyxl": mät_openpyxl, "calamine": mät_calamine}
        print(json.dumps(mätare[slag](Path(fil)) if slag in mätare else mät_import(Path(fil), databas)))
        return

    katalog = Path(tempfile.mkdtemp(prefix="bench-utfall-"))
    pg = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
    if args.postgres and not pg:
        pg = LOKAL_PG
    try:
        resultat = mät(args.rader, katalog, pg)
    finally:
        shutil.rmtree(katalog, ignore_errors=True)
    skriv_ut(resultat)


def mät(storlekar: list[int], katalog: Path, pg: str) -> list[dict]:
    resultat = []
    for n in storlekar:
        fil = katalog / f"utfall-{n}.xlsx"
        start = time.perf_counter()
        generera(n, fil)
        print(
            f"genererade {fil.name} ({fil.stat().st_size / 1e6:.1f} MB) på {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        rad = {
            "rader": n,
            "mb": fil.stat().st_size / 1e6,
            "openpyxl": barn("openpyxl", str(fil), "-"),
            "calamine": barn("calamine", str(fil), "-"),
        }
        rad["sqlite"] = barn("import", str(fil), f"sqlite:///{katalog}/bench-{n}.sqlite3")
        if pg:
            rad["postgresql"] = med_tillfällig_pg(pg, lambda url, f=fil: barn("import", str(f), url))
        resultat.append(rad)
    return resultat


def skriv_ut(resultat: list[dict]) -> None:
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}, belastning (1 min) {os.getloadavg()[0]:.1f}")
    print(f"{'rader':>8} {'openpyxl läs s':>15} {'calamine läs s':>15} {'openpyxl/calamine':>18}")
    for rad in resultat:
        o, c = rad["openpyxl"]["sekunder"], rad["calamine"]["sekunder"]
        print(f"{rad['rader']:>8} {o:>15.2f} {c:>15.2f} {o / c:>18.1f}")
    print(
        f"\n{'rader':>8} {'fil MB':>7} {'openpyxl läs s':>15} {'databas':>11} {'granska s':>10} {'import s':>9} "
        f"{'× openpyxl':>11} {'maxrss MB':>10} {'2:a gången':>11}"
    )
    for rad in resultat:
        for db in ("sqlite", "postgresql"):
            if db not in rad:
                continue
            m = rad[db]
            print(
                f"{rad['rader']:>8} {rad['mb']:>7.1f} {rad['openpyxl']['sekunder']:>15.2f} {db:>11} "
                f"{m['förhandsgranskning']:>10.2f} {m['import']:>9.2f} "
                f"{m['import'] / rad['openpyxl']['sekunder']:>11.2f} {m['maxrss_mb']:>10.0f} "
                f"{m['andra_gången_ändrade']:>8} ändr."
            )
    if len(resultat) >= 2:
        liten, stor = resultat[0], resultat[-1]
        for db in ("sqlite", "postgresql"):
            if db in liten and db in stor:
                tillväxt = stor[db]["maxrss_mb"] - liten[db]["maxrss_mb"]
                kvot = stor[db]["import"] / stor["openpyxl"]["sekunder"]
                print(
                    f"{db}: minnesökning {liten['rader']}→{stor['rader']} rader {tillväxt:.0f} MB (mål ≤ 150), "
                    f"import/openpyxl vid {stor['rader']} rader {kvot:.2f} (mål ≤ 0,5)"
                )


def med_tillfällig_pg(url: str, gör):
    """Run ``gör(url)`` against a throwaway database on the same server, dropped afterwards."""
    import psycopg

    bas, _, _ = url.rpartition("/")
    namn = f"socialrapport_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{namn}"')
    try:
        return gör(f"{bas}/{namn}")
    finally:
        with psycopg.connect(url, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{namn}" WITH (FORCE)')


if __name__ == "__main__":
    main()
