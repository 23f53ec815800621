"""Forms of "Ny kommun" and the users page. Format checks and passwords here; what needs the database (a kommunkod
or username taken, an account of another kommun) is the service's (``kommunadmin.start``)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from inloggning.backend import oidc_konfigurerad
from nämnd.models import Behörighet, Kommun

from .start import Konto, NyKommun, Rättigheter


class Kontofält(forms.Form):
    """Username, name, e-post and an initial password typed twice (optional when the installation uses the
    kommun's identity provider: the account then logs in through it, linked by e-post)."""

    användarnamn = forms.CharField(
        label="Användarnamn",
        max_length=150,
        validators=[
            RegexValidator(r"^[\w.@+-]+\Z", "Användarnamnet får bara innehålla bokstäver, siffror och @ . + - _.")
        ],
    )
    förnamn = forms.CharField(label="Förnamn", max_length=150, required=False)
    efternamn = forms.CharField(label="Efternamn", max_length=150, required=False)
    epost = forms.EmailField(label="E-post", required=False, error_messages={"invalid": "Ange en giltig e-postadress."})
    lösenord1 = forms.CharField(
        label="Första lösenord",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    lösenord2 = forms.CharField(
        label="Lösenordet igen",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hjälp = password_validators_help_text_html()
        if oidc_konfigurerad():
            hjälp = "Lämna tomt om användaren loggar in med kommunens konto (kopplas via e-post). " + hjälp
        self.fields["lösenord1"].help_text = hjälp

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        ett, två = cleaned.get("lösenord1") or "", cleaned.get("lösenord2") or ""
        if ett or två:
            if ett != två:
                self.add_error("lösenord2", "Lösenorden är inte lika.")
            elif "användarnamn" in cleaned:
                User = get_user_model()
                prov = User(
                    username=cleaned["användarnamn"],
                    first_name=cleaned.get("förnamn", ""),
                    last_name=cleaned.get("efternamn", ""),
                    email=cleaned.get("epost", ""),
                )
                try:
                    validate_password(ett, prov)
                except ValidationError as e:
                    self.add_error("lösenord1", e)
        return cleaned

    def konto(self) -> Konto:
        c = self.cleaned_data
        return Konto(c["användarnamn"], c["förnamn"], c["efternamn"], c["epost"], c["lösenord1"] or None)


class NyKommunForm(Kontofält):
    namn = forms.CharField(label="Kommunens namn", max_length=100)
    kommunkod = forms.CharField(
        label="Kommunkod",
        max_length=4,
        help_text="Fyra siffror (SCB/Kolada), t.ex. 0999.",
        validators=[RegexValidator(r"^\d{4}\Z", "Kommunkoden är fyra siffror.")],
    )
    organisationsnummer = forms.CharField(
        label="Organisationsnummer",
        max_length=11,
        required=False,
        help_text="NNNNNN-NNNN (valfritt).",
        validators=[RegexValidator(r"^\d{6}-\d{4}\Z", "Organisationsnummer skrivs NNNNNN-NNNN.")],
    )
    beloppsenhet = forms.ChoiceField(label="Belopp visas i", choices=Kommun.Beloppsenhet.choices)
    kostnader_negativa = forms.BooleanField(label="Kostnader visas som negativa tal", required=False)
    standardinställningar = forms.BooleanField(
        label="Lägg upp rapporttillfällen och förvalda rapportlayouter",
        required=False,
        initial=True,
        help_text="Standardrapporterna (verksamhetsplan, tertialrapport, delårsrapport per augusti, "
        "verksamhetsberättelse, månadsrapport) och förvalet Per verksamhetsområde. Kan ändras efteråt.",
    )

    field_order = [
        "namn", "kommunkod", "organisationsnummer", "beloppsenhet", "kostnader_negativa", "standardinställningar",
        "användarnamn", "förnamn", "efternamn", "epost", "lösenord1", "lösenord2",
    ]  # fmt: skip

    KOMMUNFÄLT = field_order[:6]

    def kommunfält(self):
        return [self[f] for f in self.KOMMUNFÄLT]

    def kontofält(self):
        return [self[f] for f in self.field_order[6:]]

    def ny_kommun(self) -> NyKommun:
        c = self.cleaned_data
        return NyKommun(
            c["namn"].strip(),
            c["kommunkod"],
            c["organisationsnummer"],
            c["beloppsenhet"],
            c["kostnader_negativa"],
            c["standardinställningar"],
        )


class RollForm(forms.Form):
    roll = forms.ChoiceField(label="Roll", choices=Behörighet.Roll.choices, initial=Behörighet.Roll.CONTROLLER)
    nämnder = forms.MultipleChoiceField(
        label="Nämnder (för controller)", required=False, widget=forms.CheckboxSelectMultiple
    )
    får_importera = forms.BooleanField(label="Får importera", required=False)
    får_fastställa = forms.BooleanField(label="Får fastställa", required=False)

    def __init__(self, *args, nämnder=(), **kwargs):
        super().__init__(*args, **kwargs)
        fält = cast(forms.MultipleChoiceField, self.fields["nämnder"])
        fält.choices = [(str(n.pk), str(n)) for n in nämnder]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("roll") == Behörighet.Roll.CONTROLLER and not cleaned.get("nämnder"):
            self.add_error("nämnder", "En controller behöver minst en nämnd.")
        return cleaned

    def rättigheter(self) -> Rättigheter:
        c = self.cleaned_data
        return Rättigheter(c["roll"], [int(i) for i in c["nämnder"]], c["får_importera"], c["får_fastställa"])

    @classmethod
    def från(cls, b: Behörighet, nämnder, data=None) -> RollForm:
        initial = {
            "roll": b.roll,
            "nämnder": [str(n.pk) for n in b.nämnder.all()],
            "får_importera": b.får_importera,
            "får_fastställa": b.får_fastställa,
        }
        return cls(data, initial=initial, nämnder=nämnder)


class NyAnvändareForm(Kontofält, RollForm):
    """One form: the account (new, or an existing username to link) and its role in the kommun."""

    field_order = [
        "användarnamn", "förnamn", "efternamn", "epost", "roll", "nämnder", "får_importera", "får_fastställa",
        "lösenord1", "lösenord2",
    ]  # fmt: skip

    def __init__(self, *args, nämnder=(), **kwargs):
        super().__init__(*args, nämnder=nämnder, **kwargs)
        self.fields["användarnamn"].help_text = (
            "Finns kontot redan (och har det bara behörigheter i kommuner du administrerar) kopplas det till kommunen; "
            "namn, e-post och lösenord lämnas då som de är."
        )
