from django.apps import AppConfig


class NyckeltalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nyckeltal"
    verbose_name = "Volymer, nyckeltal och mål"
