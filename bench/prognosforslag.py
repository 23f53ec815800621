"""Benchmark: how far the proposed helårsprognos (ekonomi/prognosforslag.py) lands from the year's actual utfall,
beside the naive run-rate (utfall / m × 12), per month of the year m = 1..11.

    .venv/bin/python bench/prognosforslag.py [--områden 40] [--frö 17]

Runs against a throwaway SQLite file unless DATABASE_URL is set. Two parts, printed one after the other:

1. **Påhittad historik** (invented, seeded): the demo history is too short for a seasonal profile (no område has
   two complete years: the demo's earlier year is 2022 or 2023 and the later one ends in August), so the bench adds
   a kommun "Bänkby" with ``--områden`` verksamheter of six seasonal shapes (summer vikarier, December accruals,
   winter-heavy bistånd, quarterly income, a rising volume, flat), 2018–2024, trend and noise, a few months never
   imported and one område replaced by a successor (föregångare) in 2021. Evaluated for the target years
   2019–2024: each område-year with twelve months of utfall.
2. **Demo** (Knivsta and Exempelby from fixtures/): every område-year with twelve months of utfall. Without an
   earlier complete year the proposal falls back to the budget's periodisering or the run-rate; the table says
   how often each method answered.

For each target year, område and m the proposal is made from the utfall of months 1..m only (as the grid makes it
after month m, reading the same selector ``ekonomi.selectors.utfallshistorik``) and compared with the year's
actual total. MAE = mean absolute error over the område-years, in tkr. Not part of CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
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

from ekonomi import prognosforslag as pf  # noqa: E402
from ekonomi.models import MÅNADER, Budgetpost, Periodiseringsprofil, Utfall  # noqa: E402
from ekonomi.selectors import ekonomiunderlag, utfallshistorik  # noqa: E402
from nämnd.models import Kommun, Nämnd, Verksamhetsområde  # noqa: E402
from socialreports import demodata  # noqa: E402

TKR = Decimal(1000)
FÖRSTA, SISTA = 2018, 2024  # the invented history's years

# Monthly weights of the invented shapes (relative; noise and trend are added per year and month).
FORMER: dict[str, list[float]] = {
    "sommarvikarier": [0.9, 0.9, 0.95, 0.95, 1.0, 1.1, 1.45, 1.2, 0.95, 0.95, 0.95, 1.0],
    "decemberbokning": [0.85, 0.9, 0.95, 0.95, 0.95, 1.0, 0.8, 0.9, 1.0, 1.0, 1.05, 1.65],
    "vinterbistånd": [1.25, 1.2, 1.1, 1.0, 0.9, 0.8, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2],
    "kvartalsintäkter": [0.6, 0.6, 1.6, 0.6, 0.6, 1.6, 0.6, 0.6, 1.6, 0.6, 0.6, 1.6],
    "växande volym": [0.86 + 0.025 * i for i in range(12)],
    "jämn": [1.0] * 12,
}


def bänkby(antal: int, frö: int) -> Nämnd:
    """The invented kommun: one nämnd, ``antal`` verksamheter cycling through ``FORMER``, monthly utfall 2018–2024
    (a yearly trend of 2–5 %, a yearly level change of ±4 % and ±6 % noise per month; each year's shape a little
    perturbed), 1 % of months never imported, KF-budget per year (even, or by a profile close to the shape for
    every other område). Område 0 ends in 2020 and has a successor from 2021 with it as föregångare."""
    slump = random.Random(frö)  # noqa: S311 - invented figures, not secrets
    Kommun.objects.filter(namn="Bänkby kommun").delete()
    kommun = Kommun.objects.create(namn="Bänkby kommun", kommunkod="9990")
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Bänknämnden", giltig_från=dt.date(2010, 1, 1))
    utfall: list[Utfall] = []
    budget: list[Budgetpost] = []
    namn = list(FORMER)
    for i in range(antal):
        form = FORMER[namn[i % len(namn)]]
        nivå = slump.uniform(2, 30) * 1_000_000  # kronor a year
        trend = slump.uniform(0.02, 0.05)
        profil = None
        if i % 2:
            profil = Periodiseringsprofil.objects.create(
                kommun=kommun,
                namn=f"Profil {i}",
                **{m: Decimal(str(round(w, 3))) for m, w in zip(MÅNADER, form, strict=True)},
            )
        o = Verksamhetsområde.objects.create(nämnd=nämnd, namn=f"{namn[i % len(namn)]} {i + 1}", ordning=i)
        efterträdare = None
        if i == 0:
            o.till_år = 2020
            o.save()
            efterträdare = Verksamhetsområde.objects.create(nämnd=nämnd, namn=f"{o.namn} (ny)", ordning=i, från_år=2021)
            efterträdare.föregångare.add(o)
        for år in range(FÖRSTA, SISTA + 1):
            ägare = efterträdare if efterträdare is not None and år >= 2021 else o
            årsnivå = nivå * (1 + trend) ** (år - FÖRSTA) * slump.gauss(1, 0.04)
            vikter = [w * slump.gauss(1, 0.03) for w in form]
            summa = sum(vikter)
            for m in range(1, 13):
                if slump.random() < 0.01:
                    continue  # never imported
                belopp = årsnivå * vikter[m - 1] / summa * slump.gauss(1, 0.06)
                utfall.append(Utfall(verksamhetsområde=ägare, år=år, månad=m, belopp=Decimal(f"{belopp:.2f}")))
            budget.append(
                Budgetpost(
                    verksamhetsområde=ägare,
                    år=år,
                    slag="kf",
                    belopp=Decimal(round(nivå * (1 + trend) ** (år - FÖRSTA))),
                    profil=profil,
                )
            )
    Utfall.objects.bulk_create(utfall)
    Budgetpost.objects.bulk_create(budget)
    return nämnd


def utvärdera(user, nämnd: Nämnd, år: int, fel: dict, metoder: Counter) -> None:
    """Adds the absolute errors (kronor) of the proposal and the run-rate per m for every leaf område of ``nämnd``
    with twelve months of utfall in ``år``: fel[m] += [(förslag, rak)]."""
    underlag = ekonomiunderlag(user, [nämnd], år, 12)
    föräldrar = {o.förälder_id for o in underlag}
    blad = [o for o in underlag if o.id not in föräldrar]
    if not blad:
        return
    historik = utfallshistorik(user, nämnd, [o.id for o in blad], år)
    från, till = pf.nämndens_månader(nämnd.giltig_från, nämnd.giltig_till, år)
    for o in blad:
        serie = historik.utfall.get(o.id, {}).get(år, {})
        if till < 12 or not all(m in serie for m in range(från, 13)):
            continue
        facit = sum((serie[m] for m in range(från, 13)), Decimal(0))
        for m in range(från, 12):
            f = pf.för_område(o.id, år, m, historik.utfall, historik.föregångare, o.budget, från)
            rak = pf.prognosförslag(serie, m, från_månad=från)
            if f is None or rak is None:
                continue
            fel[m].append((abs(f.belopp - facit), abs(rak.belopp - facit)))
            metoder[f.metod] += 1


def tabell(rubrik: str, fel: dict, metoder: Counter) -> None:
    print(f"\n{rubrik}")
    print(f"{'månad':>6}{'MAE förslag tkr':>17}{'MAE rak uppräkning tkr':>24}{'förslag/rak':>13}{'antal områden':>15}")
    alla_f, alla_r = [], []
    for m in range(1, 12):
        rader = fel.get(m, [])
        if not rader:
            print(f"{m:>6}{'–':>17}{'–':>24}{'–':>13}{0:>15}")
            continue
        f = sum((a for a, _ in rader), Decimal(0)) / len(rader) / TKR
        r = sum((b for _, b in rader), Decimal(0)) / len(rader) / TKR
        alla_f += [a for a, _ in rader]
        alla_r += [b for _, b in rader]
        kvot = f"{f / r:.2f}" if r else "–"
        print(f"{m:>6}{f:>17,.0f}{r:>24,.0f}{kvot:>13}{len(rader):>15}".replace(",", " "))
    if alla_f:
        f = sum(alla_f, Decimal(0)) / len(alla_f) / TKR
        r = sum(alla_r, Decimal(0)) / len(alla_r) / TKR
        print(f"{'alla':>6}{f:>17,.0f}{r:>24,.0f}{f / r if r else 0:>13.2f}{len(alla_f):>15}".replace(",", " "))
    namn = {pf.SÄSONG: "säsongsprofil", pf.BUDGET: "budgetens periodisering", pf.RAK: "rak uppräkning"}
    print("metod som svarade: " + ", ".join(f"{namn[k]} {v}" for k, v in metoder.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--områden", type=int, default=40)
    parser.add_argument("--frö", type=int, default=17)
    args = parser.parse_args()
    start, belastning = time.perf_counter(), os.getloadavg()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser(f"bench{time.time_ns()}", password="x")

    nämnd = bänkby(args.områden, args.frö)
    fel: dict[int, list] = defaultdict(list)
    metoder: Counter = Counter()
    for år in range(FÖRSTA + 1, SISTA + 1):
        utvärdera(user, nämnd, år, fel, metoder)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; belastning (1/5/15 min) "
        f"{belastning[0]:.2f} {belastning[1]:.2f} {belastning[2]:.2f}"
    )
    tabell(
        f"1. PÅHITTAD historik (Bänkby, {args.områden} verksamheter, frö {args.frö}, målår {FÖRSTA + 1}–{SISTA}): "
        "förslaget mot rak uppräkning, fel mot årets faktiska utfall",
        fel,
        metoder,
    )

    kommuner = demodata.ladda_alla()
    fel, metoder = defaultdict(list), Counter()
    år_med_data = []
    for kommun in kommuner:
        for n in kommun.nämnder.all():
            for år in sorted(set(Utfall.objects.filter(verksamhetsområde__nämnd=n).values_list("år", flat=True))):
                före = sum(len(v) for v in fel.values())
                utvärdera(user, n, år, fel, metoder)
                if sum(len(v) for v in fel.values()) > före:
                    år_med_data.append(f"{kommun.namn} {n.namn} {år}")
    tabell(
        "2. DEMO (fixtures/): område-år med tolv månaders utfall — " + ("; ".join(år_med_data) or "inga"),
        fel,
        metoder,
    )
    print("\n3. DEMO, senaste månaden med utfall (inget facit än): metod per nämnd")
    for kommun in kommuner:
        for n in kommun.nämnder.order_by("giltig_från", "namn"):
            senast = Utfall.objects.filter(verksamhetsområde__nämnd=n).order_by("-år", "-månad").first()
            if senast is None or senast.månad == 12:
                continue
            underlag = ekonomiunderlag(user, [n], senast.år, senast.månad)
            föräldrar = {o.förälder_id for o in underlag}
            blad = [o for o in underlag if o.id not in föräldrar]
            historik = utfallshistorik(user, n, [o.id for o in blad], senast.år)
            från, till = pf.nämndens_månader(n.giltig_från, n.giltig_till, senast.år)
            texter = Counter(
                f.text
                for o in blad
                if (
                    f := pf.för_område(
                        o.id, senast.år, senast.månad, historik.utfall, historik.föregångare, o.budget, från, till
                    )
                )
            )
            print(
                f"  {kommun.namn}, {n.namn}, {senast.år}-{senast.månad:02d}: "
                + (", ".join(f"{t} {k}" for t, k in texter.most_common()) or "inga förslag")
            )
    print(f"\ntid {time.perf_counter() - start:.1f} s; belastning nu {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
