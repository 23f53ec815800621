"""Load test: 50 simulated users for a bounded time against gunicorn + PostgreSQL + Redis + one Celery worker.

    bench/last.sh [--anvandare 50] [--sekunder 30] [--port 8703]     (not CI; needs locust in .venv)

Starts the production stack on loopback (bench/stack.py: throwaway database, own redis-server,
``bin/prod-start web`` and ``worker``), loads the demo kommun (plus ansvar codes and kostnadsslag so that an
ekonomisystem file can be imported), runs bench/locustfile.py headless (readers: reports and PDFs;
controllers: month-grid saves; one admin: utfall imports), waits for the PDF queue to drain, and reports:

* req/s, p50/p95 and errors per request type (locust's CSV),
* saves: every save the server answered with 302 must be in the database — the final value of each
  controller's row equals its last answered save, and there is one history row per answered save
  (0 lost saves); a save answered otherwise must have left nothing behind,
* imports: every confirmed import is genomförd with the file's sum, and the imported month in the database
  sums to the last confirmed file (a re-import replaces, never adds),
* jobs by state (klar / fel / still queued), and the machine's load before and after,
* a verdict line: PDF flows that failed (0 expected: a finished job's link gives its own version however
  many saves came after it), HTTP errors, lost or half-written saves.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROT, Stack, sql, uptime  # noqa: E402

HÄR = Path(__file__).resolve().parent


def locust_bin() -> str:
    kandidat = ROT / ".venv" / "bin" / "locust"
    if not kandidat.exists():
        sys.exit("locust saknas: .venv/bin/pip install locust  (optional bench dependency, see bench/README.md)")
    return str(kandidat)


def percentil(histogram: dict[str, int], p: float) -> float:
    """A percentile (ms) from locust's response-time histogram {rounded ms: count}."""
    punkter = sorted((float(k), n) for k, n in histogram.items())
    total = sum(n for _, n in punkter)
    if not total:
        return float("nan")
    gräns, summa = p / 100 * total, 0
    for värde, n in punkter:
        summa += n
        if summa >= gräns:
            return värde
    return punkter[-1][0]


def läs_stats(fil: Path, sekunder: float) -> list[dict]:
    """Per request type from locust's --json-file (written after the stop timeout, so PDF flows that end
    while the users stop are counted too). req/s over the test's duration."""
    rader = []
    for e in json.loads(fil.read_text(encoding="utf-8")):
        rader.append(
            {
                "typ": e["method"] or "",
                "namn": e["name"],
                "antal": e["num_requests"],
                "fel": e["num_failures"],
                "rps": e["num_requests"] / sekunder,
                "p50": percentil(e["response_times"], 50),
                "p95": percentil(e["response_times"], 95),
                "max": e["max_response_time"] or 0,
            }
        )
    rader.sort(key=lambda r: (r["typ"] == "FLÖDE", r["namn"]))
    return rader


