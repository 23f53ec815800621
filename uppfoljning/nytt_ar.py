"""Öppna nytt år: carry a nämnd's verksamhetsområden, import mappings and mål from one year into the next.

Verksamhetsområden are one tree with validity years (``från_år``/``till_år``), not a copy per year, so
"copying the tree" means deciding, per area valid in ``från_år``, whether it stays valid next year and where
its figures go. The decisions and their reasons are in docs/nytt-ar.md; in short:

* **behåll** – stays valid (a planned end ``till_år = från_år`` is lifted: ``till_år`` becomes empty).
* **flytta till X** – e.g. an area merged into another at the new year: the old area stays visible next year with a KF-budget of 0
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
and assessments stay with them). The kommun's report layouts in force are copied to the new year
(``rapporter.layouter.kopiera_till_år``), so a layout change for the new year leaves earlier reports alone.
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
from nämnd.behorighet import kräv_admin
from nämnd.models import Nämnd, Verksamhetsområde, koder
from nämnd.vakt import Slag, Vakt, Ändring
from rapporter import layouter

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
    öppning = _Öppning(user, nämnd, från_år, list(nya))
    öppning.läs_åtgärder(mappning)
    öppning.granska()
    öppning.genomför()
    öppning.förläng_mål(förläng_mål)
    if not öppning.resultat.förhandsgranskning and (n := layouter.kopiera_till_år(nämnd.kommun, nytt)):
        öppning.resultat.händelser.append(f"Rapportlayouter kopierade till {nytt}: {n}.")
    öppning.resultat.jämförelser = _jämförelser(user, nämnd, nytt)
    return öppning.resultat


class _Öppning:
    """The state of one opening: the areas of ``från_år`` (locked), the chosen actions, the problems found and,
    once checked, the areas created. ``granska`` collects every problem before anything is written."""

    def __init__(self, user, nämnd: Nämnd, från_år: int, nya: list[NyttOmråde]):
        self.user, self.nämnd, self.från_år, self.nytt = user, nämnd, från_år, från_år + 1
        self.orsak = f"Öppna nytt år {self.nytt}"
        self.resultat = Resultat(från_år, self.nytt)
        self.områden = {
            o.id: o for o in Verksamhetsområde.objects.select_for_update().filter(nämnd=nämnd).filter(_giltiga(från_år))
        }
        # Areas that already start next year (created by hand) can be targets too.
        self.redan_nya = {o.id: o for o in Verksamhetsområde.objects.filter(nämnd=nämnd, från_år=self.nytt)}
        self.fel: list[str] = []
        self.nya = nya
        self.nya_per_nyckel: dict[str, NyttOmråde] = {}
        self.för: dict[int, Åtgärd] = {}
        self.mål_för: dict[int, tuple] = {}
        self.skapade_nya: dict[str, Verksamhetsområde] = {}
        self.omdöpta: dict[int, Verksamhetsområde] = {}

    # --- reading and checking the choices ---------------------------------------------------------------------

    def läs_åtgärder(self, mappning: Mapping) -> None:
        åtgärder: dict[int, Åtgärd] = {}
        for nyckel, värde in mappning.items():
            try:
                vo_id = int(nyckel)
                å = åtgärd(värde)
            except (TypeError, ValueError):
                self.fel.append(f"Ogiltig åtgärd {värde!r} för {nyckel!r}.")
                continue
            if vo_id not in self.områden:
                self.fel.append(f"Verksamhetsområde {vo_id} finns inte i {self.nämnd.namn} {self.från_år}.")
            elif å.typ not in dict(ÅTGÄRDER):
                self.fel.append(f"Okänd åtgärd {å.typ!r} för {self.områden[vo_id].namn}.")
            else:
                åtgärder[vo_id] = å
        self.för = {vo_id: åtgärder.get(vo_id, Åtgärd()) for vo_id in self.områden}
        for n in self.nya:
            if not n.namn.strip():
                self.fel.append("Ett nytt verksamhetsområde saknar namn.")
            if n.nyckel in self.nya_per_nyckel:
                self.fel.append(f"Två nya verksamhetsområden har nyckeln {n.nyckel!r}.")
            self.nya_per_nyckel[n.nyckel] = n

    def granska(self) -> None:
        """Every problem of the choices at once, as one ValidationError; nothing is written before."""
        for vo_id, å in self.för.items():
            o = self.områden[vo_id]
            if å.typ in MED_MÅL:
                self._granska_mål(vo_id, o, å)
            elif å.typ == BYT_NAMN:
                self._granska_namn(o, å)
            if å.typ in MED_MÅL and o.typ == Verksamhetsområde.Typ.BLOCK:
                self.fel.append(f"{o.namn} är ett block: välj åtgärd för verksamheterna under det och avsluta blocket.")
            self._granska_träd(o, å)
        for n in self.nya:
            if n.förälder not in (None, ""):
                ref = self.referens(n.förälder, n.namn, som_förälder=True)
                if ref and ref[0] == "ny" and ref[1] == n.nyckel:
                    self.fel.append(f"{n.namn} kan inte ligga under sig självt.")
        if self.fel:
            raise ValidationError(self.fel)

    def _granska_mål(self, vo_id: int, o: Verksamhetsområde, å: Åtgärd) -> None:
        if å.till in (None, ""):
            vart = "flyttas till" if å.typ == FLYTTA else "slås ihop med"
            self.fel.append(f"{o.namn}: välj vilket verksamhetsområde det ska {vart}.")
            return
        if str(å.till) == str(vo_id):
            self.fel.append(f"{o.namn}: kan inte flyttas till eller slås ihop med sig självt.")
            return
        ref = self.referens(å.till, o.namn)
        if ref is not None:
            self.mål_för[vo_id] = ref

    def _granska_namn(self, o: Verksamhetsområde, å: Åtgärd) -> None:
        if not å.namn.strip():
            self.fel.append(f"{o.namn}: ange det nya namnet.")
        elif å.namn.strip() == o.namn:
            self.fel.append(f"{o.namn}: det nya namnet är detsamma som det gamla.")

    def _granska_träd(self, o: Verksamhetsområde, å: Åtgärd) -> None:
        """The tree must hold next year: an area there (kept, or moved and shown with budget 0) needs a kept
        parent; a renamed one a kept or renamed parent."""
        förälder_typ = self.för[o.förälder_id].typ if o.förälder_id in self.för else BEHÅLL
        finns_kvar = å.typ in (BEHÅLL, FLYTTA) and förälder_typ != BEHÅLL
        döps_om = å.typ == BYT_NAMN and förälder_typ not in (BEHÅLL, BYT_NAMN)
        if finns_kvar or döps_om:
            self.fel.append(
                f"{o.namn} ska finnas {self.nytt} men {self.områden[o.förälder_id].namn}, som det ligger under, "
                "gör det inte. Välj en åtgärd även för det."
            )

    def namn_på(self, ref) -> str:
        if isinstance(ref, str) and ref in self.nya_per_nyckel:
            return self.nya_per_nyckel[ref].namn
        o = self.områden.get(ref) or self.redan_nya.get(ref)
        return o.namn if o else str(ref)

    def referens(self, ref, för_vem: str, som_förälder: bool = False):
        """An area valid next year: ("ny", key) for a new area, ("id", id) for an existing one, ("omdöpt", id) for
        the area that replaces a renamed one; else None (and the problem noted)."""
        if ref in (None, ""):
            return None
        if isinstance(ref, str) and ref in self.nya_per_nyckel:
            return ("ny", ref)
        try:
            ref = int(ref)
        except (TypeError, ValueError):
            self.fel.append(f"{för_vem}: okänt verksamhetsområde {ref!r}.")
            return None
        if ref not in self.områden and ref not in self.redan_nya:
            self.fel.append(f"{för_vem}: verksamhetsområde {ref} finns inte i {self.nämnd.namn} {self.från_år}.")
            return None
        if (self.områden.get(ref) or self.redan_nya[ref]).typ == Verksamhetsområde.Typ.BLOCK and not som_förälder:
            self.fel.append(f"{för_vem}: {self.namn_på(ref)} är ett block; välj en verksamhet eller enhet.")
            return None
        if ref in self.redan_nya:
            return ("id", ref)
        mål_åtgärd = self.för[ref]
        if mål_åtgärd.typ == BYT_NAMN:
            return ("omdöpt", ref)
        if mål_åtgärd.typ != BEHÅLL:
            åtgärdstext = dict(ÅTGÄRDER)[mål_åtgärd.typ].lower()
            self.fel.append(f"{för_vem}: {self.områden[ref].namn} finns inte kvar {self.nytt} ({åtgärdstext}).")
            return None
        return ("id", ref)

    # --- writing ----------------------------------------------------------------------------------------------

    def spara(self, o: Verksamhetsområde, **ändra) -> None:
        for k, v in ändra.items():
            setattr(o, k, v)
        o._history_user = self.user
        o._change_reason = self.orsak
        o.full_clean()
        o.save()

    def hämta(self, ref) -> Verksamhetsområde:
        slag, värde = ref
        if slag == "ny":
            return self.skapa_ny(self.nya_per_nyckel[värde])
        if slag == "omdöpt":
            return self.döp_om(värde)
        return self.områden.get(värde) or self.redan_nya[värde]

    def skapa_ny(self, n: NyttOmråde, kedja: tuple[str, ...] = ()) -> Verksamhetsområde:
        if n.nyckel in self.skapade_nya:
            return self.skapade_nya[n.nyckel]
        if n.nyckel in kedja:
            raise ValidationError(f"De nya verksamhetsområdena {', '.join(kedja)} ligger under varandra.")
        förälder = None
        if n.förälder not in (None, ""):
            ref = self.referens(n.förälder, n.namn, som_förälder=True)
            förälder = (
                self.skapa_ny(self.nya_per_nyckel[ref[1]], (*kedja, n.nyckel)) if ref[0] == "ny" else self.hämta(ref)
            )
        ordning = (förälder.ordning + 1) if förälder else 0
        o = Verksamhetsområde(
            nämnd=self.nämnd, förälder=förälder, namn=n.namn.strip(), typ=n.typ, ordning=ordning, från_år=self.nytt
        )
        self.spara(o)
        self.skapade_nya[n.nyckel] = o
        self.resultat.händelser.append(f"Nytt verksamhetsområde {o.namn} från {self.nytt}.")
        return o

    def döp_om(self, vo_id: int) -> Verksamhetsområde:
        if vo_id in self.omdöpta:
            return self.omdöpta[vo_id]
        gammal = self.områden[vo_id]
        förälder = gammal.förälder
        if gammal.förälder_id in self.områden and self.för[gammal.förälder_id].typ == BYT_NAMN:
            förälder = self.döp_om(gammal.förälder_id)
        ny = Verksamhetsområde(
            nämnd=self.nämnd,
            förälder=förälder,
            namn=self.för[vo_id].namn.strip(),
            typ=gammal.typ,
            ordning=gammal.ordning,
            ansvarskoder=gammal.ansvarskoder,
            verksamhetskoder=gammal.verksamhetskoder,
            från_år=self.nytt,
        )
        self.spara(ny)
        ny.föregångare.add(gammal)
        self.omdöpta[vo_id] = ny
        return ny

    def genomför(self) -> None:
        """The new areas first (they may be targets), then each area's action in the order of the areas."""
        for n in self.nya:
            self.skapa_ny(n)
        händelser = self.resultat.händelser
        for vo_id, å in self.för.items():
            o = self.områden[vo_id]
            if å.typ == BEHÅLL:
                if o.till_år is not None and o.till_år < self.nytt:
                    self.spara(o, till_år=None)
                    händelser.append(f"{o.namn}: gällde t.o.m. {self.från_år}, gäller nu tills vidare.")
            elif å.typ == AVSLUTA:
                self.spara(o, till_år=self.från_år)
                händelser.append(f"{o.namn}: avslutas efter {self.från_år}.")
            elif å.typ == BYT_NAMN:
                ny = self.döp_om(vo_id)
                self.spara(o, till_år=self.från_år)
                händelser.append(f"{o.namn}: heter {ny.namn} från {self.nytt} (jämförs med {o.namn}).")
            else:
                self._flytta_eller_slå_ihop(o, å, self.hämta(self.mål_för[vo_id]))

    def _flytta_eller_slå_ihop(self, o: Verksamhetsområde, å: Åtgärd, mål: Verksamhetsområde) -> None:
        """``mål`` takes over ``o``'s figures as "föregående år" and its import codes."""
        if mål.från_år is None or mål.från_år < self.nytt:
            mål.föregångare.add(mål)  # keeps its own last-year figures next to the predecessor's
        mål.föregångare.add(o)
        koder_före = (mål.ansvarskoder, mål.verksamhetskoder)
        mål.ansvarskoder = _lägg_till_koder(mål.ansvarskoder, o.ansvarskoder)
        mål.verksamhetskoder = _lägg_till_koder(mål.verksamhetskoder, o.verksamhetskoder)
        if (mål.ansvarskoder, mål.verksamhetskoder) != koder_före:
            self.spara(mål)
        fg = f"utfallet {self.från_år} räknas som föregående år för {mål.namn}."
        if å.typ != FLYTTA:
            self.spara(o, till_år=self.från_år)
            self.resultat.händelser.append(f"{o.namn}: slås ihop med {mål.namn} efter {self.från_år}; {fg}")
            return
        self.spara(o, till_år=self.nytt)
        skapad = not Budgetpost.objects.filter(
            verksamhetsområde=o, år=self.nytt, slag=Budgetpost.Slag.KF_BUDGET, kategori=""
        ).exists()
        if skapad:
            b = Budgetpost(
                verksamhetsområde=o,
                år=self.nytt,
                slag=Budgetpost.Slag.KF_BUDGET,
                belopp=Decimal(0),
                kommentar=f"Flyttad till {mål.namn}",
            )
            b._history_user, b._change_reason = self.user, self.orsak
            b.save()
        fanns = "" if skapad else f" (budget för {self.nytt} fanns redan)"
        self.resultat.händelser.append(
            f"{o.namn}: flyttas till {mål.namn}. Visas {self.nytt} med budget 0{fanns}; {fg}"
        )

    def förläng_mål(self, förläng_mål: Iterable[int] | None) -> None:
        mål_qs = Mål.objects.filter(nämnd=self.nämnd, till_år=self.från_år)
        if förläng_mål is not None:
            mål_qs = mål_qs.filter(pk__in=list(förläng_mål))
        for m in mål_qs.order_by("ordning", "id"):
            m.till_år = self.nytt
            m.save(update_fields=["till_år"])
            self.resultat.förlängda_mål.append(m.namn)
        if self.resultat.förlängda_mål:
            self.resultat.händelser.append(
                f"Mål som gällde t.o.m. {self.från_år} gäller nu t.o.m. {self.nytt}: "
                + ", ".join(self.resultat.förlängda_mål)
                + "."
            )


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
