from django.apps import AppConfig


class KommunadminConfig(AppConfig):
    """A kommun's own administration outside /admin/: its settings page, the installation's "Ny kommun" page and
    the new kommun's checklist (organisation, users, layout, budget, first import, first report). It sits above
    the workflow apps (it links and reads their state) and below socialreports (docs/arkitektur.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kommunadmin"
    verbose_name = "Kommunens administration"
