"""Locust scenario for the deadline week (bench/last.py starts it headless; not CI).

Users (50 by default: 40 readers, 10 controllers; weights 4:1):

* ``Läsare`` (demo-lasare) opens the delårsrapport, the verksamhetsplan, the overview and the start page,
  and now and then downloads the delårsrapport PDF the way a browser does: 200 from the cache, or 302 to
  /jobb/<id>/, poll ``?format=json`` every second until klar, then download. The whole PDF flow is also
  reported as one request ("PDF hela flödet") so its p50/p95 are visible.
* ``Controller`` (demo-controller) opens the month grid ``/ekonomi/<nämnd>/<år>/<månad>/`` and saves it with
  a new utfall and helårsprognos on its own row (one verksamhet per simulated controller, so the
  optimistic-locking conflict check has nothing to refuse). Every answered save is written to
  ``$BENCH_SPARLOGG`` (JSON lines); bench/last.py compares them with the database afterwards.
* ``Importör`` (demo-admin, exactly one, only when BENCH_IMPORT_KODER is set): imports an ekonomisystem
  export (CSV, 1 000 transaction rows on the nämnd's ansvar codes, one month nobody else writes) through
  /import/utfall/<nämnd>/: upload → preview → confirm, every 10–20 s, each file different. Every answered
  confirm is written to ``$BENCH_IMPORTLOGG``; bench/last.py checks the stored month against the last file.

Environment (set by bench/last.py): BENCH_NAMND_ID, BENCH_AR (2023), BENCH_MANADER ("9,10"),
BENCH_SPARLOGG, BENCH_LOSENORD, BENCH_SESSIONER_LASARE / _CONTROLLER (pre-made sessions, space-separated).

The client talks plain HTTP to gunicorn as the TLS proxy would (X-Forwarded-Proto: https) and sends the
Secure session cookies itself (the cookie jar would not over http://).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from decimal import Decimal

from bs4 import BeautifulSoup
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

NÄMND = int(os.environ.get("BENCH_NAMND_ID", "1"))
ÅR = int(os.environ.get("BENCH_AR", "2023"))
MÅNADER = [int(m) for m in os.environ.get("BENCH_MANADER", "9,10").split(",")]
LÖSENORD = os.environ.get("BENCH_LOSENORD", "demo1234")
SPARLOGG = os.environ.get("BENCH_SPARLOGG", "")
PDF_FRIST = float(os.environ.get("BENCH_PDF_FRIST", "120"))
IMPORT_KODER = [k for k in os.environ.get("BENCH_IMPORT_KODER", "").split(",") if k]
IMPORT_MÅNAD = int(os.environ.get("BENCH_IMPORT_MANAD", "11"))
IMPORT_RADER = int(os.environ.get("BENCH_IMPORT_RADER", "1000"))
IMPORTLOGG = os.environ.get("BENCH_IMPORTLOGG", "")

_controller_nr = itertools.count()
# Sessions created before the run (bench/last.py: Stack.sessioner), one per simulated user; without them
# every user logs in through the login form (BENCH_RIKTIG_INLOGGNING=1 forces that).
SESSIONER = {
    "demo-lasare": os.environ.get("BENCH_SESSIONER_LASARE", "").split(),
    "demo-controller": os.environ.get("BENCH_SESSIONER_CONTROLLER", "").split(),
    "demo-admin": os.environ.get("BENCH_SESSIONER_ADMIN", "").split(),
}


class Webbläsare(FastHttpUser):
    abstract = True
    användare = ""

    def on_start(self):
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        self.sessionid = ""
        if SESSIONER.get(self.användare):
            self.sessionid = SESSIONER[self.användare].pop()
            return
        r = self.hämta("/logga-in/", name="inloggning GET")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text or "")
        r = self.skicka(
            "/logga-in/",
            {"csrfmiddlewaretoken": token.group(1) if token else "", "username": self.användare, "password": LÖSENORD},
            name="inloggning POST",
        )
        if r.status_code != 302:
            raise StopUser()

    def _headers(self, post_url: str | None = None) -> dict:
        kakor = {c.name: c.value for c in self.client.cookiejar}
        if self.sessionid and "sessionid" not in kakor:
            kakor["sessionid"] = self.sessionid
        h = {"X-Forwarded-Proto": "https", "Cookie": "; ".join(f"{k}={v}" for k, v in kakor.items())}
        if post_url:
            h.update({"Origin": self.origin, "Referer": self.origin + post_url})
        return h

    def hämta(self, url: str, name: str, ok=(200,), **kw):
        with self.client.get(
            url, name=name, headers=self._headers(), allow_redirects=False, catch_response=True, **kw
        ) as r:
            if r.status_code not in ok:
                r.failure(f"HTTP {r.status_code}")
            return r

    def skicka(self, url: str, data: dict, name: str, ok=(302,)):
        with self.client.post(
            url, data=data, name=name, headers=self._headers(url), allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code not in ok:
                r.failure(f"HTTP {r.status_code}")
            return r


class Läsare(Webbläsare):
    weight = 4
    wait_time = between(2, 6)
    användare = "demo-lasare"

    @task(6)
    def delårsrapport(self):
        self.hämta(f"/namnd/{NÄMND}/{ÅR}/delårsrapport/", name="rapport delårsrapport")

    @task(2)
    def verksamhetsplan(self):
        self.hämta(f"/namnd/{NÄMND}/{ÅR + 1}/verksamhetsplan/", name="rapport verksamhetsplan")

    @task(2)
    def översikt(self):
        self.hämta(f"/namnd/{NÄMND}/{ÅR}/", name="översikt")

    @task(1)
    def startsida(self):  # not "start": that is User.start
        self.hämta("/", name="start")

    @task(1)
    def pdf(self):
        """The delårsrapport PDF as a browser gets it. If the figures change while the job runs (controllers
        save all the time in a deadline week), the download link leads to a new job for the new version:
        followed up to three times, each counted as "PDF inaktuell: nytt jobb"."""
        t0 = time.perf_counter()
        url, namn, fel, rundor = f"/namnd/{NÄMND}/{ÅR}/delårsrapport.pdf", "PDF begäran", None, 0
        while True:
            r = self.hämta(url, name=namn, ok=(200, 302))
            if r.status_code != 302:
                break
            if rundor:
                events.request.fire(
                    request_type="FLÖDE",
                    name="PDF inaktuell: nytt jobb",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            rundor += 1
            if rundor > 3:
                fel = "PDF inaktuell tre gånger i rad"
                break
            jobb = r.headers["Location"].split("?", 1)[0]
            jobb = jobb[jobb.index("/jobb/") :]
            status = {}
            while time.perf_counter() - t0 < PDF_FRIST:
                time.sleep(1)
                s = self.hämta(jobb + "?format=json", name="jobb status (JSON)")
                status = s.json() if s.status_code == 200 else {}
                if status.get("status") in ("klar", "fel"):
                    break
            if status.get("status") != "klar":
                fel = f"jobb {status.get('status', '?')}: {status.get('fel', '')[:80]}"
                break
            url, namn = status["resultat_url"], "PDF nedladdning"
        if fel is None and not (r.status_code == 200 and (r.content or b"")[:5] == b"%PDF-"):
            fel = f"ingen PDF (HTTP {r.status_code})"
        events.request.fire(
            request_type="FLÖDE",
            name="PDF hela flödet",
            response_time=(time.perf_counter() - t0) * 1000,
            response_length=len(r.content or b""),
            exception=Exception(fel) if fel else None,
            context={},
        )


class Controller(Webbläsare):
    weight = 1
    wait_time = between(3, 8)
    användare = "demo-controller"

    def on_start(self):
        super().on_start()
        self.nr = next(_controller_nr)
        self.månad = MÅNADER[self.nr % len(MÅNADER)]
        self.url = f"/ekonomi/{NÄMND}/{ÅR}/{self.månad}/"
        self.rad = None
        self.n = 0

    @task
    def spara_månad(self):
        r = self.hämta(self.url, name="månadsgrid GET")
        if r.status_code != 200:
            return
        form = BeautifulSoup(r.text, "html.parser").find("form", id="manadsgrid")
        data: dict[str, str] = {}
        for el in form.find_all(["input", "textarea", "select"]):
            namn = el.get("name")
            if not namn or (el.name == "input" and el.get("type") == "submit"):
                continue
            if el.name == "textarea":
                data[namn] = el.text
            elif el.name == "select":
                vald = el.find("option", selected=True) or el.find("option")
                data[namn] = vald.get("value", "")
            else:
                data[namn] = el.get("value", "")
        rader = sorted({int(m.group(1)) for k in data if (m := re.fullmatch(r"r(\d+)-utfall", k))})
        if self.rad is None:
            if self.nr // len(MÅNADER) >= len(rader):
                raise StopUser()  # more controllers than rows × months
            self.rad = rader[self.nr // len(MÅNADER)]
        self.n += 1
        tkr = 100_000 + self.nr * 1_000 + self.n  # a new, unique value every save (tkr, whole)
        data[f"r{self.rad}-utfall"] = str(tkr)
        data[f"r{self.rad}-prognos"] = str(tkr * 12)
        data["visad_enhet"] = data["enhet"] = "tkr"
        data["atgard"] = "spara"
        svar = self.skicka(self.url, data, name="månadsgrid POST (spara)")
        if SPARLOGG:
            with open(SPARLOGG, "a", encoding="utf-8") as f:
                f.write(
                    json.dumps(
                        {
                            "rad": self.rad,
                            "år": ÅR,
                            "månad": self.månad,
                            "tkr": tkr,
                            "status": svar.status_code,
                            "t": time.time(),
                        }
                    )
                    + "\n"
                )


def csv_fil(nr: int) -> tuple[bytes, int]:
    """A transaction export for IMPORT_MÅNAD: semicolons, decimal comma, costs positive; and its sum in öre."""
    r = random.Random(nr)  # noqa: S311 — test data
    rader, summa = ["Period;Ansvar;Vht;Konto;Text;Belopp"], 0
    for i in range(IMPORT_RADER):
        öre = r.randint(-50_000, 2_000_000)
        summa += öre
        belopp = f"{Decimal(öre) / 100:.2f}".replace(".", ",")
        rader.append(
            f"2023{IMPORT_MÅNAD:02d};{r.choice(IMPORT_KODER)};500;{r.choice([3510, 4010, 4650, 5400, 7010])};"
            f"Faktura {nr}-{i};{belopp}"
        )
    return ("\r\n".join(rader) + "\r\n").encode("utf-8"), summa


if IMPORT_KODER:

    class Importör(Webbläsare):
        """One admin importing the month's ekonomisystem file again and again (each file different)."""

        fixed_count = 1
        wait_time = between(10, 20)
        användare = "demo-admin"

        def on_start(self):
            super().on_start()
            self.n = 0

        @task
        def importera(self):
            self.n += 1
            url = f"/import/utfall/{NÄMND}/"
            r = self.hämta(url, name="import sida")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text or "")
            if not token:
                return
            data, summa = csv_fil(self.n)
            gräns = uuid.uuid4().hex
            kropp = b"".join(
                [
                    f'--{gräns}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token.group(1)}\r\n'.encode(),
                    f'--{gräns}\r\nContent-Disposition: form-data; name="profil"\r\n\r\n\r\n'.encode(),
                    f'--{gräns}\r\nContent-Disposition: form-data; name="fil"; filename="huvudbok-2023-{IMPORT_MÅNAD:02d}-{self.n}.csv"\r\n'
                    "Content-Type: text/csv\r\n\r\n".encode(),
                    data,
                    f"\r\n--{gräns}--\r\n".encode(),
                ]
            )
            h = self._headers(url)
            h["Content-Type"] = f"multipart/form-data; boundary={gräns}"
            with self.client.post(
                url, data=kropp, name="import ladda upp", headers=h, allow_redirects=False, catch_response=True
            ) as r:
                if r.status_code != 302:
                    r.failure(f"HTTP {r.status_code}")
                    return
                granska = r.headers["Location"]
            granska = granska[granska.index("/import/") :]
            r = self.hämta(granska, name="import förhandsgranska")
            avtryck = re.search(r'name="fingeravtryck" value="([^"]*)"', r.text or "")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text or "")
            if not (avtryck and token and 'value="bekräfta"' in r.text):
                events.request.fire(
                    request_type="FLÖDE",
                    name="import kan inte bekräftas",
                    response_time=0,
                    response_length=0,
                    exception=Exception("förhandsgranskningen saknar Bekräfta"),
                    context={},
                )
                return
            svar = self.skicka(
                granska,
                {"csrfmiddlewaretoken": token.group(1), "åtgärd": "bekräfta", "fingeravtryck": avtryck.group(1)},
                name="import bekräfta",
            )
            if IMPORTLOGG:
                with open(IMPORTLOGG, "a", encoding="utf-8") as f:
                    f.write(
                        json.dumps(
                            {
                                "import": int(granska.rstrip("/").rsplit("/", 1)[1]),
                                "summa_öre": summa,
                                "status": svar.status_code,
                                "t": time.time(),
                            }
                        )
                        + "\n"
                    )
