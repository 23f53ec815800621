"""Budget import: one row per verksamhetsområde, år, slag (and kategori), with optional exact amounts per month
(jan–dec in kronor) or a period budget (months 1..t.o.m.), stored exactly on the post (``Budgetpost.jan_kr`` …;
docs/beslut.md, "Exakt periodbudget och ingen budget"). An empty amount cell is "ingen budget": nothing is stored.

Jämförelsetal: a row of the year before a nämnd's first year (a nämnd created by a split) is accepted for the
nämnd's områden valid in its first year: it is the "budget föregående år" of that year's verksamhetsplan, and it
is guarded as that year's budget (``jämförelseändring``), not by the closed or fastställd year it is dated
(docs/beslut.md, "Föregående år efter en delning")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from ekonomi import berakning
from ekonomi.berakning import ÖRE
from ekonomi.models import MÅNADER, MÅNADSFÄLT, Budgetpost, Periodiseringsprofil
from grund.tal import BELOPP, Talfel
from nämnd.models import Kommun, Nämnd, Verksamhetsområde
from nämnd.vakt import Slag, Ändring
from rapporter.format import tal as formatera_tal

from ..lasare import Bladrader, rubrik_och_enhet
from ..models import Importtyp
from ..resources import BudgetResource, period_i_rubrik
from ..utfall import jämförelseår
from .ramverk import (
    SÖK_RUBRIK_RADER,
    Importtypdef,
    Låsning,
    Områden,
    Plan,
    Postplan,
    Radfel,
    _dubblett,
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
        tabeller, perioder = periodrubriker(tabeller)

        def efter(rad, karta, tolkat, celler):
            def fel(fält: str | None, text: str) -> bool:
                kol = karta.ref(fält) if fält in karta.index else None
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, text))
                return False

            for fält in ("belopp", "periodbudget", *MÅNADER):
                if rad.get(fält) is not None and fält in karta.index:
                    try:
                        rad[fält] = i_lagrad_enhet(rad[fält], karta, "belopp" if fält in MÅNADER else fält, BELOPP)
                    except Talfel as e:
                        return fel(fält, str(e))
            månader = [rad.pop(m, None) for m in MÅNADER]
            rad["månader"] = månader if any(v is not None for v in månader) else None
            if tom(rad.get("område")) and tom(rad.get("ansvar")) and tom(rad.get("verksamhet")):
                return fel("område" if "område" in karta.index else "ansvar", "Ange verksamhetsområde.")
            for fält, text in (("år", "Ange år."), ("slag", "Ange slag.")):
                if tom(rad.get(fält)):
                    return fel(fält, text)
            if (fel_ := beloppen(rad, perioder.get(rad["blad"]))) is not None:
                return fel(*fel_)
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
        standard = standardvikter(ctx.kommun)
        slagnamn = dict(Budgetpost.Slag.choices)
        sedda: dict = {}
        summa = Decimal(0)
        ingen_budget = 0
        for rad in tolkat.rader:
            område, fel = hitta_område(områden, rad, rad["år"])
            if fel:
                plan.fel.append(tolkat.fel_för(rad, "område" if rad.get("område") else "ansvar", fel))
                continue
            slag, kategori = rad["slag"], rad.get("kategori", "")
            kommentar = rad.get("kommentar")
            if slag == "tillägg" and not (kommentar or "").strip() and not rad.get("ingen_budget"):
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
            beskrivning = _beskrivning(område, rad, slagnamn[slag])
            post, fel = _lagrad(rad, nyckel, område, tillägg, per_nyckel)
            if fel:
                plan.fel.append(tolkat.fel_för(rad, "kommentar", fel))
                continue
            if rad.get("ingen_budget"):
                ingen_budget += 1
                plan.noteringar.append(_ingen_budget(rad, beskrivning, post))
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
            månader = radens_månader(rad, post.profil.vikter if post is not None and post.profil else standard)
            if post is None:
                post = Budgetpost(
                    verksamhetsområde=område,
                    år=rad["år"],
                    slag=slag,
                    kategori=kategori,
                    belopp=belopp,
                    kommentar=(kommentar or "").strip(),
                )
                post.månader = månader
                ändringar, fält = [(beskrivning, "", visa(belopp)), *månadsändringar(beskrivning, None, månader)], []
            else:
                ändringar, fält = _ändra(post, beskrivning, rad, belopp, månader)
            if ändringar:
                slag = Slag.TILLÄGG if post.slag == Budgetpost.Slag.TILLÄGG else Slag.BUDGET
                if (stängt := låsning.fel(område.nämnd, jämförelseändring(område.nämnd, slag, rad["år"]))) is not None:
                    plan.fel.append(tolkat.fel_för(rad, None, stängt))
                    continue
                plan.poster.append(Postplan(post, post.pk is None, tuple(fält), ändringar))
            else:
                plan.oförändrade += 1
        if ingen_budget:
            plan.noteringar.insert(
                0, f"{ingen_budget} {'rad har' if ingen_budget == 1 else 'rader har'} ingen budget (tom beloppscell)."
            )
        plan.summa = importsumma(plan, summa)
        return plan


def _lagrad(
    rad: dict, nyckel: tuple, område: Verksamhetsområde, tillägg: dict, per_nyckel: dict
) -> tuple[Budgetpost | None, str | None]:
    """The stored post a row changes (None: a new one), or an error: a tillägg is found by its comment."""
    if rad["slag"] != "tillägg":
        return per_nyckel.get(nyckel), None
    träffar = tillägg.get(nyckel[:2] + (nyckel[3],), [])
    if len(träffar) > 1:
        return None, (
            f"Det finns redan {len(träffar)} tillägg med kommentaren {rad.get('kommentar')!r} för {område.namn} "
            f"{rad['år']}. Ändra dem i administrationen eller ge dem olika kommentarer."
        )
    return (träffar[0] if träffar else None), None


def _beskrivning(område: Verksamhetsområde, rad: dict, slagnamn: str) -> str:
    slag, kategori, kommentar = rad["slag"], rad.get("kategori", ""), rad.get("kommentar")
    kategorinamn = dict(Budgetpost._meta.get_field("kategori").choices)
    return (
        f"{område.namn} {rad['år']} {slagnamn}"
        + (f" ({kategorinamn[kategori]})" if kategori and slag != "tillägg" else "")
        + (f" – {kommentar}" if slag == "tillägg" else "")
    )


def _ingen_budget(rad: dict, beskrivning: str, post: Budgetpost | None) -> str:
    lagrad = f"; den lagrade budgeten ({visa(post.belopp)} kr) lämnas orörd" if post is not None else ""
    return (
        f"Rad {rad['rad']}{' på bladet ' + rad['blad'] if rad['blad'] else ''}: {beskrivning}: "
        f"ingen budget (tom beloppscell), inget lagras{lagrad}."
    )


def beloppen(rad: dict, period_i_rubriken: int | None) -> tuple[str, str] | None:
    """Check and complete a row's amounts (helår ``belopp``, exact ``månader``, ``periodbudget`` through ``t_o_m``):
    an error as (field, text), or None. No amount at all is "ingen budget" (``rad["ingen_budget"]``), not 0 and
    not an error. Months without helår: helår is their sum. Shared by the budget imports."""
    if rad.get("periodbudget") is not None:
        if rad.get("månader") is not None:
            return "periodbudget", "Ange antingen månadsbelopp eller en periodbudget, inte båda."
        rad["t_o_m"] = rad.get("t_o_m") or period_i_rubriken
        if not rad["t_o_m"]:
            return "periodbudget", (
                "Periodbudgetens sista månad saknas: lägg till kolumnen ”T.o.m. månad” eller skriv månaderna i "
                "rubriken (till exempel ”Budget jan–aug (kr)”)."
            )
        if rad.get("belopp") is None:
            return "belopp", "Helårsbeloppet saknas. Ange helårsbudgeten bredvid periodbudgeten."
    if rad.get("belopp") is None and rad.get("månader") is None and rad.get("periodbudget") is None:
        rad["ingen_budget"] = True
        return None
    if rad.get("månader") is not None:
        summa = sum((Decimal(v) for v in rad["månader"] if v is not None), Decimal(0))
        if not BELOPP.ryms(summa):
            return "belopp", f"Summan av månaderna blir {visa(summa)} kr och {BELOPP.för_stort(summa).orsak}."
        if (
            None not in rad["månader"]
            and rad.get("belopp") is not None
            and abs(Decimal(rad["belopp"]) - summa) > Decimal("0.5")
        ):
            return "belopp", (
                f"Summan av månaderna ({visa(summa)} kr) är inte lika med beloppet ({visa(Decimal(rad['belopp']))} kr)."
            )
        if rad.get("belopp") is None:
            rad["belopp"] = str(summa)
    return None


def standardvikter(kommun: Kommun) -> tuple[Decimal, ...] | None:
    """The weights of the kommun's standard periodiseringsprofil, or None (even spread). One query."""
    p = Periodiseringsprofil.objects.filter(kommun=kommun, standard=True).first()
    return tuple(p.vikter) if p is not None else None


