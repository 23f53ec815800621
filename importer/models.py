"""Imports: profiles (how a kommun's files look), and the record of every import with what it changed.

The uploaded file itself is never kept (it may name individuals in motpart/text columns): only the
checksum, counts, totals and the aggregated figures it produced."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nämnd.models import Kommun, KommunScopedQuerySet, Nämnd, scoped_queryset


class Importtyp(models.TextChoices):
    UTFALL = "utfall", "Utfall från ekonomisystemet"
    BUDGET = "budget", "Budget"
    BUDGETKONTO = "budgetkonto", "Budget per ansvar och konto"
    PROGNOS = "prognos", "Helårsprognos"
    VOLYMER = "volymer", "Volymer och nyckeltal"
    INDIKATORER = "indikatorer", "Indikatorer"
    KOLADA = "kolada", "Indikatorer från Kolada"
    ORGANISATION = "organisation", "Organisation"


class Importprofil(models.Model):
    """How one kommun's export of a kind looks: which column holds what, and what the amount means."""

    class Beloppstyp(models.TextChoices):
        MÅNAD = "månad", "Månadens belopp"
        ACKUMULERAT = "ackumulerat", "Ackumulerat saldo per period"

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="importprofiler", verbose_name="kommun")
    namn = models.CharField("namn", max_length=100)
    typ = models.CharField("typ", max_length=12, choices=Importtyp, default=Importtyp.UTFALL)
    kolumner = models.JSONField(
        "kolumnmappning",
        default=dict,
        blank=True,
        help_text='Fält → kolumnrubrik i filen, t.ex. {"belopp": "Utfall kr"}. Tomt = känn igen rubrikerna automatiskt.',
    )
    beloppstyp = models.CharField("beloppet är", max_length=12, choices=Beloppstyp, default=Beloppstyp.MÅNAD)
    kostnader_negativa = models.BooleanField(
        "kostnader är negativa i filen",
        default=False,
        help_text="Källans teckenkonvention; lagras med kostnader positiva.",
    )

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "importprofil"
        verbose_name_plural = "importprofiler"
        constraints = [models.UniqueConstraint(fields=["kommun", "typ", "namn"], name="importprofil_unik")]

    def __str__(self) -> str:
        return f"{self.namn} ({self.get_typ_display()})"


class Import(models.Model):
    class Status(models.TextChoices):
        FÖRHANDSGRANSKAD = "förhandsgranskad", "Förhandsgranskad"
        GENOMFÖRD = "genomförd", "Genomförd"
        AVBRUTEN = "avbruten", "Avbruten"
        FEL = "fel", "Fel"

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="importer", verbose_name="kommun")
    nämnd = models.ForeignKey(
        Nämnd, on_delete=models.PROTECT, null=True, blank=True, related_name="importer", verbose_name="nämnd"
    )
    typ = models.CharField("typ", max_length=12, choices=Importtyp)
    profil = models.ForeignKey(Importprofil, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="profil")
    filnamn = models.CharField("filnamn", max_length=255)
    sha256 = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    användare = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="användare"
    )
    skapad = models.DateTimeField("skapad", auto_now_add=True)
    genomförd = models.DateTimeField("genomförd", null=True, blank=True)
    status = models.CharField("status", max_length=16, choices=Status, default=Status.FÖRHANDSGRANSKAD)
    antal_rader = models.PositiveIntegerField("rader i filen", default=0)
    antal_skapade = models.PositiveIntegerField("nya värden", default=0)
    antal_ändrade = models.PositiveIntegerField("ändrade värden", default=0)
    antal_oförändrade = models.PositiveIntegerField("oförändrade värden", default=0)
    antal_fel = models.PositiveIntegerField("rader med fel", default=0)
    summa_fil = models.DecimalField("summa i filen (kr)", max_digits=18, decimal_places=2, null=True, blank=True)
    summa_lagrad = models.DecimalField("summa lagrad (kr)", max_digits=18, decimal_places=2, null=True, blank=True)
    summa_ej_fördelad = models.DecimalField(
        "summa ej fördelad (kr)", max_digits=18, decimal_places=2, null=True, blank=True
    )
    meddelande = models.TextField("meddelande", blank=True)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "import"
        verbose_name_plural = "importer"
        ordering = ["-skapad"]

    def __str__(self) -> str:
        return f"{self.get_typ_display()}: {self.filnamn} ({self.skapad:%Y-%m-%d %H:%M})"


class Importändring(models.Model):
    """One figure an import created or changed: the audit trail of bulk writes (old → new)."""

    imp = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="ändringar", verbose_name="import")
    modell = models.CharField("modell", max_length=40)
    objekt_id = models.BigIntegerField("objekt-id", null=True)
    beskrivning = models.CharField("vad", max_length=300)
    gammalt = models.CharField("gammalt värde", max_length=100, blank=True)
    nytt = models.CharField("nytt värde", max_length=100, blank=True)

    objects = scoped_queryset("imp__kommun").as_manager()

    class Meta:
        verbose_name = "importändring"
        verbose_name_plural = "importändringar"

    def __str__(self) -> str:
        return f"{self.beskrivning}: {self.gammalt} → {self.nytt}"
