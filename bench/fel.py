"""Fault runs on loopback (bounded in time, not CI): what users see and what is stored when a part fails.

    .venv/bin/python bench/fel.py [--bara worker,redis,postgres] [--pg-omstart kluster|databas]

Starts the production stack (bench/stack.py: throwaway database, own redis-server with an append-only
file, ``bin/prod-start web`` + ``worker`` with CELERY_VISIBILITY_TIMEOUT=15 s) with the demo kommun and a
nämnd ten times larger (its PDF takes seconds to render, so "mid-render" is a real window), then:

1. worker  — SIGKILL the Celery worker (main process and pool) while it renders a PDF; start a new worker.
             The job was acknowledged late, so Redis hands it out again after the visibility timeout.
             Expected: redelivered within the visibility timeout + one restore interval of the moment both
             the timeout has passed and the new worker is up (settings.py: unacked_restore_throttle 1), the
             job ends klar, försök = 2, the PDF downloads, /halsa/ 200. Then SIGKILL only the pool process
             mid-render (the worker survives): rejected on worker loss, requeued at once; same expectations.
2. redis   — stop Redis while a PDF job runs; while it is down, fetch a report page, /halsa/, the job's
             status and a new PDF; start Redis again (same data directory). Expected: the report page 200
             (rendered uncached), the new PDF request a job marked fel with a clear message (no 500, no
             hang), the running job klar (it does not need Redis), none left köad/pågår; after the restart
             /halsa/ 200 on every call once the worker has reconnected, and "Kör igen" on the fel job gives
             the PDF.
3. postgres — four controllers save month grids in a loop; PostgreSQL is restarted in the middle
             (``--pg-omstart kluster``: ``pg_ctlcluster <version> <cluster> restart`` of the cluster that
             DATABASE_URL points at — everyone on it notices, so use a dedicated cluster on a shared machine,
             see bench/README.md; ``databas`` (default): the throwaway database's connections are terminated
             and refused for a few seconds, which the app sees the same way and nobody else notices). A PDF
             job runs across the restart too. Expected: saves answered 302 are all stored, the others got
             an error page and left nothing; no row half-written (utfall and prognos of a save together);
             the job, retried on the database error, ends klar; /halsa/ 200 afterwards.

Prints what happened, step by step, and a verdict per run.
"""

from __future__ import annotations

import argparse
import html
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Klient, Stack, barnprocesser, psycopg_url, sql, uptime  # noqa: E402

T0 = time.time()


def logg(text: str) -> None:
    print(f"[{time.time() - T0:6.1f} s] {text}", flush=True)


def jobb_rad(s: Stack, jobb_url: str) -> dict:
    jid = jobb_url.rstrip("/").rsplit("/", 1)[1]
    try:
        rad = sql(s.db_url, 'SELECT status, "försök", fel FROM "jobb_jobb" WHERE id = %s', (jid,))
    except Exception as e:  # noqa: BLE001 — the database may be down
        return {"status": f"(databasfel: {type(e).__name__})", "försök": None, "fel": ""}
    return {"status": rad[0][0], "försök": rad[0][1], "fel": rad[0][2]} if rad else {"status": "saknas"}


def bumpa(s: Stack, kommun_id: int) -> None:
    """A new data version, so the next PDF is not in the cache (what any save does)."""
    sql(s.db_url, 'UPDATE "nämnd_dataversion" SET version = version + 1 WHERE kommun_id = %s', (kommun_id,))


def starta_pdf(k: Klient, nid: int, typ: str = "delårsrapport", år: int = 2023) -> str | None:
    r = k.get(f"/namnd/{nid}/{år}/{typ}.pdf")
    return r.headers["Location"].split("?")[0] if r.status_code == 302 else None


def vänta_status(s: Stack, jobb_url: str, status: set[str], frist: float) -> dict:
    slut = time.time() + frist
    while True:
        rad = jobb_rad(s, jobb_url)
        if rad["status"] in status or time.time() > slut:
            return rad
        time.sleep(0.1)


def hämta_resultat(k: Klient, jobb_url: str) -> str:
    r = k.get(jobb_url + "?format=json")
    if r.status_code != 200:
        return f"status HTTP {r.status_code}"
    j = r.json()
    if j["status"] != "klar":
        return f"jobb {j['status']}: {j['fel']}"
    pdf = k.get(j["resultat_url"])
    if pdf.status_code == 200 and pdf.content[:5] == b"%PDF-":
        return f"PDF {len(pdf.content) // 1024} kB"
    return f"nedladdning HTTP {pdf.status_code}" + (" (ny version: nytt jobb)" if pdf.status_code == 302 else "")


