"""Report tables as data: the one vocabulary of columns (measures × periods), rows from the verksamhetsområde
tree, and ``Tabell`` — what every table section builds and what HTML, PDF and Excel all render. Pure: no ORM.

A column is a measure (``MÅTT``) with a heading that follows the report's period ("Budget jan–jun 2024").
A row is an område (its figures include its descendants'), a heading, a subtotal or the total, chosen by
``Radval``: how deep the tree is shown, which subtrees, which rows are collapsed or hidden, subtotal levels,
grouping by budget kind and the labels of sum rows. Values are kronor (costs positive) or ``None`` for
nothing stored — shown as "–", never as 0. ``Visning`` turns them into the table's unit and signs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ekonomi.berakning import NOLL, Bas, Områdesunderlag, avrunda, bas_tom, månadsspann, summera_bas
from grund.format import STRECK, procent, tal, värde

# What a column's figures are: decides sign and format.
KOSTNAD = "kostnad"  # nettokostnad, budget, prognos: flips when the table shows costs negative
BUDGETÄNDRING = "budgetändring"  # tillägg och avdrag
AVVIKELSE = "avvikelse"  # positive = better than budget, under every sign convention
INVESTERING = "investering"
PROCENT = "procent"
VOLYM = "volym"
STYCK = "styck"  # kronor per unit (snittkostnad, peng): never in tkr
# Intäkter (stored negative): shown positive unless the table shows them negative (``Visning.negativa``). A row's
# own kind (``Tabellrad.slag``) overrides an amount column's, so one column holds intäkter and kostnader.
INTÄKT = "intäkt"

SLAG_TEXT = {
    KOSTNAD: "Kostnader (nettokostnad, budget, prognos)",
    BUDGETÄNDRING: "Budgetändringar (tillägg och avdrag)",
    INVESTERING: "Investeringar",
    INTÄKT: "Intäkter",
}


@dataclass(frozen=True)
class Period:
    """What headings follow: the year, the last month of the period figures and the report's last month."""

    år: int
    t_o_m: int  # months 1..t_o_m (0 = a plan: no period figures)
    rapportmånad: int = 0

    def text(self, år: int | None = None) -> str:
        """ "jan–jun 2024", "jan 2024"; the bare year for a plan."""
        år = self.år if år is None else år
        return f"{månadsspann(self.t_o_m)} {år}" if self.t_o_m else str(år)

    @property
    def helår(self) -> bool:
        return self.t_o_m == 12


def _kvot(täljare: Decimal | None, nämnare: Decimal | None, gånger: int = 1) -> Decimal | None:
    if täljare is None or not nämnare:
        return None
    return täljare / nämnare * gånger


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _avvikelse(budget: Decimal | None, utfall: Decimal | None, bokat: bool = True) -> Decimal | None:
    """budget (incl. tillägg och avdrag) − nettokostnad; with no budget at all the deviation is − utfall. Without
    utfall: the budget when the period has utfall elsewhere (``bokat``: nothing booked here, so a sum row adds up),
    else no deviation to show (the period has no figures yet, not a surplus)."""
    if utfall is None and (not bokat or budget is None):
        return None
    return (budget or NOLL) - (utfall or NOLL)


def _förändring_fg(b: Bas) -> Decimal | None:
    """utfall − the same months last year. A row with utfall in only one of the years changes by all of it (a new
    or a closed verksamhet), so sum rows add up — unless that whole period has no utfall (not yet entered, or
    the year before the kommun's figures start): then there is no change to show."""
    if b.utfall is None and b.utfall_fg is None:
        return None
    utfall = b.utfall if b.utfall is not None else (NOLL if b.period_med_utfall else None)
    fg = b.utfall_fg if b.utfall_fg is not None else (NOLL if b.fg_med_utfall else None)
    return _minus(utfall, fg)


def _helårsutfall(b: Bas) -> Decimal | None:
    """The year's cost as the report knows it: the outcome at year end, else the latest prognos."""
    return b.utfall_helår if b.utfall_helår is not None else b.prognos


@dataclass(frozen=True)
class Mått:
    kod: str
    namn: str  # in the column picker
    grupp: str  # the picker's heading
    slag: str
    rubrik: Callable[[Period], str]
    värde: Callable[[Bas], Decimal | None]
    additiv: bool = True  # a sum row's value is the sum of its rows' (checked by the "delsumma" check)


