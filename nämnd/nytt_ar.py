"""Öppna nytt år: carry a nämnd's verksamhetsområden, import mappings and mål from one year into the next.

Verksamhetsområden are one tree with validity years (``från_år``/``till_år``), not a copy per year, so
"copying the tree" means deciding, per area valid in ``från_år``, whether it stays valid next year and where
its figures go. The decisions and their reasons are in docs/nytt-ar.md; in short:

* **behåll** – stays valid (a planned end ``till_år = från_år`` is lifted: ``till_år`` becomes empty).
* **flytta till X** – the Knivsta 2024 case: the old area stays visible next year with a KF-budget of 0
  (``till_år`` = next year), X gets the old area and itself as ``föregångare`` so that X's "föregående år"
  is X + old, and the old area's own "föregående år" becomes 0 (it is counted in X).
* **slå ihop med X** – the old area ends (``till_år = från_år``) and X gets it (and itself, when X existed
  before) as ``föregångare``. Several areas may be merged into one X. A split is a merger into the *main*
  successor: one area takes the old figures; the other new parts start without comparison figures.
* **byt namn till …** – a new area from next year with the old one as ``föregångare`` (renaming in place
  would rename last year's reports too).
* **avsluta** – ``till_år = från_år``; no successor.
* New areas (``nya``) start next year; they can be targets of the actions above.

Import mappings are the ansvar/verksamhet codes on the areas: a successor gets its predecessors' codes
appended (the predecessor keeps its own, since rows of its last year may still be imported). Budget is not
copied. Mål valid only through ``från_år`` get ``till_år`` extended by one year (their indikatorer, uppdrag
and assessments stay with them). Sektionsordning is per kommun and rapporttyp, not per year: nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ekonomi import selectors as ekonomi_sel
from ekonomi.models import Budgetpost
from nyckeltal.models import Mål

from .behorighet import kräv_admin
from .models import Nämnd, Verksamhetsområde, koder
from .vakt import Slag, Vakt, Ändring

BEHÅLL, FLYTTA, SLÅ_IHOP, BYT_NAMN, AVSLUTA = "behåll", "flytta", "slå_ihop", "byt_namn", "avsluta"
ÅTGÄRDER = [
    (BEHÅLL, "Behåll"),
    (FLYTTA, "Flytta till … (visas nästa år med budget 0)"),
    (SLÅ_IHOP, "Slå ihop med / ersätts av …"),
    (BYT_NAMN, "Byt namn till …"),
    (AVSLUTA, "Avsluta"),
]
MED_MÅL = {FLYTTA, SLÅ_IHOP}


@dataclass(frozen=True)
class Åtgärd:
    """What happens to one area. ``till``: the target's id, or the key of a ``NyttOmråde``; ``namn``: the new
    name for ``byt_namn``."""

    typ: str = BEHÅLL
    till: int | str | None = None
    namn: str = ""


@dataclass(frozen=True)
class NyttOmråde:
    """An area that starts next year. ``förälder``: an existing area's id or another new area's key."""

    nyckel: str
    namn: str
    förälder: int | str | None = None
    typ: str = Verksamhetsområde.Typ.VERKSAMHET


@dataclass(frozen=True)
class Jämförelse:
    """A row of next year's driftredovisning and whose figures its "föregående år" columns show."""

    namn: str
    jämförs_med: tuple[str, ...]
    fg_helår: Decimal
    ändrad: bool


@dataclass
class Resultat:
    från_år: int
    nytt_år: int
    händelser: list[str] = field(default_factory=list)
    jämförelser: list[Jämförelse] = field(default_factory=list)
    förlängda_mål: list[str] = field(default_factory=list)
    förhandsgranskning: bool = False


def åtgärd(värde) -> Åtgärd:
    """Accepts an ``Åtgärd``, a bare action (``"avsluta"``), ``(typ, till)`` or ``(typ, till, namn)``."""
    if isinstance(värde, Åtgärd):
        return värde
    if isinstance(värde, str):
        return Åtgärd(värde)
    if isinstance(värde, Mapping):
        return Åtgärd(**värde)
    return Åtgärd(*värde)


def _giltiga(år: int) -> Q:
    return (Q(från_år__isnull=True) | Q(från_år__lte=år)) & (Q(till_år__isnull=True) | Q(till_år__gte=år))


def _lägg_till_koder(befintliga: str, nya: str) -> str:
    lista = koder(befintliga)
    return ", ".join(lista + [k for k in koder(nya) if k not in lista])


