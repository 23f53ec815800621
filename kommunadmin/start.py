"""A new kommun from empty to its first report: the installation's "Ny kommun" (kommun + first administrator in
one transaction), the new kommun's checklist (status per step, read in a few queries) and the kommun's users and
roles (add, change, remove a Behörighet) for its administrators.

Account rules are those of the admin (``nämnd.admin_anvandare``): an existing account is linked to this kommun
only when every Behörighet it has lies in kommuner the requester administers (``får_ändra_användare``). Changes
to users and Behörigheter are written to Django's admin log (``LogEntry``) on the user's account, so the admin's
user history shows who gave whom which role. Decisions: docs/beslut.md ("Ny kommun och checklistan").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ekonomi.models import Budgetpost, Kostnadsslag, Utfall
from inloggning.backend import oidc_konfigurerad
from inloggning.models import Inloggningsregel
from nyckeltal.services import standardskala
from nämnd.admin_anvandare import får_ändra_användare
from nämnd.behorighet import kräv_admin
from nämnd.models import (
    STANDARDRAPPORTER,
    Behörighet,
    Kommun,
    Nämnd,
    Rapportlås,
    Rapporttillfälle,
    Rapporttyp,
    Verksamhetsområde,
)
from rapporter import forval, layouter
from rapporter.models import Rapportlayout

User = get_user_model()
Roll = Behörighet.Roll

KLART, DELVIS, INTE_PÅBÖRJAT = "klart", "delvis", "inte påbörjat"


# --- Ny kommun ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Konto:
    """A user account to create (``lösenord`` None: no usable password — login through the kommun's identity
    provider, matched on e-post)."""

    användarnamn: str
    förnamn: str = ""
    efternamn: str = ""
    epost: str = ""
    lösenord: str | None = None


@dataclass(frozen=True)
class NyKommun:
    namn: str
    kommunkod: str
    organisationsnummer: str = ""
    beloppsenhet: str = Kommun.Beloppsenhet.TKR
    kostnader_negativa: bool = False
    standardinställningar: bool = True  # report occasions and the standard preset layouts


def _kräv_lösenord_eller_sso(konto: Konto) -> None:
    if konto.lösenord:
        return
    if not oidc_konfigurerad():
        raise ValidationError({"lösenord1": "Ange ett lösenord för den nya användaren."})
    if not konto.epost:
        raise ValidationError(
            {"epost": "Ange e-post: utan lösenord loggar användaren in med kommunens konto, som kopplas via e-post."}
        )


def _skapa_konto(konto: Konto, roll: str):
    if User.objects.filter(username__iexact=konto.användarnamn).exists():
        raise ValidationError({"användarnamn": f"Användarnamnet {konto.användarnamn} är upptaget."})
    _kräv_lösenord_eller_sso(konto)
    # Staff as in the demo: administrators and controllers reach the kommun's scoped pages in /admin/.
    user = User(
        username=konto.användarnamn,
        first_name=konto.förnamn,
        last_name=konto.efternamn,
        email=konto.epost,
        is_staff=roll in (Roll.ADMIN, Roll.CONTROLLER),
    )
    if konto.lösenord:
        user.set_password(konto.lösenord)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _logga(av, user, flagga: int, text: str) -> None:
    LogEntry.objects.log_actions(av.pk, [user], flagga, change_message=text, single_object=True)


def _rättigheter(b: Behörighet) -> str:
    delar = [b.get_roll_display()]
    if b.roll == Roll.CONTROLLER:
        delar.append("nämnder: " + (", ".join(n.namn for n in b.nämnder.all()) or "inga"))
    delar += [t for t, på in (("får importera", b.får_importera), ("får fastställa", b.får_fastställa)) if på]
    return ", ".join(delar)


@transaction.atomic
def skapa_kommun(av, data: NyKommun, konto: Konto) -> tuple[Kommun, Any]:
    """The kommun and its first administrator (får importera and får fastställa), all or nothing. Superusers only.
    With ``standardinställningar`` the kommun also gets its report occasions (the standard reports at their
    standard months) and the standard preset layouts, so its first delårsrapport renders as soon as it has an
    organisation and figures. Periods are not created: a month's Period row is made when it is first closed."""
    if not getattr(av, "is_superuser", False):
        raise PermissionDenied("Bara installationens superanvändare kan lägga upp en ny kommun.")
    fel = {}
    if Kommun.objects.filter(kommunkod=data.kommunkod).exists():
        fel["kommunkod"] = f"Kommunkoden {data.kommunkod} används redan av en annan kommun."
    if Kommun.objects.filter(namn__iexact=data.namn).exists():
        fel["namn"] = f"Det finns redan en kommun som heter {data.namn}."
    if fel:
        raise ValidationError(fel)
    kommun = Kommun(
        namn=data.namn,
        kommunkod=data.kommunkod,
        organisationsnummer=data.organisationsnummer,
        beloppsenhet=data.beloppsenhet,
        kostnader_negativa=data.kostnader_negativa,
    )
    kommun.full_clean()
    kommun.save()
    standardskala(kommun)
    user = _skapa_konto(konto, Roll.ADMIN)
    b = Behörighet.objects.create(user=user, kommun=kommun, roll=Roll.ADMIN, får_importera=True, får_fastställa=True)
    if data.standardinställningar:
        Rapporttillfälle.objects.bulk_create(
            Rapporttillfälle(kommun=kommun, rapporttyp=t, används=t in STANDARDRAPPORTER) for t in Rapporttyp.values
        )
        layouter.tillämpa_förval(av, kommun, forval.STANDARD)
    _logga(av, user, ADDITION, f"Ny kommun {kommun.namn}; behörighet: {_rättigheter(b)}")
    return kommun, user


