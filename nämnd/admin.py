"""Admin: kommun, nämnd, verksamhetsområde, period, behörighet. All scoping lives in ``admin_scoping``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from . import admin_anvandare
from .admin_scoping import KommunnamnAutocompleteView, KommunScopedAdmin, KommunScopedTabularInline
from .models import Behörighet, Kommun, Nämnd, Period, Verksamhetsområde

admin.site.site_header = "Socialrapport – administration"
admin.site.site_title = "Socialrapport"
admin.site.index_title = "Grunddata och rapportinnehåll"
# Autocomplete results name the kommun of nämnder and verksamhetsområden (admin_scoping.namnge_kommun).
admin.site.autocomplete_view = lambda request: KommunnamnAutocompleteView.as_view(admin_site=admin.site)(request)


@admin.register(Kommun)
class KommunAdmin(KommunScopedAdmin):
    list_display = ["namn", "kommunkod", "organisationsnummer", "beloppsenhet", "kostnader_negativa"]
    search_fields = ["namn", "kommunkod"]
    fieldsets = [
        (None, {"fields": ["namn", ("kommunkod", "organisationsnummer")]}),
        ("Presentation av belopp", {"fields": [("beloppsenhet", "kostnader_negativa")]}),
        ("Avvikelser", {"fields": [("avvikelsegräns_kr", "avvikelsegräns_procent")]}),
    ]

    def has_add_permission(self, request):
        # A new kommun is created by a superuser, who then gives users their Behörighet in it.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class NämndForm(forms.ModelForm):
    class Meta:
        model = Nämnd
        fields = ["kommun", "namn", "giltig_från", "giltig_till", "föregångare"]

    def clean(self):
        cleaned = super().clean()
        kommun = cleaned.get("kommun")
        föregångare = cleaned.get("föregångare")
        if kommun and föregångare:
            if any(n.kommun_id != kommun.pk for n in föregångare):
                self.add_error("föregångare", "En föregångare måste tillhöra samma kommun.")
            if self.instance.pk and any(n.pk == self.instance.pk for n in föregångare):
                self.add_error("föregångare", "En nämnd kan inte vara sin egen föregångare.")
        return cleaned


@admin.register(Nämnd)
class NämndAdmin(KommunScopedAdmin):
    form = NämndForm
    list_display = ["namn", "kommun", "giltig_från", "giltig_till"]
    list_filter = ["kommun", "giltig_till"]
    list_select_related = ["kommun"]
    search_fields = ["namn", "kommun__namn"]
    filter_horizontal = ["föregångare"]
    fields = ["kommun", "namn", ("giltig_från", "giltig_till"), "föregångare"]
    actions = ["öppna_nytt_år"]

    @admin.action(description="Öppna nytt år för vald nämnd …")
    def öppna_nytt_år(self, request, queryset):
        """To the page where the kommun's admin maps the verksamhetsområden into next year (uppfoljning/nytt_ar.py).
        The queryset is already scoped; the page itself checks the role again."""
        from django.shortcuts import redirect

        from .behorighet import är_admin

        if queryset.count() != 1:
            self.message_user(request, "Välj en nämnd.", level="warning")
            return None
        nämnd = queryset.get()
        if not är_admin(request.user, nämnd.kommun_id):
            self.message_user(request, "Endast kommunens administratörer kan öppna ett nytt år.", level="error")
            return None
        return redirect("nytt-år", nämnd.id, timezone.localdate().year)


class BarnFormSet(BaseInlineFormSet):
    """New child rows start with the parent's nämnd (a child must belong to the same nämnd)."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.instance.nämnd_id and (index is None or index >= self.initial_form_count()):
            kwargs["initial"] = {"nämnd": self.instance.nämnd_id, **kwargs.get("initial", {})}
        return kwargs


class BarnInline(KommunScopedTabularInline):
    model = Verksamhetsområde
    fk_name = "förälder"
    formset = BarnFormSet
    verbose_name = "underordnat verksamhetsområde"
    verbose_name_plural = "underordnade verksamhetsområden (barn)"
    fields = ["namn", "nämnd", "typ", "ordning", "ansvarskoder", "verksamhetskoder", "från_år", "till_år"]
    extra = 0
    show_change_link = True


