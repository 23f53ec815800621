"""Pure report maths for money: no ORM, no request. Decimal in, Decimal out; amounts in kronor.

Sign convention: nettokostnad is positive for a cost. budgetavvikelse = budget + tillägg och avdrag
− nettokostnad, positive = under budget. Presentation (tkr/mnkr, costs negative) is applied later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar, overload

from grund import manader

NOLL = Decimal(0)
ÖRE = Decimal("0.01")
JÄMN = (Decimal(1),) * 12


def periodandel(vikter: Sequence[Decimal] | None, t_o_m_månad: int) -> Decimal:
    """Share of the year's budget that falls in months 1..t_o_m_månad (even spread without a profile)."""
    if not 0 <= t_o_m_månad <= 12:
        raise ValueError(f"Månad måste vara 0–12, inte {t_o_m_månad}.")
    v = tuple(vikter) if vikter else JÄMN
    if len(v) != 12:
        raise ValueError("En periodiseringsprofil har tolv månadsvikter.")
    total = sum(v, NOLL)
    if total <= 0:
        raise ValueError("Periodiseringsprofilens vikter summerar till 0.")
    return sum(v[:t_o_m_månad], NOLL) / total


def periodbudget(
    helår: Decimal,
    vikter: Sequence[Decimal] | None,
    t_o_m_månad: int,
    månader: Sequence[Decimal | None] | None = None,
) -> Decimal:
    """Budget for months 1..t_o_m_månad, rounded to öre — the one rule every user of a periodised budget follows.

    ``månader``: exact amounts of single months (jan … dec, None where not given; a budget imported per month or
    for a period). The period's exact months count to the öre; the months without one share the rest of the year
    (helår − every exact month) by ``vikter`` restricted to them (evenly when those weights are all 0). Through
    December the result is always ``helår``: when all twelve months are exact, a difference to helår lands on
    December. ``vikter``: the post's profile, else the kommun's standard profile (the selector decides), else None
    (even spread)."""
    if not månader or all(m is None for m in månader):
        return (helår * periodandel(vikter, t_o_m_månad)).quantize(ÖRE, ROUND_HALF_UP)
    if not 0 <= t_o_m_månad <= 12:
        raise ValueError(f"Månad måste vara 0–12, inte {t_o_m_månad}.")
    if len(månader) != 12:
        raise ValueError("En budgetpost har tolv månader.")
    v = tuple(vikter) if vikter else JÄMN
    if len(v) != 12:
        raise ValueError("En periodiseringsprofil har tolv månadsvikter.")
    exakta = sum((m for m in månader[:t_o_m_månad] if m is not None), NOLL)
    rest = helår - sum((m for m in månader if m is not None), NOLL)
    fria = [i for i, m in enumerate(månader) if m is None]
    if not fria:
        return exakta + (rest if t_o_m_månad == 12 else NOLL)
    vikt = {i: v[i] for i in fria}
    if sum(vikt.values(), NOLL) <= 0:
        vikt = dict.fromkeys(fria, Decimal(1))
    andel = sum((w for i, w in vikt.items() if i < t_o_m_månad), NOLL) / sum(vikt.values(), NOLL)
    return exakta + (rest * andel).quantize(ÖRE, ROUND_HALF_UP)


def månadsbudget(
    helår: Decimal, vikter: Sequence[Decimal] | None, månad: int, månader: Sequence[Decimal | None] | None = None
) -> Decimal:
    """The budget of one month: through ``månad`` minus through the month before, so the months add up to every
    period's budget exactly."""
    return periodbudget(helår, vikter, månad, månader) - periodbudget(helår, vikter, månad - 1, månader)


def fördela_exakt(belopp: Decimal, vikter: Sequence[Decimal] | None, t_o_m_månad: int) -> list[Decimal]:
    """A period's budget (months 1..t_o_m_månad) as exact monthly amounts: spread by ``vikter`` (evenly without,
    or when the period's weights are all 0), each month rounded to öre and the remainder on the last month, so
    the months sum to ``belopp`` exactly."""
    if not 1 <= t_o_m_månad <= 12:
        raise ValueError(f"Månad måste vara 1–12, inte {t_o_m_månad}.")
    v = list(vikter)[:t_o_m_månad] if vikter else [Decimal(1)] * t_o_m_månad
    if sum(v, NOLL) <= 0:
        v = [Decimal(1)] * t_o_m_månad
    total = sum(v, NOLL)
    ut = [(belopp * w / total).quantize(ÖRE, ROUND_HALF_UP) for w in v[:-1]]
    return [*ut, belopp - sum(ut, NOLL)]


