"""Volymer och nyckeltal import: long (Typ, År, Månad, Värde) or wide (one column per month or per year)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ekonomi.models import MÅNADER
from grund.tal import NYCKELTAL, ÅR
from nyckeltal.models import Nyckeltal, Nyckeltalsvärde
from nyckeltal.services import ändring_för_värde

from .. import lasare
from ..lasare import Bladrader, rubrik_och_enhet
from ..models import Importtyp
from ..resources import MÅNADSNAMN_LÅNGA, Månad, Tal
from .ramverk import (
    SKIPPA_BLAD,
    Importtypdef,
    Kolumnkarta,
    Låsning,
    Plan,
    Postplan,
    Radfel,
    Tolkat,
    _dubblett,
    hitta_kolumner,
    kandidat_från_karta,
    nyckeltext,
    tom,
    visa,
)

VOLYMTYPER = {
    "utfall helår": "utfall_helår",
    "utfall": "utfall_helår",
    "helår": "utfall_helår",
    "utfall delår": "utfall_delår",
    "delår": "utfall_delår",
    "mål": "mål",
    "plan": "mål",
    "mål/plan": "mål",
    "målvärde": "mål",
    "prognos": "prognos",
    "prognos helår": "prognos",
    "utfall månad": "utfall_månad",
    "månad": "utfall_månad",
    "månadsutfall": "utfall_månad",
    **{k: k for k in Nyckeltalsvärde.Typ.values},
}


def bred_kolumn(rubrik: Any) -> tuple[str, int | None, int | None] | None:
    """A wide-layout header → (typ, år, månad): jan…dec, januari, 1…12, 2023-01, 202301, "jan 2023", an Excel
    date (one column per month: utfall månad) or "Utfall 2022", "Utfall jan–aug 2023", "Mål 2023", "Plan 2024",
    "Prognos 2023", "2022" (one column per year, as the volymer export writes them)."""
    if isinstance(rubrik, (dt.date, dt.datetime)):
        return "utfall_månad", rubrik.year, rubrik.month
    if isinstance(rubrik, (int, float)) and not isinstance(rubrik, bool):
        if rubrik == int(rubrik) and 1 <= rubrik <= 12:
            return "utfall_månad", None, int(rubrik)
        if rubrik == int(rubrik) and 2000 <= rubrik <= 2100:
            return "utfall_helår", int(rubrik), None
        if rubrik == int(rubrik) and 200001 <= rubrik <= 210012 and 1 <= rubrik % 100 <= 12:
            return "utfall_månad", int(rubrik) // 100, int(rubrik) % 100
        return None
    text = rubrik_och_enhet(rubrik)[0]
    if not text:
        return None
    if re.fullmatch(r"20\d\d|2100", text):
        return "utfall_helår", int(text), None
    if m := re.fullmatch(
        r"(utfall(?: helår| delår)?|mål|plan|mål/plan|prognos(?: helår)?)\s+(?:(jan\s*-\s*[a-zåäö]{3})\s+)?(\d{4})",
        text,
    ):
        typ = VOLYMTYPER[m[1]]
        if m[2]:
            typ = "utfall_delår" if m[1].startswith("utfall") else typ
        return typ, int(m[3]), None
    if re.fullmatch(r"\d{4}\s*-\s*\d{1,2}|\d{6}|\d{1,2}|[a-zåäö]{3,9}\.?(\s+\d{4})?", text):
        try:
            år, månad = Månad.år_och_månad(text)
        except ValueError:
            return None
        if re.fullmatch(r"[a-zåäö]{3,9}\.?(\s+\d{4})?", text) and not any(
            text.split()[0].rstrip(".") in (kort, lång) for kort, lång in zip(MÅNADER, MÅNADSNAMN_LÅNGA, strict=True)
        ):
            return None  # only real month names, not every word that starts like one
        return "utfall_månad", år, månad
    return None


class Volymimport(Importtypdef):
    """Volymer och nyckeltal: long (Typ, År, Månad, Värde) or wide (one column per month or per year)."""

    typ = Importtyp.VOLYMER
    titel = "Volymer och nyckeltal"
    SYNONYMER = {
        "område": ("område", "nyckeltalsområde", "grupp", "rubrik", "verksamhet"),
        "nyckeltal": ("nyckeltal", "namn", "volym", "mått"),
        "enhet": ("enhet",),
        "år": ("år", "budgetår"),
        "typ": ("typ", "värdetyp", "slag"),
        "månad": ("månad", "period"),
        "värde": ("värde", "antal", "utfallsvärde"),
    }
    KRÄVS = (("nyckeltal",), ("värde", "*"))
    FÄLTNAMN = {
        "område": "Område",
        "nyckeltal": "Nyckeltal",
        "enhet": "Enhet",
        "år": "År",
        "typ": "Typ",
        "månad": "Månad",
        "värde": "Värde",
    }
    instruktioner = (
        "En rad per nyckeltal. Nyckeltalet anges med namnet som i rapporten; Område behövs när samma namn finns "
        "i flera områden (t.ex. Antal brukare totalt).",
        "Bred layout: en kolumn per månad (jan … dec, 1 … 12 eller 2023-01 … 2023-12) ger månadsutfall; "
        "en kolumn per år (Utfall 2022, Mål 2023, Plan 2024, Prognos 2023, Utfall jan–aug 2023) ger årsvärden "
        "– samma rubriker som exporten av volymtabellen.",
        "Kolumner med bara månad (jan, 1 …) kräver kolumnen År.",
        "Lång layout: kolumnerna Typ (Utfall helår, Utfall delår, Mål, Prognos, Utfall månad), År, Månad "
        "(för månadsutfall) och Värde.",
        "En varav-rad vars namn finns under flera nyckeltal (t.ex. Kommunal regi) skrivs med förälderns namn först, "
        "”Beviljade timmar / Kommunal regi”, eller direkt under sitt nyckeltal (som exporten av volymtabellen gör).",
        "Tomma celler lämnar befintliga värden orörda. Samma nyckeltal, typ, år och månad får bara förekomma en gång.",
    )

    def synonymer(self):
        return self.SYNONYMER

    def krav(self):
        return self.KRÄVS

    def fältnamn(self):
        return self.FÄLTNAMN

    def tolka_tabeller(self, tabeller, profil):
        tolkat = Tolkat()
        hittade = False
        for tabell in tabeller:
            if tabell.namn.strip().lower() in SKIPPA_BLAD:
                continue
            karta = hitta_kolumner(tabell, self.SYNONYMER, self.KRÄVS, profil, extra=bred_kolumn)
            if karta is None:
                continue
            if not hittade:
                tolkat.kolumnval = kandidat_från_karta(karta, tabell).som_json()
            hittade = True
            _tolka_blad(tabell, karta, tolkat)
        if not hittade:
            self.rubrikfel(tolkat, tabeller, profil, extra=bred_kolumn)
        return tolkat

    def planera(self, ctx, tolkat):
        plan = Plan()
        låsning = Låsning()
        alla = list(
            Nyckeltal.objects.filter(grupp__nämnd__in=ctx.nämnder).select_related("grupp", "grupp__nämnd", "förälder")
        )
        per_namn: dict[str, list[Nyckeltal]] = defaultdict(list)
        for nt in alla:
            per_namn[nyckeltext(nt.namn)].append(nt)
        befintliga = {
            (v.nyckeltal_id, v.typ, v.år, v.månad): v
            for v in ctx.låst(
                Nyckeltalsvärde.objects.filter(
                    nyckeltal__in=alla, år__in={v["år"] for r in tolkat.rader for v in r["värden"]}
                )
            )
        }
        typnamn = dict(Nyckeltalsvärde.Typ.choices)
        sedda: dict = {}
        föregående: dict[str, Nyckeltal] = {}  # per sheet: the last row's nyckeltal that is not a varav row
        for rad in tolkat.rader:
            kandidater = _kandidater(rad, per_namn, föregående.get(rad["blad"]))
            if len(kandidater) != 1:
                föregående.pop(rad["blad"], None)  # a varav row below is not taken to be under an earlier parent
            if not kandidater:
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        "nyckeltal",
                        f"Nyckeltalet {rad['nyckeltal']!r} finns inte"
                        + (f" i området {rad['område']!r}." if rad["område"] else " i nämnden."),
                    )
                )
                continue
            if len(kandidater) > 1:
                plan.fel.append(tolkat.fel_för(rad, "nyckeltal", _tvetydigt(rad, kandidater)))
                continue
            nt = kandidater[0]
            if nt.förälder_id is None:
                föregående[rad["blad"]] = nt
            for v in rad["värden"]:
                pos = Radfel(rad["blad"] or None, rad["rad"], v["kol"], "")
                värde = Decimal(v["värde"]).quantize(Decimal("0.01"))
                nyckel = (nt.pk, v["typ"], v["år"], v["månad"])
                if (första := _dubblett(sedda, nyckel, rad)) is not None:
                    plan.fel.append(
                        Radfel(
                            pos.blad,
                            pos.rad,
                            pos.kolumn,
                            (
                                f"Samma värde ({nt.namn}, {typnamn[v['typ']]}, {v['år']}"
                                + (f"-{v['månad']:02d}" if v["månad"] else "")
                                + f") finns redan på rad {första}."
                            ),
                        )
                    )
                    continue
                if värde < 0 and not nt.får_vara_negativ:
                    plan.fel.append(Radfel(pos.blad, pos.rad, pos.kolumn, f"{nt.namn} kan inte vara negativt."))
                    continue
                beskrivning = f"{nt.grupp.namn} / {nt.namn} {typnamn[v['typ']].lower()} {v['år']}" + (
                    f"-{v['månad']:02d}" if v["månad"] else ""
                )
                post = befintliga.get(nyckel)
                if post is not None and post.värde == värde:
                    plan.oförändrade += 1
                    continue
                stängt = låsning.fel(nt.grupp.nämnd, ändring_för_värde(v["typ"], v["år"], v["månad"]))
                if stängt:
                    plan.fel.append(Radfel(pos.blad, pos.rad, pos.kolumn, stängt))
                    continue
                if post is None:
                    post = Nyckeltalsvärde(nyckeltal=nt, typ=v["typ"], år=v["år"], månad=v["månad"], värde=värde)
                    plan.poster.append(Postplan(post, True, (), [(beskrivning, "", visa(värde))]))
                else:
                    plan.poster.append(
                        Postplan(post, False, ("värde", "version"), [(beskrivning, visa(post.värde), visa(värde))])
                    )
                    post.värde, post.version = värde, post.version + 1
        return plan


def _kandidater(rad: dict, per_namn: dict[str, list[Nyckeltal]], föregående: Nyckeltal | None) -> list[Nyckeltal]:
    """The nyckeltal a row may mean: by its name ("varav " optional), else by a qualified name "Förälder / Varav";
    narrowed by the Område column, and a varav row whose name repeats under several nyckeltal by the row above it
    that is not a varav row (the order the volymer export writes)."""
    namn = nyckeltext(rad["nyckeltal"])
    kandidater = per_namn.get(namn) or (
        per_namn.get(namn.removeprefix("varav ")) or [] if namn.startswith("varav ") else []
    )
    if not kandidater and "/" in namn:
        förälder, _, barn = (nyckeltext(d) for d in namn.rpartition("/"))
        kandidater = [
            nt
            for nt in per_namn.get(barn.removeprefix("varav ").strip(), [])
            if nt.förälder is not None and nyckeltext(nt.förälder.namn) == förälder
        ]
    if rad["område"]:
        kandidater = [nt for nt in kandidater if nyckeltext(nt.grupp.namn) == nyckeltext(rad["område"])]
    if len(kandidater) > 1 and föregående is not None:
        under = [nt for nt in kandidater if nt.förälder_id == föregående.id]
        if len(under) == 1:
            return under
    return kandidater


def _tvetydigt(rad: dict, kandidater: list[Nyckeltal]) -> str:
    """The Swedish message for a name that still means several nyckeltal."""
    namn = rad["nyckeltal"]
    if all(nt.förälder is not None for nt in kandidater):
        föräldrar = sorted({f"{nt.förälder.namn} ({nt.grupp.namn})" for nt in kandidater if nt.förälder})
        exempel = f"{kandidater[0].förälder.namn} / {kandidater[0].namn}" if kandidater[0].förälder else namn
        return (
            f"Nyckeltalet {namn!r} finns som varav-rad under flera nyckeltal ({', '.join(föräldrar)}). Skriv "
            f"förälderns namn först, t.ex. ”{exempel}”, eller lägg raden direkt under sitt nyckeltal i filen."
        )
    return (
        f"Nyckeltalet {namn!r} finns i flera områden ("
        + ", ".join(sorted({nt.grupp.namn for nt in kandidater}))
        + "). Fyll i kolumnen Område."
    )


@dataclass
class _Volymrad:
    """Where a row of the volymer template is read, and where its errors go."""

    blad: str
    nummer: int
    kolumner: dict[str, str]  # field → "C (Värde)"
    tolkat: Tolkat

    def fel(self, fält: str, text: str) -> None:
        self.tolkat.fel.append(Radfel(self.blad or None, self.nummer, self.kolumner.get(fält, fält), text))

    def fel_i_kolumn(self, kolumn: str | None, text: str) -> None:
        self.tolkat.fel.append(Radfel(self.blad or None, self.nummer, kolumn, text))


def _tolka_blad(tabell: Bladrader, karta: Kolumnkarta, tolkat: Tolkat) -> None:
    breda = {
        i: b
        for i, c in enumerate(karta.rubriker)
        if i not in karta.index.values() and (b := bred_kolumn(c)) is not None
    }
    if any(b[1] is None for b in breda.values()) and "år" not in karta.index:
        tolkat.fel.append(
            Radfel(tabell.namn or None, karta.rubrikrad, None, "Månadskolumner utan år (jan, 1 …) kräver kolumnen År.")
        )
        return
    kolumner = {f: karta.ref(f) for f in karta.index}
    tolkat.kolumner[tabell.namn] = kolumner
    tal = Tal(NYCKELTAL)
    for nummer, celler in karta.datarader(tabell):
        tolkat.antal_rader += 1
        _tolka_rad(_Volymrad(tabell.namn, nummer, kolumner, tolkat), karta, breda, celler, tal)


def _tolka_rad(
    r: _Volymrad, karta: Kolumnkarta, breda: dict[int, tuple[str, int | None, int | None]], celler: list[Any], tal: Tal
) -> None:
    cell = {f: (celler[i] if i < len(celler) else None) for f, i in karta.index.items()}
    fel_före = len(r.tolkat.fel)
    if trasiga := [f for f, c in cell.items() if isinstance(c, lasare.Cellvärdesfel)]:
        for f in trasiga:
            r.fel(f, str(cell[f]))
        return
    namn = " ".join(str(cell["nyckeltal"]).split()) if not tom(cell["nyckeltal"]) else ""
    if not namn:
        r.fel("nyckeltal", "Ange nyckeltal.")
        return
    år = None
    if "år" in cell and not tom(cell["år"]):
        try:
            år = Tal(ÅR, heltal=True).clean(cell["år"])
        except ValueError as e:
            r.fel("år", str(e))
    värden = []
    if "värde" in cell and not tom(cell["värde"]):
        år, värde = _långt_värde(r, cell, år, tal)
        if värde is not None:
            värden.append(värde)
    värden += _breda_värden(r, karta, breda, celler, år, tal)
    if len(r.tolkat.fel) == fel_före and värden:
        r.tolkat.rader.append(
            {
                "blad": r.blad,
                "rad": r.nummer,
                "nyckeltal": namn,
                "område": "" if tom(cell.get("område")) else " ".join(str(cell["område"]).split()),
                "värden": värden,
            }
        )


def _långt_värde(r: _Volymrad, cell: dict[str, Any], år: int | None, tal: Tal) -> tuple[int | None, dict | None]:
    """The long layout's value (Typ, År, Månad, Värde); the year may come from the month cell."""
    typ, månad = "utfall_helår", None
    if "månad" in cell and not tom(cell["månad"]):
        try:
            år_m, månad = Månad.år_och_månad(cell["månad"])
            år = år or år_m
            typ = "utfall_månad"
        except ValueError as e:
            r.fel("månad", str(e))
    if "typ" in cell and not tom(cell["typ"]):
        typ = VOLYMTYPER.get(rubrik_och_enhet(cell["typ"])[0])
        if typ is None:
            r.fel(
                "typ",
                f"{cell['typ']!r} är inte en typ. Giltiga: Utfall helår, Utfall delår, Mål, Prognos, Utfall månad.",
            )
    if typ == "utfall_månad" and månad is None:
        r.fel("månad", "Ange månad för månadsutfall.")
    if år is None:
        r.fel("år", "Ange år.")
    try:
        v = tal.clean(cell["värde"])
    except ValueError as e:
        r.fel("värde", str(e))
        return år, None
    return år, {
        "typ": typ,
        "år": år,
        "månad": månad if typ == "utfall_månad" else None,
        "värde": str(v),
        "kol": r.kolumner["värde"],
    }


def _breda_värden(
    r: _Volymrad,
    karta: Kolumnkarta,
    breda: dict[int, tuple[str, int | None, int | None]],
    celler: list[Any],
    år: int | None,
    tal: Tal,
) -> list[dict]:
    """The wide layout's values: one column per month or per year."""
    värden = []
    for i, (typ, kol_år, månad) in breda.items():
        c = celler[i] if i < len(celler) else None
        if tom(c):
            continue
        ref = karta.kolumnref(i)
        värdeår = kol_år or år
        if värdeår is None:
            r.fel_i_kolumn(r.kolumner.get("år"), "Ange år.")
            continue
        try:
            värden.append({"typ": typ, "år": värdeår, "månad": månad, "värde": str(tal.clean(c)), "kol": ref})
        except ValueError as e:
            r.fel_i_kolumn(ref, str(e))
    return värden
