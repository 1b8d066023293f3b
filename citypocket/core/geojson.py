"""GeoJSON (RFC 7946): the one builder and the schemas of every geographic answer of the API.

An app builds its features with `feature(id, geometry, properties)` (geometry from `point(lon, lat)`,
`polygon(rings)` or a stored GeoJSON geometry) and returns `feature_collection(features)`. Its
schemas subclass `Feature` and `FeatureCollection` here, with its own `id`, `geometry` and
`properties`. The API serves a FeatureCollection as `application/geo+json` and documents it so
(core.api); an answer built outside the API's rendering (an alternative `?format=`) uses `response`.

What RFC 7946 asks and the builder guarantees: positions are [lon, lat]; every feature carries the
`id` the caller gives (stable: a slug, a code, a primary key, never a position in the list);
polygon rings are closed and follow the right-hand rule (exterior rings counter-clockwise, holes
clockwise), whatever the winding of the stored or computed ring.
"""

import json
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Schema

MEDIA_TYPE = "application/geo+json"

Position = list[float]
Ring = list[Position]


class Point(Schema):
    type: Literal["Point"]
    coordinates: list[float]


class Polygon(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]]


class Feature(Schema):
    """Base of a feature schema: subclasses declare `id`, `geometry` and `properties`."""

    type: Literal["Feature"]


class FeatureCollection(Schema):
    """Base of a collection schema: subclasses declare `features` (and any foreign member)."""

    type: Literal["FeatureCollection"]


def point(lon: float | None, lat: float | None) -> dict | None:
    """A Point at [lon, lat]; None (an unlocated feature) when either is unknown."""
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the signed area of a ring in the lon/lat plane (shoelace): > 0 when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in pairwise(ring))


def _closed(ring: Sequence[Sequence[float]]) -> Ring:
    positions = [list(position) for position in ring]
    if positions and positions[0] != positions[-1]:
        positions.append(list(positions[0]))
    return positions


def _wound(ring: Sequence[Sequence[float]], *, counter_clockwise: bool) -> Ring:
    positions = _closed(ring)
    if (signed_area(positions) > 0) != counter_clockwise:
        positions.reverse()
    return positions


def _polygon_rings(rings: Sequence[Sequence[Sequence[float]]]) -> list[Ring]:
    return [_wound(ring, counter_clockwise=index == 0) for index, ring in enumerate(rings)]


def polygon(rings: Sequence[Sequence[Sequence[float]]]) -> dict:
    """A Polygon from its rings of [lon, lat] positions (exterior first): closed, right-hand ruled."""
    return {"type": "Polygon", "coordinates": _polygon_rings(rings)}


def right_hand_ruled(geometry: dict | None) -> dict | None:
    """The geometry with every polygon ring closed and wound as RFC 7946 asks; others unchanged."""
    if geometry is None:
        return None
    kind = geometry.get("type")
    if kind == "Polygon":
        return {**geometry, "coordinates": _polygon_rings(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {**geometry, "coordinates": [_polygon_rings(rings) for rings in geometry["coordinates"]]}
    if kind == "GeometryCollection":
        return {**geometry, "geometries": [right_hand_ruled(part) for part in geometry["geometries"]]}
    return geometry


def feature(id: str | int, geometry: dict | None, properties: dict) -> dict:
    """A Feature with a stable `id`; a polygon geometry comes out right-hand ruled."""
    return {"type": "Feature", "id": id, "geometry": right_hand_ruled(geometry), "properties": properties}


def feature_collection(features: Iterable[dict], **members: Any) -> dict:
    """A FeatureCollection; `members` are foreign members (RFC 7946 §6.1), e.g. a search's destination."""
    return {"type": "FeatureCollection", "features": list(features), **members}


def response(collection: dict) -> HttpResponse:
    """An `application/geo+json` answer, for a GeoJSON alternative of an endpoint (`?format=geojson`)."""
    return HttpResponse(json.dumps(collection, ensure_ascii=False, cls=DjangoJSONEncoder), content_type=MEDIA_TYPE)