# --- users and roles ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rättigheter:
    roll: str
    nämnd_ids: Sequence[int] = ()
    får_importera: bool = False
    får_fastställa: bool = False


def användare_i(kommun: Kommun) -> list[Behörighet]:
    """The kommun's Behörigheter with user and nämnder, by username. Two queries."""
    return list(
        Behörighet.objects.filter(kommun=kommun)
        .select_related("user")
        .prefetch_related("nämnder")
        .order_by("user__username")
    )


def kommunens_nämnder(kommun: Kommun) -> list[Nämnd]:
    return list(Nämnd.objects.filter(kommun=kommun).order_by("giltig_från", "namn"))


def behörighet_för(av, kommun: Kommun, behörighet_id: int) -> Behörighet:
    """A Behörighet of ``kommun`` (404 for any other id); the requester must administer the kommun (403)."""
    kräv_admin(av, kommun)
    return get_object_or_404(
        Behörighet.objects.select_related("user").prefetch_related("nämnder"), kommun=kommun, pk=behörighet_id
    )


def _sätt(b: Behörighet, r: Rättigheter) -> None:
    if r.roll not in Roll.values:
        raise ValidationError({"roll": "Välj en roll."})
    nämnder = list(Nämnd.objects.filter(kommun=b.kommun, pk__in=list(r.nämnd_ids)))
    if len(nämnder) != len(set(r.nämnd_ids)):
        raise ValidationError({"nämnder": "Välj bland kommunens egna nämnder."})
    b.roll, b.får_importera, b.får_fastställa = r.roll, r.får_importera, r.får_fastställa
    b.save()
    b.nämnder.set(nämnder if r.roll == Roll.CONTROLLER else [])


def _sista_admin(b: Behörighet) -> bool:
    return (
        b.roll == Roll.ADMIN
        and not Behörighet.objects.filter(kommun=b.kommun, roll=Roll.ADMIN).exclude(pk=b.pk).exists()
    )


@transaction.atomic
def lägg_till_användare(av, kommun: Kommun, konto: Konto, r: Rättigheter) -> Behörighet:
    """A new account with a Behörighet in ``kommun``, or an existing account (same username) linked to it — only
    when every Behörighet that account has lies in kommuner ``av`` administers (the admin's rule); an existing
    account's name, e-post and password are left as they are."""
    kräv_admin(av, kommun)
    befintlig = User.objects.filter(username__iexact=konto.användarnamn).first()
    if befintlig is None:
        user = _skapa_konto(konto, r.roll)
    else:
        if Behörighet.objects.filter(user=befintlig, kommun=kommun).exists():
            raise ValidationError({"användarnamn": f"{befintlig.username} har redan en behörighet i {kommun.namn}."})
        if not får_ändra_användare(av, befintlig):
            raise ValidationError(
                {
                    "användarnamn": f"Användarnamnet {konto.användarnamn} är upptaget av ett konto som har behörighet i "
                    "en kommun som du inte administrerar. Välj ett annat användarnamn."
                }
            )
        user = befintlig
    b = Behörighet(user=user, kommun=kommun)
    _sätt(b, r)
    _logga(av, user, ADDITION if befintlig is None else CHANGE, f"Behörighet i {kommun.namn}: {_rättigheter(b)}")
    return b


