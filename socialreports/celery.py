"""Celery app. Configuration comes from Django settings (CELERY_*); see settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialreports.settings")

app = Celery("socialreports")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