def budgetavvikelse(budget: Decimal, tillägg: Decimal, nettokostnad: Decimal) -> Decimal:
    return budget + tillägg - nettokostnad


def prognosförändring(prognos: Decimal | None, föregående: Decimal | None) -> Decimal | None:
    """Change of the helårsprognos since the previous prognostillfälle (positive = higher cost)."""
    if prognos is None or föregående is None:
        return None
    return prognos - föregående


def snittkostnad(nettokostnad: Decimal, volym: Decimal | None) -> Decimal | None:
    """Kronor per unit of volume (e.g. per hemtjänsttimme); None when there is no volume."""
    if not volym:
        return None
    return (nettokostnad / volym).quantize(Decimal("0.01"), ROUND_HALF_UP)


def volymavvikelse(budgeterad_volym: Decimal, volym: Decimal, peng: Decimal) -> Decimal:
    """Budget effect of a volume differing from plan when money follows volume: positive = fewer units
    than budgeted (money left over)."""
    return (budgeterad_volym - volym) * peng


@dataclass(frozen=True)
class Volymdelning:
    """A period's budgetavvikelse split into a volume and a price effect (docs/beslut.md, "Avvikelse: volym- och
    priseffekt, kommentarsförslag"). Kronor, positive = under budget.

    The budgeted cost per unit is the budget's peng (Σ budgeted volume × peng ÷ budgeted volume, both periodised);
    the actual cost per unit is the whole nettokostnad ÷ the actual volume, as the report's snittkostnad is. So
    volymeffekt + priseffekt = the volume budget − nettokostnad, and ``rest`` is the period budget that does not
    follow the volume (other posts, tillägg och avdrag): volymeffekt + priseffekt + rest = avvikelse, exactly."""

    budget: Decimal  # the period's budget incl. tillägg och avdrag
    nettokostnad: Decimal
    plan_volym: Decimal  # budgeted volume, periodised (never 0)
    volym: Decimal  # actual volume of the period
    plan_kostnad: Decimal  # Σ budgeted volume × peng, periodised

    @property
    def peng(self) -> Decimal:
        """Budgeted cost per unit."""
        return self.plan_kostnad / self.plan_volym

    @property
    def styckkostnad(self) -> Decimal | None:
        """Actual cost per unit; None without volume."""
        return self.nettokostnad / self.volym if self.volym else None

    @property
    def volymeffekt(self) -> Decimal:
        """(budgeted volume − actual volume) × budgeted cost per unit."""
        return ((self.plan_volym - self.volym) * self.peng).quantize(ÖRE, ROUND_HALF_UP)

    @property
    def priseffekt(self) -> Decimal:
        """(budgeted − actual cost per unit) × actual volume = volume × peng − nettokostnad (also at volume 0)."""
        return self.plan_kostnad - self.nettokostnad - self.volymeffekt

    @property
    def rest(self) -> Decimal:
        """The period budget not driven by volume."""
        return self.budget - self.plan_kostnad

    @property
    def avvikelse(self) -> Decimal:
        return self.budget - self.nettokostnad

    @property
    def prisändring_procent(self) -> Decimal | None:
        """How much the actual cost per unit differs from the budgeted, in % (positive = dearer)."""
        if self.styckkostnad is None or not self.peng:
            return None
        return (self.styckkostnad - self.peng) / self.peng * 100


def volymdelning(
    budget: Decimal | None,
    nettokostnad: Decimal | None,
    plan_volym: Decimal | None,
    volym: Decimal | None,
    plan_kostnad: Decimal | None,
) -> Volymdelning | None:
    """The split, or None when there is nothing to split: no budgeted volume (or peng), no actual volume, no budget
    or no nettokostnad for the period."""
    if not plan_volym or plan_kostnad is None or volym is None or budget is None or nettokostnad is None:
        return None
    return Volymdelning(budget, nettokostnad, plan_volym, volym, plan_kostnad)


def riktpunkt(t_o_m_månad: int) -> Decimal:
    """Share of the year passed, e.g. 4/12 after April."""
    return Decimal(t_o_m_månad) / 12


def avrunda(belopp: Decimal, enhet: Decimal, decimaler: int = 0) -> Decimal:
    """Round kronor to a presentation unit (1000 for tkr, 1 000 000 for mnkr), half away from zero."""
    return (belopp / enhet).quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)


