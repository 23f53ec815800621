"""Benchmark: the PDF of the demo delårsrapport with a månadsserie section of 12 nyckeltal (rolling 13 months, their
varav rows, snittkostnad and a line chart per series) beside the same report without it.

    .venv/bin/python bench/manadsserier.py [--upprepningar 5]

Runs against a throwaway SQLite file unless DATABASE_URL is set. Loads the demo kommun, gives 12 of its nyckeltal
invented monthly values for the year before and the report year (bench only), and saves two delårsrapport
layouts in turn: the kommun's own ("utan") and the same with the månadsserie section appended ("med"). For each
repetition, interleaved so that the machine's load hits both alike, it GETs the report's PDF URL with the
kommun's data version bumped first (no stored rendering: the whole path of a new PDF). Prints the median wall and
CPU time of both, the difference, the HTML/PDF sizes and the report's query count. Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
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
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from nyckeltal.models import Nyckeltal, Nyckeltalsvärde  # noqa: E402
from nämnd import dataversion  # noqa: E402
from rapporter import layouter  # noqa: E402
from rapporter.rapport import bygg_rapport  # noqa: E402
from rapporter.selectors import layouter_per_typ  # noqa: E402
from socialreports import demodata  # noqa: E402

ÅR, TYP, SERIER = 2023, "delårsrapport", 12


def serier(nämnd) -> list[int]:
    """12 top-level nyckeltal of the nämnd (more are made when it has fewer), with monthly values of ``ÅR`` − 1 and
    ``ÅR`` where they have none."""
    valda = list(
        Nyckeltal.objects.filter(grupp__nämnd=nämnd, förälder__isnull=True).order_by("grupp__ordning", "ordning")
    )[:SERIER]
    grupp = valda[0].grupp if valda else None
    while len(valda) < SERIER:
        assert grupp is not None, "the demo nämnd has no nyckeltal group"
        valda.append(Nyckeltal.objects.create(grupp=grupp, namn=f"Bänkserie {len(valda) + 1}", ordning=900))
    har = set(
        Nyckeltalsvärde.objects.filter(nyckeltal__in=valda, typ="utfall_månad").values_list("nyckeltal_id", flat=True)
    )
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=nt, år=år, typ="utfall_månad", månad=m, värde=Decimal(100 + 7 * i + m + (år - ÅR)))
        for i, nt in enumerate(valda)
        if nt.id not in har
        for år in (ÅR - 1, ÅR)
        for m in range(1, 13)
    )
    return [nt.id for nt in valda]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upprepningar", type=int, default=5)
    args = parser.parse_args()
    före = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    kommun = demodata.ladda()
    nämnd = kommun.nämnder.order_by("giltig_från").first()
    user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password="x")
    client = Client()
    client.force_login(user)
    url = reverse("rapport-pdf", args=[nämnd.id, ÅR, TYP])
    utan = layouter_per_typ(kommun.id, ÅR).get(TYP) or []
    assert utan, "the demo kommun has no delårsrapport layout"
    sektion = {
        "typ": "manadsserie",
        "rubrik": "Månadsserier",
        "parametrar": {"nyckeltal": serier(nämnd), "period": "rullande", "snittkostnad": True, "diagram": True},
    }
    layouter_ = {"utan": utan, "med": [*utan, sektion]}

    def pdf(namn: str) -> int:
        layouter.spara(user, kommun, TYP, layouter_[namn])
        dataversion.bumpa([kommun.id])
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url)
        tider[namn]["vägg"].append(time.perf_counter() - t)
        tider[namn]["cpu"].append(time.process_time() - c)
        assert r.status_code == 200 and r.content[:5] == b"%PDF-", r.status_code
        return len(r.content)

    def html_och_frågor(namn: str) -> tuple[int, int]:
        layouter.spara(user, kommun, TYP, layouter_[namn])
        bygg_rapport(user, nämnd, ÅR, TYP)
        with CaptureQueriesContext(connection) as q:
            rapport = bygg_rapport(user, nämnd, ÅR, TYP)
            html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True})
        return len(html), len(q)

    tider: dict[str, dict[str, list[float]]] = {k: {"vägg": [], "cpu": []} for k in layouter_}
    for namn in layouter_:  # warm-up: imports, fonts, templates
        pdf(namn)
        tider[namn] = {"vägg": [], "cpu": []}
    storlek: dict[str, int] = {}
    for _ in range(args.upprepningar):
        for namn in layouter_:
            storlek[namn] = pdf(namn)
    m = {k: {s: statistics.median(v) for s, v in d.items()} for k, d in tider.items()}
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, belastning (1 min) {före:.1f} → "
        f"{os.getloadavg()[0]:.1f}; databas {connection.vendor}; median av {args.upprepningar}, växelvis"
    )
    print(f"{'':<46}{'vägg s':>8}{'CPU s':>8}{'HTML kB':>9}{'PDF kB':>8}{'frågor':>8}")
    for namn, text in (("utan", "demons delårsrapport"), ("med", f"+ månadsserier, {SERIER} serier, 13 mån")):
        h, q = html_och_frågor(namn)
        print(f"{text:<46}{m[namn]['vägg']:>8.3f}{m[namn]['cpu']:>8.3f}{h // 1024:>9}{storlek[namn] // 1024:>8}{q:>8}")
    print(
        f"skillnad: +{m['med']['vägg'] - m['utan']['vägg']:.3f} s vägg, +{m['med']['cpu'] - m['utan']['cpu']:.3f} s CPU "
        f"({m['med']['cpu'] / m['utan']['cpu']:.2f}× i CPU)"
    )
    layouter.spara(user, kommun, TYP, utan)


if __name__ == "__main__":
    main()
