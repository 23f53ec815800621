"""Money: budget, periodisering, utfall, prognos, investeringar. All amounts in kronor as Decimal.

Sign convention in storage: costs positive, income negative (nettokostnad = kostnader − intäkter).
How amounts are shown (tkr/mnkr, costs negative) is a per-kommun presentation setting.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grund import manader
from nämnd.models import (
    MÅNAD_VALIDATORER,
    ÅR_VALIDATORER,
    Kommun,
    KommunScopedQuerySet,
    Nämnd,
    Verksamhetsområde,
    scoped_queryset,
)


def Belopp(verbose_name: str, **kwargs) -> models.DecimalField:
    """Kronor with öre. 16 digits hold any kommun's budget."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


# Field names of Periodiseringsprofil (jan … dec): the short Swedish month names.
MÅNADER = list(manader.KORTA)


class Budgetkategori(models.TextChoices):
    EJ_ANGIVEN = "", "–"
    ANSLAG = "anslag", "Anslag"
    VOLYM = "volym", "Volym"
    EGEN_REGI = "egen_regi", "Egen regi"


class Kostnadsslag(models.Model):
    class Typ(models.TextChoices):
        INTÄKT = "intäkt", "Intäkt"
        KOSTNAD = "kostnad", "Kostnad"

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="kostnadsslag", verbose_name="kommun")
    namn = models.CharField("namn", max_length=100)
    typ = models.CharField("typ", max_length=8, choices=Typ)
    ordning = models.PositiveIntegerField("ordning", default=0)
    konton = models.CharField(
        "konton",
        max_length=500,
        blank=True,
        help_text="Kontointervall, kommaseparerade, t.ex. 3000-3499, 3600. Används vid import.",
    )

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "kostnadsslag"
        verbose_name_plural = "kostnadsslag"
        ordering = ["kommun", "typ", "ordning", "namn"]
        constraints = [models.UniqueConstraint(fields=["kommun", "namn"], name="kostnadsslag_unikt")]

    def __str__(self) -> str:
        return f"{self.get_typ_display()}: {self.namn}"


