"""Volymer och nyckeltal, mål, uppdrag, indikatorer and måluppfyllelse."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from nämnd.models import (
    MÅNAD_VALIDATORER,
    ÅR_VALIDATORER,
    Kommun,
    Nämnd,
    Rapporttyp,
    Verksamhetsområde,
    scoped_queryset,
)

from .bedomning import STANDARDSKALA, Bedömningsskala


def Värde(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Nyckeltalsgrupp(models.Model):
    """A heading of the volymer table, e.g. "Hemtjänst" or "Insatser enligt LSS"."""

    nämnd = models.ForeignKey(Nämnd, on_delete=models.PROTECT, related_name="nyckeltalsgrupper", verbose_name="nämnd")
    namn = models.CharField("namn", max_length=200)
    ordning = models.PositiveIntegerField("ordning", default=0)

    objects = scoped_queryset("nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "nyckeltalsområde"
        verbose_name_plural = "nyckeltalsområden"
        ordering = ["nämnd", "ordning", "namn"]
        constraints = [models.UniqueConstraint(fields=["nämnd", "namn"], name="nyckeltalsgrupp_unik")]

    def __str__(self) -> str:
        return self.namn


class Nyckeltal(models.Model):
    class Enhet(models.TextChoices):
        ANTAL = "antal", "antal"
        BRUKARE = "antal brukare", "antal brukare"
        TIMMAR = "timmar", "timmar"
        VÅRDDYGN = "vårddygn", "vårddygn"
        ÅRSPLATSER = "årsplatser", "årsplatser"
        ÄRENDEN = "ärenden", "ärenden"
        PROCENT = "%", "%"
        KR = "kr", "kr"

    grupp = models.ForeignKey(
        Nyckeltalsgrupp, on_delete=models.PROTECT, related_name="nyckeltal", verbose_name="område"
    )
    förälder = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delserier",
        verbose_name="varav-rad till",
        help_text='För delserier som "varav kommunal regi".',
    )
    namn = models.CharField("namn", max_length=250)
    enhet = models.CharField("enhet", max_length=20, choices=Enhet, default=Enhet.ANTAL)
    ordning = models.PositiveIntegerField("ordning", default=0)
    verksamhetsområde = models.ForeignKey(
        Verksamhetsområde,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nyckeltal",
        verbose_name="verksamhetsområde",
        help_text="Används för snittkostnad (nettokostnad ÷ volym).",
    )
    får_vara_negativ = models.BooleanField("får vara negativ", default=False)

    objects = scoped_queryset("grupp__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "nyckeltal"
        verbose_name_plural = "nyckeltal"
        ordering = ["grupp", "ordning", "namn"]

    def __str__(self) -> str:
        return self.namn

    def clean(self):
        if self.förälder_id and self.förälder.grupp_id != self.grupp_id:
            raise ValidationError({"förälder": "En delserie måste höra till samma område."})
        if self.verksamhetsområde_id and self.verksamhetsområde.nämnd_id != self.grupp.nämnd_id:
            raise ValidationError({"verksamhetsområde": "Verksamhetsområdet tillhör en annan nämnd."})


class Nyckeltalsvärde(models.Model):
    class Typ(models.TextChoices):
        UTFALL_HELÅR = "utfall_helår", "Utfall helår"
        UTFALL_DELÅR = "utfall_delår", "Utfall delår"
        MÅL = "mål", "Mål/plan"
        PROGNOS = "prognos", "Prognos helår"
        UTFALL_MÅNAD = "utfall_månad", "Utfall månad"

    nyckeltal = models.ForeignKey(Nyckeltal, on_delete=models.CASCADE, related_name="värden", verbose_name="nyckeltal")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    typ = models.CharField("typ", max_length=14, choices=Typ)
    månad = models.PositiveSmallIntegerField(
        "månad", null=True, blank=True, validators=MÅNAD_VALIDATORER, help_text="Endast för månadsutfall."
    )
    värde = Värde("värde")
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = scoped_queryset("nyckeltal__grupp__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "nyckeltalsvärde"
        verbose_name_plural = "nyckeltalsvärden"
        ordering = ["nyckeltal", "år", "typ", "månad"]
        constraints = [
            models.UniqueConstraint(
                fields=["nyckeltal", "år", "typ"], condition=Q(månad__isnull=True), name="nyckeltalsvärde_unikt_år"
            ),
            models.UniqueConstraint(
                fields=["nyckeltal", "år", "typ", "månad"],
                condition=Q(månad__isnull=False),
                name="nyckeltalsvärde_unikt_månad",
            ),
            models.CheckConstraint(
                condition=(
                    Q(typ="utfall_månad", månad__gte=1, månad__lte=12)
                    | (~Q(typ="utfall_månad") & Q(månad__isnull=True))
                ),
                name="nyckeltalsvärde_månad_krävs_för_månadsutfall",
                violation_error_message="Månad (1–12) anges för månadsutfall och bara för dem.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nyckeltal} {self.år} {self.get_typ_display()}"

    def clean(self):
        if self.typ == self.Typ.UTFALL_MÅNAD and self.månad is None:
            raise ValidationError({"månad": "Ange månad (1–12) för månadsutfall."})
        if self.typ != self.Typ.UTFALL_MÅNAD and self.månad is not None:
            raise ValidationError({"månad": "Månad anges bara för månadsutfall."})
        if self.värde is not None and self.värde < 0 and self.nyckeltal_id and not self.nyckeltal.får_vara_negativ:
            raise ValidationError({"värde": f"{self.nyckeltal} kan inte vara negativt."})


class Mål(models.Model):
    class Nivå(models.TextChoices):
        KF = "kf", "KF inriktningsmål"
        NÄMND = "nämnd", "Nämndmål"

    nämnd = models.ForeignKey(Nämnd, on_delete=models.PROTECT, related_name="mål", verbose_name="nämnd")
    förälder = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nämndmål",
        verbose_name="KF-mål",
    )
    nivå = models.CharField("nivå", max_length=6, choices=Nivå, default=Nivå.KF)
    namn = models.CharField("mål", max_length=300)
    beskrivning = models.TextField("beskrivning", blank=True)
    betyder_att = models.TextField("målet betyder att", blank=True, help_text="En punkt per rad.")
    ordning = models.PositiveIntegerField("ordning", default=0)
    från_år = models.PositiveSmallIntegerField("från år", validators=ÅR_VALIDATORER)
    till_år = models.PositiveSmallIntegerField("till och med år", null=True, blank=True, validators=ÅR_VALIDATORER)

    objects = scoped_queryset("nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "mål"
        verbose_name_plural = "mål"
        ordering = ["nämnd", "ordning", "namn"]

    def __str__(self) -> str:
        return self.namn

    @property
    def punkter(self) -> list[str]:
        return [r.strip(" -•\t") for r in self.betyder_att.splitlines() if r.strip(" -•\t")]

    def clean(self):
        if self.förälder_id:
            if self.förälder.nämnd.kommun_id != self.nämnd.kommun_id:
                raise ValidationError({"förälder": "KF-målet tillhör en annan kommun."})
            if self.förälder.nivå != self.Nivå.KF or self.nivå != self.Nivå.NÄMND:
                raise ValidationError({"förälder": "Endast nämndmål kan ligga under ett KF-mål."})


class Uppdrag(models.Model):
    mål = models.ForeignKey(Mål, on_delete=models.CASCADE, related_name="uppdrag", verbose_name="mål")
    text = models.TextField("uppdrag")
    från_år = models.PositiveSmallIntegerField("tidsperiod från", validators=ÅR_VALIDATORER)
    till_år = models.PositiveSmallIntegerField("tidsperiod till", validators=ÅR_VALIDATORER)
    nivå = models.CharField("nivå", max_length=100, default="Uppdrag från kommunfullmäktige")
    ordning = models.PositiveIntegerField("ordning", default=0)

    objects = scoped_queryset("mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "uppdrag"
        verbose_name_plural = "uppdrag"
        ordering = ["mål", "ordning", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def tidsperiod(self) -> str:
        return str(self.från_år) if self.från_år == self.till_år else f"{self.från_år}–{self.till_år}"

    def clean(self):
        if self.från_år and self.till_år and self.till_år < self.från_år:
            raise ValidationError({"till_år": "Tidsperioden slutar före den börjar."})


class Uppdragsstatus(models.Model):
    class Status(models.TextChoices):
        EJ_PÅBÖRJAT = "ej_påbörjat", "Ej påbörjat"
        PÅGÅR = "pågår", "Pågår"
        FÖRSENAT = "försenat", "Försenat"
        GENOMFÖRT = "genomfört", "Genomfört"

    uppdrag = models.ForeignKey(Uppdrag, on_delete=models.CASCADE, related_name="statusar", verbose_name="uppdrag")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    status = models.CharField("status", max_length=12, choices=Status)
    kommentar = models.TextField("kommentar", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = scoped_queryset("uppdrag__mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "uppdragsstatus"
        verbose_name_plural = "uppdragsstatus"
        constraints = [models.UniqueConstraint(fields=["uppdrag", "år", "rapporttyp"], name="uppdragsstatus_unik")]

    def __str__(self) -> str:
        return f"{self.uppdrag} {self.år}: {self.get_status_display()}"


class Indikator(models.Model):
    class Riktning(models.TextChoices):
        ÖKA = "öka", "Öka"
        MINSKA = "minska", "Minska"
        BIBEHÅLLA = "bibehålla", "Bibehålla"

    class Jämförelse(models.TextChoices):
        MINST = "minst", "Minst"
        HÖGST = "högst", "Högst"

    mål = models.ForeignKey(Mål, on_delete=models.CASCADE, related_name="indikatorer", verbose_name="mål")
    namn = models.CharField("indikator", max_length=300)
    kolada_id = models.CharField(
        "Kolada-id",
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]\d{5}$", "Kolada-id skrivs som en bokstav och fem siffror, t.ex. U21468.")],
    )
    enhet = models.CharField("enhet", max_length=30, default="%")
    riktning = models.CharField("önskad riktning", max_length=10, choices=Riktning, default=Riktning.ÖKA)
    jämförelse = models.CharField("målvärde är", max_length=5, choices=Jämförelse, blank=True)
    målvärde = Värde("målvärde", null=True, blank=True)
    ordning = models.PositiveIntegerField("ordning", default=0)
    jämförelsegrupp = models.ForeignKey(
        "Jämförelsegrupp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indikatorer",
        verbose_name="jämförelsegrupp (Kolada)",
        help_text="Tom: kommunens standardgrupp.",
    )

    objects = scoped_queryset("mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["mål", "ordning", "pk"]

    def __str__(self) -> str:
        return self.namn

    def clean(self):
        if (self.målvärde is None) != (not self.jämförelse):
            raise ValidationError({"målvärde": "Ange både målvärde och om det är minst eller högst, eller ingetdera."})
        if self.jämförelsegrupp_id and self.mål_id and self.jämförelsegrupp.kommun_id != self.mål.nämnd.kommun_id:
            raise ValidationError({"jämförelsegrupp": "Jämförelsegruppen tillhör en annan kommun."})


class Indikatorvärde(models.Model):
    class Typ(models.TextChoices):
        UTFALL = "utfall", "Utfall"
        PROGNOS = "prognos", "Prognos"

    indikator = models.ForeignKey(Indikator, on_delete=models.CASCADE, related_name="värden", verbose_name="indikator")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    typ = models.CharField("typ", max_length=8, choices=Typ, default=Typ.UTFALL)
    totalt = Värde("totalt", null=True, blank=True)
    kvinnor = Värde("kvinnor", null=True, blank=True)
    män = Värde("män", null=True, blank=True)
    källa = models.CharField("källa", max_length=100, blank=True, help_text="T.ex. Kolada.")
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = scoped_queryset("indikator__mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "indikatorvärde"
        verbose_name_plural = "indikatorvärden"
        ordering = ["indikator", "år", "typ"]
        constraints = [models.UniqueConstraint(fields=["indikator", "år", "typ"], name="indikatorvärde_unikt")]

    def __str__(self) -> str:
        return f"{self.indikator} {self.år}"


class Indikatorkommentar(models.Model):
    """The nämnd's comment on an indikator in one report (like ``Uppdragsstatus.kommentar`` for an uppdrag)."""

    indikator = models.ForeignKey(
        Indikator, on_delete=models.CASCADE, related_name="kommentarer", verbose_name="indikator"
    )
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    kommentar = models.TextField("kommentar")
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = scoped_queryset("indikator__mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "indikatorkommentar"
        verbose_name_plural = "indikatorkommentarer"
        constraints = [
            models.UniqueConstraint(fields=["indikator", "år", "rapporttyp"], name="indikatorkommentar_unik")
        ]

    def __str__(self) -> str:
        return f"{self.indikator} {self.år}: {self.kommentar[:40]}"


class Bedömningsnivå(models.Model):
    """A level of the kommun's scale for assessing its mål ("Målet uppfylls", "Uppfylls delvis", …), 2–4 levels,
    ``ordning`` 1 the best. ``Måluppfyllelse.bedömning`` stores the ``kod``. A kommun without levels of its own uses
    the standard scale (``bedomning.STANDARDNIVÅER``); new kommuner get it as rows (``services.standardskala``)."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="bedömningsnivåer", verbose_name="kommun")
    kod = models.SlugField(
        "kod",
        max_length=20,
        allow_unicode=True,
        help_text="Det värde som sparas för varje bedömning, t.ex. ”uppfyllt”. Kan inte ändras när det används.",
    )
    text = models.CharField("text", max_length=60, help_text="Kommunens ord, t.ex. ”Målet uppfylls”.")
    ordning = models.PositiveSmallIntegerField("ordning", default=1, help_text="1 = bäst.")

    objects = scoped_queryset("kommun").as_manager()

    class Meta:
        verbose_name = "bedömningsnivå"
        verbose_name_plural = "bedömningsskala"
        ordering = ["kommun", "ordning", "id"]
        constraints = [models.UniqueConstraint(fields=["kommun", "kod"], name="bedömningsnivå_unik_kod")]

    def __str__(self) -> str:
        return self.text


def bedömningsskalor(kommun_ids: set[int]) -> dict[int, Bedömningsskala]:
    """The scales of kommuner, best level first (the standard scale for a kommun without levels). One query."""
    par: dict[int, list[tuple[str, str]]] = {k: [] for k in kommun_ids}
    for kommun_id, kod, text in Bedömningsnivå.objects.filter(kommun_id__in=kommun_ids).values_list(
        "kommun_id", "kod", "text"
    ):
        par[kommun_id].append((kod, text))
    return {k: Bedömningsskala.av(p) if p else STANDARDSKALA for k, p in par.items()}


def bedömningsskala(kommun_id: int) -> Bedömningsskala:
    return bedömningsskalor({kommun_id})[kommun_id]


def med_nivåtext(måluppfyllelser: models.QuerySet) -> models.QuerySet:
    """Måluppfyllelse rows annotated, in the same query, with what ``nivåtext`` needs: the word of their
    bedömning on their kommun's scale and whether the kommun has levels of its own."""
    egna = Bedömningsnivå.objects.filter(kommun_id=OuterRef("mål__nämnd__kommun_id"))
    return måluppfyllelser.annotate(
        _nivåtext=Subquery(egna.filter(kod=OuterRef("bedömning")).values("text")[:1]), _egen_skala=Exists(egna)
    )


def nivåtext(b: Måluppfyllelse) -> str | None:
    """The kommun's word for a bedömning read through ``med_nivåtext``; None when it is not on the scale."""
    if b._egen_skala:  # type: ignore[attr-defined]
        return b._nivåtext  # type: ignore[attr-defined]
    nivå = STANDARDSKALA.nivå(b.bedömning)
    return nivå.text if nivå else None


class Måluppfyllelse(models.Model):
    mål = models.ForeignKey(Mål, on_delete=models.CASCADE, related_name="bedömningar", verbose_name="mål")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    bedömning = models.CharField(
        "bedömning", max_length=20, help_text="Koden för en nivå på kommunens bedömningsskala."
    )
    kommentar = models.TextField("kommentar", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = scoped_queryset("mål__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "måluppfyllelse"
        verbose_name_plural = "måluppfyllelse"
        constraints = [models.UniqueConstraint(fields=["mål", "år", "rapporttyp"], name="måluppfyllelse_unik")]

    def __str__(self) -> str:
        return f"{self.mål} {self.år}: {self.bedömning}"

    def clean(self):
        """The bedömning is a level of the mål's kommun's scale (the admin; the entry pages ask the service)."""
        if self.mål_id and self.bedömning:
            skala = bedömningsskala(self.mål.nämnd.kommun_id)
            if skala.nivå(self.bedömning) is None:
                raise ValidationError(
                    {"bedömning": f"”{self.bedömning}” finns inte på kommunens bedömningsskala ({skala.beskrivning})."}
                )

    @property
    def är_prognos(self) -> bool:
        return Rapporttyp(self.rapporttyp).är_prognos


# --- Kolada comparison: peer groups and reference values (docs/beslut.md "Kolada-jämförelse") ----------


class Jämförelsegrupp(models.Model):
    """A Kolada municipality group (``/v3/municipality_groups``), e.g. "Liknande kommuner, individ- och
    familjeomsorg", stored for the kommun that compares itself with it. ``standard``: the group an indikator without
    a group of its own is compared with."""

    kommun = models.ForeignKey(
        Kommun, on_delete=models.CASCADE, related_name="jämförelsegrupper", verbose_name="kommun"
    )
    kolada_id = models.CharField("Kolada-id", max_length=20, help_text="T.ex. G33894.")
    namn = models.CharField("namn", max_length=300)
    medlemmar = models.JSONField("medlemmar", default=list, help_text="Kommunkoderna i gruppen.")
    standard = models.BooleanField("kommunens standardgrupp", default=False)
    hämtad = models.DateTimeField("hämtad", null=True, blank=True)
    källa_url = models.CharField("hämtad från", max_length=500, blank=True)

    objects = scoped_queryset("kommun").as_manager()

    class Meta:
        verbose_name = "jämförelsegrupp"
        verbose_name_plural = "jämförelsegrupper"
        ordering = ["kommun", "namn"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "kolada_id"], name="jämförelsegrupp_unik"),
            models.UniqueConstraint(fields=["kommun"], condition=Q(standard=True), name="jämförelsegrupp_en_standard"),
        ]

    def __str__(self) -> str:
        return self.namn


class Koladahämtning(models.Model):
    """One fetch (or one loaded set of files) of Kolada values for a kommun: the provenance of its values."""

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="koladahämtningar", verbose_name="kommun")
    tidpunkt = models.DateTimeField("hämtad")
    från_datum = models.DateField("ändringar sedan (from_date)", null=True, blank=True)
    kpier = models.CharField("Kolada-id", max_length=2000, help_text="Kommaseparerade.")
    adresser = models.JSONField("adresser", default=list)
    antal_nya = models.PositiveIntegerField("nya", default=0)
    antal_reviderade = models.PositiveIntegerField("reviderade", default=0)
    antal_oförändrade = models.PositiveIntegerField("oförändrade", default=0)

    objects = scoped_queryset("kommun").as_manager()

    class Meta:
        verbose_name = "Kolada-hämtning"
        verbose_name_plural = "Kolada-hämtningar"
        ordering = ["kommun", "-tidpunkt", "-id"]

    def __str__(self) -> str:
        return f"{self.kommun} {self.tidpunkt:%Y-%m-%d %H:%M}"


