"""Benchmark: HTML and PDF time for the demo delårsrapport and a synthetic nämnd ten times larger.

    .venv/bin/python bench/rapport.py [--upprepningar 5]

Runs against a throwaway SQLite file unless DATABASE_URL is set (then that database is used and a
synthetic kommun is added and removed). Prints median times side by side with the demo as baseline.
Not part of CI.
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

from nämnd import dataversion  # noqa: E402
from nämnd.models import Kommun, Verksamhetsområde  # noqa: E402
from socialreports import demodata  # noqa: E402
from tests.factories import syntetisk_nämnd  # noqa: E402


def mät(client: Client, url: str, n: int, kommun_id: int | None = None) -> tuple[float, int, int]:
    """Median time, queries and size. With ``kommun_id`` every request is cold: the kommun's data version is
    bumped first, so the report cache cannot answer."""
    tider = []
    for _ in range(n):
        if kommun_id is not None:
            dataversion.bumpa([kommun_id])
        t = time.perf_counter()
        r = client.get(url)
        tider.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code)
    if kommun_id is not None:
        dataversion.bumpa([kommun_id])
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    return statistics.median(tider), len(q), len(r.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upprepningar", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    demo = demodata.ladda()
    stor_kommun = Kommun.objects.create(namn=f"Benchkommun {time.time_ns()}")
    stor = syntetisk_nämnd(stor_kommun, 13, 10)  # 130 verksamheter vs the demo's 13
    user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password="x")
    client = Client()
    client.force_login(user)
    client.get("/")  # warm up
    rader = []
    for namn, nämnd in (("demo (Knivsta)", demo.nämnder.get()), ("syntetisk 10×", stor)):
        antal = Verksamhetsområde.objects.filter(nämnd=nämnd, typ="verksamhet").count()
        html = mät(
            client, reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"]), args.upprepningar, nämnd.kommun_id
        )
        pdf = mät(
            client, reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"]), args.upprepningar, nämnd.kommun_id
        )
        cachad = mät(client, reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"]), args.upprepningar)
        rader.append((namn, antal, html, pdf, cachad))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, belastning (1 min) {os.getloadavg()[0]:.1f}")
    print(f"databas: {connection.vendor}, median av {args.upprepningar} körningar")
    print("kall = rapportcachen kringgås (dataversionen höjs före varje anrop); cachad = samma sida igen")
    print(
        f"{'rapport':<18}{'verksamheter':>13}{'HTML kall s':>13}{'frågor':>8}{'PDF kall s':>12}{'PDF kB':>8}"
        f"{'HTML cachad s':>15}{'frågor':>8}{'× demo HTML':>13}{'× demo PDF':>12}"
    )
    bas = rader[0]
    for namn, antal, html, pdf, cachad in rader:
        print(
            f"{namn:<18}{antal:>13}{html[0]:>13.3f}{html[1]:>8}{pdf[0]:>12.3f}{pdf[2] / 1024:>8.0f}"
            f"{cachad[0]:>15.3f}{cachad[1]:>8}{html[0] / bas[2][0]:>13.1f}{pdf[0] / bas[3][0]:>12.1f}"
        )


if __name__ == "__main__":
    main()
