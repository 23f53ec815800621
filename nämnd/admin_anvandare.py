"""Users in the admin, scoped like everything else: a kommun admin sees the users of the kommuner they
administer (and may create new users, who get their kommun through a Behörighet); only superusers see
groups, permissions, superuser status and django-axes' login logs (usernames and IP addresses of every kommun).

Changing a user account (name, e-mail, password, active, staff) is allowed to a kommun admin only when every
Behörighet of that user lies in kommuner the requester administers (``får_ändra_användare``); a user who also
has a role in another kommun is read-only for them — otherwise the admin of kommun B could set the password of
kommun A's administrator who happens to be a reader in B, and log in as them in A. The user's Behörigheter are
B's own data: they are listed (read-only) on the user page, and changed in the Behörighet admin, where a
non-superuser may change or delete only Behörigheter of kommuner they administer (``BehörighetSkrivskydd``).
Deleting users is for superusers only (a kommun admin deactivates instead). See docs/beslut.md."""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from .models import Behörighet


def administrerade_kommuner(user):
    return Behörighet.objects.filter(user=user, roll=Behörighet.Roll.ADMIN).values("kommun_id")


def får_ändra_användare(användare, user) -> bool:
    """May ``användare`` change the account of ``user``? Superusers always; a kommun admin only when every
    Behörighet of ``user`` lies in kommuner they administer (and ``user`` is no superuser)."""
    if användare.is_superuser:
        return True
    if user.is_superuser:
        return False
    return not Behörighet.objects.filter(user=user).exclude(kommun_id__in=administrerade_kommuner(användare)).exists()


class BehörighetInline(admin.TabularInline):
    """The user's roles, read-only, in the kommuner the requester administers (all for a superuser); each row
    links to the Behörighet admin, where they are changed."""

    model = Behörighet
    fields = ["kommun", "roll", "får_importera", "får_fastställa"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "behörigheter (ändras under Behörigheter)"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("kommun")
        if request.user.is_superuser:
            return qs
        return qs.filter(kommun_id__in=administrerade_kommuner(request.user))

    def has_view_permission(self, request, obj=None):
        return True  # only reached through KommunUserAdmin, which checks the requester

    def has_add_permission(self, request, obj=None):
        return False

    has_change_permission = has_delete_permission = has_add_permission


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

    has_add_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        """Also guards the password form (``user_change_password`` asks with the user object)."""
        if not self.has_view_permission(request, obj):
            return False
        return obj is None or får_ändra_användare(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_inlines(self, request, obj):
        return [BehörighetInline] if obj is not None else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and not request.user.is_superuser:
            obj = self.get_object(request, object_id)
            if obj is not None and not får_ändra_användare(request.user, obj):
                messages.warning(
                    request,
                    "Användaren har behörighet även i en kommun som du inte administrerar. "
                    "Kontot (namn, e-post, lösenord, status) kan därför bara visas här; "
                    "användarens behörighet i din kommun ändrar du under Behörigheter.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            behörigheter__kommun_id__in=administrerade_kommuner(request.user), is_superuser=False
        ).distinct()

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return self.kommun_fieldsets

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)


class BehörighetSkrivskydd:
    """For the Behörighet admin: a non-superuser changes, adds and deletes Behörigheter only in kommuner they
    administer (reading is scoped by ``KommunScopedAdmin``: every kommun where they have any role)."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._administrerar(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._administrerar(request, obj)

    def _administrerar(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        kommuner = administrerade_kommuner(request.user)
        return kommuner.exists() if obj is None else kommuner.filter(kommun_id=obj.kommun_id).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "kommun" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(pk__in=administrerade_kommuner(request.user))
        return field

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # a bulk delete would reach rows of kommuner they only read
        return actions


class EndastSuperanvändare:
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


def registrera() -> None:
    for model, bas in (
        (User, KommunUserAdmin),
        (Group, type("SuperGroupAdmin", (EndastSuperanvändare, GroupAdmin), {})),
    ):
        admin.site.unregister(model)
        admin.site.register(model, bas)
    befintlig = type(admin.site._registry[Behörighet])
    if not issubclass(befintlig, BehörighetSkrivskydd):
        admin.site.unregister(Behörighet)
        admin.site.register(Behörighet, type(befintlig.__name__, (BehörighetSkrivskydd, befintlig), {}))
    for namn in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", namn)
        if admin.site.is_registered(model):
            befintlig = type(admin.site._registry[model])
            admin.site.unregister(model)
            admin.site.register(model, type(f"Super{befintlig.__name__}", (EndastSuperanvändare, befintlig), {}))
