"""A fastställd report stays as adopted: EVERY URL that accepts POST is tried against the locked year.

The URL patterns come from the resolver (as in ``test_url_isolering``), and a pattern "accepts POST" when an
empty POST does not answer 405 — so a new write URL cannot slip past: it must get a case in ``FALL`` (a valid
change of the locked data, and the same change of open data as the positive control) or an entry in
``UNDANTAG`` with the reason it cannot change a report's figures or texts.

The world is an invented kommun of another shape than the demo (mnkr, costs shown negative, no blocks), whose
delårsrapport 2024 (months 1–8) is fastställd through the publishing service's own lock. For every case the
user — an administratör with every right, so only the lock can stop them — posts a valid change of locked data
(month 8, the year 2024, the delårsrapport's texts and bedömningar): the fingerprints of every figure and text
table are unchanged. The same change of open data (month 9, 2025, the tertialrapport's texts) must change them,
so the test cannot pass by posting something that is refused anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from ekonomi.models import Budgetpost, Investering, Investeringsprognos, Investeringsutgift, Prognos, Utfall
from nyckeltal.models import (
    Indikator,
    Indikatorvärde,
    Mål,
    Måluppfyllelse,
    Nyckeltal,
    Nyckeltalsgrupp,
    Nyckeltalsvärde,
    Uppdrag,
    Uppdragsstatus,
)
from nämnd.models import Kommun, Nämnd, Rapportlås, Verksamhetsområde
from publicering import services as publicering
from publicering.models import Rapportversion, Rapportärende
from rapporter.models import Egenrad, Egentabell, Textavsnitt
from tests.conftest import skapa_användare
from tests.test_url_isolering import MÖNSTER, Mönster
from uppfoljning.nytt_ar import AVSLUTA

LÅST_ÅR, ÖPPET_ÅR = 2024, 2025
FIGURMODELLER = [
    Utfall,
    Prognos,
    Budgetpost,
    Investering,
    Investeringsutgift,
    Investeringsprognos,
    Nyckeltalsvärde,
    Indikatorvärde,
    Måluppfyllelse,
    Uppdragsstatus,
    Textavsnitt,
    Egenrad,
]
ORGANISATION = [Verksamhetsområde, Mål, Uppdrag, Indikator]

# POST-accepting patterns that cannot change a report's figures or texts, with the reason.
UNDANTAG = {
    "login": "Inloggning.",
    "logout": "Utloggning.",
    "admin:login": "Inloggning i administrationen.",
    "admin:logout": "Utloggning ur administrationen.",
    "admin:password_change": "Byter det egna lösenordet.",
    "oidc_authentication_init": "Skickar vidare till identitetsleverantören.",
    "oidc_authentication_callback": "Tar emot identitetsleverantörens svar.",
    "perioder": "Stänger och öppnar perioder: låser, ändrar inga siffror eller texter.",
    "rapportärende": "Granskningssidan: ändrar bara rapportärendet (checklista, status).",
    "rapport-tidplan": (
        "Tidplanen: ändrar bara sektionernas datum, ansvariga och klarmarkeringar, inga siffror eller texter "
        "(tjänsten frågar ändå redigeringsvakten: tests/publicering/test_tidplan.py)."
    ),
    "rapportärende-åtgärd": "Granskning, fastställande, rättelse och publicering: ändrar bara rapportärendet.",
    "jobb-status": "Ett bakgrundsjobbs sida.",
    "jobb-kor-igen": "Kör ett avbrutet jobb igen: jobbet går genom samma tjänster (och vakt) som när det startades.",
    "import-utfall-avbryt": "Avbryter en förhandsgranskad import: inget sparas.",
    # Layouts and report months are the kommun's presentation, not a report's figures or texts: a fastställd
    # report keeps the layout and last month it was fastställd with (Rapportlås.layout, .slutmånad) —
    # tests/nämnd/test_rapporttillfallen.py::test_fastställd_rapport_behåller_layout_och_månad.
    "layout": "Sparar kommunens rapportlayout; en fastställd rapport behåller sin (Rapportlås).",
    "layout-förhandsvisning": "Förhandsvisar ett utkast: inget sparas.",
    "layout-avsnitt": "Ger formulärfälten för ett nytt avsnitt: inget sparas.",
    "layout-import": "Läser en layoutfil och sparar kommunens layout; en fastställd rapport behåller sin.",
    "layout-export": "Laddar ner kommunens layouter.",
    "layout-tillfällen": "Sparar kommunens rapportmånader; en fastställd rapport behåller sin (Rapportlås).",
    # A kommun's own tables: the definition is presentation like the layout (the rows are not changed); removing a
    # table with rows in a locked year is refused by the guard (tests/rapporter/test_egentabeller.py).
    "egentabeller": "Skapar en egen tabells definition (kolumner): inga rader, siffror eller texter.",
    "egentabell": "Ändrar en egen tabells kolumner; att ta bort en tabell med rader i ett låst år nekas av vakten.",
    # The kommun settings page: presentation defaults, thresholds, publication and logo. A fastställd report's
    # archived PDF and HTML (Rapportversion) are served as adopted; no figure or text is written.
    "kommun-installningar": "Kommunens inställningar (enhet, tecken, gränser, publicering, logotyp): inga siffror eller texter.",
    "kommun-importprofil-ta-bort": "Tar bort en importprofil (hur kommunens filer ser ut): inga siffror eller texter.",
    # Ny kommun, users and roles (kommunadmin/start.py): accounts and Behörigheter, no figures or texts.
    "kommun-ny": "Lägger upp en ny kommun och dess administratör: inga siffror eller texter i någon befintlig kommun.",
    "kommun-anvandare": "Lägger till en användares behörighet: inga siffror eller texter.",
    "kommun-anvandare-andra": "Ändrar en användares roll och rättigheter: inga siffror eller texter.",
    "kommun-anvandare-ta-bort": "Tar bort en användares behörighet: inga siffror eller texter.",
    # The organisation import (importer/organisation.py) edits the kommun's organisation as the admin's
    # Verksamhetsområde/Nämnd/Kostnadsslag pages do (admin_undantag): an item with figures is never removed.
    "import-organisation": "Läser kommunens organisationsfil (nämnder, områden, kostnadsslag): inga siffror eller texter.",
    "import-organisation-granska": "Organisationsimportens kolumnval och bekräftelse: organisation, inga siffror eller texter.",
    # Kolada comparison (importer/views_kolada.py): which peer group an indikator is compared with is presentation
    # like the layout; the peer values are Kolada's, and a fastställd report's archived version (Rapportversion)
    # is served as adopted.
    "kolada-jamforelse": "Väljer jämförelsegrupp för en indikators Kolada-jämförelse: inga egna siffror eller texter.",
}


def admin_undantag(m: Mönster) -> str | None:
    """Admin patterns that cannot change figures: other models than figure models, and the admin's own views."""
    if not m.route.startswith("admin/"):
        return None
    modell = m.admin_modell
    if modell is None:
        return "Administrationens egna sidor (index, applistor, jsi18n, autocomplete)."
    if modell not in FIGURMODELLER:
        return f"{modell._meta.verbose_name}: organisation eller inställningar, inte en rapports siffror."
    if m.namn and m.namn.endswith("_history"):
        return "Historiksidan visar bara."
    return None