def periodrubriker(tabeller: list[Bladrader]) -> tuple[list[Bladrader], dict[str, int]]:
    """Period budget columns named by their months ("Budget jan–aug (kr)"): the header cell is read as the column
    Periodbudget (in its unit) and the period's last month remembered per sheet. The tables given are not
    changed (a copy of the header rows)."""
    ut, perioder = [], {}
    for tabell in tabeller:
        rader = []
        for i, (nummer, celler) in enumerate(tabell.rader):
            if i < SÖK_RUBRIK_RADER and any(isinstance(c, str) for c in celler):
                nya = list(celler)
                for j, c in enumerate(celler):
                    bas, enhet = rubrik_och_enhet(c) if isinstance(c, str) else ("", None)
                    if bas and (månad := period_i_rubrik(bas)) is not None:
                        nya[j] = f"Periodbudget ({enhet})" if enhet else "Periodbudget"
                        perioder.setdefault(tabell.namn, månad)
                celler = nya
            rader.append((nummer, celler))
        ut.append(Bladrader(tabell.namn, rader))
    return ut, perioder


def radens_månader(rad: dict, vikter: tuple[Decimal, ...] | list[Decimal] | None) -> list[Decimal | None] | None:
    """The exact months a row stores: its month columns, or its period budget spread over months 1..t.o.m. by
    ``vikter`` with the remainder on the last month (``berakning.fördela_exakt``: the sum is the file's to the
    öre); None when the row gives neither (the stored distribution is kept)."""
    if rad.get("månader") is not None:
        return [None if v is None else Decimal(v).quantize(ÖRE) for v in rad["månader"]]
    if rad.get("periodbudget") is not None:
        t_o_m = int(rad["t_o_m"])
        period = Decimal(rad["periodbudget"]).quantize(ÖRE)
        return [*berakning.fördela_exakt(period, vikter, t_o_m), *([None] * (12 - t_o_m))]
    return None


