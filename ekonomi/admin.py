"""Admin: kostnadsslag, periodiseringsprofiler, budget, utfall, prognos, investeringar.

Scoping to the user's kommuner is done by ``nämnd.admin_scoping`` only.
"""

from django import forms
from django.contrib import admin
from django.db import models

from nämnd.admin_scoping import KommunScopedAdmin, KommunScopedTabularInline
from nämnd.admin_vakt import VaktadAdmin, VaktadInline
from nämnd.vakt import Slag, Ändring

from .models import (
    MÅNADER,
    MÅNADSFÄLT,
    Budgetpost,
    Investering,
    Investeringsprognos,
    Investeringsutgift,
    Kostnadsslag,
    Periodiseringsprofil,
    Prognos,
    Utfall,
)


@admin.register(Kostnadsslag)
class KostnadsslagAdmin(KommunScopedAdmin):
    list_display = ["namn", "kommun", "typ", "ordning", "konton"]
    list_editable = ["ordning"]
    list_filter = ["kommun", "typ"]
    list_select_related = ["kommun"]
    search_fields = ["namn", "konton"]


@admin.register(Periodiseringsprofil)
class PeriodiseringsprofilAdmin(KommunScopedAdmin):
    list_display = ["namn", "kommun", "standard", *MÅNADER]
    list_filter = ["kommun", "standard"]
    list_select_related = ["kommun"]
    search_fields = ["namn"]
    fieldsets = [
        (None, {"fields": ["kommun", "namn", "standard"]}),
        (
            "Månadsvikter",
            {
                "description": "Relativa vikter per månad; årsbudgeten fördelas i proportion till dem. "
                "1 i alla månader = jämn fördelning.",
                "fields": [tuple(MÅNADER[i : i + 4]) for i in range(0, 12, 4)],
            },
        ),
    ]


@admin.register(Budgetpost)
class BudgetpostAdmin(VaktadAdmin, KommunScopedAdmin):
    def vaktändringar(self, obj):
        slag = Slag.TILLÄGG if obj.slag == Budgetpost.Slag.TILLÄGG else Slag.BUDGET
        return obj.verksamhetsområde.nämnd, [Ändring(slag, obj.år)]

    list_display = ["verksamhetsområde", "verksamhetsområde__nämnd", "år", "slag", "kategori", "belopp", "kommentar"]
    list_filter = ["år", "slag", "kategori", "verksamhetsområde__nämnd__kommun", "verksamhetsområde__nämnd"]
    list_select_related = ["verksamhetsområde__nämnd", "profil"]
    search_fields = [
        "verksamhetsområde__namn",
        "verksamhetsområde__ansvarskoder",
        "verksamhetsområde__verksamhetskoder",
        "kommentar",
    ]
    autocomplete_fields = ["verksamhetsområde", "profil"]
    fieldsets = [
        (None, {"fields": ["verksamhetsområde", ("år", "slag", "kategori"), "belopp", "kommentar", "profil"]}),
        (
            "Exakta månadsbelopp (kr)",
            {
                "description": "Belopp för enskilda månader som ekonomisystemet periodiserat (t.ex. jan–aug). De "
                "lagras exakt och räknas på öret; tomma månader delar på resten av helåret enligt profilen, annars "
                "kommunens standardprofil, annars jämnt. Fylls alla tolv i ska de summera till helårsbeloppet.",
                "fields": [tuple(MÅNADSFÄLT[i : i + 4]) for i in range(0, 12, 4)],
            },
        ),
        ("Volym och peng", {"fields": [("volym", "peng")], "classes": ["collapse"]}),
    ]


