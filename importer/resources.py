"""django-import-export Resources: the column formats of the simple import templates (budget, prognos,
indikatorer).

Why Resources, and why only this far. A Resource declares, once, which column means which field and how a
cell is converted (a widget per column). We use that declaration in both directions:

* import: ``importer.mallar`` recognises a file's header row, then cleans each cell through the Resource's
  field widgets (Swedish numbers, slag, månad …), so the template's columns and their parsing live in one
  place;
* export: the empty template's header row, and the current figures written out as a filled-in template
  (``Resource.export``) that can be edited and imported again.

The write path is deliberately *not* ``Resource.import_data``: it saves row by row through the instance
loader, cannot express our cross-row rules (a key twice in one file, closed periods, fastställda reports,
a monthly profile shared by several rows), does not write the old → new audit trail (``Importändring``) or
the simple-history rows that bulk writes need, and its CSV export does not neutralise formula-looking text.
``importer.mallar`` plans the changes against the database and writes them in one transaction with bulk
operations. Wide layouts (volymer with one column per month) have no fixed columns and do not use a Resource.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from import_export import fields, resources, widgets

from ekonomi.models import MÅNADER, Budgetkategori, Budgetpost, Prognos
from grund import manader
from grund.tal import BELOPP, NYCKELTAL, ÅR, Decimaler, Talgräns
from nyckeltal.models import Indikatorvärde

from . import lasare

MÅNADSNAMN_LÅNGA = list(manader.LÅNGA)


def tom(värde) -> bool:
    return värde is None or (isinstance(värde, str) and not värde.strip())


class Tal(widgets.Widget):
    """A number a field bounded by ``gräns`` can store: a numeric cell, or Swedish text ("1 234,5", "−1 022",
    "94 %"), parsed by ``grund.tal``. ``decimaler``: "avrunda" rounds to the field's decimals; "fria" keeps them
    for an import that scales the column (tkr → kr) and rounds after. ``heltal``: a whole number (a year).
    Exported natively so that the xlsx cell is a number, not text."""

    def __init__(self, gräns: Talgräns, *, heltal: bool = False, decimaler: Decimaler = "avrunda"):
        self.gräns, self.heltal, self.decimaler = gräns, heltal, "exakt" if heltal else decimaler
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs) -> Decimal | int | None:
        if tom(value):
            return None
        tal = lasare.tal(
            value.strip().removesuffix("%").strip() if isinstance(value, str) else value,
            self.gräns,
            decimaler=self.decimaler,
        )
        return int(tal) if self.heltal else tal

    def render(self, value, obj=None, **kwargs):
        return value


class Val(widgets.Widget):
    """One of a few values, written as the label ("KF-budget") or the code ("kf"); more spellings in ``extra``."""

    def __init__(self, choices, extra: dict[str, str] | None = None, tomt: str | None = None):
        self.etiketter = dict(choices)
        self.tolkning = {str(k).lower(): k for k in self.etiketter} | {
            str(v).lower(): k for k, v in self.etiketter.items()
        }
        self.tolkning |= {k.lower(): v for k, v in (extra or {}).items()}
        self.tomt = tomt
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs):
        if tom(value):
            if self.tomt is not None:
                return self.tomt
            return None
        nyckel = " ".join(str(value).split()).lower()
        if nyckel not in self.tolkning:
            giltiga = ", ".join(str(v) for k, v in self.etiketter.items() if k != "")
            raise ValueError(f"{str(value).strip()!r} är inte ett giltigt värde. Giltiga: {giltiga}.")
        return self.tolkning[nyckel]

    def render(self, value, obj=None, **kwargs):
        return "" if value in (None, "") else str(self.etiketter.get(value, value))


class Månad(widgets.Widget):
    """A month 1–12: 8, "8", "aug", "augusti", "2023-08", "202308" or an Excel date. ``clean`` returns the month;
    ``år_och_månad`` also the year when the cell has one."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    @staticmethod
    def år_och_månad(value) -> tuple[int | None, int]:
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year, value.month
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            if value == int(value) and 1 <= int(value) <= 12:
                return None, int(value)
            if value == int(value) and 200001 <= int(value) <= 210012 and 1 <= int(value) % 100 <= 12:
                return int(value) // 100, int(value) % 100
            raise ValueError(f"{value!r} är inte en månad (1–12).")
        text = " ".join(str(value).split()).lower().rstrip(".")
        if m := re.fullmatch(r"(\d{4})\s*[-/]?\s*(\d{1,2})", text):
            år, månad = int(m[1]), int(m[2])
            if 2000 <= år <= 2100 and 1 <= månad <= 12:
                return år, månad
        if (m := re.fullmatch(r"(\d{1,2})", text)) and 1 <= int(m[1]) <= 12:
            return None, int(m[1])
        if m := re.fullmatch(r"([a-zåäö]+)\s*(\d{4})?", text):
            namn = m[1]
            for i, (kort, lång) in enumerate(zip(MÅNADER, MÅNADSNAMN_LÅNGA, strict=True), start=1):
                if namn in (kort, lång) or (len(namn) >= 3 and lång.startswith(namn)):
                    return (int(m[2]) if m[2] else None), i
        raise ValueError(f"{str(value).strip()!r} är inte en månad (1–12, jan–dec eller ÅÅÅÅ-MM).")

    def clean(self, value, row=None, **kwargs) -> int | None:
        if tom(value):
            return None
        return self.år_och_månad(value)[1]

    def render(self, value, obj=None, **kwargs):
        return value


