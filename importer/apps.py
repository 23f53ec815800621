from django.apps import AppConfig


class ImporterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importer"
    verbose_name = "Import och export"

    def ready(self):
        # the handler of import jobs, and the import kinds (they register themselves in mallar.IMPORTTYPER)
        from . import bakgrund, kolada, mallar  # noqa: F401
