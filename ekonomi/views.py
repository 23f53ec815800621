"""Thin views for entering a month's figures: parse the request → form/selectors/services → render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from grund.manader import LÅNGA as MÅNADER_LÅNG
from grund.manader import spann
from nämnd.behorighet import kräv_redigering
from nämnd.selectors import nämnd_för
from nämnd.vakt import Slag, Vakt, Ändring

from . import selectors as sel
from .forms import (
    BYT_ENHET,
    ENHETSVAL,
    SPARA_ÄNDÅ,
    Gridram,
    Månadsformulär,
    giltig_enhet,
    gridvy,
    skrivskydd,
    ändrade_varningar,
)
from .rimlighet_underlag import utfall_samma_månad_fg
from .services import Konflikt, spara_månad

ENHET_I_SESSIONEN = "ekonomi.enhet"  # the unit the user types amounts in, remembered between pages


def _läsbar_nämnd(request, nämnd_id: int, år: int, månad: int | None = None):
    """The nämnd if the user may read it (else 404); 404 for impossible periods. A user who may only read sees
    the months and the grid read-only; every save asks ``kräv_redigering`` (403) and the edit guard."""
    nämnd = nämnd_för(request.user, nämnd_id)
    if not 2000 <= år <= 2100 or (månad is not None and not 1 <= månad <= 12):
        raise Http404("Ingen sådan period.")
    return nämnd


@require_safe
def månader(request, nämnd_id: int, år: int):
    """The months of a year with links into the grid: which have utfall and prognoser, which are closed."""
    nämnd = _läsbar_nämnd(request, nämnd_id, år)
    utfall, prognoser = sel.månader_med_värden(request.user, nämnd, år)
    vakt = Vakt.för(request.user, nämnd, år)
    rader = [
        {
            "månad": m,
            "namn": MÅNADER_LÅNG[m - 1],
            "utfall": utfall.get(m, 0),
            "prognoser": prognoser.get(m, 0),
            "spärr": vakt.spärr(Ändring(Slag.MÅNADSVÄRDE, år, m)),
        }
        for m in range(1, 13)
    ]
    return render(request, "ekonomi/manader.html", {"nämnd": nämnd, "år": år, "rader": rader})


def månadsuppföljning(request, nämnd_id: int, år: int, månad: int):
    """The month grid: GET shows it, POST saves it (all rows or none) and redirects back."""
    nämnd = _läsbar_nämnd(request, nämnd_id, år, månad)
    if request.method != "POST":
        return _visa(request, nämnd, år, månad, giltig_enhet(request.session.get(ENHET_I_SESSIONEN)))

    formulär = Månadsformulär(request.POST, månadsnamn=MÅNADER_LÅNG[månad - 1])
    request.session[ENHET_I_SESSIONEN] = formulär.önskad_enhet
    enhet = formulär.önskad_enhet
    if formulär.åtgärd == BYT_ENHET:  # saves nothing: also for a user who may only read
        formulär.is_valid()  # only to keep what was typed
        return _visa(request, nämnd, år, månad, enhet, formulär)
    förslag = request.POST.get("anvand_forslag", "")
    if förslag.isascii() and förslag.isdigit():  # "Använd" without JavaScript: the proposal typed in, nothing saved
        formulär.is_valid()  # only to keep what was typed
        return _visa(request, nämnd, år, månad, enhet, formulär, använd_förslag=int(förslag))
    rad = request.POST.get("anvand_kommentar", "")
    if rad.isascii() and rad.isdigit():  # "Använd förslaget" without JavaScript: saved as by Spara, with the draft
        data = _med_kommentarsförslag(request, nämnd, år, månad, int(rad))
        formulär = Månadsformulär(data, månadsnamn=MÅNADER_LÅNG[månad - 1])
    kräv_redigering(request.user, nämnd)
    if not formulär.is_valid():
        return _visa(request, nämnd, år, månad, enhet, formulär, fel_från_formulär=True)
    if formulär.åtgärd != SPARA_ÄNDÅ:
        grupper = sel.månadsuppföljning(request.user, nämnd, år, månad)
        fg = utfall_samma_månad_fg([r.id for g in grupper for r in g.rader], år, månad)
        ram = Gridram(år, månad, MÅNADER_LÅNG[månad - 1], utfall_fg=fg)
        if varningar := ändrade_varningar(grupper, formulär, ram):
            return _visa(request, nämnd, år, månad, enhet, formulär, varningar=varningar)
    try:
        sparat = spara_månad(request.user, nämnd, år, månad, formulär.gridrader)
    except Konflikt as e:
        return _visa(request, nämnd, år, månad, enhet, formulär, meddelande=e.messages[0], konflikter=e.rader)
    except ValidationError as e:  # PeriodStängd, unknown rows, utfall imported per kostnadsslag
        return _visa(request, nämnd, år, månad, enhet, formulär, meddelande=" ".join(e.messages))
    except IntegrityError:  # two first-time saves of the same cell at the same moment
        return _visa(
            request,
            nämnd,
            år,
            månad,
            enhet,
            formulär,
            meddelande=("Någon annan sparade samma rader samtidigt. Inget sparades. Ladda om sidan och försök igen."),
        )
    if sparat.skapade or sparat.ändrade or sparat.borttagna:
        messages.success(
            request, f"Sparat: {sparat.skapade} nya, {sparat.ändrade} ändrade, {sparat.borttagna} borttagna värden."
        )
    else:
        messages.info(request, "Inga ändringar att spara.")
    return redirect("månadsuppföljning", nämnd.id, år, månad)


def _med_kommentarsförslag(request, nämnd, år: int, månad: int, rad: int):
    """The posted grid with row ``rad``'s drafted comment (made from the stored figures) as its comment."""
    grupper = sel.månadsuppföljning(request.user, nämnd, år, månad)
    förslag = sel.kommentarsförslag(request.user, nämnd, år, månad, grupper).get(rad)
    data = request.POST.copy()
    if förslag is not None and förslag.text:
        data[f"r{rad}-kommentar"] = förslag.text
    return data