def periodtext(månader: Sequence[Decimal | None] | None) -> str:
    """The exact months as the preview shows them: "jan–aug 12 345 678,90 kr"; "–" for none."""
    if not månader or all(v is None for v in månader):
        return "–"
    exakta = [i + 1 for i, v in enumerate(månader) if v is not None]
    summa = sum((v for v in månader if v is not None), Decimal(0))
    if exakta == list(range(1, exakta[-1] + 1)):
        spann = berakning.månadsspann(exakta[-1])
    else:
        spann = ", ".join(MÅNADER[m - 1] for m in exakta)
    return f"{spann} {formatera_belopp(summa)} kr"


def månadstext(månader: Sequence[Decimal | None] | None) -> str:
    if not månader or all(v is None for v in månader):
        return "–"
    return ", ".join(f"{MÅNADER[i]} {formatera_belopp(v)}" for i, v in enumerate(månader) if v is not None)


def formatera_belopp(v: Decimal) -> str:
    """Kronor with öre, as the file's period budget is compared to the krona: "12 345 678,90"."""
    return formatera_tal(v, 2)


def månadsändringar(
    beskrivning: str, gamla: Sequence[Decimal | None] | None, nya: Sequence[Decimal | None] | None
) -> list[tuple[str, str, str]]:
    """Preview lines for changed exact months: the period budget and the months."""
    if _normalt(gamla) == _normalt(nya):
        return []
    return [
        (f"{beskrivning}: periodbudget", periodtext(gamla), periodtext(nya)),
        (f"{beskrivning}: månader (kr)", månadstext(gamla), månadstext(nya)),
    ]


def _normalt(månader) -> tuple | None:
    if not månader or all(v is None for v in månader):
        return None
    return tuple(None if v is None else Decimal(v).quantize(ÖRE) for v in månader)


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


def hitta_område(områden: Områden, rad: dict, år: int) -> tuple[Verksamhetsområde | None, str | None]:
    """The row's område in ``år`` by name or ansvar/verksamhet codes (``Områden.hitta_rad``); for the year before
    its nämnd's first year (jämförelsetal) the område valid in the first year."""
    område, fel = områden.hitta_rad(rad, år)
    if fel:
        nästa, _ = områden.hitta_rad(rad, år + 1)
        if nästa is not None and år == jämförelseår(nästa.nämnd):
            return nästa, None
    return område, fel


def jämförelseändring(nämnd: Nämnd, slag: Slag, år: int) -> Ändring:
    """What the edit guard is asked for a budget of ``år``: a jämförelsetal as the budget of the year that shows it
    (every report of that year, the verksamhetsplan too, may show last year's budget)."""
    if år == jämförelseår(nämnd):
        return Ändring(Slag.BUDGET, år + 1)
    return Ändring(slag, år)


def _ändra(
    post: Budgetpost, beskrivning: str, rad: dict, belopp: Decimal, månader: list[Decimal | None] | None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Apply a row to a stored post: the preview lines and the changed fields. Without months in the row the
    post's exact months are kept, unless all twelve are exact and no longer add up to the new helår (then the
    year is spread by the profile again)."""
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
    gamla = post.månader
    if månader is None and gamla is not None and None not in gamla and sum(gamla, Decimal(0)) != belopp:
        månader = [None] * 12
    if månader is not None and (nya := månadsändringar(beskrivning, gamla, månader)):
        ändringar += nya
        post.månader = månader
        fält += MÅNADSFÄLT
    return ändringar, fält
