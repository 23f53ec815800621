"""Excel (.xlsx) and CSV downloads of the tables the reports and entry pages show, and the import templates.

``xlsx_svar(filnamn, blad)`` writes any list of ``Blad``: Swedish headers, real numbers with number formats,
a frozen and filtered header row, column widths. Text is always written as a string cell, so a comment
typed as ``=HYPERLINK(…)`` stays text (openpyxl would otherwise store it as a formula).

Number formats use Excel's format codes, where ``,`` groups thousands and ``.`` marks decimals; Excel shows
them with the reader's locale, i.e. ``1 234`` and ``12,5`` in Swedish. (A literal ``# ##0`` would not group:
the space would be printed as a fixed character.) Amounts are the unrounded kronor divided into the kommun's
unit (tkr, mnkr) with the kommun's sign convention, so the cells display like the report and sum exactly;
the CSV download has no formats and is rounded like the report instead.

``csv_svar`` writes ``;``-separated text with decimal comma (UTF-8 with BOM, for Excel). Text cells starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading ``'`` so spreadsheet programs do not run
them as formulas; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from ekonomi.models import Kostnadsslag, Prognos, Utfall
from grund import manader
from nyckeltal.models import Indikator, Indikatorvärde, Nyckeltal, Nyckeltalsvärde
from nyckeltal.selectors import alla_mål
from nämnd.models import Nämnd, Verksamhetsområde, koder
from rapporter import tabell
from rapporter.format import Presentation
from rapporter.rapport import MÅNADER_LÅNG, Rapport
from rapporter.sektioner import Rapportsektion
from rapporter.tabell import SLAG_TEXT, Tabell, Visning

from . import mallar
from .mallar.ramverk import Områden
from .resources import RESURSER, budget_queryset, indikator_queryset, prognos_queryset

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TKR = "#,##0"
MNKR = "#,##0.0"
PROCENT = "0.0"
HELTAL = "0"
VÄRDE = "värde"  # volumes and indicator values: "#,##0" for whole numbers, else up to two decimals
FARLIGA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELLTEXT = 32_767  # Excel's limit per cell


@dataclass(frozen=True)
class Kolumn:
    rubrik: str
    format: str | None = None  # None: a text column
    bredd: float | None = None


@dataclass
class Blad:
    namn: str
    kolumner: list[Kolumn]
    rader: list[list] = field(default_factory=list)
    summarader: set[int] = field(default_factory=set)  # row indices shown bold (sums, block headings)
    indrag: set[int] = field(default_factory=set)  # row indices whose first cell is indented

    def rad(self, celler: list, summa: bool = False, indrag: bool = False) -> None:
        if summa:
            self.summarader.add(len(self.rader))
        if indrag:
            self.indrag.add(len(self.rader))
        self.rader.append(celler)


def bladnamn(namn: str, använda: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\ ."""
    rent = "".join("-" if c in "[]:*?/\\" else c for c in namn).strip("' ") or "Blad"
    kandidat, n = rent[:31], 1
    while kandidat.lower() in använda:
        n += 1
        kandidat = f"{rent[: 31 - len(str(n)) - 1]} {n}"
    använda.add(kandidat.lower())
    return kandidat


def _cellformat(format: str | None, värde) -> str | None:
    if format != VÄRDE:
        return format
    if isinstance(värde, (int, Decimal)) and Decimal(värde) == Decimal(värde).to_integral_value():
        return "#,##0"
    return "#,##0.0#"


def _textlängd(värde, format: str | None) -> int:
    if värde is None:
        return 0
    if isinstance(värde, (int, float, Decimal)) and not isinstance(värde, bool):
        decimaler = 0 if format in (TKR, HELTAL, "#,##0") or format is None else 2
        return len(f"{float(värde):,.{decimaler}f}") + 1
    return max((len(r) for r in str(värde).splitlines()), default=0)


