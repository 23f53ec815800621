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
- Amounts as in the file with costs positive and intäkter negative (the storage convention); an import profile
  with "kostnader är negativa i filen" flips them.
- Guarded as budget of the year (``nämnd.vakt``, ``Slag.BUDGET``; jämförelsetal as the next year's budget).
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from ekonomi.models import Budgetpost, Kostnadsslag
from grund.tal import BELOPP, Talfel
from nämnd.models import Verksamhetsområde
from nämnd.vakt import Slag

from .. import lasare
from ..lasare import Radfel, rubrik_och_enhet
from ..utfall import Kodkarta, Kontokarta, _främmande_kod, kodår
from .budget import jämförelseändring
from .ramverk import (
    SKIPPA_BLAD,
    SÖK_RUBRIK_RADER,
    Importtypdef,
    Kolumnkarta,
    Låsning,
    Plan,
    Postplan,
    Tolkat,
    hitta_kolumner,
    i_lagrad_enhet,
    importsumma,
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
}
KOLUMNNAMN = {"ansvar": "Ansvar", "verksamhet": "Verksamhet", "konto": "Konto", "år": "År", "belopp": "Årsbudget"}
_BUDGET_ÅR = re.compile(r"(?:års)?budget\s*(\d{4})")


def _budgetår(cell: Any) -> int | None:
    """The year of a header such as "Budget 2025" or "Årsbudget 2025 (tkr)"."""
    m = _BUDGET_ÅR.fullmatch(rubrik_och_enhet(cell)[0])
    return int(m.group(1)) if m else None


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
    )

    def tolka_tabeller(self, tabeller, profil):
        tolkat = Tolkat()
        tecken = -1 if profil is not None and profil.kostnader_negativa else 1
        hittade = False
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(
                tabell,
                SYNONYMER,
                [("ansvar", "verksamhet"), ("konto",), ("belopp", "*")],
                profil,
                extra=lambda c: _budgetår(c) is not None,
            )
            if karta is None:
                continue
            år_i_rubrik = None
            if "belopp" not in karta.index:
                i = next(i for i, c in enumerate(karta.rubriker) if _budgetår(c) is not None)
                karta.index["belopp"], karta.enheter["belopp"] = i, rubrik_och_enhet(karta.rubriker[i])[1]
                år_i_rubrik = _budgetår(karta.rubriker[i])
            if "år" not in karta.index and år_i_rubrik is None:
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
                if rad is not None:
                    tolkat.rader.append(rad)
        if not hittade and not tolkat.fel:
            tolkat.fel.append(
                Radfel(
                    None,
                    None,
                    None,
                    f"Hittade ingen rubrikrad med kolumnerna Ansvar, Konto och Årsbudget (sökte i de första "
                    f"{SÖK_RUBRIK_RADER} raderna på varje blad).",
                )
            )
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
        belopp = None
        if tom(cell("belopp")):
            fel("belopp", "Årsbudgeten saknas.")
            ok = False
        else:
            try:
                värde = lasare.tal(cell("belopp"), None, decimaler="avrunda")
                belopp = i_lagrad_enhet(str(värde * tecken), karta, "belopp", BELOPP)
            except (Talfel, ValueError) as e:
                fel("belopp", str(e))
                ok = False
        if not ok:
            return None
        return {
            "blad": blad,
            "rad": nummer,
            "ansvar": ansvar,
            "verksamhet": vht,
            "konto": konto,
            "år": år_,
            "belopp": belopp,
        }

    def planera(self, ctx, tolkat):
        plan = Plan()
        nämnd = ctx.nämnd or ctx.nämnder[0]
        kostnadsslag = {k.pk: k for k in Kostnadsslag.objects.filter(kommun=ctx.kommun)}
        summor, summa, första = self._summor(nämnd, kostnadsslag, tolkat, plan)
        if not plan.fel:
            self._jämför(ctx, summor, kostnadsslag, plan, tolkat, första)
        plan.summa = importsumma(plan, summa)
        return plan

    @staticmethod
    def _summor(
        nämnd, kostnadsslag: dict[int, Kostnadsslag], tolkat: Tolkat, plan: Plan
    ) -> tuple[dict[tuple[int, int, int], Decimal], Decimal, dict[tuple[int, int], dict]]:
        """The file's rows summed per (område, år, kostnadsslag), with the errors of rows that map to none."""
        koder = Kodkarta.för(Verksamhetsområde.objects.filter(nämnd=nämnd, ej_fördelat=False))
        konton = Kontokarta(kostnadsslag.values())
        andra: list[Kodkarta] = []
        summor: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)  # (område, år, kostnadsslag) → kr
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
            summor[(träff[0].id, år, ks)] += Decimal(rad["belopp"])
            summa += Decimal(rad["belopp"])
            första.setdefault((träff[0].id, år), rad)
        return summor, summa, första

    @staticmethod
    def _jämför(
        ctx, summor: dict, kostnadsslag: dict[int, Kostnadsslag], plan: Plan, tolkat: Tolkat, första: dict
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
            if post is not None and post.belopp == belopp:
                plan.oförändrade += 1
                continue
            if spärr(område_id, år):
                continue
            if post is None:
                ersatt = per_slag.get((område_id, år, None))
                post = Budgetpost(
                    verksamhetsområde=område,
                    år=år,
                    slag=Budgetpost.Slag.KF_BUDGET,
                    kostnadsslag=kostnadsslag[ks],
                    belopp=belopp,
                    profil=ersatt.profil if ersatt else None,
                )
                plan.poster.append(Postplan(post, True, (), [(beskrivning, "", visa(belopp))]))
            else:
                plan.poster.append(Postplan(post, False, ("belopp",), [(beskrivning, visa(post.belopp), visa(belopp))]))
                post.belopp = belopp
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
