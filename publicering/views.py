"""Adoption pages (logged in) and the public pages (no login): published reports and the
tillgänglighetsredogörelse. Nothing else is public."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nämnd.behorighet import kan_fastställa, kan_redigera
from nämnd.models import Rapporttyp
from nämnd.vakt import Slag, Ändring, spärr_för
from rapporter.selectors import nämnd_för

from . import selectors, services, tidplan
from .forms import FastställForm, TidplanForm, ÅteröppnaForm
from .models import Rapportversion, Rapportärende


def _ärende(request, nämnd_id: int, år: int, typ: str) -> Rapportärende:
    if typ not in Rapporttyp.values:
        raise Http404("Okänd rapporttyp.")
    nämnd = nämnd_för(request.user, nämnd_id)
    if not kan_redigera(request.user, nämnd):
        raise PermissionDenied("Du har inte behörighet att hantera rapporten.")
    return services.ärende_för(nämnd, år, typ)


def ärende(request, nämnd_id: int, år: int, typ: str):
    """Status, pre-publish findings with links, checklist, fastställande and versions of one report."""
    ä = _ärende(request, nämnd_id, år, typ)
    inställning = services.inställning(ä.nämnd.kommun)
    return render(
        request,
        "publicering/arende.html",
        {
            "ärende": ä,
            "fynd": services.granska(request.user, ä),
            "inställning": inställning,
            "checklista": [(p, ä.checklista.get(p, False)) for p in inställning.checklistpunkter],
            "versioner": selectors.versioner(ä),
            "tidplan": tidplan.sammanfattning(ä),
            "kan_fastställa": kan_fastställa(request.user, ä.nämnd),
            "fastställ_form": FastställForm(),
            "återöppna_form": ÅteröppnaForm(),
        },
    )


@require_POST
def åtgärd(request, nämnd_id: int, år: int, typ: str, åtgärd: str):
    ä = _ärende(request, nämnd_id, år, typ)
    try:
        if åtgärd == "checklista":
            services.bocka_av(
                request.user,
                ä,
                {p: p in request.POST.getlist("punkt") for p in services.inställning(ä.nämnd.kommun).checklistpunkter},
            )
            messages.success(request, "Checklistan är sparad.")
        elif åtgärd == "klar":
            services.markera_klar(request.user, ä)
            messages.success(request, "Rapporten är markerad som klar för granskning.")
        elif åtgärd == "faststall":
            form = FastställForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Ange sammanträdesdatum och paragraf.")
            v = services.fastställ(request.user, ä, form.cleaned_data["datum"], form.cleaned_data["paragraf"])
            messages.success(request, f"Rapporten är fastställd (version {v.nummer}) och arkiverad som PDF/A.")
        elif åtgärd == "ateroppna":
            services.återöppna(request.user, ä, request.POST.get("orsak", ""))
            messages.success(request, "Rapporten är öppnad för rättelse. Den fastställda versionen finns kvar.")
        elif åtgärd in ("publicera", "avpublicera"):
            services.publicera(request.user, ä, åtgärd == "publicera")
            messages.success(request, "Publiceringen är ändrad.")
        else:
            raise Http404("Okänd åtgärd.")
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    return redirect("rapportärende", nämnd_id, år, typ)


@require_http_methods(["GET", "HEAD", "POST"])
def tidplan_sida(request, nämnd_id: int, år: int, typ: str):
    """The report's tidplan: deadline, responsible person and klar per section (editors of the nämnd)."""
    ä = _ärende(request, nämnd_id, år, typ)
    rader = tidplan.rader(ä)
    spärr = spärr_för(request.user, ä.nämnd, Ändring(Slag.TEXT, ä.år, rapporttyp=ä.typ))
    låst = spärr is not None or ä.status == Rapportärende.Status.FASTSTÄLLD
    data = request.POST if request.method == "POST" else None
    form = TidplanForm(rader, tidplan.ansvariga(ä.nämnd), data, låst=låst)
    if request.method == "POST":
        if form.is_valid():
            try:
                antal = tidplan.spara(request.user, ä, form.ändringar())
            except ValidationError as e:
                for m in e.messages:
                    messages.error(request, m)
            else:
                messages.success(
                    request, f"Tidplanen är sparad ({antal} {'sektion' if antal == 1 else 'sektioner'} ändrade)."
                )
                return redirect("rapport-tidplan", nämnd_id, år, typ)
        else:
            messages.error(request, "Tidplanen sparades inte: rätta fälten som är markerade.")
    dag = tidplan.idag()
    return render(
        request,
        "publicering/tidplan.html",
        {
            "ärende": ä,
            "form": form,
            "rader": [(r, d, a, k, r.dagar_sen(dag)) for r, d, a, k in form.rader_med_fält()],
            "låst": låst,
            "spärr": spärr,
            "dagar_före": services.inställning(ä.nämnd.kommun).dagar_före,
        },
    )