def _m(kod, namn, grupp, slag, rubrik, värde, additiv=True) -> tuple[str, Mått]:
    return kod, Mått(kod, namn, grupp, slag, rubrik, värde, additiv)


PERIOD, HELÅR, FÖRRA, VOLYMGRUPP = "Perioden", "Helår", "Föregående år", "Volym och peng"

MÅTT: dict[str, Mått] = dict(
    [
        _m("utfall", "Nettokostnad perioden", PERIOD, KOSTNAD, lambda p: f"Nettokostnad {p.text()}", lambda b: b.utfall),
        _m("kf_budget", "KF-budget perioden", PERIOD, KOSTNAD, lambda p: f"Budget {p.text()}", lambda b: b.kf),
        _m("nämndbudget", "Nämndbudget perioden", PERIOD, KOSTNAD, lambda p: f"Nämndbudget {p.text()}", lambda b: b.nämnd),
        _m("tillägg", "Tillägg och avdrag perioden", PERIOD, BUDGETÄNDRING, lambda p: "Tillägg och avdrag", lambda b: b.tillägg),
        _m("budget", "Budget inkl. tillägg och avdrag perioden", PERIOD, KOSTNAD,
           lambda p: f"Budget inkl. tillägg {p.text()}", lambda b: b.budget),
        _m("avvikelse", "Budgetavvikelse perioden", PERIOD, AVVIKELSE, lambda p: "Budgetavvikelse",
           lambda b: _avvikelse(b.budget, b.utfall, b.period_med_utfall)),
        _m("avvikelse_procent", "Budgetavvikelse perioden, %", PERIOD, PROCENT, lambda p: "Avvikelse %",
           lambda b: _kvot(_avvikelse(b.budget, b.utfall, b.period_med_utfall), b.budget, 100), additiv=False),
        _m("förbrukat_procent", "Förbrukat av årsbudget, %", PERIOD, PROCENT,
           lambda p: f"Förbrukat av årsbudget {p.text()}", lambda b: _kvot(b.utfall, b.budget_helår, 100), additiv=False),
        _m("kf_budget_helår", "KF-budget helår", HELÅR, KOSTNAD, lambda p: f"KF-budget {p.år}", lambda b: b.kf_helår),
        _m("nämndbudget_helår", "Nämndbudget helår", HELÅR, KOSTNAD, lambda p: f"Nämndbudget {p.år}",
           lambda b: b.nämnd_helår),
        _m("tillägg_helår", "Tillägg och avdrag helår", HELÅR, BUDGETÄNDRING, lambda p: "Tillägg och avdrag",
           lambda b: b.tillägg_helår),
        _m("budget_helår", "Budget inkl. tillägg och avdrag helår", HELÅR, KOSTNAD, lambda p: f"Budget {p.år}",
           lambda b: b.budget_helår),
        _m("prognos", "Helårsprognos (utfall vid årets slut)", HELÅR, KOSTNAD,
           lambda p: f"{'Utfall' if p.helår else 'Prognos'} nettokostnad {p.år}", _helårsutfall),
        _m("avvikelse_helår", "Budgetavvikelse helår (prognos)", HELÅR, AVVIKELSE,
           lambda p: f"{'Utfall' if p.helår else 'Prognos'} budgetavvikelse {p.år}",
           lambda b: None if _helårsutfall(b) is None else _avvikelse(b.budget_helår, _helårsutfall(b))),
        _m("avvikelse_helår_procent", "Budgetavvikelse helår, %", HELÅR, PROCENT, lambda p: "Avvikelse helår %",
           lambda b: None if _helårsutfall(b) is None else _kvot(_avvikelse(b.budget_helår, _helårsutfall(b)),
                                                              b.budget_helår, 100), additiv=False),
        _m("prognosförändring", "Förändring sedan föregående prognos", HELÅR, KOSTNAD,
           lambda p: "Förändring sedan föregående prognos",
           lambda b: _minus(b.prognos, b.föregående_prognos) if b.utfall_helår is None else _minus(b.utfall_helår, b.prognos)),
        _m("utfall_fg", "Nettokostnad samma period föregående år", FÖRRA, KOSTNAD,
           lambda p: f"Nettokostnad {p.text(p.år - 1)}", lambda b: b.utfall_fg),
        _m("utfall_helår_fg", "Nettokostnad föregående år, helår", FÖRRA, KOSTNAD, lambda p: f"Nettokostnad {p.år - 1}",
           lambda b: b.utfall_helår_fg),
        _m("budget_fg", "Budget föregående år", FÖRRA, KOSTNAD, lambda p: f"Budget {p.år - 1}",
           lambda b: b.budget_fg_helår),
        _m("förändring_fg", "Förändring mot samma period föregående år", FÖRRA, KOSTNAD,
           lambda p: f"Förändring mot {p.text(p.år - 1)}", _förändring_fg),
        _m("volym", "Volym (utfall)", VOLYMGRUPP, VOLYM, lambda p: f"Volym {p.text()}", lambda b: b.volym, additiv=False),
        _m("plan_volym", "Planerad volym", VOLYMGRUPP, VOLYM, lambda p: f"Plan {p.text()}", lambda b: b.plan_volym,
           additiv=False),
        _m("volymavvikelse", "Volym mot plan", VOLYMGRUPP, VOLYM, lambda p: "Avvikelse mot plan",
           lambda b: _minus(b.plan_volym, b.volym), additiv=False),
        _m("snittkostnad", "Snittkostnad (nettokostnad ÷ volym)", VOLYMGRUPP, STYCK, lambda p: "Snittkostnad, kr",
           lambda b: _kvot(b.utfall_volym, b.volym), additiv=False),
        _m("volym_peng", "Volym × peng", VOLYMGRUPP, KOSTNAD, lambda p: "Volym × peng", lambda b: b.volym_peng),
        _m("volym_peng_avvikelse", "Avvikelse volym × peng mot plan", VOLYMGRUPP, AVVIKELSE,
           lambda p: "Volymavvikelse", lambda b: b.peng_avvikelse),
        _m("volymeffekt", "Volymeffekt (budgetavvikelsen av volym mot plan × peng)", VOLYMGRUPP, AVVIKELSE,
           lambda p: "Volymeffekt", lambda b: b.volymeffekt),
        _m("priseffekt", "Priseffekt (budgetavvikelsen av kostnad per enhet mot peng × volym)", VOLYMGRUPP, AVVIKELSE,
           lambda p: "Priseffekt", lambda b: b.priseffekt),
        _m("volymrest", "Budget som inte följer volymen (rest av budgetavvikelsen)", VOLYMGRUPP, AVVIKELSE,
           lambda p: "Övrig budget", lambda b: b.volymrest),
    ]
)  # fmt: skip