class Text(widgets.Widget):
    """Text as typed, whitespace trimmed; numbers written as text (e.g. a code 7410 read as a number)."""

    def __init__(self):
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs) -> str:
        if tom(value):
            return ""
        if isinstance(value, float) and value == int(value):
            value = int(value)
        return " ".join(str(value).split())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class Mallresurs(resources.Resource):
    """A template format: fields with Swedish column names, widgets, and the other header spellings that are
    recognised on import (``synonymer``: field name → spellings, lower case)."""

    synonymer: dict[str, tuple[str, ...]] = {}
    krävs: tuple[tuple[str, ...], ...] = ()  # each tuple: at least one of these fields must have a column
    instruktioner: tuple[str, ...] = ()

    def kolumnnamn(self) -> dict[str, str]:
        return {namn: f.column_name for namn, f in self.fields.items()}

    def alla_synonymer(self) -> dict[str, tuple[str, ...]]:
        return {namn: (f.column_name.lower(), *self.synonymer.get(namn, ())) for namn, f in self.fields.items()}

    def rensa(self, namn: str, värde):
        """Clean one cell through the field's widget; raises ValueError with a Swedish message."""
        f = self.fields[namn]
        return f.widget.clean(värde, row=None)


PERIODBUDGET_SYNONYMER = ("periodbudget", "budget perioden", "budget period", "periodens budget", "period budget")
T_O_M_SYNONYMER = ("t.o.m. månad", "tom månad", "t o m månad", "till och med månad", "period t.o.m.", "t.o.m.")
# "Budget jan–aug", "Periodbudget jan-aug", "Budget t.o.m. aug": the period's last month in the header.
_PERIOD_I_RUBRIK = re.compile(r"(?:period)?budget\s+(?:jan(?:uari)?\s*-\s*|t\.?\s*o\.?\s*m\.?\s*)([a-zåäö]+)")


def period_i_rubrik(bas: str) -> int | None:
    """The last month of a period budget column's header ("budget jan-aug" → 8), or None."""
    if (m := _PERIOD_I_RUBRIK.fullmatch(bas)) is None:
        return None
    try:
        return Månad.år_och_månad(m[1])[1]
    except ValueError:
        return None


