"""Benchmark: req/s for an uncached and a cached delårsrapport page on gunicorn + PostgreSQL + Redis.

    .venv/bin/python bench/cache.py [--sekunder 20] [--samtidiga 8] [--syntetisk]

One run: starts the production stack on loopback (bench/stack.py: throwaway database, own redis-server,
``bin/prod-start web`` + ``worker``), loads the demo kommun (and with --syntetisk a nämnd ten times larger
in the same kommun), logs in as demo-lasare and measures the same report URL three ways:

  uncached   every request first bumps the kommun's data version with one SQL UPDATE on the throwaway
             database (what any save does, nämnd/dataversion.py), so the report body's cache key
             is new and the report is built and rendered from PostgreSQL. The bump is part of the loop
             (about 1 ms); nothing in the app is changed or switched off.
  cached     the same loop without the bump: the body comes from Redis, the page around it (menu, user
             name, CSRF) is rendered per request.
  cached/wrk the cached page with wrk (apt-get install wrk), when installed: a client that costs the
             shared CPUs far less than Python threads, so closer to what the server can do.

Redis keyspace hits/misses per phase show that the phases really were misses and hits. Prints req/s,
p50/p95 latency and the ratio; the target is cached ≥ 10× uncached. The machine's load (uptime) is
printed before and after: on a shared machine req/s are noisy. So each phase also measures the server's
CPU time per request (gunicorn + PostgreSQL backends + redis-server, from /proc, the load generator not
included): that ratio, and cores / CPU per request as the capacity of an idle machine, do not depend on
what else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Klient, Stack, cookie_header, cpu_sekunder, psycopg_url, uptime  # noqa: E402

# The demo report measured with this script (--sekunder 15, 8 clients, no wrk) at HEAD 09e8676, before the fixed
# cost of a cached answer was cut (issue 13): 4 queries and the page frame rendered per cached request.
BASELINE = {
    "när": "2026-11-30 14:19–14:21 UTC, HEAD 09e8676",
    "belastning": "0,53 → 3,07",
    "ocachad_rps": 31.4,
    "cachad_rps": 214.9,
    "ocachad_cpu_ms": 59.3,
    "cachad_cpu_ms": 7.4,
}
MÅL = 10.0


def redis_stats(port: int) -> tuple[int, int]:
    ut = subprocess.run(["redis-cli", "-p", str(port), "info", "stats"], capture_output=True, text=True).stdout
    värden = dict(re.findall(r"^(keyspace_hits|keyspace_misses):(\d+)", ut, re.M))
    return int(värden.get("keyspace_hits", 0)), int(värden.get("keyspace_misses", 0))


def percentil(tider: list[float], p: float) -> float:
    if not tider:
        return float("nan")
    tider = sorted(tider)
    return tider[min(len(tider) - 1, int(round(p / 100 * (len(tider) - 1))))]


def kör_fas(
    stack: Stack, cookies, url: str, sekunder: float, samtidiga: int, bumpa: bool, kommun_id: int, kontroll: str
) -> dict:
    tider: list[float] = []
    fel: list[str] = []
    lås = threading.Lock()
    slut = time.perf_counter() + sekunder

    def arbetare():
        k = Klient(stack.url)
        k.cookies.update(cookies)
        with psycopg.connect(psycopg_url(stack.db_url), autocommit=True, application_name="bench-klient") as db:
            while time.perf_counter() < slut:
                if bumpa:
                    db.execute(
                        'UPDATE "nämnd_dataversion" SET version = version + 1 WHERE kommun_id = %s', (kommun_id,)
                    )
                t = time.perf_counter()
                try:
                    r = k.get(url)
                    ok = r.status_code == 200 and kontroll in r.text
                    orsak = f"HTTP {r.status_code}"
                except Exception as e:  # noqa: BLE001 — counted as an error
                    ok, orsak = False, type(e).__name__
                d = time.perf_counter() - t
                with lås:
                    (tider.append(d) if ok else fel.append(orsak))

    r0 = redis_stats(stack.redis_port)
    cpu = CpuMätning(stack)
    t0 = time.perf_counter()
    trådar = [threading.Thread(target=arbetare) for _ in range(samtidiga)]
    for t in trådar:
        t.start()
    for t in trådar:
        t.join()
    vägg = time.perf_counter() - t0
    r1 = redis_stats(stack.redis_port)
    return {
        "cpu": cpu.stoppa(len(tider) + len(fel)),
        "antal": len(tider),
        "fel": len(fel),
        "felorsaker": sorted(set(fel))[:3],
        "rps": len(tider) / vägg,
        "p50": percentil(tider, 50),
        "p95": percentil(tider, 95),
        "median": statistics.median(tider) if tider else 0,
        "träffar": r1[0] - r0[0],
        "missar": r1[1] - r0[1],
    }


class CpuMätning:
    """Server CPU seconds per request during a phase: gunicorn + Redis + the PostgreSQL backends of the
    database (not the load generator). Unlike req/s on a shared machine, this does not depend on how much
    of the CPUs the other users of the machine took, so it gives the capacity of an idle machine.
    Processes that start during the phase count from zero; one that ends during it is missed (none should:
    connections are kept, conn_max_age=60)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.start = {namn: {pid: cpu_sekunder([pid]) for pid in pids} for namn, pids in self._pids().items()}

    def _pids(self) -> dict[str, list[int]]:
        p = self.stack.serverprocesser()
        return {"web": p.get("web", []) + p.get("all", []), "redis": p.get("redis", []), "postgres": p["postgres"]}

    def stoppa(self, antal: int) -> dict:
        ut = {}
        for namn, pids in self._pids().items():
            ut[namn] = sum(cpu_sekunder([pid]) - self.start.get(namn, {}).get(pid, 0.0) for pid in pids)
        ut["per_förfrågan_ms"] = 1000 * sum(ut.values()) / max(antal, 1)
        return ut