@transaction.atomic
def ändra_behörighet(av, b: Behörighet, r: Rättigheter) -> Behörighet:
    kräv_admin(av, b.kommun_id)
    b = Behörighet.objects.select_for_update().select_related("kommun", "user").get(pk=b.pk)
    if r.roll != Roll.ADMIN and _sista_admin(b):
        raise ValidationError({"roll": "Kommunen måste ha minst en administratör."})
    före = _rättigheter(b)
    _sätt(b, r)
    _logga(av, b.user, CHANGE, f"Behörighet i {b.kommun.namn}: {före} → {_rättigheter(b)}")
    return b


@transaction.atomic
def ta_bort_behörighet(av, b: Behörighet) -> None:
    """Removes the kommun's Behörighet; the account stays (it may have roles elsewhere; a superuser deletes
    accounts)."""
    kräv_admin(av, b.kommun_id)
    b = Behörighet.objects.select_for_update().select_related("kommun", "user").get(pk=b.pk)
    if _sista_admin(b):
        raise ValidationError("Kommunens sista administratör kan inte tas bort.")
    text = f"Behörighet i {b.kommun.namn} borttagen (var: {_rättigheter(b)})"
    b.delete()
    _logga(av, b.user, CHANGE, text)  # the account itself is not deleted


# --- the checklist ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Länk:
    text: str
    url: str


@dataclass(frozen=True)
class Steg:
    nyckel: str
    rubrik: str
    status: str  # KLART / DELVIS / INTE_PÅBÖRJAT
    detalj: str
    länkar: tuple[Länk, ...]

    @property
    def klart(self) -> bool:
        return self.status == KLART


@dataclass(frozen=True)
class Checklista:
    kommun: Kommun
    år: int
    steg: tuple[Steg, ...]

    @property
    def klar(self) -> bool:
        return all(s.klart for s in self.steg)

    @property
    def antal_klara(self) -> int:
        return sum(s.klart for s in self.steg)


def _url(namn: str, args, reserv: str, reserv_args=()) -> str:
    """``namn`` if it is in the URLconf (pages other helpers add), else the admin page ``reserv``."""
    try:
        return reverse(namn, args=args)
    except NoReverseMatch:
        return reverse(reserv, args=reserv_args)


def _status(klara: int, alla: int) -> str:
    if alla and klara >= alla:
        return KLART
    return DELVIS if klara else INTE_PÅBÖRJAT


def _antal(qs, grupp: str) -> Coalesce:
    """A correlated count of ``qs`` (filtered on ``OuterRef``) inside one annotated query."""
    räknat = qs.order_by().values(grupp).annotate(c=Count("pk")).values("c")[:1]
    return Coalesce(Subquery(räknat, output_field=IntegerField()), 0)


