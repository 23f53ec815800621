"""Entry page for a report's narrative texts: one textarea per text section of the report (in
the kommun's layout), plus the nämnd's existing texts under other rubriker. Saving is one service call."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from nyckeltal.forms import INAKTUELL, Inmatningsformulär, sätt_låst
from nyckeltal.services import avtryck
from nyckeltal.sidor import inmatningsnämnd, sidkontext, spara_och_visa, spärrtext
from nämnd.models import Nämnd, Rapporttyp
from nämnd.vakt import Slag, Vakt, Ändring

from . import berattelse, selectors, services


@dataclass
class Textrad:
    rubrik: str
    sektion: bool  # the kommun's layout of the report has a text section with this rubrik
    sparad: tuple[int, str] | None = None  # (version, text)
    fält: object = None
    läst_fält: object = None
    förhandsvisning: str | None = None  # the posted text rendered (Förhandsgranska), sanitised HTML

    @property
    def nyckel(self) -> str:
        # Rows are keyed by rubrik (the Textavsnitt's identity), not by position: a section added or
        # removed while the page is open can't move a text to another rubrik.
        return "t" + avtryck(self.rubrik)[:12]


def textrader(nämnd: Nämnd, år: int, rapporttyp: str) -> list[Textrad]:
    """The report's text sections in order, then the nämnd's other texts for the report. Two queries."""
    sparade = selectors.textavsnitt_per_rubrik(nämnd, år, rapporttyp)
    rader, sedda = [], set()
    for rubrik in selectors.textsektioner(nämnd.kommun_id, rapporttyp, år):
        if rubrik not in sedda:
            sedda.add(rubrik)
            rader.append(Textrad(rubrik, True))
    rader += [Textrad(rubrik, False) for rubrik in sorted(set(sparade) - sedda)]
    for r in rader:
        if (t := sparade.get(r.rubrik)) is not None:
            r.sparad = (t.version, t.text)
    return rader


class Textformulär(Inmatningsformulär):
    def __init__(self, rader: list[Textrad], låst: bool, data=None):
        super().__init__(data=data)
        self.rader, self.låst_allt = rader, låst
        for r in rader:
            version, text = r.sparad or (None, "")
            self.fields[f"{r.nyckel}-text"] = forms.CharField(
                label=r.rubrik,
                required=False,
                initial=text,
                widget=forms.Textarea(attrs={"rows": 8, "cols": 80, "data-markdown": "1"}),
            )
            if låst:
                sätt_låst(self.fields[f"{r.nyckel}-text"])
            self.lägg_till_läst(r.nyckel, {"t": (version, avtryck(text))})
        for r in rader:
            r.fält, r.läst_fält = self[f"{r.nyckel}-text"], self[f"{r.nyckel}-laddat"]

    def ändringar(self) -> list[services.Textändring]:
        result = []
        for r in self.rader:
            läst = self.läst(r.nyckel)
            if läst is None:
                continue
            if "t" not in läst:
                raise ValidationError(INAKTUELL)
            version, före = läst["t"]
            result.append(services.Textändring(r.rubrik, self.cleaned_data[f"{r.nyckel}-text"], version, före))
        return result


@require_http_methods(["GET", "POST"])
def texter(request, nämnd_id: int, år: int, rapporttyp: str):
    nämnd = inmatningsnämnd(request, nämnd_id, år, rapporttyp)
    typ = Rapporttyp(rapporttyp)
    ändring = Ändring(Slag.TEXT, år, rapporttyp=typ)
    vakt = Vakt.för(request.user, nämnd, år)
    spärr = vakt.spärr(ändring)
    form = Textformulär(
        textrader(nämnd, år, typ), spärr is not None, data=request.POST if request.method == "POST" else None
    )
    förhandsgranska = request.method == "POST" and "förhandsgranska" in request.POST
    if förhandsgranska:  # render the posted texts, save nothing; the form keeps what was written
        for r in form.rader:
            skrivet = (r.sparad or (0, ""))[1] if form.låst_allt else request.POST.get(f"{r.nyckel}-text", "")
            numrering = berattelse.Numrering("", f"forhand-{r.nyckel}", r.rubrik)  # unique ids and labels
            r.förhandsvisning = berattelse.rendera(services.normalisera(skrivet), numrering)
    elif svar := spara_och_visa(
        request,
        form,
        lambda: services.spara_texter(request.user, nämnd, år, typ, form.ändringar()),
        "texter",
        nämnd.id,
        år,
        typ.value,
    ):
        return svar
    return render(
        request,
        "texter/texter.html",
        sidkontext(
            request,
            nämnd,
            år,
            f"Textavsnitt – {typ.label.lower()} {år}",
            form,
            rapporttyp=typ,
            låsning=spärrtext(
                [spärr] if spärr else [],
                år,
                [vakt.låsmånad(ändring)],
                f"texterna i {typ.label.lower()}en",
            ),
        ),
    )