# --- the invented kommun -------------------------------------------------------------------------------------------


@dataclass
class Värld:
    kommun: Kommun
    nämnd: Nämnd
    områden: dict[str, Verksamhetsområde]
    user: object
    investering: Investering
    nyckeltal: Nyckeltal
    indikator: Indikator
    mål: Mål
    uppdrag: Uppdrag
    egentabell: Egentabell


def bygg_värld() -> Värld:
    kommun = Kommun.objects.create(
        namn="Norrby kommun",
        kommunkod="9901",
        beloppsenhet="mnkr",
        kostnader_negativa=True,
        avvikelsegräns_kr=0,
        avvikelsegräns_procent=0,
    )
    nämnd = Nämnd.objects.create(kommun=kommun, namn="Omsorgsnämnden", giltig_från=dt.date(2020, 1, 1))
    områden = {}
    for i, (namn, kod) in enumerate([("Hemtjänst", "61*"), ("Särskilt boende", "62*"), ("Försörjningsstöd", "63*")]):
        områden[namn] = Verksamhetsområde.objects.create(nämnd=nämnd, namn=namn, ordning=i, ansvarskoder=kod)
    for i, o in enumerate(områden.values()):
        bas = Decimal(12_000_000 + 1_000_000 * i)
        for år in (LÅST_ÅR, ÖPPET_ÅR):
            Budgetpost.objects.create(verksamhetsområde=o, år=år, slag="kf", belopp=bas)
        Budgetpost.objects.create(verksamhetsområde=o, år=LÅST_ÅR, slag="tillägg", belopp=50_000, kommentar="Lön")
        Utfall.objects.bulk_create(
            Utfall(verksamhetsområde=o, år=LÅST_ÅR, månad=m, belopp=bas / 12) for m in range(1, 10)
        )
        Prognos.objects.bulk_create(Prognos(verksamhetsområde=o, år=LÅST_ÅR, månad=m, belopp=bas) for m in (4, 8, 9))
    investering = Investering.objects.create(nämnd=nämnd, år=LÅST_ÅR, namn="Larm", kf_ram=2_000_000)
    Investering.objects.create(nämnd=nämnd, år=ÖPPET_ÅR, namn="Larm", kf_ram=1_000_000)
    Investeringsutgift.objects.create(investering=investering, månad=5, belopp=300_000)
    Investeringsutgift.objects.create(investering=investering, månad=9, belopp=100_000)
    Investeringsprognos.objects.create(investering=investering, månad=8, belopp=1_800_000)
    Investeringsprognos.objects.create(investering=investering, månad=10, belopp=1_900_000)
    grupp = Nyckeltalsgrupp.objects.create(nämnd=nämnd, namn="Hemtjänst")
    nyckeltal = Nyckeltal.objects.create(
        grupp=grupp, namn="Antal brukare", enhet="st", verksamhetsområde=områden["Hemtjänst"]
    )
    for år in (LÅST_ÅR, ÖPPET_ÅR):
        Nyckeltalsvärde.objects.create(nyckeltal=nyckeltal, år=år, typ="mål", värde=400)
        Nyckeltalsvärde.objects.create(nyckeltal=nyckeltal, år=år, typ="prognos", värde=410)
    Nyckeltalsvärde.objects.bulk_create(
        Nyckeltalsvärde(nyckeltal=nyckeltal, år=LÅST_ÅR, typ="utfall_månad", månad=m, värde=390 + m)
        for m in range(1, 10)
    )
    mål = Mål.objects.create(nämnd=nämnd, namn="Trygg omsorg", från_år=LÅST_ÅR)
    indikator = Indikator.objects.create(
        mål=mål, namn="Nöjdhet hemtjänst", kolada_id="U21468", enhet="%", jämförelse="minst", målvärde=85
    )
    for år in (LÅST_ÅR - 1, LÅST_ÅR, ÖPPET_ÅR):
        Indikatorvärde.objects.create(indikator=indikator, år=år, totalt=88)
    uppdrag = Uppdrag.objects.create(mål=mål, text="Inför digital tillsyn", från_år=LÅST_ÅR, till_år=ÖPPET_ÅR)
    for typ in ("tertialrapport", "delårsrapport"):
        Måluppfyllelse.objects.create(mål=mål, år=LÅST_ÅR, rapporttyp=typ, bedömning="delvis", kommentar="På väg.")
        Uppdragsstatus.objects.create(uppdrag=uppdrag, år=LÅST_ÅR, rapporttyp=typ, status="pågår", kommentar="Start.")
        Textavsnitt.objects.create(nämnd=nämnd, år=LÅST_ÅR, rapporttyp=typ, rubrik="Sammanfattning", text="Text.")
    user = skapa_användare("admin-norrby", kommun, roll="admin", får_importera=True, får_fastställa=True)
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["ekonomi", "nyckeltal", "rapporter", "nämnd"])
    )
    # The delårsrapport 2024 is fastställd: an archived version and the lock, as publicering.fastställ leaves them.
    ärende = Rapportärende.objects.create(nämnd=nämnd, år=LÅST_ÅR, typ="delårsrapport", status="fastställd")
    Rapportversion.objects.create(
        ärende=ärende,
        nummer=1,
        fastställd_datum=dt.date(2024, 9, 24),
        paragraf="§ 61",
        fastställd_av=user,
        pdf=b"%PDF-",
        sha256="0" * 64,
        html="<p>arkiv</p>",
    )
    publicering.lås(ärende, dt.date(2024, 9, 24), "§ 61", 1)
    # A kommun-defined table with a row in each year (text, number and status columns).
    egentabell = Egentabell.objects.create(kommun=kommun, namn="Internkontrollplan")
    process = egentabell.kolumner.create(namn="Process", typ="text", ordning=0)
    egentabell.kolumner.create(namn="Kostnad", typ="tal", ordning=1)
    status = egentabell.kolumner.create(namn="Status", typ="status", statusval=["Pågår", "Klar"], ordning=2)
    for år in (LÅST_ÅR, ÖPPET_ÅR):
        Egenrad.objects.create(
            tabell=egentabell,
            nämnd=nämnd,
            år=år,
            ordning=1,
            värden={str(process.pk): "Attest", str(status.pk): "Pågår"},
        )
    return Värld(kommun, nämnd, områden, user, investering, nyckeltal, indikator, mål, uppdrag, egentabell)


