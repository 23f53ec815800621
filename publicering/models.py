"""Adoption (fastställande) and publishing of reports.

A ``Rapportärende`` is one report of a nämnd (year and type) on its way: utkast → klar för granskning →
fastställd. Each fastställande archives a ``Rapportversion``: the PDF/A rendered once, its SHA-256, and the
accessible HTML of exactly what was adopted. From then on exactly those bytes are served. A correction
reopens the ärende (with a reason) and the next fastställande makes a new version; old versions stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nämnd.models import ÅR_VALIDATORER, Kommun, KommunScopedQuerySet, Nämnd, Rapporttyp, scoped_queryset

STANDARDCHECKLISTA = (
    "Helårsprognos för nämndens ekonomi redovisas\n"
    "Måluppfyllelsen bedöms för målen för god ekonomisk hushållning\n"
    "Större avvikelser mot budget förklaras och åtgärder beskrivs"
)


STANDARD_DAGAR_FÖRE = 3


class Publiceringsinställning(models.Model):
    kommun = models.OneToOneField(
        Kommun, on_delete=models.CASCADE, primary_key=True, related_name="publicering", verbose_name="kommun"
    )
    publicera = models.BooleanField(
        "publicera fastställda rapporter",
        default=False,
        help_text="Fastställda rapporter som markerats för publicering visas på kommunens publika sida.",
    )
    maska_under = models.PositiveSmallIntegerField(
        "maskera antal under",
        null=True,
        blank=True,
        help_text="Antal individer färre än detta visas inte i publicerade rapporter (t.ex. 5). Tomt = ingen maskering.",
    )
    checklista_delår = models.TextField(
        "checklista för delårsrapporten",
        default=STANDARDCHECKLISTA,
        blank=True,
        help_text="En punkt per rad.",
    )
    påminnelse_dagar_före = models.PositiveSmallIntegerField(
        "påminnelse dagar före deadline",
        null=True,
        blank=True,
        help_text="Så många dagar före en sektions deadline får den ansvariga en påminnelse per e-post. Tomt = 3.",
    )
    kontaktuppgift = models.CharField(
        "kontakt för tillgänglighet",
        max_length=200,
        blank=True,
        help_text="E-post eller telefon dit man kan rapportera brister i tillgängligheten.",
    )

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "publiceringsinställning"
        verbose_name_plural = "publiceringsinställningar"

    def __str__(self) -> str:
        return f"Publicering {self.kommun}"

    @property
    def dagar_före(self) -> int:
        return STANDARD_DAGAR_FÖRE if self.påminnelse_dagar_före is None else self.påminnelse_dagar_före

    @property
    def checklistpunkter(self) -> list[str]:
        return [r.strip() for r in self.checklista_delår.splitlines() if r.strip()]


class Rapportärende(models.Model):
    class Status(models.TextChoices):
        UTKAST = "utkast", "Utkast"
        GRANSKNING = "granskning", "Klar för granskning"
        FASTSTÄLLD = "fastställd", "Fastställd"

    nämnd = models.ForeignKey(Nämnd, on_delete=models.PROTECT, related_name="rapportärenden", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    typ = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    status = models.CharField("status", max_length=12, choices=Status, default=Status.UTKAST)
    publicerad = models.BooleanField("publicerad", default=False)
    checklista = models.JSONField("avbockad checklista", default=dict, blank=True)

    objects = scoped_queryset("nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "rapportärende"
        verbose_name_plural = "rapportärenden"
        constraints = [models.UniqueConstraint(fields=["nämnd", "år", "typ"], name="rapportärende_unikt")]

    def __str__(self) -> str:
        return f"{self.nämnd.namn}: {self.get_typ_display()} {self.år} ({self.get_status_display()})"

    @property
    def senaste_version(self) -> Rapportversion | None:
        return self.versioner.order_by("-nummer").first()


class Rapportversion(models.Model):
    ärende = models.ForeignKey(
        Rapportärende, on_delete=models.PROTECT, related_name="versioner", verbose_name="rapportärende"
    )
    nummer = models.PositiveSmallIntegerField("version")
    fastställd_datum = models.DateField("fastställd (sammanträdesdatum)")
    paragraf = models.CharField("paragraf", max_length=30, help_text="T.ex. § 87.")
    fastställd_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )
    registrerad = models.DateTimeField("registrerad", auto_now_add=True)
    pdf = models.BinaryField("PDF/A")
    sha256 = models.CharField("SHA-256", max_length=64)
    html = models.TextField("tillgänglig HTML")
    metadata = models.JSONField("metadata", default=dict)
    återöppnad = models.DateTimeField("återöppnad", null=True, blank=True)
    återöppnad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="återöppnad av",
    )
    återöppnad_orsak = models.TextField("skäl till rättelse", blank=True)

    objects = scoped_queryset("ärende__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "rapportversion"
        verbose_name_plural = "rapportversioner"
        ordering = ["ärende", "-nummer"]
        constraints = [models.UniqueConstraint(fields=["ärende", "nummer"], name="rapportversion_unik")]

    def __str__(self) -> str:
        return f"{self.ärende} version {self.nummer}"


class Sektionsplan(models.Model):
    """The tidplan of one section of a report: its deadline, who is responsible, and whether it is klar (who
    marked it, when). A section is named by its heading (``rubrik``, unique within a layout); a row whose heading
    is no longer in the report's layout is kept but not shown or reminded of."""

    ärende = models.ForeignKey(
        Rapportärende, on_delete=models.CASCADE, related_name="sektionsplaner", verbose_name="rapportärende"
    )
    rubrik = models.CharField("sektion", max_length=200)
    deadline = models.DateField("deadline", null=True, blank=True)
    ansvarig = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ansvariga_sektioner",
        verbose_name="ansvarig",
    )
    klar_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="markerad klar av",
    )
    klar_tid = models.DateTimeField("markerad klar", null=True, blank=True)

    objects = scoped_queryset("ärende__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "sektionsplan"
        verbose_name_plural = "sektionsplaner"
        constraints = [models.UniqueConstraint(fields=["ärende", "rubrik"], name="sektionsplan_unik")]

    def __str__(self) -> str:
        return f"{self.ärende}: {self.rubrik}"

    @property
    def klar(self) -> bool:
        return self.klar_tid is not None


class Påminnelse(models.Model):
    """A reminder e-mail that was sent: at most one per section, recipient, kind and deadline (the unique
    constraint makes sending idempotent under retries and concurrent runs; a moved deadline may be reminded of
    again)."""

    class Slag(models.TextChoices):
        FÖRE = "före", "Före deadline"
        SEN = "sen", "Efter deadline"

    sektion = models.ForeignKey(
        Sektionsplan, on_delete=models.CASCADE, related_name="påminnelser", verbose_name="sektion"
    )
    mottagare = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="mottagare"
    )
    slag = models.CharField("slag", max_length=8, choices=Slag)
    deadline = models.DateField("deadline")
    epost = models.EmailField("skickad till")
    skickad = models.DateTimeField("skickad", auto_now_add=True)

    objects = scoped_queryset("sektion__ärende__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "påminnelse"
        verbose_name_plural = "påminnelser"
        constraints = [
            models.UniqueConstraint(
                fields=["sektion", "mottagare", "slag", "deadline"], name="påminnelse_en_gång_per_slag"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_slag_display()}: {self.sektion} till {self.epost}"