def förhandsgranska(user, nämnd: Nämnd, från_år: int, mappning, **kwargs) -> Resultat:
    """What ``öppna_nytt_år`` would do, computed by doing it and rolling back (so the preview cannot differ
    from the real thing)."""
    with transaction.atomic():
        resultat = öppna_nytt_år(user, nämnd, från_år, mappning, **kwargs)
        transaction.set_rollback(True)
    resultat.förhandsgranskning = True
    return resultat


@transaction.atomic
def öppna_nytt_år(
    user,
    nämnd: Nämnd,
    från_år: int,
    mappning: Mapping[int | str, Åtgärd | str | tuple],
    *,
    nya: Iterable[NyttOmråde] = (),
    förläng_mål: Iterable[int] | None = None,
) -> Resultat:
    """Open ``från_år + 1`` for ``nämnd``. ``mappning``: area id → action (areas left out are kept);
    ``nya``: areas that start next year; ``förläng_mål``: ids of the mål ending in ``från_år`` to carry over
    (None = all of them). Only the kommun's admins may. All or nothing; refuses with every problem listed."""
    kräv_admin(user, nämnd.kommun_id)
    nytt = från_år + 1
    # The new year's organisation and budget: refused once any of its months is closed or a report of it fastställd.
    Vakt.för(user, nämnd, nytt).kräv(
        [Ändring(Slag.BUDGET, nytt), *(Ändring(Slag.MÅNADSVÄRDE, nytt, m) for m in range(1, 13))]
    )
    orsak = f"Öppna nytt år {nytt}"
    resultat = Resultat(från_år, nytt)

    områden = {
        o.id: o for o in Verksamhetsområde.objects.select_for_update().filter(nämnd=nämnd).filter(_giltiga(från_år))
    }
    # Areas that already start next year (created by hand) can be targets too.
    redan_nya = {o.id: o for o in Verksamhetsområde.objects.filter(nämnd=nämnd, från_år=nytt)}
    fel: list[str] = []

    åtgärder: dict[int, Åtgärd] = {}
    for nyckel, värde in mappning.items():
        try:
            vo_id = int(nyckel)
            å = åtgärd(värde)
        except (TypeError, ValueError):
            fel.append(f"Ogiltig åtgärd {värde!r} för {nyckel!r}.")
            continue
        if vo_id not in områden:
            fel.append(f"Verksamhetsområde {vo_id} finns inte i {nämnd.namn} {från_år}.")
        elif å.typ not in dict(ÅTGÄRDER):
            fel.append(f"Okänd åtgärd {å.typ!r} för {områden[vo_id].namn}.")
        else:
            åtgärder[vo_id] = å
    för = {vo_id: åtgärder.get(vo_id, Åtgärd()) for vo_id in områden}

    nya = list(nya)
    nya_per_nyckel: dict[str, NyttOmråde] = {}
    for n in nya:
        if not n.namn.strip():
            fel.append("Ett nytt verksamhetsområde saknar namn.")
        if n.nyckel in nya_per_nyckel:
            fel.append(f"Två nya verksamhetsområden har nyckeln {n.nyckel!r}.")
        nya_per_nyckel[n.nyckel] = n

    def namn_på(ref) -> str:
        if isinstance(ref, str) and ref in nya_per_nyckel:
            return nya_per_nyckel[ref].namn
        o = områden.get(ref) or redan_nya.get(ref)
        return o.namn if o else str(ref)

    def referens(ref, för_vem: str, som_förälder: bool = False):
        """An area valid next year: ("ny", key) for a new area, ("id", id) for an existing one, else None."""
        if ref in (None, ""):
            return None
        if isinstance(ref, str) and ref in nya_per_nyckel:
            return ("ny", ref)
        try:
            ref = int(ref)
        except (TypeError, ValueError):
            fel.append(f"{för_vem}: okänt verksamhetsområde {ref!r}.")
            return None
        if ref not in områden and ref not in redan_nya:
            fel.append(f"{för_vem}: verksamhetsområde {ref} finns inte i {nämnd.namn} {från_år}.")
            return None
        if (områden.get(ref) or redan_nya[ref]).typ == Verksamhetsområde.Typ.BLOCK and not som_förälder:
            fel.append(f"{för_vem}: {namn_på(ref)} är ett block; välj en verksamhet eller enhet.")
            return None
        if ref in redan_nya:
            return ("id", ref)
        mål_åtgärd = för[ref]
        if mål_åtgärd.typ == BYT_NAMN:
            return ("omdöpt", ref)  # the area that replaces it under its new name
        if mål_åtgärd.typ != BEHÅLL:
            fel.append(
                f"{för_vem}: {områden[ref].namn} finns inte kvar {nytt} ({dict(ÅTGÄRDER)[mål_åtgärd.typ].lower()})."
            )
            return None
        return ("id", ref)

    mål_för: dict[int, tuple] = {}
    for vo_id, å in för.items():
        o = områden[vo_id]
        if å.typ in MED_MÅL:
            if å.till in (None, ""):
                fel.append(f"{o.namn}: välj vilket verksamhetsområde det ska {'flyttas till' if å.typ == FLYTTA else 'slås ihop med'}.")
                continue
            if str(å.till) == str(vo_id):
                fel.append(f"{o.namn}: kan inte flyttas till eller slås ihop med sig självt.")
                continue
            ref = referens(å.till, o.namn)
            if ref is not None:
                mål_för[vo_id] = ref
        elif å.typ == BYT_NAMN:
            if not å.namn.strip():
                fel.append(f"{o.namn}: ange det nya namnet.")
            elif å.namn.strip() == o.namn:
                fel.append(f"{o.namn}: det nya namnet är detsamma som det gamla.")
        if å.typ in MED_MÅL and o.typ == Verksamhetsområde.Typ.BLOCK:
            fel.append(f"{o.namn} är ett block: välj åtgärd för verksamheterna under det och avsluta blocket.")
        # The tree must hold next year: an area there (kept, or moved and shown with budget 0) needs a kept parent;
        # a renamed one a kept or renamed parent.
        förälder_typ = för[o.förälder_id].typ if o.förälder_id in för else BEHÅLL
        if (å.typ in (BEHÅLL, FLYTTA) and förälder_typ != BEHÅLL) or (å.typ == BYT_NAMN and förälder_typ not in (BEHÅLL, BYT_NAMN)):
            fel.append(
                f"{o.namn} ska finnas {nytt} men {områden[o.förälder_id].namn}, som det ligger under, gör det inte. "
                "Välj en åtgärd även för det."
            )
    for n in nya:
        if n.förälder not in (None, ""):
            ref = referens(n.förälder, n.namn, som_förälder=True)
            if ref and ref[0] == "ny" and ref[1] == n.nyckel:
                fel.append(f"{n.namn} kan inte ligga under sig självt.")
    if fel:
        raise ValidationError(fel)

    def spara(o: Verksamhetsområde, **ändra) -> None:
        for k, v in ändra.items():
            setattr(o, k, v)
        o._history_user = user
        o._change_reason = orsak
        o.full_clean()
        o.save()

    skapade_nya: dict[str, Verksamhetsområde] = {}
    omdöpta: dict[int, Verksamhetsområde] = {}

    def hämta(ref) -> Verksamhetsområde:
        slag, värde = ref
        if slag == "ny":
            return skapa_ny(nya_per_nyckel[värde])
        if slag == "omdöpt":
            return döp_om(värde)
        return områden.get(värde) or redan_nya[värde]

    def skapa_ny(n: NyttOmråde, kedja: tuple[str, ...] = ()) -> Verksamhetsområde:
        if n.nyckel in skapade_nya:
            return skapade_nya[n.nyckel]
        if n.nyckel in kedja:
            raise ValidationError(f"De nya verksamhetsområdena {', '.join(kedja)} ligger under varandra.")
        förälder = None
        if n.förälder not in (None, ""):
            ref = referens(n.förälder, n.namn, som_förälder=True)
            förälder = (
                skapa_ny(nya_per_nyckel[ref[1]], (*kedja, n.nyckel)) if ref[0] == "ny" else hämta(ref)
            )
        ordning = (förälder.ordning + 1) if förälder else 0
        o = Verksamhetsområde(nämnd=nämnd, förälder=förälder, namn=n.namn.strip(), typ=n.typ, ordning=ordning,
                              från_år=nytt)
        spara(o)
        skapade_nya[n.nyckel] = o
        resultat.händelser.append(f"Nytt verksamhetsområde {o.namn} från {nytt}.")
        return o

    def döp_om(vo_id: int) -> Verksamhetsområde:
        if vo_id in omdöpta:
            return omdöpta[vo_id]
        gammal = områden[vo_id]
        förälder = gammal.förälder
        if gammal.förälder_id in områden and för[gammal.förälder_id].typ == BYT_NAMN:
            förälder = döp_om(gammal.förälder_id)
        ny = Verksamhetsområde(
            nämnd=nämnd, förälder=förälder, namn=för[vo_id].namn.strip(), typ=gammal.typ, ordning=gammal.ordning,
            ansvarskoder=gammal.ansvarskoder, verksamhetskoder=gammal.verksamhetskoder, från_år=nytt,
        )
        spara(ny)
        ny.föregångare.add(gammal)
        omdöpta[vo_id] = ny
        return ny

    for n in nya:
        skapa_ny(n)

    for vo_id, å in för.items():
        o = områden[vo_id]
        if å.typ == BEHÅLL:
            if o.till_år is not None and o.till_år < nytt:
                spara(o, till_år=None)
                resultat.händelser.append(f"{o.namn}: gällde t.o.m. {från_år}, gäller nu tills vidare.")
        elif å.typ == AVSLUTA:
            spara(o, till_år=från_år)
            resultat.händelser.append(f"{o.namn}: avslutas efter {från_år}.")
        elif å.typ == BYT_NAMN:
            ny = döp_om(vo_id)
            spara(o, till_år=från_år)
            resultat.händelser.append(f"{o.namn}: heter {ny.namn} från {nytt} (jämförs med {o.namn}).")
        else:
            mål = hämta(mål_för[vo_id])
            if mål.från_år is None or mål.från_år < nytt:
                mål.föregångare.add(mål)  # keeps its own last-year figures next to the predecessor's
            mål.föregångare.add(o)
            koder_före = (mål.ansvarskoder, mål.verksamhetskoder)
            mål.ansvarskoder = _lägg_till_koder(mål.ansvarskoder, o.ansvarskoder)
            mål.verksamhetskoder = _lägg_till_koder(mål.verksamhetskoder, o.verksamhetskoder)
            if (mål.ansvarskoder, mål.verksamhetskoder) != koder_före:
                spara(mål)
            if å.typ == FLYTTA:
                spara(o, till_år=nytt)
                skapad = not Budgetpost.objects.filter(
                    verksamhetsområde=o, år=nytt, slag=Budgetpost.Slag.KF_BUDGET, kategori=""
                ).exists()
                if skapad:
                    b = Budgetpost(verksamhetsområde=o, år=nytt, slag=Budgetpost.Slag.KF_BUDGET, belopp=Decimal(0),
                                   kommentar=f"Flyttad till {mål.namn}")
                    b._history_user, b._change_reason = user, orsak
                    b.save()
                resultat.händelser.append(
                    f"{o.namn}: flyttas till {mål.namn}. Visas {nytt} med budget 0"
                    f"{'' if skapad else ' (budget för ' + str(nytt) + ' fanns redan)'}; "
                    f"utfallet {från_år} räknas som föregående år för {mål.namn}."
                )
            else:
                spara(o, till_år=från_år)
                resultat.händelser.append(
                    f"{o.namn}: slås ihop med {mål.namn} efter {från_år}; "
                    f"utfallet {från_år} räknas som föregående år för {mål.namn}."
                )

    mål_qs = Mål.objects.filter(nämnd=nämnd, till_år=från_år)
    if förläng_mål is not None:
        mål_qs = mål_qs.filter(pk__in=list(förläng_mål))
    for m in mål_qs.order_by("ordning", "id"):
        m.till_år = nytt
        m.save(update_fields=["till_år"])
        resultat.förlängda_mål.append(m.namn)
    if resultat.förlängda_mål:
        resultat.händelser.append(f"Mål som gällde t.o.m. {från_år} gäller nu t.o.m. {nytt}: "
                                  + ", ".join(resultat.förlängda_mål) + ".")

    resultat.jämförelser = _jämförelser(user, nämnd, nytt)
    return resultat


