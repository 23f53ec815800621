"""Reads for volymer, nyckeltal, mål, uppdrag and indikatorer; a fixed number of queries, scoped to the user."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from grund import manader
from nämnd.models import Nämnd, Rapporttyp

from . import forms
from .bedomning import STANDARDSKALA, Bedömningsnivå, Bedömningsskala, Indikatorrad, Indikatorvärden, föreslå_nivå
from .models import (
    Indikator,
    Indikatorkommentar,
    Indikatorvärde,
    Mål,
    Måluppfyllelse,
    Nyckeltal,
    Nyckeltalsvärde,
    Uppdrag,
    Uppdragsstatus,
    bedömningsskalor,
)

HISTORIK_ÅR = 4
INMATNING_HISTORIKÅR = 3  # earlier years shown (read-only) beside an indikator's values on its entry page


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
    värden: dict[tuple[str, int], Decimal | None] = field(default_factory=dict)

    def celler(self, kolumner: Sequence[Volymkolumn]) -> list[Decimal | None]:
        return [self.värden.get((k.typ, k.år)) for k in kolumner]


@dataclass
class Volymgrupp:
    namn: str
    rader: list[Volymrad] = field(default_factory=list)


def volymkolumner(år: int, rapporttyp: str, månad: int | None = None) -> list[Volymkolumn]:
    """Columns of the volymer table: earlier years' utfall, then what the report type shows for ``år`` (``månad``:
    the report's last month, when the kommun's differs from the standard)."""
    kolumner = [Volymkolumn(f"Utfall {å}", "utfall_helår", å) for å in range(år - HISTORIK_ÅR, år)]
    if rapporttyp == Rapporttyp.VERKSAMHETSPLAN:
        return kolumner[1:] + [Volymkolumn(f"Plan {år}", "mål", år)]
    if rapporttyp == Rapporttyp.VERKSAMHETSBERÄTTELSE:
        return kolumner + [Volymkolumn(f"Mål {år}", "mål", år), Volymkolumn(f"Utfall {år}", "utfall_helår", år)]
    månad = månad or Rapporttyp(rapporttyp).slutmånad or 12
    return kolumner + [
        Volymkolumn(f"Mål {år}", "mål", år),
        Volymkolumn(f"Utfall {manader.spann(månad)} {år}", "utfall_delår", år),
        Volymkolumn(f"Prognos {år}", "prognos", år),
    ]


MÅNADSNAMN = list(manader.KORTA)


def volymer(user, nämnder: Sequence[Nämnd], år: int) -> list[Volymgrupp]:
    """Nyckeltal grouped by område with their yearly values for the report's years. Two queries."""
    return nyckeltalsdata(user, nämnder, år, 12).grupper


@dataclass(frozen=True)
class Nyckeltalsdata:
    grupper: list[Volymgrupp]
    volym_per_område: dict[int, Decimal]  # for a report's volume columns (``_volym_per_område``)


def nyckeltalsdata(user, nämnder: Sequence[Nämnd], år: int, t_o_m: int) -> Nyckeltalsdata:
    """The nyckeltal of ``nämnder`` (of one kommun) grouped by område with their yearly values for the report's
    years, and the volume of each linked verksamhetsområde for months 1..``t_o_m``. Two queries."""
    if not nämnder:
        return Nyckeltalsdata([], {})
    läst = nyckeltalsläsning(user, nämnder[0].kommun_id, år)
    return nyckeltalsdata_ur(läst, {n.id for n in nämnder}, t_o_m)


def _volym_per_område(nyckeltal, värden, månadsvärden, år: int, t_o_m: int) -> dict[int, Decimal]:
    """The volume of each verksamhetsområde for the report's period (its linked nyckeltal, for snittkostnad and
    volym × peng): the sum of monthly utfall 1..``t_o_m`` where months are entered, else the delår utfall (before
    December) or the helår utfall (December) (docs/beslut.md, "Rapportlayouter")."""
    slut = Nyckeltalsvärde.Typ.UTFALL_HELÅR if t_o_m >= 12 else Nyckeltalsvärde.Typ.UTFALL_DELÅR
    result: dict[int, Decimal] = {}
    for nt in nyckeltal:
        if nt.verksamhetsområde_id is None or nt.förälder_id is not None:
            continue
        månader = [v for m, v in månadsvärden[nt.id].items() if m <= t_o_m]
        v = sum(månader, Decimal(0)) if månader else värden[nt.id].get((slut, år))
        if v is not None:
            result[nt.verksamhetsområde_id] = result.get(nt.verksamhetsområde_id, Decimal(0)) + v
    return result


@dataclass
class Uppdragsrad:
    text: str
    tidsperiod: str
    nivå: str
    status: str = ""
    kommentar: str = ""


@dataclass
class Målblock:
    namn: str
    nivå: str
    punkter: list[str]
    bedömning: str = ""  # the stored kod (a level of the kommun's scale, or not), "" when not assessed
    bedömning_text: str = ""  # the kommun's word for it; "" when not assessed or not on the scale
    kommentar: str = ""
    uppdrag: list[Uppdragsrad] = field(default_factory=list)
    indikatorer: list[Indikatorrad] = field(default_factory=list)
    nämndmål: list[Målblock] = field(default_factory=list)
    bedömningsnivå: Bedömningsnivå | None = None  # the level of ``bedömning`` on the scale, None if not on it
    skala: Bedömningsskala = STANDARDSKALA  # the kommun's bedömning scale
    id: int | None = None  # the Mål

    @property
    def kommenterade_indikatorer(self) -> list[Indikatorrad]:
        return [i for i in self.indikatorer if i.kommentar]

    @property
    def förslag(self) -> Bedömningsnivå | None:
        """What the indicators suggest on the scale (``bedomning.föreslå_nivå``)."""
        return föreslå_nivå((i.bedömning for i in self.indikatorer), self.skala)


def bedömningsskala(nämnd: Nämnd) -> Bedömningsskala:
    """The scale of the nämnd's kommun, best level first. One query."""
    return bedömningsskalor({nämnd.kommun_id})[nämnd.kommun_id]


def alla_mål(mål: list[Målblock]):
    """Every mål of the tree, each KF-mål followed by its nämndmål."""
    for m in mål:
        yield m
        yield from alla_mål(m.nämndmål)


def bedömning_och_uppdrag(år: int, rapporttyp: str) -> list[Prefetch]:
    """A mål's bedömning in one report, its uppdrag valid in ``år`` with their status in that report and its
    indikatorer with their comment in that report (``kommentar``: the Indikatorkommentar or None)."""
    return [
        Prefetch("bedömningar", queryset=Måluppfyllelse.objects.filter(år=år, rapporttyp=rapporttyp)),
        Prefetch(
            "uppdrag",
            queryset=Uppdrag.objects.filter(från_år__lte=år, till_år__gte=år).prefetch_related(
                Prefetch("statusar", queryset=Uppdragsstatus.objects.filter(år=år, rapporttyp=rapporttyp))
            ),
        ),
        Prefetch("indikatorer", queryset=med_kommentar(Indikator.objects.all(), år, rapporttyp)),
    ]


def med_kommentar(indikatorer: QuerySet, år: int, rapporttyp: str) -> QuerySet:
    """Indikatorer annotated, in the same query, with their comment in one report and its version."""
    k = Indikatorkommentar.objects.filter(indikator=OuterRef("pk"), år=år, rapporttyp=rapporttyp)
    return indikatorer.annotate(
        årets_kommentar=Subquery(k.values("kommentar")[:1]), kommentarversion=Subquery(k.values("version")[:1])
    )