# --- how figures are shown -----------------------------------------------------------------------------------

ENHETER = {"kr": (Decimal(1), 0), "tkr": (Decimal(1000), 0), "mnkr": (Decimal(1_000_000), 1)}


@dataclass(frozen=True)
class Visning:
    """A table's unit, decimals and signs. ``negativa``: the kinds of figures shown with their sign flipped
    (e.g. costs negative while investments and budget changes stay positive)."""

    enhet: str = "tkr"
    decimaler: int = 0
    negativa: frozenset[str] = frozenset()

    @property
    def delare(self) -> Decimal:
        return ENHETER[self.enhet][0]

    def vänd(self, slag: str) -> bool:
        """Whether a figure of ``slag`` is shown with its stored sign flipped. Intäkter are stored negative: they
        are flipped unless the table shows them negative."""
        return (INTÄKT not in self.negativa) if slag == INTÄKT else slag in self.negativa

    def tal(self, v: Decimal | None, slag: str) -> Decimal | None:
        """The shown number, unrounded (Excel cells) — in the unit, with the sign; percent and volumes as they are."""
        if v is None:
            return None
        if slag in (PROCENT, VOLYM, STYCK):
            return v
        return (-v if self.vänd(slag) else v) / self.delare

    def avrundat(self, v: Decimal | None, slag: str) -> Decimal | None:
        if v is None:
            return None
        if slag == PROCENT:
            return v.quantize(Decimal("0.1"))
        if slag in (VOLYM, STYCK):
            return v.quantize(Decimal(1)) if slag == STYCK else v
        return avrunda(-v if self.vänd(slag) else v, self.delare, self.decimaler)

    def text(self, v: Decimal | None, slag: str) -> str:
        if v is None:
            return STRECK
        if slag == PROCENT:
            return procent(v)
        if slag == VOLYM:
            return värde(v)
        if slag == STYCK:
            return tal(v)
        return tal(self.avrundat(v, slag), self.decimaler)


# --- rows --------------------------------------------------------------------------------------------------

