from django import forms


class FastställForm(forms.Form):
    datum = forms.DateField(label="Sammanträdesdatum", widget=forms.DateInput(attrs={"type": "date"}))
    paragraf = forms.CharField(label="Paragraf i protokollet", max_length=30, help_text="T.ex. § 87.")


class ÅteröppnaForm(forms.Form):
    orsak = forms.CharField(label="Skäl till rättelsen", widget=forms.Textarea(attrs={"rows": 3}))
