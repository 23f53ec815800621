"""Organisation: kommun, nämnd, verksamhetsområde (tree), period, roles and report configuration.

Every tenant-owned model has a QuerySet with ``for_user(user)``: the one place where reads are
scoped to the kommuner a user belongs to (see ``KommunScopedQuerySet``).
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

ÅR_VALIDATORER = [MinValueValidator(2000), MaxValueValidator(2100)]
MÅNAD_VALIDATORER = [MinValueValidator(1, "Månad måste vara 1–12."), MaxValueValidator(12, "Månad måste vara 1–12.")]


class Rapporttyp(models.TextChoices):
    """The reports of a year. ``slutmånad`` is the last month a report covers unless the kommun has chosen
    another (``Rapporttillfälle``); a månadsrapport covers whichever month it is asked for."""

    VERKSAMHETSPLAN = "verksamhetsplan", "Verksamhetsplan"
    TERTIALRAPPORT = "tertialrapport", "Tertialrapport"
    TERTIALRAPPORT_2 = "tertialrapport2", "Tertialrapport 2"
    DELÅRSRAPPORT = "delårsrapport", "Delårsrapport"
    VERKSAMHETSBERÄTTELSE = "verksamhetsberättelse", "Verksamhetsberättelse"
    MÅNADSRAPPORT = "månadsrapport", "Månadsrapport"

    @property
    def slutmånad(self) -> int:
        """The default last month (a månadsrapport's is chosen when it is asked for; 0 here)."""
        return STANDARDMÅNAD[self.value]

    @property
    def är_prognos(self) -> bool:
        """Goals are assessed as a prognos during the year and as an outcome at year end."""
        return self.value != "verksamhetsberättelse"


STANDARDMÅNAD = {
    "verksamhetsplan": 0,
    "tertialrapport": 4,
    "tertialrapport2": 8,
    "delårsrapport": 8,
    "verksamhetsberättelse": 12,
    "månadsrapport": 0,
}
# The reports a kommun makes when it has chosen nothing (Rapporttillfälle.används).
STANDARDRAPPORTER = ("verksamhetsplan", "tertialrapport", "delårsrapport", "verksamhetsberättelse", "månadsrapport")
# Which months a kommun may choose per report; the others are fixed.
VALBARA_MÅNADER = {
    "tertialrapport": range(1, 12),
    "tertialrapport2": range(1, 12),
    "delårsrapport": range(6, 9),  # LKBR: a delårsrapport covers half to two thirds of the year
}


def kommun_ids_för(user) -> models.QuerySet | None:
    """Ids of the kommuner ``user`` may read; ``None`` means all (superuser)."""
    if not getattr(user, "is_authenticated", False):
        return Kommun.objects.none().values("id")
    if user.is_superuser:
        return None
    return Behörighet.objects.filter(user=user).values("kommun_id")


class KommunScopedQuerySet(models.QuerySet):
    """Base for all tenant data. Subclasses name the path from the model to its kommun."""

    kommun_lookup = "kommun"

    def for_user(self, user):
        ids = kommun_ids_för(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.kommun_lookup}__in": ids})

    def for_kommun(self, kommun):
        return self.filter(**{self.kommun_lookup: kommun})


def scoped_queryset(lookup: str) -> type[KommunScopedQuerySet]:
    return type(f"ScopedQuerySet_{lookup}", (KommunScopedQuerySet,), {"kommun_lookup": lookup})


class KommunQuerySet(KommunScopedQuerySet):
    kommun_lookup = "id"

    def for_kommun(self, kommun):
        return self.filter(pk=getattr(kommun, "pk", kommun))


class Kommun(models.Model):
    class Beloppsenhet(models.TextChoices):
        TKR = "tkr", "tkr (tusental kronor)"
        MNKR = "mnkr", "mnkr (miljoner kronor, en decimal)"

    namn = models.CharField("namn", max_length=100, unique=True)
    kommunkod = models.CharField(
        "kommunkod (SCB/Kolada)", max_length=4, blank=True, help_text="Fyra siffror, t.ex. 0180."
    )
    organisationsnummer = models.CharField(
        "organisationsnummer",
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^\d{6}-\d{4}$", "Organisationsnummer skrivs NNNNNN-NNNN.")],
    )
    beloppsenhet = models.CharField("belopp visas i", max_length=4, choices=Beloppsenhet, default=Beloppsenhet.TKR)
    kostnader_negativa = models.BooleanField(
        "kostnader visas som negativa tal",
        default=False,
        help_text="Endast presentation: lagrade belopp ändras inte.",
    )
    avvikelsegräns_kr = models.DecimalField(
        "avvikelsegräns (kr)",
        max_digits=14,
        decimal_places=0,
        default=500_000,
        help_text="Avvikelser större än detta ska kommenteras.",
    )
    avvikelsegräns_procent = models.DecimalField("avvikelsegräns (%)", max_digits=5, decimal_places=1, default=5)

    objects = KommunQuerySet.as_manager()

    class Meta:
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"
        ordering = ["namn"]

    def __str__(self) -> str:
        return self.namn

    @property
    def logotyp_data_uri(self) -> str | None:
        """The kommun's logo as a ``data:image/png;base64,…`` URI, ``None`` without one (for report HTML and PDFs:
        WeasyPrint's URL fetcher serves only our static files). Cached on the instance."""
        if "_logotyp_data_uri" not in self.__dict__:
            logotyp = Kommunlogotyp.objects.filter(kommun_id=self.pk).only("png").first()
            self.__dict__["_logotyp_data_uri"] = logotyp.data_uri if logotyp else None
        return self.__dict__["_logotyp_data_uri"]


class Kommunlogotyp(models.Model):
    """A kommun's logo, verified and re-encoded as PNG (no metadata) when uploaded. Stored in the database, not as
    a media file, so several app servers need no shared storage; its own table so that reading a Kommun never
    loads the image."""

    kommun = models.OneToOneField(
        Kommun, on_delete=models.CASCADE, primary_key=True, related_name="logotyp", verbose_name="kommun"
    )
    png = models.BinaryField("logotyp (PNG)")
    bredd = models.PositiveIntegerField("bredd (px)")
    höjd = models.PositiveIntegerField("höjd (px)")
    uppdaterad = models.DateTimeField("uppdaterad", auto_now=True)

    objects = scoped_queryset("kommun").as_manager()

    class Meta:
        verbose_name = "kommunlogotyp"
        verbose_name_plural = "kommunlogotyper"

    def __str__(self) -> str:
        return f"Logotyp {self.kommun_id}"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(bytes(self.png)).decode("ascii")


class Nämnd(models.Model):
    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="nämnder", verbose_name="kommun")
    namn = models.CharField("namn", max_length=150)
    giltig_från = models.DateField("giltig från", default=dt.date(2000, 1, 1))
    giltig_till = models.DateField("giltig till", null=True, blank=True, help_text="Tomt = tills vidare.")
    föregångare = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="efterträdare",
        verbose_name="föregångare",
        help_text="Nämnd(er) som denna ersätter, t.ex. vid en delning mitt i året.",
    )

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "nämnd"
        verbose_name_plural = "nämnder"
        ordering = ["kommun__namn", "namn", "giltig_från"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "namn", "giltig_från"], name="nämnd_unik_per_start"),
            models.CheckConstraint(
                condition=Q(giltig_till__isnull=True) | Q(giltig_till__gte=models.F("giltig_från")),
                name="nämnd_giltighet_ordning",
                violation_error_message="Giltig till kan inte vara före giltig från.",
            ),
        ]

    def __str__(self) -> str:
        slut = self.giltig_till.isoformat() if self.giltig_till else ""
        return f"{self.namn} ({self.giltig_från.isoformat()}–{slut})"

    def clean(self):
        if self.giltig_till and self.giltig_till < self.giltig_från:
            raise ValidationError({"giltig_till": "Giltig till kan inte vara före giltig från."})

    def månader(self, år: int) -> list[int]:
        """Months of ``år`` in which the nämnd existed (a month counts if the nämnd is valid on its first day
        or starts within it)."""
        result = []
        for m in range(1, 13):
            första = dt.date(år, m, 1)
            sista = dt.date(år + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            if self.giltig_från <= sista and (self.giltig_till is None or self.giltig_till >= första):
                result.append(m)
        return result


class Verksamhetsområde(models.Model):
    """A line of the driftredovisning, as a tree: block → verksamhet → enhet."""

    class Typ(models.TextChoices):
        BLOCK = "block", "Block (summeringsnivå)"
        VERKSAMHET = "verksamhet", "Verksamhet"
        ENHET = "enhet", "Enhet"

    nämnd = models.ForeignKey(Nämnd, on_delete=models.PROTECT, related_name="verksamhetsområden", verbose_name="nämnd")
    förälder = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="barn", verbose_name="ingår i"
    )
    namn = models.CharField("namn", max_length=200)
    typ = models.CharField("typ", max_length=12, choices=Typ, default=Typ.VERKSAMHET)
    ordning = models.PositiveIntegerField("ordning", default=0)
    ej_fördelat = models.BooleanField(
        "ej fördelat",
        default=False,
        help_text="Samlar importerade belopp vars koder inte matchar något verksamhetsområde, så att ingen krona försvinner.",
    )
    ansvarskoder = models.CharField(
        "ansvarskoder",
        max_length=500,
        blank=True,
        help_text="Koder från ekonomisystemet, kommaseparerade. Jokertecken: 74* matchar allt som börjar på 74.",
    )
    verksamhetskoder = models.CharField("verksamhetskoder", max_length=500, blank=True, help_text="Som ansvarskoder.")
    från_år = models.PositiveSmallIntegerField("från år", null=True, blank=True, validators=ÅR_VALIDATORER)
    till_år = models.PositiveSmallIntegerField("till och med år", null=True, blank=True, validators=ÅR_VALIDATORER)
    föregångare = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="efterträdare",
        verbose_name="jämförs med (föregående år)",
        help_text="Verksamhetsområden vars utfall föregående år räknas hit, när en verksamhet flyttats, slagits ihop "
        "eller delats vid årsskiftet.",
    )

    objects = scoped_queryset("nämnd__kommun").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "verksamhetsområde"
        verbose_name_plural = "verksamhetsområden"
        ordering = ["nämnd", "ordning", "namn"]
        constraints = [
            models.UniqueConstraint(fields=["nämnd", "förälder", "namn"], name="vo_unikt_namn"),
        ]

    def __str__(self) -> str:
        return self.namn

    def clean(self):
        errors = {}
        if self.förälder_id:
            if self.förälder.nämnd.kommun_id != self.nämnd.kommun_id:
                errors["förälder"] = "Ett verksamhetsområde kan inte ligga under en annan kommuns verksamhetsområde."
            elif self.förälder.nämnd_id != self.nämnd_id:
                errors["förälder"] = "Överordnat verksamhetsområde måste tillhöra samma nämnd."
            else:
                node, seen = self.förälder, set()
                while node is not None and node.pk not in seen:
                    if self.pk and node.pk == self.pk:
                        errors["förälder"] = "Ett verksamhetsområde kan inte ligga under sig självt."
                        break
                    seen.add(node.pk)
                    node = node.förälder
        if self.från_år and self.till_år and self.till_år < self.från_år:
            errors["till_år"] = "Till och med år kan inte vara före från år."
        for fält in ("ansvarskoder", "verksamhetskoder"):
            for kod in koder(getattr(self, fält)):
                if "*" in kod[:-1] or not kod.rstrip("*"):
                    errors[fält] = f"Ogiltig kod {kod!r}: jokertecken * får bara stå sist."
        if errors:
            raise ValidationError(errors)

    def gäller(self, år: int) -> bool:
        return (self.från_år is None or self.från_år <= år) and (self.till_år is None or år <= self.till_år)

    def matchar(self, ansvar: str = "", verksamhet: str = "") -> bool:
        """Whether a ekonomisystem row with these codes belongs here (exact codes or prefix wildcards)."""
        ok = True
        if self.ansvarskoder:
            ok = any(fnmatch.fnmatchcase(ansvar, k) for k in koder(self.ansvarskoder))
        if ok and self.verksamhetskoder:
            ok = any(fnmatch.fnmatchcase(verksamhet, k) for k in koder(self.verksamhetskoder))
        return ok and bool(self.ansvarskoder or self.verksamhetskoder)


