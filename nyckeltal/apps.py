from django.apps import AppConfig


class NyckeltalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nyckeltal"
    verbose_name = "Volymer, nyckeltal och mål"

    def ready(self):
        # ekonomi's month grid reads volumes through ekonomi.volymkalla (it may not import nyckeltal)
        from ekonomi import volymkalla

        from . import gridvolym

        volymkalla.registrera(gridvolym.volymer)
