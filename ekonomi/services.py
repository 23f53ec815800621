"""Writes for ekonomi. Every save is one transaction: all rows or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from grund import historik
from nämnd.models import Nämnd, Verksamhetsområde
from nämnd.vakt import Slag, Vakt, Ändring

from .models import Prognos, Utfall


@dataclass(frozen=True)
class Gridrad:
    """What the month grid sends for one verksamhetsområde. Amounts in kronor; None = empty cell.

    ``*_före`` are the values and versions the user loaded; a row counts as edited when a value differs
    from what was loaded, and an edited row whose stored version moved on is a conflict."""

    verksamhetsområde_id: int
    utfall: Decimal | None
    prognos: Decimal | None
    kommentar: str
    utfall_före: Decimal | None = None
    prognos_före: Decimal | None = None
    kommentar_före: str = ""
    utfall_version: int | None = None
    prognos_version: int | None = None

    @property
    def utfall_ändrat(self) -> bool:
        return self.utfall != self.utfall_före

    @property
    def prognos_ändrad(self) -> bool:
        return self.prognos != self.prognos_före or self.kommentar.strip() != self.kommentar_före.strip()


class Konflikt(ValidationError):
    """Rows changed by someone else since the user loaded the page; nothing was saved."""

    def __init__(self, rader: list[str]):
        self.rader = rader
        super().__init__(
            "Någon annan har ändrat " + ", ".join(rader) + " sedan du öppnade sidan. Inget sparades. "
            "Ladda om sidan för att se de nya värdena och gör dina ändringar igen.",
            code="konflikt",
        )


@dataclass(frozen=True)
class Sparat:
    skapade: int
    ändrade: int
    borttagna: int


def _kontrollera_versioner(
    ändrade: Sequence[Gridrad], utfall: dict, prognoser: dict, områden: dict, uppdelade: set
) -> None:
    """Refuse concurrent edits (a stored version other than the one the grid showed) and hand edits of an
    utfall imported per kostnadsslag."""
    konflikter = []
    for r in ändrade:
        u, p = utfall.get(r.verksamhetsområde_id), prognoser.get(r.verksamhetsområde_id)
        if (r.utfall_ändrat and (u.version if u else None) != r.utfall_version) or (
            r.prognos_ändrad and (p.version if p else None) != r.prognos_version
        ):
            konflikter.append(områden[r.verksamhetsområde_id].namn)
    if konflikter:
        raise Konflikt(konflikter)
    if fel := [
        områden[r.verksamhetsområde_id].namn for r in ändrade if r.utfall_ändrat and r.verksamhetsområde_id in uppdelade
    ]:
        raise ValidationError(
            "Utfallet för " + ", ".join(fel) + " är importerat per kostnadsslag och ändras genom en ny import."
        )


@transaction.atomic
def spara_månad(user, nämnd: Nämnd, år: int, månad: int, rader: Sequence[Gridrad]) -> Sparat:
    """Save a month's utfall, helårsprognos and comments for a nämnd. A fixed number of queries whatever
    the number of rows; refuses closed periods, other nämnders' rows and concurrent edits."""
    Vakt.för(user, nämnd, år).kräv([Ändring(Slag.MÅNADSVÄRDE, år, månad), Ändring(Slag.PROGNOS, år, månad)])
    ändrade = [r for r in rader if r.utfall_ändrat or r.prognos_ändrad]
    if not ändrade:
        return Sparat(0, 0, 0)
    ids = {r.verksamhetsområde_id for r in ändrade}
    # Only the grid's rows (``selectors.månadsuppföljning``): this nämnd's områden valid in the year with no valid
    # children. Figures on a parent would be entered twice over, and a block's own figures show in no report.
    gäller = (Q(från_år__isnull=True) | Q(från_år__lte=år), Q(till_år__isnull=True) | Q(till_år__gte=år))
    områden = {
        o.id: o
        for o in Verksamhetsområde.objects.filter(nämnd=nämnd, id__in=ids)
        .filter(*gäller)
        .annotate(har_barn=Exists(Verksamhetsområde.objects.filter(förälder=OuterRef("pk")).filter(*gäller)))
        .only("id", "namn")
    }
    if främmande := ids - set(områden):
        raise ValidationError(f"Okända verksamhetsområden för {nämnd.namn} {år}: {sorted(främmande)}.")
    if summeringsrader := sorted(o.namn for o in områden.values() if o.har_barn):
        raise ValidationError(
            "Utfall och prognos förs på verksamheterna, inte på summeringsraderna " + ", ".join(summeringsrader) + "."
        )

    utfall = {
        u.verksamhetsområde_id: u
        for u in Utfall.objects.select_for_update().filter(
            verksamhetsområde_id__in=ids, år=år, månad=månad, kostnadsslag__isnull=True, kategori=""
        )
    }
    prognoser = {
        p.verksamhetsområde_id: p
        for p in Prognos.objects.select_for_update().filter(verksamhetsområde_id__in=ids, år=år, månad=månad)
    }
    uppdelade = set(
        Utfall.objects.filter(verksamhetsområde_id__in=ids, år=år, månad=månad)
        .exclude(kostnadsslag__isnull=True, kategori="")
        .values_list("verksamhetsområde_id", flat=True)
    )

    _kontrollera_versioner(ändrade, utfall, prognoser, områden, uppdelade)

    nya_u, ändr_u, bort_u, nya_p, ändr_p, bort_p = [], [], [], [], [], []
    for r in ändrade:
        vo, u, p = r.verksamhetsområde_id, utfall.get(r.verksamhetsområde_id), prognoser.get(r.verksamhetsområde_id)
        if r.utfall_ändrat:
            if r.utfall is None:
                bort_u.append(u) if u else None
            elif u is None:
                nya_u.append(Utfall(verksamhetsområde_id=vo, år=år, månad=månad, belopp=r.utfall))
            else:
                u.belopp, u.version = r.utfall, u.version + 1
                ändr_u.append(u)
        if r.prognos_ändrad:
            kommentar = r.kommentar.strip()
            if r.prognos is None and not kommentar:
                bort_p.append(p) if p else None
            elif p is None:
                nya_p.append(
                    Prognos(verksamhetsområde_id=vo, år=år, månad=månad, belopp=r.prognos, kommentar=kommentar)
                )
            else:
                p.belopp, p.kommentar, p.version = r.prognos, kommentar, p.version + 1
                ändr_p.append(p)

    for model, nya, ändr, bort, fält in (
        (Utfall, nya_u, ändr_u, bort_u, ["belopp", "version"]),
        (Prognos, nya_p, ändr_p, bort_p, ["belopp", "kommentar", "version"]),
    ):
        if nya:
            model.objects.bulk_create(nya)
            historik.registrera(model, nya, historik.SKAPAD, user)
        if ändr:
            model.objects.bulk_update(ändr, fält)
            historik.registrera(model, ändr, historik.ÄNDRAD, user)
        historik.radera(model, bort, user)  # nothing references Utfall or Prognos
    return Sparat(len(nya_u) + len(nya_p), len(ändr_u) + len(ändr_p), len(bort_u) + len(bort_p))
