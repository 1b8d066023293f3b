"""WSGI entry point (gunicorn citypocket.wsgi:application): Django behind the edge cache of hot public reads,
with chunked request bodies read for it (core.guards.ChunkedBodies)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citypocket.settings")

from citypocket.core.edge import EdgeCache
from citypocket.core.guards import ChunkedBodies

application = EdgeCache(ChunkedBodies(get_wsgi_application()))
