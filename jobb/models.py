"""Background jobs (PDF rendering, large imports): their state is kept here, not in Celery, so the page
can show it and a job delivered twice does its work once."""

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
