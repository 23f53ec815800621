"""The two OIDC endpoints: start (redirect to the provider) and callback. Both answer 404 while single sign-on is
not configured; a failed or refused callback ends on the login page with a Swedish message, never in an error."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backend import AVBRUTEN, MISSLYCKAD, oidc_konfigurerad

log = logging.getLogger(__name__)


class Start(OIDCAuthenticationRequestView):
    def get(self, request):
        if not oidc_konfigurerad():
            raise Http404
        return super().get(request)


class Återkoppling(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not oidc_konfigurerad():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as fel:
            # A state we never issued (a replayed or forged callback, or one from another browser).
            log.warning("OIDC callback refused: %s", fel)
            return self.login_failure()

    @property
    def failure_url(self):
        return reverse("login")

    def login_success(self):
        svar = super().login_success()
        # An SSO session lasts at most OIDC_SESSION_AGE: the next login reads the claims (and the rules) again,
        # so a person removed from a group at the provider loses access within that time.
        self.request.session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.OIDC_SESSION_AGE))
        return svar

    def login_failure(self):
        request = self.request
        if request.GET.get("error"):
            meddelande = AVBRUTEN if request.GET["error"] == "access_denied" else MISSLYCKAD
        else:
            meddelande = getattr(request, "oidc_fel", None) or MISSLYCKAD
        # Whoever was logged in in this browser is not any more: a failed login never leaves an older session.
        if request.user.is_authenticated:
            auth.logout(request)
        messages.error(request, meddelande)
        return super().login_failure()
