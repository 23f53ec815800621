"""Forms of the kommun settings page: plain Django forms built from the model fields (labels, choices and help
texts come from the models), with the limits the page enforces. Validation only; ``installningar`` saves."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from nämnd.models import Kommun
from publicering.models import Publiceringsinställning

from . import installningar


class PresentationForm(forms.ModelForm):
    class Meta:
        model = Kommun
        fields = installningar.KOMMUNFÄLT
        widgets = {"beloppsenhet": forms.RadioSelect}

    def __init__(self, *args, layoutlänk: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avvikelsegräns_kr"].widget.attrs["min"] = 0
        self.fields["avvikelsegräns_procent"].widget.attrs.update({"min": 0, "max": 100})
        self.fields[
            "beloppsenhet"
        ].help_text = "Kommunens standard. En rapportlayout kan välja en annan enhet för en enskild tabell."
        self.fields["kostnader_negativa"].help_text = (
            "Kommunens standard; endast presentation, lagrade belopp ändras inte. "
            "En rapportlayout kan välja tecken för en enskild tabell."
        )
        self.layoutlänk = layoutlänk

    def clean_avvikelsegräns_kr(self):
        v = self.cleaned_data["avvikelsegräns_kr"]
        if v is not None and v < 0:
            raise ValidationError("Avvikelsegränsen kan inte vara negativ.")
        return v

    def clean_avvikelsegräns_procent(self):
        v = self.cleaned_data["avvikelsegräns_procent"]
        if v is not None and not (0 <= v <= 100):
            raise ValidationError("Avvikelsegränsen i procent ska vara 0–100.")
        return v


class PubliceringForm(forms.ModelForm):
    class Meta:
        model = Publiceringsinställning
        fields = installningar.PUBLICERINGSFÄLT
        widgets = {"checklista_delår": forms.Textarea(attrs={"rows": 4})}


class LogotypForm(forms.Form):
    logotyp = forms.FileField(
        label="Ny logotyp",
        required=False,
        help_text=(
            f"PNG eller JPEG, högst {installningar.LOGOTYP_MAX_BYTE // 1024} kB och "
            f"{installningar.LOGOTYP_MAX_PX} × {installningar.LOGOTYP_MAX_PX} px. "
            "Bilden sparas om som PNG utan metadata."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    ta_bort = forms.BooleanField(label="Ta bort logotypen", required=False)

    def clean_logotyp(self):
        fil = self.cleaned_data.get("logotyp")
        if not fil:
            return None
        if fil.size > installningar.LOGOTYP_MAX_BYTE:
            raise ValidationError(
                f"Filen är för stor ({fil.size // 1024} kB). "
                f"Logotypen får vara högst {installningar.LOGOTYP_MAX_BYTE // 1024} kB."
            )
        return installningar.förbered_logotyp(fil.read())

    def clean(self):
        data = super().clean() or {}
        if data.get("logotyp") and data.get("ta_bort"):
            raise ValidationError("Välj antingen en ny logotyp eller att ta bort den, inte båda.")
        return data
