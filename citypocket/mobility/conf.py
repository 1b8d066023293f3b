"""Mobility settings: Django settings first, then the environment, then the documented default."""

import os

from django.conf import settings

DEFAULTS = {
    # A car park without a reading for this long is `stale`: no number is shown, status unknown.
    "MOBILITY_STALE_MINUTES": 15,
    # Free share under which an open car park is `almost_full` (10 %).
    "MOBILITY_ALMOST_FULL_SHARE": 0.10,
    # Server-side micro-cache of the public list, search and traffic answers (seconds; 0 = off). The
    # answers are already public for 30 s (Cache-Control); this only spares the database under load.
    "MOBILITY_RESPONSE_CACHE_SECONDS": 5,
    # A counting point without a reading for this long gives no congestion state.
    "MOBILITY_TRAFFIC_STALE_MINUTES": 15,
}


def get(name: str):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    default = DEFAULTS[name]
    if value is None or value == "":
        return default
    return type(default)(value)