def hälsa_efter(k: Klient, frist: float = 120, gånger: int = 6) -> tuple[float | None, bool, str]:
    """After a recovery: seconds until /halsa/ first answers 200, and whether the next ``gånger`` calls (spread
    over the gunicorn processes) all answer 200 too."""
    t, senast = time.time(), ""
    while time.time() - t < frist:
        try:
            r = k.get("/halsa/", timeout=15)
            senast = f"HTTP {r.status_code} {r.text[:160]}"
            if r.status_code == 200:
                break
        except Exception as e:  # noqa: BLE001
            senast = type(e).__name__
        time.sleep(0.5)
    else:
        return None, False, senast
    till_200 = time.time() - t
    svar = [k.get("/halsa/", timeout=15).status_code for _ in range(gånger)]
    return till_200, all(x == 200 for x in svar), f"därefter {svar}"


def logga_hälsa(k: Klient, när: str) -> bool:
    till_200, alla, text = hälsa_efter(k)
    if till_200 is None:
        logg(f"/halsa/ {när}: aldrig 200 ({text})")
        return False
    logg(f"/halsa/ {när}: 200 efter {till_200:.1f} s, {text}")
    return alla


def kör_igen(k: Klient, jobb_url: str) -> str:
    """The user presses "Kör igen" on the job page (POST with the page's CSRF token)."""
    token = k.csrf(jobb_url)
    r = k.post(jobb_url + "kor-igen/", data={"csrfmiddlewaretoken": token})
    return f"HTTP {r.status_code} → {r.headers.get('Location', '')}"


# --- 1. worker killed mid-render --------------------------------------------------------------------------

SYNLIGHET, INTERVALL = 15, 5  # CELERY_VISIBILITY_TIMEOUT below, and settings.py's restore interval for it


def vänta_på_omleverans(s: Stack, k: Klient, jobb: str, frist: float = 180) -> tuple[float | None, float | None]:
    """Poll until the new worker answers /halsa/ and the job is handed out again (försök 2); their times."""
    redo = omlevererad = None
    slut = time.time() + frist
    while time.time() < slut and (redo is None or omlevererad is None):
        if omlevererad is None and (jobb_rad(s, jobb).get("försök") or 0) >= 2:
            omlevererad = time.time()
        if redo is None:
            try:
                if k.get("/halsa/", timeout=10).status_code == 200:
                    redo = time.time()
            except Exception:  # noqa: BLE001, S110 — not up yet
                pass
        time.sleep(0.2)
    return redo, omlevererad