def xlsx_bytes(blad: Iterable[Blad]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    använda: set[str] = set()
    rubrikstil = Font(bold=True)
    rubrikfyllning = PatternFill("solid", fgColor="EEF2F5")
    for b in blad:
        ws = wb.create_sheet(bladnamn(b.namn, använda))
        bredder = [len(k.rubrik) + 2 for k in b.kolumner]
        for i, k in enumerate(b.kolumner, start=1):
            cell = ws.cell(row=1, column=i)
            cell.value = k.rubrik
            cell.data_type = "s"
            cell.font, cell.fill = rubrikstil, rubrikfyllning
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if k.format else "left")
        for r, celler in enumerate(b.rader):
            fet = r in b.summarader
            for i, värde in enumerate(celler, start=1):
                k = b.kolumner[i - 1] if i <= len(b.kolumner) else Kolumn("")
                cell = ws.cell(row=r + 2, column=i)
                if värde is None or värde == "":
                    pass
                elif isinstance(värde, (int, float, Decimal)) and not isinstance(värde, bool):
                    cell.value = värde
                    cell.number_format = _cellformat(k.format, värde) or "General"
                else:
                    # Typed text is always a string cell: never a formula, whatever it starts with. Control
                    # characters XML cannot hold (pasted from other programs) are dropped.
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(värde))[:MAX_CELLTEXT]
                    cell.data_type = "s"
                    if "\n" in cell.value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                if fet:
                    cell.font = rubrikstil
                if i == 1 and r in b.indrag:
                    cell.alignment = Alignment(indent=1)
                if i <= len(bredder):
                    bredder[i - 1] = max(bredder[i - 1], _textlängd(värde, k.format) + 2)
        for i, k in enumerate(b.kolumner, start=1):
            ws.column_dimensions[get_column_letter(i)].width = k.bredd or min(max(bredder[i - 1], 8), 60)
        ws.freeze_panes = "A2"
        if b.kolumner and b.rader:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(b.kolumner))}{len(b.rader) + 1}"
        ws.print_title_rows = "1:1"
    if not wb.worksheets:
        wb.create_sheet("Tomt")
    ut = io.BytesIO()
    wb.save(ut)
    return ut.getvalue()


def _filnamn(filnamn: str, ändelse: str) -> str:
    return (slugify(filnamn) or "export") + ändelse


def xlsx_svar(filnamn: str, blad: list[Blad]) -> HttpResponse:
    svar = HttpResponse(xlsx_bytes(blad), content_type=XLSX)
    svar["Content-Disposition"] = f'attachment; filename="{_filnamn(filnamn, ".xlsx")}"'
    return svar


