"""Users in the admin, scoped like everything else: a kommun admin sees and edits only the users of the
kommuner they administer (and may create new users, who get their kommun through a Behörighet); only
superusers see groups, permissions, superuser status and django-axes' login logs (usernames and IP
addresses of every kommun)."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from .models import Behörighet


def administrerade_kommuner(user):
    return Behörighet.objects.filter(user=user, roll=Behörighet.Roll.ADMIN).values("kommun_id")


class KommunUserAdmin(UserAdmin):
    kommun_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personuppgifter", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "is_staff")}),
    )

    def _är_kommunadmin(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and administrerade_kommuner(request.user).exists()

    def has_module_permission(self, request):
        return request.user.is_superuser or self._är_kommunadmin(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._är_kommunadmin(request)

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(behörigheter__kommun_id__in=administrerade_kommuner(request.user), is_superuser=False).distinct()

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return self.kommun_fieldsets

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)


class EndastSuperanvändare:
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


def registrera() -> None:
    for model, bas in ((User, KommunUserAdmin), (Group, type("SuperGroupAdmin", (EndastSuperanvändare, GroupAdmin), {}))):
        admin.site.unregister(model)
        admin.site.register(model, bas)
    for namn in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", namn)
        if admin.site.is_registered(model):
            befintlig = type(admin.site._registry[model])
            admin.site.unregister(model)
            admin.site.register(model, type(f"Super{befintlig.__name__}", (EndastSuperanvändare, befintlig), {}))