@dataclass(frozen=True)
class DriftRad:
    """One row of the driftredovisning (period or helår). ``jämförelse`` is last year's nettokostnad;
    in a verksamhetsberättelse ``nettokostnad`` is the outcome, in a delårsrapport's helår view the prognos."""

    namn: str
    jämförelse: Decimal = NOLL
    budget: Decimal = NOLL
    tillägg: Decimal = NOLL
    nettokostnad: Decimal = NOLL
    föregående_prognos: Decimal | None = None
    id: int | None = None
    kommentar: str = ""

    @property
    def budget_inkl_tillägg(self) -> Decimal:
        return self.budget + self.tillägg

    @property
    def avvikelse(self) -> Decimal:
        return budgetavvikelse(self.budget, self.tillägg, self.nettokostnad)

    @property
    def avvikelse_procent(self) -> Decimal | None:
        if not self.budget_inkl_tillägg:
            return None
        return self.avvikelse / self.budget_inkl_tillägg * 100

    @property
    def prognosförändring(self) -> Decimal | None:
        return prognosförändring(self.nettokostnad, self.föregående_prognos)


@dataclass(frozen=True)
class BudgetRad:
    """A row of the verksamhetsplan's driftsbudget: last year's budget, KF-budget and nämndbudget."""

    namn: str
    föregående: Decimal = NOLL
    kf: Decimal = NOLL
    nämnd: Decimal = NOLL
    id: int | None = None
    kommentar: str = ""

    @property
    def förändring(self) -> Decimal:
        return self.kf - self.föregående


R = TypeVar("R", DriftRad, BudgetRad)


@overload
def summera(namn: str, rader: Iterable[DriftRad]) -> DriftRad: ...
@overload
def summera(namn: str, rader: Iterable[R], typ: type[R]) -> R: ...
def summera(namn: str, rader: Iterable[R], typ: type[R] | None = None) -> DriftRad | BudgetRad:
    """Sum rows column by column, unrounded. An optional column sums only where every row has a value."""
    rader = list(rader)
    radtyp: type[DriftRad] | type[BudgetRad] = typ or DriftRad
    # Field name → Decimal (or None for an optional column); the row type's fields decide which.
    belopp: dict[str, Any] = {}
    for f in fields(radtyp):
        if f.name in ("namn", "id", "kommentar"):
            continue
        värden = [getattr(r, f.name) for r in rader]
        belopp[f.name] = sum(värden, NOLL) if f.default is NOLL or (värden and None not in värden) else None
    return radtyp(namn=namn, **belopp)


@dataclass(frozen=True)
class Driftgrupp(Generic[R]):
    """A block with its verksamheter and subtotal; a top-level verksamhet is a group of one (no subtotal)."""

    namn: str
    rader: tuple[R, ...]
    är_block: bool = True

    @property
    def summa(self) -> R:
        return summera(self.namn, self.rader, type(self.rader[0]))


@dataclass(frozen=True)
class Driftredovisning(Generic[R]):
    grupper: tuple[Driftgrupp[R], ...]
    radtyp: type = DriftRad

    @property
    def rader(self) -> list[R]:
        return [r for g in self.grupper for r in g.rader]

    @property
    def summa(self) -> R:
        return summera("Summa", self.rader, self.radtyp)


# --- from stored figures to report rows --------------------------------------------------------


@dataclass(frozen=True)
class Budgetbelopp:
    slag: str  # "kf", "nämnd" or "tillägg"
    år: int
    belopp: Decimal
    vikter: tuple[Decimal, ...] | None = None
    kategori: str = ""  # budget kind: "" (none), "anslag", "volym", "egen_regi"
    volym: Decimal | None = None  # budgeted volume and peng (money follows volume)
    peng: Decimal | None = None
    kostnadsslag: tuple[int, str, str, int] | None = None  # (id, namn, typ, ordning) when budgeted per kostnadsslag
    månader: tuple[Decimal | None, ...] | None = None  # exact amounts per month (jan … dec, None = not given)

    def period(self, t_o_m: int) -> Decimal:
        """The post's budget for months 1..t_o_m (``periodbudget``: exact months to the öre)."""
        return periodbudget(self.belopp, self.vikter, t_o_m, self.månader)

    def månad(self, månad: int) -> Decimal:
        return månadsbudget(self.belopp, self.vikter, månad, self.månader)

    def andel(self, t_o_m: int) -> Decimal:
        """The share of the year's budget in months 1..t_o_m (spreads what follows the money, e.g. the volume)."""
        if self.månader and self.belopp:
            return self.period(t_o_m) / self.belopp
        return periodandel(self.vikter, t_o_m)


