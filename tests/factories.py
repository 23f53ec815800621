"""Test data (factory_boy): one factory per model and builders for whole kommuner of several shapes.

A test uses the demo kommun (``socialreports.demodata``) only when it checks the demo's published figures;
everything else builds its data here. The builders give round figures so that a test can compute the
expected numbers by hand (each builder's docstring lists them).

- ``annan_form_kommun``: mnkr, costs shown negative, no blocks in one nämnd and block → verksamhet → enhet
  in the other, and a nämnd split in the middle of the year.
- ``liten_kommun``: tkr, costs positive, one nämnd with one block of two verksamheter (the demo's shape,
  small).
- ``syntetisk_nämnd``: a generated nämnd of any size for size tests and benchmarks.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory
from simple_history.utils import bulk_create_with_history

from ekonomi.models import (
    Budgetpost,
    Investering,
    Investeringsprognos,
    Investeringsutgift,
    Prognos,
    Utfall,
)
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
from nämnd.models import Behörighet, Kommun, Nämnd, Period, Rapporttillfälle, Verksamhetsområde
from rapporter import forval
from rapporter.models import Layoutsektion, Rapportlayout, Textavsnitt

LÖSENORD = "hemligt-lösen-1"
ÅR = 2025


# --- organisation -----------------------------------------------------------------------------------------


class KommunFactory(DjangoModelFactory):
    class Meta:
        model = Kommun
        django_get_or_create = ("namn",)
        skip_postgeneration_save = True

    namn = factory.Sequence(lambda n: f"Testkommun {n}")
    kommunkod = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")

    @factory.post_generation
    def bedömningsskala(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        """The standard scale, as every kommun created in the app gets it (``nyckeltal.services.standardskala``)."""
        if create:
            standardskala(obj)


class NämndFactory(DjangoModelFactory):
    class Meta:
        model = Nämnd

    kommun = factory.SubFactory(KommunFactory)
    namn = "Socialnämnden"
    giltig_från = dt.date(2019, 1, 1)


class VerksamhetsområdeFactory(DjangoModelFactory):
    class Meta:
        model = Verksamhetsområde

    nämnd = factory.SubFactory(NämndFactory)
    namn = factory.Sequence(lambda n: f"Verksamhet {n}")
    typ = Verksamhetsområde.Typ.VERKSAMHET
    ordning = factory.Sequence(lambda n: n * 10)


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = Period

    kommun = factory.SubFactory(KommunFactory)
    år = ÅR
    månad = 1


@functools.cache
def _lösenordshash(hashers: tuple[str, ...]) -> str:
    """LÖSENORD hashed once per hasher setting: the default PBKDF2 costs a noticeable fraction of a second per
    user, and tests create many users."""
    return make_password(LÖSENORD)


def lösenordshash() -> str:
    """The stored form of LÖSENORD under the current PASSWORD_HASHERS (computed once per setting)."""
    return _lösenordshash(tuple(settings.PASSWORD_HASHERS))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"anvandare{n}")
    password = factory.LazyFunction(lambda: lösenordshash())


class BehörighetFactory(DjangoModelFactory):
    class Meta:
        model = Behörighet
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kommun = factory.SubFactory(KommunFactory)
    roll = Behörighet.Roll.LÄSARE

    @factory.post_generation
    def nämnder(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.nämnder.set(extracted)


def användare(
    kommun: Kommun | None, username: str | None = None, roll: str = Behörighet.Roll.LÄSARE, nämnder=(), **rättigheter
):
    """A user with a Behörighet in ``kommun`` (none when ``kommun`` is None); ``rättigheter``: får_importera,
    får_fastställa."""
    user = UserFactory(**({"username": username} if username else {}))
    if kommun is not None:
        BehörighetFactory(user=user, kommun=kommun, roll=roll, nämnder=list(nämnder), **rättigheter)
    return user


def admin(kommun: Kommun, username: str | None = None, **rättigheter):
    rättigheter = {"får_importera": True, "får_fastställa": True, **rättigheter}
    return användare(kommun, username, Behörighet.Roll.ADMIN, **rättigheter)


def controller(kommun: Kommun, username: str | None = None, nämnder=(), **rättigheter):
    rättigheter = {"får_importera": True, **rättigheter}
    return användare(kommun, username, Behörighet.Roll.CONTROLLER, nämnder=nämnder, **rättigheter)


def läsare(kommun: Kommun, username: str | None = None, **rättigheter):
    return användare(kommun, username, Behörighet.Roll.LÄSARE, **rättigheter)


# --- ekonomi ----------------------------------------------------------------------------------------------


class BudgetpostFactory(DjangoModelFactory):
    class Meta:
        model = Budgetpost

    verksamhetsområde = factory.SubFactory(VerksamhetsområdeFactory)
    år = ÅR
    slag = Budgetpost.Slag.KF_BUDGET
    belopp = Decimal(1_200_000)


class UtfallFactory(DjangoModelFactory):
    class Meta:
        model = Utfall

    verksamhetsområde = factory.SubFactory(VerksamhetsområdeFactory)
    år = ÅR
    månad = 1
    belopp = Decimal(100_000)


class PrognosFactory(DjangoModelFactory):
    class Meta:
        model = Prognos

    verksamhetsområde = factory.SubFactory(VerksamhetsområdeFactory)
    år = ÅR
    månad = 8
    belopp = Decimal(1_200_000)


class InvesteringFactory(DjangoModelFactory):
    class Meta:
        model = Investering

    nämnd = factory.SubFactory(NämndFactory)
    år = ÅR
    namn = factory.Sequence(lambda n: f"Investering {n}")
    kf_ram = Decimal(500_000)


class InvesteringsutgiftFactory(DjangoModelFactory):
    class Meta:
        model = Investeringsutgift

    investering = factory.SubFactory(InvesteringFactory)
    månad = 1
    belopp = Decimal(50_000)


class InvesteringsprognosFactory(DjangoModelFactory):
    class Meta:
        model = Investeringsprognos

    investering = factory.SubFactory(InvesteringFactory)
    månad = 8
    belopp = Decimal(400_000)


# --- nyckeltal and mål ------------------------------------------------------------------------------------


class NyckeltalsgruppFactory(DjangoModelFactory):
    class Meta:
        model = Nyckeltalsgrupp

    nämnd = factory.SubFactory(NämndFactory)
    namn = factory.Sequence(lambda n: f"Område {n}")
    ordning = factory.Sequence(lambda n: n)


class NyckeltalFactory(DjangoModelFactory):
    class Meta:
        model = Nyckeltal

    grupp = factory.SubFactory(NyckeltalsgruppFactory)
    namn = factory.Sequence(lambda n: f"Nyckeltal {n}")
    enhet = Nyckeltal.Enhet.ANTAL
    ordning = factory.Sequence(lambda n: n)


class NyckeltalsvärdeFactory(DjangoModelFactory):
    class Meta:
        model = Nyckeltalsvärde

    nyckeltal = factory.SubFactory(NyckeltalFactory)
    år = ÅR
    typ = Nyckeltalsvärde.Typ.UTFALL_HELÅR
    värde = Decimal(100)


class MålFactory(DjangoModelFactory):
    class Meta:
        model = Mål

    nämnd = factory.SubFactory(NämndFactory)
    namn = factory.Sequence(lambda n: f"Mål {n}")
    nivå = Mål.Nivå.KF
    från_år = ÅR - 1
    ordning = factory.Sequence(lambda n: n)


class UppdragFactory(DjangoModelFactory):
    class Meta:
        model = Uppdrag

    mål = factory.SubFactory(MålFactory)
    text = factory.Sequence(lambda n: f"Uppdrag {n}")
    från_år = ÅR
    till_år = ÅR
    ordning = factory.Sequence(lambda n: n)


class UppdragsstatusFactory(DjangoModelFactory):
    class Meta:
        model = Uppdragsstatus

    uppdrag = factory.SubFactory(UppdragFactory)
    år = ÅR
    rapporttyp = "delårsrapport"
    status = Uppdragsstatus.Status.PÅGÅR


class IndikatorFactory(DjangoModelFactory):
    class Meta:
        model = Indikator

    mål = factory.SubFactory(MålFactory)
    namn = factory.Sequence(lambda n: f"Indikator {n}")
    enhet = "%"
    riktning = Indikator.Riktning.ÖKA


class IndikatorvärdeFactory(DjangoModelFactory):
    class Meta:
        model = Indikatorvärde

    indikator = factory.SubFactory(IndikatorFactory)
    år = ÅR
    totalt = Decimal(50)


class MåluppfyllelseFactory(DjangoModelFactory):
    class Meta:
        model = Måluppfyllelse

    mål = factory.SubFactory(MålFactory)
    år = ÅR
    rapporttyp = "delårsrapport"
    bedömning = "delvis"


# --- rapporter --------------------------------------------------------------------------------------------


class TextavsnittFactory(DjangoModelFactory):
    class Meta:
        model = Textavsnitt

    nämnd = factory.SubFactory(NämndFactory)
    år = ÅR
    rapporttyp = "delårsrapport"
    rubrik = factory.Sequence(lambda n: f"Avsnitt {n}")
    text = "Text om perioden."


# The kinds of section a test names, as the standard preset builds them ("prognos" and "budget" are its helår and
# budget tables).
SEKTIONER = ("text", "mål", "drift", "prognos", "budget", "investeringar", "volymer")


def _förvalssektion(sektion: str, rubrik: str | None) -> dict:
    if sektion == "text":
        return {"typ": "text", "rubrik": rubrik or "Text", "parametrar": {}}
    id_ = {"drift": "drift", "prognos": "helar", "budget": "budget"}.get(sektion)
    alla = forval.sektioner(forval.STANDARD, "delårsrapport") + forval.sektioner(forval.STANDARD, "verksamhetsplan")
    s = next(s for s in alla if (s["parametrar"].get("id") == id_ if id_ else s["typ"] == sektion))
    return {**s, "rubrik": rubrik or s["rubrik"]}


def layoutsektion(
    kommun: Kommun, rapporttyp: str = "delårsrapport", sektion: str = "text", rubrik: str | None = None, ordning=None
) -> Layoutsektion:
    """Adds a section to the kommun's layout of a report type (creating the layout)."""
    layout, _ = Rapportlayout.objects.get_or_create(kommun=kommun, rapporttyp=rapporttyp, från_år=0)
    s = _förvalssektion(sektion, rubrik)
    if ordning is None:
        ordning = layout.sektioner.count()
    return Layoutsektion.objects.create(
        layout=layout, ordning=ordning, typ=s["typ"], rubrik=s["rubrik"], parametrar=s["parametrar"]
    )