def koder(text: str) -> list[str]:
    return [k.strip() for k in text.replace(";", ",").split(",") if k.strip()]


class Period(models.Model):
    """A month of a kommun's reporting calendar; closing it locks its figures and texts."""

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="perioder", verbose_name="kommun")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    månad = models.PositiveSmallIntegerField("månad", validators=MÅNAD_VALIDATORER)
    stängd = models.BooleanField("stängd", default=False)
    stängd_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="stängd av",
    )
    stängd_tid = models.DateTimeField("stängd (tidpunkt)", null=True, blank=True)

    objects = KommunScopedQuerySet.as_manager()
    # Closing and reopening are recorded here: who, when, stängd before and after.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "period"
        verbose_name_plural = "perioder"
        ordering = ["kommun", "år", "månad"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "år", "månad"], name="period_unik"),
            models.CheckConstraint(
                condition=Q(månad__gte=1, månad__lte=12),
                name="period_månad_1_12",
                violation_error_message="Månad måste vara 1–12.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.år}-{self.månad:02d}"

    @property
    def tertial(self) -> int:
        return (self.månad - 1) // 4 + 1

    @property
    def i_delår(self) -> bool:
        return self.månad <= 8

    @property
    def slutdatum(self) -> dt.date:
        return dt.date(self.år + (self.månad == 12), self.månad % 12 + 1, 1) - dt.timedelta(days=1)


class Behörighet(models.Model):
    """A user's role in one kommun (and, for controllers, the nämnder they work with)."""

    class Roll(models.TextChoices):
        ADMIN = "admin", "Administratör"
        CONTROLLER = "controller", "Controller"
        LÄSARE = "läsare", "Läsare / nämndledamot"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="behörigheter", verbose_name="användare"
    )
    kommun = models.ForeignKey(Kommun, on_delete=models.CASCADE, related_name="behörigheter", verbose_name="kommun")
    roll = models.CharField("roll", max_length=12, choices=Roll, default=Roll.LÄSARE)
    nämnder = models.ManyToManyField(Nämnd, blank=True, verbose_name="nämnder (för controller)")
    får_importera = models.BooleanField("får importera", default=False)
    får_fastställa = models.BooleanField("får fastställa", default=False)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"
        constraints = [models.UniqueConstraint(fields=["user", "kommun"], name="en_behörighet_per_kommun")]

    def __str__(self) -> str:
        return f"{self.user} – {self.kommun} ({self.get_roll_display()})"


