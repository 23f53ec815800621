"""Project-wide middleware (order in ``settings.MIDDLEWARE``):

* ``Cachestyrning``: ``Cache-Control: private, no-store`` on every response that is not a public page for an
  anonymous visitor — every page, export and PDF of a logged-in user, the login page, redirects and errors.
  Public pages (``/publikt/``, ``/tillganglighet/``) may be cached briefly by anyone.
* ``NulSpärr``: a NUL byte (``\\x00``) never reaches a view. PostgreSQL refuses it in text, so a path with NUL
  answers 404 and a parameter, cookie, header or file name with NUL answers 400 before anything is looked up.
* ``Inloggningstid``: how long a login lasts (idle and absolute limit), for shared municipal computers.

The decisions are in docs/beslut.md ("Cachning och inloggningstid", "NUL i adresser").
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.utils.cache import patch_cache_control

PUBLIKA_PREFIX = ("/publikt/", "/tillganglighet/")
PUBLIK_MAX_ÅLDER = 60  # seconds: a withdrawn report or a started rättelse shows within a minute


def publik_sökväg(sökväg: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return sökväg.startswith(PUBLIKA_PREFIX) or sökväg.startswith(static)


class Cachestyrning:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not publik_sökväg(request.path_info):
            response["Cache-Control"] = "private, no-store"
        elif response.status_code == 200 and not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=PUBLIK_MAX_ÅLDER)
        return response


class NulTecken(SuspiciousOperation):
    """A request parameter, cookie, header or file name holds a NUL byte: answered with 400 (templates/400.html)."""


def _har_nul(värden) -> bool:
    return any("\x00" in v for v in värden if isinstance(v, str))


class NulSpärr:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.path_info:
            raise Http404("Sidan finns inte.")
        if (
            _har_nul(k for k, _ in request.GET.lists())
            or _har_nul(v for _, vs in request.GET.lists() for v in vs)
            or _har_nul([*request.COOKIES.keys(), *request.COOKIES.values()])
            or _har_nul(v for k, v in request.META.items() if k.startswith("HTTP_"))
        ):
            raise NulTecken("NUL-tecken i adressens parametrar, en kaka eller ett huvud.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here, not in __call__: the body is parsed only when a view is about to run (as CsrfViewMiddleware does).
        if request.method == "POST" and (
            _har_nul(k for k, _ in request.POST.lists())
            or _har_nul(v for _, vs in request.POST.lists() for v in vs)
            or _har_nul(f.name for _, fs in request.FILES.lists() for f in fs)
        ):
            raise NulTecken("NUL-tecken i ett formulärfält.")
        return None


# Session keys (Unix seconds): when this login started, and the last request seen. Written at most every FÖRNYA
# seconds, so an active user costs one session write per few minutes, not one per request — and none on the first
# requests after logging in: until the first write, the login time is the user's ``last_login`` (set by Django's
# login in the same moment).
INLOGGAD, SENAST_AKTIV = "_inloggad", "_senast_aktiv"
FÖRNYA = 300


class Inloggningstid:
    """Ends a login after ``SESSION_COOKIE_AGE`` seconds without a request (idle) and after
    ``SESSION_ABSOLUTE_AGE`` seconds in all; the next page then asks for a login again. Django's own expiry of the
    session row (``SESSION_COOKIE_AGE`` after the last write) is the backstop; the session cookie itself ends when
    the browser is closed (``SESSION_EXPIRE_AT_BROWSER_CLOSE``). Must come after the authentication and message
    middleware and before ``LoginRequiredMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._kontrollera(request)
        return self.get_response(request)

    def _kontrollera(self, request) -> None:
        nu = int(time.time())
        session = request.session
        inloggad = session.get(INLOGGAD)
        if inloggad is None:
            senaste_inloggning = request.user.last_login
            inloggad = int(senaste_inloggning.timestamp()) if senaste_inloggning else nu
        senast = session.get(SENAST_AKTIV, inloggad)
        inaktiv = nu - senast > settings.SESSION_COOKIE_AGE
        if inaktiv or nu - inloggad > settings.SESSION_ABSOLUTE_AGE:
            logout(request)
            if inaktiv:
                minuter = settings.SESSION_COOKIE_AGE // 60
                text = f"Du har loggats ut efter {minuter} minuter utan aktivitet. Logga in igen."
            else:
                timmar = settings.SESSION_ABSOLUTE_AGE // 3600
                text = f"Du har loggats ut: en inloggning gäller högst {timmar} timmar. Logga in igen."
            messages.info(request, text)
        elif nu - senast >= FÖRNYA:
            session[INLOGGAD], session[SENAST_AKTIV] = inloggad, nu
