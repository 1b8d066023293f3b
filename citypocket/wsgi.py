"""WSGI entry point (gunicorn citypocket.wsgi:application): Django behind the edge cache of hot public reads."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citypocket.settings")

from citypocket.core.edge import EdgeCache

application = EdgeCache(get_wsgi_application())
