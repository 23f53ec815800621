from django.apps import AppConfig


class UppfoljningConfig(AppConfig):
    """Follow-up workflows: the status page (dashboard), closing periods, audit history and öppna nytt år.
    No models of its own; it reads and writes nämnd, ekonomi, nyckeltal and rapporter (see docs/arkitektur.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "uppfoljning"
    verbose_name = "Uppföljning"
