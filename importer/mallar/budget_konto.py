"""Budget per kostnadsslag from the ekonomisystem's budget export: one row per ansvar (and optionally verksamhet)
and konto with the year's budget in kronor (.xlsx or .csv, Swedish number formats, "Årsbudget (tkr)" in tkr).

- Ansvar/verksamhet → verksamhetsområde with the utfall import's rule (``importer.utfall.Kodkarta``: exact code or
  prefix ``74*``, the most specific wins, a tie is an error). A code no område of the nämnd has is an error in the
  row, naming whether another nämnd or kommun uses it (the utfall import's ``_främmande_kod``); a budget is never
  put on "Ej fördelat" (it would be a budget nobody follows up).
- Konto → kostnadsslag by the kostnadsslag's ``konton`` ranges (``importer.utfall.Kontokarta``, the narrowest range
  wins); a konto outside every range is an error in the row.
- The year: a column År (Budgetår), or the amount column's header ("Budget 2025").
- Rows are summed per (område, år, kostnadsslag) and stored as KF-budget per kostnadsslag (``Budgetpost.kostnadsslag``).
  The file covers the (område, år) it has rows for: there the område's KF-budget becomes exactly the file's posts —
  a post without kostnadsslag and posts of kostnadsslag the file no longer has are removed (shown in the preview),
  so a budget is never counted twice (docs/beslut.md, "Budget per kostnadsslag"). New posts keep the
  periodisering of the post they replace.
- Periodised budgets: month columns jan–dec and a period budget column ("Periodbudget" with "T.o.m. månad", or
  "Budget jan–aug (kr)") are summed per key too and stored as the post's exact months (``budget.radens_månader``:
  a period spread over its months by the profile with the remainder on the last month, exact to the öre). A row
  without any amount is "ingen budget": noted, not counted, not an error (docs/beslut.md, "Exakt periodbudget och
  ingen budget").
- Amounts as in the file with costs positive and intäkter negative (the storage convention); an import profile
  with "kostnader är negativa i filen" flips them.
- Guarded as budget of the year (``nämnd.vakt``, ``Slag.BUDGET``; jämförelsetal as the next year's budget).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ekonomi.models import MÅNADER, MÅNADSFÄLT, Budgetpost, Kostnadsslag
from grund import manader
from grund.tal import BELOPP, Talfel
from nämnd.models import Verksamhetsområde
from nämnd.vakt import Slag

from .. import lasare
from ..lasare import Radfel, rubrik_och_enhet
from ..resources import PERIODBUDGET_SYNONYMER, T_O_M_SYNONYMER, Månad
from ..utfall import Kodkarta, Kontokarta, _främmande_kod, kodår
from .budget import (
    beloppen,
    jämförelseändring,
    månadsändringar,
    periodrubriker,
    radens_månader,
    standardvikter,
)
from .ramverk import (
    SKIPPA_BLAD,
    Importtypdef,
    Kolumnkarta,
    Låsning,
    Plan,
    Postplan,
    Tolkat,
    hitta_kolumner,
    i_lagrad_enhet,
    importsumma,
    kandidat_från_karta,
    tom,
    visa,
)

TYP = "budgetkonto"
SYNONYMER: dict[str, tuple[str, ...]] = {
    "ansvar": ("ansvar", "ansvarsställe", "ansvarskod", "ansv", "ansvarsnummer", "ansvar kod"),
    "verksamhet": ("verksamhet", "vht", "verksamhetskod", "verks", "vht kod"),
    "konto": ("konto", "kontonummer", "kto", "baskonto", "konto kod"),
    "år": ("år", "budgetår", "räkenskapsår"),
    "belopp": ("årsbudget", "budget", "budget helår", "helårsbudget", "budgetbelopp", "belopp", "budget kr"),
    "periodbudget": PERIODBUDGET_SYNONYMER,
    "t_o_m": T_O_M_SYNONYMER,
    **{kort: (kort, lång) for kort, lång in zip(MÅNADER, manader.LÅNGA, strict=True)},
}
KOLUMNNAMN = {
    "ansvar": "Ansvar",
    "verksamhet": "Verksamhet",
    "konto": "Konto",
    "år": "År",
    "belopp": "Årsbudget",
    "periodbudget": "Periodbudget",
    "t_o_m": "T.o.m. månad",
    **{kort: lång.capitalize() for kort, lång in zip(MÅNADER, manader.LÅNGA, strict=True)},
}
KRÄVS: tuple[tuple[str, ...], ...] = (("ansvar", "verksamhet"), ("konto",), ("belopp", "*", "jan"))
_BUDGET_ÅR = re.compile(r"(?:års)?budget\s*(\d{4})")


def _budgetår(cell: Any) -> int | None:
    """The year of a header such as "Budget 2025" or "Årsbudget 2025 (tkr)"."""
    m = _BUDGET_ÅR.fullmatch(rubrik_och_enhet(cell)[0])
    return int(m.group(1)) if m else None


def _är_budgetår(cell: Any) -> bool:
    return _budgetår(cell) is not None


def _beloppen(cell, karta: Kolumnkarta, tecken: int, fel) -> tuple[dict[str, str | None], int | None, bool]:
    """A row's amounts in kronor (helår, period budget, months; None where empty) and its t.o.m. månad."""
    belopp: dict[str, str | None] = {}
    ok = True
    for fält in ("belopp", "periodbudget", *MÅNADER):
        if fält not in karta.index or tom(cell(fält)):
            belopp[fält] = None
            continue
        try:
            värde = lasare.tal(cell(fält), None, decimaler="avrunda")
            enhet = "belopp" if fält in MÅNADER else fält
            belopp[fält] = i_lagrad_enhet(str(värde * tecken), karta, enhet, BELOPP)
        except (Talfel, ValueError) as e:
            fel(fält, str(e))
            ok = False
    t_o_m = None
    if not tom(cell("t_o_m")):
        try:
            t_o_m = Månad().clean(cell("t_o_m"))
        except ValueError as e:
            fel("t_o_m", str(e))
            ok = False
    return belopp, t_o_m, ok