@dataclass(frozen=True)
class Områdesunderlag:
    """What is stored for one verksamhetsområde (its own figures, not its children's), as read by
    ``ekonomi.selectors.ekonomiunderlag`` for a year ``år`` up to month ``månad``."""

    id: int
    namn: str
    typ: str  # "block", "verksamhet", "enhet"
    förälder_id: int | None
    budget: tuple[Budgetbelopp, ...] = ()
    utfall_period: Decimal = NOLL  # år, months 1..månad
    utfall_period_fg: Decimal = NOLL  # år − 1, months 1..månad
    utfall_helår_fg: Decimal = NOLL  # år − 1, all months
    prognoser: tuple[tuple[int, Decimal], ...] = ()  # (prognostillfälle, belopp) of år, ascending
    kommentar: str = ""
    nämnd_id: int | None = None
    saknas: frozenset[str] = frozenset()  # of "period", "period_fg", "helår_fg": no utfall stored at all
    # (kategori, period, period_fg, helår_fg) per budget kind that has utfall
    per_kategori: tuple[tuple[str, Decimal | None, Decimal | None, Decimal | None], ...] = ()


def _budget(o: Områdesunderlag, slag: str, år: int, t_o_m_månad: int = 12) -> Decimal:
    return sum((b.period(t_o_m_månad) for b in o.budget if b.slag == slag and b.år == år), NOLL)


def driftrad_period(o: Områdesunderlag, år: int, månad: int) -> DriftRad:
    return DriftRad(
        namn=o.namn,
        id=o.id,
        kommentar=o.kommentar,
        jämförelse=o.utfall_period_fg,
        budget=_budget(o, "kf", år, månad),
        tillägg=_budget(o, "tillägg", år, månad),
        nettokostnad=o.utfall_period,
    )


def driftrad_helår(o: Områdesunderlag, år: int, månad: int) -> DriftRad:
    """Helår: the outcome after December, otherwise the latest prognos made up to ``månad``."""
    prognoser = [b for m, b in o.prognoser if m <= månad]
    if månad == 12:
        nettokostnad, föregående = o.utfall_period, (prognoser[-1] if prognoser else None)
    else:
        nettokostnad = prognoser[-1] if prognoser else NOLL
        föregående = prognoser[-2] if len(prognoser) > 1 else None
    return DriftRad(
        namn=o.namn,
        id=o.id,
        kommentar=o.kommentar,
        jämförelse=o.utfall_helår_fg,
        budget=_budget(o, "kf", år),
        tillägg=_budget(o, "tillägg", år),
        nettokostnad=nettokostnad,
        föregående_prognos=föregående,
    )


def budgetrad(o: Områdesunderlag, år: int) -> BudgetRad:
    """Verksamhetsplan: last year's budget is the nämnd's own distribution where there is one, else KF's."""
    föregående_nämnd = [b for b in o.budget if b.slag == "nämnd" and b.år == år - 1]
    return BudgetRad(
        namn=o.namn,
        id=o.id,
        kommentar=o.kommentar,
        föregående=_budget(o, "nämnd" if föregående_nämnd else "kf", år - 1),
        kf=_budget(o, "kf", år),
        nämnd=_budget(o, "nämnd", år),
    )


def har_prognos(o: Områdesunderlag, månad: int) -> bool:
    return any(m <= månad for m, _ in o.prognoser)


# --- base values of a report row (layouts pick columns from them) ------------------------------------


@dataclass(frozen=True)
class Bas:
    """The stored figures a report row's columns are computed from, for the report's period (months 1..``t_o_m``)
    and year. ``None`` = nothing stored (shown as "–", never as 0). Amounts in kronor, costs positive."""

    utfall: Decimal | None = None  # months 1..t_o_m of år
    utfall_fg: Decimal | None = None  # the same months of år − 1
    utfall_helår_fg: Decimal | None = None
    kf: Decimal | None = None  # KF-budget periodised through t_o_m
    kf_helår: Decimal | None = None
    nämnd: Decimal | None = None  # nämndbudget periodised through t_o_m
    nämnd_helår: Decimal | None = None
    tillägg: Decimal | None = None  # tillägg och avdrag periodised through t_o_m
    tillägg_helår: Decimal | None = None
    budget_fg_helår: Decimal | None = None  # last year's budget (the nämnd's distribution where there is one)
    prognos: Decimal | None = None  # the latest helårsprognos made up to the report's month
    föregående_prognos: Decimal | None = None
    utfall_helår: Decimal | None = None  # the year's outcome: only when the period is the whole year
    volym: Decimal | None = None
    utfall_volym: Decimal | None = None  # the utfall of what has a volume (snittkostnad's numerator)
    plan_volym: Decimal | None = None  # budgeted volume, periodised through t_o_m
    volym_peng: Decimal | None = None  # Σ volym × peng
    plan_peng: Decimal | None = None  # Σ budgeterad volym × peng, periodised through t_o_m
    # plan_peng − volym_peng of the områden that have both (a sum row adds up the rows that show one)
    peng_avvikelse: Decimal | None = None
    # The period's avvikelse split (``Volymdelning``) of the områden that have one (a sum row adds up its rows')
    volymeffekt: Decimal | None = None
    priseffekt: Decimal | None = None
    volymrest: Decimal | None = None  # the budget that does not follow the volume
    aktiv: bool = False  # has any budget or utfall for the year (a missing prognos then matters)
    # The report's period has utfall (somewhere): a row without utfall has nothing booked, so its deviation is its
    # budget. In a period without any utfall there is no deviation to show (docs/beslut.md, "Ärliga perioder").
    period_med_utfall: bool = False
    fg_med_utfall: bool = False  # the same months last year have utfall (somewhere): as above, for their change

    @property
    def budget(self) -> Decimal | None:
        return _plus(self.kf, self.tillägg)

    @property
    def budget_helår(self) -> Decimal | None:
        return _plus(self.kf_helår, self.tillägg_helår)