def kör_worker(s: Stack, k: Klient, stor: int, kommun_id: int) -> bool:
    print("\n=== 1. Celery-workern dödas (SIGKILL) mitt i en PDF-rendering")
    ok = True
    bumpa(s, kommun_id)
    jobb = starta_pdf(k, stor)
    logg(f"PDF begärd → 302 {jobb}")
    rad = vänta_status(s, jobb, {"pågår"}, 60)
    levererad = time.time()
    time.sleep(1.0)
    logg(f"jobbet {rad['status']} (försök {rad['försök']}); SIGKILL till workerns processgrupp (huvudprocess + pool)")
    w = s.processer["worker"]
    w.signal(signal.SIGKILL)
    w.p.wait()
    dödad = time.time()
    time.sleep(2)
    logg(
        f"worker död; jobbet i databasen: {jobb_rad(s, jobb)['status']}; /jobb/ visar: {k.get(jobb + '?format=json').json()['text']}"
    )
    t = time.time()
    s.starta_roll("worker")
    logg(f"ny worker startad (bin/prod-start worker); visibility timeout {SYNLIGHET} s, sökintervall {INTERVALL} s")
    redo, omlevererad = vänta_på_omleverans(s, k, jobb)
    if redo and omlevererad:
        # The earliest possible moment: the visibility timeout has run out and a worker is there to look.
        tidigast = max(redo, levererad + SYNLIGHET)
        sen = omlevererad - tidigast
        logg(
            f"worker uppe (/halsa/ 200) efter {redo - t:.0f} s; jobbet omlevererat {omlevererad - dödad:.0f} s efter "
            f"SIGKILL, {max(sen, 0):.0f} s efter att timeouten gått ut och workern var uppe (gräns {INTERVALL} s + 3 s)"
        )
        ok &= sen <= INTERVALL + 3
    else:
        logg(f"worker uppe: {redo is not None}, omlevererat: {omlevererad is not None} inom 180 s")
        ok = False
    rad = vänta_status(s, jobb, {"klar", "fel"}, 180)
    logg(f"jobbet {rad['status']} efter {time.time() - t:.0f} s, försök {rad['försök']} {rad['fel'][:80]}")
    res = hämta_resultat(k, jobb)
    logg(f"användaren laddar ner: {res}")
    ok &= rad["status"] == "klar" and rad["försök"] == 2 and res.startswith("PDF")
    ok &= logga_hälsa(k, "efter ny worker")

    bumpa(s, kommun_id)
    jobb = starta_pdf(k, stor)
    rad = vänta_status(s, jobb, {"pågår"}, 120)
    time.sleep(1.0)
    w = s.processer["worker"]
    barn = barnprocesser(w.p.pid)
    logg(f"nytt jobb {jobb} {rad['status']}; SIGKILL bara till poolprocessen {barn} (workern lever)")
    for pid in barn:
        subprocess.run(["kill", "-KILL", str(pid)], check=False)
    t = time.time()
    rad = vänta_status(s, jobb, {"klar", "fel"}, 180)
    logg(f"jobbet {rad['status']} efter {time.time() - t:.0f} s, försök {rad['försök']} {rad['fel'][:80]}")
    res = hämta_resultat(k, jobb)
    logg(f"användaren laddar ner: {res}")
    ok &= rad["status"] == "klar" and rad["försök"] == 2 and res.startswith("PDF")
    ok &= logga_hälsa(k, "efter dödad poolprocess")
    print(f"--- worker: {'OK' if ok else 'AVVIKELSE'}")
    return ok


# --- 2. Redis stopped during a job ----------------------------------------------------------------------------


