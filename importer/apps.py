from django.apps import AppConfig


class ImporterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importer"
    verbose_name = "Import och export"

    def ready(self):
        from . import bakgrund  # noqa: F401 - registers the import job handler
