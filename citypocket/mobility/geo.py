"""Walking distances and times, and the search box around a destination."""

import math

from citypocket.core.geo import EARTH_RADIUS_M, haversine_m

# Walking speed used for every walking time: 4.5 km/h = 75 m/min, a common planning value for
# adults (e.g. 1.2-1.3 m/s in pedestrian-planning guides); slower walkers take longer.
WALK_M_PER_MIN = 75.0
# Streets are not straight lines: the walking distance is the great-circle distance x 1.25.
WALK_DETOUR = 1.25


def walk(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[int, int]:
    """(walking metres, walking minutes) between two points."""
    metres = haversine_m(lat1, lon1, lat2, lon2) * WALK_DETOUR
    return round(metres), max(1, math.ceil(metres / WALK_M_PER_MIN))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box that contains the circle of `radius_m` around the point."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon
