"""The one list of checks of a nämnd's reports and months, used by granskning (``publicering``), the status page
(``uppfoljning.selectors.dashboard``) and month closing (``uppfoljning.services.stäng_månader``).

A check is a function of a ``Kontrollunderlag`` (a scope: a report of a type, or a month) registered with a
code, a level and where it applies (``KONTROLLER``; the table is in docs/beslut.md, "Kontroller"). Every consumer
runs ``kontrollera`` on the same kind of scope and only presents the findings differently: granskning lists them
and refuses "klar" on any ``fel``, the status page marks the rows, texts and mål they name (``Fynd.ref``), and
closing months asks for a reason when the month has a ``fel``.

Levels: "fel" blocks marking a report ready (and makes closing a month ask for a reason); "varning" should be
looked at; "info" is a note. Each finding says what is wrong and links to where it is fixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse

from ekonomi import berakning
from ekonomi import selectors as ekonomi_sel
from ekonomi.berakning import DriftRad
from nyckeltal.models import Indikator, Indikatorvärde, Mål, Måluppfyllelse, med_nivåtext, nivåtext
from nyckeltal.selectors import alla_mål
from nämnd.models import Kommun, Nämnd, Rapporttillfällen, Rapporttyp

from .delar import Del
from .format import Presentation
from .models import Textavsnitt

if TYPE_CHECKING:
    from .rapport import Rapport

FEL, VARNING, INFO = "fel", "varning", "info"
TEXT, MÅL = "text", "mål"  # the section kinds (rapporter.sektioner) whose content the checks read

ALLA = frozenset(Rapporttyp.values)
UPPFÖLJNINGAR = ALLA - {Rapporttyp.VERKSAMHETSPLAN}  # reports of the year's outcome; a plan has none


@dataclass(frozen=True)
class Fynd:
    nivå: str
    kod: str
    text: str
    länk: str = ""
    ref: int | str | None = None  # what it is about: a report row's id, a mål's id, a text's rubrik


# --- what the checks read -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Textpost:
    rubrik: str
    ifylld: bool  # some part of the report has a non-blank text under the rubrik
    id: int | None = None  # the nämnd's Textavsnitt, for its history


@dataclass(frozen=True)
class Målpost:
    namn: str
    bedömning: str  # the stored kod, "" when not assessed
    bedömning_text: str = ""  # the kommun's word for it
    id: int | None = None  # the Mål
    uppfyllelse_id: int | None = None  # the Måluppfyllelse, for its history
    på_skalan: bool = True  # ``bedömning`` is a level of the kommun's scale (nyckeltal.Bedömningsnivå)


@dataclass(frozen=True)
class Indikatorpost:
    namn: str
    mål: str
    kolada_id: str
    har_värde: bool  # an utfall (totalt) for the year


@dataclass
class Kontrollunderlag:
    """What the checks of one scope read: a report (``typ``, through its ``månad``) or a month (``typ`` None).
    A part left empty (None) is not checked in this scope."""

    nämnd: Nämnd
    år: int
    månad: int
    typ: Rapporttyp | None = None
    delar: Sequence[Del] = ()  # drift (period) and helår rows through ``månad``, per nämnd of the report
    texter: Sequence[Textpost] | None = None
    mål: Sequence[Målpost] | None = None
    indikatorer: Sequence[Indikatorpost] | None = None
    checklista: Sequence[tuple[str, bool]] = ()  # the kommun's checklist for the delårsrapport: (punkt, avbockad)
    rapport: Rapport | None = None  # the built report, for the checks of what it prints (sums, signs)
    ankare: dict[int, int] = field(default_factory=dict)  # report row → the grid row its link points at

    @property
    def pres(self) -> Presentation:
        return self.rapport.pres if self.rapport else Presentation.för(self.nämnd.kommun)


# --- the registry ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kontroll:
    kod: str
    nivå: str
    beskrivning: str
    rapporttyper: frozenset[str]  # the reports it applies to
    månad: bool  # it also applies to a month: the status page's deviations and closing months
    funktion: Callable[[Kontrollunderlag], list[Fynd]]

    def gäller(self, typ: str | None) -> bool:
        return self.månad if typ is None else typ in self.rapporttyper


KONTROLLER: dict[str, Kontroll] = {}


def kontroll(kod: str, nivå: str, beskrivning: str, rapporttyper: Iterable[str], månad: bool = False):
    def registrera(funktion: Callable[[Kontrollunderlag], list[Fynd]]):
        KONTROLLER[kod] = Kontroll(kod, nivå, beskrivning, frozenset(rapporttyper), månad, funktion)
        return funktion

    return registrera


def kontrollera(u: Kontrollunderlag) -> list[Fynd]:
    """Every registered check that applies to the scope, in registry order."""
    return [f for k in KONTROLLER.values() if k.gäller(u.typ) for f in k.funktion(u)]


def gäller(kod: str, typ: str | None) -> bool:
    return KONTROLLER[kod].gäller(typ)


def _url(namn: str, args: list, ankare: str = "") -> str:
    try:
        return reverse(namn, args=args) + (f"#{ankare}" if ankare else "")
    except NoReverseMatch:
        return ""


def _radlänk(u: Kontrollunderlag, del_, område_id: int) -> str:
    """The row of an område in the month grid (its first leaf when it has sub-units)."""
    return _url("månadsuppföljning", [del_.nämnd.id, u.år, max(u.månad, 1)], f"vo-{u.ankare.get(område_id, område_id)}")


# --- deviations ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Avvikelse:
    """A report row's deviations through a month, judged against the kommun's limit (``berakning.över_gräns``).

    The period deviation (jan–månad) is always judged. The helår deviation is judged before December when the row
    has a helårsprognos (without one the helår row compares the budget with nothing); in December the period is the
    whole year. A row over the limit in either needs a comment (the row's prognos comment)."""

    period: DriftRad
    helår: DriftRad
    period_skäl: tuple[str, ...]
    helår_skäl: tuple[str, ...]
    har_prognos: bool

    @property
    def id(self) -> int | None:
        return self.period.id

    @property
    def över_gräns(self) -> bool:
        return bool(self.period_skäl or self.helår_skäl)

    @property
    def kommentar(self) -> str:
        return self.period.kommentar.strip()

    @property
    def saknar_kommentar(self) -> bool:
        return self.över_gräns and not self.kommentar


def avvikelser(del_: Del, månad: int, kommun: Kommun) -> list[Avvikelse]:
    if del_.drift is None or del_.helår is None:
        return []
    kr, procent = kommun.avvikelsegräns_kr, kommun.avvikelsegräns_procent
    rader = []
    for p, h in zip(del_.drift.rader, del_.helår.rader, strict=True):
        har_prognos = not del_.prognos_saknas(p.id)
        rader.append(
            Avvikelse(
                p,
                h,
                period_skäl=berakning.över_gräns(p.avvikelse, p.budget_inkl_tillägg, kr, procent),
                helår_skäl=(
                    berakning.över_gräns(h.avvikelse, h.budget_inkl_tillägg, kr, procent)
                    if månad < 12 and har_prognos
                    else ()
                ),
                har_prognos=har_prognos,
            )
        )
    return rader


@kontroll(
    "kommentar_saknas",
    FEL,
    "Kommentar till varje avvikelse över kommunens gräns (perioden eller helårsprognosen)",
    UPPFÖLJNINGAR,
    månad=True,
)
def kommentarer(u: Kontrollunderlag) -> list[Fynd]:
    pres, fynd = u.pres, []
    for del_ in u.delar:
        for a in avvikelser(del_, u.månad, u.nämnd.kommun):
            if not a.saknar_kommentar:
                continue
            vad = []
            if a.period_skäl:
                vad.append(
                    f"avvikelsen {berakning.månadsspann(u.månad)} {pres.avvikelse(a.period.avvikelse)} {pres.enhet}"
                )
            if a.helår_skäl:
                vad.append(f"helårsprognosens avvikelse {pres.avvikelse(a.helår.avvikelse)} {pres.enhet}")
            namn = f"{del_.rubrik}, {a.period.namn}" if len(u.delar) > 1 else a.period.namn
            fynd.append(
                Fynd(
                    FEL,
                    "kommentar_saknas",
                    f"{namn}: {' och '.join(vad)} är över kommunens gräns och saknar kommentar.",
                    _radlänk(u, del_, a.id),
                    ref=a.id,
                )
            )
    return fynd


@kontroll(
    "prognos_saknas", FEL, "Helårsprognos för varje verksamhet", {Rapporttyp.TERTIALRAPPORT, Rapporttyp.DELÅRSRAPPORT}
)
def prognoser(u: Kontrollunderlag) -> list[Fynd]:
    return [
        Fynd(
            FEL,
            "prognos_saknas",
            f"{r.namn} saknar helårsprognos.",
            _radlänk(u, del_, r.id),
            ref=r.id,
        )
        for del_ in u.delar
        if del_.helår is not None
        for r in del_.helår.rader
        if del_.prognos_saknas(r.id)
    ]


# --- texts, mål, indicators, checklist -------------------------------------------------------------------------


@kontroll("text_saknas", FEL, "Text i varje textavsnitt som rapporten har", ALLA)
def texter(u: Kontrollunderlag) -> list[Fynd]:
    länk = _url("texter", [u.nämnd.id, u.år, u.typ]) if u.typ else ""
    return [
        Fynd(FEL, "text_saknas", f"Textavsnittet ”{t.rubrik}” saknar text.", länk, ref=t.rubrik)
        for t in u.texter or ()
        if not t.ifylld
    ]


@kontroll("bedömning_saknas", FEL, "Bedömning av måluppfyllelsen för varje mål", UPPFÖLJNINGAR)
def bedömningar(u: Kontrollunderlag) -> list[Fynd]:
    """A mål without a bedömning, or with one that is not on the kommun's scale (a level removed or renamed
    since), counts as not assessed."""
    länk = _url("mal-inmatning", [u.nämnd.id, u.år, u.typ]) if u.typ else ""
    return [
        Fynd(
            FEL,
            "bedömning_saknas",
            f"Målet ”{m.namn}” saknar bedömning av måluppfyllelsen."
            if not m.bedömning
            else f"Målet ”{m.namn}” har bedömningen ”{m.bedömning}”, som inte finns på kommunens bedömningsskala. "
            "Välj en av kommunens bedömningar.",
            länk,
            ref=m.id,
        )
        for m in u.mål or ()
        if not m.bedömning or not m.på_skalan
    ]


@kontroll("indikatorvärde_saknas", VARNING, "Värde för året för varje indikator", ALLA)
def indikatorvärden(u: Kontrollunderlag) -> list[Fynd]:
    länk = _url("indikatorer-inmatning", [u.nämnd.id, u.år])
    return [
        Fynd(VARNING, "indikatorvärde_saknas", f"Indikatorn ”{i.namn}” saknar värde för {u.år}.", länk)
        for i in u.indikatorer or ()
        if not i.har_värde
    ]


@kontroll("checklista", FEL, "Kommunens checklista avbockad", {Rapporttyp.DELÅRSRAPPORT})
def checklista(u: Kontrollunderlag) -> list[Fynd]:
    return [
        Fynd(FEL, "checklista", f"Checklistan: ”{p}” är inte avbockad.") for p, avbockad in u.checklista if not avbockad
    ]


# --- what the report prints: registered by the section kinds (rapporter/sektioner/drift.py: delsumma, tecken,
# avrundning), in this same registry.


# --- scopes: a built report, a month, the status page's reports ----------------------------------------------


def från_rapport(rapport: Rapport, checklista: Iterable[str] = (), avbockat: dict | None = None) -> Kontrollunderlag:
    """The scope of granskning: what the built report prints."""
    avbockat = avbockat or {}
    målsektioner = [s for s in rapport.sektioner if s.sektion == MÅL]
    mål = [m for s in målsektioner for m in alla_mål(s.data["mål"])]
    return Kontrollunderlag(
        nämnd=rapport.nämnd,
        år=rapport.år,
        månad=rapport.månad,
        typ=rapport.typ,
        delar=rapport.delar,
        texter=[
            Textpost(s.rubrik, any(t.text.strip() for t in s.data["texter"]))
            for s in rapport.sektioner
            if s.sektion == TEXT
        ],
        mål=[Målpost(m.namn, m.bedömning, på_skalan=m.bedömningsnivå is not None) for m in mål]
        if målsektioner
        else None,
        indikatorer=[
            Indikatorpost(
                i.namn,
                m.namn,
                i.kolada_id or "",
                har_värde=(v := i.värde(rapport.år)) is not None and v.totalt is not None,
            )
            for m in mål
            for i in m.indikatorer
        ]
        if målsektioner
        else None,
        checklista=[(p, bool(avbockat.get(p))) for p in checklista],
        rapport=rapport,
    )


def granska(rapport: Rapport, checklista: Iterable[str] = (), avbockat: dict | None = None) -> list[Fynd]:
    return kontrollera(från_rapport(rapport, checklista, avbockat))


def månadsunderlag(user, nämnder: Sequence[Nämnd], år: int, månad: int, nämnd: Nämnd | None = None) -> Kontrollunderlag:
    """The scope of a month: the report rows of ``nämnder`` (a nämnd's parts, as in its report) through
    ``månad``, built as ``bygg_rapport`` builds them. About six queries per nämnd."""
    delar, ankare = [], {}
    for n in nämnder:
        underlag = ekonomi_sel.ekonomiunderlag(user, [n], år, månad)
        delar.append(
            Del(
                n,
                n.namn,
                drift=berakning.gruppera(underlag, lambda o: berakning.driftrad_period(o, år, månad)),
                helår=berakning.gruppera(underlag, lambda o: berakning.driftrad_helår(o, år, månad)),
                med_prognos=berakning.med_prognos(underlag, månad),
            )
        )
        ankare |= _första_löv(underlag)
    return Kontrollunderlag(nämnd=nämnd or nämnder[-1], år=år, månad=månad, delar=delar, ankare=ankare)


def _första_löv(underlag: Sequence[berakning.Områdesunderlag]) -> dict[int, int]:
    """Each område's first leaf: the month grid has a row (and an anchor) for leaves only."""
    barn: dict[int | None, list[int]] = defaultdict(list)
    for o in underlag:
        barn[o.förälder_id].append(o.id)

    def löv(vo_id: int) -> int:
        while barn.get(vo_id):
            vo_id = barn[vo_id][0]
        return vo_id

    return {o.id: löv(o.id) for o in underlag}


def rapportunderlag(
    user, nämnd: Nämnd, nämnder: Sequence[Nämnd], år: int, sektioner: dict[str, list[dict]]
) -> tuple[dict[str, Kontrollunderlag], list[Indikatorpost]]:
    """The scope of every report of the year without its figures (texts, mål, indikatorer), for the status page:
    per rapporttyp with its ``sektioner`` and the parts ``nämnder`` (``selectors.delar``), read as the report reads
    them. Also the year's indikatorer without a value. Four queries whatever the number of reports."""
    texter: dict[tuple[str, str], list[Textavsnitt]] = defaultdict(list)
    for t in (
        Textavsnitt.objects.for_user(user)
        .filter(nämnd__in=nämnder, år=år)
        .order_by("nämnd__giltig_från")
        .only("id", "nämnd_id", "rapporttyp", "rubrik", "text")
    ):
        texter[(t.rapporttyp, t.rubrik)].append(t)
    mål = list(
        Mål.objects.for_user(user)
        .filter(nämnd__in=nämnder, från_år__lte=år)
        .exclude(till_år__lt=år)
        .order_by("ordning", "id")
        .values_list("id", "namn")
    )
    bedömningar = {
        (b.mål_id, b.rapporttyp): b
        for b in med_nivåtext(Måluppfyllelse.objects.filter(mål_id__in=[i for i, _ in mål], år=år))
    }
    har_värde = Indikatorvärde.objects.filter(
        indikator=OuterRef("pk"), år=år, typ=Indikatorvärde.Typ.UTFALL, totalt__isnull=False
    )
    utan_värde = [
        Indikatorpost(namn, mål_namn, kolada or "", har_värde=False)
        for namn, mål_namn, kolada in (
            Indikator.objects.for_user(user)
            .filter(mål__nämnd__in=nämnder, mål__från_år__lte=år)
            .exclude(mål__till_år__lt=år)
            .filter(~Exists(har_värde))
            .order_by("mål__ordning", "mål_id", "ordning", "id")
            .values_list("namn", "mål__namn", "kolada_id")
        )
    ]

    def text(typ: str, rubrik: str) -> Textpost:
        alla = texter.get((typ, rubrik), [])
        egen = next((t for t in reversed(alla) if t.nämnd_id == nämnd.id), alla[-1] if alla else None)
        return Textpost(rubrik, any(t.text.strip() for t in alla), egen.id if egen else None)

    result = {}
    tillfällen = Rapporttillfällen.för(nämnd.kommun_id)
    for typ in tillfällen.typer:
        if typ == Rapporttyp.MÅNADSRAPPORT:  # made for any month on demand: no status of its own
            continue
        har_mål = any(s["typ"] == MÅL for s in sektioner[typ])
        result[typ.value] = Kontrollunderlag(
            nämnd=nämnd,
            år=år,
            månad=tillfällen.slutmånad(typ),
            typ=typ,
            texter=[text(typ, s["rubrik"]) for s in sektioner[typ] if s["typ"] == TEXT],
            mål=[
                Målpost(
                    m_namn,
                    b.bedömning if b else "",
                    ord_ or "",
                    m_id,
                    b.id if b else None,
                    på_skalan=ord_ is not None or b is None,
                )
                for m_id, m_namn in mål
                for b in [bedömningar.get((m_id, typ.value))]
                for ord_ in [nivåtext(b) if b else None]
            ]
            if har_mål
            else None,
            indikatorer=utan_värde if har_mål else None,
        )
    return result, utan_värde


@kontroll(
    "jämförelsetal_saknas",
    VARNING,
    "Föregående år för en ny nämnds verksamhetsområden (koppling till föregångarens eller jämförelsetal)",
    UPPFÖLJNINGAR,
)
def jämförelsetal(u: Kontrollunderlag) -> list[Fynd]:
    """A nämnd created during the last year (a split) shows "föregående år" only through links to its
    predecessor's områden or imported jämförelsetal (docs/beslut.md, "Föregående år efter en delning")."""
    nämnder = list({n.pk: n for n in (*(d.nämnd for d in u.delar), u.nämnd)}.values())
    fynd = []
    for n in nämnder:
        if not (saknar := ekonomi_sel.utan_föregående_år(n, u.år)):
            continue
        import_ = f" eller importera utfall för {u.år - 1} med nämndens koder" if n.giltig_från.year == u.år else ""
        länk = _url("admin:nämnd_verksamhetsområde_changelist", [])
        fynd.append(
            Fynd(
                VARNING,
                "jämförelsetal_saknas",
                f"{n.namn} saknar jämförelsetal för föregående år: koppla {', '.join(o.namn for o in saknar)} till "
                f"föregående nämnds verksamhetsområden (”jämförs med (föregående år)”){import_}.",
                f"{länk}?nämnd__id__exact={n.pk}" if länk else "",
            )
        )
    return fynd
