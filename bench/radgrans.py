"""Benchmark: how fast, and with how much memory, the reader refuses a file over the row limit.

    .venv/bin/python bench/radgrans.py [--rader 1000000] [--baslinje f7a8e20]

Generates (in a temp directory under /tmp, removed afterwards) a 1 000 000-row ekonomisystem export as .xlsx
(Period, Ansvar, Belopp: the sheet unpacks to ~100 MB, under the 150 MB limit, so the row limit is what refuses
it) and as .csv (under the 20 MB upload limit), and reads each with ``importer.lasare.läs`` as the utfall
import does (default limits: 200 000 rows). Each reading runs in its own subprocess, so ``ru_maxrss`` is that
run's own peak; "RSS +" is the peak minus the RSS after the file's bytes were loaded.

Side by side: the reader of the working tree, and the baseline reader (``importer/lasare.py`` and, where it
exists, ``grund/`` as of the ``--baslinje`` commit, extracted with ``git show``). Both must refuse with the
row-limit message. Not part of CI.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASLINJE = "f7a8e20"  # the commit before the reader stopped at the limit


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- files --------------------------------------------------------------------------------------------------


def _mall() -> dict[str, bytes]:
    """The parts of a minimal workbook written by openpyxl (one sheet with a header row)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Utfall"
    wb.active.append(["Period", "Ansvar", "Belopp"])
    buf = io.BytesIO()
    wb.save(buf)
    z = zipfile.ZipFile(buf)
    return {n: z.read(n) for n in z.namelist()}


def generera_xlsx(rader: int, sökväg: Path) -> None:
    """The sheet XML is streamed into the zip (as Excel writes it: r on every row and cell, numbers untyped)."""
    delar = _mall()
    with zipfile.ZipFile(sökväg, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for namn, innehåll in delar.items():
            if namn != "xl/worksheets/sheet1.xml":
                z.writestr(namn, innehåll)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>Period</t></is></c><c r="B1" t="inlineStr"><is>'
                b'<t>Ansvar</t></is></c><c r="C1" t="inlineStr"><is><t>Belopp</t></is></c></row>'
            )
            block = []
            for i in range(2, rader + 1):
                block.append(
                    f'<row r="{i}"><c r="A{i}"><v>2023{1 + i % 8:02d}</v></c><c r="B{i}"><v>74{i % 10}0</v>'
                    f'</c><c r="C{i}"><v>{(i * 37) % 20000 - 5000}.5</v></c></row>'
                )
                if len(block) == 10_000:
                    f.write("".join(block).encode())
                    block = []
            f.write(("".join(block) + "</sheetData></worksheet>").encode())


def generera_csv(rader: int, sökväg: Path) -> None:
    with sökväg.open("w", encoding="utf-8", newline="") as f:
        f.write("Period;Ansvar;Belopp\n")
        for i in range(2, rader + 1):
            f.write(f"2023{1 + i % 8:02d};74{i % 10}0;{(i * 37) % 2000}\n")


# --- one reading, in a child process ------------------------------------------------------------------------


def läs(kod: Path, fil: Path) -> dict:
    sys.path.insert(0, str(kod))
    from importer import lasare

    fält = [
        lasare.Fält("period", "Period", obligatorisk=True),
        lasare.Fält("ansvar", "Ansvar"),
        lasare.Fält("belopp", "Belopp", obligatorisk=True),
    ]
    data = fil.read_bytes()
    före = maxrss_mb()
    start = time.perf_counter()
    try:
        tabell = lasare.läs(data, fil.name, fält)
        utfall = f"inte avvisad ({tabell.antal_rader} rader)"
    except lasare.Filfel as e:
        utfall = str(e)
    sekunder = time.perf_counter() - start
    return {
        "sekunder": sekunder,
        "rss_ökning_mb": maxrss_mb() - före,
        "svar": utfall,
        "modul": str(Path(lasare.__file__).relative_to(kod)),
    }


def kör(argument: list[str], **kwargs) -> subprocess.CompletedProcess:
    """This script itself, or git: fixed programs with arguments from this script."""
    return subprocess.run(argument, capture_output=True, **kwargs)  # noqa: S603


def barn(kod: Path, fil: Path) -> dict:
    r = kör([sys.executable, __file__, "--barn", str(kod), str(fil)], text=True, cwd=tempfile.gettempdir())
    if r.returncode:
        sys.exit(f"{kod} {fil.name} misslyckades:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def exportera(revision: str, mål: Path) -> Path:
    """``importer/lasare.py`` (and ``grund/`` if the revision has it) as of ``revision``, as an importable tree."""
    git = ["git", "-C", str(ROOT)]
    delar = ["importer/__init__.py", "importer/lasare.py", "grund"]
    filer = kör([*git, "ls-tree", "-r", "--name-only", revision, "--", *delar], text=True, check=True).stdout.split()
    if "importer/lasare.py" not in filer:
        sys.exit(f"{revision} har ingen importer/lasare.py")
    for namn in filer:
        (mål / namn).parent.mkdir(parents=True, exist_ok=True)
        (mål / namn).write_bytes(kör([*git, "show", f"{revision}:{namn}"], check=True).stdout)
    return mål


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rader", type=int, default=1_000_000)
    parser.add_argument("--baslinje", default=BASLINJE, help="git revision of the baseline reader")
    parser.add_argument("--barn", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.barn:
        print(json.dumps(läs(Path(args.barn[0]), Path(args.barn[1]))))
        return

    katalog = Path(tempfile.mkdtemp(prefix="bench-radgrans-", dir="/tmp"))
    try:
        baslinje = exportera(args.baslinje, katalog / "baslinje")
        filer = {"xlsx": katalog / f"utfall-{args.rader}.xlsx", "csv": katalog / f"utfall-{args.rader}.csv"}
        start = time.perf_counter()
        generera_xlsx(args.rader, filer["xlsx"])
        generera_csv(args.rader, filer["csv"])
        print(
            f"genererade {args.rader} rader på {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{f.name} {f.stat().st_size / 1e6:.1f} MB" for f in filer.values()),
            file=sys.stderr,
        )
        resultat = {typ: {"baslinje": barn(baslinje, fil), "nu": barn(ROOT, fil)} for typ, fil in filer.items()}
    finally:
        shutil.rmtree(katalog, ignore_errors=True)
    skriv_ut(args, resultat)


def skriv_ut(args, resultat: dict) -> None:
    print(f"\n{args.rader} rader, gräns 200 000; baslinje = {args.baslinje}, nu = arbetskatalogen\n")
    print(f"{'fil':<5} {'baslinje s':>11} {'nu s':>8} {'baslinje RSS + MB':>18} {'nu RSS + MB':>12}")
    for typ, r in resultat.items():
        b, n = r["baslinje"], r["nu"]
        print(
            f"{typ:<5} {b['sekunder']:>11.2f} {n['sekunder']:>8.2f} {b['rss_ökning_mb']:>18.0f} "
            f"{n['rss_ökning_mb']:>12.0f}"
        )
    for typ, r in resultat.items():
        for vem in ("baslinje", "nu"):
            print(f"  {typ} {vem}: {r[vem]['svar']}")


if __name__ == "__main__":
    main()