def skydda_csv(text: str) -> str:
    """A text cell that a spreadsheet program would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FARLIGA_START) else text


def _csv_tal(värde, format: str | None) -> str:
    d = Decimal(str(värde)) if not isinstance(värde, Decimal) else värde
    if format == VÄRDE or format is None:
        decimaler = 0 if d == d.to_integral_value() else 2
    else:
        decimaler = len(format.rsplit(".", 1)[1]) if "." in format else 0
    d = d.quantize(Decimal(1).scaleb(-decimaler), ROUND_HALF_UP)
    if d == 0:
        d = abs(d)
    text = f"{d:.{decimaler}f}".replace(".", ",")
    if format == VÄRDE or format is None:
        text = text.rstrip("0").rstrip(",") if "," in text else text
    return text


def csv_text(blad: Blad) -> str:
    ut = io.StringIO()
    w = csv.writer(ut, delimiter=";", lineterminator="\r\n")
    w.writerow([skydda_csv(k.rubrik) for k in blad.kolumner])
    for celler in blad.rader:
        rad = []
        for i, värde in enumerate(celler):
            format = blad.kolumner[i].format if i < len(blad.kolumner) else None
            if värde is None:
                rad.append("")
            elif isinstance(värde, (int, float, Decimal)) and not isinstance(värde, bool):
                rad.append(_csv_tal(värde, format))
            else:
                rad.append(skydda_csv(str(värde)))
        w.writerow(rad)
    return ut.getvalue()


def csv_svar(filnamn: str, blad: Blad) -> HttpResponse:
    svar = HttpResponse(("\ufeff" + csv_text(blad)).encode("utf-8"), content_type="text/csv; charset=utf-8")
    svar["Content-Disposition"] = f'attachment; filename="{_filnamn(filnamn, ".csv")}"'
    return svar


# --- report tables ------------------------------------------------------------------------------


def belopp(pres: Presentation, kr: Decimal | None, kostnad: bool = True) -> Decimal | None:
    """Kronor → the kommun's unit and sign, unrounded (the cell's number format rounds the display)."""
    if kr is None:
        return None
    return (-kr if kostnad and pres.kostnader_negativa else kr) / pres.delare


def _beloppsformat(pres: Presentation) -> str:
    return MNKR if pres.enhet == "mnkr" else TKR


def _format(decimaler: int) -> str:
    return "#,##0" + ("." + "0" * decimaler if decimaler else "")


def om_blad(rapport: Rapport, rubrik: str, visning: Visning | None = None, källor: Iterable[str] = ()) -> Blad:
    b = Blad("Om tabellen", [Kolumn("Uppgift", bredd=22), Kolumn("Värde", bredd=70)])
    b.rad(["Tabell", rubrik])
    b.rad(["Kommun", rapport.kommun.namn])
    b.rad(["Nämnd", rapport.nämnd.namn])
    b.rad(["Rapport", rapport.titel])
    b.rad(["Period", rapport.period_text])
    if rapport.täckning:
        b.rad(["Utfall", rapport.täckning.text])
    if visning is not None:
        tecken = [SLAG_TEXT[s].split(" (")[0].lower() for s in SLAG_TEXT if s in visning.negativa]
        b.rad(
            [
                "Belopp",
                f"{visning.enhet}, "
                + (f"negativa: {', '.join(tecken)}" if tecken else "kostnader positiva")
                + "; budgetavvikelse positiv = bättre än budget",
            ]
        )
    if källor := sorted(set(källor)):
        b.rad(["Källa", ", ".join(källor)])
    b.rad(["Skapad", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    return b


def tabell_till_blad(t: Tabell, namn: str, kommentarer: bool = False) -> Blad:
    """One report table as a sheet: the same columns, rows and figures as the HTML and PDF (``rapporter.tabell``),
    unrounded in the table's unit and signs (the number format rounds), sums bold, levels indented."""
    format = _format(t.visning.decimaler)
    kolumner = [Kolumn(t.förstakolumn)]
    for k in t.kolumner:
        if k.slag == tabell.PROCENT:
            kolumner.append(Kolumn(k.rubrik, PROCENT))
        elif k.slag == tabell.VOLYM:
            kolumner.append(Kolumn(k.rubrik, VÄRDE))
        elif k.slag == tabell.STYCK:
            kolumner.append(Kolumn(k.rubrik, HELTAL))
        else:
            kolumner.append(Kolumn(f"{k.rubrik} ({t.visning.enhet})", format))
    med_kommentar = kommentarer and any(r.kommentar for r in t.rader)
    if med_kommentar:
        kolumner.append(Kolumn("Kommentar", bredd=60))
    b = Blad(namn, kolumner)
    for i, r in enumerate(t.rader):
        if r.typ == tabell.RUBRIK:
            b.rad([r.namn], summa=True, indrag=r.nivå > 0)
            continue
        celler = [r.namn, *(c[1] for c in t.celler(i))]
        if med_kommentar:
            celler.append(r.kommentar or None)
        b.rad(celler, summa=r.typ in (tabell.DELSUMMA, tabell.SUMMA), indrag=r.nivå > 0 and r.typ == tabell.RAD)
    return b


def _sektion(rapport: Rapport, sektion: str):
    return next((s for s in rapport.sektioner if s.sektion == sektion), None)


def volym_blad(rapport: Rapport) -> list[Blad]:
    s = _sektion(rapport, "volymer")
    if s is None:
        return []
    b = Blad(
        "Volymer och nyckeltal",
        [
            Kolumn("Område"),
            Kolumn("Nyckeltal"),
            Kolumn("Enhet"),
            *(Kolumn(k.rubrik, VÄRDE) for k in s.data["kolumner"]),
        ],
    )
    for g in s.data["grupper"]:
        for r in g.rader:
            b.rad([g.namn, ("varav " if r.är_delserie else "") + r.namn, r.enhet, *r.celler(s.data["kolumner"])])
    return [b]


def indikator_blad(rapport: Rapport) -> tuple[list[Blad], set[str]]:
    s = _sektion(rapport, "mål")
    if s is None:
        return [], set()
    år = s.data["indikatorår"]
    kolumner = [Kolumn("Mål"), Kolumn("Indikator"), Kolumn("Kolada-id"), Kolumn("Enhet")]
    for å in år:
        kolumner += [Kolumn(str(å), VÄRDE), Kolumn(f"{å} kvinnor", VÄRDE), Kolumn(f"{å} män", VÄRDE)]
    kolumner += [Kolumn("Önskad riktning"), Kolumn("Målvärde"), Kolumn("Bedömning"), Kolumn("Trend"), Kolumn("Källa")]
    b = Blad("Indikatorer", kolumner)
    källor: set[str] = set()
    for m in alla_mål(s.data["mål"]):
        for i in m.indikatorer:
            celler = [f"{m.nivå}: {m.namn}", i.namn, i.kolada_id or None, i.enhet]
            for å in år:
                v = i.värde(å)
                celler += [v.totalt, v.kvinnor, v.män] if v else [None, None, None]
            källor.update(i.källor)
            celler += [
                i.riktning.capitalize(),
                i.målvärde_text or None,
                i.nivå.text if i.nivå else None,  # the kommun's word (nyckeltal.bedomning.indikatornivå)
                i.trend.value if i.trend else None,
                ", ".join(i.källor) or None,
            ]
            b.rad(celler)
    return [b], källor