def layout(
    kommun: Kommun, rapporttyp: str = "delårsrapport", sektioner=None, textrubrik: str = "Viktiga händelser"
) -> list[Layoutsektion]:
    """A layout of the given kinds (``SEKTIONER`` by default), in the order given; the text section is the
    Textavsnitt with rubrik ``textrubrik``."""
    return [
        layoutsektion(kommun, rapporttyp, s, textrubrik if s == "text" else None, i)
        for i, s in enumerate(sektioner or SEKTIONER)
    ]


# --- whole kommuner ---------------------------------------------------------------------------------------


@dataclass
class Byggd:
    """A built kommun: its nämnder and verksamhetsområden by name."""

    kommun: Kommun
    nämnder: dict[str, Nämnd] = field(default_factory=dict)
    områden: dict[str, Verksamhetsområde] = field(default_factory=dict)

    @property
    def nämnd(self) -> Nämnd:
        """The first nämnd (for builders with one)."""
        return next(iter(self.nämnder.values()))


MNKR = Decimal(1_000_000)


def _siffror(o: Verksamhetsområde, år: int, budget: Decimal, per_månad: Decimal, månader, kommentar: str = "") -> None:
    """KF- and nämndbudget ``budget``, utfall ``per_månad`` in each of ``månader``, prognoser at 4 and 8 equal to
    budget + one month's utfall (with ``kommentar``). Each row gets its "created" history record (as the demo
    loader and the imports give), without a user and with the reason "Testdata"."""
    for model, objekt in (
        (
            Budgetpost,
            [
                Budgetpost(verksamhetsområde=o, år=år, slag=Budgetpost.Slag.KF_BUDGET, belopp=budget),
                Budgetpost(verksamhetsområde=o, år=år, slag=Budgetpost.Slag.NÄMNDBUDGET, belopp=budget),
            ],
        ),
        (Utfall, [Utfall(verksamhetsområde=o, år=år, månad=m, belopp=per_månad) for m in månader]),
        (
            Prognos,
            [
                Prognos(verksamhetsområde=o, år=år, månad=m, belopp=budget + per_månad, kommentar=kommentar)
                for m in (4, 8)
            ],
        ),
    ):
        bulk_create_with_history(objekt, model, default_change_reason="Testdata")