class Dataversion(models.Model):
    """A counter per kommun, bumped in the same transaction as any change to its figures, texts or
    organisation (``nämnd.dataversion``). Cached report bodies and PDFs are keyed by it, so a
    change is visible in the very next response."""

    # A plain id, not a foreign key: bumps happen inside cascading deletes of the kommun itself, and a
    # leftover counter of a deleted kommun is harmless.
    kommun_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "dataversion"
        verbose_name_plural = "dataversioner"

    def __str__(self) -> str:
        return f"{self.kommun_id}: {self.version}"


class Rapportlås(models.Model):
    """The lock a fastställd report puts on its data, read by the edit guard (``nämnd.vakt``).

    Written by the publishing workflow in the same transaction as the fastställande and removed when the report
    is opened for rättelse, so the guard needs nothing above this layer. ``layout`` is the report's section
    order and headings at fastställande: the live report of a locked year is rendered with it."""

    nämnd = models.ForeignKey(Nämnd, on_delete=models.CASCADE, related_name="rapportlås", verbose_name="nämnd")
    år = models.PositiveSmallIntegerField("år", validators=ÅR_VALIDATORER)
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    slutmånad = models.PositiveSmallIntegerField(
        "sista månad som rapporten omfattar", validators=[MaxValueValidator(12)]
    )
    fastställd_datum = models.DateField("fastställd (sammanträdesdatum)")
    paragraf = models.CharField("paragraf", max_length=30)
    version = models.PositiveSmallIntegerField("version")
    layout = models.JSONField("avsnitt vid fastställandet", default=list, blank=True)

    objects = scoped_queryset("nämnd__kommun").as_manager()

    class Meta:
        verbose_name = "rapportlås"
        verbose_name_plural = "rapportlås"
        constraints = [models.UniqueConstraint(fields=["nämnd", "år", "rapporttyp"], name="rapportlås_unikt")]

    def __str__(self) -> str:
        return f"{Rapporttyp(self.rapporttyp).label} {self.år} ({self.nämnd.namn})"


