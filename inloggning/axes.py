"""django-axes and single sign-on.

The OIDC callback carries no password: the identity provider checks (and throttles) passwords. If axes counted
refused callbacks, they would all be recorded under username ``None`` and the client IP, and a handful of
refused colleagues behind a kommun's shared NAT address would lock everyone there out of single sign-on.
So the callback is exempt (``AXES_WHITELIST_CALLABLE``); the password login form is counted as before.
"""

from django.urls import NoReverseMatch, reverse


def oidc_återkoppling(request, credentials=None) -> bool:
    try:
        return request.path == reverse("oidc_authentication_callback")
    except NoReverseMatch:
        return False
