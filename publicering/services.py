"""The adoption workflow: utkast → klar för granskning → fastställd, and corrections as new versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pikepdf
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from nämnd.behorighet import kan_fastställa, kan_redigera, är_admin
from nämnd.models import Nämnd, Rapportlås, Rapporttillfällen, Rapporttyp
from rapporter import kontroller
from rapporter.pdf import render_pdf
from rapporter.rapport import bygg_rapport
from rapporter.selectors import rapportens_sektioner

from . import tidplan
from .models import Publiceringsinställning, Rapportversion, Rapportärende

PDF_VARIANT = "pdf/a-3a"


def ärende_för(nämnd: Nämnd, år: int, typ: str) -> Rapportärende:
    """The report's case (granskning, fastställande). A månadsrapport is a working report for any month: it is
    never fastställd, so it has none (Http404)."""
    if Rapporttyp(typ) == Rapporttyp.MÅNADSRAPPORT:
        raise Http404("En månadsrapport granskas och fastställs inte.")
    ärende, _ = Rapportärende.objects.get_or_create(nämnd=nämnd, år=år, typ=Rapporttyp(typ))
    return ärende


def inställning(kommun) -> Publiceringsinställning:
    return Publiceringsinställning.objects.get_or_create(kommun=kommun)[0]


def granska(user, ärende: Rapportärende) -> list[kontroller.Fynd]:
    """The report's findings: the one list of checks (``rapporter.kontroller``, also run by the status page and
    month closing) on the built report and the kommun's checklist."""
    rapport = bygg_rapport(user, ärende.nämnd, ärende.år, ärende.typ)
    return kontroller.granska(rapport, inställning(ärende.nämnd.kommun).checklistpunkter, ärende.checklista)


@transaction.atomic
def bocka_av(user, ärende: Rapportärende, avbockat: dict[str, bool]) -> None:
    if not kan_redigera(user, ärende.nämnd):
        raise PermissionDenied("Du har inte behörighet att ändra rapporten.")
    _kräv_ej_fastställd(ärende)
    ärende.checklista = {p: bool(avbockat.get(p)) for p in inställning(ärende.nämnd.kommun).checklistpunkter}
    ärende.save(update_fields=["checklista"])


@transaction.atomic
def markera_klar(user, ärende: Rapportärende) -> list[kontroller.Fynd]:
    """Mark the report ready for review; refused while any check finds an error."""
    if not kan_redigera(user, ärende.nämnd):
        raise PermissionDenied("Du har inte behörighet att ändra rapporten.")
    _kräv_ej_fastställd(ärende)
    tidplan.kräv_sektioner_klara(ärende)  # hard rule while the report's tidplan is in use
    fynd = granska(user, ärende)
    if fel := [f.text for f in fynd if f.nivå == kontroller.FEL]:
        raise ValidationError(["Rapporten kan inte markeras som klar för granskning:", *fel])
    ärende.status = Rapportärende.Status.GRANSKNING
    ärende.save(update_fields=["status"])
    return fynd


@transaction.atomic
def fastställ(user, ärende: Rapportärende, datum: dt.date, paragraf: str) -> Rapportversion:
    """Adopt the report: render the PDF/A once, archive it with its SHA-256 and the accessible HTML, lock."""
    if not kan_fastställa(user, ärende.nämnd):
        raise PermissionDenied("Du har inte rätt att fastställa rapporter.")
    ärende = Rapportärende.objects.select_for_update().get(pk=ärende.pk)
    if ärende.status != Rapportärende.Status.GRANSKNING:
        raise ValidationError("Rapporten måste vara klar för granskning innan den kan fastställas.")
    if not paragraf.strip():
        raise ValidationError("Ange paragrafen i nämndens protokoll (t.ex. § 87).")
    if fel := [f.text for f in granska(user, ärende) if f.nivå == kontroller.FEL]:
        raise ValidationError(["Rapporten har fel som måste rättas först:", *fel])
    nummer = (ärende.senaste_version.nummer if ärende.senaste_version else 0) + 1
    html, pdf = rendera_arkiv(user, ärende, datum, paragraf.strip(), nummer)
    version = Rapportversion.objects.create(
        ärende=ärende,
        nummer=nummer,
        fastställd_datum=datum,
        paragraf=paragraf.strip(),
        fastställd_av=user,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        html=html,
        metadata={
            "pdf_variant": PDF_VARIANT,
            "storlek": len(pdf),
            "sidor": len(pikepdf.open(io.BytesIO(pdf)).pages),
            "renderad": timezone.now().isoformat(),
        },
    )
    ärende.status = Rapportärende.Status.FASTSTÄLLD
    ärende.save(update_fields=["status"])
    lås(ärende, datum, paragraf.strip(), nummer)
    return version


