from django.apps import AppConfig


class JobbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobb"
    verbose_name = "Bakgrundsjobb"