def kör_redis(s: Stack, k: Klient, stor: int, demo: int, kommun_id: int) -> bool:
    print("\n=== 2. Redis stoppas under ett jobb")
    bumpa(s, kommun_id)
    jobb = starta_pdf(k, stor)
    rad = vänta_status(s, jobb, {"pågår"}, 60)
    logg(f"PDF-jobb {jobb} {rad['status']}; stoppar redis-server (SIGTERM)")
    time.sleep(1.0)
    s.processer["redis"].stoppa()
    under: list[str] = []

    def prova(namn: str, url: str) -> None:
        t = time.perf_counter()
        try:
            r = k.get(url, timeout=60)
            text = (
                re.sub(r"\s+", " ", r.text)[:100]
                if r.headers.get("Content-Type", "").startswith(("text/", "application/json"))
                else ""
            )
            under.append(
                f"{namn}: HTTP {r.status_code} på {time.perf_counter() - t:.1f} s {r.headers.get('Location', '')} {text}"
            )
        except Exception as e:  # noqa: BLE001
            under.append(f"{namn}: {type(e).__name__} efter {time.perf_counter() - t:.1f} s")

    prova("rapportsida", f"/namnd/{demo}/2023/delårsrapport/")
    prova("jobbets status", jobb + "?format=json")
    prova("/halsa/", "/halsa/")
    t = time.perf_counter()
    r, ny_jobb, sida_ok = None, None, False
    try:
        r = k.get(f"/namnd/{demo}/2024/verksamhetsplan.pdf", timeout=60)
        under.append(
            f"ny PDF-begäran: HTTP {r.status_code} på {time.perf_counter() - t:.1f} s {r.headers.get('Location', '')}"
        )
        sida_ok = k.get(f"/namnd/{demo}/2023/delårsrapport/", timeout=60).status_code == 200
        if r.status_code == 302:
            ny_jobb = r.headers["Location"].split("?")[0]
            j = k.get(ny_jobb + "?format=json").json()
            under.append(f"ny PDF-begäran, jobbsidan: {j['status']}: {j['fel']}")
    except Exception as e:  # noqa: BLE001
        under.append(f"ny PDF-begäran: {type(e).__name__} efter {time.perf_counter() - t:.1f} s")
    for rad_ in under:
        logg(f"  medan Redis är nere — {rad_}")
    rad = vänta_status(s, jobb, {"klar", "fel"}, 60)
    logg(f"det pågående jobbet medan Redis är nere: {rad['status']} {rad['fel'][:100]}")
    logg(f"användaren ser på /jobb/: {k.get(jobb + '?format=json').json()}")
    time.sleep(5)
    s.starta_redis()
    logg("redis-server startad igen (samma katalog: kön läses från append-only-filen)")
    hälsa_ok = logga_hälsa(k, "efter omstart av Redis")  # from the restart: the worker reconnects, then 200
    # The worker reconnects; a job whose acknowledgement was lost with the connection is handed out again
    # after the visibility timeout. Wait until nothing is queued or running (or 180 s).
    start, slut = time.time(), time.time() + 180
    while time.time() < slut:
        time.sleep(5)
        if time.time() - start < 45:  # a redelivery comes after the visibility timeout (15 s) + restore interval
            continue
        if not sql(s.db_url, 'SELECT 1 FROM "jobb_jobb" WHERE status IN (%s, %s)', ("köad", "pågår")):
            break
    alla = sql(
        s.db_url,
        'SELECT id, status, "försök", fel FROM "jobb_jobb" WHERE skapad > now() - interval \'5 minutes\' ORDER BY skapad',
    )
    for jid, status, försök, fel in alla:
        logg(f"  jobb {jid}: {status}, försök {försök} {fel[:90]}")
    hängande = [a for a in alla if a[1] in ("köad", "pågår")]
    logg(f"rapportsida efter: {k.get(f'/namnd/{demo}/2023/delårsrapport/').status_code}")
    nytt_ok = False
    if ny_jobb:
        nytt_fel = jobb_rad(s, ny_jobb)
        nytt_ok = nytt_fel["status"] == "fel" and "Bakgrundstjänsten kan inte nås" in nytt_fel["fel"]
        logg(f"användaren trycker Kör igen på {ny_jobb}: {kör_igen(k, ny_jobb)}")
        rad = vänta_status(s, ny_jobb, {"klar", "fel"}, 180)
        res = hämta_resultat(k, ny_jobb)
        logg(f"  → {rad['status']}, försök {rad['försök']}; användaren laddar ner: {res}")
        nytt_ok &= rad["status"] == "klar" and res.startswith("PDF")
    ok = not hängande and hälsa_ok and sida_ok and nytt_ok
    print(
        f"--- redis: {'OK' if ok else 'AVVIKELSE'}: {len(hängande)} jobb kvar som köad/pågår; rapportsidan medan "
        f"Redis var nere {'200' if sida_ok else 'inte 200'}; ny PDF medan nere: tydligt fel och Kör igen → PDF "
        f"{'ja' if nytt_ok else 'nej'}; /halsa/ efter omstart {'200' if hälsa_ok else 'inte 200 varje gång'}"
    )
    return ok


# --- 3. PostgreSQL restarted during saves ---------------------------------------------------------------------


def pg_kluster(db_url: str) -> tuple[str, str]:
    port = re.search(r":(\d+)/", db_url)
    port = port.group(1) if port else "5432"
    for rad in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.splitlines():
        ver, namn, p, *_ = rad.split()
        if p == port:
            return ver, namn
    raise SystemExit(f"no local cluster on port {port}")


