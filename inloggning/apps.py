from django.apps import AppConfig


class InloggningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inloggning"
    verbose_name = "Inloggning med kommunens konto (OIDC)"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