class Koladavärde(models.Model):
    """A value as Kolada publishes it for a kommun, a municipality group (its unweighted mean, ``antal`` > 1) or
    riket (``0000``), kept apart from the kommun's own Indikatorvärde, with where and when it came from. A changed
    value on a later fetch is a revision: ``revision`` + 1, the old value in ``föregående_värde``."""

    class Kön(models.TextChoices):
        TOTALT = "T", "Totalt"
        KVINNOR = "K", "Kvinnor"
        MÄN = "M", "Män"

    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="koladavärden", verbose_name="kommun")
    kpi = models.CharField("Kolada-id", max_length=6)
    municipality = models.CharField("kommun, grupp eller riket", max_length=20)
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    kön = models.CharField("kön", max_length=1, choices=Kön, default=Kön.TOTALT)
    värde = Värde("värde", null=True, blank=True)
    antal = models.PositiveIntegerField("antal (count)", null=True, blank=True)
    status = models.CharField("status", max_length=50, blank=True)
    hämtning = models.ForeignKey(
        Koladahämtning, on_delete=models.CASCADE, related_name="värden", verbose_name="senast hämtad"
    )
    källa_url = models.CharField("adress", max_length=1000)
    revision = models.PositiveIntegerField("revision", default=1)
    föregående_värde = Värde("föregående värde", null=True, blank=True)
    reviderad_i = models.ForeignKey(
        Koladahämtning,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisioner",
        verbose_name="reviderad vid hämtningen",
    )

    objects = scoped_queryset("kommun").as_manager()

    class Meta:
        verbose_name = "Kolada-värde"
        verbose_name_plural = "Kolada-värden"
        ordering = ["kommun", "kpi", "municipality", "år", "kön"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "kpi", "municipality", "år", "kön"], name="koladavärde_unikt")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.municipality} {self.år} {self.kön}"
