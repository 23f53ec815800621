"""Report configuration and narrative text: which sections a kommun's reports have, in which order."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from nämnd.models import ÅR_VALIDATORER, Kommun, KommunScopedQuerySet, Nämnd, Rapporttyp, scoped_queryset


class Sektion(models.TextChoices):
    """Built-in report sections; each has one template in templates/rapporter/sektioner/."""

    TEXT = "text", "Textavsnitt"
    MÅL = "mål", "Mål, uppdrag och indikatorer"
    DRIFT = "drift", "Driftredovisning för perioden"
    PROGNOS = "prognos", "Helårsprognos"
    BUDGET = "budget", "Driftsbudget"
    INVESTERINGAR = "investeringar", "Investeringar"
    VOLYMER = "volymer", "Volymer och nyckeltal"


class Sektionsordning(models.Model):
    """One section of a report type, in the order the kommun configures. ``TEXT`` sections show the
    nämnd's Textavsnitt with the same rubrik."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="sektioner", verbose_name="kommun")
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    sektion = models.CharField("sektion", max_length=16, choices=Sektion)
    rubrik = models.CharField("rubrik", max_length=200)
    ordning = models.PositiveIntegerField("ordning", default=0)
    visas = models.BooleanField("visas", default=True)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rapportsektion"
        verbose_name_plural = "rapportsektioner"
        ordering = ["kommun", "rapporttyp", "ordning"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "rapporttyp", "rubrik"], name="sektion_unik_rubrik"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rapporttyp_display()}: {self.rubrik}"


class Textavsnitt(models.Model):
    """Narrative text of a nämnd's report for one year (plain text; blank lines separate paragraphs)."""

    nämnd = models.ForeignKey(Nämnd, on_delete=models.CASCADE, related_name="textavsnitt", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    rubrik = models.CharField("rubrik", max_length=200)
    text = models.TextField("text", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = scoped_queryset("nämnd__kommun").as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "textavsnitt"
        verbose_name_plural = "textavsnitt"
        ordering = ["nämnd", "år", "rapporttyp", "rubrik"]
        constraints = [
            models.UniqueConstraint(fields=["nämnd", "år", "rapporttyp", "rubrik"], name="textavsnitt_unikt"),
        ]

    def __str__(self) -> str:
        return f"{self.rubrik} ({self.år})"

    @property
    def stycken(self) -> list[str]:
        return [s.strip() for s in self.text.replace("\r\n", "\n").split("\n\n") if s.strip()]