def _plus(*värden: Decimal | None) -> Decimal | None:
    """Sum of the values present; None when none is."""
    finns = [v for v in värden if v is not None]
    return sum(finns, NOLL) if finns else None


def _budget_eller_none(poster: Sequence[Budgetbelopp], slag: str, år: int, t_o_m: int = 12) -> Decimal | None:
    valda = [b for b in poster if b.slag == slag and b.år == år]
    return sum((b.period(t_o_m) for b in valda), NOLL) if valda else None


def _periodvolym(b: Budgetbelopp, t_o_m: int) -> Decimal:
    """The planned volume for months 1..t_o_m, spread as the budget post's money is (compared with the period's
    volume like for like, as budget is with utfall)."""
    return ((b.volym or NOLL) * b.andel(t_o_m)).quantize(ÖRE, ROUND_HALF_UP)


def bas(
    o: Områdesunderlag,
    år: int,
    t_o_m: int,
    rapportmånad: int,
    kategori: str | None = None,
    volym: Decimal | None = None,
    period_med_utfall: bool = False,
    fg_med_utfall: bool = False,
) -> Bas:
    """One område's own figures (not its children's). ``kategori`` restricts budget and utfall to one budget kind
    (anslag, volym, egen regi); prognoser are made per område, not per kind, so a kind has none."""
    poster = [b for b in o.budget if kategori is None or b.kategori == kategori]
    if kategori is None:
        utfall, utfall_fg, helår_fg = (
            None if nyckel in o.saknas else värde
            for nyckel, värde in (
                ("period", o.utfall_period),
                ("period_fg", o.utfall_period_fg),
                ("helår_fg", o.utfall_helår_fg),
            )
        )
    else:
        rad = next((k for k in o.per_kategori if k[0] == kategori), None)
        utfall, utfall_fg, helår_fg = rad[1:] if rad else (None, None, None)
    föregående_nämnd = [b for b in poster if b.slag == "nämnd" and b.år == år - 1]
    prognoser = [b for m, b in o.prognoser if m <= rapportmånad] if kategori is None else []
    plan = [b for b in poster if b.slag == "kf" and b.år == år and b.volym is not None and b.peng is not None]
    peng = next((b.peng for b in plan), None)
    kf_helår = _budget_eller_none(poster, "kf", år)
    volym_peng = volym * peng if volym is not None and peng is not None else None
    plan_peng = _plus(
        *((b.volym * b.peng * b.andel(t_o_m)).quantize(ÖRE, ROUND_HALF_UP) for b in plan if b.volym and b.peng)
    )
    kf, tillägg = _budget_eller_none(poster, "kf", år, t_o_m), _budget_eller_none(poster, "tillägg", år, t_o_m)
    plan_volym = _plus(*(_periodvolym(b, t_o_m) for b in plan))
    delning = volymdelning(
        _plus(kf, tillägg),
        utfall if utfall is not None or not period_med_utfall else NOLL,
        plan_volym,
        volym,
        plan_peng,
    )
    return Bas(
        utfall=utfall,
        utfall_fg=utfall_fg,
        utfall_helår_fg=helår_fg,
        kf=kf,
        kf_helår=kf_helår,
        nämnd=_budget_eller_none(poster, "nämnd", år, t_o_m),
        nämnd_helår=_budget_eller_none(poster, "nämnd", år),
        tillägg=tillägg,
        tillägg_helår=_budget_eller_none(poster, "tillägg", år),
        budget_fg_helår=_budget_eller_none(poster, "nämnd" if föregående_nämnd else "kf", år - 1),
        prognos=prognoser[-1] if prognoser else None,
        föregående_prognos=prognoser[-2] if len(prognoser) > 1 else None,
        utfall_helår=utfall if t_o_m == 12 else None,
        volym=volym,
        utfall_volym=utfall if volym is not None else None,
        plan_volym=plan_volym,
        volym_peng=volym_peng,
        plan_peng=plan_peng,
        peng_avvikelse=None if volym_peng is None or plan_peng is None else plan_peng - volym_peng,
        volymeffekt=delning.volymeffekt if delning else None,
        priseffekt=delning.priseffekt if delning else None,
        volymrest=delning.rest if delning else None,
        aktiv=utfall is not None or kf_helår is not None,
        period_med_utfall=period_med_utfall,
        fg_med_utfall=fg_med_utfall,
    )


