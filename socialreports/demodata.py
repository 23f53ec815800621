"""Builds the demo kommun from fixtures/knivsta-2023-2024: published figures (CSV, tkr) and
demo texts of our own (demo.json). Idempotent: an existing demo kommun is replaced.

The CSVs give period totals; the loader stores what the system really stores (kronor, per month):
nettokostnad per month spread evenly over the months of each period, budget per year.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ekonomi.models import Budgetpost, Investering, Investeringsprognos, Prognos, Utfall
from grund import historik
from importer.models import Import
from nyckeltal.models import (
    Indikator,
    Indikatorvärde,
    Mål,
    Måluppfyllelse,
    Nyckeltal,
    Nyckeltalsgrupp,
    Nyckeltalsvärde,
    Uppdrag,
    Uppdragsstatus,
)
from nyckeltal.services import standardskala
from nämnd.models import Behörighet, Kommun, Nämnd, Verksamhetsområde
from publicering.models import Rapportversion, Rapportärende
from rapporter.models import Layoutsektion, Rapportlayout, Textavsnitt

KATALOG = Path(settings.BASE_DIR) / "fixtures" / "knivsta-2023-2024"
TKR = Decimal(1000)
DEMO_LÖSENORD = "demo1234"


def läs_csv(namn: str) -> list[dict[str, str]]:
    with open(KATALOG / namn, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f, delimiter=";")]


def tkr(text: str) -> Decimal:
    return Decimal(text.replace(",", ".") or 0) * TKR


def fördela(belopp: Decimal, månader: range) -> dict[int, Decimal]:
    """Split kronor evenly over months; the last month takes the öre remainder so the sum is exact."""
    n = len(months := list(månader))
    del_ = (belopp / n).quantize(Decimal("0.01"))
    result = {m: del_ for m in months}
    result[months[-1]] = belopp - del_ * (n - 1)
    return result


@transaction.atomic
def ladda(med_användare: bool = False) -> Kommun:
    demo = json.loads((KATALOG / "demo.json").read_text(encoding="utf-8"))
    radera(demo["kommun"]["namn"])
    kommun = Kommun.objects.create(**demo["kommun"])
    standardskala(kommun)  # the demo's report uses the standard bedömning words
    nämnd = Nämnd.objects.create(
        kommun=kommun, namn=demo["nämnd"]["namn"], giltig_från=dt.date.fromisoformat(demo["nämnd"]["giltig_från"])
    )
    vo = _verksamhetsområden(nämnd)
    _ekonomi(nämnd, vo, demo)
    _volymer(nämnd)
    _mål(nämnd, demo)
    _rapporter(kommun, nämnd, demo)
    if med_användare:
        _användare(kommun, nämnd)
    return kommun


def radera(namn: str) -> None:
    """Remove a demo kommun and everything under it (PROTECT FKs are deleted bottom-up)."""
    kommun = Kommun.objects.filter(namn=namn).first()
    if kommun is None:
        return
    Utfall.objects.for_kommun(kommun).delete()
    Prognos.objects.for_kommun(kommun).delete()
    Budgetpost.objects.for_kommun(kommun).delete()
    Investering.objects.for_kommun(kommun).delete()
    Nyckeltalsvärde.objects.for_kommun(kommun).delete()
    Nyckeltal.objects.for_kommun(kommun).filter(förälder__isnull=False).delete()
    Nyckeltal.objects.for_kommun(kommun).delete()
    Nyckeltalsgrupp.objects.for_kommun(kommun).delete()
    Mål.objects.for_kommun(kommun).filter(förälder__isnull=False).delete()
    Mål.objects.for_kommun(kommun).delete()
    områden = Verksamhetsområde.objects.for_kommun(kommun)
    while områden.exists():  # leaves first: förälder is PROTECT
        områden.filter(barn__isnull=True).delete()
    Textavsnitt.objects.for_kommun(kommun).delete()
    Rapportversion.objects.for_kommun(kommun).delete()
    Rapportärende.objects.for_kommun(kommun).delete()
    Utfall.objects.filter(källa__kommun=kommun).delete()
    Import.objects.for_kommun(kommun).delete()
    Nämnd.objects.for_kommun(kommun).delete()
    kommun.delete()


def _verksamhetsområden(nämnd: Nämnd) -> dict[str, Verksamhetsområde]:
    vo: dict[str, Verksamhetsområde] = {}
    block: dict[str, Verksamhetsområde] = {}
    for i, rad in enumerate(läs_csv("driftredovisning_helarsprognos_2023.csv"), start=1):
        if rad["block"] == "SUMMA":
            continue
        förälder = None
        if rad["block"]:
            if rad["block"] not in block:
                block[rad["block"]] = Verksamhetsområde.objects.create(
                    nämnd=nämnd, namn=rad["block"], typ=Verksamhetsområde.Typ.BLOCK, ordning=i * 10
                )
            förälder = block[rad["block"]]
        vo[rad["verksamhet"]] = Verksamhetsområde.objects.create(
            nämnd=nämnd, förälder=förälder, namn=rad["verksamhet"], ordning=i * 10
        )
    # 2024: "Förebyggande verksamhet SoL" is moved into "Vård & omsorg i ordinärt boende övrigt" (budget 0).
    vo["Förebyggande verksamhet SoL"].till_år = 2024
    vo["Förebyggande verksamhet SoL"].save(update_fields=["till_år"])
    return vo


def _ekonomi(nämnd: Nämnd, vo: dict[str, Verksamhetsområde], demo: dict) -> None:
    delår = {r["verksamhet"]: r for r in läs_csv("driftredovisning_delar_2023.csv")}
    budget: list[Budgetpost] = []
    utfall: list[Utfall] = []
    prognoser: list[Prognos] = []
    for rad in läs_csv("driftredovisning_helarsprognos_2023.csv"):
        if rad["block"] == "SUMMA":
            continue
        v, d = vo[rad["verksamhet"]], delår[rad["verksamhet"]]
        budget.append(Budgetpost(verksamhetsområde=v, år=2023, slag="kf", belopp=tkr(rad["kf_budget_helar_2023_tkr"])))
        if rad["tillagg_avdrag_helar_2023_tkr"]:
            budget.append(
                Budgetpost(
                    verksamhetsområde=v,
                    år=2023,
                    slag="tillägg",
                    belopp=tkr(rad["tillagg_avdrag_helar_2023_tkr"]),
                    kommentar="Justering av budgetram under året",
                )
            )
        helår_2022, delår_2022 = tkr(rad["nettokostnad_helar_2022_tkr"]), tkr(d["nettokostnad_delar_2022_tkr"])
        perioder = [
            (2022, range(1, 9), delår_2022),
            (2022, range(9, 13), helår_2022 - delår_2022),
            (2023, range(1, 9), tkr(d["nettokostnad_delar_2023_tkr"])),
        ]
        for år, månader, belopp in perioder:
            for m, b in fördela(belopp, månader).items():
                utfall.append(Utfall(verksamhetsområde=v, år=år, månad=m, belopp=b))
        prognoser.append(
            Prognos(
                verksamhetsområde=v,
                år=2023,
                månad=8,
                belopp=tkr(rad["prognos_nettokostnad_helar_2023_tkr"]),
                kommentar=demo["prognoskommentarer"].get(rad["verksamhet"], ""),
            )
        )
    for rad in läs_csv("driftsbudget_2024.csv"):
        if rad["block"] == "SUMMA":
            continue
        v = vo[rad["verksamhet"]]
        # The verksamhetsplan's 2023 column is the nämnd's own distribution of the 2023 ram (see docs/beslut.md).
        budget.append(Budgetpost(verksamhetsområde=v, år=2023, slag="nämnd", belopp=tkr(rad["kf_budget_2023_tkr"])))
        budget.append(Budgetpost(verksamhetsområde=v, år=2024, slag="kf", belopp=tkr(rad["kf_budget_2024_tkr"])))
        budget.append(Budgetpost(verksamhetsområde=v, år=2024, slag="nämnd", belopp=tkr(rad["namndbudget_2024_tkr"])))
    for model, objekt in ((Budgetpost, budget), (Utfall, utfall), (Prognos, prognoser)):
        model.objects.bulk_create(objekt)
        historik.registrera(model, objekt, historik.SKAPAD, orsak="Demodata")

    for i, rad in enumerate(läs_csv("investeringar_2023.csv")):
        inv = Investering.objects.create(
            nämnd=nämnd,
            år=2023,
            namn=rad["investering"],
            ordning=i,
            kf_ram=tkr(rad["kf_investeringsram_tkr"]),
            tillägg=tkr(rad["tillagg_investeringsram_tkr"]),
        )
        Investeringsprognos.objects.create(investering=inv, månad=8, belopp=tkr(rad["prognos_investeringsutgift_tkr"]))
    Investering.objects.create(nämnd=nämnd, år=2024, namn="Inventarier", kf_ram=500 * TKR)


def _volymer(nämnd: Nämnd) -> None:
    grupper: dict[str, Nyckeltalsgrupp] = {}
    värden: list[Nyckeltalsvärde] = []
    kolumner = [(f"utfall_helar_{å}", "utfall_helår", å) for å in range(2019, 2023)] + [
        ("mal_helar_2023", "mål", 2023),
        ("utfall_delar_2023", "utfall_delår", 2023),
        ("prognos_2023", "prognos", 2023),
    ]
    for i, rad in enumerate(läs_csv("volymer_nyckeltal_delar_2023.csv")):
        if rad["omrade"] not in grupper:
            grupper[rad["omrade"]] = Nyckeltalsgrupp.objects.create(
                nämnd=nämnd, namn=rad["omrade"], ordning=len(grupper)
            )
        nt = Nyckeltal.objects.create(
            grupp=grupper[rad["omrade"]], namn=rad["nyckeltal"], enhet=rad["enhet"], ordning=i
        )
        for kolumn, typ, år in kolumner:
            if rad[kolumn]:
                värden.append(Nyckeltalsvärde(nyckeltal=nt, år=år, typ=typ, värde=Decimal(rad[kolumn])))
    Nyckeltalsvärde.objects.bulk_create(värden)


def _mål(nämnd: Nämnd, demo: dict) -> None:
    mål: dict[str, Mål] = {}
    for i, m in enumerate(demo["mål"]):
        mål[m["csv"]] = mål[m["namn"]] = Mål.objects.create(
            nämnd=nämnd,
            namn=m["namn"],
            nivå=m["nivå"],
            förälder=mål.get(m.get("förälder")),
            betyder_att=m["betyder_att"],
            ordning=i,
            från_år=2023,
            till_år=2026,
        )
    uppdrag = []
    for i, rad in enumerate(läs_csv("uppdrag.csv")):
        från, _, till = rad["tidsperiod"].partition("-")
        uppdrag.append(
            Uppdrag.objects.create(
                mål=mål[rad["mal"]],
                text=rad["uppdrag"],
                från_år=int(från),
                till_år=int(till or från),
                nivå=rad["niva"],
                ordning=i,
            )
        )
    indikatorer: dict[str, Indikator] = {}
    värden = []
    for rad in läs_csv("indikatorer.csv"):
        ind = indikatorer.get(rad["indikator"])
        if ind is None:
            jämförelse, målvärde = demo["målvärden"].get(rad["kolada_id"], ("", None))
            ind = indikatorer[rad["indikator"]] = Indikator.objects.create(
                mål=mål[rad["mal"]],
                namn=rad["indikator"],
                kolada_id=rad["kolada_id"],
                enhet=rad["enhet"],
                riktning=rad["onskad_riktning"].lower(),
                jämförelse=jämförelse,
                målvärde=Decimal(målvärde) if målvärde else None,
                ordning=len(indikatorer),
            )

        def dec(t: str) -> Decimal | None:
            return Decimal(t.replace(",", ".")) if t else None

        värden.append(
            Indikatorvärde(
                indikator=ind,
                år=int(rad["ar"]),
                totalt=dec(rad["utfall_totalt"]),
                kvinnor=dec(rad["utfall_kvinnor"]),
                män=dec(rad["utfall_man"]),
                källa="Kolada" if rad["kolada_id"] else "",
            )
        )
    Indikatorvärde.objects.bulk_create(värden)
    for år, per_rapport in demo["måluppfyllelse"].items():
        for rapporttyp, bedömningar in per_rapport.items():
            for namn, (bedömning, kommentar) in bedömningar.items():
                Måluppfyllelse.objects.create(
                    mål=mål[namn], år=int(år), rapporttyp=rapporttyp, bedömning=bedömning, kommentar=kommentar
                )
    for år, per_rapport in demo["uppdragsstatus"].items():
        for rapporttyp, statusar in per_rapport.items():
            Uppdragsstatus.objects.bulk_create(
                Uppdragsstatus(uppdrag=u, år=int(år), rapporttyp=rapporttyp, status=s)
                for u, s in zip(uppdrag, statusar, strict=True)
            )


def _rapporter(kommun: Kommun, nämnd: Nämnd, demo: dict) -> None:
    for typ, sektioner in demo["layouter"].items():
        layout = Rapportlayout.objects.create(kommun=kommun, rapporttyp=typ)
        Layoutsektion.objects.bulk_create(
            Layoutsektion(layout=layout, ordning=i, typ=s["typ"], rubrik=s["rubrik"], parametrar=s["parametrar"])
            for i, s in enumerate(sektioner)
        )
    Textavsnitt.objects.bulk_create(
        Textavsnitt(nämnd=nämnd, år=int(år), rapporttyp=typ, rubrik=rubrik, text=text)
        for år, per_typ in demo["texter"].items()
        for typ, texter in per_typ.items()
        for rubrik, text in texter.items()
    )


def _användare(kommun: Kommun, nämnd: Nämnd) -> None:
    User = get_user_model()
    roller = {"demo-admin": "admin", "demo-controller": "controller", "demo-lasare": "läsare"}
    for namn, roll in roller.items():
        user, _ = User.objects.get_or_create(username=namn, defaults={"is_staff": roll in ("admin", "controller")})
        user.set_password(DEMO_LÖSENORD)
        user.save()
        b, _ = Behörighet.objects.update_or_create(
            user=user,
            kommun=kommun,
            defaults={"roll": roll, "får_importera": roll != "läsare", "får_fastställa": roll == "admin"},
        )
        if roll == "controller":
            b.nämnder.set([nämnd])
