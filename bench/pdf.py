"""Benchmark: the demo delårsrapport's PDF as the app makes it, against raw WeasyPrint on the same HTML.

    .venv/bin/python bench/pdf.py [--upprepningar 7]

Runs against a throwaway SQLite file unless DATABASE_URL is set. Loads the demo kommun, then for each
repetition, interleaved so that a change in the machine's load hits both alike:

  app   GET of the report's PDF URL with the kommun's data version bumped first (no stored rendering): the
        whole path of a new PDF in the embedded mode — report built from the database, templates, WeasyPrint
        with tags (``rapporter.pdf.render_pdf``: shared FontConfiguration, our URL fetcher), the rendering
        stored in and read back from the database, the response.
  rå    ``weasyprint.HTML(string=html).write_pdf()`` with WeasyPrint's defaults on the very HTML the app
        rendered in that repetition (captured), its stylesheet link pointed at the file on disk, so both render
        the same document with the same CSS. No tags, a new FontConfiguration each time (the defaults).

Prints the median wall time and CPU time (this process: the app and WeasyPrint run in it; SQLite too) of
both, the ratio app/rå, side by side with the baseline measured at HEAD before the work on issue 13 and the
target (≤ 1.15×). CPU time is the steadier number on a shared machine. Also, for information only, raw
WeasyPrint *without* the report's stylesheet (a different, unstyled document: the link does not resolve
without a base URL) — a comparison that is easy to make by mistake and makes the app look slower.
Not part of CI.
"""

from __future__ import annotations

import argparse
import logging
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

import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from jobb import rapportpdf  # noqa: E402
from nämnd import dataversion  # noqa: E402
from socialreports import demodata  # noqa: E402

# Measured with this script on 2026-11-30 at 14:55 UTC, main at 7b4319f plus uncommitted work of others in the report
# builder; the PDF path (jobb/rapportpdf.py, rapporter/pdf.py, the templates) as at HEAD 09e8676, where issue 13
# put the ratio at 1.34× — which matches raw WeasyPrint *without* the stylesheet (last line of the output).
BASELINE = {
    "när": "2026-11-30 14:55 UTC",
    "belastning": "2,8 → 2,2",
    "app_s": 1.377,
    "app_cpu_s": 1.377,
    "rå_s": 1.239,
    "rå_cpu_s": 1.245,
    "kvot_cpu": 1.11,
    "kvot_vägg": 1.11,
    "utan_stilmall_kvot": 1.35,
}
MÅL = 1.15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upprepningar", type=int, default=7)
    args = parser.parse_args()
    före = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    nämnd = demodata.ladda().nämnder.get()
    user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password="x")
    client = Client()
    client.force_login(user)
    url = reverse("rapport-pdf", args=[nämnd.id, 2023, "delårsrapport"])

    fångad: dict[str, str] = {}
    original = rapportpdf.render_pdf

    def fånga(html, **options):
        fångad["html"] = html
        return original(html, **options)

    rapportpdf.render_pdf = fånga

    def app() -> int:
        dataversion.bumpa([nämnd.kommun_id])
        r = client.get(url)
        assert r.status_code == 200 and r.content[:5] == b"%PDF-", r.status_code
        return len(r.content)

    def med_stilmall(html: str) -> str:
        prefix = 'href="' + settings.STATIC_URL
        ut = html
        while prefix in ut:
            relativ = ut.split(prefix, 1)[1].split('"', 1)[0]
            fil = finders.find(relativ)
            assert isinstance(fil, str), relativ
            ut = ut.replace(prefix + relativ, 'href="' + Path(fil).as_uri())
        return ut

    def rå() -> int:
        return len(weasyprint.HTML(string=med_stilmall(fångad["html"])).write_pdf())

    def rå_utan_stilmall() -> int:
        logging.disable(logging.WARNING)  # "Relative URI reference without a base URI": the point of this run
        try:
            return len(weasyprint.HTML(string=fångad["html"]).write_pdf())
        finally:
            logging.disable(logging.NOTSET)

    app()  # warm-up: imports, fonts, templates
    rå()
    mätt: dict[str, dict[str, list[float]]] = {k: {"vägg": [], "cpu": []} for k in ("app", "rå", "utan")}
    storlek = {}
    for _ in range(args.upprepningar):
        for namn, f in (("app", app), ("rå", rå), ("utan", rå_utan_stilmall)):
            t, c = time.perf_counter(), time.process_time()
            storlek[namn] = f()
            mätt[namn]["vägg"].append(time.perf_counter() - t)
            mätt[namn]["cpu"].append(time.process_time() - c)
    m = {k: {s: statistics.median(v) for s, v in d.items()} for k, d in mätt.items()}
    kvot = {s: m["app"][s] / m["rå"][s] for s in ("vägg", "cpu")}

    b = BASELINE
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, belastning (1 min) {före:.1f} → {os.getloadavg()[0]:.1f}; "
        f"databas {django.db.connection.vendor}; median av {args.upprepningar}, växelvis"
    )
    print(f"demo delårsrapport 2023: HTML {len(fångad['html']) // 1024} kB, PDF {storlek['app'] // 1024} kB")
    print(f"{'':<44}{'vägg s':>8}{'CPU s':>8}   baslinje {b['när']} (belastning {b['belastning']})")
    print(
        f"{'app (ny PDF, hela vägen)':<44}{m['app']['vägg']:>8.3f}{m['app']['cpu']:>8.3f}   {b['app_s']:.3f} / {b['app_cpu_s']:.3f}"
    )
    print(
        f"{'rå WeasyPrint, samma HTML och CSS':<44}{m['rå']['vägg']:>8.3f}{m['rå']['cpu']:>8.3f}   {b['rå_s']:.3f} / {b['rå_cpu_s']:.3f}"
    )
    print(
        f"kvot app/rå: {kvot['cpu']:.2f}× i CPU, {kvot['vägg']:.2f}× i väggtid   "
        f"(baslinje {b['kvot_cpu']:.2f}× / {b['kvot_vägg']:.2f}×; mål ≤ {MÅL:.2f}×: "
        f"{'OK' if kvot['cpu'] <= MÅL else 'EJ NÅTT'})"
    )
    print(
        f"för jämförelse, inte samma utdata: rå WeasyPrint utan rapportens stilmall {m['utan']['cpu']:.3f} s CPU "
        f"(PDF {storlek['utan'] // 1024} kB) — app/den = {m['app']['cpu'] / m['utan']['cpu']:.2f}× (baslinje {b['utan_stilmall_kvot']:.2f}×)"
    )


if __name__ == "__main__":
    main()
