"""A proposed helårsprognos per verksamhet: pure maths, no ORM, no request. Decimal in kronor.

The proposal scales the utfall to date up to a whole year by the share of the year that months 1..t have carried
before (docs/beslut.md, "Prognosförslag"):

1. **Säsongsprofil**: the share of the year's utfall that fell in the same months in earlier years of the same
   område (or of its föregångare, when the område did not exist then), averaged over up to ``ANTAL_ÅR`` of the
   most recent usable years. A year is usable when it has utfall in all twelve months and a total above 0.
2. **Budgetens periodisering**: else the share of the year's budget (KF-budget + tillägg och avdrag) in months
   1..t by ``berakning.periodbudget`` (the post's weights and exact months) — when the budget is spread by
   something other than an even twelfth (otherwise it is the run-rate and is named so).
3. **Rak uppräkning**: else utfall / t × 12.

``t`` is the last month with utfall up to the grid's month (a month not yet imported is not counted as 0). For a
nämnd that starts or ends during the year (``från_månad``, ``till_månad``), only its own months count: the proposal
is the utfall of months ``från_månad``..t scaled to months ``från_månad``..``till_månad`` by the same shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .berakning import NOLL, Budgetbelopp

SÄSONG, BUDGET, RAK = "säsong", "budget", "rak"
METODNAMN = {SÄSONG: "Säsongsprofil", BUDGET: "Budgetens periodisering", RAK: "Rak uppräkning"}
ANTAL_ÅR = 3  # the most recent usable earlier years averaged into the seasonal profile
ÅR_BAKÅT = 5  # how far back usable years are looked for
MINSTA_ANDEL = Decimal("0.02")  # below this share of the year the months seen say too little: next method
KRONA = Decimal(1)

Månadsserie = Mapping[int, Decimal]  # månad (1–12) → utfall, kronor


@dataclass(frozen=True)
class Prognosförslag:
    """A proposed helårsprognos (kronor, whole kronor) and how it was reached."""

    belopp: Decimal
    metod: str  # SÄSONG, BUDGET or RAK
    t_o_m: int  # the last month whose utfall the proposal scales up
    andel: Decimal  # the share of the nämnd's months this year assumed to lie in months ..t_o_m
    år: tuple[int, ...] = ()  # the earlier years of the seasonal profile, ascending

    @property
    def text(self) -> str:
        """ "Säsongsprofil 2021–2023", "Säsongsprofil 2020 och 2022–2023", "Budgetens periodisering", "Rak uppräkning"."""
        if self.metod == SÄSONG and self.år:
            return f"{METODNAMN[SÄSONG]} {årsspann(self.år)}"
        return METODNAMN[self.metod]


def årsspann(år: Sequence[int]) -> str:
    """Years as runs: (2021, 2022, 2023) → "2021–2023", (2020, 2022, 2023) → "2020 och 2022–2023"."""
    serier: list[list[int]] = []
    for a in sorted(set(år)):
        if serier and a == serier[-1][-1] + 1:
            serier[-1].append(a)
        else:
            serier.append([a])
    delar = [str(s[0]) if len(s) == 1 else f"{s[0]}–{s[-1]}" for s in serier]
    return delar[0] if len(delar) == 1 else f"{', '.join(delar[:-1])} och {delar[-1]}"


def komplett(serie: Månadsserie) -> bool:
    """Utfall stored for all twelve months (a month without any row makes the year's total unknown)."""
    return all(m in serie for m in range(1, 13))


def säsongsprofil(
    historik: Mapping[int, Månadsserie], antal_år: int = ANTAL_ÅR
) -> tuple[tuple[Decimal, ...], tuple[int, ...]] | None:
    """The cumulative share of the year's utfall in months 1..m (m = 0..12, so 13 values from 0 to 1), averaged
    over the ``antal_år`` most recent usable years of ``historik`` (år → månad → utfall), and those years. A year
    with a month missing or a total ≤ 0 is skipped. None when no year is usable."""
    profiler: list[tuple[int, tuple[Decimal, ...]]] = []
    for år in sorted(historik, reverse=True):
        serie = historik[år]
        if not komplett(serie):
            continue
        total = sum((serie[m] for m in range(1, 13)), NOLL)
        if total <= 0:
            continue
        ack, kumulativ = NOLL, [NOLL]
        for m in range(1, 13):
            ack += serie[m]
            kumulativ.append(ack / total)
        profiler.append((år, tuple(kumulativ)))
        if len(profiler) == antal_år:
            break
    if not profiler:
        return None
    n = Decimal(len(profiler))
    medel = tuple(sum((p[i] for _, p in profiler), NOLL) / n for i in range(13))
    return medel, tuple(sorted(år for år, _ in profiler))


def budgetprofil(budget: Sequence[Budgetbelopp], år: int) -> tuple[Decimal, ...] | None:
    """The cumulative share of ``år``'s budget (KF-budget + tillägg och avdrag) in months 1..m (m = 0..12) by the
    one rule ``berakning.periodbudget`` (each post's weights and exact months). None without such a budget, with a
    year's budget ≤ 0, or when every post is spread evenly (that is the run-rate, and is named so)."""
    poster = [b for b in budget if b.år == år and b.slag in ("kf", "tillägg")]
    if not any(b.vikter or b.månader for b in poster):
        return None
    helår = sum((b.belopp for b in poster), NOLL)
    if helår <= 0:
        return None
    return tuple(sum((b.period(m) for b in poster), NOLL) / helår for m in range(13))


def nämndens_månader(giltig_från: date, giltig_till: date | None, år: int) -> tuple[int, int]:
    """The first and last month of ``år`` a nämnd exists (a nämnd split during the year: (5, 12) or (1, 4))."""
    från = giltig_från.month if giltig_från.year == år else 1
    till = giltig_till.month if giltig_till is not None and giltig_till.year == år else 12
    return från, till


def _rak(m: int) -> Decimal:
    return Decimal(m) / 12


def prognosförslag(
    utfall: Månadsserie,
    månad: int,
    historik: Mapping[int, Månadsserie] | None = None,
    budget: Sequence[Budgetbelopp] = (),
    år: int | None = None,
    från_månad: int = 1,
    till_månad: int = 12,
) -> Prognosförslag | None:
    """The proposed helårsprognos after ``månad`` from this year's ``utfall`` (månad → kronor), the earlier
    years' ``historik`` (år → månad → kronor) and this year's ``budget`` posts (of year ``år``), for the months
    ``från_månad``..``till_månad`` the nämnd has this year. None from ``till_månad`` on (December for most: the
    year's utfall is known), or without utfall in months ``från_månad``..``månad``."""
    if not 1 <= från_månad <= månad < till_månad <= 12:
        return None
    med_utfall = [m for m in utfall if från_månad <= m <= månad]
    if not med_utfall:
        return None
    t = max(med_utfall)
    ack = sum((utfall[m] for m in range(från_månad, t + 1) if m in utfall), NOLL)

    def förslag(profil: Sequence[Decimal], metod: str, år_: tuple[int, ...] = ()) -> Prognosförslag | None:
        sett = profil[t] - profil[från_månad - 1]  # share of the months seen
        kvar = profil[till_månad] - profil[från_månad - 1]  # share of the months the nämnd has this year
        if sett < MINSTA_ANDEL or kvar <= 0:
            return None
        belopp = (ack * kvar / sett).quantize(KRONA, ROUND_HALF_UP)
        return Prognosförslag(belopp, metod, t, sett / kvar, år_)

    if historik and (s := säsongsprofil(historik)) and (f := förslag(s[0], SÄSONG, s[1])):
        return f
    if år is not None and (b := budgetprofil(budget, år)) and (f := förslag(b, BUDGET)):
        return f
    return förslag(tuple(_rak(m) for m in range(13)), RAK)


def tidigare_år(
    område: int,
    år: int,
    utfall: Mapping[int, Mapping[int, Månadsserie]],
    föregångare: Mapping[int, Sequence[int]],
    bakåt: int = ÅR_BAKÅT,
) -> dict[int, Månadsserie]:
    """The earlier years' monthly utfall (år → månad → kronor) whose profile the område's proposal uses, from
    ``utfall`` (område → år → månad → kronor) and the links ``föregångare`` (område → its föregångare).

    Per year: the område's own utfall; when it has none that year, its föregångare's summed (and theirs in turn,
    a generation at a time). A year in which the first generation with utfall does not have all twelve months (an
    område or nämnd that started or ended during the year, a month never imported) is left out — its shares would
    mix different verksamheter — and ``säsongsprofil`` skips it."""
    ut: dict[int, Månadsserie] = {}
    for y in range(år - bakåt, år):
        generation, sett = [område], {område}
        while generation:
            serie: dict[int, Decimal] = {}
            for o in generation:
                for m, b in utfall.get(o, {}).get(y, {}).items():
                    serie[m] = serie.get(m, NOLL) + b
            if serie:
                if komplett(serie):
                    ut[y] = serie
                break
            nästa = [f for o in generation for f in föregångare.get(o, ()) if f not in sett]
            sett.update(nästa)
            generation = list(dict.fromkeys(nästa))
    return ut


def för_område(
    område: int,
    år: int,
    månad: int,
    utfall: Mapping[int, Mapping[int, Månadsserie]],
    föregångare: Mapping[int, Sequence[int]],
    budget: Sequence[Budgetbelopp] = (),
    från_månad: int = 1,
    till_månad: int = 12,
) -> Prognosförslag | None:
    """``prognosförslag`` for one område from what ``ekonomi.selectors.utfallshistorik`` read (område → år → månad
    → kronor, and the föregångare links) and the område's budget posts."""
    return prognosförslag(
        utfall.get(område, {}).get(år, {}),
        månad,
        tidigare_år(område, år, utfall, föregångare),
        budget,
        år,
        från_månad,
        till_månad,
    )