def annan_form_kommun(år: int = ÅR, namn: str = "Ekeby kommun", delårsmånad: int | None = None) -> Byggd:
    """A kommun of another shape than the demo: mnkr, costs shown negative, two nämnder at any time; with
    ``delårsmånad`` its delår ends in that month (e.g. 6: per 30 June) instead of August.

    - **Omsorgsnämnden** (whole year, no blocks): verksamheter Hemtjänst and Särskilt boende, each a leaf.
      Hemtjänst: budget 24 mnkr, utfall 2 mnkr a month (months 1–12). Särskilt boende: budget 36 mnkr, utfall
      3,5 mnkr a month — over budget by 6 mnkr for the year. Prognoser (months 4 and 8) = budget + one month.
      One tillägg of 1,2 mnkr on Hemtjänst ("Lönekompensation"). Investering "Larm" (kf_ram 2 mnkr, utgift
      0,5 mnkr in month 3, prognos 1,8 mnkr at month 8).
    - **Social- och arbetsmarknadsnämnden** until 30 June, split on 1 July into **Socialnämnden** (the third
      level is here) and the Omsorgsnämnden stays. The old nämnd: verksamhet Ekonomiskt bistånd, budget
      12 mnkr, utfall 1 mnkr a month in months 1–6. Socialnämnden (föregångare: the old nämnd):
      block Individ- och familjeomsorg → verksamhet Barn och unga → enheter Familjehem (budget 6 mnkr,
      utfall 0,5 mnkr a month in 7–12) and HVB (budget 12 mnkr, utfall 1,5 mnkr a month in 7–12); and
      verksamhet Ekonomiskt bistånd (no block; budget 6 mnkr, utfall 1 mnkr a month in 7–12).
    - Volymer: group "Hemtjänst" with nyckeltal "Beviljade timmar" (utfall_helår år-1 = 1000, mål år = 1100).
    - Mål "Trygg omsorg" (KF, Omsorgsnämnden) with uppdrag, indikator (minst 90 %, value 88 år-1, 91 år) and
      a bedömning delvis for the delårsrapport; one Textavsnitt "Viktiga händelser" per nämnd.
    """
    kommun = KommunFactory(namn=namn, kommunkod="9901", beloppsenhet=Kommun.Beloppsenhet.MNKR, kostnader_negativa=True)
    if delårsmånad is not None:
        Rapporttillfälle.objects.create(kommun=kommun, rapporttyp="delårsrapport", slutmånad=delårsmånad)
    b = Byggd(kommun)
    hela = range(1, 13)
    vår, höst = range(1, 7), range(7, 13)

    omsorg = b.nämnder["Omsorgsnämnden"] = NämndFactory(kommun=kommun, namn="Omsorgsnämnden")
    for i, (vnamn, budget, per_månad) in enumerate(
        (("Hemtjänst", 24 * MNKR, 2 * MNKR), ("Särskilt boende", 36 * MNKR, Decimal("3.5") * MNKR))
    ):
        o = b.områden[vnamn] = VerksamhetsområdeFactory(nämnd=omsorg, namn=vnamn, ordning=(i + 1) * 10)
        _siffror(o, år, budget, per_månad, hela)
    BudgetpostFactory(
        verksamhetsområde=b.områden["Hemtjänst"],
        år=år,
        slag=Budgetpost.Slag.TILLÄGG,
        belopp=Decimal("1.2") * MNKR,
        kommentar="Lönekompensation",
    )
    larm = InvesteringFactory(nämnd=omsorg, år=år, namn="Larm", kf_ram=2 * MNKR)
    InvesteringsutgiftFactory(investering=larm, månad=3, belopp=Decimal("0.5") * MNKR)
    InvesteringsprognosFactory(investering=larm, månad=8, belopp=Decimal("1.8") * MNKR)

    gamla = b.nämnder["Social- och arbetsmarknadsnämnden"] = NämndFactory(
        kommun=kommun,
        namn="Social- och arbetsmarknadsnämnden",
        giltig_från=dt.date(2019, 1, 1),
        giltig_till=dt.date(år, 6, 30),
    )
    o = b.områden["Ekonomiskt bistånd (före delning)"] = VerksamhetsområdeFactory(
        nämnd=gamla, namn="Ekonomiskt bistånd", ordning=10
    )
    _siffror(o, år, 12 * MNKR, 1 * MNKR, vår)

    social = b.nämnder["Socialnämnden"] = NämndFactory(
        kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(år, 7, 1)
    )
    social.föregångare.add(gamla)
    ifo = b.områden["Individ- och familjeomsorg"] = VerksamhetsområdeFactory(
        nämnd=social, namn="Individ- och familjeomsorg", typ=Verksamhetsområde.Typ.BLOCK, ordning=10
    )
    barn = b.områden["Barn och unga"] = VerksamhetsområdeFactory(
        nämnd=social, förälder=ifo, namn="Barn och unga", ordning=20
    )
    for i, (enamn, budget, per_månad) in enumerate(
        (("Familjehem", 6 * MNKR, Decimal("0.5") * MNKR), ("HVB", 12 * MNKR, Decimal("1.5") * MNKR))
    ):
        o = b.områden[enamn] = VerksamhetsområdeFactory(
            nämnd=social, förälder=barn, namn=enamn, typ=Verksamhetsområde.Typ.ENHET, ordning=30 + i * 10
        )
        _siffror(o, år, budget, per_månad, höst)
    o = b.områden["Ekonomiskt bistånd"] = VerksamhetsområdeFactory(nämnd=social, namn="Ekonomiskt bistånd", ordning=50)
    _siffror(o, år, 6 * MNKR, 1 * MNKR, höst)

    grupp = NyckeltalsgruppFactory(nämnd=omsorg, namn="Hemtjänst", ordning=0)
    timmar = NyckeltalFactory(grupp=grupp, namn="Beviljade timmar", enhet=Nyckeltal.Enhet.TIMMAR, ordning=0)
    NyckeltalsvärdeFactory(nyckeltal=timmar, år=år - 1, typ=Nyckeltalsvärde.Typ.UTFALL_HELÅR, värde=1000)
    NyckeltalsvärdeFactory(nyckeltal=timmar, år=år, typ=Nyckeltalsvärde.Typ.MÅL, värde=1100)
    mål = MålFactory(nämnd=omsorg, namn="Trygg omsorg", från_år=år - 1, till_år=år + 2)
    uppdrag = UppdragFactory(mål=mål, text="Införa digital tillsyn", från_år=år, till_år=år)
    UppdragsstatusFactory(uppdrag=uppdrag, år=år, rapporttyp="delårsrapport", status=Uppdragsstatus.Status.PÅGÅR)
    indikator = IndikatorFactory(mål=mål, namn="Nöjdhet hemtjänst", jämförelse=Indikator.Jämförelse.MINST, målvärde=90)
    IndikatorvärdeFactory(indikator=indikator, år=år - 1, totalt=88)
    IndikatorvärdeFactory(indikator=indikator, år=år, totalt=91)
    MåluppfyllelseFactory(
        mål=mål,
        år=år,
        rapporttyp="delårsrapport",
        bedömning="delvis",
        kommentar="Nöjdheten ökar men målet nås inte under våren.",
    )
    for n in (omsorg, social):
        TextavsnittFactory(
            nämnd=n, år=år, rapporttyp="delårsrapport", rubrik="Viktiga händelser", text=f"Händelser i {n.namn}."
        )
    layout(kommun, "delårsrapport")
    return b


