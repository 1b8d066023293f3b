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
from citypocket.core.warmup import warm_up

application = EdgeCache(FastLane(ChunkedBodies(get_wsgi_application())))

# What Django would load at the first requests while every thread of the process waits (the URLconf
# and the API's schemas, the URL tables, catalogues, templates): loaded now (core.warmup).
warm_up()

# The objects made while loading the application live as long as the process: the cyclic garbage
# collector need not scan them again at every collection of the oldest generation (docs/operations.md).
gc.freeze()
