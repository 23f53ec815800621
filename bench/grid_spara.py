"""Benchmark: saving the Månadsuppföljning grid with every row changed, for 60 and 600 verksamheter.

    .venv/bin/python bench/grid_spara.py [--upprepningar 5]

Runs against a throwaway SQLite file unless DATABASE_URL is set (then that database is used; the synthetic
kommun is removed afterwards). For each size it measures, as the median of the runs:

  - POST: the whole request (form parsing in tkr, ``spara_månad``, history, redirect), through Django's test
    client, with every row's utfall and helårsprognos changed;
  - spara_månad: the service alone with the same kind of change;
  - GET: rendering the grid.

with the number of SQL queries of one run each. 60 rows is the baseline column (× 60). Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialreports.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from ekonomi import selectors  # noqa: E402
from ekonomi.forms import belopp_text, gridvy  # noqa: E402
from ekonomi.services import Gridrad, spara_månad  # noqa: E402
from nämnd.models import Kommun  # noqa: E402
from socialreports import demodata  # noqa: E402
from tests.factories import syntetisk_nämnd  # noqa: E402

ÅR, MÅNAD = 2023, 8


def postdata(user, nämnd, steg: int) -> dict[str, str]:
    """What the browser sends after the user changed every row (+steg tkr on utfall and prognos), built with
    the same code the template uses (``ekonomi.forms.gridvy``)."""
    grupper = selectors.månadsuppföljning(user, nämnd, ÅR, MÅNAD)
    vyer, _ = gridvy(grupper, "tkr")
    rader = {r.id: r for g in grupper for r in g.rader}
    data = {"visad_enhet": "tkr", "enhet": "tkr", "atgard": "spara"}
    for g in vyer:
        for v in g.rader:
            r = rader[v.id]
            data |= {
                f"r{v.id}-utfall": belopp_text((r.utfall_månad or 0) + steg * 1000, "tkr"),
                f"r{v.id}-prognos": belopp_text((r.prognos or 0) + steg * 1000, "tkr"),
                f"r{v.id}-kommentar": v.kommentar,
                f"r{v.id}-fore": v.före,
                f"r{v.id}-kommentar_fore": v.kommentar_före,
            }
    return data


def gridrader(user, nämnd, steg: int) -> list[Gridrad]:
    return [
        Gridrad(
            r.id,
            (r.utfall_månad or 0) + steg,
            (r.prognos or 0) + steg,
            r.kommentar,
            utfall_före=r.utfall_månad,
            prognos_före=r.prognos,
            kommentar_före=r.kommentar,
            utfall_version=r.utfall_version,
            prognos_version=r.prognos_version,
        )
        for g in selectors.månadsuppföljning(user, nämnd, ÅR, MÅNAD)
        for r in g.rader
    ]


def _kräv(villkor: bool, fel: str) -> None:
    if not villkor:
        raise SystemExit(fel)


def mät(nämnd, user, client: Client, n: int) -> dict[str, tuple[float, int]]:
    url = reverse("månadsuppföljning", args=[nämnd.id, ÅR, MÅNAD])
    resultat: dict[str, list] = {"POST": [], "spara_månad": [], "GET": []}
    frågor: dict[str, int] = {}
    for i in range(n + 1):  # the first run also counts the queries; it is not timed
        data = postdata(user, nämnd, i + 1)
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            r = client.post(url, data)
            tid = time.perf_counter() - t
        _kräv(r.status_code == 302, f"POST gav {r.status_code}: {r.content[:2000]!r}")
        frågor.setdefault("POST", len(q))
        rader = gridrader(user, nämnd, i + 1)
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            s = spara_månad(user, nämnd, ÅR, MÅNAD, rader)
            tid_tjänst = time.perf_counter() - t
        _kräv(s.ändrade == 2 * len(rader), f"spara_månad ändrade {s}")
        frågor.setdefault("spara_månad", len(q))
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            r = client.get(url)
            tid_get = time.perf_counter() - t
        _kräv(r.status_code == 200, f"GET gav {r.status_code}")
        frågor.setdefault("GET", len(q))
        if i:
            resultat["POST"].append(tid)
            resultat["spara_månad"].append(tid_tjänst)
            resultat["GET"].append(tid_get)
    return {k: (statistics.median(v), frågor[k]) for k, v in resultat.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upprepningar", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    namn = f"Benchkommun grid {time.time_ns()}"
    kommun = Kommun.objects.create(namn=namn)
    try:
        storlekar = [(60, syntetisk_nämnd(kommun, 6, 10)), (600, syntetisk_nämnd(kommun, 60, 10))]
        user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password="x")  # noqa: S106
        client = Client()
        client.force_login(user)
        client.get("/")  # warm up
        rader = [(antal, mät(nämnd, user, client, args.upprepningar)) for antal, nämnd in storlekar]
    finally:
        try:
            demodata.radera(namn)
        except Exception as e:  # noqa: BLE001 - a leftover synthetic kommun must not hide the numbers
            print(f"(kunde inte ta bort {namn}: {e})", file=sys.stderr)
    print(
        f"databas: {connection.vendor}, median av {args.upprepningar} körningar, alla rader ändrade "
        f"(utfall och helårsprognos: 2 värden per rad)"
    )
    print(
        f"{'rader':>6}{'POST s':>9}{'frågor':>8}{'spara_månad s':>15}{'frågor':>8}{'GET s':>8}{'frågor':>8}"
        f"{'× 60 POST':>11}{'× 60 GET':>10}{'ms/rad POST':>13}"
    )
    bas = rader[0][1]
    for antal, r in rader:
        print(
            f"{antal:>6}{r['POST'][0]:>9.3f}{r['POST'][1]:>8}{r['spara_månad'][0]:>15.3f}{r['spara_månad'][1]:>8}"
            f"{r['GET'][0]:>8.3f}{r['GET'][1]:>8}{r['POST'][0] / bas['POST'][0]:>11.1f}"
            f"{r['GET'][0] / bas['GET'][0]:>10.1f}{r['POST'][0] / antal * 1000:>13.2f}"
        )


if __name__ == "__main__":
    main()
