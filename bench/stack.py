"""The production stack on loopback, for the benchmarks and fault runs in bench/ (not CI).

    .venv/bin/python bench/stack.py [--port 8701]     # smoke run of the documented production start

A ``Stack`` creates a throwaway PostgreSQL database next to the one in DATABASE_URL (the role needs
CREATEDB), runs ``bin/prod-start release`` and then the processes of ``bin/prod-start`` (``all``, or ``web``
and ``worker`` separately so that a fault run can kill one of them), and drops the database afterwards.
Processes are started in their own process group and stopped by that group's id only.

Clients talk plain HTTP to gunicorn the way the TLS proxy in front of it does (docs/drift.md): with
``X-Forwarded-Proto: https``. Production cookies are Secure, so the client's cookie jar is told to send
them over this loopback HTTP hop (``Klient``).

The smoke run: /halsa/ (database, cache, Celery), demo data, log in with CSRF, a report page, and a PDF
through the Celery job (302 to /jobb/<id>/, poll ?format=json until klar, download).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

# The checkout whose bin/prod-start and code are run: this one, or another (e.g. a frozen snapshot of a tree
# that others are editing) given as SOCIALRAPPORT_ROT. Its .venv is used.
ROT = Path(os.environ.get("SOCIALRAPPORT_ROT") or Path(__file__).resolve().parent.parent).resolve()
PY = str(ROT / ".venv" / "bin" / "python")
STANDARD_DB = "postgres://socialrapport:socialrapport-ci@127.0.0.1:5432/socialrapport"
DEMO_LÖSENORD = "demo1234"


# --- PostgreSQL --------------------------------------------------------------------------------------


def bas_url() -> str:
    return os.environ.get("DATABASE_URL") or STANDARD_DB


def med_databas(url: str, namn: str) -> str:
    d = urlsplit(url)
    return urlunsplit((d.scheme, d.netloc, "/" + namn, d.query, d.fragment))


def psycopg_url(url: str) -> str:
    """DATABASE_URL → a libpq URI (no Django-only query options such as conn_max_age)."""
    d = urlsplit(url)
    return urlunsplit(("postgresql", d.netloc, d.path, "", ""))


def skapa_databas(namn: str, url: str | None = None) -> str:
    url = url or bas_url()
    with psycopg.connect(psycopg_url(url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{namn}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{namn}"')
    return med_databas(url, namn)


def radera_databas(namn: str, url: str | None = None) -> None:
    url = url or bas_url()
    for _ in range(10):
        try:
            with psycopg.connect(psycopg_url(url), autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{namn}" WITH (FORCE)')
            return
        except psycopg.OperationalError:  # e.g. right after a PostgreSQL restart
            time.sleep(1)


def sql(db_url: str, fråga: str, params=()) -> list[tuple]:
    with psycopg.connect(psycopg_url(db_url), autocommit=True) as c:
        cur = c.execute(fråga, params)
        return cur.fetchall() if cur.description else []


# --- processes ----------------------------------------------------------------------------------------


class Process:
    """A command in its own process group, output to a log file; stopped by its group id."""

    def __init__(self, namn: str, argv: list[str], env: dict, logg: Path):
        self.namn, self.argv, self.env, self.logg = namn, argv, env, logg
        self.p: subprocess.Popen | None = None

    def starta(self) -> Process:
        f = open(self.logg, "ab")  # noqa: SIM115 — closed with the process
        self.p = subprocess.Popen(
            self.argv, cwd=ROT, env=self.env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True
        )
        f.close()
        return self

    @property
    def lever(self) -> bool:
        return self.p is not None and self.p.poll() is None

    def signal(self, sig: int) -> None:
        if self.lever:
            os.killpg(self.p.pid, sig)

    def stoppa(self, frist: float = 20) -> None:
        if self.p is None:
            return
        if self.lever:
            os.killpg(self.p.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.p.wait(frist)
        with contextlib.suppress(ProcessLookupError):  # anything left in our group (celery child, gunicorn worker)
            os.killpg(self.p.pid, signal.SIGKILL)
        self.p.wait()


def barnprocesser(pid: int) -> list[int]:
    """Direct children of a process (from /proc), to find e.g. the Celery pool process."""
    barn = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fält = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fält[1]) == pid:
                barn.append(int(d.name))
    return barn


TICK = os.sysconf("SC_CLK_TCK")


def cpu_sekunder(pids) -> float:
    """CPU time (user + system) the processes have used so far; processes that are gone count 0."""
    total = 0
    for pid in pids:
        try:
            fält = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fält[11]) + int(fält[12])
    return total / TICK


def processgrupp(pgid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(d.name))
            except (OSError, ValueError, IndexError):
                continue
    return pids


class Stack:
    """Throwaway database + the production processes on loopback."""

    def __init__(
        self,
        port: int = 8701,
        *,
        redis_url: str | None = None,
        db_url: str | None = None,
        web_workers: int | None = None,
        celery_concurrency: int = 1,
        separata: bool = False,
        env: dict | None = None,
        namn: str = "bench",
    ):
        self.port = port
        self.dbnamn = f"socialrapport_{namn}_{os.getpid()}"
        self.bas = db_url or bas_url()
        # Our own redis-server by default: the shared one on 6379 also carries other people's Celery queue
        # ("celery" in db 0), which a bench worker would happily consume — and a fault run stops Redis.
        self.egen_redis = redis_url is None
        self.redis_port = port + 1000
        self.redis_url = redis_url or f"redis://127.0.0.1:{self.redis_port}/0"
        self.separata = separata
        self.loggdir = Path(tempfile.mkdtemp(prefix=f"socialrapport-{namn}-"))
        self.db_url = ""
        self.extra_env = dict(env or {})
        self.web_workers = web_workers
        self.celery_concurrency = celery_concurrency
        self.processer: dict[str, Process] = {}
        self.secret_key = secrets.token_urlsafe(50)  # one key for every process of the stack, as in production

    # environment of docs/drift.md
    def env(self, **extra) -> dict:
        e = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")}
        e.update(
            {
                "DJANGO_SETTINGS_MODULE": "socialreports.settings_prod",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": self.db_url,
                "REDIS_URL": self.redis_url,
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "CELERY_CONCURRENCY": str(self.celery_concurrency),
                "CELERY_HOSTNAME": f"bench{self.port}@%h",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.web_workers:
            e["WEB_CONCURRENCY"] = str(self.web_workers)
        e.update(self.extra_env)
        e.update(extra)
        return e

    def manage(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROT, env=self.env(), check=True, text=True, capture_output=True, **kw
        )

    def shell(self, kod: str) -> str:
        """Run Python in ``manage.py shell`` against the stack's database (bench-only data set-up)."""
        return self.manage("shell", "-c", kod).stdout

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def starta_redis(self) -> Process:
        """redis-server as production should run it for Celery: append-only file on, so queued jobs
        survive a Redis restart (a cache-only Redis could run without persistence)."""
        p = Process(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.loggdir),
            ],
            dict(os.environ),
            self.loggdir / "redis.log",
        )
        self.processer["redis"] = p.starta()
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return p
            time.sleep(0.1)
        raise RuntimeError(f"redis-server on {self.redis_port} did not start; {p.logg}")

    def starta(self) -> Stack:
        if self.egen_redis:
            self.starta_redis()
        self.db_url = skapa_databas(self.dbnamn, self.bas)
        if "conn_max_age" not in self.db_url:
            self.db_url += "?conn_max_age=60&conn_health_checks=true"
        subprocess.run(
            [str(ROT / "bin" / "prod-start"), "release"], cwd=ROT, env=self.env(), check=True, capture_output=True
        )
        roller = ["web", "worker"] if self.separata else ["all"]
        for roll in roller:
            self.starta_roll(roll)
        self.vänta_på_hälsa()
        return self

    def starta_roll(self, roll: str) -> Process:
        p = Process(roll, [str(ROT / "bin" / "prod-start"), roll], self.env(), self.loggdir / f"{roll}.log")
        self.processer[roll] = p.starta()
        return p

    def vänta_på_hälsa(self, frist: float = 300, celery: bool = True) -> dict:
        slut, senast = time.time() + frist, None
        while time.time() < slut:
            try:
                r = requests.get(self.url + "/halsa/", headers={"X-Forwarded-Proto": "https"}, timeout=30)
                senast = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else r.status_code
                if r.status_code == 200 and (not celery or any("Celery" in k or "Ping" in k for k in senast)):
                    return senast
            except requests.RequestException as e:
                senast = str(e)
            for p in self.processer.values():
                if not p.lever and p.namn in ("all", "web"):
                    raise RuntimeError(f"{p.namn} stopped; log: {p.logg}\n{p.logg.read_text()[-3000:]}")
            time.sleep(0.5)
        raise RuntimeError(f"/halsa/ not OK after {frist} s: {senast}; logs in {self.loggdir}")

    def stoppa(self) -> None:
        for p in reversed(list(self.processer.values())):
            p.stoppa()
        if self.db_url:
            radera_databas(self.dbnamn, self.bas)

    def __enter__(self) -> Stack:
        try:
            return self.starta()
        except BaseException:
            self.stoppa()
            raise

    def __exit__(self, *exc) -> None:
        self.stoppa()

    def serverprocesser(self) -> dict[str, list[int]]:
        """The stack's server-side processes: gunicorn (master + workers), Celery, redis-server, and the
        PostgreSQL backends of the throwaway database (except connections named "bench-klient")."""
        ut = {namn: processgrupp(p.p.pid) for namn, p in self.processer.items() if p.lever}
        ut["postgres"] = [
            pid
            for (pid,) in sql(
                self.bas,
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND coalesce(application_name, '') "
                "<> 'bench-klient' AND pid <> pg_backend_pid()",
                (self.dbnamn,),
            )
        ]
        return ut

    # data
    def ladda_demodata(self) -> None:
        self.manage("ladda_demodata", "--demo-anvandare")

    def sessioner(self, användare: str, antal: int) -> list[str]:
        """``antal`` logged-in sessions of a user, created directly in the session store (bench set-up):
        a load test then measures the deadline week's work, not a storm of password hashing (a login
        costs about a second of CPU by design — PBKDF2)."""
        ut = self.shell(
            "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            f"u = get_user_model().objects.get(username={användare!r})\n"
            f"for _ in range({antal}):\n"
            "    s = SessionStore()\n"
            "    s[SESSION_KEY] = str(u.pk)\n"
            "    s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
            "    s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
            "    s.create()\n"
            "    print('SESSION', s.session_key)\n"
        )
        return [rad.split()[1] for rad in ut.splitlines() if rad.startswith("SESSION ")]

    def nämnd_id(self, namn: str = "Socialnämnden") -> int:
        return sql(self.db_url, 'SELECT id FROM "nämnd_nämnd" WHERE namn = %s ORDER BY id LIMIT 1', (namn,))[0][0]


