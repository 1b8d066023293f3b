"""WSGI entry point (gunicorn citypocket.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citypocket.settings")
application = get_wsgi_application()
