"""Single sign-on: per-kommun rules that turn the identity provider's claims into a Behörighet, the link between
a user and their identity at the provider, and the mark on Behörigheter that the rules manage.

* ``Inloggningsregel``: "whoever has ``värde`` in claim ``claim`` gets ``roll`` in ``kommun``".
* ``OidcKoppling``: (issuer, sub) → user. The stable identity; email is only used to link an existing local
  account on its first login through the provider.
* ``RegelstyrdBehörighet``: marks a Behörighet created by the rules. Only marked Behörigheter are changed or
  removed at login; a Behörighet an administrator created by hand is never touched by single sign-on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from nämnd.models import Behörighet, Kommun, KommunScopedQuerySet, Nämnd, scoped_queryset


class Inloggningsregel(models.Model):
    kommun = models.ForeignKey(
        Kommun, on_delete=models.CASCADE, related_name="inloggningsregler", verbose_name="kommun"
    )
    claim = models.CharField(
        "claim",
        max_length=200,
        default="groups",
        help_text="Namnet på claimet i id-token eller userinfo, t.ex. groups eller roles. Nästlade claims skrivs "
        "med punkt, t.ex. realm_access.roles.",
    )
    värde = models.CharField(
        "värde",
        max_length=500,
        help_text="Gruppens eller rollens värde exakt som identitetsleverantören skickar det (t.ex. gruppens "
        "objekt-id i Entra ID). Ett claim som är en lista matchar om värdet finns i listan.",
    )
    roll = models.CharField("roll", max_length=12, choices=Behörighet.Roll, default=Behörighet.Roll.LÄSARE)
    nämnder = models.ManyToManyField(Nämnd, blank=True, verbose_name="nämnder (för controller)")
    får_importera = models.BooleanField("får importera", default=False)
    får_fastställa = models.BooleanField("får fastställa", default=False)

    objects = KommunScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "inloggningsregel"
        verbose_name_plural = "inloggningsregler"
        ordering = ["kommun__namn", "claim", "värde"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "claim", "värde"], name="inloggningsregel_unik"),
        ]

    def __str__(self) -> str:
        return f"{self.kommun}: {self.claim} = {self.värde} → {self.get_roll_display()}"

    def clean(self):
        self.claim = (self.claim or "").strip()
        self.värde = (self.värde or "").strip()
        if not self.claim:
            raise ValidationError({"claim": "Ange vilket claim regeln gäller."})


class OidcKoppling(models.Model):
    """A user's identity at the identity provider: (issuer, sub) is unique and never reassigned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_kopplingar", verbose_name="användare"
    )
    issuer = models.CharField("utfärdare (iss)", max_length=255)
    sub = models.CharField("subjekt (sub)", max_length=255)
    skapad = models.DateTimeField("kopplad", auto_now_add=True)
    senast_inloggad = models.DateTimeField("senast inloggad", null=True, blank=True)

    class Meta:
        verbose_name = "koppling till kommunens konto"
        verbose_name_plural = "kopplingar till kommunens konto"
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "sub"], name="oidc_koppling_unik_identitet"),
            models.UniqueConstraint(fields=["user", "issuer"], name="oidc_koppling_en_per_utfärdare"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.sub} ({self.issuer})"


class RegelstyrdBehörighet(models.Model):
    """Marks a Behörighet as created and kept up to date by ``Inloggningsregel``: it follows the claims at every
    login and is removed when no rule for its kommun matches any more. Deleting the mark hands the Behörighet over
    to manual administration."""

    behörighet = models.OneToOneField(
        Behörighet, on_delete=models.CASCADE, primary_key=True, related_name="regelstyrd", verbose_name="behörighet"
    )
    uppdaterad = models.DateTimeField("senast ändrad av inloggning", auto_now=True)

    objects = scoped_queryset("behörighet__kommun").as_manager()

    class Meta:
        verbose_name = "regelstyrd behörighet"
        verbose_name_plural = "regelstyrda behörigheter"
        ordering = ["behörighet__kommun__namn", "behörighet__user__username"]

    def __str__(self) -> str:
        return str(self.behörighet)