def kontrollera_sparningar(s: Stack, logg: Path) -> dict:
    rader = [json.loads(r) for r in logg.read_text(encoding="utf-8").splitlines()] if logg.exists() else []
    per_cell: dict[tuple, list[dict]] = defaultdict(list)
    for r in rader:
        per_cell[(r["rad"], r["år"], r["månad"])].append(r)
    resultat = {
        "svar": len(rader),
        "sparade (302)": 0,
        "andra svar": 0,
        "förlorade": 0,
        "halvskrivna": 0,
        "historik saknas/extra": 0,
        "celler": len(per_cell),
        "avvikelser": [],
    }
    for (vo, år, månad), sparningar in sorted(per_cell.items()):
        sparningar.sort(key=lambda r: r["t"])
        ok = [r for r in sparningar if r["status"] == 302]
        resultat["sparade (302)"] += len(ok)
        resultat["andra svar"] += len(sparningar) - len(ok)
        utfall = sql(
            s.db_url,
            'SELECT belopp FROM "ekonomi_utfall" WHERE "verksamhetsområde_id" = %s AND "år" = %s '
            'AND "månad" = %s AND kostnadsslag_id IS NULL AND kategori = %s',
            (vo, år, månad, ""),
        )
        prognos = sql(
            s.db_url,
            'SELECT belopp FROM "ekonomi_prognos" WHERE "verksamhetsområde_id" = %s AND "år" = %s AND "månad" = %s',
            (vo, år, månad),
        )
        historik = sql(
            s.db_url,
            'SELECT count(*) FROM "ekonomi_historicalutfall" WHERE "verksamhetsområde_id" = %s '
            'AND "år" = %s AND "månad" = %s AND history_type IN (%s, %s)',
            (vo, år, månad, "+", "~"),
        )[0][0]
        u = utfall[0][0] if utfall else None
        p = prognos[0][0] if prognos else None
        if u is not None and p is not None and u * 12 != p:
            resultat["halvskrivna"] += 1
            resultat["avvikelser"].append(f"rad {vo} {år}-{månad}: utfall {u} men prognos {p}")
        if ok:
            sista = Decimal(ok[-1]["tkr"]) * 1000
            # A save answered with an error may still have committed (the answer was lost, not the commit):
            # then the stored value is that later attempt's. Anything else is a lost save.
            senare = {Decimal(r["tkr"]) * 1000 for r in sparningar if r["t"] > ok[-1]["t"]}
            if u != sista and u not in senare:
                resultat["förlorade"] += 1
                resultat["avvikelser"].append(f"rad {vo} {år}-{månad}: senast sparat {sista}, i databasen {u}")
            lagrade = {Decimal(r["tkr"]) * 1000 for r in sparningar}
            if not (len(ok) <= historik <= len(sparningar)):
                resultat["historik saknas/extra"] += 1
                resultat["avvikelser"].append(f"rad {vo} {år}-{månad}: {len(ok)} sparade men {historik} historikrader")
            if u is not None and u not in lagrade:
                resultat["avvikelser"].append(f"rad {vo} {år}-{månad}: okänt värde {u}")
    return resultat


IMPORTKODER = """
from ekonomi.models import Kostnadsslag
from nämnd.models import Nämnd, Verksamhetsområde
n = Nämnd.objects.get(pk=NID)
koder = []
for i, o in enumerate(Verksamhetsområde.objects.filter(nämnd=n, typ="verksamhet", barn__isnull=True).order_by("ordning")):
    o.ansvarskoder = f"6{i:03d}"
    o.save(update_fields=["ansvarskoder"])
    koder.append(o.ansvarskoder)
Kostnadsslag.objects.bulk_create([
    Kostnadsslag(kommun=n.kommun, namn="Intäkter", typ="intäkt", konton="3000-3999"),
    Kostnadsslag(kommun=n.kommun, namn="Personal", typ="kostnad", konton="4000-4599"),
    Kostnadsslag(kommun=n.kommun, namn="Köp av verksamhet", typ="kostnad", konton="4600-4699"),
    Kostnadsslag(kommun=n.kommun, namn="Övrigt", typ="kostnad", konton="5000-8999"),
])
print("KODER", ",".join(koder))
"""


def kontrollera_importer(s: Stack, logg: Path, nid: int, månad: int) -> dict:
    rader = [json.loads(r) for r in logg.read_text(encoding="utf-8").splitlines()] if logg.exists() else []
    ok = sorted([r for r in rader if r["status"] == 302], key=lambda r: r["t"])
    resultat = {"bekräftade (302)": len(ok), "andra svar": len(rader) - len(ok), "avvikelser": []}
    for r in ok:
        rad = sql(
            s.db_url,
            "SELECT status, summa_fil, summa_lagrad, coalesce(summa_ej_fördelad, 0), antal_fel "
            'FROM "importer_import" WHERE id = %s',
            (r["import"],),
        )
        if not rad or rad[0][0] != "genomförd" or rad[0][1] != Decimal(r["summa_öre"]) / 100 or rad[0][4]:
            resultat["avvikelser"].append(f"import {r['import']}: {rad}")
    if ok:
        lagrat = sql(
            s.db_url,
            'SELECT coalesce(sum(u.belopp), 0) FROM "ekonomi_utfall" u JOIN "nämnd_verksamhetsområde" v '
            'ON v.id = u."verksamhetsområde_id" WHERE v."nämnd_id" = %s AND u."år" = 2023 AND u."månad" = %s',
            (nid, månad),
        )[0][0]
        sista = Decimal(ok[-1]["summa_öre"]) / 100
        resultat["månadens summa i databasen = sista filens"] = lagrat == sista
        if lagrat != sista:
            resultat["avvikelser"].append(f"2023-{månad:02d}: lagrat {lagrat}, sista filen {sista}")
    return resultat


