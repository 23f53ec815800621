"""Reads for volymer, nyckeltal, mål, uppdrag and indikatorer; a fixed number of queries, scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from grund import manader
from nämnd.models import Nämnd, Rapporttyp

from .bedomning import Indikatorrad, Indikatorvärden
from .models import Indikator, Indikatorvärde, Mål, Måluppfyllelse, Nyckeltal, Nyckeltalsvärde, Uppdrag, Uppdragsstatus

HISTORIK_ÅR = 4


@dataclass(frozen=True)
class Volymkolumn:
    rubrik: str
    typ: str
    år: int


@dataclass
class Volymrad:
    id: int
    namn: str
    enhet: str
    är_delserie: bool
    värden: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def celler(self, kolumner: Sequence[Volymkolumn]) -> list[Decimal | None]:
        return [self.värden.get((k.typ, k.år)) for k in kolumner]


@dataclass
class Volymgrupp:
    namn: str
    rader: list[Volymrad] = field(default_factory=list)


def volymkolumner(år: int, rapporttyp: str) -> list[Volymkolumn]:
    """Columns of the volymer table: earlier years' utfall, then what the report type shows for ``år``."""
    kolumner = [Volymkolumn(f"Utfall {å}", "utfall_helår", å) for å in range(år - HISTORIK_ÅR, år)]
    if rapporttyp == Rapporttyp.VERKSAMHETSPLAN:
        return kolumner[1:] + [Volymkolumn(f"Plan {år}", "mål", år)]
    if rapporttyp == Rapporttyp.VERKSAMHETSBERÄTTELSE:
        return kolumner + [Volymkolumn(f"Mål {år}", "mål", år), Volymkolumn(f"Utfall {år}", "utfall_helår", år)]
    månad = Rapporttyp(rapporttyp).slutmånad
    return kolumner + [
        Volymkolumn(f"Mål {år}", "mål", år),
        Volymkolumn(f"Utfall jan–{MÅNADSNAMN[månad - 1]} {år}", "utfall_delår", år),
        Volymkolumn(f"Prognos {år}", "prognos", år),
    ]


MÅNADSNAMN = list(manader.KORTA)


def volymer(user, nämnder: Sequence[Nämnd], år: int) -> list[Volymgrupp]:
    """Nyckeltal grouped by område with their yearly values for the report's years. Two queries."""
    nyckeltal = list(
        Nyckeltal.objects.for_user(user).filter(grupp__nämnd__in=nämnder)
        .select_related("grupp").order_by("grupp__ordning", "grupp__namn", "ordning", "id")
    )
    värden: dict[int, dict[tuple[str, int], Decimal]] = defaultdict(dict)
    for v in Nyckeltalsvärde.objects.filter(
        nyckeltal__in=nyckeltal, år__gte=år - HISTORIK_ÅR, år__lte=år, månad__isnull=True
    ).values_list("nyckeltal_id", "typ", "år", "värde"):
        värden[v[0]][(v[1], v[2])] = v[3]
    grupper: dict[str, Volymgrupp] = {}
    for nt in nyckeltal:
        grupp = grupper.setdefault(nt.grupp.namn, Volymgrupp(nt.grupp.namn))
        grupp.rader.append(Volymrad(nt.id, nt.namn, nt.enhet, nt.förälder_id is not None, värden[nt.id]))
    return list(grupper.values())


@dataclass
class Uppdragsrad:
    text: str
    tidsperiod: str
    nivå: str
    status: str = ""


@dataclass
class Målblock:
    namn: str
    nivå: str
    punkter: list[str]
    bedömning: str = ""  # Måluppfyllelse.Bedömning value, "" when not assessed
    bedömning_text: str = ""
    kommentar: str = ""
    uppdrag: list[Uppdragsrad] = field(default_factory=list)
    indikatorer: list[Indikatorrad] = field(default_factory=list)
    nämndmål: list[Målblock] = field(default_factory=list)


def alla_mål(mål: list[Målblock]):
    """Every mål of the tree, each KF-mål followed by its nämndmål."""
    for m in mål:
        yield m
        yield from alla_mål(m.nämndmål)


def mål(user, nämnder: Sequence[Nämnd], år: int, rapporttyp: str) -> list[Målblock]:
    """KF-mål with their nämndmål, bedömning, uppdrag and indikatorer for the report. Six queries."""
    qs = (
        Mål.objects.for_user(user)
        .filter(nämnd__in=nämnder, från_år__lte=år)
        .exclude(till_år__lt=år)
        .order_by("ordning", "id")
        .prefetch_related(
            Prefetch("bedömningar", queryset=Måluppfyllelse.objects.filter(år=år, rapporttyp=rapporttyp)),
            Prefetch(
                "uppdrag",
                queryset=Uppdrag.objects.filter(från_år__lte=år, till_år__gte=år).prefetch_related(
                    Prefetch("statusar", queryset=Uppdragsstatus.objects.filter(år=år, rapporttyp=rapporttyp))
                ),
            ),
            Prefetch(
                "indikatorer",
                queryset=Indikator.objects.prefetch_related(
                    Prefetch("värden", queryset=Indikatorvärde.objects.filter(år__gte=år - HISTORIK_ÅR, år__lte=år))
                ),
            ),
        )
    )
    block: dict[int, Målblock] = {}
    föräldrar: list[tuple[int | None, Målblock]] = []
    for m in qs:
        bedömning = next(iter(m.bedömningar.all()), None)
        b = block[m.id] = Målblock(
            namn=m.namn, nivå=m.get_nivå_display(), punkter=m.punkter,
            bedömning=bedömning.bedömning if bedömning else "",
            bedömning_text=bedömning.get_bedömning_display() if bedömning else "",
            kommentar=bedömning.kommentar if bedömning else "",
            uppdrag=[
                Uppdragsrad(u.text, u.tidsperiod, u.nivå, next((s.get_status_display() for s in u.statusar.all()), ""))
                for u in m.uppdrag.all()
            ],
            indikatorer=[indikatorrad(i, år) for i in m.indikatorer.all()],
        )
        föräldrar.append((m.förälder_id, b))
    toppnivå: list[Målblock] = []
    for förälder_id, b in föräldrar:
        (block[förälder_id].nämndmål if förälder_id in block else toppnivå).append(b)
    return toppnivå


def indikatorrad(i: Indikator, år: int) -> Indikatorrad:
    värden = sorted(i.värden.all(), key=lambda v: v.år)
    prognos = next((v.totalt for v in värden if v.typ == Indikatorvärde.Typ.PROGNOS and v.år == år), None)
    return Indikatorrad(
        namn=i.namn, kolada_id=i.kolada_id, enhet=i.enhet, riktning=i.riktning, jämförelse=i.jämförelse,
        målvärde=i.målvärde, år=år, prognos=prognos,
        värden=tuple(
            Indikatorvärden(v.år, v.totalt, v.kvinnor, v.män, v.källa) for v in värden
            if v.typ == Indikatorvärde.Typ.UTFALL
        ),
    )