NIVÅER = ("block", "verksamhet", "enhet")
RAD, RUBRIK, DELSUMMA, SUMMA = "rad", "rubrik", "delsumma", "summa"
KATEGORIER = (("anslag", "Anslag"), ("volym", "Volym"), ("egen_regi", "Egen regi"), ("", "Ej angiven budgetkategori"))


@dataclass(frozen=True)
class Radval:
    ned_till: str = "verksamhet"  # the deepest kind of område shown as a row of its own; deeper ones roll up
    rötter: tuple[int, ...] = ()  # subtrees shown (() = the whole tree)
    hopslagna: tuple[int, ...] = ()  # shown as one row whatever their depth
    dolda: tuple[int, ...] = ()  # left out of the table and its sums
    delsummor: tuple[str, ...] = ("block",)  # kinds of område that get a subtotal row when broken down
    gruppering: str = ""  # "" (the tree) or "budgetkategori"
    delsumma_etikett: str = "Summa {namn}"
    summa_etikett: str = "Summa"
    dölj_tomma: bool = True  # rows with nothing stored are not shown


@dataclass(frozen=True)
class Tabellrad:
    namn: str
    typ: str  # RAD, RUBRIK, DELSUMMA or SUMMA
    nivå: int
    bas: Bas
    id: int | None = None
    kommentar: str = ""
    delar: tuple[int, ...] = ()  # for a sum row: the indices of the rows it adds up
    slag: str = ""  # e.g. INTÄKT: the row's amounts are of this kind in every KOSTNAD column ("" = the column's)


def tabellrader(områden: Sequence[Områdesunderlag], val: Radval, bas_för: Callable[..., Bas]) -> list[Tabellrad]:
    """The rows of a table from the tree (``områden`` in display order). ``bas_för(o, kategori)`` gives an
    område's own figures."""
    barn: dict[int | None, list[Områdesunderlag]] = {}
    for o in områden:
        if o.id not in val.dolda:
            barn.setdefault(o.förälder_id, []).append(o)
    finns = {o.id for o in områden}
    if val.rötter:
        rötter = [o for o in områden if o.id in val.rötter and o.id not in val.dolda]
    else:
        rötter = [o for o in områden if (o.förälder_id is None or o.förälder_id not in finns) and o.id not in val.dolda]
    djup = NIVÅER.index(val.ned_till) if val.ned_till in NIVÅER else 1
    rader: list[Tabellrad] = []

    def rang(o: Områdesunderlag) -> int:
        return NIVÅER.index(o.typ) if o.typ in NIVÅER else 1

    def summa_av(o: Områdesunderlag, kategori: str | None) -> Bas:
        return summera_bas([bas_för(o, kategori), *(summa_av(b, kategori) for b in barn.get(o.id, []))])

    def besök(o: Områdesunderlag, nivå: int, kategori: str | None) -> list[int]:
        """Adds the rows of ``o`` and returns the indices of its top rows (what a parent's sum adds up)."""
        total = summa_av(o, kategori)
        if (val.dölj_tomma or kategori is not None) and bas_tom(total):
            return []  # grouped by budget kind, an område with nothing of a kind is not of that kind
        delas = barn.get(o.id) and rang(o) < djup and o.id not in val.hopslagna
        if not delas:
            rader.append(Tabellrad(o.namn, RAD, nivå, total, o.id, o.kommentar))
            return [len(rader) - 1]
        rader.append(Tabellrad(o.namn, RUBRIK, nivå, Bas(), o.id))
        toppar: list[int] = []
        egen = bas_för(o, kategori)
        if not bas_tom(egen):
            rader.append(Tabellrad(o.namn, RAD, nivå + 1, egen, o.id, o.kommentar))
            toppar.append(len(rader) - 1)
        for b in barn[o.id]:
            toppar += besök(b, nivå + 1, kategori)
        if o.typ in val.delsummor:
            etikett = val.delsumma_etikett.replace("{namn}", o.namn)
            rader.append(Tabellrad(etikett, DELSUMMA, nivå, total, o.id, o.kommentar, tuple(toppar)))
            return [len(rader) - 1]
        return toppar

    toppar: list[int] = []
    if val.gruppering == "budgetkategori":
        for kod, namn in KATEGORIER:
            start = len(rader)
            rader.append(Tabellrad(namn, RUBRIK, 0, Bas()))
            inom = [i for o in rötter for i in besök(o, 1, kod)]
            if not inom:
                del rader[start:]
                continue
            total = summera_bas([rader[i].bas for i in inom])
            rader.append(
                Tabellrad(
                    val.delsumma_etikett.replace("{namn}", namn.lower()), DELSUMMA, 0, total, None, "", tuple(inom)
                )
            )
            toppar.append(len(rader) - 1)
    else:
        toppar = [i for o in rötter for i in besök(o, 0, None)]
    total = summera_bas([rader[i].bas for i in toppar]) if toppar else Bas()
    rader.append(Tabellrad(val.summa_etikett, SUMMA, 0, total, None, "", tuple(toppar)))
    return rader


