"""Report layouts (which sections a kommun's reports have, in which order, with which tables) and narrative text."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from nämnd.models import ÅR_VALIDATORER, Kommun, KommunScopedQuerySet, Nämnd, Rapporttyp, scoped_queryset


class Rapportlayout(models.Model):
    """A kommun's layout of one report type: an ordered list of sections (``Layoutsektion``), each of a kind from
    the section registry (``rapporter.sektioner``) with its parameters. A layout applies from ``från_år`` until a
    later one (0 = every year); "Öppna nytt år" copies the latest to the new year. A fastställd report keeps the
    layout it was fastställd with (``Rapportlås.layout``)."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="layouter", verbose_name="kommun")
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    från_år = models.PositiveSmallIntegerField("gäller från år", default=0, help_text="0 = alla år.")
    förval = models.CharField("utgår från förval", max_length=60, blank=True)
    ändrad = models.DateTimeField("ändrad", auto_now=True)

    objects = KommunScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "rapportlayout"
        verbose_name_plural = "rapportlayouter"
        ordering = ["kommun", "rapporttyp", "från_år"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "rapporttyp", "från_år"], name="layout_unik"),
        ]

    def __str__(self) -> str:
        år = f" från {self.från_år}" if self.från_år else ""
        return f"{Rapporttyp(self.rapporttyp).label}{år} ({self.kommun})"


class Layoutsektion(models.Model):
    """One section of a layout: its kind, heading and validated parameters (never typed as JSON by a user: the
    layout page builds them from lists and choices). A ``text`` section shows the nämnd's Textavsnitt with the same
    heading."""

    layout = models.ForeignKey(Rapportlayout, on_delete=models.CASCADE, related_name="sektioner", verbose_name="layout")
    ordning = models.PositiveIntegerField("ordning", default=0)
    typ = models.CharField("sektionstyp", max_length=24)
    rubrik = models.CharField("rubrik", max_length=200)
    parametrar = models.JSONField("inställningar", default=dict, blank=True)

    objects = scoped_queryset("layout__kommun").as_manager()

    class Meta:
        verbose_name = "layoutsektion"
        verbose_name_plural = "layoutsektioner"
        ordering = ["layout", "ordning", "id"]
        constraints = [models.UniqueConstraint(fields=["layout", "rubrik"], name="layoutsektion_unik_rubrik")]

    def __str__(self) -> str:
        return self.rubrik


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


class Egentabell(models.Model):
    """A table a kommun defines itself (internkontrollplan, attestförteckning, uppföljning av privata utförare …):
    its columns are ``Egenkolumn`` rows edited on the layout page, its rows ``Egenrad`` per nämnd and year. A report
    shows it through the section kind ``egentabell`` (rapporter/sektioner/egentabell.py)."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="egentabeller", verbose_name="kommun")
    namn = models.CharField("namn", max_length=120)
    beskrivning = models.CharField("beskrivning", max_length=300, blank=True)
    förval = models.CharField("utgår från förval", max_length=40, blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = KommunScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "egen tabell"
        verbose_name_plural = "egna tabeller"
        ordering = ["kommun", "namn"]
        constraints = [models.UniqueConstraint(fields=["kommun", "namn"], name="egentabell_unikt_namn")]

    def __str__(self) -> str:
        return self.namn


class Egenkolumn(models.Model):
    """One column of a kommun's own table. ``statusval`` lists the allowed values of a status column (the last one
    counts as done on the status page); the form edits it one value per line and the service validates it."""

    class Typ(models.TextChoices):
        TEXT = "text", "Text"
        TAL = "tal", "Tal"
        DATUM = "datum", "Datum"
        STATUS = "status", "Status (från en lista)"
        ANSVARIG = "ansvarig", "Ansvarig (en användare i kommunen)"

    tabell = models.ForeignKey(Egentabell, on_delete=models.CASCADE, related_name="kolumner", verbose_name="tabell")
    namn = models.CharField("namn", max_length=80)
    typ = models.CharField("typ", max_length=12, choices=Typ, default=Typ.TEXT)
    statusval = models.JSONField("tillåtna statusvärden", default=list, blank=True)
    ordning = models.PositiveIntegerField("ordning", default=0)

    objects = scoped_queryset("tabell__kommun").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kolumn i egen tabell"
        verbose_name_plural = "kolumner i egna tabeller"
        ordering = ["tabell", "ordning", "id"]

    def __str__(self) -> str:
        return self.namn


class Egenrad(models.Model):
    """One row of a kommun's own table for a nämnd and year: ``värden`` maps column ids (as strings) to the typed
    value as text (tal "1234.5", datum "2024-08-31", ansvarig a user id), validated by the write service."""

    tabell = models.ForeignKey(Egentabell, on_delete=models.CASCADE, related_name="rader", verbose_name="tabell")
    nämnd = models.ForeignKey(Nämnd, on_delete=models.CASCADE, related_name="egenrader", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    ordning = models.PositiveIntegerField("ordning", default=0)
    värden = models.JSONField("värden", default=dict, blank=True)

    objects = scoped_queryset("nämnd__kommun").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "rad i egen tabell"
        verbose_name_plural = "rader i egna tabeller"
        ordering = ["tabell", "nämnd", "år", "ordning", "id"]
        indexes = [models.Index(fields=["tabell", "år", "nämnd"], name="egenrad_tabell_ar")]

    def __str__(self) -> str:
        return f"{self.tabell} {self.år} rad {self.ordning}"