def fingeravtryck() -> dict[str, str]:
    """One query per table: every row of every figure, text and organisation table, hashed."""
    ut = {}
    for model in [*FIGURMODELLER, *ORGANISATION]:
        fält = [f.attname for f in model._meta.concrete_fields]
        rader = model._default_manager.order_by("pk").values_list(*fält)
        ut[model._meta.label] = hashlib.sha256(repr(list(rader)).encode()).hexdigest()
    return ut


# --- posting a change ------------------------------------------------------------------------------------------------


def formulär(html: bytes | str, hitta: Callable | None = None) -> tuple[BeautifulSoup, dict[str, str]]:
    """The page's POST form and what a browser would send from it — disabled fields included, as a user who
    edits the HTML could send them."""
    soup = BeautifulSoup(html, "html.parser")
    form = hitta(soup) if hitta else (soup.find("main") or soup).find("form", method="post")
    assert form is not None, "sidan har inget formulär"
    data = {}
    for el in form.find_all(["input", "select", "textarea"]):
        namn = el.get("name")
        if not namn or el.get("type") in ("submit", "button", "file"):
            continue
        if el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[namn] = el.get("value", "on")
        elif el.name == "select":
            vald = el.find("option", selected=True) or el.find("option")
            data[namn] = vald["value"] if vald else ""
        elif el.name == "textarea":
            data[namn] = el.get_text().removeprefix("\n")
        else:
            data[namn] = el.get("value", "")
    return form, data


