from django.apps import AppConfig


class NämndConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'nämnd'
    verbose_name = 'Organisation'
