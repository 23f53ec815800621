"""Admin: volymer och nyckeltal, mål, uppdrag, indikatorer, måluppfyllelse.

Scoping to the user's kommuner is done by ``nämnd.admin_scoping`` only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator

from nämnd.admin_scoping import KommunScopedAdmin, KommunScopedTabularInline
from nämnd.admin_vakt import VaktadAdmin, VaktadInline
from nämnd.behorighet import är_admin
from nämnd.models import Kommun
from nämnd.vakt import Slag, Ändring

from .bedomning import skalfel
from .models import (
    Bedömningsnivå,
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
from .services import standardskala, ändring_för_värde

# Tabular inlines with full-size textareas are unusable; keep them to a few rows.
KOMPAKT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}


# --- the edit guard (nämnd.vakt): what a figure row touches ---------------------------------------------------


def _nyckeltalsvärde(obj):
    return obj.nyckeltal.grupp.nämnd, [ändring_för_värde(obj.typ, obj.år, obj.månad)]


def _indikatorvärde(obj):
    return obj.indikator.mål.nämnd, [Ändring(Slag.ÅRSVÄRDE, obj.år)]


def _måluppfyllelse(obj):
    return obj.mål.nämnd, [Ändring(Slag.BEDÖMNING, obj.år, rapporttyp=obj.rapporttyp)]


def _uppdragsstatus(obj):
    return obj.uppdrag.mål.nämnd, [Ändring(Slag.BEDÖMNING, obj.år, rapporttyp=obj.rapporttyp)]


# --- volymer och nyckeltal ------------------------------------------------------------------------------------


class NyckeltalInline(KommunScopedTabularInline):
    model = Nyckeltal
    fields = ["namn", "enhet", "ordning", "förälder", "verksamhetsområde", "får_vara_negativ"]
    autocomplete_fields = ["förälder", "verksamhetsområde"]
    extra = 0
    show_change_link = True


@admin.register(Nyckeltalsgrupp)
class NyckeltalsgruppAdmin(KommunScopedAdmin):
    list_display = ["namn", "nämnd", "ordning"]
    list_editable = ["ordning"]
    list_filter = ["nämnd__kommun", "nämnd"]
    list_select_related = ["nämnd"]
    search_fields = ["namn"]
    inlines = [NyckeltalInline]


class NyckeltalsvärdeInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_nyckeltalsvärde)
    model = Nyckeltalsvärde
    fields = ["år", "typ", "månad", "värde"]
    extra = 1


@admin.register(Nyckeltal)
class NyckeltalAdmin(KommunScopedAdmin):
    list_display = ["namn", "grupp", "grupp__nämnd", "enhet", "ordning", "förälder", "verksamhetsområde"]
    list_editable = ["ordning"]
    list_filter = ["grupp__nämnd__kommun", "grupp__nämnd", "grupp", "enhet"]
    list_select_related = ["grupp__nämnd", "förälder", "verksamhetsområde"]
    search_fields = ["namn", "grupp__namn"]
    autocomplete_fields = ["grupp", "förälder", "verksamhetsområde"]
    fields = ["grupp", "förälder", "namn", ("enhet", "ordning"), "verksamhetsområde", "får_vara_negativ"]
    inlines = [NyckeltalsvärdeInline]


@admin.register(Nyckeltalsvärde)
class NyckeltalsvärdeAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_nyckeltalsvärde)
    list_display = ["nyckeltal", "nyckeltal__grupp", "år", "typ", "månad", "värde"]
    list_filter = [
        "år",
        "typ",
        "månad",
        "nyckeltal__grupp__nämnd__kommun",
        "nyckeltal__grupp__nämnd",
        "nyckeltal__grupp",
    ]
    list_select_related = ["nyckeltal__grupp"]
    search_fields = ["nyckeltal__namn", "nyckeltal__grupp__namn"]
    autocomplete_fields = ["nyckeltal"]


# --- mål, uppdrag, indikatorer --------------------------------------------------------------------------------


class UppdragInline(KommunScopedTabularInline):
    model = Uppdrag
    fields = ["text", "från_år", "till_år", "nivå", "ordning"]
    formfield_overrides = KOMPAKT_TEXT
    extra = 0
    show_change_link = True


class IndikatorInline(KommunScopedTabularInline):
    model = Indikator
    fields = ["namn", "kolada_id", "enhet", "riktning", "jämförelse", "målvärde", "ordning"]
    extra = 0
    show_change_link = True


class MåluppfyllelseInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_måluppfyllelse)
    model = Måluppfyllelse
    fields = ["år", "rapporttyp", "bedömning", "kommentar"]
    formfield_overrides = KOMPAKT_TEXT
    extra = 0


@admin.register(Mål)
class MålAdmin(KommunScopedAdmin):
    list_display = ["namn", "nivå", "nämnd", "förälder", "från_år", "till_år", "ordning"]
    list_editable = ["ordning"]
    list_filter = ["nämnd__kommun", "nämnd", "nivå", "från_år", "till_år"]
    list_select_related = ["nämnd", "förälder"]
    search_fields = ["namn", "beskrivning", "betyder_att"]
    autocomplete_fields = ["förälder"]
    fieldsets = [
        (None, {"fields": ["nämnd", ("nivå", "förälder"), "namn", "ordning", ("från_år", "till_år")]}),
        ("Beskrivning", {"fields": ["beskrivning", "betyder_att"]}),
    ]
    inlines = [UppdragInline, IndikatorInline, MåluppfyllelseInline]


class IndikatorvärdeInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_indikatorvärde)
    model = Indikatorvärde
    verbose_name_plural = "indikatorvärden per år"
    fields = ["år", "typ", "totalt", "kvinnor", "män", "källa"]
    extra = 1


@admin.register(Indikator)
class IndikatorAdmin(KommunScopedAdmin):
    list_display = ["namn", "mål", "kolada_id", "enhet", "riktning", "jämförelse", "målvärde", "ordning"]
    list_filter = ["mål__nämnd__kommun", "mål__nämnd", "riktning", "mål__från_år"]
    list_select_related = ["mål"]
    search_fields = ["namn", "kolada_id", "mål__namn"]
    autocomplete_fields = ["mål"]
    fieldsets = [
        (None, {"fields": ["mål", "namn", ("kolada_id", "enhet"), "ordning"]}),
        ("Målvärde", {"fields": ["riktning", ("jämförelse", "målvärde")]}),
    ]
    inlines = [IndikatorvärdeInline]


@admin.register(Indikatorvärde)
class IndikatorvärdeAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_indikatorvärde)
    list_display = ["indikator", "år", "typ", "totalt", "kvinnor", "män", "källa"]
    list_filter = ["år", "typ", "indikator__mål__nämnd__kommun", "indikator__mål__nämnd"]
    list_select_related = ["indikator"]
    search_fields = ["indikator__namn", "indikator__kolada_id", "källa"]
    autocomplete_fields = ["indikator"]


class UppdragsstatusInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_uppdragsstatus)
    model = Uppdragsstatus
    fields = ["år", "rapporttyp", "status", "kommentar"]
    formfield_overrides = KOMPAKT_TEXT
    extra = 1


@admin.register(Uppdrag)
class UppdragAdmin(KommunScopedAdmin):
    list_display = ["kort_text", "mål", "tidsperiod", "nivå", "ordning"]
    list_editable = ["ordning"]
    list_filter = ["mål__nämnd__kommun", "mål__nämnd", "från_år", "till_år", "nivå"]
    list_select_related = ["mål"]
    search_fields = ["text", "nivå", "mål__namn"]
    autocomplete_fields = ["mål"]
    fields = ["mål", "text", ("från_år", "till_år"), "nivå", "ordning"]
    inlines = [UppdragsstatusInline]

    @admin.display(description="uppdrag", ordering="text")
    def kort_text(self, obj):
        return Truncator(obj.text).chars(100)

    @admin.display(description="tidsperiod", ordering="från_år")
    def tidsperiod(self, obj):
        return obj.tidsperiod


@admin.register(Uppdragsstatus)
class UppdragsstatusAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_uppdragsstatus)
    list_display = ["uppdrag", "år", "rapporttyp", "status"]
    list_filter = ["år", "rapporttyp", "status", "uppdrag__mål__nämnd__kommun", "uppdrag__mål__nämnd"]
    list_select_related = ["uppdrag"]
    search_fields = ["uppdrag__text", "kommentar"]
    autocomplete_fields = ["uppdrag"]


@admin.register(Måluppfyllelse)
class MåluppfyllelseAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_måluppfyllelse)
    list_display = ["mål", "år", "rapporttyp", "bedömning"]
    list_filter = ["år", "rapporttyp", "bedömning", "mål__nämnd__kommun", "mål__nämnd"]
    list_select_related = ["mål"]
    search_fields = ["mål__namn", "kommentar"]
    autocomplete_fields = ["mål"]


# --- the kommun's bedömning scale: an inline on the Kommun admin ----------------------------------------------


class BedömningsskalaFormSet(BaseInlineFormSet):
    """The levels kept form a scale (2–4 levels, codes and words once each, distinct order), and no level whose
    code saved bedömningar use is removed or given a new code (its words may change)."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        kvar = sorted(
            (f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
            key=lambda d: d["ordning"],
        )
        fel = skalfel([(d["kod"], d["text"]) for d in kvar])
        ordningar = [d["ordning"] for d in kvar]
        if len(ordningar) != len(set(ordningar)):
            fel.append("Två nivåer har samma ordning; ge varje nivå en egen (1 = bäst).")
        tappade = {
            f.initial["kod"]
            for f in self.initial_forms
            if f.initial.get("kod") and (f.cleaned_data.get("DELETE") or f.cleaned_data.get("kod") != f.initial["kod"])
        } - {d["kod"] for d in kvar}
        if tappade and self.instance.pk:
            använda = sorted(
                set(
                    Måluppfyllelse.objects.filter(mål__nämnd__kommun=self.instance, bedömning__in=tappade)
                    .values_list("bedömning", flat=True)
                    .distinct()
                )
            )
            fel += [
                f"Koden ”{kod}” används av sparade bedömningar och kan inte tas bort eller bytas. "
                "Ändra nivåns text i stället."
                for kod in använda
            ]
        if fel:
            raise ValidationError(fel)


class BedömningsnivåInline(KommunScopedTabularInline):
    model = Bedömningsnivå
    formset = BedömningsskalaFormSet
    fields = ["ordning", "text", "kod"]
    verbose_name_plural = "bedömningsskala för måluppfyllelse (2–4 nivåer, ordning 1 = bäst)"
    extra = 0
    max_num = 4

    def _får_ändra(self, request, obj) -> bool:
        """Only the kommun's admins (and superusers) edit its scale."""
        return obj is None or är_admin(request.user, obj.pk)

    def has_add_permission(self, request, obj=None):
        return self._får_ändra(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._får_ändra(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._får_ändra(request, obj) and super().has_delete_permission(request, obj)


# nämnd (a lower layer) registers the Kommun admin and must not import nyckeltal: extend the registered admin
# (whatever class it is, so another app can extend it the same way) with the scale.
_RegistreradKommunAdmin = type(admin.site.get_model_admin(Kommun))


class KommunAdmin(_RegistreradKommunAdmin):  # type: ignore[valid-type,misc]
    inlines = [*_RegistreradKommunAdmin.inlines, BedömningsnivåInline]

    def get_inlines(self, request, obj):
        # A new kommun gets the standard scale when it is saved (save_related); its admin words it afterwards.
        inlines = super().get_inlines(request, obj)
        return inlines if obj is not None else [i for i in inlines if i is not BedömningsnivåInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            standardskala(form.instance)


admin.site.unregister(Kommun)
admin.site.register(Kommun, KommunAdmin)