def liten_kommun(år: int = ÅR, namn: str = "Lillby kommun", nämnd: str = "Socialnämnden") -> Byggd:
    """The demo's shape, small: tkr, costs positive, one nämnd with block Vård och omsorg → verksamheter
    Hemtjänst (KF-budget 1 200 000 kr, utfall 100 000 kr a month in months 1–8) and Boende (KF-budget
    2 400 000 kr, utfall 250 000 kr a month in months 1–8: 2 000 000 kr, i.e. 400 000 kr over the
    riktpunkt 8/12 of budget), and verksamhet Bistånd outside the block (KF-budget 600 000 kr, utfall
    50 000 kr a month in months 1–8). Nämndbudget = KF-budget; prognoser at months 4 and 8 = budget + one month's
    utfall, each with a comment (so every deviation over the default limits is commented and months can be
    closed). The previous year: utfall of the same amounts in all 12 months."""
    kommun = KommunFactory(namn=namn, kommunkod="9902")
    b = Byggd(kommun)
    n = b.nämnder[nämnd] = NämndFactory(kommun=kommun, namn=nämnd)
    block = b.områden["Vård och omsorg"] = VerksamhetsområdeFactory(
        nämnd=n, namn="Vård och omsorg", typ=Verksamhetsområde.Typ.BLOCK, ordning=10
    )
    for i, (vnamn, budget, per_månad, förälder) in enumerate(
        (
            ("Hemtjänst", Decimal(1_200_000), Decimal(100_000), block),
            ("Boende", Decimal(2_400_000), Decimal(250_000), block),
            ("Bistånd", Decimal(600_000), Decimal(50_000), None),
        )
    ):
        o = b.områden[vnamn] = VerksamhetsområdeFactory(nämnd=n, förälder=förälder, namn=vnamn, ordning=20 + i * 10)
        _siffror(o, år, budget, per_månad, range(1, 9), kommentar=f"{vnamn}: fler brukare än budgeterat.")
        bulk_create_with_history(
            [Utfall(verksamhetsområde=o, år=år - 1, månad=m, belopp=per_månad) for m in range(1, 13)],
            Utfall,
            default_change_reason="Testdata",
        )
    return b


