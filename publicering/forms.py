from django import forms

from .tidplan import Ändrad


class FastställForm(forms.Form):
    datum = forms.DateField(label="Sammanträdesdatum", widget=forms.DateInput(attrs={"type": "date"}))
    paragraf = forms.CharField(label="Paragraf i protokollet", max_length=30, help_text="T.ex. § 87.")


class ÅteröppnaForm(forms.Form):
    orsak = forms.CharField(label="Skäl till rättelsen", widget=forms.Textarea(attrs={"rows": 3}))


class Användarval(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class TidplanForm(forms.Form):
    """Deadline, responsible person and klar per section of the report (fields numbered by the section)."""

    def __init__(self, rader, ansvariga, *args, låst: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rader = rader
        for r in rader:
            p = r.plan
            self.fields[f"deadline_{r.nummer}"] = forms.DateField(
                label=f"Deadline för {r.rubrik}",
                required=False,
                initial=p.deadline if p else None,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                disabled=låst,
            )
            self.fields[f"ansvarig_{r.nummer}"] = Användarval(
                label=f"Ansvarig för {r.rubrik}",
                queryset=ansvariga,
                required=False,
                initial=p.ansvarig_id if p else None,
                empty_label="– ingen –",
                disabled=låst,
            )
            self.fields[f"klar_{r.nummer}"] = forms.BooleanField(
                label=f"{r.rubrik} är klar", required=False, initial=r.klar, disabled=låst
            )

    def rader_med_fält(self):
        """(row, deadline field, ansvarig field, klar field) per section, for the template."""
        return [
            (r, self[f"deadline_{r.nummer}"], self[f"ansvarig_{r.nummer}"], self[f"klar_{r.nummer}"])
            for r in self.rader
        ]

    def ändringar(self):
        d = self.cleaned_data
        return [
            Ändrad(
                r.rubrik,
                d.get(f"deadline_{r.nummer}"),
                a.pk if (a := d.get(f"ansvarig_{r.nummer}")) else None,
                bool(d.get(f"klar_{r.nummer}")),
            )
            for r in self.rader
        ]
