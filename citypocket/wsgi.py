"""WSGI entry point (gunicorn citypocket.wsgi:application): Django behind the edge cache of hot public reads
(core.edge) and the fast lane of plain anonymous hot reads (core.fastlane), with chunked request bodies
read for it (core.guards.ChunkedBodies)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citypocket.settings")

from citypocket.core.edge import EdgeCache
from citypocket.core.fastlane import FastLane
from citypocket.core.guards import ChunkedBodies

application = EdgeCache(FastLane(ChunkedBodies(get_wsgi_application())))

# The objects made while loading the application live as long as the process: the cyclic garbage
# collector need not scan them again at every collection of the oldest generation (docs/operations.md).
gc.freeze()