def tabellnyckel(t: Tabell) -> str:
    """The export key of a report table: its id's prefix ("drift", "helar", "t3" …), shared by a section's tables."""
    return t.id.rsplit("-", 1)[0]


def _nyckel(s: Rapportsektion) -> str:
    """The export key of a table section: its tables' id prefix ("drift", "helar", "t3" …)."""
    return tabellnyckel(s.tabeller[0]) if s.tabeller else f"t{s.nummer}"


def tabeller(rapport: Rapport) -> list[tuple[str, str, bool]]:
    """(key, heading, has CSV) of the tables this report prints, in report order, for the export page."""
    result = []
    for s in rapport.sektioner:
        if s.tabeller:
            result.append((_nyckel(s), s.rubrik, s.sektion == "drift"))
        elif s.sektion == "volymer" and s.data.get("grupper"):
            result.append(("volymer", s.rubrik, False))
        elif s.sektion == "mål" and any(m.indikatorer for m in alla_mål(s.data["mål"])):
            result.append(("indikatorer", "Indikatorer", False))
        elif s.sektion == "egentabell" and s.data.get("egentabell") and s.data["egentabell"].har_rader:
            result.append((s.data["egentabell"].id, s.rubrik, False))
    return result


def _egen_nyckel(s: Rapportsektion) -> str | None:
    t = s.data.get("egentabell") if s.sektion == "egentabell" else None
    return t.id if t is not None and t.har_rader else None


def egentabell_blad(s: Rapportsektion) -> list[Blad]:
    """A kommun's own table (section kind ``egentabell``): its columns as defined, text as text, tal as numbers,
    a Nämnd column when the report has several parts."""
    t = s.data["egentabell"]
    flera = any(g.namn for g in t.grupper)
    kolumner = [Kolumn("Nämnd")] if flera else []
    kolumner += [
        Kolumn(k.namn, VÄRDE if k.typ == "tal" else None, bredd=None if k.typ == "tal" else 30) for k in t.kolumner
    ]
    b = Blad(t.namn, kolumner)
    for g in t.grupper:
        for r in g.rader:
            b.rad([g.namn, *r.värden] if flera else list(r.värden))
    return [b]


def tabell_blad(rapport: Rapport, nyckel: str) -> list[Blad]:
    """The sheets of one report table (one per part of the report, and the sammanställning), plus an "Om tabellen"
    sheet; Http404 when the report has no such table."""
    källor: set[str] = set()
    visning = None
    if nyckel == "volymer":
        blad, rubrik = volym_blad(rapport), "Volymer och nyckeltal"
    elif nyckel == "indikatorer":
        (blad, källor), rubrik = indikator_blad(rapport), "Indikatorer"
    elif egen := next((s for s in rapport.sektioner if _egen_nyckel(s) == nyckel), None):
        blad, rubrik = egentabell_blad(egen), egen.rubrik
    else:
        s = next((s for s in rapport.sektioner if s.tabeller and _nyckel(s) == nyckel), None)
        if s is None:
            raise Http404("Rapporten har ingen sådan tabell.")
        rubrik = s.rubrik
        visning = s.tabeller[0].visning if s.tabeller[0].enhetstext else None  # no "Belopp" row without amounts
        kommentarer = s.sektion == "investeringar" or getattr(s.parametrar, "kommentarer", False)
        blad = [tabell_till_blad(t, f"{t.rubrik} {t.del_rubrik}".strip(), kommentarer) for t in s.tabeller]
    if not blad:
        raise Http404("Rapporten har ingen sådan tabell.")
    return [*blad, om_blad(rapport, rubrik, visning, källor)]


def tabellnamn(rapport: Rapport, nyckel: str) -> str:
    return next((rubrik for k, rubrik, _ in tabeller(rapport) if k == nyckel), nyckel)