@admin.register(Utfall)
class UtfallAdmin(VaktadAdmin, KommunScopedAdmin):
    def vaktändringar(self, obj):
        return obj.verksamhetsområde.nämnd, [Ändring(Slag.MÅNADSVÄRDE, obj.år, obj.månad)]

    list_display = [
        "verksamhetsområde",
        "verksamhetsområde__nämnd",
        "år",
        "månad",
        "kostnadsslag",
        "kategori",
        "belopp",
    ]
    list_filter = ["år", "månad", "verksamhetsområde__nämnd__kommun", "verksamhetsområde__nämnd", "kategori"]
    list_select_related = ["verksamhetsområde__nämnd", "kostnadsslag"]
    search_fields = [
        "verksamhetsområde__namn",
        "verksamhetsområde__ansvarskoder",
        "verksamhetsområde__verksamhetskoder",
    ]
    autocomplete_fields = ["verksamhetsområde", "kostnadsslag"]
    fields = ["verksamhetsområde", ("år", "månad"), ("kostnadsslag", "kategori"), "belopp"]


@admin.register(Prognos)
class PrognosAdmin(VaktadAdmin, KommunScopedAdmin):
    def vaktändringar(self, obj):
        return obj.verksamhetsområde.nämnd, [Ändring(Slag.PROGNOS, obj.år, obj.månad)]

    list_display = ["verksamhetsområde", "verksamhetsområde__nämnd", "år", "månad", "belopp", "kommentar"]
    list_filter = ["år", "månad", "verksamhetsområde__nämnd__kommun", "verksamhetsområde__nämnd"]
    list_select_related = ["verksamhetsområde__nämnd"]
    search_fields = ["verksamhetsområde__namn", "kommentar"]
    autocomplete_fields = ["verksamhetsområde"]
    fields = ["verksamhetsområde", ("år", "månad"), "belopp", "kommentar"]


def _utgift(obj):
    return obj.investering.nämnd, [Ändring(Slag.MÅNADSVÄRDE, obj.investering.år, obj.månad)]


def _investeringsprognos(obj):
    return obj.investering.nämnd, [Ändring(Slag.PROGNOS, obj.investering.år, obj.månad)]


class InvesteringsutgiftInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_utgift)
    model = Investeringsutgift
    fields = ["månad", "belopp"]
    extra = 0


class InvesteringsprognosInline(VaktadInline, KommunScopedTabularInline):
    vaktändringar = staticmethod(_investeringsprognos)
    model = Investeringsprognos
    fields = ["månad", "belopp", "kommentar"]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}


@admin.register(Investering)
class InvesteringAdmin(VaktadAdmin, KommunScopedAdmin):
    def vaktändringar(self, obj):
        return obj.nämnd, [Ändring(Slag.BUDGET, obj.år)]

    list_display = ["namn", "nämnd", "år", "projektnummer", "ordning", "kf_ram", "tillägg"]
    list_editable = ["ordning"]
    list_filter = ["år", "nämnd__kommun", "nämnd"]
    list_select_related = ["nämnd"]
    search_fields = ["namn", "projektnummer"]
    fieldsets = [
        (None, {"fields": ["nämnd", ("år", "ordning"), "namn", "projektnummer"]}),
        ("Investeringsram", {"fields": [("kf_ram", "tillägg"), "tillägg_kommentar"]}),
    ]
    inlines = [InvesteringsutgiftInline, InvesteringsprognosInline]


@admin.register(Investeringsutgift)
class InvesteringsutgiftAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_utgift)
    list_display = ["investering", "investering__nämnd", "månad", "belopp"]
    list_filter = ["investering__år", "månad", "investering__nämnd__kommun", "investering__nämnd"]
    list_select_related = ["investering__nämnd"]
    search_fields = ["investering__namn", "investering__projektnummer"]
    autocomplete_fields = ["investering"]


@admin.register(Investeringsprognos)
class InvesteringsprognosAdmin(VaktadAdmin, KommunScopedAdmin):
    vaktändringar = staticmethod(_investeringsprognos)
    list_display = ["investering", "investering__nämnd", "månad", "belopp", "kommentar"]
    list_filter = ["investering__år", "månad", "investering__nämnd__kommun", "investering__nämnd"]
    list_select_related = ["investering__nämnd"]
    search_fields = ["investering__namn", "investering__projektnummer", "kommentar"]
    autocomplete_fields = ["investering"]