def ändra_alla(form, data: dict[str, str], bara: tuple[str, ...] = ()) -> dict[str, str]:
    """Change every visible field (or those whose name ends with one of ``bara``): numbers (Swedish format) get
    +1, empty number fields 7, texts a suffix, selects another non-empty option."""
    ut = dict(data)
    for el in form.find_all(["input", "select", "textarea"]):
        namn = el.get("name")
        if not namn or el.get("type") in ("hidden", "submit", "button", "checkbox", "file"):
            continue
        if bara and not namn.endswith(bara):
            continue
        if el.name == "select":
            val = [o["value"] for o in el.find_all("option") if o.get("value") and o["value"] != data.get(namn)]
            if val:
                ut[namn] = val[0]
        elif el.name == "textarea":
            ut[namn] = (data.get(namn) or "") + " Ändrad."
        else:
            värde = data.get(namn, "")
            tal = värde.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", ".")
            try:
                ny = str(Decimal(tal or "6") + 1)
                ut[namn] = ny if "." in värde else ny.replace(".", ",")  # the page's own decimal separator
            except ArithmeticError:
                ut[namn] = värde + " ändrad"
    return ut


def skicka_sida(client, url: str, knapp: dict[str, str] | None = None, hitta=None, bara: tuple[str, ...] = ()):
    form, data = formulär(client.get(url).content, hitta)
    return client.post(url, {**ändra_alla(form, data, bara), **(knapp or {})})