def summera_bas(delar: Sequence[Bas]) -> Bas:
    """A row over several områden: each figure summed where present. The prognos (and the previous one) is only
    summed when every active part has one — a missing prognos is missing, not a zero cost."""
    belopp: dict[str, Any] = {}
    for f in fields(Bas):
        if f.name in _FLAGGOR:
            continue
        värden = [getattr(d, f.name) for d in delar]
        if f.name in ("prognos", "föregående_prognos") and any(
            v is None and d.aktiv for v, d in zip(värden, delar, strict=True)
        ):
            belopp[f.name] = None
        else:
            belopp[f.name] = _plus(*värden)
    return Bas(
        aktiv=any(d.aktiv for d in delar),
        period_med_utfall=any(d.period_med_utfall for d in delar),
        fg_med_utfall=any(d.fg_med_utfall for d in delar),
        **belopp,
    )


_FLAGGOR = ("aktiv", "period_med_utfall", "fg_med_utfall")


def bas_tom(b: Bas) -> bool:
    return all(getattr(b, f.name) is None for f in fields(Bas) if f.name not in _FLAGGOR)


def delträd(områden: Sequence[Områdesunderlag], rot: int | None) -> list[Områdesunderlag]:
    """``rot`` and its descendants among ``områden`` (every område for None; none when ``rot`` is not there)."""
    if rot is None:
        return list(områden)
    barn: dict[int | None, list[Områdesunderlag]] = {}
    for o in områden:
        barn.setdefault(o.förälder_id, []).append(o)
    ut = [o for o in områden if o.id == rot]
    i = 0
    while i < len(ut):
        ut += barn.get(ut[i].id, [])
        i += 1
    return ut


def med_prognos(underlag: Sequence[Områdesunderlag], månad: int) -> frozenset[int]:
    """The områden with a helårsprognos made up to ``månad``, and their ancestors."""
    förälder = {o.id: o.förälder_id for o in underlag}
    result: set[int] = set()
    for o in underlag:
        if har_prognos(o, månad):
            id_: int | None = o.id
            while id_ is not None and id_ not in result:
                result.add(id_)
                id_ = förälder.get(id_)
    return frozenset(result)


def gruppera(områden: Sequence[Områdesunderlag], rad: Callable[[Områdesunderlag], R]) -> Driftredovisning[R]:
    """Build the report's groups from the tree (given in display order): each top-level block becomes a
    group of its children, each other top-level område a group of one. A row includes its descendants'
    figures (enheter roll up into their verksamhet)."""
    barn: dict[int | None, list[Områdesunderlag]] = {}
    for o in områden:
        barn.setdefault(o.förälder_id, []).append(o)

    def med_ättlingar(o: Områdesunderlag) -> list[R]:
        return [rad(o)] + [r for b in barn.get(o.id, []) for r in med_ättlingar(b)]

    def rad_för(o: Områdesunderlag) -> R:
        egna = med_ättlingar(o)
        if len(egna) == 1:
            return egna[0]
        typ = type(egna[0])
        return replace(summera(o.namn, egna, typ), id=o.id, kommentar=o.kommentar)

    grupper = []
    for topp in barn.get(None, []):
        if topp.typ == "block" and barn.get(topp.id):
            grupper.append(Driftgrupp(topp.namn, tuple(rad_för(b) for b in barn[topp.id])))
        else:
            grupper.append(Driftgrupp(topp.namn, (rad_för(topp),), är_block=False))
    radtyp = type(grupper[0].rader[0]) if grupper else DriftRad
    return Driftredovisning(tuple(grupper), radtyp)


@dataclass(frozen=True)
class Investeringsrad:
    namn: str
    ram: Decimal
    tillägg: Decimal
    utgift: Decimal
    prognos: Decimal | None = None
    kommentar: str = ""

    @property
    def avvikelse(self) -> Decimal:
        """Ram + tillägg − prognos (or − utgift when there is no prognos, e.g. at year end)."""
        return self.ram + self.tillägg - (self.prognos if self.prognos is not None else self.utgift)