def lås(ärende: Rapportärende, datum: dt.date, paragraf: str, nummer: int) -> Rapportlås:
    """The lock the edit guard reads (``nämnd.vakt``): what a fastställd report covers, when and under which §
    it was fastställd, and the section layout it was rendered with (snapshotted). Removed by ``återöppna``."""
    return Rapportlås.objects.update_or_create(
        nämnd=ärende.nämnd,
        år=ärende.år,
        rapporttyp=ärende.typ,
        defaults={
            "slutmånad": Rapporttillfällen.för(ärende.nämnd.kommun_id).slutmånad(ärende.typ),
            "fastställd_datum": datum,
            "paragraf": paragraf,
            "version": nummer,
            "layout": rapportens_sektioner(ärende.nämnd, ärende.år, ärende.typ),
        },
    )[0]


def rendera_arkiv(user, ärende: Rapportärende, datum: dt.date, paragraf: str, nummer: int) -> tuple[str, bytes]:
    """The adopted report as published HTML (small counts masked per the kommun) and as PDF/A."""
    rapport = bygg_rapport(user, ärende.nämnd, ärende.år, ärende.typ)
    rapport.maska_under = inställning(ärende.nämnd.kommun).maska_under
    rapport.fastställd = {"datum": datum, "paragraf": paragraf, "version": nummer}
    artikel = render_to_string("rapporter/rapport_artikel.html", {"rapport": rapport, "pdf": True, "arkiv": True})
    html_pdf = render_to_string(
        "rapporter/rapport.html",
        {
            "artikel": artikel,
            "titel": f"{ärende.nämnd.namn} – {rapport.titel}",
            "författare": ärende.nämnd.kommun.namn,
            "pdf": True,
        },
    )
    return artikel, render_pdf(html_pdf, pdf_variant=PDF_VARIANT)


@transaction.atomic
def återöppna(user, ärende: Rapportärende, orsak: str) -> None:
    """Reopen an adopted report for a correction; the adopted version stays archived and downloadable."""
    if not kan_fastställa(user, ärende.nämnd):
        raise PermissionDenied("Du har inte rätt att öppna en fastställd rapport.")
    if not orsak.strip():
        raise ValidationError("Ange skälet till rättelsen.")
    ärende = Rapportärende.objects.select_for_update().get(pk=ärende.pk)
    if ärende.status != Rapportärende.Status.FASTSTÄLLD:
        raise ValidationError("Rapporten är inte fastställd.")
    Rapportversion.objects.filter(pk=ärende.senaste_version.pk).update(
        återöppnad=timezone.now(), återöppnad_av=user, återöppnad_orsak=orsak.strip()
    )
    ärende.status = Rapportärende.Status.UTKAST
    ärende.save(update_fields=["status"])
    Rapportlås.objects.filter(nämnd=ärende.nämnd, år=ärende.år, rapporttyp=ärende.typ).delete()


@transaction.atomic
def publicera(user, ärende: Rapportärende, publicerad: bool) -> None:
    if not (kan_fastställa(user, ärende.nämnd) or är_admin(user, ärende.nämnd.kommun_id)):
        raise PermissionDenied("Du har inte rätt att publicera rapporter.")
    if publicerad and not ärende.versioner.exists():
        raise ValidationError("Bara fastställda rapporter kan publiceras.")
    ärende.publicerad = publicerad
    ärende.save(update_fields=["publicerad"])


def _kräv_ej_fastställd(ärende: Rapportärende) -> None:
    if ärende.status == Rapportärende.Status.FASTSTÄLLD:
        raise ValidationError("Rapporten är fastställd och låst. Öppna den för rättelse först.")