# --- HTTP client ------------------------------------------------------------------------------------


def cookie_header(jar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Klient(requests.Session):
    """A browser-like session against gunicorn as seen from the TLS proxy: X-Forwarded-Proto https,
    Secure cookies sent over the loopback hop, Origin/Referer for Django's CSRF check on HTTPS."""

    def __init__(self, bas: str):
        super().__init__()
        self.bas = bas
        self.https_origin = "https://" + urlsplit(bas).netloc
        self.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "socialrapport-bench"})

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.bas + url
        kwargs["allow_redirects"] = False  # redirects are followed explicitly (requests would drop the cookies)
        kwargs.setdefault("timeout", 120)
        # requests will not send Secure cookies over http://; the TLS proxy would. One host: send them all.
        h = kwargs.setdefault("headers", {})
        h["Cookie"] = cookie_header(self.cookies)
        if method.upper() == "POST":
            h.setdefault("Origin", self.https_origin)
            h.setdefault("Referer", self.https_origin + urlsplit(url).path)
        return super().request(method, url, *args, **kwargs)

    def csrf(self, url: str) -> str:
        r = self.get(url)
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
        return m.group(1) if m else self.cookies.get("csrftoken", "")

    def logga_in(self, användare: str, lösenord: str = DEMO_LÖSENORD) -> Klient:
        token = self.csrf("/logga-in/")
        r = self.post("/logga-in/", data={"csrfmiddlewaretoken": token, "username": användare, "password": lösenord})
        if r.status_code != 302:
            raise RuntimeError(f"login {användare}: HTTP {r.status_code}")
        return self

    def hämta_pdf(self, nämnd_id: int, år: int = 2023, typ: str = "delårsrapport", frist: float = 180) -> dict:
        """A PDF as a user gets it: 200 (cached) or 302 → /jobb/<id>/, poll JSON until klar, download."""
        t0 = time.perf_counter()
        url = f"/namnd/{nämnd_id}/{år}/{typ}.pdf"
        r = self.get(url)
        jobb_url = None
        if r.status_code == 302:
            jobb_url = urlsplit(r.headers["Location"]).path
            slut = time.time() + frist
            while True:
                s = self.get(jobb_url + "?format=json")
                if s.status_code != 200:
                    return {"ok": False, "fel": f"job status HTTP {s.status_code}", "jobb": jobb_url}
                status = s.json()
                if status["status"] == "klar":
                    break
                if status["status"] == "fel":
                    return {"ok": False, "fel": status["fel"], "jobb": jobb_url}
                if time.time() > slut:
                    return {"ok": False, "fel": f"not done after {frist} s ({status['status']})", "jobb": jobb_url}
                time.sleep(0.25)
            r = self.get(status["resultat_url"] or url)
        ok = r.status_code == 200 and r.content[:5] == b"%PDF-"
        return {
            "ok": ok,
            "status": r.status_code,
            "bytes": len(r.content),
            "jobb": jobb_url,
            "sekunder": time.perf_counter() - t0,
            "fel": "" if ok else f"HTTP {r.status_code}",
        }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- smoke run -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8701)
    args = parser.parse_args()
    print(f"maskin: {uptime()}")
    t0 = time.perf_counter()
    with Stack(args.port, namn="smoke", web_workers=3) as s:
        print(f"bin/prod-start all uppe på {s.url} efter {time.perf_counter() - t0:.1f} s (loggar {s.loggdir})")
        r = requests.get(s.url + "/halsa/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
        print(f"/halsa/ HTTP {r.status_code}: {json.dumps(r.json(), ensure_ascii=False)}")
        r = requests.get(s.url + "/halsa/", timeout=10, allow_redirects=False)
        print(f"/halsa/ utan X-Forwarded-Proto: HTTP {r.status_code} → {r.headers.get('Location')} (TLS-omdirigering)")
        s.ladda_demodata()
        nid = s.nämnd_id()
        k = Klient(s.url).logga_in("demo-lasare")
        r = k.get(f"/namnd/{nid}/2023/delårsrapport/")
        summa = "336\u00a0405" in r.text
        print(
            f"delårsrapport HTML: HTTP {r.status_code}, {len(r.content)} B, summa 336 405 {'finns' if summa else 'SAKNAS'}; "
            f"HSTS: {r.headers.get('Strict-Transport-Security')}"
        )
        css = re.search(r'href="(/static/css/rapport\.[0-9a-f]+\.css)"', r.text)
        if css:
            rc = k.get(css.group(1))
            print(
                f"statisk fil med hash-namn {css.group(1)}: HTTP {rc.status_code}, Cache-Control {rc.headers.get('Cache-Control')}"
            )
        pdf = k.hämta_pdf(nid)
        print(f"PDF via Celery-jobb {pdf.get('jobb')}: {pdf}")
        pdf2 = k.hämta_pdf(nid)
        print(f"PDF igen (cache, inget jobb): jobb={pdf2.get('jobb')} ok={pdf2['ok']} {pdf2.get('sekunder', 0):.3f} s")
        if not (pdf["ok"] and pdf2["ok"]):
            print(f"--- worker log ---\n{(s.loggdir / 'all.log').read_text()[-4000:]}")
            sys.exit(1)
    print(f"klart på {time.perf_counter() - t0:.1f} s; databasen {s.dbnamn} raderad")


if __name__ == "__main__":
    main()
