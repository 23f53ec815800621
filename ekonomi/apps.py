from django.apps import AppConfig


class EkonomiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ekonomi"
    verbose_name = "Ekonomi"