def vänta_på_kön(s: Stack, frist: float) -> dict:
    slut = time.time() + frist
    while True:
        per_status = dict(sql(s.db_url, 'SELECT status, count(*) FROM "jobb_jobb" GROUP BY status'))
        if not (per_status.get("köad") or per_status.get("pågår")) or time.time() > slut:
            return per_status
        time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--anvandare", type=int, default=50)
    parser.add_argument("--sekunder", type=int, default=30)
    parser.add_argument("--port", type=int, default=8703)
    parser.add_argument("--web-workers", type=int, default=None)
    parser.add_argument("--worker-concurrency", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--riktig-inloggning",
        action="store_true",
        help="every simulated user logs in through the form (default: sessions made beforehand)",
    )
    args = parser.parse_args()

    print(f"före:  {uptime()}")
    arbetskatalog = Path(tempfile.mkdtemp(prefix="socialrapport-last-"))
    with Stack(
        args.port, namn="last", separata=True, web_workers=args.web_workers, celery_concurrency=args.worker_concurrency
    ) as s:
        s.ladda_demodata()
        nid = s.nämnd_id()
        stängda = sql(s.db_url, 'SELECT "månad" FROM "nämnd_period" WHERE "år" = 2023 AND "stängd"')
        månader = [m for m in (9, 10, 11, 12) if (m,) not in stängda][:3]
        importmånad = månader.pop()  # a month only the importer writes
        koder = [
            r.split()[1] for r in s.shell(IMPORTKODER.replace("NID", str(nid))).splitlines() if r.startswith("KODER ")
        ][0]
        sparlogg = arbetskatalog / "sparningar.jsonl"
        sessioner = {}
        if not args.riktig_inloggning:
            sessioner = {
                "BENCH_SESSIONER_LASARE": " ".join(s.sessioner("demo-lasare", args.anvandare)),
                "BENCH_SESSIONER_CONTROLLER": " ".join(s.sessioner("demo-controller", args.anvandare)),
                "BENCH_SESSIONER_ADMIN": " ".join(s.sessioner("demo-admin", 1)),
            }
        importlogg = arbetskatalog / "importer.jsonl"
        env = {
            **os.environ,
            **sessioner,
            "BENCH_NAMND_ID": str(nid),
            "BENCH_AR": "2023",
            "BENCH_MANADER": ",".join(map(str, månader)),
            "BENCH_SPARLOGG": str(sparlogg),
            "BENCH_IMPORT_KODER": koder,
            "BENCH_IMPORT_MANAD": str(importmånad),
            "BENCH_IMPORTLOGG": str(importlogg),
        }
        prefix = str(arbetskatalog / "locust")
        print(
            f"stack: {s.url}, gunicorn {s.env().get('WEB_CONCURRENCY', '2×cores+1')} workers, 1 Celery-worker "
            f"(concurrency {args.worker_concurrency}), PostgreSQL, redis :{s.redis_port}; "
            f"{args.anvandare} användare i {args.sekunder} s; loggar {s.loggdir}, {arbetskatalog}"
        )
        t0 = time.time()
        lc = subprocess.run(
            [
                locust_bin(),
                "-f",
                str(HÄR / "locustfile.py"),
                "--headless",
                "-u",
                str(args.anvandare),
                "-r",
                "10",
                "-t",
                f"{args.sekunder}s",
                "--stop-timeout",
                "30",
                "--host",
                s.url,
                "--csv",
                prefix,
                "--json-file",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=HÄR,
            env=env,
            capture_output=True,
            text=True,
            timeout=args.sekunder + 180,
        )
        (arbetskatalog / "locust.out").write_text(lc.stdout + lc.stderr)
        körtid = time.time() - t0
        jobb = vänta_på_kön(s, 120)
        stats = läs_stats(Path(prefix + ".json"), args.sekunder)
        spar = kontrollera_sparningar(s, sparlogg)
        imp = kontrollera_importer(s, importlogg, nid, importmånad)

        print(f"\nlocust: {körtid:.0f} s (inkl. upp- och nedrampning), exit {lc.returncode}")
        print(f"{'typ':<8}{'förfrågan':<32}{'antal':>7}{'fel':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        http = [r for r in stats if r["typ"] != "FLÖDE"]
        for r in [
            *stats,
            {
                "typ": "",
                "namn": "HTTP totalt",
                "antal": sum(r["antal"] for r in http),
                "fel": sum(r["fel"] for r in http),
                "rps": sum(r["rps"] for r in http),
                "p50": float("nan"),
                "p95": float("nan"),
                "max": max((r["max"] for r in http), default=0),
            },
        ]:
            print(
                f"{r['typ']:<8}{r['namn'][:31]:<32}{r['antal']:>7}{r['fel']:>6}{r['rps']:>8.2f}"
                f"{r['p50']:>9.0f}{r['p95']:>9.0f}{r['max']:>9.0f}"
            )
        fel_csv = Path(prefix + "_failures.csv")
        if fel_csv.exists():
            for r in list(csv.DictReader(fel_csv.open(encoding="utf-8")))[:10]:
                print(f"  fel: {r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}")
        for rad in (lc.stdout + lc.stderr).splitlines():
            if "Error" in rad or "Traceback" in rad:
                print(f"  locust: {rad.strip()[:160]}")
        print(f"\nsparningar: {json.dumps({k: v for k, v in spar.items() if k != 'avvikelser'}, ensure_ascii=False)}")
        for a in spar["avvikelser"][:10]:
            print(f"  {a}")
        print(f"importer: {json.dumps({k: v for k, v in imp.items() if k != 'avvikelser'}, ensure_ascii=False)}")
        for a in imp["avvikelser"][:10]:
            print(f"  {a}")
        print(f"jobb per status efter körningen: {jobb}")
        flöden = next((r for r in stats if r["namn"] == "PDF hela flödet"), {"antal": 0, "fel": 0})
        inaktuella = next((r["antal"] for r in stats if r["namn"].startswith("PDF inaktuell")), 0)
        http_fel = sum(r["fel"] for r in http)
        ok = (
            flöden["fel"] == 0
            and http_fel == 0
            and spar["förlorade"] == 0
            and spar["halvskrivna"] == 0
            and not imp["avvikelser"]
            and not (jobb.get("fel") or jobb.get("köad") or jobb.get("pågår"))
        )
        print(
            f"\nresultat: {'OK' if ok else 'AVVIKELSE'} — PDF-flöden {flöden['antal']}, varav misslyckade "
            f"{flöden['fel']} (nytt jobb för att datat ändrats: {inaktuella}); HTTP-fel {http_fel}; sparningar "
            f"{spar['sparade (302)']}, förlorade {spar['förlorade']}, halvskrivna {spar['halvskrivna']}; "
            f"jobb fel {jobb.get('fel', 0)}, kvar i kön {jobb.get('köad', 0) + jobb.get('pågår', 0)}"
        )
        print(f"\nefter: {uptime()}")


if __name__ == "__main__":
    main()
