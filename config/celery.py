"""Celery, used for programme exports when CELERY_BROKER_URL is set.

Start a worker with: .venv/bin/celery -A config worker -l info"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("offset_plans")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