class Rapporttillfälle(models.Model):
    """A kommun's report occasion: which month a report ends (tertial 1 and 2, the delår) and whether the kommun
    makes it at all. Without a row the report has its standard month (``Rapporttyp.slutmånad``) and is made
    when it is one of ``STANDARDRAPPORTER``."""

    kommun = models.ForeignKey(
        Kommun, on_delete=models.CASCADE, related_name="rapporttillfällen", verbose_name="kommun"
    )
    rapporttyp = models.CharField("rapport", max_length=24, choices=Rapporttyp)
    slutmånad = models.PositiveSmallIntegerField(
        "sista månad", null=True, blank=True, help_text="Tomt = standard (tertial april, delår augusti)."
    )
    används = models.BooleanField("kommunen gör rapporten", default=True)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rapporttillfälle"
        verbose_name_plural = "rapporttillfällen"
        ordering = ["kommun", "rapporttyp"]
        constraints = [models.UniqueConstraint(fields=["kommun", "rapporttyp"], name="rapporttillfälle_unikt")]

    def __str__(self) -> str:
        return f"{Rapporttyp(self.rapporttyp).label} ({self.kommun})"

    def clean(self):
        if self.slutmånad is None:
            return
        tillåtna = VALBARA_MÅNADER.get(self.rapporttyp)
        if tillåtna is None:
            raise ValidationError({"slutmånad": f"{Rapporttyp(self.rapporttyp).label} har ingen valbar månad."})
        if self.slutmånad not in tillåtna:
            raise ValidationError(
                {
                    "slutmånad": f"Välj en månad mellan {tillåtna[0]} och {tillåtna[-1]} för {Rapporttyp(self.rapporttyp).label.lower()}."
                }
            )