def mål(user, nämnder: Sequence[Nämnd], år: int, rapporttyp: str) -> list[Målblock]:
    """KF-mål with their nämndmål, bedömning (on the kommun's scale), uppdrag and indikatorer for the report.
    Five queries: the scale, the mål with their bedömning (subqueries), the uppdrag with their status (a subquery),
    the indikatorer and their values."""
    kommun_för = {n.id: n.kommun_id for n in nämnder}
    skalor = bedömningsskalor(set(kommun_för.values())) if nämnder else {}
    bedömning = Måluppfyllelse.objects.filter(mål=OuterRef("pk"), år=år, rapporttyp=rapporttyp)
    status = Uppdragsstatus.objects.filter(uppdrag=OuterRef("pk"), år=år, rapporttyp=rapporttyp)
    qs = (
        Mål.objects.for_user(user)
        .filter(nämnd__in=nämnder, från_år__lte=år)
        .exclude(till_år__lt=år)
        .order_by("ordning", "id")
        .annotate(
            årets_bedömning=Subquery(bedömning.values("bedömning")[:1]),
            årets_kommentar=Subquery(bedömning.values("kommentar")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "uppdrag",
                queryset=Uppdrag.objects.filter(från_år__lte=år, till_år__gte=år).annotate(
                    årets_status=Subquery(status.values("status")[:1]),
                    årets_kommentar=Subquery(status.values("kommentar")[:1]),
                ),
            ),
            Prefetch(
                "indikatorer",
                queryset=med_kommentar(Indikator.objects.all(), år, rapporttyp).prefetch_related(
                    Prefetch("värden", queryset=Indikatorvärde.objects.filter(år__gte=år - HISTORIK_ÅR, år__lte=år))
                ),
            ),
        )
    )
    block: dict[int, Målblock] = {}
    föräldrar: list[tuple[int | None, Målblock]] = []
    for m in qs:
        skala = skalor.get(kommun_för.get(m.nämnd_id, -1), STANDARDSKALA)
        nivå = skala.nivå(m.årets_bedömning) if m.årets_bedömning else None
        b = block[m.id] = Målblock(
            namn=m.namn,
            nivå=m.get_nivå_display(),
            punkter=m.punkter,
            bedömning=m.årets_bedömning or "",
            bedömning_text=nivå.text if nivå else "",
            kommentar=m.årets_kommentar or "",
            uppdrag=[
                Uppdragsrad(
                    u.text,
                    u.tidsperiod,
                    u.nivå,
                    Uppdragsstatus.Status(u.årets_status).label if u.årets_status else "",
                    u.årets_kommentar or "",
                )
                for u in m.uppdrag.all()
            ],
            indikatorer=[
                dataclasses.replace(indikatorrad(i, år, skala), kommentar=i.årets_kommentar or "")
                for i in m.indikatorer.all()
            ],
            bedömningsnivå=nivå,
            skala=skala,
            id=m.id,
        )
        föräldrar.append((m.förälder_id, b))
    toppnivå: list[Målblock] = []
    for förälder_id, b in föräldrar:
        (block[förälder_id].nämndmål if förälder_id in block else toppnivå).append(b)
    return toppnivå


def indikatorrad(i: Indikator, år: int, skala: Bedömningsskala = STANDARDSKALA) -> Indikatorrad:
    värden = sorted(i.värden.all(), key=lambda v: v.år)
    prognos = next((v.totalt for v in värden if v.typ == Indikatorvärde.Typ.PROGNOS and v.år == år), None)
    return Indikatorrad(
        namn=i.namn,
        kolada_id=i.kolada_id,
        enhet=i.enhet,
        riktning=i.riktning,
        jämförelse=i.jämförelse,
        målvärde=i.målvärde,
        år=år,
        prognos=prognos,
        skala=skala,
        värden=tuple(
            Indikatorvärden(v.år, v.totalt, v.kvinnor, v.män, v.källa)
            for v in värden
            if v.typ == Indikatorvärde.Typ.UTFALL
        ),
    )


# --- entry pages (nyckeltal/views.py) -----------------------------------------------------------


