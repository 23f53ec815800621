"""The kommun's settings (kommun admins): presentation defaults, publication, logo and import profiles.

Reads and writes for ``views_installningar``. Every write asks ``nämnd.behorighet.kräv_admin``, runs in one
transaction and is recorded in the admin's history (LogEntry; Kommun and Publiceringsinställning have no
simple-history). The data version bumps through the model signals (``nämnd.dataversion``), so a changed unit,
sign convention or logo is visible in the next report render.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from PIL import Image, UnidentifiedImageError

from importer.models import Importprofil
from nämnd.behorighet import kräv_admin
from nämnd.models import Kommun, Kommunlogotyp
from publicering import services as publicering_services
from publicering.models import Publiceringsinställning

LOGOTYP_MAX_BYTE = 512 * 1024
LOGOTYP_MAX_PX = 2000
# A logo is shown small (report header, PDF cover): larger uploads are scaled down when re-encoded, so the data: URI
# in every report stays small.
LOGOTYP_LAGRAD_PX = 600
LOGOTYP_FORMAT = {"PNG": "PNG", "JPEG": "JPEG"}

KOMMUNFÄLT = ("beloppsenhet", "kostnader_negativa", "avvikelsegräns_kr", "avvikelsegräns_procent")
PUBLICERINGSFÄLT = ("publicera", "maska_under", "kontaktuppgift", "checklista_delår", "påminnelse_dagar_före")


# --- reads ------------------------------------------------------------------------------------------------------


def kommun_för_admin(user, kommun_id: int) -> Kommun:
    """The kommun if the user may read it (else 404) and administers it (else 403)."""
    kommun = get_object_or_404(Kommun.objects.for_user(user), pk=kommun_id)
    kräv_admin(user, kommun)
    return kommun


def kommun_för_läsare(user, kommun_id: int) -> Kommun:
    """The kommun if the user may read it; another kommun's id → 404."""
    return get_object_or_404(Kommun.objects.for_user(user), pk=kommun_id)


def administrerade_kommuner(user) -> list[Kommun]:
    """The kommuner whose settings the user may change (every kommun for a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Kommun.objects.order_by("namn")
    if not user.is_superuser:
        qs = qs.filter(behörigheter__user=user, behörigheter__roll="admin")
    return list(qs)


def publiceringsinställning(kommun: Kommun) -> Publiceringsinställning:
    """The kommun's publication setting, unsaved defaults when it has none yet (a read never writes)."""
    return Publiceringsinställning.objects.filter(kommun=kommun).first() or Publiceringsinställning(kommun=kommun)


def logotyp(kommun: Kommun) -> Kommunlogotyp | None:
    return Kommunlogotyp.objects.filter(kommun=kommun).first()


def importprofiler(kommun: Kommun) -> list[Importprofil]:
    """All the kommun's import profiles, by kind and name."""
    return list(Importprofil.objects.for_kommun(kommun).order_by("typ", "namn"))


def kommun_logotyp_data_uri(kommun: Kommun) -> str | None:
    """The kommun's logo as a ``data:image/png;base64,…`` URI (for report HTML and PDFs), ``None`` without one."""
    return kommun.logotyp_data_uri


# --- the logo ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logotyp:
    """A verified logo, re-encoded as PNG without metadata. Only ``förbered_logotyp`` makes one."""

    png: bytes
    bredd: int
    höjd: int


def förbered_logotyp(data: bytes) -> Logotyp:
    """Verify that ``data`` really is a PNG or JPEG (by its content, not its name) within the limits and re-encode it
    as PNG: metadata (EXIF, text chunks, ICC) is not copied. Raises ``ValidationError`` with a Swedish message."""
    if not data:
        raise ValidationError("Filen är tom.")
    if len(data) > LOGOTYP_MAX_BYTE:
        raise ValidationError(
            f"Filen är för stor ({len(data) // 1024} kB). Logotypen får vara högst {LOGOTYP_MAX_BYTE // 1024} kB."
        )
    try:
        with Image.open(io.BytesIO(data)) as bild:
            format_ = bild.format
            if format_ not in LOGOTYP_FORMAT:
                raise ValidationError(
                    f"Filen är en {format_ or 'okänd'}-bild. Logotypen måste vara en PNG- eller JPEG-bild."
                )
            bredd, höjd = bild.size
            if bredd > LOGOTYP_MAX_PX or höjd > LOGOTYP_MAX_PX:
                raise ValidationError(
                    f"Bilden är {bredd} × {höjd} px. Logotypen får vara högst {LOGOTYP_MAX_PX} px bred och hög."
                )
            bild.load()
            ut = bild.convert("RGBA" if bild.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise ValidationError("Filen är ingen läsbar PNG- eller JPEG-bild.") from e
    ut.thumbnail((LOGOTYP_LAGRAD_PX, LOGOTYP_LAGRAD_PX))
    buf = io.BytesIO()
    ut.save(buf, format="PNG", optimize=True)
    return Logotyp(png=buf.getvalue(), bredd=ut.width, höjd=ut.height)


# --- writes -----------------------------------------------------------------------------------------------------


def _logga(user, objekt, åtgärd: int, meddelande: str) -> None:
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[objekt],
        action_flag=åtgärd,
        change_message=meddelande,
        single_object=True,
    )


