"""Tenant isolation over EVERY URL pattern: a user of kommun B never gets a page showing kommun A's data.

The patterns come from the resolver (``get_resolver().url_patterns``, walked recursively through includes and
the admin), not from a hand-written list. Each pattern's kwargs are filled with kommun A's (Knivsta's) ids and
values; a pattern that cannot be filled makes the test fail, so a new URL cannot silently escape — teach
``KWARGS`` (or ``skapa_knivsta_objekt``) about it. A fill counts only if Knivsta's own administrator gets
something other than 404 for it (so the view really looked up Knivsta's object).

User B is an administrator (Behörighet) in Täby with ``is_staff`` and every view/change permission, so the
admin is really exercised. For every filled URL, B's GET (redirects followed) must end in 403, 404, 405 or a
200 that contains none of Knivsta's identifying strings; where GET is not allowed (405), B's empty POST must be
refused (400, 403, 404, 405). Exports and PDFs are covered because they are URL patterns: their text is
extracted before searching.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from nämnd.models import Behörighet, Nämnd, Rapporttyp, Verksamhetsområde
from tests.conftest import skapa_användare

# Patterns that are not requested at all, with the reason. Everything else is requested.
EJ_ANROPADE = {
    "logout": "POST loggar ut användaren; sidan visar inga data.",
    "admin:logout": "Som ovan, i administrationen.",
    "oidc_authentication_init": "Skickar vidare till kommunens identitetsleverantör; inga data.",
    "oidc_authentication_callback": "Tar emot svaret från identitetsleverantören; inga data.",
}
# Intentionally public pages (login not required): published reports of kommuner that publish. They are still
# requested with Knivsta's values, but there is no "Knivsta's admin reaches it" check: Knivsta does not publish
# in this test, so they must give 404 to everyone.
PUBLIKA = {"publikt-index", "publikt-rapport", "publikt-pdf"}
# Admin models that are not tenant data (no kommun): for them the "Knivsta object" is one that names Knivsta.
GLOBALA_MODELLER = {
    "auth.user",
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "inloggning.oidckoppling",
}
# Patterns that never render an object themselves, so "Knivsta's admin reaches it" cannot be shown; user B is
# still checked on them.
UTAN_ÄGARKONTROLL = {
    "admin:view_on_site": "Skickar vidare till objektets get_absolute_url; ingen av modellerna har någon (404).",
    "admin/(?P<url>.*)$": "Administrationens sista mönster: 404 för allt som inte är en admin-sida.",
}
# Known leaks found by this test, per admin model (label): their patterns are left out of the main test and
# checked by ``test_känd_läcka`` as strict xfail, so that an entry must be removed when the leak is fixed.
# (Users, groups and axes' login logs were listed here until nämnd/admin_anvandare.py scoped them.)
KÄNDA_LÄCKOR: dict[str, str] = {}

MAX_KOMBINATIONER = 400
MAX_TRÄFFAR = 2  # combinations that reach Knivsta's object, per pattern, to try as user B


# --- the URLconf ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mönster:
    delar: tuple
    namn: str | None
    callback: object

    @property
    def route(self) -> str:
        return "".join(str(p) for p in self.delar)

    @property
    def id(self) -> str:
        return self.namn or self.route

    @property
    def kwargs(self) -> list[str]:
        namn = []
        for p in self.delar:
            if isinstance(p, RoutePattern):
                namn += list(p.converters)
            else:
                namn += list(p.regex.groupindex)
        return namn

    @property
    def admin_modell(self):
        """The model whose ModelAdmin serves this pattern, if any."""
        ma = getattr(self.callback, "model_admin", None)
        if ma is not None:
            return ma.model
        for model in admin.site._registry:
            if self.route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
                return model
        return None

    @property
    def känd_läcka(self) -> str | None:
        m = self.admin_modell
        return m._meta.label_lower if m is not None and m._meta.label_lower in KÄNDA_LÄCKOR else None

    @property
    def grupp(self) -> str:
        if self.route.startswith("admin/"):
            m = self.admin_modell
            return f"admin/{m._meta.app_label}" if m else "admin"
        första = str(self.delar[0]).strip("^$/")
        return första or "(rot)"


def alla_mönster(resolver=None, delar=(), ns=()):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from alla_mönster(p, (*delar, p.pattern), (*ns, p.namespace) if p.namespace else ns)
        else:
            yield Mönster((*delar, p.pattern), ":".join((*ns, p.name)) if p.name else None, p.callback)


MÖNSTER = list(alla_mönster())
GRUPPER = sorted({m.grupp for m in MÖNSTER})


def _ersätt_grupper(regex: str, värden: dict) -> str:
    """A regex pattern's text with each named group replaced by its value (balanced parentheses)."""
    ut, i = "", 0
    while i < len(regex):
        m = re.compile(r"\(\?P<(\w+)>").match(regex, i)
        if m:
            djup, j = 1, m.end()
            while djup:
                if regex[j] == "\\":
                    j += 2
                    continue
                djup += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            ut += str(värden[m[1]])
            i = j
        else:
            ut += regex[i]
            i += 1
    return ut.lstrip("^").rstrip("$").replace("\\", "")