def _jämförelser(user, nämnd: Nämnd, år: int) -> list[Jämförelse]:
    """Next year's rows and whose last-year figures they show, as the reports will compute them."""
    underlag = ekonomi_sel.ekonomiunderlag(user, [nämnd], år, 12)
    länkar = Verksamhetsområde.föregångare.through.objects.filter(
        from_verksamhetsområde_id__in=[u.id for u in underlag]
    ).values_list("from_verksamhetsområde_id", "to_verksamhetsområde_id", "to_verksamhetsområde__namn")
    föregångare: dict[int, list[tuple[int, str]]] = {}
    for ny, gammal, namn in länkar:
        föregångare.setdefault(ny, []).append((gammal, namn))
    inräknade = {g for lista in föregångare.values() for g, _ in lista}
    result = []
    for u in underlag:
        if u.typ == Verksamhetsområde.Typ.BLOCK:
            continue
        if u.id in föregångare:
            namn = tuple(n for _, n in sorted(föregångare[u.id], key=lambda g: (g[0] != u.id, g[1])))
            result.append(Jämförelse(u.namn, namn, u.utfall_helår_fg, True))
        elif u.id in inräknade:
            result.append(Jämförelse(u.namn, (), u.utfall_helår_fg, True))
        else:
            result.append(Jämförelse(u.namn, (u.namn,), u.utfall_helår_fg, False))
    return result