# --- månadsuppföljning -------------------------------------------------------------------------


@dataclass(frozen=True)
class Månadsrad:
    """One verksamhetsområde in the month grid. Amounts in kronor; None = nothing stored."""

    id: int
    namn: str
    utfall_månad: Decimal | None = None
    utfall_ack: Decimal = NOLL  # months 1..månad, this month included
    periodbudget: Decimal = NOLL  # KF-budget + tillägg och avdrag, periodised through månad
    helårsbudget: Decimal = NOLL
    prognos: Decimal | None = None  # made at this month
    föregående_prognos: Decimal | None = None  # the latest made before this month
    kommentar: str = ""
    utfall_version: int | None = None
    prognos_version: int | None = None
    utfall_per_kostnadsslag: bool = False  # imported per kostnadsslag: the netto cell is read-only
    plan_volym: Decimal | None = None  # budgeted volume through månad (the variance split, ``Volymdelning``)
    plan_kostnad: Decimal | None = None  # Σ budgeted volume × peng through månad

    @property
    def avvikelse(self) -> Decimal:
        return budgetavvikelse(self.periodbudget, NOLL, self.utfall_ack)

    def volymdelning(self, volym: Decimal | None) -> Volymdelning | None:
        """The period's deviation split by volume and price, given the period's actual ``volym``."""
        return volymdelning(self.periodbudget, self.utfall_ack, self.plan_volym, volym, self.plan_kostnad)

    @property
    def prognosförändring(self) -> Decimal | None:
        return prognosförändring(self.prognos, self.föregående_prognos)

    @property
    def prognosavvikelse(self) -> Decimal | None:
        return None if self.prognos is None else self.helårsbudget - self.prognos

    @property
    def förbrukat_procent(self) -> Decimal | None:
        """Utfall as % of the year's budget, to compare with the riktpunkt."""
        return None if not self.helårsbudget else self.utfall_ack / self.helårsbudget * 100


def månadsrad(o: Områdesunderlag, år: int, månad: int, **kw) -> Månadsrad:
    """The grid row of one område from its stored figures (``kw``: this month's utfall, prognos, versions)."""
    före = [b for m, b in o.prognoser if m < månad]
    plan = bas(o, år, månad, månad)
    return Månadsrad(
        id=o.id,
        namn=o.namn,
        plan_volym=plan.plan_volym,
        plan_kostnad=plan.plan_peng,
        utfall_ack=o.utfall_period,
        periodbudget=_budget(o, "kf", år, månad) + _budget(o, "tillägg", år, månad),
        helårsbudget=_budget(o, "kf", år) + _budget(o, "tillägg", år),
        föregående_prognos=före[-1] if före else None,
        **kw,
    )


def summera_månad(namn: str, rader: Sequence[Månadsrad]) -> dict[str, Decimal | None]:
    """Column sums of grid rows (for subtotal and total rows); prognos sums where every row has one."""

    def opt(värden):
        värden = list(värden)
        return sum(värden, NOLL) if värden and None not in värden else None

    return {
        "namn": namn,
        "utfall_månad": sum((r.utfall_månad or NOLL for r in rader), NOLL),
        "utfall_ack": sum((r.utfall_ack for r in rader), NOLL),
        "periodbudget": sum((r.periodbudget for r in rader), NOLL),
        "avvikelse": sum((r.avvikelse for r in rader), NOLL),
        "helårsbudget": sum((r.helårsbudget for r in rader), NOLL),
        "prognos": opt(r.prognos for r in rader),
        "prognosförändring": opt(r.prognosförändring for r in rader),
    }


BELOPP, PROCENT = "belopp", "procent"  # the two criteria of the kommun's avvikelsegräns


def över_gräns(
    avvikelse: Decimal, budget: Decimal, gräns_kr: Decimal | None, gräns_procent: Decimal | None
) -> tuple[str, ...]:
    """Which of the kommun's limits a budgetavvikelse reaches, so it must be commented; () when none.

    ``BELOPP`` when |avvikelse| ≥ ``gräns_kr``, ``PROCENT`` when |avvikelse| ≥ |budget| × ``gräns_procent`` / 100
    ("at least": the limit itself counts). Either is enough. A limit of 0 or None switches its criterion off, so
    with both off nothing is over the limit; the % criterion does not apply to a row without budget. ``budget``
    is the budget the deviation is measured against (budget + tillägg och avdrag); its sign does not matter
    (income budgets are negative), nor does the deviation's (docs/beslut.md, "Avvikelsegräns")."""
    belopp = abs(avvikelse)
    skäl = []
    if gräns_kr and gräns_kr > 0 and belopp >= gräns_kr:
        skäl.append(BELOPP)
    if gräns_procent and gräns_procent > 0 and budget and belopp * 100 >= abs(budget) * gräns_procent:
        skäl.append(PROCENT)
    return tuple(skäl)