FÖREGÅNGARE_HJÄLP = (
    "Verksamhetsområden vars utfall visas som föregående år för detta område. Vid en delning av en nämnd: koppla "
    "den nya nämndens område till det område i den tidigare nämnden som det tar över (t.ex. Äldreomsorg i "
    "Äldrenämnden till Äldreomsorg i den gamla nämnden). Kopplingen går före jämförelsetal som importerats på "
    "området för året innan det fanns, så inget räknas två gånger; den ändrar inte den tidigare nämndens siffror. "
    "Vid en omorganisation vid årsskiftet: områdena det slogs ihop av eller ersatte."
)


class VerksamhetsområdeForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        nämnd, föregångare = cleaned.get("nämnd"), cleaned.get("föregångare")
        if nämnd and föregångare and any(o.nämnd.kommun_id != nämnd.kommun_id for o in föregångare):
            self.add_error("föregångare", "Ett verksamhetsområde kan bara jämföras med områden i samma kommun.")
        return cleaned


@admin.register(Verksamhetsområde)
class VerksamhetsområdeAdmin(KommunScopedAdmin):
    form = VerksamhetsområdeForm
    list_display = [
        "namn",
        "nämnd",
        "förälder",
        "typ",
        "ordning",
        "ansvarskoder",
        "verksamhetskoder",
        "från_år",
        "till_år",
    ]
    list_editable = ["ordning"]
    list_filter = ["nämnd__kommun", "nämnd", "typ", "från_år", "till_år"]
    list_select_related = ["nämnd", "förälder"]
    search_fields = ["namn", "ansvarskoder", "verksamhetskoder"]
    autocomplete_fields = ["förälder", "föregångare"]
    fieldsets = [
        (None, {"fields": ["nämnd", "förälder", "namn", ("typ", "ordning")]}),
        ("Koppling till ekonomisystemet", {"fields": ["ansvarskoder", "verksamhetskoder"]}),
        ("Giltighet", {"fields": [("från_år", "till_år")]}),
        ("Föregående år", {"fields": ["föregångare"]}),
    ]
    inlines = [BarnInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "föregångare":
            kwargs["help_text"] = FÖREGÅNGARE_HJÄLP
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Period)
class PeriodAdmin(KommunScopedAdmin):
    list_display = ["__str__", "kommun", "stängd", "stängd_av", "stängd_tidpunkt"]
    list_filter = ["kommun", "år", "stängd"]
    list_select_related = ["kommun", "stängd_av"]
    fields = ["kommun", ("år", "månad"), "stängd", ("stängd_av", "stängd_tidpunkt")]
    readonly_fields = ["stängd_av", "stängd_tidpunkt"]

    @admin.display(description="stängd (tidpunkt)", ordering="stängd_tid")
    def stängd_tidpunkt(self, obj):
        return obj.stängd_tid

    def save_model(self, request, obj, form, change):
        if "stängd" in form.changed_data or not change:
            if obj.stängd:
                obj.stängd_av, obj.stängd_tid = request.user, timezone.now()
            else:
                obj.stängd_av, obj.stängd_tid = None, None
        super().save_model(request, obj, form, change)


class BehörighetForm(forms.ModelForm):
    class Meta:
        model = Behörighet
        fields = ["user", "kommun", "roll", "får_importera", "får_fastställa", "nämnder"]

    def clean(self):
        cleaned = super().clean()
        kommun = cleaned.get("kommun")
        if kommun and any(n.kommun_id != kommun.pk for n in cleaned.get("nämnder") or []):
            self.add_error("nämnder", ValidationError("Nämnderna måste tillhöra behörighetens kommun."))
        return cleaned


@admin.register(Behörighet)
class BehörighetAdmin(KommunScopedAdmin):
    form = BehörighetForm
    list_display = ["user", "kommun", "roll", "får_importera", "får_fastställa"]
    list_filter = ["kommun", "roll", "får_importera", "får_fastställa"]
    list_select_related = ["user", "kommun"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    filter_horizontal = ["nämnder"]
    fields = ["user", "kommun", "roll", ("får_importera", "får_fastställa"), "nämnder"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A kommun admin picks among the users of their own kommuner and users without any kommun yet;
        other kommuners' users are not listed."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            egna = Behörighet.objects.for_user(request.user).values("user_id")
            field.queryset = field.queryset.filter(Q(pk__in=egna) | Q(behörigheter__isnull=True)).distinct()
        return field


# Users, groups and login logs: see admin_anvandare (registered here, after django.contrib.auth and axes).
admin_anvandare.registrera()
