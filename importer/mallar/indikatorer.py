"""Indikator import (the template); ``planera_indikatorvärden`` is shared with the Kolada import."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from nyckeltal.models import Indikator, Indikatorvärde
from nämnd.models import Nämnd
from nämnd.vakt import Slag, Ändring

from ..models import Importtyp
from ..resources import IndikatorResource
from .ramverk import (
    Importtypdef,
    Kontext,
    Låsning,
    Plan,
    Postplan,
    Radfel,
    Tolkat,
    _dubblett,
    nyckeltext,
    tom,
    visa,
)


@dataclass
class Indikatorpost:
    """Values for one or more indikatorer (the same Kolada-id may be used by several goals) in one year."""

    rad: dict
    indikatorer: list[Indikator]
    år: int
    typ: str
    totalt: Decimal | None
    kvinnor: Decimal | None
    män: Decimal | None
    källa: str | None  # None: keep the stored källa when the values are unchanged, "" when they change
    kolumn: str | None = None


def planera_indikatorvärden(ctx: Kontext, tolkat: Tolkat, poster: list[Indikatorpost], plan: Plan) -> Plan:
    """Shared by the indicator template and Kolada: created / changed / unchanged Indikatorvärden.

    Empty (null) values never erase a stored value. A change of a stored value is a revision; like a new
    value it is refused for a closed year or a fastställd report."""
    låsning = Låsning()
    ids = {i.pk for p in poster for i in p.indikatorer}
    befintliga = {
        (v.indikator_id, v.år, v.typ): v
        for v in ctx.låst(Indikatorvärde.objects.filter(indikator_id__in=ids, år__in={p.år for p in poster}))
    }
    sedda: dict = {}
    for p in poster:
        for ind in p.indikatorer:
            nyckel = (ind.pk, p.år, p.typ)
            if (första := _dubblett(sedda, nyckel, p.rad)) is not None:
                plan.fel.append(
                    tolkat.fel_för(
                        p.rad,
                        None,
                        (
                            f"Samma värde ({ind.namn}, {p.år}) finns redan på rad {första}. "
                            "En nyckel får bara förekomma en gång i filen."
                        ),
                    )
                )
                continue
            post = befintliga.get(nyckel)
            nytt = {"totalt": p.totalt, "kvinnor": p.kvinnor, "män": p.män}
            beskrivning = f"{ind.kolada_id + ' ' if ind.kolada_id else ''}{ind.namn} {p.år}" + (
                " prognos" if p.typ == Indikatorvärde.Typ.PROGNOS else ""
            )
            if post is None:
                if all(v is None for v in nytt.values()):
                    continue
                post = Indikatorvärde(indikator=ind, år=p.år, typ=p.typ, källa=p.källa or "", **nytt)
                ändringar = [(f"{beskrivning} {f}", "", visa(v)) for f, v in nytt.items() if v is not None]
                fält: tuple[str, ...] = ()
            else:
                ändringar, ändrade = [], []
                for f, v in nytt.items():
                    if v is not None and getattr(post, f) != v:
                        ändringar.append((f"{beskrivning} {f}", visa(getattr(post, f)), visa(v)))
                        setattr(post, f, v)
                        ändrade.append(f)
                källa = p.källa if p.källa is not None else ("" if ändrade else post.källa)
                if källa != post.källa:
                    ändringar.append((f"{beskrivning} källa", visa(post.källa), visa(källa)))
                    post.källa = källa
                    ändrade.append("källa")
                if not ändringar:
                    plan.oförändrade += 1
                    continue
                post.version += 1
                fält = (*ändrade, "version")
            if (stängt := låsning.fel(ind.mål.nämnd, Ändring(Slag.ÅRSVÄRDE, p.år))) is not None:
                plan.fel.append(tolkat.fel_för(p.rad, p.kolumn, stängt))
                continue
            plan.poster.append(Postplan(post, post.pk is None, fält, ändringar))
    return plan


def indikatorer_för(nämnder: list[Nämnd]) -> list[Indikator]:
    return list(Indikator.objects.filter(mål__nämnd__in=nämnder).select_related("mål", "mål__nämnd").order_by("pk"))


class Indikatorimport(Importtypdef):
    typ = Importtyp.INDIKATORER
    titel = "Indikatorer"
    resurs = IndikatorResource

    def tolka_tabeller(self, tabeller, profil):
        def efter(rad, karta, tolkat, celler):
            if tom(rad.get("indikator")) and tom(rad.get("kolada_id")):
                kol = karta.ref("kolada_id" if "kolada_id" in karta.index else "indikator")
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], kol, "Ange indikator eller Kolada-id."))
                return False
            if rad.get("år") is None:
                tolkat.fel.append(Radfel(rad["blad"] or None, rad["rad"], karta.ref("år"), "Ange år."))
                return False
            if "källa" not in karta.index:
                rad["källa"] = None
            return True

        return self.tolka_med_resurs(tabeller, profil, efter)

    def planera(self, ctx, tolkat):
        plan = Plan()
        alla = indikatorer_för(ctx.nämnder)
        per_id: dict[str, list[Indikator]] = defaultdict(list)
        per_namn: dict[str, list[Indikator]] = defaultdict(list)
        for i in alla:
            if i.kolada_id:
                per_id[i.kolada_id.upper()].append(i)
            per_namn[nyckeltext(i.namn)].append(i)
        poster = []
        for rad in tolkat.rader:
            if rad.get("kolada_id"):
                träffar = per_id.get(rad["kolada_id"].upper(), [])
                if not träffar:
                    plan.fel.append(
                        tolkat.fel_för(rad, "kolada_id", f"Ingen indikator har Kolada-id {rad['kolada_id']!r}.")
                    )
                    continue
            else:
                träffar = per_namn.get(nyckeltext(rad["indikator"]), [])
                if len(träffar) != 1:
                    plan.fel.append(
                        tolkat.fel_för(
                            rad,
                            "indikator",
                            (
                                f"Indikatorn {rad['indikator']!r} finns inte i nämnden."
                                if not träffar
                                else f"Flera indikatorer heter {rad['indikator']!r}. Ange Kolada-id eller byt namn på någon av dem."
                            ),
                        )
                    )
                    continue

            def d(f, rad=rad):
                return Decimal(rad[f]).quantize(Decimal("0.01")) if rad.get(f) is not None else None

            poster.append(
                Indikatorpost(
                    rad,
                    träffar,
                    rad["år"],
                    rad.get("typ") or "utfall",
                    d("totalt"),
                    d("kvinnor"),
                    d("män"),
                    rad["källa"],
                )
            )
        return planera_indikatorvärden(ctx, tolkat, poster, plan)
