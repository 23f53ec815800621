"""Helårsprognos import: one row per verksamhetsområde and prognostillfälle (month), belopp and kommentar."""

from __future__ import annotations

from decimal import Decimal

from ekonomi.models import Prognos
from grund.tal import BELOPP, Talfel
from nämnd.vakt import Slag, Ändring

from ..models import Importtyp
from ..resources import Månad, PrognosResource
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


class Prognosimport(Importtypdef):
    typ = Importtyp.PROGNOS
    titel = "Helårsprognos"
    resurs = PrognosResource

    # The prognostillfälle may be chosen on upload ("ÅÅÅÅ-MM", ``val["period"]``) for a file without a Månad column.
    period_vid_uppladdning = True

    def krav(self):
        krav = super().krav()
        return tuple(a for a in krav if a != ("månad",)) if self.val.get("period") else krav

    def tolka_tabeller(self, tabeller, profil):
        tomma = 0
        period = self.val.get("period")

        def efter(rad, karta, tolkat, celler):
            nonlocal tomma
            if rad.get("månad") is None and period:
                år, månad = (int(d) for d in period.split("-"))
                if rad.get("år") is not None and rad["år"] != år:
                    tolkat.fel.append(
                        Radfel(
                            rad["blad"] or None,
                            rad["rad"],
                            karta.ref("år"),
                            f"Året {rad['år']} hör inte till prognostillfället {period} som valdes vid uppladdningen.",
                        )
                    )
                    return False
                rad["år"], rad["månad"] = år, månad
            elif rad.get("månad") is not None:
                cell = celler[karta.index["månad"]]
                år_i_cell, _ = Månad.år_och_månad(cell)
                if rad.get("år") is None:
                    rad["år"] = år_i_cell
                elif år_i_cell is not None and år_i_cell != rad["år"]:
                    tolkat.fel.append(
                        Radfel(
                            rad["blad"] or None,
                            rad["rad"],
                            karta.ref("månad"),
                            f"Prognostillfället {cell} hör inte till året {rad['år']}.",
                        )
                    )
                    return False
            if all(tom(rad.get(f)) for f in ("område", "ansvar", "verksamhet")):
                fält = next((f for f in ("område", "ansvar", "verksamhet") if f in karta.index), None)
                kol = karta.ref(fält) if fält else None
                tolkat.fel.append(
                    Radfel(rad["blad"] or None, rad["rad"], kol, "Ange verksamhetsområde, ansvar eller verksamhet.")
                )
                return False
            for fält, text in (
                ("månad", "Ange prognostillfälle (månad)."),
                ("år", "Ange år (eller prognostillfället som ÅÅÅÅ-MM)."),
            ):
                if tom(rad.get(fält)):
                    kol = karta.ref(fält) if fält in karta.index else None
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, text))
                    return False
            if rad.get("belopp") is not None:
                try:
                    rad["belopp"] = i_lagrad_enhet(rad["belopp"], karta, "belopp", BELOPP)
                except Talfel as e:
                    tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("belopp"), str(e)))
                    return False
            if rad.get("belopp") is None and not rad.get("kommentar"):
                tomma += 1
                return False
            return True

        tolkat = self.tolka_med_resurs(tabeller, profil, efter)
        if tomma:
            tolkat.noteringar.append(f"{tomma} rader utan prognos och kommentar hoppades över.")
        return tolkat

    def planera(self, ctx, tolkat):
        plan = Plan()
        områden = Områden(ctx.nämnder)
        låsning = Låsning()
        befintliga = {
            (p.verksamhetsområde_id, p.år, p.månad): p
            for p in ctx.låst(
                Prognos.objects.filter(verksamhetsområde__in=områden.alla, år__in={r["år"] for r in tolkat.rader})
            )
        }
        sedda: dict = {}
        summa = Decimal(0)
        for rad in tolkat.rader:
            område, fel = områden.hitta_rad(rad, rad["år"])
            if fel or område is None:
                kol = next((f for f in ("ansvar", "verksamhet", "område") if rad.get(f)), "område")
                plan.fel.append(tolkat.fel_för(rad, kol, fel or ""))
                continue
            nyckel = (område.pk, rad["år"], rad["månad"])
            if (första := _dubblett(sedda, nyckel, rad)) is not None:
                plan.fel.append(
                    tolkat.fel_för(
                        rad,
                        None,
                        (
                            f"Samma nyckel ({område.namn}, {rad['år']}, prognostillfälle {rad['månad']}) finns redan på rad "
                            f"{första}. En nyckel får bara förekomma en gång i filen."
                        ),
                    )
                )
                continue
            beskrivning = f"{område.namn} prognos {rad['år']}-{rad['månad']:02d}"
            belopp = Decimal(rad["belopp"]).quantize(Decimal("0.01")) if rad.get("belopp") is not None else None
            summa += belopp or 0
            kommentar = rad.get("kommentar")
            post = befintliga.get(nyckel)
            ändringar, fält = [], []
            if post is None:
                post = Prognos(
                    verksamhetsområde=område, år=rad["år"], månad=rad["månad"], belopp=belopp, kommentar=kommentar or ""
                )
                ändringar.append((beskrivning, "", visa(belopp)))
                if kommentar:
                    ändringar.append((f"{beskrivning}: kommentar", "", _kort(kommentar, 100)))
            else:
                if belopp is not None and post.belopp != belopp:
                    ändringar.append((beskrivning, visa(post.belopp), visa(belopp)))
                    post.belopp = belopp
                    fält.append("belopp")
                if kommentar and post.kommentar.strip() != kommentar:
                    ändringar.append(
                        (f"{beskrivning}: kommentar", _kort(visa(post.kommentar), 100), _kort(visa(kommentar), 100))
                    )
                    post.kommentar = kommentar
                    fält.append("kommentar")
                if fält:
                    post.version += 1
                    fält.append("version")
            if ändringar:
                if (stängt := låsning.fel(område.nämnd, Ändring(Slag.PROGNOS, rad["år"], rad["månad"]))) is not None:
                    plan.fel.append(tolkat.fel_för(rad, "månad", stängt))
                    continue
                plan.poster.append(Postplan(post, post.pk is None, tuple(fält), ändringar))
            else:
                plan.oförändrade += 1
        plan.summa = importsumma(plan, summa)
        return plan
