from django.apps import AppConfig


class PubliceringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publicering"
    verbose_name = "Fastställande och publicering"
