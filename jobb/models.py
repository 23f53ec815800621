"""Background jobs (PDF rendering, large imports): their state is kept here, not in Celery, so the page
can show it and a job delivered twice does its work once. Rendered report PDFs are kept here too
(``Pdfrendering``): one consistent data version each, so a download link never goes stale because
others saved in the meantime (docs/drift.md, "PDF:er")."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from nämnd.models import Kommun, KommunScopedQuerySet


class Jobb(models.Model):
    class Typ(models.TextChoices):
        PDF = "pdf", "PDF av rapport"
        IMPORT_UTFALL = "import_utfall", "Import av utfall"

    class Status(models.TextChoices):
        KÖAD = "köad", "Köad"
        PÅGÅR = "pågår", "Pågår"
        KLAR = "klar", "Klar"
        FEL = "fel", "Fel"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    typ = models.CharField("typ", max_length=20, choices=Typ)
    status = models.CharField("status", max_length=8, choices=Status, default=Status.KÖAD)
    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="jobb", verbose_name="kommun")
    användare = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    parametrar = models.JSONField("parametrar", default=dict)
    resultat = models.JSONField("resultat", default=dict, blank=True)
    fel = models.TextField("felmeddelande", blank=True)
    försök = models.PositiveSmallIntegerField("antal försök", default=0)
    skapad = models.DateTimeField("skapad", auto_now_add=True)
    startad = models.DateTimeField("startad", null=True, blank=True)
    klar = models.DateTimeField("klar", null=True, blank=True)
    # When the job was last handed to the queue (created, re-run, or put back for a retry): a job still
    # "köad" long after this was never picked up (see services.effektiv_status).
    senast_köad = models.DateTimeField("senast köad", null=True, blank=True)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "jobb"
        verbose_name_plural = "jobb"
        ordering = ["-skapad"]

    def __str__(self) -> str:
        return f"{self.get_typ_display()} ({self.get_status_display()})"

    @property
    def pågår(self) -> bool:
        return self.status in (self.Status.KÖAD, self.Status.PÅGÅR)


class Pdfrendering(models.Model):
    """A report's PDF rendered from one consistent data version of its kommun (``version``, read in the
    same REPEATABLE READ snapshot as the figures; ``data_per`` is that snapshot's time and is printed on
    the cover). Served by the report's PDF URL for the current version, or pinned with ``?version=N``
    (the link a finished job hands out). Old versions are pruned (``jobb.rapportpdf``)."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="+", verbose_name="kommun")
    nämnd = models.ForeignKey("nämnd.Nämnd", on_delete=models.CASCADE, related_name="+", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år")
    typ = models.CharField("rapporttyp", max_length=30)
    version = models.BigIntegerField("dataversion")
    data_per = models.DateTimeField("data per")
    fil = models.BinaryField("PDF")
    storlek = models.PositiveIntegerField("storlek (byte)", default=0)
    skapad = models.DateTimeField("skapad", auto_now_add=True)
    # Whose view of the data the report was built with (reports are scoped per user); a pre-render after a
    # change builds as the same user.
    användare = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Last time someone asked for this report's PDF: only recently requested reports are pre-rendered.
    efterfrågad = models.DateTimeField("senast efterfrågad", null=True, blank=True)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "renderad PDF"
        verbose_name_plural = "renderade PDF:er"
        constraints = [
            models.UniqueConstraint(fields=["nämnd", "år", "typ", "version"], name="pdfrendering_unik_version")
        ]
        indexes = [models.Index(fields=["kommun", "efterfrågad"], name="pdfrendering_efterfragad")]

    def __str__(self) -> str:
        return f"{self.nämnd_id} {self.typ} {self.år} v{self.version}"
