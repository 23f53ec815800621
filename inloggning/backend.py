"""Authentication backend for login through the kommun's identity provider (OpenID Connect, authorization code
flow with PKCE), built on mozilla-django-oidc.

What it adds to the library:

* stricter id_token checks: audience (and ``azp`` when there are several), issuer when ``OIDC_OP_ISSUER`` is set,
  ``exp``/``iat``/``sub``/``iss`` required; any invalid token is a refusal, never a server error;
* users found by their identity at the provider (``OidcKoppling``: issuer + sub), else — first login of an
  existing local account — by email, else created;
* kommun and role from the claims through ``Inloggningsregel`` (``regler.py``), refreshed at every login;
  a user whose claims match no rule is not let in and no user is created;
* the reason for a refusal on ``request.oidc_fel`` (Swedish, shown on the login page by the callback view).

The backend is inert while OIDC is not configured, so it can always stay in ``AUTHENTICATION_BACKENDS``.
"""

from __future__ import annotations

import hashlib
import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from nämnd.models import Behörighet

from . import regler
from .models import OidcKoppling

log = logging.getLogger(__name__)

INSTÄLLNINGAR = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)

NEKAD_INGEN_REGEL = (
    "Ditt konto hos kommunen ger ingen behörighet i Socialrapport. Kontakta kommunens administratör om du behöver "
    "tillgång."
)
MISSLYCKAD = (
    "Inloggningen med kommunens konto misslyckades. Försök igen, eller kontakta kommunens administratör om felet "
    "kvarstår."
)
AVBRUTEN = "Inloggningen med kommunens konto avbröts."
AVSTÄNGT = "Ditt konto i Socialrapport är avstängt. Kontakta kommunens administratör."
EJ_KOPPLAT = (
    "Det finns redan ett konto i Socialrapport med din e-postadress, men det kan inte kopplas till ditt konto hos "
    "kommunen automatiskt. Kontakta kommunens administratör."
)


def oidc_konfigurerad() -> bool:
    """Single sign-on is on when the client and all four provider endpoints are set."""
    return all(getattr(settings, namn, "") for namn in INSTÄLLNINGAR)


class InloggningNekad(Exception):
    """A refusal with a message for the user (``meddelande``) and one for the log (``orsak``)."""

    def __init__(self, meddelande: str, orsak: str):
        super().__init__(orsak)
        self.meddelande = meddelande


class KommunOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.aktiv = oidc_konfigurerad()
        if self.aktiv:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    # --- the flow --------------------------------------------------------------------------------------------

    def authenticate(self, request, **kwargs):
        # Only the callback view's call (request with code and state, nonce passed): a password login never
        # reaches the provider, whatever its query string says.
        if not self.aktiv or request is None or "nonce" not in kwargs:
            return None
        if not request.GET.get("code") or not request.GET.get("state"):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except InloggningNekad as nekad:
            log.info("OIDC login refused: %s", nekad)
            request.oidc_fel = nekad.meddelande
        except (
            SuspiciousOperation,
            requests.RequestException,
            jwt.PyJWTError,
            IntegrityError,
            ValueError,
            KeyError,
        ) as fel:
            log.warning("OIDC login failed: %s: %s", type(fel).__name__, fel)
            request.oidc_fel = MISSLYCKAD
        return None

    def _verify_jws(self, payload, key):
        """Signature, algorithm, expiry, audience and (when configured) issuer of the id_token."""
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
        except jwt.PyJWTError as fel:
            raise SuspiciousOperation(f"Unreadable token header: {fel}") from fel
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"Token algorithm {alg!r} is not OIDC_RP_SIGN_ALGO {self.OIDC_RP_SIGN_ALGO!r}")
        try:
            data = jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=getattr(settings, "OIDC_OP_ISSUER", "") or None,
                leeway=60,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.InvalidTokenError as fel:
            raise SuspiciousOperation(f"Token rejected: {type(fel).__name__}: {fel}") from fel
        aud = data.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and data.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("Token has several audiences and azp is not this client")
        return data

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(claims.get("iss"))

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from id_token sub")
        # Userinfo usually has the fuller claims (groups); identity fields come from the verified id_token.
        claims = {**payload, **userinfo, "iss": payload.get("iss"), "sub": payload.get("sub")}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims lack sub or iss")
        return self.logga_in(claims)

    # --- users and Behörigheter ----------------------------------------------------------------------------

    def logga_in(self, claims: dict):
        """The user for these claims with Behörigheter refreshed from the rules, or ``InloggningNekad``."""
        önskat = regler.tilldelningar(regler.matchande_regler(claims))
        with transaction.atomic():
            user = self.befintlig_användare(claims, önskat)
            if not önskat:
                if user is not None:
                    # The provider no longer puts this person in any group we know: revoke what the rules gave.
                    ändringar = regler.tillämpa(user, {})
                    if ändringar:
                        log.info("OIDC: %s: %s", user, "; ".join(ändringar))
            else:
                if user is None:
                    user = self.create_user(claims)
                elif not user.is_active:
                    raise InloggningNekad(AVSTÄNGT, f"user {user.pk} is inactive")
                else:
                    self.update_user(user, claims)
                koppling, _ = OidcKoppling.objects.get_or_create(
                    issuer=claims["iss"], sub=claims["sub"], defaults={"user": user}
                )
                OidcKoppling.objects.filter(pk=koppling.pk).update(senast_inloggad=timezone.now())
                ändringar = regler.tillämpa(user, önskat)
                if ändringar:
                    log.info("OIDC: %s: %s", user, "; ".join(ändringar))
        if not önskat:
            raise InloggningNekad(NEKAD_INGEN_REGEL, f"no rule matches sub {claims['sub']!r}")
        return user

    def befintlig_användare(self, claims: dict, önskat: dict):
        """The linked user (issuer + sub); else, when allowed, the one local account with this email."""
        koppling = OidcKoppling.objects.select_related("user").filter(issuer=claims["iss"], sub=claims["sub"]).first()
        if koppling is not None:
            return koppling.user
        email = (claims.get("email") or "").strip()
        if not önskat or not email or claims.get("email_verified") is False:
            return None
        if not getattr(settings, "OIDC_MATCHA_EPOST", True):
            return None
        kandidater = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if not kandidater:
            return None
        if len(kandidater) > 1:
            raise InloggningNekad(EJ_KOPPLAT, f"several users have the email of sub {claims['sub']!r}")
        user = kandidater[0]
        # Email is a weaker proof than (issuer, sub): never let it reach an account worth more than what the rules
        # grant anyway. Such accounts are linked by hand (an OidcKoppling in the admin).
        if user.is_superuser:
            raise InloggningNekad(EJ_KOPPLAT, f"superuser {user.pk} is not linked by email")
        if OidcKoppling.objects.filter(user=user, issuer=claims["iss"]).exists():
            raise InloggningNekad(EJ_KOPPLAT, f"user {user.pk} is already linked to another identity")
        if Behörighet.objects.filter(user=user).exclude(kommun_id__in=list(önskat)).exists():
            raise InloggningNekad(EJ_KOPPLAT, f"user {user.pk} has Behörighet in kommuner the rules do not grant")
        return user

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(self.nytt_användarnamn(claims))  # no password: SSO only
        self.update_user(user, claims)
        return user

    def update_user(self, user, claims):
        """Name and email follow the provider."""
        fält = {
            "email": (claims.get("email") or "")[:254],
            "first_name": (claims.get("given_name") or "")[:150],
            "last_name": (claims.get("family_name") or "")[:150],
        }
        ändrade = [namn for namn, värde in fält.items() if värde and getattr(user, namn) != värde]
        for namn in ändrade:
            setattr(user, namn, fält[namn])
        if ändrade:
            user.save(update_fields=ändrade)
        return user

    def nytt_användarnamn(self, claims) -> str:
        """preferred_username (or the email) when free; otherwise with -2, -3 …; never taken from another user."""
        reserv = "sso-" + hashlib.sha256(f"{claims['iss']}|{claims['sub']}".encode()).hexdigest()[:16]
        bas = re.sub(r"[^\w.@+-]", "", claims.get("preferred_username") or claims.get("email") or "")[:140] or reserv
        for n in range(1, 50):
            namn = bas if n == 1 else f"{bas}-{n}"
            if not self.UserModel.objects.filter(username__iexact=namn).exists():
                return namn
        return reserv