def csv_blad(rapport: Rapport, nyckel: str) -> Blad:
    """One CSV table: the sheets of a drift table one after another (a Del column when the report has parts)."""
    if not any(k == nyckel and csv for k, _, csv in tabeller(rapport)):
        raise Http404("CSV finns för driftredovisningens tabeller.")
    s = next(s for s in rapport.sektioner if s.tabeller and _nyckel(s) == nyckel)
    delar = [t for t in s.tabeller if not t.id.endswith("-sammanstallning")]
    blad = [tabell_till_blad(t, t.rubrik, getattr(s.parametrar, "kommentarer", False)) for t in delar]
    if len(blad) == 1:
        return blad[0]
    samlad = Blad(blad[0].namn, [Kolumn("Del"), *blad[0].kolumner])
    for t, b in zip(delar, blad, strict=True):
        for i, celler in enumerate(b.rader):
            samlad.rad([t.del_rubrik, *celler], summa=i in b.summarader)
    return samlad


# --- månadsuppföljning (entry page) ---------------------------------------------------------------


def månad_blad(user, nämnd: Nämnd, år: int, månad: int) -> list[Blad]:
    """The månadsuppföljning grid of a month as on the entry page (same selector)."""
    pres = Presentation.för(nämnd.kommun)
    format = _beloppsformat(pres)
    mån = MÅNADER_LÅNG[månad - 1][:3]
    grupper = ekonomi_sel.månadsuppföljning(user, nämnd, år, månad)
    b = Blad(
        f"Månadsuppföljning {år}-{månad:02d}",
        [
            Kolumn("Verksamhet"),
            Kolumn(f"Utfall {mån} {år} ({pres.enhet})", format),
            Kolumn(f"Utfall {manader.spann(månad)} ({pres.enhet})", format),
            Kolumn(f"Budget {manader.spann(månad)} ({pres.enhet})", format),
            Kolumn(f"Avvikelse ({pres.enhet})", format),
            Kolumn(f"Årsbudget ({pres.enhet})", format),
            Kolumn(f"Prognos helår ({pres.enhet})", format),
            Kolumn(f"Förändring sedan föregående prognos ({pres.enhet})", format),
            Kolumn("Förbrukat av årsbudget (%)", PROCENT),
            Kolumn("Kommentar", bredd=60),
        ],
    )

    def rad(namn, d: dict, kommentar=None, summa=False, indrag=False):
        förbrukat = d["utfall_ack"] / d["helårsbudget"] * 100 if d["helårsbudget"] else None
        b.rad(
            [
                namn,
                belopp(pres, d["utfall_månad"]),
                belopp(pres, d["utfall_ack"]),
                belopp(pres, d["periodbudget"]),
                belopp(pres, d["avvikelse"], kostnad=False),
                belopp(pres, d["helårsbudget"]),
                belopp(pres, d["prognos"]),
                belopp(pres, d["prognosförändring"]),
                förbrukat,
                kommentar or None,
            ],
            summa,
            indrag,
        )

    alla = []
    for g in grupper:
        if g.är_block:
            b.rad([g.namn], summa=True)
        for r in g.rader:
            alla.append(r)
            rad(
                r.namn,
                {
                    "utfall_månad": r.utfall_månad,
                    "utfall_ack": r.utfall_ack,
                    "periodbudget": r.periodbudget,
                    "avvikelse": r.avvikelse,
                    "helårsbudget": r.helårsbudget,
                    "prognos": r.prognos,
                    "prognosförändring": r.prognosförändring,
                },
                r.kommentar,
                indrag=g.är_block,
            )
        if g.är_block:
            rad(f"Summa {g.namn}", g.summa, summa=True)
    rad("Summa", berakning.summera_månad("Summa", alla), summa=True)
    om = Blad("Om tabellen", [Kolumn("Uppgift", bredd=22), Kolumn("Värde", bredd=70)])
    for rad_ in (
        ["Tabell", "Månadsuppföljning"],
        ["Kommun", nämnd.kommun.namn],
        ["Nämnd", nämnd.namn],
        ["Period", f"{MÅNADER_LÅNG[månad - 1]} {år}"],
        ["Belopp", pres.enhet],
        ["Skapad", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
    ):
        om.rad(rad_)
    return [b, om]


# --- import templates -----------------------------------------------------------------------------

ALLMÄNT = (
    "Fyll i bladet med kolumnrubrikerna på första raden. Rubrikerna känns igen oavsett stora/små bokstäver; "
    "andra kolumner ignoreras.",
    "Ladda upp filen som .xlsx eller .csv (semikolon och decimalkomma). Filen sparas inte; bara kontrollsumma, "
    "antal rader och de ändrade värdena sparas i importloggen.",
    "Du ser först en förhandsgranskning: nya värden, ändrade (gammalt → nytt), oförändrade och fel med blad, rad "
    "och kolumn. Inget sparas förrän du bekräftar, och då sparas allt eller inget.",
    "Tomma celler lämnar befintliga värden orörda, och värden som inte finns i filen ändras inte.",
    "Värden i stängda perioder och fastställda rapporter kan inte ändras.",
)


def mall_blad(typ: str, nämnd: Nämnd | None = None) -> list[Blad]:
    """An empty import template: the data sheet with headers, an instructions sheet and, for a nämnd, the
    valid names (verksamhetsområden, nyckeltal, indikatorer)."""

    try:
        definition = mallar.importtyp(typ)
    except KeyError:
        raise Http404("Okänd importmall.") from None
    if typ in RESURSER:
        resurs = RESURSER[typ]()
        kolumner = [
            Kolumn(r, _mallformat(namn)) for namn, r in zip(resurs.fields, resurs.get_export_headers(), strict=True)
        ]
        instruktioner = resurs.instruktioner
    elif typ == "volymer":
        kolumner = [
            Kolumn("Område"),
            Kolumn("Nyckeltal"),
            Kolumn("Enhet"),
            Kolumn("År", HELTAL),
            *(
                Kolumn(m, VÄRDE)
                for m in ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
            ),
        ]
        instruktioner = definition.instruktioner
    elif typ == "budgetkonto":  # the ekonomisystem's budget export: ansvar (or verksamhet), konto, år, årsbudget
        kolumner = [Kolumn("Ansvar"), Kolumn("Konto"), Kolumn("År", HELTAL), Kolumn("Årsbudget", _mallformat("belopp"))]
        instruktioner = definition.instruktioner
    else:  # kolada
        kolumner = [
            Kolumn("Kolada-id"),
            Kolumn("Kommun"),
            Kolumn("År", HELTAL),
            Kolumn("T", VÄRDE),
            Kolumn("K", VÄRDE),
            Kolumn("M", VÄRDE),
        ]
        instruktioner = definition.instruktioner
    data = Blad(definition.titel, kolumner)
    instr = Blad("Instruktioner", [Kolumn(f"Importmall: {definition.titel}", bredd=120)])
    for text in (*instruktioner, *ALLMÄNT, *mallar.GRÄNSER.beskrivning()):
        instr.rad([text])
    blad = [data, instr]
    if nämnd is not None:
        blad.append(giltiga_värden(typ, nämnd))
    return blad


def _mallformat(fält: str) -> str | None:
    if fält == "år":
        return HELTAL
    if fält in ("belopp", "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"):
        return TKR
    if fält in ("totalt", "kvinnor", "män"):
        return VÄRDE
    if fält == "månad":
        return HELTAL
    return None


def giltiga_värden(typ: str, nämnd: Nämnd) -> Blad:
    if typ in ("budget", "budgetkonto", "prognos"):
        b = Blad(
            "Giltiga värden",
            [
                Kolumn("Verksamhetsområde"),
                Kolumn("Ingår i"),
                Kolumn("Ansvarskoder"),
                Kolumn("Verksamhetskoder"),
                Kolumn("Från år", HELTAL),
                Kolumn("Till och med år", HELTAL),
            ],
        )
        for o in Verksamhetsområde.objects.filter(nämnd=nämnd).select_related("förälder").order_by("ordning", "namn"):
            b.rad(
                [
                    o.namn,
                    o.förälder.namn if o.förälder else None,
                    o.ansvarskoder or None,
                    o.verksamhetskoder or None,
                    o.från_år,
                    o.till_år,
                ]
            )
        if typ == "budgetkonto":  # the konto ranges that map a konto to a kostnadsslag
            b.rad([])
            b.rad(["Kostnadsslag", "Typ", "Konton"], summa=True)
            for k in Kostnadsslag.objects.filter(kommun_id=nämnd.kommun_id).order_by("typ", "ordning", "namn"):
                b.rad([k.namn, k.get_typ_display(), k.konton or None])
    elif typ == "volymer":
        b = Blad("Giltiga värden", [Kolumn("Område"), Kolumn("Nyckeltal"), Kolumn("Enhet")])
        for nt in (
            Nyckeltal.objects.filter(grupp__nämnd=nämnd).select_related("grupp").order_by("grupp__ordning", "ordning")
        ):
            b.rad([nt.grupp.namn, nt.namn, nt.enhet])
    else:
        b = Blad("Giltiga värden", [Kolumn("Mål"), Kolumn("Indikator"), Kolumn("Kolada-id"), Kolumn("Enhet")])
        for i in Indikator.objects.filter(mål__nämnd=nämnd).select_related("mål").order_by("mål__ordning", "ordning"):
            b.rad([i.mål.namn, i.namn, i.kolada_id or None, i.enhet])
    return b


# The codes of a prefilled template's areas, when the Resource has no such fields itself (field, header).
KODKOLUMNER = (("ansvar", "Ansvar"), ("verksamhet", "Verksamhetskod"))


def ifylld_mall(typ: str, nämnd: Nämnd, år: int) -> list[Blad]:
    """A template prefilled for ``år``, to fill in and import again: budget and prognos have a row for every
    område of the nämnd valid in the year (the leaves, in tree order) with its ansvar and verksamhet codes, the
    stored values where they exist and empty cells otherwise; indikatorer a row for every indikator (the stored
    values of the last four years, empty cells in ``år`` where none is stored); volymer a row per nyckeltal with
    the year's monthly values. The codes written are ones that lead back to the same område with the import's code
    rules (``Områden.hitta_rad``), so a row's name and codes never disagree."""
    if typ == "volymer":
        return [_ifyllda_volymer(nämnd, år), *mall_blad(typ)[1:]]
    if typ not in RESURSER:
        raise Http404("Det finns ingen ifylld mall för den typen.")
    resurs = RESURSER[typ]()
    objekt = list(
        {"budget": budget_queryset, "prognos": prognos_queryset, "indikatorer": indikator_queryset}[typ](nämnd, år)
    )
    dataset = resurs.export(queryset=objekt)
    fält, rubriker = list(resurs.fields), list(dataset.headers)
    rader = [dict(zip(fält, [v if v != "" else None for v in rad], strict=True)) for rad in dataset]
    if typ == "indikatorer":
        rader += _indikatorer_utan_värde(nämnd, år, objekt, resurs)
    else:
        for namn, rubrik in KODKOLUMNER:  # right after the område's name (the Resource's own, or added here)
            if namn in fält:
                rubrik = rubriker.pop(fält.index(namn))
                fält.remove(namn)
            plats = fält.index("område") + 1 + (namn == "verksamhet" and "ansvar" in fält)
            fält.insert(plats, namn)
            rubriker.insert(plats, rubrik)
        rader = _per_område(typ, nämnd, år, objekt, rader, resurs)
    b = Blad(mall_blad(typ)[0].namn, [Kolumn(r, _mallformat(f)) for f, r in zip(fält, rubriker, strict=True)])
    for rad in rader:
        b.rad([rad.get(f) for f in fält])
    return [b, *mall_blad(typ, nämnd)[1:]]


def _per_område(typ: str, nämnd: Nämnd, år: int, objekt: list, rader: list[dict], resurs) -> list[dict]:
    """The stored rows (budget posts, prognoser) grouped under the nämnd's områden valid in ``år`` in tree order,
    an empty row for an område without any; stored rows of other områden (not valid in the year, or not a leaf)
    follow in their own order so nothing stored is left out."""
    koder = _kodpar(nämnd, år)
    per_område: dict[int, list[dict]] = {}
    for o, rad in zip(objekt, rader, strict=True):
        per_område.setdefault(o.verksamhetsområde_id, []).append(rad)
    if typ == "budget":
        tom = {"år": år, "slag": resurs.fields["slag"].widget.render("kf")}
    else:
        tom = {"år": år, "månad": _prognosmånad(nämnd, år)}
    ut = []
    for o in _områden_i_trädordning(nämnd, år):
        egna = per_område.pop(o.pk, None) or [{"område": o.namn, **tom}]
        ut += [{**rad, **_kodceller(koder.get(o.pk), rad)} for rad in egna]
    for område_id, egna in per_område.items():
        ut += [{**rad, **_kodceller(koder.get(område_id), rad)} for rad in egna]
    return ut


def _kodceller(par: tuple[str, str] | None, rad: dict) -> dict:
    ansvar, verksamhet = par or ("", "")
    return {"ansvar": rad.get("ansvar") or ansvar or None, "verksamhet": rad.get("verksamhet") or verksamhet or None}


def _områden_i_trädordning(nämnd: Nämnd, år: int) -> list[Verksamhetsområde]:
    """The nämnd's områden valid in ``år`` that figures are entered on (no children valid in the year), depth first
    by ordning; "Ej fördelat" left out."""
    alla = [o for o in Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False) if o.gäller(år)]
    barn: dict[int | None, list[Verksamhetsområde]] = {}
    for o in sorted(alla, key=lambda o: (o.ordning, o.namn)):
        barn.setdefault(o.förälder_id, []).append(o)
    ut: list[Verksamhetsområde] = []

    def gå(förälder_id: int | None) -> None:
        for o in barn.get(förälder_id, []):
            if o.pk in barn:
                gå(o.pk)
            else:
                ut.append(o)

    gå(None)
    return ut