def kör_postgres(s: Stack, nid: int, stor: int, kommun_id: int, läge: str, controllers: int = 4) -> bool:
    print(f"\n=== 3. PostgreSQL startas om under sparningar ({läge})")
    svar: list[dict] = []
    lås = threading.Lock()
    stopp = threading.Event()
    sessioner = s.sessioner("demo-controller", controllers)

    def controller(nr: int, session: str) -> None:
        k = Klient(s.url)
        k.cookies.set("sessionid", session)
        url, rad, n = f"/ekonomi/{nid}/2023/{9 + nr % 2}/", None, 0
        while not stopp.is_set():
            tkr = None
            try:
                r = k.get(url, timeout=30)
                if r.status_code != 200:
                    with lås:
                        svar.append({"nr": nr, "steg": "GET", "status": r.status_code, "t": time.time()})
                    time.sleep(0.5)
                    continue
                fält = re.findall(r'<input type="(?:hidden|text)" name="([^"]+)"[^>]*?value="([^"]*)"', r.text)
                fält += re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', r.text)
                data = {namn: html.unescape(värde) for namn, värde in fält}
                rader = sorted({int(m) for m in re.findall(r'name="r(\d+)-utfall"', r.text)})
                rad = rad or rader[nr // 2]
                n += 1
                tkr = 200_000 + nr * 1000 + n
                data.update(
                    {
                        f"r{rad}-utfall": str(tkr),
                        f"r{rad}-prognos": str(tkr * 12),
                        "visad_enhet": "tkr",
                        "enhet": "tkr",
                        "atgard": "spara",
                    }
                )
                t = time.time()
                r = k.post(url, data=data, timeout=30)
                titel = re.search(r"<title>([^<]*)</title>", r.text or "")
                with lås:
                    svar.append(
                        {
                            "nr": nr,
                            "steg": "POST",
                            "rad": rad,
                            "månad": int(url.split("/")[-2]),
                            "tkr": tkr,
                            "status": r.status_code,
                            "t": t,
                            "sida": (titel.group(1) if titel else r.text[:60]).strip(),
                        }
                    )
            except Exception as e:  # noqa: BLE001 — connection errors count as answers without a save
                with lås:
                    svar.append(
                        {
                            "nr": nr,
                            "steg": "POST",
                            "rad": rad,
                            "månad": int(url.split("/")[-2]),
                            "tkr": tkr,
                            "status": type(e).__name__,
                            "t": time.time(),
                            "sida": "",
                        }
                    )
            time.sleep(0.2)

    trådar = [threading.Thread(target=controller, args=(i, sessioner[i])) for i in range(controllers)]
    for t in trådar:
        t.start()
    time.sleep(6)
    bumpa(s, kommun_id)
    läsare = Klient(s.url)
    läsare.cookies.set("sessionid", s.sessioner("demo-lasare", 1)[0])
    jobb = starta_pdf(läsare, stor)
    jstatus = vänta_status(s, jobb, {"pågår"}, 120)["status"]
    time.sleep(1.0)
    före = len(svar)
    t = time.time()
    if läge == "kluster":
        ver, namn = pg_kluster(s.db_url)
        andra = sql(
            psycopg_url(s.bas),
            "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL "
            "AND datname <> %s AND pid <> pg_backend_pid()",
            (s.dbnamn,),
        )
        if andra and not s.extra_env.get("TVINGA_OMSTART"):
            logg(
                f"andra använder klustret {ver}/{namn} ({', '.join(d for (d,) in andra)}): startar inte om det. "
                "Kör med ett eget kluster (bench/README.md) eller --tvinga"
            )
            stopp.set()
            for tr in trådar:
                tr.join()
            return False
        logg(f"{före} svar hittills; PDF-jobb {jobb} {jstatus}; pg_ctlcluster {ver} {namn} restart")
        subprocess.run(["pg_ctlcluster", ver, namn, "restart"], check=True)
    else:
        logg(f"{före} svar hittills; PDF-jobb {jobb} {jstatus}; databasens anslutningar avslutas och nekas i 5 s")
        adm = psycopg_url(s.bas)
        sql(adm, f'ALTER DATABASE "{s.dbnamn}" ALLOW_CONNECTIONS false')
        sql(
            adm,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (s.dbnamn,),
        )
        time.sleep(5)
        sql(adm, f'ALTER DATABASE "{s.dbnamn}" ALLOW_CONNECTIONS true')
    logg(f"PostgreSQL tillbaka efter {time.time() - t:.1f} s; sparningarna fortsätter 10 s")
    time.sleep(10)
    stopp.set()
    for tr in trådar:
        tr.join()
    rad = vänta_status(s, jobb, {"klar", "fel"}, 180)
    logg(
        f"PDF-jobbet som {jstatus} vid avbrottet: {rad['status']}, försök {rad['försök']} {rad['fel'][:90]}; "
        f"användaren laddar ner: {hämta_resultat(läsare, jobb)}"
    )
    hälsa_ok = logga_hälsa(läsare, "efter avbrottet")

    posts = [r for r in svar if r["steg"] == "POST"]
    per_status: dict[str, int] = {}
    for r in svar:
        per_status[f"{r['steg']} {r['status']}"] = per_status.get(f"{r['steg']} {r['status']}", 0) + 1
    logg(f"svar: {per_status}")
    for r in [r for r in posts if r["status"] != 302][:4]:
        logg(f"  felsvar som användaren såg: {r['status']} «{r['sida'][:90]}»")

    förlorade, halva, okänd = 0, 0, 0
    for rad_id, månad in sorted({(r["rad"], r["månad"]) for r in posts if r["rad"]}):
        mina = sorted([r for r in posts if r["rad"] == rad_id and r["månad"] == månad], key=lambda r: r["t"])
        ok = [r for r in mina if r["status"] == 302]
        u = sql(
            s.db_url,
            'SELECT belopp FROM "ekonomi_utfall" WHERE "verksamhetsområde_id" = %s AND "år" = 2023 '
            'AND "månad" = %s AND kostnadsslag_id IS NULL AND kategori = %s',
            (rad_id, månad, ""),
        )
        p = sql(
            s.db_url,
            'SELECT belopp FROM "ekonomi_prognos" WHERE "verksamhetsområde_id" = %s AND "år" = 2023 AND "månad" = %s',
            (rad_id, månad),
        )
        h = sql(
            s.db_url,
            'SELECT count(*) FROM "ekonomi_historicalutfall" WHERE "verksamhetsområde_id" = %s '
            'AND "år" = 2023 AND "månad" = %s',
            (rad_id, månad),
        )[0][0]
        u, p = (u[0][0] if u else None), (p[0][0] if p else None)
        if u is not None and (p is None or u * 12 != p):
            halva += 1
        if ok:
            sista = Decimal(ok[-1]["tkr"]) * 1000
            senare = {Decimal(r["tkr"]) * 1000 for r in mina if r["t"] > ok[-1]["t"] and r["tkr"]}
            if u != sista and u not in senare:
                förlorade += 1
        if not (len(ok) <= h <= len(mina)):
            okänd += 1
        logg(
            f"  rad {rad_id} {2023}-{månad:02d}: {len(ok)} sparade (302) av {len(mina)}, historik {h}, "
            f"i databasen {u} / prognos {p}"
        )
    ok = förlorade == 0 and halva == 0 and okänd == 0 and rad["status"] == "klar" and jstatus == "pågår" and hälsa_ok
    print(
        f"--- postgres: {'OK' if ok else 'AVVIKELSE'}: {förlorade} förlorade sparningar, {halva} halvskrivna rader, "
        f"{okänd} med fel antal historikrader; PDF-jobbet ({jstatus} vid avbrottet) {rad['status']}; "
        f"/halsa/ efter {'200' if hälsa_ok else 'inte 200 varje gång'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bara", default="worker,redis,postgres")
    parser.add_argument("--pg-omstart", choices=["kluster", "databas"], default="databas")
    parser.add_argument("--tvinga", action="store_true", help="restart the cluster even if others use it")
    parser.add_argument("--port", type=int, default=8704)
    args = parser.parse_args()
    körningar = args.bara.split(",")

    print(f"före:  {uptime()}")
    resultat = {}
    with Stack(
        args.port,
        namn="fel",
        separata=True,
        web_workers=3,
        celery_concurrency=1,
        env={"CELERY_VISIBILITY_TIMEOUT": str(SYNLIGHET), **({"TVINGA_OMSTART": "1"} if args.tvinga else {})},
    ) as s:
        s.ladda_demodata()
        s.shell(
            "from nämnd.models import Kommun; from tests.factories import syntetisk_nämnd; "
            "syntetisk_nämnd(Kommun.objects.get(namn__startswith='Knivsta'), 13, 10, 'Syntetisk nämnd')"
        )
        demo, stor = s.nämnd_id(), s.nämnd_id("Syntetisk nämnd")
        kommun_id = sql(s.db_url, 'SELECT kommun_id FROM "nämnd_nämnd" WHERE id = %s', (demo,))[0][0]
        k = Klient(s.url)
        k.cookies.set("sessionid", s.sessioner("demo-lasare", 1)[0])
        logg(f"stack uppe: {s.url}, loggar i {s.loggdir}")
        if "worker" in körningar:
            resultat["worker"] = kör_worker(s, k, stor, kommun_id)
        if "redis" in körningar:
            resultat["redis"] = kör_redis(s, k, stor, demo, kommun_id)
        if "postgres" in körningar:
            resultat["postgres"] = kör_postgres(s, demo, stor, kommun_id, args.pg_omstart)
    print(f"\nsammanfattning: {resultat}")
    print(f"efter: {uptime()}")


if __name__ == "__main__":
    main()
