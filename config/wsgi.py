import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
if settings.SECRET_KEY_MISSING:
    # A server must not sign sessions with a key nobody set (see config/settings.py).
    raise ImproperlyConfigured(settings.SECRET_KEY_MESSAGE)