def volymrader(nämnd: Nämnd, år: int) -> list[forms.Volymrad]:
    """The nämnd's nyckeltal by område, each delserie ("varav …") right under its parent, with the year's
    values (and utfall helår of the year before). Two queries."""
    alla = list(
        Nyckeltal.objects.filter(grupp__nämnd=nämnd)
        .select_related("grupp")
        .order_by("grupp__ordning", "grupp__namn", "grupp_id", "ordning", "namn", "id")
    )
    värden: dict[int, dict] = defaultdict(dict)
    for nt, å, typ, månad, v, version in Nyckeltalsvärde.objects.filter(
        Q(år=år) | Q(år=år - 1, typ=Nyckeltalsvärde.Typ.UTFALL_HELÅR),
        nyckeltal__in=[n.id for n in alla],
    ).values_list("nyckeltal_id", "år", "typ", "månad", "värde", "version"):
        värden[nt][(typ, månad) if å == år else "fg"] = (version, v)

    ids = {n.id for n in alla}
    barn: dict[int, list[Nyckeltal]] = defaultdict(list)
    for n in alla:
        if n.förälder_id in ids:
            barn[n.förälder_id].append(n)
    ordnade: list[tuple[Nyckeltal, bool]] = []
    sedda: set[int] = set()

    def lägg(n: Nyckeltal, delserie: bool) -> None:
        if n.id in sedda:
            return
        sedda.add(n.id)
        ordnade.append((n, delserie))
        for b in barn[n.id]:
            lägg(b, True)

    for n in alla:
        if n.förälder_id not in ids:
            lägg(n, False)
    for n in alla:  # a cycle of förälder links: show the rows anyway
        lägg(n, n.förälder_id is not None)
    return [
        forms.Volymrad(
            id=n.id,
            namn=n.namn,
            enhet=n.enhet,
            grupp=n.grupp.namn,
            delserie=delserie,
            får_vara_negativ=n.får_vara_negativ,
            värden={k: v for k, v in värden[n.id].items() if k != "fg"},
            kontext=värden[n.id].get("fg", (None, None))[1],
        )
        for n, delserie in ordnade
    ]


def giltiga_mål(nämnd: Nämnd, år: int):
    return Mål.objects.filter(nämnd=nämnd, från_år__lte=år).exclude(till_år__lt=år)


def i_målordning(mål: list[Mål]) -> list[tuple[Mål, Mål | None]]:
    """KF-mål each followed by its nämndmål (a nämndmål whose KF-mål isn't the nämnd's stands alone)."""
    ids = {m.id for m in mål}
    under: dict[int, list[Mål]] = defaultdict(list)
    for m in mål:
        if m.förälder_id in ids:
            under[m.förälder_id].append(m)
    result: list[tuple[Mål, Mål | None]] = []
    for m in mål:
        if m.förälder_id not in ids:
            result.append((m, None))
            result += [(n, m) for n in under[m.id]]
    return result


def indikatorgrupper(nämnd: Nämnd, år: int) -> list[forms.Målgrupp]:
    """Indikatorer per mål valid in ``år`` with the year's utfall and prognos and the earlier years'
    utfall. Three queries."""
    mål = list(giltiga_mål(nämnd, år).order_by("ordning", "id"))
    indikatorer: dict[int, list[Indikator]] = defaultdict(list)
    alla = list(Indikator.objects.filter(mål__in=[m.id for m in mål]).order_by("ordning", "id"))
    for i in alla:
        indikatorer[i.mål_id].append(i)
    utfall, prognos = {}, {}
    for v in Indikatorvärde.objects.filter(
        indikator__in=[i.id for i in alla], år__gte=år - INMATNING_HISTORIKÅR, år__lte=år
    ):
        if v.typ == Indikatorvärde.Typ.PROGNOS:
            if v.år == år:
                prognos[v.indikator_id] = (v.version, v.totalt)
        else:
            utfall[(v.indikator_id, v.år)] = v
    grupper = []
    for m, _ in i_målordning(mål):
        rader = []
        for i in indikatorer[m.id]:
            u = utfall.get((i.id, år))
            rader.append(
                forms.Indikatorrad(
                    id=i.id,
                    namn=i.namn,
                    kolada_id=i.kolada_id,
                    enhet=i.enhet,
                    utfall=(u.version, u.totalt, u.kvinnor, u.män) if u else None,
                    prognos=prognos.get(i.id),
                    historik=[
                        Indikatorvärden(å, h.totalt, h.kvinnor, h.män, h.källa)
                        if (h := utfall.get((i.id, å)))
                        else None
                        for å in range(år - INMATNING_HISTORIKÅR, år)
                    ],
                )
            )
        if rader:
            grupper.append(forms.Målgrupp(m.namn, m.get_nivå_display(), rader))
    return grupper


