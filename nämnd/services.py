"""Writes for the organisation: closing and reopening periods. Closing locks figures and texts (the edit
guard, ``nämnd.vakt``, reads the closed periods)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import dataversion
from .behorighet import kan_redigera, kräv_admin
from .models import VALBARA_MÅNADER, Kommun, Nämnd, Period, Rapporttillfälle, Rapporttyp


def stängda_månader(kommun: Kommun | int, år: int) -> set[int]:
    return set(Period.objects.filter(kommun=kommun, år=år, stängd=True).values_list("månad", flat=True))


@transaction.atomic
def stäng(user, kommun: Kommun, år: int, månader: Iterable[int], orsak: str = "") -> list[Period]:
    """Close months (a month, or 1–8 for delår, 1–12 for helår). Admins and controllers may close. ``orsak``
    (optional) is kept in the history of each month closed, e.g. why months were closed despite findings of the
    checks — those are run by ``rapporter.services.stäng_månader``, which the page calls."""
    if not any(kan_redigera(user, n) for n in Nämnd.objects.filter(kommun=kommun).select_related("kommun")):
        kräv_admin(user, kommun)
    orsak = orsak.strip()
    högst = Period.history.model._meta.get_field("history_change_reason").max_length
    if len(orsak) > högst:
        raise ValidationError(f"Orsaken får vara högst {högst} tecken (den har {len(orsak)}).")
    perioder = []
    for m in sorted(set(månader)):
        p, _ = Period.objects.select_for_update().get_or_create(kommun=kommun, år=år, månad=m)
        if not p.stängd:
            p.stängd, p.stängd_av, p.stängd_tid = True, user, timezone.now()
            p._history_user = user
            if orsak:
                p._change_reason = orsak
            p.save()
        perioder.append(p)
    return perioder


@transaction.atomic
def öppna(user, kommun: Kommun, år: int, månader: Iterable[int], orsak: str) -> list[Period]:
    """Reopen closed months; only a kommun admin may, and must say why (kept in the history)."""
    kräv_admin(user, kommun)
    if not orsak.strip():
        raise ValidationError("Ange varför perioden öppnas igen.")
    perioder = list(
        Period.objects.select_for_update().filter(kommun=kommun, år=år, månad__in=list(månader), stängd=True)
    )
    for p in perioder:
        p.stängd, p.stängd_av, p.stängd_tid = False, None, None
        p._history_user = user
        p._change_reason = orsak.strip()
        p.save()
    return perioder


@transaction.atomic
def spara_rapporttillfällen(user, kommun: Kommun, val: dict[str, tuple[bool, int | None]]) -> None:
    """The kommun's report occasions: per report type whether the kommun makes it and (tertial 1 and 2, the delår)
    the month it ends (None = the standard month). Kommun admins only; all or nothing; the reports' period texts
    follow, so the data version is raised."""
    kräv_admin(user, kommun)
    fel = []
    for typ, (_, månad) in val.items():
        if typ not in Rapporttyp.values:
            fel.append(f"Okänd rapport: {typ}.")
        elif månad is not None:
            tillåtna = VALBARA_MÅNADER.get(typ)
            if tillåtna is None:
                fel.append(f"{Rapporttyp(typ).label} har ingen valbar månad.")
            elif månad not in tillåtna:
                fel.append(
                    f"Välj en månad mellan {tillåtna[0]} och {tillåtna[-1]} för {Rapporttyp(typ).label.lower()}."
                )
    t1, t2 = (val.get(t, (False, None)) for t in ("tertialrapport", "tertialrapport2"))
    if (
        t1[0]
        and t2[0]
        and (t1[1] or Rapporttyp.TERTIALRAPPORT.slutmånad) >= (t2[1] or Rapporttyp.TERTIALRAPPORT_2.slutmånad)
    ):
        fel.append("Tertialrapport 1 måste sluta före tertialrapport 2.")
    if fel:
        raise ValidationError(fel)
    for typ, (används, månad) in val.items():
        Rapporttillfälle.objects.update_or_create(
            kommun=kommun, rapporttyp=typ, defaults={"används": bool(används), "slutmånad": månad}
        )
    dataversion.bumpa([kommun.id])