# --- honest periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Täckning:
    """Which months of a period 1..``t_o_m`` have utfall. Comparisons (budget periodised, last year's utfall)
    run through ``senaste``, the last month with utfall, so like is compared with like; a gap before ``senaste``
    is flagged, not bridged (docs/beslut.md, "Ärliga perioder")."""

    t_o_m: int  # the period's (report's) last month
    senaste: int  # last month with utfall ≤ t_o_m, 0 if none
    antal: int  # months with utfall ≤ t_o_m
    luckor: tuple[int, ...]  # months ≤ senaste without utfall

    @property
    def fullständig(self) -> bool:
        return self.antal == self.t_o_m

    @property
    def period(self) -> str:
        """The compared months as text: "jan–maj", "jan"; "" when there is no utfall."""
        return månadsspann(self.senaste)

    @property
    def text(self) -> str:
        """What a reader must know about the period, in Swedish; "" when every month has utfall."""
        if self.fullständig:
            return ""
        if not self.antal:
            return "Inget utfall är registrerat för perioden."
        delar = [f"Utfall finns för {self.antal} av {self.t_o_m} månader ({self.period})."]
        if self.luckor:
            saknas = _uppräkning([manader.lång(m) for m in self.luckor])
            delar.append(f"Utfall saknas för {saknas}.")
            delar.append(f"Budget och föregående år avser {self.period}, också {saknas} som saknar utfall.")
        else:
            delar.append("Budget och föregående år avser samma månader.")
        return " ".join(delar)


def månadsspann(t_o_m: int) -> str:
    """Months 1..t_o_m as a heading's period: 5 → "jan–maj", 1 → "januari", 0 → "" (``grund.manader.spann``)."""
    return manader.spann(t_o_m)


def _uppräkning(ord_: Sequence[str]) -> str:
    return ord_[0] if len(ord_) == 1 else f"{', '.join(ord_[:-1])} och {ord_[-1]}"


def täckt_period(månader_med_utfall: Sequence[int], t_o_m: int) -> Täckning:
    """The coverage of period 1..``t_o_m`` given the months that have utfall (any order, duplicates and months
    after ``t_o_m`` allowed)."""
    if not 0 <= t_o_m <= 12:
        raise ValueError(f"Månad måste vara 0–12, inte {t_o_m}.")
    if any(not 1 <= m <= 12 for m in månader_med_utfall):
        raise ValueError("En månad med utfall måste vara 1–12.")
    med = sorted({m for m in månader_med_utfall if m <= t_o_m})
    senaste = med[-1] if med else 0
    return Täckning(
        t_o_m=t_o_m,
        senaste=senaste,
        antal=len(med),
        luckor=tuple(m for m in range(1, senaste + 1) if m not in med),
    )


def helårsprognoser(områden: Sequence[Områdesunderlag], år: int, månad: int) -> dict[int | None, Decimal | None]:
    """The latest helårsprognos made up to ``månad`` per område, its descendants' included, and for the whole
    tree (key None). None — shown "–", never 0 — when an område of the subtree that is active in ``år`` (has a
    KF-budget of the year or utfall in the period) has no prognos: a sum with a part missing is not a prognos."""
    barn: dict[int | None, list[Områdesunderlag]] = {}
    for o in områden:
        barn.setdefault(o.förälder_id, []).append(o)

    def egen(o: Områdesunderlag) -> tuple[bool, Decimal | None]:
        prognoser = [b for m, b in o.prognoser if m <= månad]
        if prognoser:
            return True, prognoser[-1]
        aktiv = bool(o.utfall_period) or any(b.slag == "kf" and b.år == år for b in o.budget)
        return aktiv, None

    result: dict[int | None, Decimal | None] = {}

    def summa(delar: list[tuple[bool, Decimal | None]]) -> tuple[bool, Decimal | None]:
        räknas = [v for r, v in delar if r]
        if not räknas or any(v is None for v in räknas):
            return bool(räknas), None
        return True, sum((v for v in räknas if v is not None), NOLL)

    def rulla(o: Områdesunderlag) -> tuple[bool, Decimal | None]:
        räknas, värde = summa([egen(o), *(rulla(b) for b in barn.get(o.id, []))])
        result[o.id] = värde
        return räknas, värde

    result[None] = summa([rulla(o) for o in barn.get(None, [])])[1]
    return result