class BudgetResource(Mallresurs):
    """KF-budget, nämndbudget and tillägg och avdrag per verksamhetsområde and year, in kronor; optionally exact
    amounts per month (jan–dec) or a period budget (months 1..t.o.m. månad), stored exactly on the post."""

    område = fields.Field(attribute="verksamhetsområde__namn", column_name="Verksamhetsområde", widget=Text())
    år = fields.Field(attribute="år", column_name="År", widget=Tal(ÅR, heltal=True))
    slag = fields.Field(
        attribute="slag",
        column_name="Slag",
        widget=Val(
            Budgetpost.Slag.choices,
            {
                "kf budget": "kf",
                "kf": "kf",
                "nämnd": "nämnd",
                "tillägg": "tillägg",
                "tillägg/avdrag": "tillägg",
                "avdrag": "tillägg",
                "tillägg och avdrag": "tillägg",
                "tillagg": "tillägg",
                "namndbudget": "nämnd",
            },
        ),
    )
    kategori = fields.Field(
        attribute="kategori",
        column_name="Budgetkategori",
        widget=Val(Budgetkategori.choices, {"-": "", "egen regi": "egen_regi"}, tomt=""),
    )
    belopp = fields.Field(attribute="belopp", column_name="Belopp helår (kr)", widget=Tal(BELOPP, decimaler="fria"))
    kommentar = fields.Field(attribute="kommentar", column_name="Kommentar", widget=Text())

    synonymer = {
        "område": ("verksamhet", "område", "verksamhetsområde/kod", "kod", "vht", "verksamhetsområde (namn eller kod)"),
        "år": ("budgetår", "år"),
        "slag": ("budgetslag", "typ", "budgettyp"),
        "kategori": ("kategori",),
        "belopp": ("belopp", "budget", "helår", "belopp helår", "årsbudget", "summa", "budget helår", "helårsbudget"),
        "kommentar": ("kommentar", "skäl", "notering", "anteckning"),
        "periodbudget": PERIODBUDGET_SYNONYMER,
        "t_o_m": T_O_M_SYNONYMER,
        "ansvar": ("ansvar", "ansvarsställe", "ansvarskod", "ansv"),
        "verksamhet": ("verksamhetskod", "vht kod", "verksamhet kod", "vht-kod"),
    }
    krävs = (("område", "ansvar", "verksamhet"), ("år",), ("slag",), ("belopp", "jan"))
    instruktioner = (
        "En rad per verksamhetsområde, år och slag (KF-budget, Nämndbudget eller Tillägg och avdrag).",
        "Verksamhetsområde: namnet som det står i rapporten, eller en ansvars-/verksamhetskod som är kopplad till "
        "området. I stället för namnet går kolumnerna Ansvar och/eller Verksamhet med koder (som i utfallsimporten).",
        "Belopp helår anges i kronor, kostnader positiva och intäkter negativa. Skriv (tkr) i rubriken, "
        "t.ex. 'Belopp helår (tkr)', om filen har tusental kronor.",
        "En tom beloppscell betyder ingen budget för raden: inget lagras (en lagrad budget lämnas orörd) och "
        "rapporten visar ”–”. 0 lagras som 0.",
        "Tillägg och avdrag kräver en kommentar (skälet). Samma verksamhetsområde, år och kommentar får bara "
        "förekomma en gång; flera tillägg för samma område skiljs åt genom kommentaren.",
        "KF-budget och nämndbudget: samma verksamhetsområde, år, slag och budgetkategori får bara förekomma en gång.",
        "Månadskolumnerna jan–dec är frivilliga. Ifyllda månader lagras exakt (i kronor och öre); månader som "
        "lämnas tomma delar på resten av helåret enligt postens periodiseringsprofil, annars kommunens "
        "standardprofil, annars jämnt. Är alla tolv ifyllda ska summan vara lika med beloppet (eller lämna beloppet "
        "tomt). Tomma månadskolumner på alla månader behåller nuvarande fördelning.",
        "Periodbudget: en kolumn ”Periodbudget” med månaden i kolumnen ”T.o.m. månad”, eller månaderna i rubriken "
        "(”Budget jan–aug (kr)”). Perioden lagras exakt (fördelad på periodens månader med standardprofilen, "
        "resten av öret på sista månaden); resten av året fördelas enligt profilen. Ange helårsbeloppet också.",
        "Budgetposter som inte finns i filen lämnas orörda.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for m in MÅNADER:
            self.fields[m] = fields.Field(attribute=None, column_name=m, widget=Tal(BELOPP, decimaler="fria"))
            self.fields[m].dehydrate_method = lambda post, m=m: månadsbelopp(post, m)
        for namn, rubrik, widget in (
            ("periodbudget", "Periodbudget (kr)", Tal(BELOPP, decimaler="fria")),
            ("t_o_m", "T.o.m. månad", Månad()),
            ("ansvar", "Ansvar", Text()),
            ("verksamhet", "Verksamhetskod", Text()),
        ):
            self.fields[namn] = fields.Field(attribute=None, column_name=rubrik, widget=widget)
            self.fields[namn].dehydrate_method = lambda post: None

    def alla_synonymer(self):
        syn = super().alla_synonymer()
        for i, (kort, lång) in enumerate(zip(MÅNADER, MÅNADSNAMN_LÅNGA, strict=True), start=1):
            syn[kort] = (kort, lång, str(i), f"{i:02d}")
        return syn


def månadsbelopp(post: Budgetpost, månad: str) -> Decimal | None:
    """A budget post's exact amount in one month (export of a filled-in template), else None: an empty month
    column keeps the post's spread on import, so the exported file imports again without changes (a profile is
    not written out as months: that would make every month exact)."""
    return None if post.månader is None else post.månader[MÅNADER.index(månad)]


class PrognosResource(Mallresurs):
    """Helårsprognos of nettokostnad per verksamhetsområde at a prognostillfälle (month), with a comment."""

    område = fields.Field(attribute="verksamhetsområde__namn", column_name="Verksamhetsområde", widget=Text())
    år = fields.Field(attribute="år", column_name="År", widget=Tal(ÅR, heltal=True))
    månad = fields.Field(attribute="månad", column_name="Prognostillfälle (månad)", widget=Månad())
    belopp = fields.Field(
        attribute="belopp", column_name="Prognos nettokostnad helår (kr)", widget=Tal(BELOPP, decimaler="fria")
    )
    kommentar = fields.Field(attribute="kommentar", column_name="Kommentar", widget=Text())

    synonymer = {
        "område": ("verksamhet", "område", "kod", "vht", "verksamhetsområde (namn eller kod)"),
        "månad": ("prognostillfälle", "månad", "period", "prognosmånad"),
        "belopp": ("prognos", "helårsprognos", "prognos helår", "belopp", "prognos nettokostnad", "nettokostnad helår"),
        "kommentar": ("kommentar", "kommentarer", "förklaring", "analys"),
        "ansvar": ("ansvar", "ansvarsställe", "ansvarskod", "ansv"),
        "verksamhet": ("verksamhetskod", "vht kod", "verksamhet kod", "vht-kod"),
    }
    krävs = (("område", "ansvar", "verksamhet"), ("månad",), ("belopp", "kommentar"))
    instruktioner = (
        "En rad per verksamhetsområde och prognostillfälle (den månad prognosen görs efter, t.ex. aug, 8 eller 2023-08).",
        "Verksamhetsområde: namnet som det står i rapporten, eller kolumnerna Ansvar och/eller Verksamhetskod med "
        "koderna som är kopplade till områdena (även 74* för alla koder som börjar på 74; den mest specifika vinner).",
        "Saknar filen kolumnen Prognostillfälle kan du ange månaden när du laddar upp filen.",
        "År kan utelämnas om prognostillfället skrivs som ÅÅÅÅ-MM.",
        "Prognosen är helårets nettokostnad i kronor (kostnader positiva). Skriv (tkr) i rubriken om filen har tusental kronor.",
        "Kommentaren visas i rapporten under helårsprognosen. En rad får ha bara en kommentar och ingen prognos; "
        "en tom prognos- eller kommentarcell lämnar det som redan finns orört.",
        "Samma verksamhetsområde, år och prognostillfälle får bara förekomma en gång.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for namn, rubrik in (("ansvar", "Ansvar"), ("verksamhet", "Verksamhetskod")):
            self.fields[namn] = fields.Field(attribute=None, column_name=rubrik, widget=Text())
            self.fields[namn].dehydrate_method = lambda post: None


class IndikatorResource(Mallresurs):
    """Indicator values per year: totalt, kvinnor, män. The indikator by Kolada-id or by name."""

    indikator = fields.Field(attribute="indikator__namn", column_name="Indikator", widget=Text())
    kolada_id = fields.Field(attribute="indikator__kolada_id", column_name="Kolada-id", widget=Text())
    år = fields.Field(attribute="år", column_name="År", widget=Tal(ÅR, heltal=True))
    typ = fields.Field(attribute="typ", column_name="Typ", widget=Val(Indikatorvärde.Typ.choices, tomt="utfall"))
    totalt = fields.Field(attribute="totalt", column_name="Totalt", widget=Tal(NYCKELTAL))
    kvinnor = fields.Field(attribute="kvinnor", column_name="Kvinnor", widget=Tal(NYCKELTAL))
    män = fields.Field(attribute="män", column_name="Män", widget=Tal(NYCKELTAL))
    källa = fields.Field(attribute="källa", column_name="Källa", widget=Text())

    synonymer = {
        "indikator": ("indikatornamn", "namn", "nyckeltal"),
        "kolada_id": ("kolada id", "koladaid", "kpi", "kpi-id", "nyckeltals-id", "id"),
        "år": ("period", "year"),
        "totalt": ("total", "t", "värde", "utfall", "alla"),
        "kvinnor": ("k", "kvinna", "flickor"),
        "män": ("m", "man", "pojkar"),
    }
    krävs = (("indikator", "kolada_id"), ("år",), ("totalt", "kvinnor", "män"))
    instruktioner = (
        "En rad per indikator och år. Ange indikatorn med Kolada-id (t.ex. U21468) eller med namnet som i rapporten.",
        "Typ är Utfall (standard) eller Prognos.",
        "Totalt, Kvinnor och Män är värdena i indikatorns enhet (t.ex. procent: 94 eller 94,5).",
        "En tom cell lämnar ett befintligt värde orört.",
        "Källa visas under indikatortabellen i rapporten. Ange inte Kolada som källa för värden ni själva har räknat om.",
        "Samma indikator, år och typ får bara förekomma en gång.",
    )


def budget_queryset(nämnd, år: int):
    return (
        Budgetpost.objects.filter(verksamhetsområde__nämnd=nämnd, år=år)
        .select_related("verksamhetsområde", "profil")
        .order_by("verksamhetsområde__ordning", "slag", "id")
    )


def prognos_queryset(nämnd, år: int):
    return (
        Prognos.objects.filter(verksamhetsområde__nämnd=nämnd, år=år)
        .select_related("verksamhetsområde")
        .order_by("verksamhetsområde__ordning", "månad")
    )


def indikator_queryset(nämnd, år: int):
    return (
        Indikatorvärde.objects.filter(indikator__mål__nämnd=nämnd, år__lte=år, år__gte=år - 3)
        .select_related("indikator")
        .order_by("indikator__mål__ordning", "indikator__ordning", "år")
    )


RESURSER: dict[str, type[Mallresurs]] = {
    "budget": BudgetResource,
    "prognos": PrognosResource,
    "indikatorer": IndikatorResource,
}
