from django.apps import AppConfig

from nämnd import dataversion


class NämndConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nämnd"
    verbose_name = "Organisation"

    def ready(self):
        dataversion.koppla_signaler()
