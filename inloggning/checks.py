"""System checks: a half-configured single sign-on, and (deploy) provider endpoints without HTTPS."""

from django.conf import settings
from django.core import checks

from .backend import INSTÄLLNINGAR, oidc_konfigurerad


@checks.register(checks.Tags.security)
def oidc_inställningar(app_configs, **kwargs):
    satta = [namn for namn in INSTÄLLNINGAR if getattr(settings, namn, "")]
    if satta and len(satta) < len(INSTÄLLNINGAR):
        saknas = ", ".join(namn for namn in INSTÄLLNINGAR if namn not in satta)
        return [
            checks.Warning(
                "Inloggning med kommunens konto (OIDC) är bara delvis inställd och därför avstängd.",
                hint=f"Sätt även {saknas}.",
                id="inloggning.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def oidc_https(app_configs, **kwargs):
    if not oidc_konfigurerad():
        return []
    utan = [namn for namn in INSTÄLLNINGAR[2:] if not getattr(settings, namn).startswith("https://")]
    if utan:
        return [
            checks.Warning(
                "Identitetsleverantörens adresser ska använda HTTPS i produktion.",
                hint=", ".join(utan),
                id="inloggning.W002",
            )
        ]
    return []