def målrader(nämnd: Nämnd, år: int, rapporttyp: str) -> list[forms.Målrad]:
    """Mål valid in ``år`` (KF-mål, then their nämndmål) with the report's bedömning, their uppdrag
    valid in ``år`` with the report's status and their indikatorer with the report's comment. Five queries."""
    mål = list(
        giltiga_mål(nämnd, år)
        .order_by("ordning", "id")
        .prefetch_related(
            *bedömning_och_uppdrag(år, rapporttyp),
        )
    )
    rader = []
    for m, förälder in i_målordning(mål):
        b = next(iter(m.bedömningar.all()), None)
        rader.append(
            forms.Målrad(
                id=m.id,
                namn=m.namn,
                nivå=m.get_nivå_display(),
                nämndmål=förälder is not None,
                förälder=förälder.namn if förälder else "",
                sparad=(b.version, b.bedömning, b.kommentar) if b else None,
                uppdrag=[
                    forms.Uppdragsrad(
                        id=u.id,
                        text=u.text,
                        tidsperiod=u.tidsperiod,
                        nivå=u.nivå,
                        sparad=(s.version, s.status, s.kommentar)
                        if (s := next(iter(u.statusar.all()), None))
                        else None,
                    )
                    for u in m.uppdrag.all()
                ],
                indikatorer=[
                    forms.Indikatorkommentarrad(
                        id=i.id,
                        namn=i.namn,
                        sparad=(i.kommentarversion, i.årets_kommentar)  # type: ignore[attr-defined]
                        if i.kommentarversion  # type: ignore[attr-defined]
                        else None,
                    )
                    for i in m.indikatorer.all()
                ],
            )
        )
    return rader


@dataclass(frozen=True)
class Nyckeltalsserie:
    """A nyckeltal's values of ``år`` − 1 and ``år``: months (utfall per månad) and the year's own values."""

    id: int
    namn: str
    enhet: str
    månader: dict[tuple[int, int], Decimal]  # (år, månad) → utfall of the month
    år: dict[tuple[str, int], Decimal]  # (typ, år) → value (utfall_helår, utfall_delår, ...)


# --- monthly series (rapporter/sektioner/manadsserie.py) ------------------------------------------------------


@dataclass
class Månadsserie:
    """A nyckeltal's monthly utfall for two years, with its varav rows; ``kostnad``: the nettokostnad per month of
    its linked verksamhetsområde (its own utfall, as the tables' snittkostnad), when asked for."""

    id: int
    namn: str
    enhet: str
    grupp: str
    är_delserie: bool
    verksamhetsområde_id: int | None
    värden: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (år, månad) → value
    kostnad: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (år, månad) → kr
    delserier: list[Månadsserie] = field(default_factory=list)

    def värde(self, år: int, månad: int) -> Decimal | None:
        return self.värden.get((år, månad))

    def snittkostnad(self, år: int, månad: int) -> Decimal | None:
        """Nettokostnad ÷ volym of the month; None when either is missing or the volume is 0."""
        kostnad, volym = self.kostnad.get((år, månad)), self.värden.get((år, månad))
        if kostnad is None or not volym:
            return None
        return kostnad / volym


# --- one read of a kommun's nyckeltal for a report (volymer, månadsserier, bistånd and the volume columns) ------


@dataclass(frozen=True)
class Nyckeltalsinfo:
    id: int
    namn: str
    enhet: str
    grupp: str
    grupp_id: int
    grupp_ordning: int
    ordning: int
    nämnd_id: int
    förälder_id: int | None
    verksamhetsområde_id: int | None


@dataclass(frozen=True)
class Nyckeltalsläsning:
    """A kommun's nyckeltal and their values of the report's years (``år`` − HISTORIK_ÅR .. ``år``)."""

    år: int
    nyckeltal: list[Nyckeltalsinfo]
    årsvärden: dict[int, dict[tuple[str, int], Decimal | None]]  # nyckeltal → (typ, år) → value (not monthly)
    månadsvärden: dict[int, dict[tuple[int, int], Decimal]]  # nyckeltal → (år, månad) → monthly utfall


