from django import template

from inloggning.backend import oidc_konfigurerad

register = template.Library()


@register.simple_tag
def oidc_aktiverad() -> bool:
    """Whether the login page offers "Logga in med kommunens konto"."""
    return oidc_konfigurerad()