def checklista(kommun: Kommun, år: int | None = None) -> Checklista:
    """The new kommun's steps with status, counts and links. Three queries (four without ``år``): the kommun with
    its counts, its nämnder with budget and utfall for ``år``, and its verksamhetsområden. ``år`` defaults to the
    latest year with budget or utfall in the kommun (a kommun may start with last year's files), but not later than
    this year (next year's budget is made before this year's report)."""
    i_år = timezone.localdate().year
    år = år or min(senaste_år(kommun) or i_år, i_år)
    k = OuterRef("pk")
    fakta = (
        Kommun.objects.filter(pk=kommun.pk)
        .annotate(
            a_kostnadsslag=_antal(Kostnadsslag.objects.filter(kommun=k), "kommun"),
            a_admins=_antal(Behörighet.objects.filter(kommun=k, roll=Roll.ADMIN), "kommun"),
            a_controllers=_antal(Behörighet.objects.filter(kommun=k, roll=Roll.CONTROLLER), "kommun"),
            a_läsare=_antal(Behörighet.objects.filter(kommun=k, roll=Roll.LÄSARE), "kommun"),
            a_utan_nämnd=_antal(
                Behörighet.objects.filter(kommun=k, roll=Roll.CONTROLLER, nämnder__isnull=True), "kommun"
            ),
            a_regler=_antal(Inloggningsregel.objects.filter(kommun=k), "kommun"),
            a_tillfälle=Exists(Rapporttillfälle.objects.filter(kommun=k, rapporttyp=Rapporttyp.DELÅRSRAPPORT)),
            a_layout=Exists(Rapportlayout.objects.filter(kommun=k, rapporttyp=Rapporttyp.DELÅRSRAPPORT)),
            a_fastställd=Exists(Rapportlås.objects.filter(nämnd__kommun=k)),
        )
        .values()
        .get()
    )
    n = OuterRef("pk")
    nämnder = list(
        Nämnd.objects.filter(kommun=kommun)
        .filter(
            Q(giltig_till__isnull=True) | Q(giltig_till__gte=dt.date(år, 1, 1)), giltig_från__lte=dt.date(år, 12, 31)
        )
        .annotate(
            har_budget=Exists(Budgetpost.objects.filter(verksamhetsområde__nämnd=n, år=år)),
            har_utfall=Exists(Utfall.objects.filter(verksamhetsområde__nämnd=n, år=år)),
        )
        .order_by("giltig_från", "namn")
    )
    områden = list(
        Verksamhetsområde.objects.filter(nämnd__kommun=kommun).values(
            "id", "förälder_id", "ej_fördelat", "ansvarskoder", "verksamhetskoder"
        )
    )
    steg = (
        _organisation(kommun, fakta, nämnder, områden),
        _användare(kommun, fakta),
        _inställningar(kommun, fakta),
        _layout(kommun, fakta),
        _budget(nämnder, år),
        _utfall(nämnder, år),
        _rapport(kommun, fakta, nämnder, år),
    )
    return Checklista(kommun, år, steg)


def senaste_år(kommun: Kommun) -> int | None:
    """The latest year with budget or utfall in the kommun. One query."""
    budget = Budgetpost.objects.filter(verksamhetsområde__nämnd__kommun=kommun).order_by("-år").values("år")[:1]
    utfall = Utfall.objects.filter(verksamhetsområde__nämnd__kommun=kommun).order_by("-år").values("år")[:1]
    år = Kommun.objects.filter(pk=kommun.pk).annotate(b=Subquery(budget), u=Subquery(utfall)).values("b", "u").get()
    return max((v for v in år.values() if v is not None), default=None)


def _organisation(kommun, fakta, nämnder, områden) -> Steg:
    föräldrar = {o["förälder_id"] for o in områden}
    # Areas that receive amounts: leaves other than "Ej fördelat"; they need an ansvar or verksamhet code.
    löv = [o for o in områden if o["id"] not in föräldrar and not o["ej_fördelat"]]
    kodade = sum(bool(o["ansvarskoder"] or o["verksamhetskoder"]) for o in löv)
    if not nämnder and not områden:
        status = INTE_PÅBÖRJAT
    else:
        status = KLART if nämnder and löv and kodade == len(löv) else DELVIS
    detalj = (
        f"{len(nämnder)} nämnder, {len(områden)} verksamhetsområden ({kodade} av {len(löv)} med ansvars- eller "
        f"verksamhetskoder), {fakta['a_kostnadsslag']} kostnadsslag."
    )
    url = _url("import-organisation", [kommun.pk], "admin:nämnd_verksamhetsområde_changelist")
    return Steg("organisation", "Organisation", status, detalj, (Länk("Importera organisationen", url),))


def _användare(kommun, fakta) -> Steg:
    andra = fakta["a_controllers"] + fakta["a_läsare"]
    if fakta["a_regler"]:
        status = KLART
    elif andra:
        status = DELVIS if fakta["a_utan_nämnd"] else KLART
    else:
        status = INTE_PÅBÖRJAT
    detalj = (
        f"Administratörer: {fakta['a_admins']}, controller: {fakta['a_controllers']}, läsare: {fakta['a_läsare']}"
        + (f" ({fakta['a_utan_nämnd']} controller utan nämnd)" if fakta["a_utan_nämnd"] else "")
        + (f", inloggningsregler: {fakta['a_regler']}" if fakta["a_regler"] else "")
        + "."
    )
    länkar = [Länk("Användare och roller", reverse("kommun-anvandare", args=[kommun.pk]))]
    if oidc_konfigurerad():
        länkar.append(
            Länk("Inloggningsregler (kommunens konto)", reverse("admin:inloggning_inloggningsregel_changelist"))
        )
    return Steg("användare", "Användare och roller", status, detalj, tuple(länkar))