@require_safe
def sena_sektioner(request, kommun_id: int):
    """What is late per nämnd in a kommun the user belongs to (another kommun's id: 404)."""
    kommun = selectors.kommun(request.user, kommun_id)
    dag = tidplan.idag()
    return render(
        request,
        "publicering/sena.html",
        {"kommun": kommun, "dag": dag, "per_nämnd": tidplan.sena(kommun, dag)},
    )


def _pdf_svar(request, version: Rapportversion) -> HttpResponse:
    """Shown in the browser (inline); ``?ladda_ner=1`` asks for a download (attachment)."""
    response = HttpResponse(bytes(version.pdf), content_type="application/pdf")
    ä = version.ärende
    namn = slugify(f"{ä.nämnd.kommun.namn} {ä.nämnd.namn} {ä.get_typ_display()} {ä.år} v{version.nummer}")
    response["Content-Disposition"] = content_disposition_header("ladda_ner" in request.GET, f"{namn}.pdf") or ""
    response["X-Checksum-SHA256"] = version.sha256
    return response


@require_safe
def version_pdf(request, version_id: int):
    """An archived version, exactly the bytes that were adopted (for logged-in readers of the kommun)."""
    return _pdf_svar(request, selectors.version(request.user, version_id))


# --- public -------------------------------------------------------------------------------------

# Decision (docs/beslut.md, "Publicerad version under rättelse"): while a report is open for rättelse, the adopted
# version stays public — it is what the nämnd adopted — with the notice "Rättelse pågår sedan <datum>: <skäl>" on
# the index and on every version's page. Once a corrected version is adopted it is the current one, and each
# earlier version is listed and marked as ersatt by the version after it.


def _ersatt_av(versioner: list[Rapportversion]) -> dict[int, Rapportversion]:
    """Version id → the version that replaced it (the next number), for one ärende's versions."""
    ordnade = sorted(versioner, key=lambda v: v.nummer)
    return {v.pk: nästa for v, nästa in itertools.pairwise(ordnade)}


def _rättelse(senaste: Rapportversion) -> Rapportversion | None:
    """The latest adopted version when the report is open for rättelse (reopened, no newer version yet)."""
    return senaste if senaste.återöppnad else None


@login_not_required
@require_safe
def publikt_index(request, kommunkod: str):
    kommun = selectors.publik_kommun(kommunkod)
    per_ärende: dict[int, list[Rapportversion]] = {}
    for v in selectors.publika_versioner(kommun):
        per_ärende.setdefault(v.ärende_id, []).append(v)
    grupper = []
    for lista in per_ärende.values():
        ä, ersatt = lista[0].ärende, _ersatt_av(lista)
        grupper.append(
            {
                "rubrik": f"{ä.nämnd.namn}: {ä.get_typ_display()} {ä.år}",
                "rättelse": _rättelse(lista[0]),
                "versioner": [(v, ersatt.get(v.pk)) for v in lista],
            }
        )
    return render(request, "publicering/publikt_index.html", {"kommun": kommun, "grupper": grupper})


@login_not_required
@require_safe
def publikt_rapport(request, kommunkod: str, version_id: int):
    version = selectors.publik_version(selectors.publik_kommun(kommunkod), version_id)
    alla = selectors.versioner_utan_arkiv(version.ärende)
    return render(
        request,
        "publicering/publikt_rapport.html",
        {
            "version": version,
            "kommun": version.ärende.nämnd.kommun,
            "senaste": alla[0],
            "ersatt_av": _ersatt_av(alla).get(version.pk),
            "rättelse": _rättelse(alla[0]),
        },
    )


@login_not_required
@require_safe
def publikt_pdf(request, kommunkod: str, version_id: int):
    return _pdf_svar(request, selectors.publik_version(selectors.publik_kommun(kommunkod), version_id))


@login_not_required
@require_safe
def tillgänglighet(request):
    return render(request, "publicering/tillganglighet.html")