def bygg_url(mönster: Mönster, värden: dict) -> str:
    path = ""
    for p in mönster.delar:
        if isinstance(p, RoutePattern):
            path += re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: str(värden[m[1]]), str(p))
        elif isinstance(p, RegexPattern):
            path += _ersätt_grupper(p.regex.pattern, värden)
        else:
            raise AssertionError(f"Okänt mönster {p!r}")
    return "/" + path


# --- Knivsta's objects ---------------------------------------------------------------------------------------------


def _modell(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def skapa_knivsta_objekt(kommun, nämnd, admin_a) -> dict:
    """One Knivsta object for every model the demo data has none of (admin models and URL kwargs). Models of
    apps that are not installed are skipped; a model missing here makes the test fail with its name."""
    from ekonomi.models import Investering, Investeringsutgift, Kostnadsslag, Periodiseringsprofil
    from nämnd.services import stäng

    stäng(admin_a, kommun, 2023, [1])
    Kostnadsslag.objects.create(kommun=kommun, namn="Knivsta personalkostnader", typ="kostnad")
    Periodiseringsprofil.objects.create(kommun=kommun, namn="Knivsta sommarprofil")
    Investeringsutgift.objects.create(
        investering=Investering.objects.for_kommun(kommun).first(), månad=3, belopp=Decimal(1000)
    )
    globala = {
        "auth.user": admin_a,
        "auth.group": Group.objects.create(name="Knivsta handläggare"),
    }
    if (Logotyp := _modell("nämnd.Kommunlogotyp")) is not None:
        Logotyp.objects.create(kommun=kommun, png=b"\x89PNG Knivsta logotyp", bredd=1, höjd=1)
    if (Profil := _modell("importer.Importprofil")) is not None:
        Profil.objects.create(kommun=kommun, namn="Knivsta ekonomisystem")
    if (Import := _modell("importer.Import")) is not None:
        imp = Import.objects.create(
            kommun=kommun, nämnd=nämnd, typ="utfall", filnamn="knivsta-utfall-2023.csv", användare=admin_a
        )
        Import.objects.create(
            kommun=kommun,
            nämnd=nämnd,
            typ="budget",
            filnamn="knivsta-budget-2024.xlsx",
            användare=admin_a,
            status="genomförd",
        )
        Import.objects.create(  # the kommun-level organisation import (no nämnd)
            kommun=kommun,
            typ="organisation",
            filnamn="knivsta-organisation.xlsx",
            användare=admin_a,
            status="genomförd",
        )
        if (Ändring := _modell("importer.Importändring")) is not None:
            Ändring.objects.create(imp=imp, modell="utfall", beskrivning="Knivsta rad", gammalt="1", nytt="2")
    if (Egentabell := _modell("rapporter.Egentabell")) is not None:
        tabell = Egentabell.objects.create(kommun=kommun, namn="Knivsta internkontrollplan")
        kolumn = tabell.kolumner.create(namn="Knivsta process", typ="text")
        tabell.rader.create(nämnd=nämnd, år=2023, värden={str(kolumn.pk): "Knivsta attestrutin"})
        if (Import := _modell("importer.Import")) is not None:  # an import of the table (kind "e<tabell>-<år>")
            Import.objects.create(
                kommun=kommun, nämnd=nämnd, typ=f"e{tabell.pk}-2023", filnamn="knivsta-ik.xlsx", användare=admin_a
            )
    if (Jobb := _modell("jobb.Jobb")) is not None:
        Jobb.objects.create(typ="pdf", kommun=kommun, användare=admin_a, parametrar={"nämnd": nämnd.id})
    if (Inställning := _modell("publicering.Publiceringsinställning")) is not None:
        Inställning.objects.create(kommun=kommun, publicera=False, kontaktuppgift="socialnamnden@knivsta.se")
    if (Ärende := _modell("publicering.Rapportärende")) is not None:
        ärende = Ärende.objects.create(nämnd=nämnd, år=2023, typ="delårsrapport")
        if (Version := _modell("publicering.Rapportversion")) is not None:
            import datetime as dt

            Version.objects.create(
                ärende=ärende,
                nummer=1,
                fastställd_datum=dt.date(2023, 10, 17),
                paragraf="§ 87",
                fastställd_av=admin_a,
                pdf=b"%PDF-1.4 Knivsta",
                sha256="0" * 64,
                html="<p>Knivsta kommun delårsrapport</p>",
            )
    if (Regel := _modell("inloggning.Inloggningsregel")) is not None:
        Regel.objects.create(kommun=kommun, claim="groups", värde="knivsta-controllers")
    if (Regelstyrd := _modell("inloggning.RegelstyrdBehörighet")) is not None:
        Regelstyrd.objects.create(behörighet=Behörighet.objects.get(user=admin_a, kommun=kommun))
    if (Koppling := _modell("inloggning.OidcKoppling")) is not None:
        globala["inloggning.oidckoppling"] = Koppling.objects.create(
            user=admin_a, issuer="https://login.knivsta.se", sub="knivsta-admin-1"
        )
    if _modell("axes.AccessAttempt") is not None:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        gemensamt = {
            "username": admin_a.username,
            "ip_address": "10.33.0.1",
            "user_agent": "Knivsta",
            "http_accept": "*/*",
            "path_info": "/logga-in/",
        }
        globala["axes.accessattempt"] = AccessAttempt.objects.create(
            **gemensamt, get_data="", post_data="", failures_since_start=1
        )
        globala["axes.accesslog"] = AccessLog.objects.create(**gemensamt)
        globala["axes.accessfailurelog"] = AccessFailureLog.objects.create(**gemensamt)
    return globala


def knivsta_objekt(model, kommun, globala):
    label = model._meta.label_lower
    if label in globala:
        return globala[label]
    qs = model._default_manager.all()
    if hasattr(qs, "for_kommun"):
        return qs.for_kommun(kommun).order_by("pk").first()
    return None


def identifierare(kommun, nämnd) -> list[str]:
    """Strings that only Knivsta's data contains: the kommun, its verksamhetsområden, mål, users, the published
    delår total 219 654 tkr."""
    from nyckeltal.models import Mål

    namn = ["knivsta", "219 654", "219654"]
    namn += [n for n in Verksamhetsområde.objects.filter(nämnd=nämnd).values_list("namn", flat=True) if len(n) >= 10]
    namn += list(Mål.objects.filter(nämnd=nämnd).values_list("namn", flat=True))
    return [n.lower() for n in namn]


# --- filling kwargs ----------------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass
class Kontext:
    kommun: object
    nämnd: Nämnd
    globala: dict

    def objekt(self, model):
        return knivsta_objekt(model, self.kommun, self.globala)

    def alla(self, model, högst: int = 5) -> list:
        """Pks of Knivsta's objects of a tenant model (several: e.g. imports of different kinds)."""
        qs = model._default_manager.all()
        if not hasattr(qs, "for_kommun"):
            o = self.objekt(model)
            return [o.pk] if o else []
        return list(qs.for_kommun(self.kommun).order_by("pk").values_list("pk", flat=True)[:högst])

    def modell_för_id(self, kwarg: str):
        """``import_id`` → importer.Import, ``jobb_id`` → jobb.Jobb … by model name; None when none matches."""
        stam = _ascii(kwarg.removesuffix("_id"))
        extra = {
            "version": "publicering.rapportversion",
            "namnd": "nämnd.nämnd",
            "vo": "nämnd.verksamhetsområde",
            "omrade": "nämnd.verksamhetsområde",
            "tabell": "rapporter.egentabell",
        }
        if stam in extra and _modell(extra[stam]):
            return _modell(extra[stam])
        träffar = [m for m in apps.get_models() if _ascii(m._meta.model_name) == stam]
        return träffar[0] if len(träffar) == 1 else None


def _rapporttyper():
    return list(Rapporttyp.values)


def _typer():
    """``typ`` is a rapporttyp in the reports and an importtyp in the imports."""
    värden = _rapporttyper()
    if apps.is_installed("importer"):
        from importer.models import Importtyp

        värden += list(Importtyp.values)
    return värden


def _tabeller():
    # The export keys of the standard preset's tables (a layout's table ids; see rapporter/forval.py).
    return ["drift", "helar", "budget", "volymer", "indikatorer", "investeringar"]


# kwarg name → candidate values (a callable taking the Kontext). Extend when a new kwarg name appears.
KWARGS = {
    "nämnd_id": lambda k: [k.nämnd.id],
    "år": lambda k: [2023, 2024],
    "månad": lambda k: [8],
    "typ": lambda k: _typer(),
    "rapporttyp": lambda k: _rapporttyper(),
    "kommunkod": lambda k: [k.kommun.kommunkod],
    "åtgärd": lambda k: ["checklista", "publicera"],
    "tabell": lambda k: _tabeller(),
    "app_label": lambda k: sorted({m._meta.app_label for m in admin.site._registry}),
    "url": lambda k: ["finns-inte/"],
}


def kombinationer(mönster: Mönster, k: Kontext) -> list[dict] | str:
    """Every combination of values to try, or why the pattern cannot be filled."""
    namn = mönster.kwargs
    if not namn:
        return [{}]
    par: list[list[dict]] = []
    rest = list(namn)
    modell = mönster.admin_modell
    if {"content_type_id", "object_id"} <= set(rest):  # admin "view on site"
        rest = [n for n in rest if n not in ("content_type_id", "object_id")]
        par.append(
            [
                {"content_type_id": ContentType.objects.get_for_model(m).pk, "object_id": o.pk}
                for m in admin.site._registry
                if (o := k.objekt(m)) is not None
            ]
        )
    if {"modell", "pk"} <= set(rest):  # organisation/historik/<modell>/<pk>/
        from uppfoljning.selectors import HISTORIKMODELLER

        rest = [n for n in rest if n not in ("modell", "pk")]
        par.append([{"modell": h.namn, "pk": o.pk} for h in HISTORIKMODELLER.values() if (o := k.objekt(h.model))])
    for n in rest:
        if n in ("object_id", "id") and modell is not None:
            o = k.objekt(modell)
            if o is None:
                return f"ingen Knivsta-{modell._meta.label} att fylla {n} med (lägg till i skapa_knivsta_objekt)"
            par.append([{n: o.pk}])
        elif n in KWARGS:
            par.append([{n: v} for v in KWARGS[n](k)])
        elif n.endswith("_id") and (m := k.modell_för_id(n)) is not None:
            pks = k.alla(m)
            if not pks:
                return f"ingen Knivsta-{m._meta.label} att fylla {n} med (lägg till i skapa_knivsta_objekt)"
            par.append([{n: pk} for pk in pks])
        else:
            return f"okänt argument {n!r} (lägg till det i KWARGS)"
    result = [dict(kv for d in kombination for kv in d.items()) for kombination in itertools.product(*par)]
    if len(result) > MAX_KOMBINATIONER:
        return f"{len(result)} kombinationer är för många"
    return result


# --- requests ----------------------------------------------------------------------------------------------------


def text_i(r) -> str:
    """What a response shows, as text: HTML/JSON/CSV as text, PDFs and spreadsheets extracted."""
    body = b"".join(r.streaming_content) if r.streaming else r.content
    typ = r.get("Content-Type", "")
    if "pdf" in typ or body.startswith(b"%PDF"):
        from pdfminer.high_level import extract_text

        try:
            text = extract_text(io.BytesIO(body))
        except Exception:  # not a real PDF (e.g. our stored test bytes): search the raw bytes
            text = ""
        text += body.decode("latin-1")
    elif "spreadsheetml" in typ or body.startswith(b"PK"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    elif "json" in typ:
        try:
            text = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            text = body.decode("utf-8", "replace")
    else:
        text = body.decode("utf-8", "replace")
    text = html.unescape(text)
    return text.replace("\u00a0", " ").replace("\u202f", " ").lower()


def visar_knivsta(r, id_: list[str]) -> list[str]:
    text = text_i(r)
    return [s for s in id_ if s in text]


@dataclass
class Läcka:
    mönster: str
    url: str
    fel: str


def kontrollera_som_b(client_b, url: str, id_: list[str]) -> str | None:
    """None when user B sees nothing of Knivsta at ``url``, else what went wrong."""
    try:
        r = client_b.get(url, follow=True)
    except Exception as e:  # an exception is not a refusal
        return f"GET gav undantag {type(e).__name__}: {e}"
    kedja = " → ".join(f"{s} {u}" for u, s in r.redirect_chain)
    if r.status_code == 200:
        if träffar := visar_knivsta(r, id_):
            return f"GET 200{' via ' + kedja if kedja else ''} visar {träffar[:5]}"
        return None
    if r.status_code in (403, 404):
        return None
    if r.status_code == 405:
        try:
            p = client_b.post(url)
        except Exception as e:
            return f"POST gav undantag {type(e).__name__}: {e}"
        if p.status_code in (400, 403, 404, 405):
            return None
        if p.status_code in (301, 302) and p["Location"].startswith("/logga-in"):
            return None
        return f"POST gav {p.status_code} (förväntat 400/403/404/405)"
    return f"GET gav {r.status_code}{' via ' + kedja if kedja else ''}"


@pytest.fixture
def miljö(client, django_user_model):
    """Knivsta (A) with its admin, Täby (B) with an admin who is staff with every view/change permission."""
    from socialreports import demodata

    kommun_a = demodata.ladda()
    nämnd_a = Nämnd.objects.get(kommun=kommun_a)
    behörigheter = Permission.objects.filter(codename__regex=r"^(view|change)_")
    admin_a = skapa_användare("knivsta-admin", kommun_a, "admin", får_importera=True, får_fastställa=True)
    admin_a.is_staff = True
    admin_a.save()
    admin_a.user_permissions.set(behörigheter)
    globala = skapa_knivsta_objekt(kommun_a, nämnd_a, admin_a)

    from nämnd.models import Kommun

    kommun_b = Kommun.objects.create(namn="Täby kommun", kommunkod="0160")
    nämnd_b = Nämnd.objects.create(kommun=kommun_b, namn="Socialnämnden")
    Verksamhetsområde.objects.create(nämnd=nämnd_b, namn="Äldreomsorg")
    admin_b = skapa_användare("taby-admin", kommun_b, "admin", får_importera=True, får_fastställa=True)
    admin_b.is_staff = True
    admin_b.save()
    admin_b.user_permissions.set(behörigheter)

    from django.test import Client

    client_a, client_b = Client(), Client()
    client_a.force_login(admin_a)
    client_b.force_login(admin_b)
    return Kontext(kommun_a, nämnd_a, globala), client_a, client_b, identifierare(kommun_a, nämnd_a)


def granska(mönster_lista, miljö) -> tuple[list[str], list[Läcka]]:
    k, client_a, client_b, id_ = miljö
    ofyllbara, läckor = [], []
    for m in mönster_lista:
        if m.namn in EJ_ANROPADE:
            continue
        kombinationer_ = kombinationer(m, k)
        if isinstance(kombinationer_, str):
            ofyllbara.append(f"{m.id} ({m.route}): {kombinationer_}")
            continue
        träffar = []
        for värden in kombinationer_:
            url = bygg_url(m, värden)
            try:
                matchning = resolve(url.split("?")[0])
            except Resolver404:
                ofyllbara.append(f"{m.id}: {url} löser inte upp")
                break
            if matchning.route.replace("^", "") != m.route.replace("^", ""):
                continue  # an earlier pattern catches these values (e.g. a str kwarg matching a literal)
            if m.namn in PUBLIKA or m.id in UTAN_ÄGARKONTROLL:
                träffar.append(url)
            else:
                try:
                    status = client_a.get(url).status_code
                except Exception:
                    status = 500
                if status not in (404, 500):
                    träffar.append(url)
            if len(träffar) >= MAX_TRÄFFAR:
                break
        if not träffar:
            ofyllbara.append(f"{m.id} ({m.route}): ingen kombination når Knivstas objekt som Knivstas administratör")
            continue
        läckor.extend(Läcka(m.id, url, fel) for url in träffar if (fel := kontrollera_som_b(client_b, url, id_)))
    return ofyllbara, läckor


def _rapport(ofyllbara, läckor) -> str:
    rader = []
    if läckor:
        rader.append("Läckor eller fel för användare i en annan kommun:")
        rader += [f"  {u.mönster}: {u.url} – {u.fel}" for u in läckor]
    if ofyllbara:
        rader.append("Mönster som inte kunde fyllas med Knivstas värden:")
        rader += [f"  {o}" for o in ofyllbara]
    return "\n".join(rader)


def test_mönstren_kommer_från_resolvern():
    """Sanity: the walk sees the admin, every app's includes and this part's own URLs."""
    namn = {m.namn for m in MÖNSTER}
    assert {"dashboard", "historik-rad", "historik-nämnd", "nytt-år", "rapport-pdf", "admin:index"} <= namn
    assert any(m.admin_modell is Verksamhetsområde and "<path:object_id>/change/" in m.route for m in MÖNSTER)
    assert len(MÖNSTER) > 100
    registrerade = {m._meta.label_lower for m in admin.site._registry}
    assert set(KÄNDA_LÄCKOR) <= registrerade, "en känd läcka gäller en modell som inte finns i administrationen"
    assert set(UTAN_ÄGARKONTROLL) <= {m.id for m in MÖNSTER}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("grupp", GRUPPER)
def test_ingen_url_visar_annan_kommuns_data(grupp, miljö):
    mönster_lista = [m for m in MÖNSTER if m.grupp == grupp and m.känd_läcka is None]
    ofyllbara, läckor = granska(mönster_lista, miljö)
    if grupp == "admin":
        läckor += granska_autocomplete(miljö)
    assert not (ofyllbara or läckor), _rapport(ofyllbara, läckor)


def granska_autocomplete(miljö) -> list[Läcka]:
    """The admin's autocomplete endpoint takes its arguments as query parameters: try every autocomplete field."""
    _, _, client_b, id_ = miljö
    läckor = []
    for model, ma in admin.site._registry.items():
        for fält in ma.autocomplete_fields:
            url = (
                f"/admin/autocomplete/?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={fält}&term="
            )
            if (fel := kontrollera_som_b(client_b, url, id_)) is not None:
                läckor.append(Läcka("admin:autocomplete", url, fel))
    return läckor


@pytest.mark.timeout(600)
@pytest.mark.parametrize("modell", sorted(KÄNDA_LÄCKOR))
def test_känd_läcka(modell, miljö, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=KÄNDA_LÄCKOR[modell]))
    mönster_lista = [m for m in MÖNSTER if m.känd_läcka == modell]
    assert mönster_lista
    ofyllbara, läckor = granska(mönster_lista, miljö)
    assert not (ofyllbara or läckor), _rapport(ofyllbara, läckor)
