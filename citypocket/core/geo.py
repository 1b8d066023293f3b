"""Geographic helpers every app shares: great-circle distances on the WGS 84 sphere."""

import math

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS 84 points (haversine formula).

    The sphere is off by at most 0.5 % from the ellipsoid: enough for walking distances and for
    sorting places by distance, not for surveying.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    # min(): rounding can push `a` a hair above 1 for antipodal points, outside asin's domain.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
