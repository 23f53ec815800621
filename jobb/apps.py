from django.apps import AppConfig


class JobbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobb"
    verbose_name = "Bakgrundsjobb"

    def ready(self):
        # Registers the PDF job handler and connects the pre-render to data-version changes.
        from . import rapportpdf, tasks  # noqa: F401