def _fältnamn(model, fält: str) -> str:
    return str(getattr(model._meta.get_field(fält), "verbose_name", fält))


def _validera(kommun_värden: dict, publicering_värden: dict) -> None:
    fel: dict[str, list[str]] = {}
    kr = kommun_värden.get("avvikelsegräns_kr")
    if kr is not None and Decimal(kr) < 0:
        fel.setdefault("avvikelsegräns_kr", []).append("Avvikelsegränsen kan inte vara negativ.")
    procent = kommun_värden.get("avvikelsegräns_procent")
    if procent is not None and not (0 <= Decimal(procent) <= 100):
        fel.setdefault("avvikelsegräns_procent", []).append("Avvikelsegränsen i procent ska vara 0–100.")
    if kommun_värden.get("beloppsenhet") not in (None, *Kommun.Beloppsenhet.values):
        fel.setdefault("beloppsenhet", []).append("Välj tkr eller mnkr.")
    maska = publicering_värden.get("maska_under")
    if maska is not None and maska < 0:
        fel.setdefault("maska_under", []).append("Maskeringsgränsen kan inte vara negativ.")
    if fel:
        raise ValidationError(fel)


def spara_inställningar(
    user,
    kommun: Kommun,
    kommun_värden: dict,
    publicering_värden: dict,
    logotyp: Logotyp | None = None,
    ta_bort_logotyp: bool = False,
) -> list[str]:
    """Save the kommun's presentation defaults (``KOMMUNFÄLT``), publication setting (``PUBLICERINGSFÄLT``) and
    logo in one transaction. Returns what changed (Swedish, for the message); nothing is saved on an error."""
    kräv_admin(user, kommun)
    okända = (set(kommun_värden) - set(KOMMUNFÄLT)) | (set(publicering_värden) - set(PUBLICERINGSFÄLT))
    if okända:
        raise ValueError(f"Okända fält: {sorted(okända)}")
    _validera(kommun_värden, publicering_värden)
    ändrat: list[str] = []
    with transaction.atomic():
        k = Kommun.objects.select_for_update().get(pk=kommun.pk)
        ändrade_fält = [f for f, v in kommun_värden.items() if getattr(k, f) != v]
        if ändrade_fält:
            for f in ändrade_fält:
                setattr(k, f, kommun_värden[f])
            k.full_clean()
            k.save(update_fields=ändrade_fält)
            namn = [_fältnamn(Kommun, f) for f in ändrade_fält]
            _logga(user, k, CHANGE, "Ändrade " + ", ".join(namn) + " (kommunens inställningar).")
            ändrat += namn

        if publicering_värden:
            pub = publicering_services.inställning(k)
            ändrade_fält = [f for f, v in publicering_värden.items() if getattr(pub, f) != v]
            if ändrade_fält:
                for f in ändrade_fält:
                    setattr(pub, f, publicering_värden[f])
                pub.full_clean()
                pub.save(update_fields=ändrade_fält)
                namn = [_fältnamn(Publiceringsinställning, f) for f in ändrade_fält]
                _logga(user, pub, CHANGE, "Ändrade " + ", ".join(namn) + " (kommunens inställningar).")
                ändrat += namn

        if logotyp is not None:
            befintlig = Kommunlogotyp.objects.filter(kommun=k).first()
            ny = befintlig or Kommunlogotyp(kommun=k)
            ny.png, ny.bredd, ny.höjd = logotyp.png, logotyp.bredd, logotyp.höjd
            ny.save()
            _logga(user, ny, CHANGE if befintlig else ADDITION, "Laddade upp en ny logotyp.")
            ändrat.append("logotyp")
        elif ta_bort_logotyp:
            befintlig = Kommunlogotyp.objects.filter(kommun=k).first()
            if befintlig is not None:
                _logga(user, befintlig, DELETION, "Tog bort logotypen.")
                befintlig.delete()
                ändrat.append("logotyp borttagen")
    kommun.__dict__.pop("_logotyp_data_uri", None)
    return ändrat


def ta_bort_importprofil(user, kommun: Kommun, profil_id: int) -> str:
    """Delete one of the kommun's import profiles (another kommun's id → 404). Imports made with it keep their
    figures; they only lose the link to the profile. Returns the profile's name."""
    kräv_admin(user, kommun)
    with transaction.atomic():
        profil = get_object_or_404(Importprofil.objects.for_kommun(kommun), pk=profil_id)
        namn = str(profil)
        _logga(user, profil, DELETION, "Tog bort importprofilen (kommunens inställningar).")
        profil.delete()
    return namn