# --- the table ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kolumn:
    mått: str
    rubrik: str
    slag: str
    additiv: bool = True


def kolumner(koder: Sequence[tuple[str, str]], period: Period) -> list[Kolumn]:
    """Columns from (measure, own heading or "") pairs; the heading follows the period unless given."""
    return [Kolumn(k, rubrik or MÅTT[k].rubrik(period), MÅTT[k].slag, MÅTT[k].additiv) for k, rubrik in koder]


@dataclass
class Tabell:
    """Rows × columns of kronor (or %, volumes) ready for HTML, PDF and Excel."""

    id: str
    rubrik: str  # caption
    förstakolumn: str
    kolumner: list[Kolumn]
    rader: list[Tabellrad]
    visning: Visning
    del_rubrik: str = ""  # the part (nämnd) the table is of, when the report has several
    värden: list[list[Decimal | None]] = field(default_factory=list)
    drill_nämnd: int | None = None  # rows are this nämnd's områden: the HTML links each figure to its months

    def __post_init__(self) -> None:
        if not self.värden:
            self.värden = [
                [None if r.typ == RUBRIK else MÅTT[k.mått].värde(r.bas) for k in self.kolumner] for r in self.rader
            ]

    @property
    def enhetstext(self) -> str:
        """The amount unit for the caption; "" for a table without amounts (volumes, %, kronor per unit: each row
        or column names its own unit)."""
        return self.visning.enhet if any(k.slag not in (PROCENT, VOLYM, STYCK) for k in self.kolumner) else ""

    def celler(self, i: int) -> list[tuple[str, Decimal | None, str]]:
        """(text, Excel number, slag) of row ``i``'s cells."""
        rad = self.rader[i].slag if i < len(self.rader) else ""
        return [
            (self.visning.text(v, s), self.visning.tal(v, s), s)
            for v, k in zip(self.värden[i], self.kolumner, strict=True)
            for s in (rad if rad and k.slag == KOSTNAD else k.slag,)
        ]

    @property
    def rader_med_celler(self) -> list[tuple[Tabellrad, list[str]]]:
        return [(r, [c[0] for c in self.celler(i)]) for i, r in enumerate(self.rader)]

    def dölj_tomma_kolumner(self) -> None:
        """A column with nothing in it is not shown."""
        behåll = [j for j in range(len(self.kolumner)) if any(rad[j] is not None for rad in self.värden)]
        if len(behåll) == len(self.kolumner):
            return
        self.kolumner = [self.kolumner[j] for j in behåll]
        self.värden = [[rad[j] for j in behåll] for rad in self.värden]

    @property
    def avrundningsnoter(self) -> list[str]:
        """Where the printed total differs from the sum of the printed rows: a note under the table (the total is
        computed from unrounded kronor and rounded last)."""
        noter: list[str] = []
        if not self.rader or self.rader[-1].typ != SUMMA:
            return noter
        rader = [i for i, r in enumerate(self.rader) if r.typ == RAD]
        v = self.visning
        for j, k in enumerate(self.kolumner):
            if not k.additiv or self.värden[-1][j] is None or k.slag not in (KOSTNAD, AVVIKELSE, BUDGETÄNDRING):
                continue
            summa = v.avrundat(self.värden[-1][j], k.slag)
            radsumma = sum((v.avrundat(self.värden[i][j], k.slag) or NOLL for i in rader), NOLL)
            if summa != radsumma:
                noter.append(
                    f"Avrundningsdifferens i kolumnen {k.rubrik[:1].lower()}{k.rubrik[1:]}: summan visas som "
                    f"{tal(summa, v.decimaler)} {v.enhet}, raderna summerar till {tal(radsumma, v.decimaler)} {v.enhet}."
                )
        return noter
