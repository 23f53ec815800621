"""A report's query count does not grow with the kommun or the layout: building and rendering a report of a small
kommun and of one six times as large (områden, figures, mål, nyckeltal, investeringar) takes the same number of
queries for every preset layout and for a follow-up report as well as a plan — at most 20 (one known exception
is marked in ``test_högst_20_frågor``).

The two kommuner are built once for this module inside an outer transaction that is rolled back at the end
(each test's own transaction is a savepoint within it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from ekonomi.models import Budgetpost, Investering, Investeringsprognos, Investeringsutgift, Prognos, Utfall
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
from nämnd.models import Nämnd, Verksamhetsområde
from rapporter import forval, layouter
from rapporter.models import Textavsnitt
from rapporter.rapport import bygg_rapport
from tests import factories

ÅR = 2023
MAX_FRÅGOR = 20
KATEGORIER = ("anslag", "volym", "egen_regi")


def bygg(namn: str, storlek: int):
    """A kommun with a nämnd split on 1 July (the report has two parts) and ``storlek`` blocks of 2 verksamheter
    of 2 enheter each in the new nämnd (one verksamhet per block in the old one), with budget of every kind,
    utfall this year and last, prognoser, a nyckeltal per verksamhet linked to it, ``storlek`` KF-mål each with a
    nämndmål, uppdrag, indikator and bedömning, and ``storlek`` investeringar."""
    kommun = factories.KommunFactory(namn=namn)
    gamla = Nämnd.objects.create(
        kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2019, 1, 1), giltig_till=dt.date(ÅR, 6, 30)
    )
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(ÅR, 7, 1))
    nämnd.föregångare.add(gamla)
    blad, verksamheter = [], []
    for b in range(storlek):
        block = Verksamhetsområde.objects.create(nämnd=nämnd, namn=f"Block {b}", typ="block", ordning=b * 100)
        for v in range(2):
            verksamhet = Verksamhetsområde.objects.create(
                nämnd=nämnd, förälder=block, namn=f"Verksamhet {b}.{v}", ordning=b * 100 + v * 10 + 1
            )
            verksamheter.append(verksamhet)
            blad += Verksamhetsområde.objects.bulk_create(
                Verksamhetsområde(
                    nämnd=nämnd,
                    förälder=verksamhet,
                    namn=f"Enhet {b}.{v}.{e}",
                    typ="enhet",
                    ordning=b * 100 + v * 10 + e + 2,
                )
                for e in range(2)
            )
        blad.append(Verksamhetsområde.objects.create(nämnd=gamla, namn=f"Verksamhet {b}", ordning=b))
    budget, utfall, prognoser = [], [], []
    for i, o in enumerate(blad):
        kategori = KATEGORIER[i % 3]
        belopp = Decimal(1_200_000 + 12_000 * i)
        budget += [
            Budgetpost(
                verksamhetsområde=o,
                år=ÅR,
                slag="kf",
                belopp=belopp,
                kategori=kategori,
                volym=Decimal(1000) if kategori == "volym" else None,
                peng=Decimal(1200) if kategori == "volym" else None,
            ),
            Budgetpost(verksamhetsområde=o, år=ÅR, slag="nämnd", belopp=belopp, kategori=kategori),
            Budgetpost(verksamhetsområde=o, år=ÅR - 1, slag="kf", belopp=belopp, kategori=kategori),
            Budgetpost(verksamhetsområde=o, år=ÅR, slag="tillägg", belopp=Decimal(12_000), kategori=kategori),
        ]
        månader = range(1, 7) if o.nämnd_id == gamla.id else range(7, 9)
        utfall += [Utfall(verksamhetsområde=o, år=ÅR, månad=m, belopp=belopp / 12, kategori=kategori) for m in månader]
        utfall += [
            Utfall(verksamhetsområde=o, år=ÅR - 1, månad=m, belopp=belopp / 13, kategori=kategori) for m in range(1, 13)
        ]
        prognoser += [
            Prognos(verksamhetsområde=o, år=ÅR, månad=m, belopp=belopp + m, kommentar="Prognos") for m in (4, 8)
        ]
    Budgetpost.objects.bulk_create(budget)
    Utfall.objects.bulk_create(utfall)
    Prognos.objects.bulk_create(prognoser)

    grupp = Nyckeltalsgrupp.objects.create(nämnd=nämnd, namn="Volymer")
    nyckeltal = Nyckeltal.objects.bulk_create(
        Nyckeltal(grupp=grupp, namn=f"Brukare {v.namn}", ordning=i, verksamhetsområde=v)
        for i, v in enumerate(verksamheter)
    )
    Nyckeltalsvärde.objects.bulk_create(
        [
            *(
                Nyckeltalsvärde(nyckeltal=n, år=ÅR, typ="utfall_månad", månad=m, värde=10 + m)
                for n in nyckeltal
                for m in range(1, 9)
            ),
            *(Nyckeltalsvärde(nyckeltal=n, år=ÅR, typ="mål", värde=100) for n in nyckeltal),
            *(
                Nyckeltalsvärde(nyckeltal=n, år=år, typ="utfall_helår", värde=90)
                for n in nyckeltal
                for år in (2021, 2022)
            ),
        ]
    )
    for i in range(storlek):
        kf = Mål.objects.create(nämnd=nämnd, namn=f"KF-mål {i}", nivå="kf", från_år=ÅR - 1, ordning=i)
        mål = Mål.objects.create(nämnd=nämnd, förälder=kf, namn=f"Nämndmål {i}", nivå="nämnd", från_år=ÅR, ordning=i)
        for m in (kf, mål):
            for typ in ("delårsrapport", "verksamhetsplan"):
                Måluppfyllelse.objects.create(mål=m, år=ÅR, rapporttyp=typ, bedömning="delvis", kommentar="På väg")
        uppdrag = Uppdrag.objects.create(mål=mål, text=f"Uppdrag {i}", från_år=ÅR, till_år=ÅR)
        Uppdragsstatus.objects.create(uppdrag=uppdrag, år=ÅR, rapporttyp="delårsrapport", status="pågår")
        indikator = Indikator.objects.create(mål=mål, namn=f"Indikator {i}", jämförelse="minst", målvärde=50)
        Indikatorvärde.objects.bulk_create(
            Indikatorvärde(indikator=indikator, år=år, totalt=40 + i) for år in (2021, 2022, 2023)
        )
        investering = Investering.objects.create(nämnd=nämnd, år=ÅR, namn=f"Investering {i}", kf_ram=Decimal(500_000))
        Investeringsutgift.objects.create(investering=investering, månad=3, belopp=Decimal(50_000))
        Investeringsprognos.objects.create(investering=investering, månad=8, belopp=Decimal(400_000))
    for n in (gamla, nämnd):
        for typ in ("delårsrapport", "verksamhetsplan"):
            Textavsnitt.objects.create(nämnd=n, år=ÅR, rapporttyp=typ, rubrik="Viktiga händelser", text="Text.")
    sektorn = []  # the sector's other nämnder, for a sammanställning
    for i in range(storlek):
        n = Nämnd.objects.create(kommun=kommun, namn=f"Sektornämnd {i}", giltig_från=dt.date(2019, 1, 1))
        sektorn.append(n.id)
        for v in range(2):
            o = Verksamhetsområde.objects.create(nämnd=n, namn=f"Sektorverksamhet {i}.{v}", ordning=v)
            Budgetpost.objects.create(verksamhetsområde=o, år=ÅR, slag="kf", belopp=Decimal(1_200_000))
            Utfall.objects.bulk_create(
                Utfall(verksamhetsområde=o, år=ÅR, månad=m, belopp=Decimal(100_000)) for m in range(1, 9)
            )
    return kommun, nämnd, factories.admin(kommun), sektorn


@pytest.fixture(scope="module")
def kommuner(django_db_setup, django_db_blocker):
    """(kommun, nämnd, admin, the sector's other nämnder) of the small and the large kommun, built once."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield bygg("Småby kommun", 1), bygg("Storby kommun", 6)
        transaction.set_rollback(True)


def frågor(user, nämnd, typ: str) -> tuple[int, str]:
    """Queries of building and rendering the report (after a warm-up for per-process caches), and its HTML."""
    bygg_rapport(user, nämnd, ÅR, typ)
    with CaptureQueriesContext(connection) as c:
        rapport = bygg_rapport(user, nämnd, ÅR, typ)
        html = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": False})
    return len(c), html


def mät(kommuner, typ: str, sektioner) -> list[int]:
    """Queries for the small and the large kommun with the layout ``sektioner(sektorn)``."""
    antal, rader = [], []
    for kommun, nämnd, admin, sektorn in kommuner:
        layouter.spara(admin, kommun, typ, sektioner(sektorn))
        n, html = frågor(admin, nämnd, typ)
        antal.append(n)
        rader.append(html.count("<tr"))
    assert rader[1] > 3 * rader[0], rader  # the large kommun's report really is larger
    return antal


def med_text(förval: str, typ: str) -> list[dict]:
    # A text section too (the presets have none): the nämnd's Textavsnitt, one per part.
    return [{"typ": "text", "rubrik": "Viktiga händelser", "parametrar": {}}, *forval.sektioner(förval, typ)]


TYPER = ["delårsrapport", "verksamhetsplan"]


@pytest.mark.django_db
@pytest.mark.parametrize("typ", TYPER)
@pytest.mark.parametrize("förval", list(forval.FÖRVAL))
def test_frågor_lika_för_liten_och_stor_kommun(kommuner, förval, typ):
    liten, stor = mät(kommuner, typ, lambda sektorn: med_text(förval, typ))
    assert liten == stor, f"{förval}/{typ}: {liten} frågor för den lilla kommunen, {stor} för den stora"
    assert stor <= TAK, f"{förval}/{typ}: {stor} frågor"


@pytest.mark.django_db
def test_sektorns_sammanställning_lika_många_frågor_för_1_och_6_nämnder(kommuner):
    def sektioner(sektorn):
        sektor = {"id": "sektor", "nämnder": sektorn, "kolumner": [{"mått": "utfall", "rubrik": ""}]}
        return [*med_text("standard", "delårsrapport"), {"typ": "drift", "rubrik": "Sektorn", "parametrar": sektor}]

    liten, stor = mät(kommuner, "delårsrapport", sektioner)
    assert liten == stor and stor <= TAK, (liten, stor)


# Every layout above stays within the 20 (the volume table's nyckeltal are read once with the volymer
# section's, rapporter/sektioner/kontext.py: Byggkontext.nyckeltal).
TAK = MAX_FRÅGOR


@pytest.mark.django_db
@pytest.mark.parametrize(("förval", "typ"), [(f, t) for f in forval.FÖRVAL for t in TYPER])
def test_högst_20_frågor(kommuner, förval, typ):
    assert max(mät(kommuner, typ, lambda sektorn: med_text(förval, typ))) <= MAX_FRÅGOR


@pytest.mark.django_db
def test_månadsserier_lika_många_frågor_för_2_och_12_serier(kommuner):
    """Every nyckeltal of the kommun as monthly series (2 in the small kommun, 12 in the large), rolling 13 months
    with snittkostnad and a chart per series and the report year's months, beside a text, the driftredovisning and
    the volymer: one shared read (one query) whatever the number of series, months and sections. (The standard
    preset alone takes the whole budget of 20.)"""

    def sektioner(sektorn):
        kommun = Nämnd.objects.get(id=sektorn[0]).kommun_id
        ids = list(Nyckeltal.objects.filter(grupp__nämnd__kommun_id=kommun).values_list("id", flat=True))
        serier = {"nyckeltal": ids, "period": "rullande", "snittkostnad": True, "diagram": True}
        standard = forval.sektioner("standard", "delårsrapport")
        return [
            {"typ": "text", "rubrik": "Viktiga händelser", "parametrar": {}},
            next(s for s in standard if s["typ"] == "drift"),
            next(s for s in standard if s["typ"] == "volymer"),
            {"typ": "manadsserie", "rubrik": "Månadsserier", "parametrar": serier},
            {"typ": "manadsserie", "rubrik": "Samma i år", "parametrar": {**serier, "period": "år"}},
        ]

    liten, stor = mät(kommuner, "delårsrapport", sektioner)
    assert liten == stor and stor <= TAK, (liten, stor)