def _inställningar(kommun, fakta) -> Steg:
    enhet = "mnkr" if kommun.beloppsenhet == Kommun.Beloppsenhet.MNKR else "tkr"
    tecken = "kostnader negativa" if kommun.kostnader_negativa else "kostnader positiva"
    detalj = f"Belopp i {enhet}, {tecken}." + ("" if fakta["a_tillfälle"] else " Rapporttillfällena är inte valda.")
    url = _url("kommun-installningar", [kommun.pk], "admin:nämnd_kommun_change", [kommun.pk])
    return Steg(
        "inställningar",
        "Kommunens inställningar",
        KLART if fakta["a_tillfälle"] else INTE_PÅBÖRJAT,
        detalj,
        (Länk("Inställningar", url), Länk("Rapporttillfällen", reverse("layout-tillfällen", args=[kommun.pk]))),
    )


def _layout(kommun, fakta) -> Steg:
    detalj = (
        "Delårsrapportens layout är sparad." if fakta["a_layout"] else "Ingen egen layout: rapporten använder förvalet."
    )
    url = reverse("layout", args=[kommun.pk, Rapporttyp.DELÅRSRAPPORT])
    return Steg(
        "layout",
        "Rapportlayout",
        KLART if fakta["a_layout"] else INTE_PÅBÖRJAT,
        detalj,
        (Länk("Delårsrapportens layout", url),),
    )


def _budget(nämnder, år) -> Steg:
    klara = sum(n.har_budget for n in nämnder)
    länkar = tuple(
        Länk(f"{text} – {n.namn}", reverse("mallimport-ladda-upp", args=[n.pk, typ]))
        for n in nämnder
        for typ, text in (("budget", "Budget"), ("budgetkonto", "Budget per ansvar och konto"))
    )
    return Steg(
        "budget",
        f"Budget {år}",
        _status(klara, len(nämnder)),
        f"{klara} av {len(nämnder)} nämnder har budget {år}.",
        länkar,
    )


def _utfall(nämnder, år) -> Steg:
    klara = sum(n.har_utfall for n in nämnder)
    # The helårsprognos (per ansvar, the prognostillfälle chosen on upload) follows the utfall of the same months.
    länkar = tuple(
        Länk(text, url)
        for n in nämnder
        for text, url in (
            (f"Importera utfall – {n.namn}", reverse("import-utfall", args=[n.pk])),
            (f"Helårsprognos – {n.namn}", reverse("mallimport-ladda-upp", args=[n.pk, "prognos"])),
        )
    )
    return Steg(
        "utfall",
        "Första utfallsimporten",
        _status(klara, len(nämnder)),
        f"{klara} av {len(nämnder)} nämnder har utfall {år}.",
        länkar,
    )


def _rapport(kommun, fakta, nämnder, år) -> Steg:
    if fakta["a_fastställd"]:
        status, detalj = KLART, "Kommunen har en fastställd rapport."
    elif any(n.har_utfall for n in nämnder):
        status, detalj = DELVIS, "Rapporten kan visas; den är inte fastställd."
    else:
        status, detalj = INTE_PÅBÖRJAT, "Rapporten byggs när organisation, budget och utfall finns."
    länkar = tuple(
        Länk(f"Delårsrapport {år} – {n.namn}", reverse("rapport", args=[n.pk, år, Rapporttyp.DELÅRSRAPPORT]))
        for n in nämnder
    )
    return Steg("rapport", "Första rapporten", status, detalj, länkar)


def ofullständiga_kommuner(user) -> list[Checklista]:
    """The checklists of the kommuner ``user`` administers (not as superuser) that are not complete yet, for the
    start page."""
    if not getattr(user, "is_authenticated", False):
        return []
    kommuner = Kommun.objects.filter(behörigheter__user=user, behörigheter__roll=Roll.ADMIN).order_by("namn")
    return [c for c in (checklista(k) for k in kommuner) if not c.klar]


def kommun_för_admin(user, kommun_id: int) -> Kommun:
    """The kommun if the user may read it (else 404) and administers it (else 403)."""
    kommun = layouter.kommun_för(user, kommun_id)
    kräv_admin(user, kommun)
    return kommun
