"""Entry pages for controllers: volymer och nyckeltal, indikatorer, måluppfyllelse och uppdrag.

Every page: the nämnd through ``nämnd_för`` (404 for another kommun), ``kräv_redigering`` (403 for läsare);
a save is one service call; bad input re-renders the page (200) with everything typed kept; success
redirects with a message. Reads take a fixed number of queries whatever the number of rows.

(The read helpers below belong in nyckeltal/selectors.py, which is owned elsewhere; they are private here
until they move.)"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from nämnd.models import Nämnd, Rapporttyp
from nämnd.vakt import Slag, Vakt, Ändring, låsmånad, spärr_för

from . import forms, services
from .bedomning import Indikatorvärden
from .models import Indikator, Indikatorvärde, Mål, Måluppfyllelse, Nyckeltal, Nyckeltalsvärde, Uppdrag, Uppdragsstatus
from .sidor import inmatningsnämnd, meddela, sidkontext, spärrtext, volym_url

HISTORIKÅR = 3  # earlier years shown (read-only) beside an indikator's values


# --- volymer och nyckeltal ------------------------------------------------------------------------

def volymrader(nämnd: Nämnd, år: int) -> list[forms.Volymrad]:
    """The nämnd's nyckeltal by område, each delserie ("varav …") right under its parent, with the year's
    values (and utfall helår of the year before). Two queries."""
    alla = list(
        Nyckeltal.objects.filter(grupp__nämnd=nämnd).select_related("grupp")
        .order_by("grupp__ordning", "grupp__namn", "grupp_id", "ordning", "namn", "id")
    )
    värden: dict[int, dict] = defaultdict(dict)
    for nt, å, typ, månad, v, version in Nyckeltalsvärde.objects.filter(
        Q(år=år) | Q(år=år - 1, typ=Nyckeltalsvärde.Typ.UTFALL_HELÅR), nyckeltal__in=[n.id for n in alla],
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
            id=n.id, namn=n.namn, enhet=n.enhet, grupp=n.grupp.namn, delserie=delserie,
            får_vara_negativ=n.får_vara_negativ,
            värden={k: v for k, v in värden[n.id].items() if k != "fg"},
            kontext=värden[n.id].get("fg", (None, None))[1],
        )
        for n, delserie in ordnade
    ]


@require_http_methods(["GET", "POST"])
def volymer(request, nämnd_id: int, år: int):
    nämnd = inmatningsnämnd(request, nämnd_id, år)
    vy = "månad" if request.GET.get("vy") in ("månad", "manad") else "år"
    vakt = Vakt.för(request.user, nämnd, år)
    kolumner = forms.volymkolumner(år, vy, vakt)
    form = forms.Volymformulär(volymrader(nämnd, år), kolumner, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            sparat = services.spara_nyckeltalsvärden(request.user, nämnd, år, form.celler())
        except ValidationError as e:
            form.lägg_till_tjänstefel(e)
        else:
            meddela(request, sparat)
            return redirect(volym_url(nämnd, år, vy))
    spärrar = [k.spärr for k in kolumner if k.spärr]
    if vy == "månad":
        låsta = [k.månad for k in kolumner if k.spärr]
        låsning = spärrtext(spärrar, år, låsta,
                            "utfall för den månaden" if len(låsta) == 1 else "utfall för de månaderna")
    else:
        låsta = [k.etikett.lower() for k in kolumner if k.spärr]
        låsning = spärrtext(spärrar, år, [services.låsmånad_för_värde(k.typ, None) for k in kolumner if k.spärr],
                            ", ".join(låsta))
    rubrik = f"Volymer och nyckeltal {år}"
    return render(request, "nyckeltal/volymer.html", sidkontext(
        request, nämnd, år, rubrik, form, vy=vy, låsning=låsning,
        vy_år=volym_url(nämnd, år, "år"), vy_månad=volym_url(nämnd, år, "månad"),
        tabelltitel=f"{rubrik}: {'utfall per månad' if vy == 'månad' else 'årsvärden'}",
        kolumnantal=len(kolumner) + (2 if vy == "månad" else 3),
    ))


# --- indikatorer ----------------------------------------------------------------------------------

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
    for v in Indikatorvärde.objects.filter(indikator__in=[i.id for i in alla], år__gte=år - HISTORIKÅR, år__lte=år):
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
            rader.append(forms.Indikatorrad(
                id=i.id, namn=i.namn, kolada_id=i.kolada_id, enhet=i.enhet,
                utfall=(u.version, u.totalt, u.kvinnor, u.män) if u else None,
                prognos=prognos.get(i.id),
                historik=[
                    Indikatorvärden(å, h.totalt, h.kvinnor, h.män, h.källa) if (h := utfall.get((i.id, å))) else None
                    for å in range(år - HISTORIKÅR, år)
                ],
            ))
        if rader:
            grupper.append(forms.Målgrupp(m.namn, m.get_nivå_display(), rader))
    return grupper


@require_http_methods(["GET", "POST"])
def indikatorer(request, nämnd_id: int, år: int):
    nämnd = inmatningsnämnd(request, nämnd_id, år)
    spärr = spärr_för(request.user, nämnd, Ändring(Slag.ÅRSVÄRDE, år))
    form = forms.Indikatorformulär(indikatorgrupper(nämnd, år), år, spärr is not None,
                                   data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            sparat = services.spara_indikatorvärden(request.user, nämnd, år, form.inmatningar())
        except ValidationError as e:
            form.lägg_till_tjänstefel(e)
        else:
            meddela(request, sparat)
            return redirect("indikatorer-inmatning", nämnd.id, år)
    return render(request, "nyckeltal/indikatorer.html", sidkontext(
        request, nämnd, år, f"Indikatorer {år}", form,
        historikår=list(range(år - HISTORIKÅR, år)),
        låsning=spärrtext([spärr] if spärr else [], år, [låsmånad(Slag.ÅRSVÄRDE)], f"indikatorvärdena för {år}"),
    ))


# --- måluppfyllelse och uppdrag -------------------------------------------------------------------

def målrader(nämnd: Nämnd, år: int, rapporttyp: str) -> list[forms.Målrad]:
    """Mål valid in ``år`` (KF-mål, then their nämndmål) with the report's bedömning, and their uppdrag
    valid in ``år`` with the report's status. Four queries."""
    mål = list(
        giltiga_mål(nämnd, år).order_by("ordning", "id").prefetch_related(
            Prefetch("bedömningar", queryset=Måluppfyllelse.objects.filter(år=år, rapporttyp=rapporttyp)),
            Prefetch("uppdrag", queryset=Uppdrag.objects.filter(från_år__lte=år, till_år__gte=år).prefetch_related(
                Prefetch("statusar", queryset=Uppdragsstatus.objects.filter(år=år, rapporttyp=rapporttyp)))),
        )
    )
    rader = []
    for m, förälder in i_målordning(mål):
        b = next(iter(m.bedömningar.all()), None)
        rader.append(forms.Målrad(
            id=m.id, namn=m.namn, nivå=m.get_nivå_display(), nämndmål=förälder is not None,
            förälder=förälder.namn if förälder else "",
            sparad=(b.version, b.bedömning, b.kommentar) if b else None,
            uppdrag=[
                forms.Uppdragsrad(
                    id=u.id, text=u.text, tidsperiod=u.tidsperiod, nivå=u.nivå,
                    sparad=(s.version, s.status, s.kommentar) if (s := next(iter(u.statusar.all()), None)) else None,
                )
                for u in m.uppdrag.all()
            ],
        ))
    return rader