def rapportmånad(typ: str, värde: str | None) -> int | None:
    """The month of a månadsrapport from a request (``?månad=5``): 1–12; None for other reports or when not
    given; ValueError (a Swedish message) for anything else."""
    if typ != Rapporttyp.MÅNADSRAPPORT or värde in (None, ""):
        return None
    if not str(värde).isdigit() or not 1 <= int(värde) <= 12:
        raise ValueError("Månaden för en månadsrapport är 1–12.")
    return int(värde)


@dataclass(frozen=True)
class Rapporttillfällen:
    """A kommun's report occasions, read once (``för``): the last month of each report and the reports it makes."""

    månader: dict[str, int]
    används: tuple[str, ...]

    @classmethod
    def för(cls, kommun_id: int, typ: str | None = None) -> Rapporttillfällen:
        """One query; none when ``typ`` is given and its month is not the kommun's choice (plan, year end,
        månadsrapport) — then only that report's facts are right."""
        if typ is not None and typ not in VALBARA_MÅNADER:
            return cls(dict(STANDARDMÅNAD), STANDARDRAPPORTER)
        valda = {r.rapporttyp: r for r in Rapporttillfälle.objects.filter(kommun_id=kommun_id)}
        månader = {
            t: (valda[t].slutmånad if t in valda and valda[t].slutmånad else STANDARDMÅNAD[t])
            for t in Rapporttyp.values
        }
        används = tuple(t for t in Rapporttyp.values if (valda[t].används if t in valda else t in STANDARDRAPPORTER))
        return cls(månader, används)

    def slutmånad(self, typ: str, månad: int | None = None) -> int:
        """The last month of report ``typ`` (``månad`` for a månadsrapport)."""
        if typ == Rapporttyp.MÅNADSRAPPORT:
            return min(max(månad or 12, 1), 12)
        return self.månader[typ]

    @property
    def typer(self) -> list[Rapporttyp]:
        return [Rapporttyp(t) for t in self.används]

    def namn(self, typ: str) -> str:
        """ "Tertialrapport 1" when the kommun makes two tertialrapporter, else the plain label."""
        if typ == Rapporttyp.TERTIALRAPPORT and Rapporttyp.TERTIALRAPPORT_2 in self.används:
            return "Tertialrapport 1"
        return Rapporttyp(typ).label
