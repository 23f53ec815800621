"""Admin: login rules per kommun (scoped like all tenant data), rule-managed Behörigheter (read-only; deleting the
mark hands a Behörighet over to manual administration) and the links to provider identities (superusers only:
they name users of every kommun)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from nämnd.admin_scoping import KommunScopedAdmin

from .models import Inloggningsregel, OidcKoppling, RegelstyrdBehörighet


class InloggningsregelForm(forms.ModelForm):
    class Meta:
        model = Inloggningsregel
        fields = ["kommun", "claim", "värde", "roll", "får_importera", "får_fastställa", "nämnder"]

    def clean(self):
        cleaned = super().clean()
        kommun = cleaned.get("kommun")
        if kommun and any(n.kommun_id != kommun.pk for n in cleaned.get("nämnder") or []):
            self.add_error("nämnder", ValidationError("Nämnderna måste tillhöra regelns kommun."))
        return cleaned


@admin.register(Inloggningsregel)
class InloggningsregelAdmin(KommunScopedAdmin):
    form = InloggningsregelForm
    list_display = ["kommun", "claim", "värde", "roll", "får_importera", "får_fastställa"]
    list_filter = ["kommun", "roll"]
    list_select_related = ["kommun"]
    search_fields = ["värde", "claim"]
    filter_horizontal = ["nämnder"]
    fields = ["kommun", ("claim", "värde"), "roll", ("får_importera", "får_fastställa"), "nämnder"]


@admin.register(RegelstyrdBehörighet)
class RegelstyrdBehörighetAdmin(KommunScopedAdmin):
    list_display = ["användare", "kommun", "roll", "uppdaterad"]
    list_select_related = ["behörighet__user", "behörighet__kommun"]
    search_fields = ["behörighet__user__username", "behörighet__user__email"]
    readonly_fields = ["behörighet", "uppdaterad"]

    @admin.display(description="användare", ordering="behörighet__user__username")
    def användare(self, obj):
        return obj.behörighet.user

    @admin.display(description="kommun", ordering="behörighet__kommun__namn")
    def kommun(self, obj):
        return obj.behörighet.kommun

    @admin.display(description="roll")
    def roll(self, obj):
        return obj.behörighet.get_roll_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OidcKoppling)
class OidcKopplingAdmin(admin.ModelAdmin):
    list_display = ["user", "sub", "issuer", "skapad", "senast_inloggad"]
    search_fields = ["user__username", "user__email", "sub"]
    list_select_related = ["user"]
    readonly_fields = ["skapad", "senast_inloggad"]
    raw_id_fields = ["user"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