@dataclass
class Fördelning:
    """The exact months of the file's rows summed per (område, år, kostnadsslag): the month columns (a month is
    exact when a row gives it) and the period budgets (one t.o.m. månad per key)."""

    månadssummor: dict[tuple, list[Decimal | None]] = field(default_factory=dict)
    perioder: dict[tuple, tuple[int, Decimal]] = field(default_factory=dict)

    def lägg_till(self, nyckel: tuple, rad: dict) -> str | None:
        if rad.get("månader") is not None:
            summor = self.månadssummor.setdefault(nyckel, [None] * 12)
            for i, v in enumerate(rad["månader"]):
                if v is not None:
                    summor[i] = (summor[i] or Decimal(0)) + Decimal(v)
        if rad.get("periodbudget") is not None:
            t_o_m, period = self.perioder.get(nyckel, (int(rad["t_o_m"]), Decimal(0)))
            if t_o_m != int(rad["t_o_m"]):
                return (
                    f"Periodbudgeten gäller t.o.m. {MÅNADER[int(rad['t_o_m']) - 1]} men en tidigare rad med samma "
                    f"ansvar och kostnadsslag gäller t.o.m. {MÅNADER[t_o_m - 1]}. En period per fil."
                )
            self.perioder[nyckel] = (t_o_m, period + Decimal(rad["periodbudget"]))
        if nyckel in self.månadssummor and nyckel in self.perioder:
            return "Ange antingen månadsbelopp eller en periodbudget för ett kostnadsslag, inte båda."
        return None

    def månader(self, nyckel: tuple, vikter) -> list[Decimal | None] | None:
        """The key's exact months (None: the file gives none)."""
        if nyckel in self.månadssummor:
            return radens_månader({"månader": self.månadssummor[nyckel]}, vikter)
        if nyckel in self.perioder:
            t_o_m, period = self.perioder[nyckel]
            return radens_månader({"periodbudget": period, "t_o_m": t_o_m}, vikter)
        return None


