"""HTML → PDF with WeasyPrint: one shared FontConfiguration, and a URL fetcher that serves only our own
static files and inline images (``data:image/…``, e.g. the kommun's logo) — no network, no redirects, no file://
reads outside the staticfiles finders."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import re
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# Pages are rendered against a base URL that cannot resolve; only its static prefix is served.
BAS_URL = "https://socialrapport.invalid/"


class StatiskaFiler(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return _data_uri(url)
        prefix = BAS_URL + settings.STATIC_URL.lstrip("/")
        relativ = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0] if url.startswith(prefix) else None
        sökväg = _hitta(relativ) if relativ and ".." not in relativ.split("/") else None
        if not sökväg:
            raise FatalURLFetchingError(f"Otillåten eller saknad resurs i PDF: {url}")
        with open(sökväg, "rb") as f:
            data = f.read()
        typ = mimetypes.guess_type(sökväg)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": typ})


_DATA_URI = re.compile(r"data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]*)\Z")


def _data_uri(url: str) -> URLFetcherResponse:
    """An inline base64 PNG or JPEG; anything else in a data: URI is refused."""
    if träff := _DATA_URI.match(url):
        try:
            return URLFetcherResponse(url, base64.b64decode(träff[2]), {"Content-Type": träff[1]})
        except binascii.Error:
            pass
    raise FatalURLFetchingError("Otillåten data-URI i PDF (endast base64-kodade PNG- och JPEG-bilder).")


def _hitta(relativ: str) -> str | None:
    """A static file by its source name (finders) or, in production, by its collected hashed name."""
    sökväg = finders.find(relativ)
    if sökväg:
        return sökväg
    try:
        kandidat = staticfiles_storage.path(relativ)
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return kandidat if os.path.isfile(kandidat) else None


@lru_cache(maxsize=1)
def _fonter() -> FontConfiguration:
    return FontConfiguration()


def render_pdf(html: str, **options) -> bytes:
    """Tagged PDF (structure tree, headings, table headers) for accessibility; pass
    ``pdf_variant="pdf/a-3a"`` for the archived version of an adopted report."""
    options.setdefault("pdf_tags", True)
    try:
        return HTML(string=html, base_url=BAS_URL, url_fetcher=StatiskaFiler()).write_pdf(
            font_config=_fonter(), **options
        )
    except FatalURLFetchingError as e:  # a BaseException in WeasyPrint: make it an ordinary failure
        raise RuntimeError(str(e)) from e