def nyckeltalsläsning(user, kommun_id: int, år: int) -> Nyckeltalsläsning:
    """Every nyckeltal of the kommun the user may read, with their values of the report's years. Two queries,
    whatever the number of nyckeltal, sections and months: a report's volymer, monthly series and bistånd sections
    and its tables' volume columns all derive their figures from it."""
    nyckeltal = [
        Nyckeltalsinfo(*rad)
        for rad in Nyckeltal.objects.for_user(user)
        .filter(grupp__nämnd__kommun_id=kommun_id)
        .values_list(
            "id", "namn", "enhet", "grupp__namn", "grupp_id", "grupp__ordning", "ordning", "grupp__nämnd_id",
            "förälder_id", "verksamhetsområde_id",
        )
    ]  # fmt: skip
    årsvärden: dict[int, dict[tuple[str, int], Decimal | None]] = defaultdict(dict)
    månadsvärden: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for nt_id, typ, å, månad, v in Nyckeltalsvärde.objects.filter(
        nyckeltal_id__in=[n.id for n in nyckeltal], år__gte=år - HISTORIK_ÅR, år__lte=år
    ).values_list("nyckeltal_id", "typ", "år", "månad", "värde"):
        if månad is None:
            årsvärden[nt_id][(typ, å)] = v
        elif v is not None:
            månadsvärden[nt_id][(å, månad)] = v
    return Nyckeltalsläsning(år, nyckeltal, årsvärden, månadsvärden)


def nyckeltalsdata_ur(läst: Nyckeltalsläsning, nämnd_ids: set[int], t_o_m: int) -> Nyckeltalsdata:
    """``nyckeltalsdata`` for the nämnder ``nämnd_ids`` from a report's read."""
    nyckeltal = sorted(
        (n for n in läst.nyckeltal if n.nämnd_id in nämnd_ids),
        key=lambda n: (n.grupp_ordning, n.grupp, n.ordning, n.id),
    )
    grupper: dict[str, Volymgrupp] = {}
    for nt in nyckeltal:
        grupp = grupper.setdefault(nt.grupp, Volymgrupp(nt.grupp))
        grupp.rader.append(Volymrad(nt.id, nt.namn, nt.enhet, nt.förälder_id is not None, dict(läst.årsvärden[nt.id])))
    månader = {nt.id: {m: v for (å, m), v in läst.månadsvärden[nt.id].items() if å == läst.år} for nt in nyckeltal}
    return Nyckeltalsdata(list(grupper.values()), _volym_per_område(nyckeltal, läst.årsvärden, månader, läst.år, t_o_m))


def nyckeltalsserier_ur(läst: Nyckeltalsläsning, ids: Sequence[int]) -> dict[int, Nyckeltalsserie]:
    """The chosen nyckeltal with their values of ``år`` − 1 and ``år`` (months and the year's own values), from a
    report's read; ids of another kommun are not in it."""
    valda = set(ids)
    år = (läst.år - 1, läst.år)
    return {
        n.id: Nyckeltalsserie(
            n.id,
            n.namn,
            n.enhet,
            {k: v for k, v in läst.månadsvärden[n.id].items() if k[0] in år},
            {k: v for k, v in läst.årsvärden[n.id].items() if k[1] in år and v is not None},
        )
        for n in läst.nyckeltal
        if n.id in valda
    }


def månadsserier_ur(
    läst: Nyckeltalsläsning, ids: Sequence[int], kostnad: dict[tuple[int, int, int], Decimal] | None = None
) -> dict[int, Månadsserie]:
    """The nyckeltal ``ids`` (in the kommun's order, each with its varav rows) with their monthly utfall of
    ``år`` − 1 and ``år``, from a report's read; ``kostnad``: (verksamhetsområde, år, månad) → the month's utfall of
    the linked område (for snittkostnad), in the months the series has a value."""
    valda = set(ids)
    år = (läst.år - 1, läst.år)
    ordnade = sorted(
        (n for n in läst.nyckeltal if n.id in valda or n.förälder_id in valda),
        key=lambda n: (n.grupp_ordning, n.grupp, n.grupp_id, n.ordning, n.namn, n.id),
    )
    serier: dict[int, Månadsserie] = {}
    for n in ordnade:
        s = serier[n.id] = Månadsserie(
            n.id, n.namn, n.enhet, n.grupp, n.förälder_id is not None, n.verksamhetsområde_id
        )
        for (å, m), v in läst.månadsvärden[n.id].items():
            if å in år:
                s.värden[(å, m)] = v
                k = kostnad.get((n.verksamhetsområde_id, å, m)) if kostnad and n.verksamhetsområde_id else None
                if k is not None:
                    s.kostnad[(å, m)] = k
    result = {n.id: serier[n.id] for n in ordnade if n.id in valda}
    for n in ordnade:
        if n.förälder_id in result and n.id != n.förälder_id:
            result[n.förälder_id].delserier.append(serier[n.id])
    return result