def _kodpar(nämnd: Nämnd, år: int) -> dict[int, tuple[str, str]]:
    """Per område id: an (ansvar, verksamhet) pair of its own codes that the import's code rules map back to it
    in ``år`` (exact codes first, then a wildcard as written, e.g. ``22*``). Områden whose codes all lead elsewhere
    (or that have none) get no pair: their rows are matched by name alone."""
    områden = Områden([nämnd])
    ut: dict[int, tuple[str, str]] = {}
    for o in områden.alla:
        if o.ej_fördelat or not (o.ansvarskoder or o.verksamhetskoder):
            continue
        par = (
            (a, v)
            for a in _kodkandidater(o.ansvarskoder)
            for v in _kodkandidater(o.verksamhetskoder)
            if (a or v) and områden.hitta_rad({"ansvar": a, "verksamhet": v}, år)[0] == o
        )
        if (träff := next(par, None)) is not None:
            ut[o.pk] = träff
    return ut


def _kodkandidater(text: str) -> list[str]:
    return sorted(koder(text), key=lambda k: "*" in k) or [""]


def _prognosmånad(nämnd: Nämnd, år: int) -> int:
    """The prognostillfälle of a prefilled row without a prognos: the year's latest stored one, else the latest
    month with utfall, else January (an empty row with a month is skipped on import, one without is an error)."""
    for model in (Prognos, Utfall):
        if m := model.objects.filter(verksamhetsområde__nämnd=nämnd, år=år).aggregate(m=Max("månad"))["m"]:
            return m
    return 1


