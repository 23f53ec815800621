"""The edit guard (``nämnd.vakt``) in the Django admin: change forms, inline rows and deletes of figure models.

An admin class (or inline) of a figure model mixes in ``VaktadAdmin`` (``VaktadInline``) and says what a row
touches with ``vaktändringar(obj) -> (nämnd, [Ändring, …])``. The guard is asked for the row as stored and as
submitted (moving a figure out of a locked month is a change of that month too); a refusal is a form error
with the guard's message, and a locked row cannot be deleted.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from .models import Nämnd
from .vakt import Vakt, Ändring


class _Vaktad:
    def vaktändringar(self, obj) -> tuple[Nämnd, list[Ändring]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def vaktspärrar(self, request, *objekt) -> list[str]:
        texter: list[str] = []
        for obj in objekt:
            if obj is None:
                continue
            try:
                nämnd, ändringar = self.vaktändringar(obj)
            except (ObjectDoesNotExist, AttributeError, TypeError, ValueError):
                continue  # an incomplete row: the form's own validation reports what is missing
            vakt = Vakt.för(request.user, nämnd, {ä.år for ä in ändringar})
            texter += [s.text for s in vakt.spärrar(ändringar) if s.text not in texter]
        return texter

    def vaktad_form(self, request, form_class):
        modeladmin = self

        class VaktadForm(form_class):
            def _post_clean(self):
                lagrad = (
                    type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
                    if self.instance.pk
                    else None
                )
                super()._post_clean()
                if self.has_changed() or lagrad is None:
                    for text in modeladmin.vaktspärrar(request, lagrad, self.instance):
                        self.add_error(None, text)

        VaktadForm.__name__ = form_class.__name__
        return VaktadForm

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.vaktspärrar(request, obj):
            return False
        return super().has_delete_permission(request, obj)


class VaktadAdmin(_Vaktad):
    """For ``KommunScopedAdmin`` subclasses of figure models."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return self.vaktad_form(request, super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return self.vaktad_form(request, super().get_changelist_form(request, **kwargs))

    def delete_queryset(self, request, queryset):
        if texter := self.vaktspärrar(request, *queryset):
            raise PermissionDenied(" ".join(texter))
        super().delete_queryset(request, queryset)


class VaktadInline(_Vaktad):
    """For inlines of figure models (rows of a parent, e.g. an investment's monthly utgifter)."""

    def get_formset(self, request, obj=None, **kwargs):
        inline = self
        formset = super().get_formset(request, obj, **kwargs)

        class VaktadFormset(formset):
            form = inline.vaktad_form(request, formset.form)

            def clean(self):
                super().clean()
                borttagna = [f.instance for f in self.forms if f.instance.pk and self._should_delete_form(f)]
                if texter := inline.vaktspärrar(request, *borttagna):
                    raise ValidationError(texter)

        return VaktadFormset