def kör_wrk(stack: Stack, cookies, url: str, sekunder: float, samtidiga: int) -> dict | None:
    if not shutil.which("wrk"):
        return None
    cpu = CpuMätning(stack)
    ut = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{samtidiga}",
            f"-d{int(sekunder)}s",
            "--latency",
            "--timeout",
            "30s",
            "-H",
            f"Cookie: {cookie_header(cookies)}",
            "-H",
            "X-Forwarded-Proto: https",
            stack.url + quote(url),
        ],
        capture_output=True,
        text=True,
        timeout=sekunder + 60,
    )
    ut = ut.stdout + ut.stderr
    rps = re.search(r"Requests/sec:\s+([\d.]+)", ut)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", ut)
    fel = re.search(r"Socket errors:.*", ut)

    def lat(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", ut, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1}[m.group(2)]

    antal = re.search(r"(\d+) requests in", ut)
    cpu_resultat = cpu.stoppa(int(antal.group(1)) if antal else 0)
    if not rps:
        print(f"wrk: no result:\n{ut}")
    return {
        "cpu": cpu_resultat,
        "rps": float(rps.group(1)) if rps else 0.0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket": fel.group(0) if fel else "",
        "p50": lat(50),
        "p90": lat(90),
        "p99": lat(99),
        "rå": ut,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sekunder", type=float, default=20, help="per phase")
    parser.add_argument("--samtidiga", type=int, default=8, help="concurrent clients")
    parser.add_argument("--port", type=int, default=8702)
    parser.add_argument("--web-workers", type=int, default=None, help="WEB_CONCURRENCY (default 2×cores+1)")
    parser.add_argument("--syntetisk", action="store_true", help="also a nämnd ten times larger (130 verksamheter)")
    args = parser.parse_args()

    print(f"före:  {uptime()}")
    with Stack(args.port, namn="cache", separata=True, web_workers=args.web_workers) as s:
        s.ladda_demodata()
        rapporter = [("demo (Knivsta, 13 verksamheter)", s.nämnd_id(), "336\u00a0405")]
        if args.syntetisk:
            s.shell(
                "from nämnd.models import Kommun; from tests.factories import syntetisk_nämnd; "
                "syntetisk_nämnd(Kommun.objects.get(namn__startswith='Knivsta'), 13, 10, 'Syntetisk nämnd')"
            )
            rapporter.append(("syntetisk 10× (130 verksamheter)", s.nämnd_id("Syntetisk nämnd"), "Verksamhet 13.10"))
        kommun_id = s.shell("from nämnd.models import Kommun; print(Kommun.objects.get(namn__startswith='Knivsta').id)")
        kommun_id = int(kommun_id.strip().splitlines()[-1])
        k = Klient(s.url).logga_in("demo-lasare")
        workers = s.env().get("WEB_CONCURRENCY", "2×cores+1")
        print(
            f"stack: gunicorn ({workers} sync workers) + PostgreSQL (throwaway db) + redis-server :{s.redis_port}; "
            f"{args.samtidiga} samtidiga klienter, {args.sekunder:.0f} s per fas"
        )
        for namn, nid, kontroll in rapporter:
            url = f"/namnd/{nid}/2023/delårsrapport/"
            k.get(url)  # warm-up: imports, templates, connections
            okc = kör_fas(s, k.cookies, url, args.sekunder, args.samtidiga, True, kommun_id, kontroll)
            cac = kör_fas(s, k.cookies, url, args.sekunder, args.samtidiga, False, kommun_id, kontroll)
            wrk = kör_wrk(s, k.cookies, url, args.sekunder, args.samtidiga)
            print(f"\n{namn}: {url}")
            print(
                f"  {'fas':<18}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'antal':>7}{'fel':>5}{'redis träff/miss':>18}"
                f"{'server-CPU ms/req':>19}{'(web/pg/redis)':>17}"
            )
            rader = [("ocachad (Python)", okc), ("cachad (Python)", cac)] + ([("cachad (wrk)", wrk)] if wrk else [])
            for fas, r in rader:
                c = r["cpu"]
                träff = f"{r['träffar']}/{r['missar']}" if "träffar" in r else ""
                p95 = f"{r['p95'] * 1000:.1f}" if "p95" in r else f"p99 {r['p99'] * 1000:.0f}"
                antal, fel = (r["antal"], r["fel"]) if "antal" in r else ("", r["non2xx"])
                print(
                    f"  {fas:<18}{r['rps']:>8.1f}{r['p50'] * 1000:>8.1f}{p95:>8}{antal:>7}{fel:>5}{träff:>18}"
                    f"{c['per_förfrågan_ms']:>19.1f}{c['web']:>7.1f}/{c['postgres']:.1f}/{c['redis']:.1f} s"
                    + (f"  {r['felorsaker']}" if r.get("felorsaker") else "")
                )
            bästa = max([cac["rps"]] + ([wrk["rps"]] if wrk else []))
            cpu_kvot = okc["cpu"]["per_förfrågan_ms"] / min(r["cpu"]["per_förfrågan_ms"] for _, r in rader[1:])
            print(
                f"  kvot cachad/ocachad i req/s: {cac['rps'] / okc['rps']:.1f}× (samma Python-klient), "
                f"{bästa / okc['rps']:.1f}× (bästa klienten)"
            )
            print(
                f"  kvot i server-CPU per förfrågan: {cpu_kvot:.1f}×  → på en ledig maskin med {os.cpu_count()} kärnor "
                f"ungefär {os.cpu_count() * 1000 / okc['cpu']['per_förfrågan_ms']:.0f} ocachade och "
                f"{os.cpu_count() * 1000 / min(r['cpu']['per_förfrågan_ms'] for _, r in rader[1:]):.0f} cachade req/s"
            )
            if nid == rapporter[0][1]:  # the demo: side by side with the baseline
                b = BASELINE
                print(f"  baslinje ({b['när']}, belastning {b['belastning']}) → nu:")
                print(
                    f"    ocachad {b['ocachad_rps']:.1f} → {okc['rps']:.1f} req/s, "
                    f"cachad {b['cachad_rps']:.1f} → {cac['rps']:.1f} req/s (Python-klienten); "
                    f"server-CPU cachad {b['cachad_cpu_ms']:.1f} → {cac['cpu']['per_förfrågan_ms']:.1f} ms/förfrågan"
                )
                print(
                    f"    kvot req/s {b['cachad_rps'] / b['ocachad_rps']:.1f}× → {cac['rps'] / okc['rps']:.1f}×, "
                    f"kvot CPU {b['ocachad_cpu_ms'] / b['cachad_cpu_ms']:.1f}× → {cpu_kvot:.1f}×"
                )
            print(
                f"  mål ≥ {MÅL:.0f}× i req/s (samma Python-klient): "
                f"{'OK' if cac['rps'] >= MÅL * okc['rps'] else 'EJ NÅTT'}; "
                f"bästa klienten {'OK' if bästa >= MÅL * okc['rps'] else 'ej nått'}, "
                f"CPU {'OK' if cpu_kvot >= MÅL else 'ej nått'}"
            )
    print(f"\nefter: {uptime()}")


if __name__ == "__main__":
    main()