def xlsx(rader: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rader:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def importera(client, v: Värld, url_namn: str, args: list, filnamn: str, innehåll: bytes):
    """Upload, then confirm with the preview's fingerprint whether or not the page offers the button."""
    r = client.post(reverse(url_namn, args=args), {"fil": SimpleUploadedFile(filnamn, innehåll)})
    if r.status_code != 302:
        return r
    granska = r["Location"]
    soup = BeautifulSoup(client.get(granska).content, "html.parser")
    fält = soup.find("input", {"name": "fingeravtryck"})
    return client.post(granska, {"åtgärd": "bekräfta", "fingeravtryck": fält["value"] if fält else ""})


def utfallsfil(månad: int) -> bytes:
    return xlsx(
        [
            ["Period", "Ansvar", "Konto", "Belopp"],
            [f"{LÅST_ÅR}{månad:02d}", "6110", "4010", 1_234_567],
            [f"{LÅST_ÅR}{månad:02d}", "6210", "4010", 2_345_678],
        ]
    )


def mallfil(typ: str, låst: bool) -> bytes:
    år = LÅST_ÅR if låst else ÖPPET_ÅR
    if typ == "budget":
        return xlsx([["Verksamhetsområde", "År", "Slag", "Belopp (kr)"], ["Hemtjänst", år, "KF-budget", 99_000_000]])
    if typ == "prognos":
        return xlsx(
            [
                ["Verksamhetsområde", "Prognostillfälle", "Prognos helår (kr)"],
                ["Hemtjänst", f"{LÅST_ÅR}-{8 if låst else 10:02d}", 77_000_000],
            ]
        )
    if typ == "volymer":
        return xlsx(
            [
                ["Område", "Nyckeltal", "Typ", "År", "Månad", "Värde"],
                ["Hemtjänst", "Antal brukare", "Prognos", år, None, 999],
            ]
        )
    if typ == "indikatorer":
        return xlsx([["Indikator", "Kolada-id", "År", "Totalt", "Kvinnor", "Män"], [None, "U21468", år, 55, 54, 56]])
    assert typ == "kolada"
    return xlsx([["Kolada-id", "Kommun", "År", "T", "K", "M"], ["U21468", "9901", år, 44, 43, 45]])


@dataclass(frozen=True)
class Fall:
    """How to post a valid change: ``skicka(client, värld, låst)`` changes locked data when ``låst`` is true and
    the same kind of open data otherwise."""

    skicka: Callable


def _sida(namn: str, args_låst: Callable, args_öppen: Callable, knapp: dict | None = None, hitta=None) -> Fall:
    def skicka(client, v: Värld, låst: bool):
        args = (args_låst if låst else args_öppen)(v)
        return skicka_sida(client, reverse(namn, args=args), knapp, hitta)

    return Fall(skicka)


def _nytt_år(client, v: Värld, låst: bool):
    url = reverse("nytt-år", args=[v.nämnd.pk, (LÅST_ÅR - 1) if låst else ÖPPET_ÅR])
    form, data = formulär(client.get(url).content, lambda s: s.find("table", id="omraden").find_parent("form"))
    data[f"atgard_{v.områden['Försörjningsstöd'].pk}"] = AVSLUTA  # a real change: the area ends
    r = client.post(url, {**data, "forhandsgranska": ""})
    granskad = BeautifulSoup(r.content, "html.parser").find("input", attrs={"name": "granskad"})
    return client.post(url, {**data, "granskad": (granskad.get("value") if granskad else None) or "x", "bekrafta": ""})


def _mall(typ: str) -> Fall:
    def skicka(client, v: Värld, låst: bool):
        return importera(client, v, "mallimport-ladda-upp", [v.nämnd.pk, typ], f"{typ}.xlsx", mallfil(typ, låst))

    return Fall(skicka)


FALL: dict[str, Fall] = {
    "månadsuppföljning": _sida(
        "månadsuppföljning",
        lambda v: [v.nämnd.pk, LÅST_ÅR, 8],
        lambda v: [v.nämnd.pk, LÅST_ÅR, 9],
        {"atgard": "spara_anda"},  # past the plausibility warnings: this test is about locks
        lambda s: s.find("form", id="manadsgrid"),
    ),
    "volymer-inmatning": _sida("volymer-inmatning", lambda v: [v.nämnd.pk, LÅST_ÅR], lambda v: [v.nämnd.pk, ÖPPET_ÅR]),
    "indikatorer-inmatning": _sida(
        "indikatorer-inmatning", lambda v: [v.nämnd.pk, LÅST_ÅR], lambda v: [v.nämnd.pk, ÖPPET_ÅR]
    ),
    "mal-inmatning": _sida(
        "mal-inmatning",
        lambda v: [v.nämnd.pk, LÅST_ÅR, "delårsrapport"],
        lambda v: [v.nämnd.pk, LÅST_ÅR, "tertialrapport"],
    ),
    "texter": _sida(
        "texter", lambda v: [v.nämnd.pk, LÅST_ÅR, "delårsrapport"], lambda v: [v.nämnd.pk, LÅST_ÅR, "tertialrapport"]
    ),
    "nytt-år": Fall(_nytt_år),
    "import-utfall": Fall(
        lambda c, v, låst: importera(c, v, "import-utfall", [v.nämnd.pk], "utfall.xlsx", utfallsfil(8 if låst else 9))
    ),
    # Reached through the upload above (its preview and confirm): the same posts.
    "import-utfall-granska": Fall(lambda c, v, låst: FALL["import-utfall"].skicka(c, v, låst)),
    "mallimport-ladda-upp": Fall(
        lambda c, v, låst: [
            _mall(t).skicka(c, v, låst) for t in ("budget", "prognos", "volymer", "indikatorer", "kolada")
        ][-1]
    ),
    "mallimport-granska": Fall(lambda c, v, låst: FALL["mallimport-ladda-upp"].skicka(c, v, låst)),
    "egentabell-rader": _sida(
        "egentabell-rader",
        lambda v: [v.nämnd.pk, LÅST_ÅR, v.egentabell.pk],
        lambda v: [v.nämnd.pk, ÖPPET_ÅR, v.egentabell.pk],
        hitta=lambda s: s.find("form", id="egenrader"),
    ),
    "egentabell-import": Fall(
        lambda c, v, låst: importera(
            c,
            v,
            "egentabell-import",
            [v.nämnd.pk, v.egentabell.pk, LÅST_ÅR if låst else ÖPPET_ÅR],
            "tabell.xlsx",
            xlsx([["Process", "Kostnad", "Status"], ["Attest", 5, "Klar"]]),
        )
    ),
    # Reached through the upload above (its preview and confirm): the same posts.
    "egentabell-import-granska": Fall(lambda c, v, låst: FALL["egentabell-import"].skicka(c, v, låst)),
}

# Admin figure models: the value fields a change edits (keys stay), the object in the locked period and its twin
# in an open one.
VÄRDEFÄLT = ("belopp", "kf_ram", "värde", "totalt", "kommentar", "text")
ADMINOBJEKT: dict[type, Callable[[Värld, bool], object]] = {
    Utfall: lambda v, låst: Utfall.objects.get(
        verksamhetsområde=v.områden["Hemtjänst"], år=LÅST_ÅR, månad=8 if låst else 9
    ),
    Prognos: lambda v, låst: Prognos.objects.get(
        verksamhetsområde=v.områden["Hemtjänst"], år=LÅST_ÅR, månad=8 if låst else 9
    ),
    Budgetpost: lambda v, låst: Budgetpost.objects.get(
        verksamhetsområde=v.områden["Hemtjänst"], slag="kf", år=LÅST_ÅR if låst else ÖPPET_ÅR
    ),
    Investering: lambda v, låst: Investering.objects.get(nämnd=v.nämnd, år=LÅST_ÅR if låst else ÖPPET_ÅR),
    Investeringsutgift: lambda v, låst: Investeringsutgift.objects.get(
        investering=v.investering, månad=5 if låst else 9
    ),
    Investeringsprognos: lambda v, låst: Investeringsprognos.objects.get(
        investering=v.investering, månad=8 if låst else 10
    ),
    Nyckeltalsvärde: lambda v, låst: Nyckeltalsvärde.objects.get(
        nyckeltal=v.nyckeltal, typ="prognos", år=LÅST_ÅR if låst else ÖPPET_ÅR
    ),
    Indikatorvärde: lambda v, låst: Indikatorvärde.objects.get(indikator=v.indikator, år=LÅST_ÅR if låst else ÖPPET_ÅR),
    Måluppfyllelse: lambda v, låst: Måluppfyllelse.objects.get(
        mål=v.mål, rapporttyp="delårsrapport" if låst else "tertialrapport"
    ),
    Uppdragsstatus: lambda v, låst: Uppdragsstatus.objects.get(
        uppdrag=v.uppdrag, rapporttyp="delårsrapport" if låst else "tertialrapport"
    ),
    Textavsnitt: lambda v, låst: Textavsnitt.objects.get(
        nämnd=v.nämnd, rapporttyp="delårsrapport" if låst else "tertialrapport"
    ),
}


def _admin_fall(m: Mönster) -> Fall | None:
    modell = m.admin_modell
    if modell not in ADMINOBJEKT or not m.namn:
        return None
    info = f"admin:{modell._meta.app_label}_{modell._meta.model_name}"
    hitta = lambda s: s.find("form", id=f"{modell._meta.model_name}_form")  # noqa: E731

    def skicka(client, v: Värld, låst: bool):
        obj = ADMINOBJEKT[modell](v, låst)
        if obj is None:
            return None
        if m.namn.endswith("_change"):
            return skicka_sida(client, reverse(f"{info}_change", args=[obj.pk]), {"_save": "Spara"}, hitta, VÄRDEFÄLT)
        if m.namn.endswith("_delete"):
            return client.post(reverse(f"{info}_delete", args=[obj.pk]), {"post": "yes"})
        if m.namn.endswith("_changelist"):
            return client.post(
                reverse(f"{info}_changelist"),
                {"action": "delete_selected", "post": "yes", "_selected_action": [obj.pk]},
            )
        if m.namn.endswith("_add"):  # a copy of the object as a new row (its old twin deleted to stay unique)
            url = reverse(f"{info}_change", args=[obj.pk])
            form, data = formulär(client.get(url).content, hitta)
            modell._default_manager.filter(pk=obj.pk).delete() if not låst else None
            return client.post(reverse(f"{info}_add"), {**ändra_alla(form, data, VÄRDEFÄLT), "_save": "Spara"})
        return None

    return Fall(skicka)


def tar_emot_post(client, m: Mönster, v: Värld) -> str | None:
    """The pattern's URL filled with the world's values, if an empty POST there is not refused with 405."""
    värden = {
        "nämnd_id": v.nämnd.pk,
        "år": LÅST_ÅR,
        "månad": 8,
        "typ": "delårsrapport",
        "rapporttyp": "delårsrapport",
        "import_id": 1,
        "version_id": 1,
        "kommunkod": "9901",
        "åtgärd": "fastställ",
        "modell": "utfall",
        "pk": 1,
        "object_id": "1",
        "app_label": "ekonomi",
        "tabell": "drift",
        "jobb_id": "00000000-0000-0000-0000-000000000000",
        "url": "x",
        "format": "html",
        "tabell_id": v.egentabell.pk,
        "kommun_id": v.nämnd.kommun_id,
        "importprofil_id": 1,
        "behorighet_id": 1,
        "indikator_id": v.indikator.pk,
        "område_id": v.områden["Hemtjänst"].pk,
    }
    route = m.route
    try:
        if m.namn:
            kwargs = {k: värden[k] for k in m.kwargs}
            url = reverse(m.namn, kwargs=kwargs)
        else:
            return None
    except Exception:  # noqa: BLE001 - a pattern we cannot fill is reported below
        return f"!{route}"
    r = client.post(url, {})
    return None if r.status_code == 405 else url


@pytest.mark.django_db
def test_ingen_post_ändrar_en_fastställd_rapports_data(client):
    v = bygg_värld()
    client.force_login(v.user)
    assert Rapportlås.objects.filter(nämnd=v.nämnd, år=LÅST_ÅR, rapporttyp="delårsrapport").exists()

    oklara, saknas, prövade = [], [], []
    före = fingeravtryck()
    for m in MÖNSTER:
        if (m.namn or m.route) in UNDANTAG or admin_undantag(m):
            continue
        url = tar_emot_post(client, m, v)
        if url is None:
            continue
        if url.startswith("!"):
            oklara.append(m.id)
            continue
        fall = FALL.get(m.namn) or _admin_fall(m)
        if fall is None:
            saknas.append(m.id)
            continue
        r = fall.skicka(client, v, True)
        efter = fingeravtryck()
        ändrat = [t for t in före if före[t] != efter[t]]
        assert not ändrat, f"{m.id}: POST ändrade {ändrat} i ett fastställt år (svar {getattr(r, 'status_code', r)})"
        assert r is None or r.status_code < 500, f"{m.id}: {r.status_code}"
        prövade.append(m.id)
    assert not oklara, f"Mönster som testet inte kan fylla i: {oklara}"
    assert not saknas, f"POST-mönster utan fall i FALL eller skäl i UNDANTAG: {saknas}"
    assert {
        "månadsuppföljning",
        "volymer-inmatning",
        "indikatorer-inmatning",
        "mal-inmatning",
        "texter",
        "nytt-år",
        "import-utfall",
        "mallimport-ladda-upp",
        "egentabell-rader",
        "egentabell-import",
    } <= set(prövade)
    assert any(p.startswith("admin:") for p in prövade)

    # Positive control: the same posts for open data do change something (so the refusals above are the lock's).
    # Each in a savepoint that is rolled back, so one control's change does not disturb the next.
    for namn in prövade:
        fall = FALL.get(namn) or _admin_fall(next(m for m in MÖNSTER if m.id == namn))
        with transaction.atomic():
            före = fingeravtryck()
            r = fall.skicka(client, v, False)
            efter = fingeravtryck()
            transaction.set_rollback(True)
        assert r is not None and före != efter, f"{namn}: samma POST för öppna data ändrade inget ({r})"


@pytest.mark.django_db
def test_sidorna_visar_fastställda_uppgifter_skrivskyddade_och_säger_varför(client):
    v = bygg_värld()
    client.force_login(v.user)
    text = (
        f"Delårsrapport {LÅST_ÅR} för Omsorgsnämnden är fastställd (2024-09-24, § 61) och låst. För att ändra "
        "den måste någon som får fastställa öppna rapporten för rättelse"
    )

    def sida(namn, *args):
        return BeautifulSoup(client.get(reverse(namn, args=[v.nämnd.pk, *args])).content, "html.parser")

    låst, öppen = sida("månadsuppföljning", LÅST_ÅR, 8), sida("månadsuppföljning", LÅST_ÅR, 9)
    assert text in låst.get_text(" ", strip=True) and text not in öppen.get_text(" ", strip=True)
    assert all(i.has_attr("readonly") for i in låst.select("#grid input[type=text]"))
    assert not any(i.has_attr("readonly") for i in öppen.select("#grid input[type=text]"))
    assert låst.find("button", value="spara") is None and öppen.find("button", value="spara") is not None
    månader = {
        tr.find("th").get_text(strip=True): tr.get_text(" ", strip=True)
        for tr in sida("månader", LÅST_ÅR).select("tbody tr")
    }
    assert "Fastställd" in månader[f"Augusti {LÅST_ÅR}"] and "Öppen" in månader[f"September {LÅST_ÅR}"]
    for namn, args in [
        ("texter", (LÅST_ÅR, "delårsrapport")),
        ("mal-inmatning", (LÅST_ÅR, "delårsrapport")),
        ("indikatorer-inmatning", (LÅST_ÅR,)),
        ("volymer-inmatning", (LÅST_ÅR,)),
    ]:
        assert text in sida(namn, *args).get_text(" ", strip=True), namn
    for namn, args in [("texter", (LÅST_ÅR, "tertialrapport")), ("indikatorer-inmatning", (ÖPPET_ÅR,))]:
        assert "fastställd" not in sida(namn, *args).get_text(" ", strip=True), namn
