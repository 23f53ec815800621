"""Budget import: one row per verksamhetsområde, år, slag (and kategori), with an optional monthly
distribution that becomes a Periodiseringsprofil.

Jämförelsetal: a row of the year before a nämnd's first year (a nämnd created by a split) is accepted for the
nämnd's områden valid in its first year: it is the "budget föregående år" of that year's verksamhetsplan, and it
is guarded as that year's budget (``jämförelseändring``), not by the closed or fastställd year it is dated
(docs/beslut.md, "Föregående år efter en delning")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from ekonomi.models import MÅNADER, Budgetpost, Periodiseringsprofil
from grund.tal import BELOPP, Talfel
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from nämnd.vakt import Slag, Ändring

from ..models import Importtyp
from ..resources import BudgetResource
from ..utfall import jämförelseår
from .ramverk import (
    Importtypdef,
    Låsning,
    Områden,
    Plan,
    Postplan,
    Radfel,
    _dubblett,
    _kort,
    i_lagrad_enhet,
    importsumma,
    tom,
    visa,
)


class Budgetimport(Importtypdef):
    typ = Importtyp.BUDGET
    titel = "Budget"
    resurs = BudgetResource

    def tolka_tabeller(self, tabeller, profil):
        def efter(rad, karta, tolkat, celler):
            for fält in ("belopp", *MÅNADER):
                if rad.get(fält) is not None and fält in karta.index:
                    try:
                        rad[fält] = i_lagrad_enhet(rad[fält], karta, "belopp" if fält in MÅNADER else fält, BELOPP)
                    except Talfel as e:
                        tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref(fält), str(e)))
                        return False
            månader = [rad.pop(m, None) for m in MÅNADER]
            rad["månader"] = månader if any(v is not None for v in månader) else None
            for fält, text in (("område", "Ange verksamhetsområde."), ("år", "Ange år."), ("slag", "Ange slag.")):
                if tom(rad.get(fält)):
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref(fält), text))
                    return False
            if rad.get("belopp") is None and rad["månader"] is None:
                kol = karta.ref("belopp") if "belopp" in karta.index else None
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, "Belopp saknas."))
                return False
            if rad["månader"] is not None:
                summa = sum((Decimal(v) for v in rad["månader"] if v is not None), Decimal(0))
                if not BELOPP.ryms(summa):
                    kol = karta.ref("belopp") if "belopp" in karta.index else None
                    tolkat.fel.append(
                        Radfel(
                            rad["blad"] or None,
                            rad["rad"],
                            kol,
                            (f"Summan av månaderna blir {visa(summa)} kr och {BELOPP.för_stort(summa).orsak}."),
                        )
                    )
                    return False
                if rad.get("belopp") is not None and abs(Decimal(rad["belopp"]) - summa) > Decimal("0.5"):
                    tolkat.fel.append(
                        Radfel(
                            rad["blad"] or None,
                            rad["rad"],
                            karta.ref("belopp"),
                            (
                                f"Summan av månaderna ({visa(summa)} kr) är inte lika med beloppet "
                                f"({visa(Decimal(rad['belopp']))} kr)."
                            ),
                        )
                    )
                    return False
                rad["belopp"] = str(summa if rad.get("belopp") is None else Decimal(rad["belopp"]))
            return True

        return self.tolka_med_resurs(tabeller, profil, efter)

    def planera(self, ctx, tolkat):
        plan = Plan()
        områden = Områden(ctx.nämnder)
        låsning = Låsning()
        år_i_fil = {r["år"] for r in tolkat.rader}
        befintliga = list(
            ctx.låst(Budgetpost.objects.filter(verksamhetsområde__in=områden.alla, år__in=år_i_fil)).select_related(
                "profil"
            )
        )
        per_nyckel, uppdelade = _per_nyckel(befintliga)
        tillägg: dict[tuple, list[Budgetpost]] = defaultdict(list)
        for b in befintliga:
            if b.slag == "tillägg":
                tillägg[(b.verksamhetsområde_id, b.år, b.kommentar.strip())].append(b)
        profiler = Profiler(ctx.kommun)
        slagnamn = dict(Budgetpost.Slag.choices)
        sedda: dict = {}
        summa = Decimal(0)
        for rad in tolkat.rader:
            område, fel = hitta_område(områden, rad["område"], rad["år"])
            if fel:
                plan.fel.append(tolkat.fel_för(rad, "område", fel))
                continue
            slag, kategori = rad["slag"], rad.get("kategori", "")
            kommentar = rad.get("kommentar")
            if slag == "tillägg" and not (kommentar or "").strip():
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        "kommentar" if "kommentar" in tolkat.kolumner.get(rad["blad"], {}) else None,
                        "Tillägg och avdrag kräver en kommentar (skälet).",
                    )
                )
                continue
            nyckel = (område.pk, rad["år"], slag, (kommentar or "").strip() if slag == "tillägg" else kategori)
            if (första := _dubblett(sedda, nyckel, rad)) is not None:
                vad = f"{område.namn}, {rad['år']}, {slagnamn[slag]}" + (
                    f", {kommentar!r}" if slag == "tillägg" else ""
                )
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        None,
                        f"Samma nyckel ({vad}) finns redan på rad {första}. "
                        "En nyckel får bara förekomma en gång i filen.",
                    )
                )
                continue
            if nyckel in uppdelade:
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        "område",
                        f"Budgeten för {område.namn} {rad['år']} är fördelad per kostnadsslag. Ändra den med "
                        "importen av ekonomisystemets budgetexport (ansvar och konto), så räknas ingen budget två gånger.",
                    )
                )
                continue
            belopp = Decimal(rad["belopp"]).quantize(Decimal("0.01"))
            summa += belopp
            beskrivning = (
                f"{område.namn} {rad['år']} {slagnamn[slag]}"
                + (
                    f" ({dict(Budgetpost._meta.get_field('kategori').choices)[kategori]})"
                    if kategori and slag != "tillägg"
                    else ""
                )
                + (f" – {kommentar}" if slag == "tillägg" else "")
            )
            if slag == "tillägg":
                träffar = tillägg.get(nyckel[:2] + (nyckel[3],), [])
                if len(träffar) > 1:
                    plan.fel.append(
                        tolkat.fel_för(
                            rad,
                            "kommentar",
                            (
                                f"Det finns redan {len(träffar)} tillägg med kommentaren {kommentar!r} för {område.namn} "
                                f"{rad['år']}. Ändra dem i administrationen eller ge dem olika kommentarer."
                            ),
                        )
                    )
                    continue
                post = träffar[0] if träffar else None
            else:
                post = per_nyckel.get(nyckel)
            profil, profilfel = profiler.för(rad["månader"], beskrivning) if rad["månader"] else (None, None)
            if profilfel:
                plan.fel.append(tolkat.fel_för(rad, "belopp", profilfel))
                continue
            if post is None:
                post = Budgetpost(
                    verksamhetsområde=område,
                    år=rad["år"],
                    slag=slag,
                    kategori=kategori,
                    belopp=belopp,
                    kommentar=(kommentar or "").strip(),
                    profil=profil,
                )
                ändringar, fält = _nya_ändringar(beskrivning, belopp, profil), []
            else:
                ändringar, fält = _ändra(post, beskrivning, rad, belopp, profil)
            if ändringar:
                slag = Slag.TILLÄGG if post.slag == Budgetpost.Slag.TILLÄGG else Slag.BUDGET
                if (stängt := låsning.fel(område.nämnd, jämförelseändring(område.nämnd, slag, rad["år"]))) is not None:
                    plan.fel.append(tolkat.fel_för(rad, None, stängt))
                    continue
                plan.poster.append(Postplan(post, post.pk is None, tuple(fält), ändringar))
            else:
                plan.oförändrade += 1
        plan.poster[:0] = profiler.nya_poster()
        plan.summa = importsumma(plan, summa)
        return plan


def _per_nyckel(befintliga: list[Budgetpost]) -> tuple[dict[tuple, Budgetpost], set[tuple]]:
    """Stored posts (not tillägg) by (område, år, slag, kategori), and the keys whose budget is split per
    kostnadsslag (the ekonomisystem's budget export, ``budget_konto``): those are not also given as one amount."""
    per_nyckel, uppdelade = {}, set()
    for b in befintliga:
        if b.slag == "tillägg":
            continue
        nyckel = (b.verksamhetsområde_id, b.år, b.slag, b.kategori)
        if b.kostnadsslag_id is None:
            per_nyckel[nyckel] = b
        else:
            uppdelade.add(nyckel)
    return per_nyckel, uppdelade


def hitta_område(områden: Områden, text: str, år: int) -> tuple[Verksamhetsområde | None, str | None]:
    """The row's område in ``år``; for the year before its nämnd's first year (jämförelsetal) the område valid in
    the first year."""
    område, fel = områden.hitta(text, år)
    if fel:
        nästa, _ = områden.hitta(text, år + 1)
        if nästa is not None and år == jämförelseår(nästa.nämnd):
            return nästa, None
    return område, fel


def jämförelseändring(nämnd: Nämnd, slag: Slag, år: int) -> Ändring:
    """What the edit guard is asked for a budget of ``år``: a jämförelsetal as the budget of the year that shows it
    (every report of that year, the verksamhetsplan too, may show last year's budget)."""
    if år == jämförelseår(nämnd):
        return Ändring(Slag.BUDGET, år + 1)
    return Ändring(slag, år)


def _nya_ändringar(
    beskrivning: str, belopp: Decimal, profil: Periodiseringsprofil | None
) -> list[tuple[str, str, str]]:
    ändringar = [(beskrivning, "", visa(belopp))]
    if profil is not None:
        ändringar.append((f"{beskrivning}: periodisering", "", profil.namn))
    return ändringar


def _ändra(
    post: Budgetpost, beskrivning: str, rad: dict, belopp: Decimal, profil: Periodiseringsprofil | None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Apply a row to a stored post: the preview lines and the changed fields."""
    slag, kategori, kommentar = rad["slag"], rad.get("kategori", ""), rad.get("kommentar")
    ändringar, fält = [], []
    if post.belopp != belopp:
        ändringar.append((beskrivning, visa(post.belopp), visa(belopp)))
        post.belopp = belopp
        fält.append("belopp")
    if kommentar and slag != "tillägg" and post.kommentar != kommentar.strip():
        ändringar.append((f"{beskrivning}: kommentar", visa(post.kommentar), visa(kommentar.strip())))
        post.kommentar = kommentar.strip()
        fält.append("kommentar")
    if slag == "tillägg" and kategori and post.kategori != kategori:
        ändringar.append((f"{beskrivning}: budgetkategori", visa(post.kategori), visa(kategori)))
        post.kategori = kategori
        fält.append("kategori")
    if rad["månader"] is not None and (
        profil is None and post.profil_id is not None or profil is not None and profil.pk != post.profil_id
    ):
        ändringar.append(
            (
                f"{beskrivning}: periodisering",
                post.profil.namn if post.profil else "jämn fördelning",
                profil.namn if profil else "jämn fördelning",
            )
        )
        post.profil = profil
        fält.append("profil")
    return ändringar, fält


class Profiler:
    """Periodiseringsprofiler of a kommun: an existing profile with the same monthly shares is reused,
    otherwise one new profile per distinct distribution in the file. Shares are stored in percent with four
    decimals (the model's precision); the periodised budget differs from the file's months by at most a few
    kronor on a large budget."""

    def __init__(self, kommun: Kommun):
        self.kommun = kommun
        self.befintliga = list(Periodiseringsprofil.objects.filter(kommun=kommun))
        self.namn = {p.namn for p in self.befintliga}
        self.nya: dict[tuple[Decimal, ...], Periodiseringsprofil] = {}

    @staticmethod
    def andelar(vikter: Iterable[Decimal]) -> tuple[Decimal, ...] | None:
        vikter = list(vikter)
        total = sum(vikter, Decimal(0))
        if total == 0:
            return None
        return tuple((v / total * 100).quantize(Decimal("0.0001")) for v in vikter)

    def för(self, månader: list[str | None], beskrivning: str) -> tuple[Periodiseringsprofil | None, str | None]:
        belopp = [Decimal(v) if v is not None else Decimal(0) for v in månader]
        total = sum(belopp, Decimal(0))
        if total == 0:
            return None, "Månadsbeloppen summerar till 0; ingen fördelning kan bildas."
        if any(b and (b > 0) != (total > 0) for b in belopp):
            return None, "Alla månadsbelopp måste ha samma tecken som helårsbeloppet för att bilda en fördelning."
        andelar = self.andelar(belopp)
        if len(set(andelar)) == 1:
            return None, None  # even spread: no profile
        for p in self.befintliga:
            if self.andelar(p.vikter) == andelar:
                return p, None
        if andelar not in self.nya:
            namn, n = _kort(f"Import: {beskrivning}", 95), 1
            bas = namn
            while namn in self.namn:
                n += 1
                namn = f"{bas} ({n})"
            self.namn.add(namn)
            self.nya[andelar] = Periodiseringsprofil(
                kommun=self.kommun, namn=namn, **dict(zip(MÅNADER, andelar, strict=True))
            )
        return self.nya[andelar], None

    def nya_poster(self) -> list[Postplan]:
        return [
            Postplan(
                p,
                True,
                (),
                [(f"Ny periodiseringsprofil {p.namn}", "", _kort(" / ".join(visa(v) for v in p.vikter) + " %", 100))],
            )
            for p in self.nya.values()
        ]