def _indikatorer_utan_värde(nämnd: Nämnd, år: int, objekt: list, resurs) -> list[dict]:
    """A row in ``år`` for every indikator of the nämnd with no value stored for that year."""
    med_värde = {v.indikator_id for v in objekt if v.år == år}
    typ = resurs.fields["typ"].widget.render(Indikatorvärde.Typ.UTFALL)
    return [
        {"indikator": i.namn, "kolada_id": i.kolada_id or None, "år": år, "typ": typ}
        for i in Indikator.objects.filter(mål__nämnd=nämnd, mål__från_år__lte=år)
        .exclude(mål__till_år__lt=år)
        .order_by("mål__ordning", "ordning", "id")
        if i.pk not in med_värde
    ]


def _ifyllda_volymer(nämnd: Nämnd, år: int) -> Blad:
    """The volymer template's sheet with a row per nyckeltal of the nämnd (Område = its group) and the stored
    monthly utfall of ``år``."""
    b = mall_blad("volymer")[0]
    per_månad: dict[int, dict[int, Decimal]] = {}
    for v in Nyckeltalsvärde.objects.filter(
        nyckeltal__grupp__nämnd=nämnd, år=år, typ=Nyckeltalsvärde.Typ.UTFALL_MÅNAD, månad__isnull=False
    ):
        per_månad.setdefault(v.nyckeltal_id, {})[v.månad or 0] = v.värde  # månad is set (filtered)
    for nt in (
        Nyckeltal.objects.filter(grupp__nämnd=nämnd).select_related("grupp").order_by("grupp__ordning", "ordning", "id")
    ):
        värden = per_månad.get(nt.pk, {})
        b.rad([nt.grupp.namn, nt.namn, nt.enhet or None, år, *(värden.get(m) for m in range(1, 13))])
    return b