def syntetisk_nämnd(kommun: Kommun, antal_block: int, per_block: int, namn: str | None = None) -> Nämnd:
    """A generated nämnd for benchmarks and size tests: blocks × verksamheter with budget, 20 months of
    utfall, two prognoser, one nyckeltal and one indikator per verksamhet."""
    nämnd = Nämnd.objects.create(kommun=kommun, namn=namn or f"Syntetisk nämnd {antal_block}×{per_block}")
    områden = []
    for b in range(antal_block):
        block = Verksamhetsområde.objects.create(nämnd=nämnd, namn=f"Block {b + 1}", typ="block", ordning=b * 1000)
        områden += [
            Verksamhetsområde(nämnd=nämnd, förälder=block, namn=f"Verksamhet {b + 1}.{v + 1}", ordning=b * 1000 + v + 1)
            for v in range(per_block)
        ]
    områden = Verksamhetsområde.objects.bulk_create(områden)
    budget, utfall, prognoser = [], [], []
    for i, o in enumerate(områden):
        bas = Decimal(1_200_000 + 10_000 * i)
        budget += [
            Budgetpost(verksamhetsområde=o, år=2023, slag="kf", belopp=bas),
            Budgetpost(verksamhetsområde=o, år=2023, slag="tillägg", belopp=Decimal(12_000), kommentar="Lön"),
        ]
        utfall += [
            Utfall(verksamhetsområde=o, år=år, månad=m, belopp=bas / 12 + m)
            for år, månader in ((2022, range(1, 13)), (2023, range(1, 9)))
            for m in månader
        ]
        prognoser += [Prognos(verksamhetsområde=o, år=2023, månad=m, belopp=bas + m * 1000) for m in (4, 8)]
    Budgetpost.objects.bulk_create(budget)
    Utfall.objects.bulk_create(utfall)
    Prognos.objects.bulk_create(prognoser)
    grupp = Nyckeltalsgrupp.objects.create(nämnd=nämnd, namn="Volymer")
    mål = Mål.objects.create(nämnd=nämnd, namn="Vård med kvalitet", från_år=2023)
    nyckeltal = Nyckeltal.objects.bulk_create(
        Nyckeltal(grupp=grupp, namn=f"Nyckeltal {i + 1}", ordning=i) for i in range(len(områden))
    )
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=n, år=år, typ="utfall_helår", värde=100 + i)
        for i, n in enumerate(nyckeltal)
        for år in range(2019, 2023)
    )
    indikatorer = Indikator.objects.bulk_create(
        Indikator(mål=mål, namn=f"Indikator {i + 1}", ordning=i, jämförelse="minst", målvärde=50)
        for i in range(len(områden))
    )
    Indikatorvärde.objects.bulk_create(
        Indikatorvärde(indikator=ind, år=år, totalt=40 + i % 20, kvinnor=41, män=39)
        for i, ind in enumerate(indikatorer)
        for år in range(2020, 2024)
    )
    return nämnd