@require_http_methods(["GET", "POST"])
def mål(request, nämnd_id: int, år: int, rapporttyp: str):
    nämnd = inmatningsnämnd(request, nämnd_id, år, rapporttyp)
    typ = Rapporttyp(rapporttyp)
    ändring = Ändring(Slag.BEDÖMNING, år, rapporttyp=typ)
    spärr = spärr_för(request.user, nämnd, ändring)
    bedömningsord = "Prognos för måluppfyllelse" if typ.är_prognos else "Måluppfyllelse"
    form = forms.Målformulär(målrader(nämnd, år, typ), bedömningsord, spärr is not None,
                             data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            sparat = services.spara_måluppfyllelse(request.user, nämnd, år, typ, *form.bedömningar())
        except ValidationError as e:
            form.lägg_till_tjänstefel(e)
        else:
            meddela(request, sparat)
            return redirect("mal-inmatning", nämnd.id, år, typ.value)
    return render(request, "nyckeltal/mal.html", sidkontext(
        request, nämnd, år, f"Måluppfyllelse och uppdrag – {typ.label.lower()} {år}", form,
        rapporttyp=typ, bedömningsord=bedömningsord,
        låsning=spärrtext([spärr] if spärr else [], år, [låsmånad(ändring.slag, rapporttyp=typ)],
                          f"bedömningar och uppdragsstatus i {typ.label.lower()}en"),
    ))
