from django.apps import AppConfig


class NämndConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'nämnd'
    verbose_name = 'Organisation'

    def ready(self):
        from socialreports import dataversion

        dataversion.koppla_signaler()