class Kontobudgetimport(Importtypdef):
    typ = TYP
    titel = "Budget per ansvar och konto (ekonomisystemets budgetexport)"
    instruktioner = (
        "Ladda upp ekonomisystemets budgetexport som den är: en rad per ansvar (eller verksamhet), konto och år "
        "med årsbudgeten i kronor, tkr eller mnkr (enheten i kolumnrubriken, t.ex. ”Årsbudget (tkr)”).",
        "Året står i en kolumn År eller i beloppets rubrik (”Budget 2025”). Rubrikrader och summarader hoppas över.",
        "Ansvar och verksamhet matchas mot verksamhetsområdenas koder, konton mot kostnadsslagens kontointervall "
        "(bladet Giltiga värden). Budgeten lagras som KF-budget per kostnadsslag och ersätter områdets budget för "
        "året i filen.",
        "Periodiserad budget: månadskolumner jan–dec eller en periodkolumn (”Budget jan–aug (kr)”, eller "
        "”Periodbudget” med ”T.o.m. månad”) lagras exakt, på öret; resten av året fördelas enligt profilen. "
        "En rad utan belopp är ingen budget och räknas inte.",
    )

    # The preview's column mapping (``ramverk.Importtypdef``): "*" is a header with the year ("Budget 2025").
    def synonymer(self):
        return SYNONYMER

    def krav(self):
        return KRÄVS

    def fältnamn(self):
        return KOLUMNNAMN

    def tolka_tabeller(self, tabeller, profil):
        tabeller, perioder = periodrubriker(tabeller)
        tolkat = Tolkat()
        tecken = -1 if profil is not None and profil.kostnader_negativa else 1
        hittade = False
        ingen_budget = 0
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(tabell, SYNONYMER, KRÄVS, profil, extra=_är_budgetår)
            if karta is None:
                continue
            if tolkat.kolumnval is None:
                tolkat.kolumnval = kandidat_från_karta(karta, tabell).som_json()
            år_i_rubrik = None
            if "belopp" not in karta.index and any(_budgetår(c) is not None for c in karta.rubriker):
                i = next(i for i, c in enumerate(karta.rubriker) if _budgetår(c) is not None)
                karta.index["belopp"], karta.enheter["belopp"] = i, rubrik_och_enhet(karta.rubriker[i])[1]
                år_i_rubrik = _budgetår(karta.rubriker[i])
            if "år" not in karta.index and år_i_rubrik is None and "belopp" in karta.index:
                år_i_rubrik = _budgetår(karta.rubriker[karta.index["belopp"]])
            if "år" not in karta.index and år_i_rubrik is None:
                tolkat.fel.append(
                    Radfel(
                        tabell.namn or None,
                        karta.rubrikrad,
                        None,
                        "Budgetåret saknas: lägg till en kolumn År eller skriv året i beloppets rubrik "
                        "(till exempel ”Budget 2025”).",
                    )
                )
                continue
            hittade = True
            tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
            for nummer, celler in karta.datarader(tabell):
                rad = self._rad(tabell.namn, nummer, celler, karta, år_i_rubrik, tecken, tolkat)
                if rad is not None and (fel := beloppen(rad, perioder.get(tabell.namn))) is not None:
                    kol = karta.ref(fel[0]) if fel[0] in karta.index else None
                    tolkat.fel.append(Radfel(tabell.namn or None, nummer, kol, fel[1]))
                elif rad is not None and rad.pop("ingen_budget", False):
                    ingen_budget += 1
                    tolkat.noteringar.append(
                        f"Rad {nummer}{' på bladet ' + tabell.namn if tabell.namn else ''}: ingen budget (tomma "
                        "beloppsceller), raden räknas inte."
                    )
                elif rad is not None:
                    tolkat.rader.append(rad)
        if ingen_budget:
            tolkat.noteringar.insert(
                0, f"{ingen_budget} {'rad har' if ingen_budget == 1 else 'rader har'} ingen budget (tom beloppscell)."
            )
        if not hittade and not tolkat.fel:
            # the error naming the missing column and the headers found, and the candidate row to map
            self.rubrikfel(tolkat, tabeller, profil, extra=_är_budgetår)
        return tolkat

    @staticmethod
    def _rad(
        blad: str, nummer: int, celler: list, karta: Kolumnkarta, år: int | None, tecken: int, tolkat: Tolkat
    ) -> dict | None:
        def cell(fält: str) -> Any:
            i = karta.index.get(fält)
            return celler[i] if i is not None and i < len(celler) else None

        def fel(fält: str | None, text: str) -> None:
            tolkat.fel.append(Radfel(blad or None, nummer, karta.ref(fält) if fält else None, text))

        try:
            ansvar, vht, konto = (
                lasare.text(cell(f)) if not tom(cell(f)) else "" for f in ("ansvar", "verksamhet", "konto")
            )
        except ValueError as e:
            fel("ansvar", str(e))
            return None
        if not ansvar and not vht and not konto:
            tolkat.noteringar.append(
                f"Rad {nummer}{' på bladet ' + blad if blad else ''} saknar ansvar och konto och lästes inte (en summarad?)."
            )
            return None
        tolkat.antal_rader += 1
        ok = True
        if not ansvar and not vht:
            fel("ansvar" if "ansvar" in karta.index else "verksamhet", "Ansvar saknas.")
            ok = False
        if not konto:
            fel("konto", "Konto saknas.")
            ok = False
        if år is None:
            try:
                år_text = lasare.text(cell("år"))
                år_ = int(år_text)
                if not 2000 <= år_ <= 2100:
                    raise ValueError
            except (TypeError, ValueError):
                fel("år", f"Året ”{'' if tom(cell('år')) else cell('år')}” känns inte igen (skriv till exempel 2025).")
                ok = False
        else:
            år_ = år
        belopp, t_o_m, belopp_ok = _beloppen(cell, karta, tecken, fel)
        ok = ok and belopp_ok
        if not ok:
            return None
        månader = [belopp[m] for m in MÅNADER]
        rad = {
            "blad": blad,
            "rad": nummer,
            "ansvar": ansvar,
            "verksamhet": vht,
            "konto": konto,
            "år": år_,
            "belopp": belopp["belopp"],
            "månader": månader if any(v is not None for v in månader) else None,
            "periodbudget": belopp["periodbudget"],
            "t_o_m": t_o_m,
        }
        return rad

    def planera(self, ctx, tolkat):
        plan = Plan()
        nämnd = ctx.nämnd or ctx.nämnder[0]
        kostnadsslag = {k.pk: k for k in Kostnadsslag.objects.filter(kommun=ctx.kommun)}
        summor, summa, första, fördelning = self._summor(nämnd, kostnadsslag, tolkat, plan)
        if not plan.fel:
            self._jämför(ctx, summor, kostnadsslag, plan, tolkat, första, fördelning)
        plan.summa = importsumma(plan, summa)
        return plan

    @staticmethod
    def _summor(
        nämnd, kostnadsslag: dict[int, Kostnadsslag], tolkat: Tolkat, plan: Plan
    ) -> tuple[dict[tuple[int, int, int], Decimal], Decimal, dict[tuple[int, int], dict], Fördelning]:
        """The file's rows summed per (område, år, kostnadsslag) — helår, exact months and period budgets — with
        the errors of rows that map to none."""
        koder = Kodkarta.för(Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False))
        konton = Kontokarta(kostnadsslag.values())
        andra: list[Kodkarta] = []
        summor: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)  # (område, år, kostnadsslag) → kr
        fördelning = Fördelning()
        summa = Decimal(0)
        första: dict[tuple[int, int], dict] = {}  # (område, år) → its first row (where a lock is reported)
        for rad in tolkat.rader:
            år = rad["år"]
            träff = koder.hitta(rad["ansvar"], rad["verksamhet"], kodår(nämnd, år))
            kodfält = "ansvar" if rad["ansvar"] else "verksamhet"
            kod = ", ".join(
                k
                for k in (
                    f"ansvar {rad['ansvar']}" if rad["ansvar"] else "",
                    f"verksamhet {rad['verksamhet']}" if rad["verksamhet"] else "",
                )
                if k
            )
            if len(träff) > 1:
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        kodfält,
                        f"Koden ({kod}) matchar flera verksamhetsområden lika bra ({', '.join(o.namn for o in träff)}). "
                        "Ändra koderna på verksamhetsområdena så att bara ett matchar.",
                    )
                )
                continue
            if not träff:
                främmande = _främmande_kod(nämnd, rad["ansvar"], rad["verksamhet"], kodår(nämnd, år), andra)
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        kodfält,
                        främmande
                        or f"Inget av nämndens verksamhetsområden har koden ({kod}) för {år}. Lägg till koden på "
                        "verksamhetsområdet (Ansvarskoder) och importera igen.",
                    )
                )
                continue
            ks = konton.hitta(rad["konto"])
            if ks is None:
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        "konto",
                        f"Kontot {rad['konto']} hör inte till något kostnadsslag. Lägg till det i ett kostnadsslags "
                        "kontointervall (Kostnadsslag i administrationen) och importera igen.",
                    )
                )
                continue
            nyckel = (träff[0].id, år, ks)
            if (text := fördelning.lägg_till(nyckel, rad)) is not None:
                plan.fel.append(
                    tolkat.fel_för(rad, "t_o_m" if "t_o_m" in tolkat.kolumner.get(rad["blad"], {}) else None, text)
                )
                continue
            summor[nyckel] += Decimal(rad["belopp"])
            summa += Decimal(rad["belopp"])
            första.setdefault((träff[0].id, år), rad)
        return summor, summa, första, fördelning

    @staticmethod
    def _jämför(
        ctx,
        summor: dict,
        kostnadsslag: dict[int, Kostnadsslag],
        plan: Plan,
        tolkat: Tolkat,
        första: dict,
        fördelning: Fördelning,
    ) -> None:
        """New, changed and removed budget posts: the file's (område, år) cells get exactly its posts."""
        områden = {
            o.pk: o for o in Verksamhetsområde.objects.filter(pk__in={o for o, _, _ in summor}).select_related("nämnd")
        }
        celler = {(o, år) for o, år, _ in summor}
        befintliga = list(
            ctx.låst(
                Budgetpost.objects.filter(
                    verksamhetsområde_id__in={o for o, _ in celler},
                    år__in={år for _, år in celler},
                    slag=Budgetpost.Slag.KF_BUDGET,
                    kategori="",
                )
            ).select_related("profil", "kostnadsslag")
        )
        per_slag = {
            (b.verksamhetsområde_id, b.år, b.kostnadsslag_id): b
            for b in befintliga
            if (b.verksamhetsområde_id, b.år) in celler
        }
        låsning = Låsning()
        standard = standardvikter(ctx.kommun)
        spärrade: set[tuple[int, int]] = set()

        def spärr(område_id: int, år: int) -> bool:
            if (område_id, år) in spärrade:
                return True
            nämnd_ = områden[område_id].nämnd
            if (text := låsning.fel(nämnd_, jämförelseändring(nämnd_, Slag.BUDGET, år))) is not None:
                spärrade.add((område_id, år))
                plan.fel.append(
                    tolkat.fel_för(första[(område_id, år)], None, f"{områden[område_id].namn} {år}: {text}")
                )
                return True
            return False

        for (område_id, år, ks), belopp in sorted(
            summor.items(), key=lambda x: (områden[x[0][0]].ordning, x[0][0], x[0][1], kostnadsslag[x[0][2]].ordning)
        ):
            belopp = belopp.quantize(Decimal("0.01"))
            område = områden[område_id]
            beskrivning = f"{område.namn} {år} KF-budget, {kostnadsslag[ks].namn}"
            if not BELOPP.ryms(belopp):
                plan.fel.append(
                    Radfel(
                        None, None, None, f"{beskrivning} blir {visa(belopp)} kr och {BELOPP.för_stort(belopp).orsak}."
                    )
                )
                continue
            post = per_slag.get((område_id, år, ks))
            ersatt = per_slag.get((område_id, år, None))
            profil = post.profil if post is not None else ersatt.profil if ersatt else None
            månader = fördelning.månader((område_id, år, ks), profil.vikter if profil else standard)
            gamla = post.månader if post is not None else None
            if månader is None and gamla is not None and None not in gamla and sum(gamla, Decimal(0)) != belopp:
                månader = [None] * 12  # a new helår without months: twelve exact months no longer add up
            ändringar = månadsändringar(beskrivning, gamla, månader) if månader is not None else []
            if post is not None and post.belopp == belopp and not ändringar:
                plan.oförändrade += 1
                continue
            if spärr(område_id, år):
                continue
            if post is None:
                post = Budgetpost(
                    verksamhetsområde=område,
                    år=år,
                    slag=Budgetpost.Slag.KF_BUDGET,
                    kostnadsslag=kostnadsslag[ks],
                    belopp=belopp,
                    profil=profil,
                )
                post.månader = månader
                plan.poster.append(Postplan(post, True, (), [(beskrivning, "", visa(belopp)), *ändringar]))
            else:
                fält = (["belopp"] if post.belopp != belopp else []) + (MÅNADSFÄLT if ändringar else [])
                rader = [(beskrivning, visa(post.belopp), visa(belopp))] if post.belopp != belopp else []
                plan.poster.append(Postplan(post, False, tuple(fält), [*rader, *ändringar]))
                post.belopp = belopp
                if ändringar:
                    post.månader = månader
        for (område_id, år, ks), post in per_slag.items():
            if ks is not None and (område_id, år, ks) in summor:
                continue
            if spärr(område_id, år):
                continue
            vad = (
                post.kostnadsslag.namn
                if post.kostnadsslag
                else "utan kostnadsslag (ersätts av budgeten per kostnadsslag)"
            )
            plan.poster.append(
                Postplan(
                    post,
                    False,
                    (),
                    [(f"{områden[område_id].namn} {år} KF-budget, {vad}", visa(post.belopp), "–")],
                    borttagen=True,
                )
            )