def _visa(
    request,
    nämnd,
    år: int,
    månad: int,
    enhet: str,
    formulär: Månadsformulär | None = None,
    *,
    fel_från_formulär: bool = False,
    meddelande: str = "",
    konflikter=(),
    varningar=None,
    använd_förslag: int | None = None,
):
    grupper = sel.månadsuppföljning(request.user, nämnd, år, månad)
    vakt = Vakt.för(request.user, nämnd, år)
    skydd = skrivskydd(vakt, Ändring(Slag.MÅNADSVÄRDE, år, månad), MÅNADER_LÅNG[månad - 1])
    kommun = nämnd.kommun
    ram = Gridram(
        år,
        månad,
        MÅNADER_LÅNG[månad - 1],
        kommun.avvikelsegräns_kr,
        kommun.avvikelsegräns_procent,
        skrivskyddad=skydd is not None,
        utfall_fg=utfall_samma_månad_fg([r.id for g in grupper for r in g.rader], år, månad),
    )
    grupper_vy, summa = gridvy(grupper, enhet, formulär, konflikter, ram, varningar, använd_förslag=använd_förslag)
    kommentarsförslag = sel.kommentarsförslag(request.user, nämnd, år, månad, grupper)
    for gv in grupper_vy:
        for rv in gv.rader:
            rv.kommentarsförslag = kommentarsförslag.get(rv.id)
    namn = {r.id: r.namn for g in grupper for r in g.rader}
    fel = formulär.fellista(namn) if fel_från_formulär and formulär else []
    varningslista = [
        {"text": f"{namn.get(vo, vo)}: {text}", "fält_id": f"r{vo}-{fält}"}
        for vo, per_fält in (varningar or {}).items()
        for fält, text in per_fält.items()
    ]
    föregående, nästa = (
        ((år, månad - 1) if månad > 1 else (år - 1, 12)),
        ((år, månad + 1) if månad < 12 else (år + 1, 1)),
    )
    context = {
        "nämnd": nämnd,
        "år": år,
        "månad": månad,
        "månadsnamn": MÅNADER_LÅNG[månad - 1],
        "enhet": enhet,
        "enhetsval": ENHETSVAL,
        "grupper": grupper_vy,
        "summa": summa,
        "period": spann(månad),
        "skydd": skydd,
        "stängd": skydd is not None,
        # plain decimals for manadsgrid.js ("" = that criterion is off), never localised
        "gräns_kr": f"{kommun.avvikelsegräns_kr:f}" if kommun.avvikelsegräns_kr else "",
        "gräns_procent": f"{kommun.avvikelsegräns_procent:f}" if kommun.avvikelsegräns_procent else "",
        "varningar": varningslista,
        "fel": fel,
        "meddelande": meddelande,
        "antal_fel": len(fel),
        "föregående": {
            "url": reverse("månadsuppföljning", args=[nämnd.id, *föregående]),
            "namn": f"{MÅNADER_LÅNG[föregående[1] - 1]} {föregående[0]}",
        },
        "nästa": {
            "url": reverse("månadsuppföljning", args=[nämnd.id, *nästa]),
            "namn": f"{MÅNADER_LÅNG[nästa[1] - 1]} {nästa[0]}",
        },
    }
    return render(request, "ekonomi/manadsuppfoljning.html", context)
