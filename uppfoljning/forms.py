"""Forms of the follow-up pages (uppfoljning): closing and reopening periods, and öppna nytt år."""

from __future__ import annotations

import hashlib
import json

from django import forms

from grund import manader
from nämnd.models import Verksamhetsområde

from .nytt_ar import BEHÅLL, ÅTGÄRDER, NyttOmråde, Åtgärd

# simple_history keeps the change reason in a CharField(100).
ORSAK_MAX = 100
MÅNADSVAL = [(m, f"{m:02d} {namn}") for m, namn in enumerate(manader.KORTA, start=1)]


class StängForm(forms.Form):
    DELÅR, HELÅR, MÅNAD = "delår", "helår", "månad"

    omfattning = forms.ChoiceField(
        label="Stäng",
        choices=[(MÅNAD, "Månad"), (DELÅR, "Delår (jan–aug)"), (HELÅR, "Helår (jan–dec)")],
    )
    månad = forms.TypedChoiceField(
        label="Månad", choices=[("", "–"), *MÅNADSVAL], coerce=int, required=False, empty_value=None
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("omfattning") == self.MÅNAD and not cleaned.get("månad"):
            self.add_error("månad", "Välj vilken månad som ska stängas.")
        return cleaned

    @property
    def månader(self) -> list[int]:
        omfattning = self.cleaned_data["omfattning"]
        if omfattning == self.DELÅR:
            return list(range(1, 9))
        if omfattning == self.HELÅR:
            return list(range(1, 13))
        return [self.cleaned_data["månad"]]


class ÖppnaForm(forms.Form):
    månader = forms.TypedMultipleChoiceField(
        label="Månader att öppna",
        choices=MÅNADSVAL,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Välj minst en stängd månad att öppna."},
    )
    orsak = forms.CharField(
        label="Orsak (sparas i historiken)",
        max_length=ORSAK_MAX,
        strip=True,
        error_messages={"required": "Ange varför perioden öppnas igen."},
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args, stängda: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if stängda is not None:
            self.fields["månader"].choices = [(m, n) for m, n in MÅNADSVAL if m in stängda]


def träd(områden: list[Verksamhetsområde]) -> list[Verksamhetsområde]:
    """Areas in tree order (parents before children, by ordning), each with ``djup`` set."""
    barn: dict[int | None, list[Verksamhetsområde]] = {}
    ids = {o.id for o in områden}
    for o in områden:
        barn.setdefault(o.förälder_id if o.förälder_id in ids else None, []).append(o)
    result = []

    def besök(förälder_id, djup):
        for o in sorted(barn.get(förälder_id, []), key=lambda o: (o.ordning, o.namn, o.id)):
            o.djup = djup
            result.append(o)
            besök(o.id, djup + 1)

    besök(None, 0)
    return result


class NyttÅrForm(forms.Form):
    """One row per area of the year (action, target, new name), a few new areas and the mål to carry over."""

    ANTAL_NYA = 3

    granskad = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, områden: list[Verksamhetsområde], mål=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.områden = träd(list(områden))
        self.mål = list(mål)
        indrag = {o.id: "\u00a0\u00a0" * o.djup for o in self.områden}
        nya_val = [(f"ny-{i}", f"Nytt område {i} (nedan)") for i in range(1, self.ANTAL_NYA + 1)]
        mål_val = (
            [("", "– välj –")]
            + [(str(o.id), f"{indrag[o.id]}{o.namn}") for o in self.områden if o.typ != Verksamhetsområde.Typ.BLOCK]
            + nya_val
        )
        for o in self.områden:
            self.fields[f"atgard_{o.id}"] = forms.ChoiceField(
                label=f"Åtgärd för {o.namn}", choices=ÅTGÄRDER, initial=BEHÅLL
            )
            self.fields[f"till_{o.id}"] = forms.ChoiceField(
                label=f"Flytta till / slå ihop med (för {o.namn})", choices=mål_val, required=False
            )
            self.fields[f"namn_{o.id}"] = forms.CharField(
                label=f"Nytt namn för {o.namn}", max_length=200, required=False
            )
        förälder_val = [("", "– överst i trädet –")] + [(str(o.id), f"{indrag[o.id]}{o.namn}") for o in self.områden]
        for i in range(1, self.ANTAL_NYA + 1):
            self.fields[f"ny{i}_namn"] = forms.CharField(
                label=f"Namn på nytt område {i}", max_length=200, required=False
            )
            self.fields[f"ny{i}_foralder"] = forms.ChoiceField(
                label=f"Ingår i (nytt område {i})",
                required=False,
                choices=förälder_val + [v for v in nya_val if v[0] != f"ny-{i}"],
            )
            self.fields[f"ny{i}_typ"] = forms.ChoiceField(
                label=f"Typ (nytt område {i})",
                choices=Verksamhetsområde.Typ.choices,
                initial=Verksamhetsområde.Typ.VERKSAMHET,
            )
        for m in self.mål:
            self.fields[f"mal_{m.id}"] = forms.BooleanField(label=m.namn, required=False, initial=True)

    # --- for the template ---

    def rader(self):
        for o in self.områden:
            yield o, self[f"atgard_{o.id}"], self[f"till_{o.id}"], self[f"namn_{o.id}"]

    def nya_rader(self):
        for i in range(1, self.ANTAL_NYA + 1):
            yield i, self[f"ny{i}_namn"], self[f"ny{i}_foralder"], self[f"ny{i}_typ"]

    def målrader(self):
        for m in self.mål:
            yield self[f"mal_{m.id}"]

    # --- for the service ---

    def mappning(self) -> dict[int, Åtgärd]:
        d = self.cleaned_data
        result = {}
        for o in self.områden:
            typ = d[f"atgard_{o.id}"]
            if typ != BEHÅLL:
                result[o.id] = Åtgärd(typ, d[f"till_{o.id}"] or None, d[f"namn_{o.id}"])
        return result

    def nya(self) -> list[NyttOmråde]:
        d = self.cleaned_data
        return [
            NyttOmråde(f"ny-{i}", d[f"ny{i}_namn"], d[f"ny{i}_foralder"] or None, d[f"ny{i}_typ"])
            for i in range(1, self.ANTAL_NYA + 1)
            if d[f"ny{i}_namn"].strip()
        ]

    def förläng_mål(self) -> list[int]:
        return [m.id for m in self.mål if self.cleaned_data[f"mal_{m.id}"]]

    def fingeravtryck(self) -> str:
        """A hash of the choices, so that "Bekräfta" only applies what the preview showed."""
        d = {k: v for k, v in self.cleaned_data.items() if k != "granskad"}
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:32]