class Periodiseringsprofil(models.Model):
    """Monthly weights for distributing a year's budget. Budget lines without a profile are spread by the kommun's
    standard profile (``standard``), or evenly when the kommun has none."""

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="profiler", verbose_name="kommun")
    namn = models.CharField("namn", max_length=100)
    jan = models.DecimalField("jan", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    feb = models.DecimalField("feb", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    mar = models.DecimalField("mar", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    apr = models.DecimalField("apr", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    maj = models.DecimalField("maj", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    jun = models.DecimalField("jun", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    jul = models.DecimalField("jul", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    aug = models.DecimalField("aug", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    sep = models.DecimalField("sep", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    okt = models.DecimalField("okt", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    nov = models.DecimalField("nov", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    dec = models.DecimalField("dec", max_digits=7, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    standard = models.BooleanField(
        "kommunens standardprofil",
        default=False,
        help_text="Budgetposter utan egen profil periodiseras med kommunens standardprofil (högst en per kommun). "
        "Utan standardprofil fördelas de jämnt.",
    )

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "periodiseringsprofil"
        verbose_name_plural = "periodiseringsprofiler"
        constraints = [
            models.UniqueConstraint(fields=["kommun", "namn"], name="profil_unik"),
            models.UniqueConstraint(
                fields=["kommun"],
                condition=Q(standard=True),
                name="profil_en_standard_per_kommun",
                violation_error_message="Kommunen har redan en standardprofil.",
            ),
        ]

    def __str__(self) -> str:
        return self.namn

    @property
    def vikter(self) -> list[Decimal]:
        return [getattr(self, m) for m in MÅNADER]

    def clean(self):
        if sum(v or 0 for v in self.vikter) <= 0:
            raise ValidationError("Minst en månad måste ha en vikt större än 0.")


def Månadsbelopp(månad: str) -> models.DecimalField:
    return Belopp(f"{månad} (kr)", null=True, blank=True)


# Field names of a Budgetpost's exact monthly amounts (jan_kr … dec_kr).
MÅNADSFÄLT = [f"{m}_kr" for m in MÅNADER]


class Budgetpost(models.Model):
    """One budget figure for a verksamhetsområde and year (helår, in kronor).

    ``jan_kr`` … ``dec_kr``: exact amounts of single months, as the ekonomisystem's periodised budget gives them
    (None = not given). The months without one share the rest of the year (helår − the exact months) by the
    post's profile, else the kommun's standard profile, else evenly (``ekonomi.berakning.periodbudget``;
    docs/beslut.md, "Exakt periodbudget och ingen budget")."""

    class Slag(models.TextChoices):
        KF_BUDGET = "kf", "KF-budget"
        NÄMNDBUDGET = "nämnd", "Nämndbudget"
        TILLÄGG = "tillägg", "Tillägg och avdrag"

    verksamhetsområde = models.ForeignKey(
        Verksamhetsområde, on_delete=models.PROTECT, related_name="budgetposter", verbose_name="verksamhetsområde"
    )
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    slag = models.CharField("slag", max_length=8, choices=Slag, default=Slag.KF_BUDGET)
    kategori = models.CharField("budgetkategori", max_length=10, choices=Budgetkategori, default="", blank=True)
    belopp = Belopp("belopp helår (kr)")
    kommentar = models.CharField("kommentar", max_length=500, blank=True, help_text="Skäl till tillägg eller avdrag.")
    profil = models.ForeignKey(
        Periodiseringsprofil,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="periodiseringsprofil",
        help_text="Tomt = jämn fördelning över årets tolv månader.",
    )
    volym = models.DecimalField(
        "budgeterad volym", max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    peng = Belopp("ersättning per enhet (peng, kr)", null=True, blank=True)
    kostnadsslag = models.ForeignKey(
        Kostnadsslag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="kostnadsslag",
        help_text="Tomt = verksamhetsområdets hela budget. Med kostnadsslag är posten en del av den "
        "(docs/beslut.md, Budget per kostnadsslag).",
    )
    jan_kr = Månadsbelopp("jan")
    feb_kr = Månadsbelopp("feb")
    mar_kr = Månadsbelopp("mar")
    apr_kr = Månadsbelopp("apr")
    maj_kr = Månadsbelopp("maj")
    jun_kr = Månadsbelopp("jun")
    jul_kr = Månadsbelopp("jul")
    aug_kr = Månadsbelopp("aug")
    sep_kr = Månadsbelopp("sep")
    okt_kr = Månadsbelopp("okt")
    nov_kr = Månadsbelopp("nov")
    dec_kr = Månadsbelopp("dec")

    objects = scoped_queryset("verksamhetsområde__nämnd__kommun").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "budgetpost"
        verbose_name_plural = "budgetposter"
        ordering = ["verksamhetsområde", "år", "slag"]
        constraints = [
            models.UniqueConstraint(
                fields=["verksamhetsområde", "år", "slag", "kategori"],
                condition=~Q(slag="tillägg") & Q(kostnadsslag__isnull=True),
                name="budget_en_per_slag",
                violation_error_message="Det finns redan en sådan budget för verksamhetsområdet och året.",
            ),
            models.UniqueConstraint(
                fields=["verksamhetsområde", "år", "slag", "kategori", "kostnadsslag"],
                condition=~Q(slag="tillägg") & Q(kostnadsslag__isnull=False),
                name="budget_en_per_slag_och_kostnadsslag",
                violation_error_message="Det finns redan en sådan budget för verksamhetsområdet, året och "
                "kostnadsslaget.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verksamhetsområde} {self.år} {self.get_slag_display()}"

    @property
    def månader(self) -> tuple[Decimal | None, ...] | None:
        """The exact monthly amounts (jan … dec, None where not given), or None when no month is given."""
        värden = tuple(getattr(self, f) for f in MÅNADSFÄLT)
        return värden if any(v is not None for v in värden) else None

    @månader.setter
    def månader(self, värden) -> None:
        värden = list(värden) if värden is not None else [None] * 12
        for f, v in zip(MÅNADSFÄLT, värden, strict=True):
            setattr(self, f, None if v is None else Decimal(v))

    def clean(self):
        månader = self.månader
        if månader is not None and None not in månader and self.belopp is not None:
            summa = sum((m for m in månader if m is not None), Decimal(0))
            if summa != self.belopp:
                raise ValidationError(
                    f"Alla tolv månader har exakta belopp men de summerar till {summa} kr, inte helårsbeloppet "
                    f"{self.belopp} kr. Ändra ett månadsbelopp eller helårsbeloppet, eller töm en månad."
                )
        if self.slag == self.Slag.TILLÄGG and not self.kommentar:
            raise ValidationError({"kommentar": "Ange skälet till tillägget eller avdraget."})
        if (
            self.profil_id
            and self.verksamhetsområde_id
            and (self.profil.kommun_id != self.verksamhetsområde.nämnd.kommun_id)
        ):
            raise ValidationError({"profil": "Profilen tillhör en annan kommun."})
        if (self.volym is None) != (self.peng is None):
            raise ValidationError("Ange både budgeterad volym och peng, eller ingetdera.")
        if (
            self.kostnadsslag_id
            and self.verksamhetsområde_id
            and (self.kostnadsslag.kommun_id != self.verksamhetsområde.nämnd.kommun_id)
        ):
            raise ValidationError({"kostnadsslag": "Kostnadsslaget tillhör en annan kommun."})
        if self.verksamhetsområde_id and self.år and self.slag != self.Slag.TILLÄGG:
            # Never counted twice: an område's budget of a slag is either one post or split per kostnadsslag.
            andra = Budgetpost.objects.filter(
                verksamhetsområde_id=self.verksamhetsområde_id, år=self.år, slag=self.slag, kategori=self.kategori
            ).exclude(pk=self.pk)
            if andra.filter(kostnadsslag__isnull=self.kostnadsslag_id is not None).exists():
                raise ValidationError(
                    "Verksamhetsområdets budget för året är redan "
                    + ("angiven utan kostnadsslag." if self.kostnadsslag_id else "fördelad per kostnadsslag.")
                    + " En budget anges antingen som ett belopp eller per kostnadsslag, inte båda."
                )


class Utfall(models.Model):
    """Nettokostnad of a verksamhetsområde in one month, optionally per kostnadsslag."""

    verksamhetsområde = models.ForeignKey(
        Verksamhetsområde, on_delete=models.PROTECT, related_name="utfall", verbose_name="verksamhetsområde"
    )
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    månad = models.PositiveSmallIntegerField("månad", validators=MÅNAD_VALIDATORER)
    kostnadsslag = models.ForeignKey(
        Kostnadsslag, on_delete=models.PROTECT, null=True, blank=True, verbose_name="kostnadsslag"
    )
    kategori = models.CharField("budgetkategori", max_length=10, choices=Budgetkategori, default="", blank=True)
    belopp = Belopp("belopp (kr)")
    version = models.PositiveIntegerField("version", default=1, editable=False)
    källa = models.ForeignKey(
        "importer.Import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="utfall",
        verbose_name="importerad av",
        help_text="Tomt = inmatat för hand.",
    )

    objects = scoped_queryset("verksamhetsområde__nämnd__kommun").as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "utfall"
        verbose_name_plural = "utfall"
        ordering = ["verksamhetsområde", "år", "månad"]
        constraints = [
            models.CheckConstraint(
                condition=Q(månad__gte=1, månad__lte=12),
                name="utfall_månad_1_12",
                violation_error_message="Månad måste vara 1–12.",
            ),
            models.UniqueConstraint(
                fields=["verksamhetsområde", "år", "månad", "kategori"],
                condition=Q(kostnadsslag__isnull=True),
                name="utfall_unikt_netto",
            ),
            models.UniqueConstraint(
                fields=["verksamhetsområde", "år", "månad", "kategori", "kostnadsslag"],
                condition=Q(kostnadsslag__isnull=False),
                name="utfall_unikt_per_slag",
            ),
        ]
        indexes = [models.Index(fields=["år", "månad"])]

    def __str__(self) -> str:
        return f"{self.verksamhetsområde} {self.år}-{self.månad:02d}"

    def clean(self):
        if (
            self.kostnadsslag_id
            and self.verksamhetsområde_id
            and (self.kostnadsslag.kommun_id != self.verksamhetsområde.nämnd.kommun_id)
        ):
            raise ValidationError({"kostnadsslag": "Kostnadsslaget tillhör en annan kommun."})


class Prognos(models.Model):
    """Helårsprognos of nettokostnad made at a prognostillfälle (the month it was made after)."""

    verksamhetsområde = models.ForeignKey(
        Verksamhetsområde, on_delete=models.PROTECT, related_name="prognoser", verbose_name="verksamhetsområde"
    )
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    månad = models.PositiveSmallIntegerField("prognostillfälle (månad)", validators=MÅNAD_VALIDATORER)
    belopp = Belopp("prognos nettokostnad helår (kr)", null=True, blank=True, help_text="Tomt = bara en kommentar.")
    kommentar = models.TextField("kommentar", blank=True)
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = scoped_queryset("verksamhetsområde__nämnd__kommun").as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "prognos"
        verbose_name_plural = "prognoser"
        ordering = ["verksamhetsområde", "år", "månad"]
        constraints = [
            models.UniqueConstraint(fields=["verksamhetsområde", "år", "månad"], name="prognos_unik"),
            models.CheckConstraint(
                condition=Q(månad__gte=1, månad__lte=12),
                name="prognos_månad_1_12",
                violation_error_message="Månad måste vara 1–12.",
            ),
        ]

    def __str__(self) -> str:
        return f"Prognos {self.verksamhetsområde} {self.år}-{self.månad:02d}"


class Investering(models.Model):
    nämnd = models.ForeignKey(Nämnd, on_delete=models.PROTECT, related_name="investeringar", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    namn = models.CharField("investering", max_length=200)
    projektnummer = models.CharField("projektnummer", max_length=30, blank=True)
    ordning = models.PositiveIntegerField("ordning", default=0)
    kf_ram = Belopp("KF investeringsram (kr)", default=Decimal(0))
    tillägg = Belopp("tillägg investeringsram (kr)", default=Decimal(0))
    tillägg_kommentar = models.CharField("kommentar till tillägg", max_length=500, blank=True)

    objects = scoped_queryset("nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "investering"
        verbose_name_plural = "investeringar"
        ordering = ["nämnd", "år", "ordning", "namn"]
        constraints = [models.UniqueConstraint(fields=["nämnd", "år", "namn"], name="investering_unik")]

    def __str__(self) -> str:
        return f"{self.namn} {self.år}"


class Investeringsutgift(models.Model):
    investering = models.ForeignKey(Investering, on_delete=models.CASCADE, related_name="utgifter")
    månad = models.PositiveSmallIntegerField("månad", validators=MÅNAD_VALIDATORER)
    belopp = Belopp("utgift (kr)")

    objects = scoped_queryset("investering__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "investeringsutgift"
        verbose_name_plural = "investeringsutgifter"
        ordering = ["investering", "månad"]
        constraints = [models.UniqueConstraint(fields=["investering", "månad"], name="investeringsutgift_unik")]

    def __str__(self) -> str:
        return f"{self.investering} månad {self.månad}"


class Investeringsprognos(models.Model):
    investering = models.ForeignKey(Investering, on_delete=models.CASCADE, related_name="prognoser")
    månad = models.PositiveSmallIntegerField("prognostillfälle (månad)", validators=MÅNAD_VALIDATORER)
    belopp = Belopp("prognos investeringsutgift helår (kr)")
    kommentar = models.TextField("kommentar", blank=True)

    objects = scoped_queryset("investering__nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "investeringsprognos"
        verbose_name_plural = "investeringsprognoser"
        ordering = ["investering", "månad"]
        constraints = [models.UniqueConstraint(fields=["investering", "månad"], name="investeringsprognos_unik")]

    def __str__(self) -> str:
        return f"Prognos {self.investering} månad {self.månad}"
