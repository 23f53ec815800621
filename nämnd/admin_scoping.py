"""Kommun scoping for the Django admin: the one place where admin reads are restricted.

Every admin class of tenant data derives from ``KommunScopedAdmin`` (inlines from ``KommunScopedInline``,
usually via ``KommunScopedTabularInline``/``KommunScopedStackedInline``). They

* restrict the admin's queryset with the model QuerySet's ``for_user(request.user)`` — change lists, change
  pages, history, deletes and actions all go through ``get_queryset``, so a guessed id of another kommun's
  object gives the admin's normal "finns inte" redirect;
* restrict the choices of foreign keys and many-to-many fields to the user's kommuner by calling
  ``for_user(request.user)`` on the related model's default manager when its QuerySet has one (fields to
  models without it, e.g. the user model, are left alone). Autocomplete widgets get their results from the
  target model's admin, which is scoped in the same way;
* restrict the choices shown by related-field list filters (and all-values filters that cross relations),
  so a filter sidebar never lists another kommun's nämnder, verksamhetsområden or users;
* name the kommun in every choice of a nämnd or verksamhetsområde when the choices span several kommuner
  (a superuser, a user with Behörighet in two kommuner): ``namnge_kommun`` — app forms use it too.

Admin classes must not add their own kommun filters: declare ``list_filter`` etc. as usual.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, reverse_field_path
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models


def scope(queryset, user):
    """``queryset.for_user(user)``; refuses models whose QuerySet cannot be scoped."""
    if not hasattr(queryset, "for_user"):
        raise ImproperlyConfigured(
            f"{queryset.model.__name__} saknar for_user() och kan inte visas i en kommunavgränsad admin."
        )
    return queryset.for_user(user)


def scope_if_possible(queryset, user):
    """``queryset.for_user(user)`` when the QuerySet has it, else the queryset unchanged."""
    return queryset.for_user(user) if hasattr(queryset, "for_user") else queryset


# --- choices that name their kommun --------------------------------------------------------------------------

# Model label → path from the model to its kommun, for the models whose choices must name their kommun.
KOMMUNVÄG = {"nämnd.nämnd": "kommun", "nämnd.verksamhetsområde": "nämnd__kommun"}


def _kommunväg(model) -> str | None:
    return KOMMUNVÄG.get(model._meta.label_lower)


def etikett_med_kommun(obj) -> str:
    """``Socialnämnden (Ekeby kommun, 2019-01-01–)``, ``Hemtjänst (Omsorgsnämnden, Ekeby kommun)``."""
    if obj._meta.label_lower == "nämnd.nämnd":
        slut = obj.giltig_till.isoformat() if obj.giltig_till else ""
        return f"{obj.namn} ({obj.kommun.namn}, {obj.giltig_från.isoformat()}–{slut})"
    if obj._meta.label_lower == "nämnd.verksamhetsområde":
        return f"{obj.namn} ({obj.nämnd.namn}, {obj.nämnd.kommun.namn})"
    return str(obj)


def flera_kommuner(queryset) -> bool:
    """Do the objects of ``queryset`` (nämnder or verksamhetsområden) belong to more than one kommun? One query."""
    väg = _kommunväg(queryset.model)
    return väg is not None and len(queryset.order_by().values_list(väg, flat=True).distinct()[:2]) > 1


def namnge_kommun(field):
    """Make a choice field over nämnder or verksamhetsområden name each choice's kommun when its choices span
    several kommuner (else two "Socialnämnden (2019-01-01–)" look alike). Other fields are returned unchanged.
    The one place for this: the scoped admin calls it for every foreign key and many-to-many field, app forms
    call it on their own ``ModelChoiceField``/``ModelMultipleChoiceField``."""
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        return field
    väg = _kommunväg(field.queryset.model)
    if väg is None or not flera_kommuner(field.queryset):
        return field
    field.queryset = field.queryset.select_related(väg)
    field.label_from_instance = etikett_med_kommun
    return field


class KommunnamnAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete results name the kommun of nämnder and verksamhetsområden when the user sees
    several kommuner (the selected value is rendered through the field's ``label_from_instance``)."""

    def get_queryset(self):
        qs = super().get_queryset()
        väg = _kommunväg(qs.model)
        return qs.select_related(väg) if väg else qs

    def serialize_result(self, obj, to_field_name):
        resultat = super().serialize_result(obj, to_field_name)
        if _kommunväg(type(obj)) is not None:
            if not hasattr(self, "_med_kommun"):
                self._med_kommun = flera_kommuner(self.model_admin.get_queryset(self.request))
            if self._med_kommun:
                resultat["text"] = etikett_med_kommun(obj)
        return resultat


# --- list filters ---------------------------------------------------------------------------------------------


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """Related-field filter whose choices are the user's own: ``for_user`` on the related model when it has it,
    otherwise only the related objects that occur in the (already scoped) change list queryset."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related_qs = field.related_model._default_manager.all()
        if hasattr(related_qs, "for_user"):
            allowed = related_qs.for_user(request.user).values("pk")
        else:
            allowed = (
                model_admin.get_queryset(request)
                .exclude(**{f"{self.field_path}__isnull": True})
                .values(f"{self.field_path}__pk")
            )
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": allowed})


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """All-values filter for a path across relations (e.g. ``indikator__mål__från_år``): Django would list the
    values of every kommun; here the values come from the user's scoped change list queryset."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .exclude(**{f"{field_path}__isnull": True})
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


def scoped_list_filter(model, list_filter) -> list:
    """Replace plain field paths in ``list_filter`` with scoped filter classes where Django's default would show
    choices from all kommuner. Entries that already name a filter class are left as they are."""
    result = []
    for entry in list_filter:
        if isinstance(entry, str):
            try:
                field = get_fields_from_path(model, entry)[-1]
            except FieldDoesNotExist:
                result.append(entry)
                continue
            if field.is_relation:
                entry = (entry, ScopedRelatedFieldListFilter)
            elif (
                reverse_field_path(model, entry)[0] is not model
                and not field.flatchoices
                and not isinstance(field, (models.BooleanField, models.DateField))
            ):
                entry = (entry, ScopedAllValuesFieldListFilter)
        result.append(entry)
    return result


# --- admin classes --------------------------------------------------------------------------------------------


class KommunScopedMixin:
    """Scoping shared by ``KommunScopedAdmin`` and ``KommunScopedInline``."""

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user)

    def _scoped_choices(self, db_field, request, kwargs):
        if "queryset" in kwargs:
            qs = kwargs["queryset"]
        else:
            qs = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if qs is None:
                qs = db_field.remote_field.model._default_manager.using(kwargs.get("using")).all()
        if hasattr(qs, "for_user"):
            kwargs["queryset"] = qs.for_user(request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return namnge_kommun(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return namnge_kommun(super().formfield_for_manytomany(db_field, request, **kwargs))


class KommunScopedAdmin(KommunScopedMixin, admin.ModelAdmin):
    """Base for the admin of every tenant model."""

    list_per_page = 50

    def get_list_filter(self, request):
        return scoped_list_filter(self.model, super().get_list_filter(request))


class KommunScopedInline(KommunScopedMixin):
    """Mixin for inlines: ``class X(KommunScopedInline, admin.TabularInline)``."""


class KommunScopedTabularInline(KommunScopedInline, admin.TabularInline):
    pass


class KommunScopedStackedInline(KommunScopedInline, admin.StackedInline):
    pass
