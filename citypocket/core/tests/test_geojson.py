"""GeoJSON: the builder right-hand-rules polygons, and every geographic endpoint answers RFC 7946
GeoJSON as application/geo+json ([lon, lat], a stable id per feature, counter-clockwise exteriors)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.tests.factories import run_air_worker
from citypocket.cityinfo import demo as cityinfo_demo
from citypocket.core import geojson
from citypocket.core.api import api
from citypocket.mobility import demo as mobility_demo
from citypocket.safety import demo as safety_demo
from citypocket.safety.models import FilmedZone
from citypocket.safety.tests.conftest import distant_cells, file_report, points_in_cell

CW_SQUARE = [[1.0, 49.0], [1.0, 49.1], [1.1, 49.1], [1.1, 49.0], [1.0, 49.0]]
CCW_HOLE = [[1.02, 49.02], [1.08, 49.02], [1.08, 49.08], [1.02, 49.08], [1.02, 49.02]]


def test_polygon_winds_the_exterior_counter_clockwise_and_holes_clockwise():
    """A clockwise exterior and a counter-clockwise hole come out reversed (RFC 7946 §3.1.6)."""
    shape = geojson.polygon([CW_SQUARE, CCW_HOLE])
    exterior, hole = shape["coordinates"]
    assert geojson.signed_area(exterior) > 0 and geojson.signed_area(hole) < 0
    assert exterior == list(reversed(CW_SQUARE)) and hole == list(reversed(CCW_HOLE))


def test_polygon_closes_an_open_ring_and_keeps_a_right_ring_as_given():
    """An open ring gets its first position again at the end; a right-hand ring is not touched."""
    ccw = list(reversed(CW_SQUARE))
    assert geojson.polygon([ccw[:-1]])["coordinates"] == [ccw]
    assert geojson.polygon([ccw])["coordinates"] == [ccw]


def test_feature_right_hand_rules_a_stored_multipolygon_and_keeps_points():
    """Whatever geometry a feature is built from, its polygons come out right-hand ruled."""
    stored = {"type": "MultiPolygon", "coordinates": [[CW_SQUARE], [CW_SQUARE, CW_SQUARE]]}
    built = geojson.feature("zone-1", stored, {})
    first, second = built["geometry"]["coordinates"]
    assert geojson.signed_area(first[0]) > 0
    assert geojson.signed_area(second[0]) > 0 and geojson.signed_area(second[1]) < 0
    assert stored["coordinates"][0][0] == CW_SQUARE  # the stored value is not modified
    assert geojson.feature(7, geojson.point(1.09, 49.44), {"a": 1}) == {
        "type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [1.09, 49.44]}, "properties": {"a": 1},
    }
    assert geojson.point(None, 49.44) is None


# --- Every geographic endpoint ----------------------------------------------------------------------

# operation id -> (path under /api/v1/cities/rouen, query): every operation whose answer can be GeoJSON.
GEOGRAPHIC = {
    "list_air_stations": ("/air/stations", {}),
    "list_air_daily_indices": ("/air/indices", {"format": "geojson"}),
    "export_air_observations": ("/air/observations", {"format": "geojson"}),
    "list_sensors": ("/sensors", {}),
    "list_car_parks": ("/car-parks", {}),
    "search_car_parks": ("/car-parks/search", {"lat": 49.4431, "lon": 1.0993, "max_walk_m": 3000}),
    "list_traffic": ("/traffic", {}),
    "list_safety_hotspots": ("/safety/hotspots", {}),
    "list_safe_places": ("/safety/safe-places", {}),
    "list_filmed_zones": ("/safety/filmed-zones", {}),
    "list_dataset_rows": ("/data/video-protection/rows", {"format": "geojson"}),
    "list_places": ("/places", {"format": "geojson"}),
}


def geojson_operations() -> set[str]:
    """Operation ids whose documented answers include application/geo+json."""
    found = set()
    for operations in api.get_openapi_schema()["paths"].values():
        for operation in operations.values():
            for answer in operation["responses"].values():
                if geojson.MEDIA_TYPE in answer.get("content", {}):
                    found.add(operation["operationId"])
    return found


def test_the_walk_covers_every_operation_documented_as_geojson():
    """A new geographic endpoint must join GEOGRAPHIC, so that the walk below checks it."""
    assert geojson_operations() == set(GEOGRAPHIC)


def test_feature_collections_are_documented_as_geojson_only():
    """No operation documents a FeatureCollection schema as plain application/json."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            for answer in operation["responses"].values():
                ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                declared = components.get(ref.rpartition("/")[2], {})
                assert declared.get("properties", {}).get("type", {}).get("const") != "FeatureCollection", (
                    operation["operationId"])


def _ingest_a_day_of_air(city) -> None:
    out = StringIO()
    call_command("create_ingest_token", city.slug, "--name", "geojson-walk", stdout=out)
    top = timezone.now().replace(minute=0, second=0, microsecond=0)
    observations = [
        {"sensor": "FR25036", "property": prop, "time": (top - timedelta(hours=step)).isoformat(),
         "value": value, "unit": "ug/m3"}
        for step in range(6) for prop, value in (("no2", 80.0), ("pm10", 40.0))
    ]
    response = Client().post("/api/v1/ingest", data=json.dumps({"observations": observations}),
                             content_type="application/json",
                             headers={"Authorization": f"Bearer {out.getvalue().strip()}"})
    assert response.status_code == 202, response.content


@pytest.fixture
def geographic_data(rouen):
    """Something to show on every geographic endpoint of Rouen, including a clockwise stored polygon."""
    ensure_demo_stations()
    _ingest_a_day_of_air(rouen)
    run_air_worker()  # stores today's daily indices, as the worker does
    mobility_demo.load(history=False)
    safety_demo.load_demo()
    cityinfo_demo.load()
    lon, lat = rouen.centre_lon, rouen.centre_lat
    clockwise = [[lon, lat], [lon, lat + 0.002], [lon + 0.002, lat + 0.002], [lon + 0.002, lat], [lon, lat]]
    FilmedZone.objects.create(city=rouen, name="Zone horaire (test)", polygon={"type": "Polygon",
                              "coordinates": [clockwise]}, operator="Ville", purpose="test", retention_days=15)
    (cell,) = distant_cells(rouen, 1)
    for point_lat, point_lon in points_in_cell(cell, 12):
        file_report(rouen, lat=point_lat, lon=point_lon)
    call_command("sync_opendata", "--city", rouen.slug, stdout=StringIO())
    return rouen


def _body(response) -> dict:
    """The JSON of an answer, streamed (a whole-dataset export) or not."""
    return json.loads(b"".join(response.streaming_content)) if response.streaming else response.json()


def _positions(geometry: dict):
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [coordinates]
    if kind == "Polygon":
        return [position for ring in coordinates for position in ring]
    raise AssertionError(f"unexpected geometry {kind}")


def assert_rfc7946(body: dict, *, bbox: list[float], where: str) -> list:
    """RFC 7946 structure; returns the feature ids."""
    assert body["type"] == "FeatureCollection", where
    assert body["features"], f"{where}: nothing to check"
    west, south, east, north = bbox
    ids = []
    for feature in body["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict), where
        assert isinstance(feature.get("id"), str | int) and feature["id"] != "", where
        ids.append(feature["id"])
        geometry = feature["geometry"]
        if geometry is None:
            continue
        for position in _positions(geometry):
            assert len(position) in (2, 3), where
            lon, lat = position[:2]
            # [lon, lat] order: in Rouen the longitude is about 1 and the latitude about 49.
            assert west - 0.5 <= lon <= east + 0.5 and south - 0.5 <= lat <= north + 0.5, (where, position)
        if geometry["type"] == "Polygon":
            for index, ring in enumerate(geometry["coordinates"]):
                assert len(ring) >= 4 and ring[0] == ring[-1], (where, "ring not closed")
                area = geojson.signed_area(ring)
                assert (area > 0) if index == 0 else (area < 0), (where, "winding", feature["id"])
    assert len(ids) == len(set(ids)), f"{where}: feature ids are not unique"
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("operation_id", sorted(GEOGRAPHIC))
def test_every_geographic_endpoint_answers_rfc7946_geojson(geographic_data, operation_id):
    """application/geo+json, [lon, lat] positions, unique ids that stay the same from one read to the
    next, closed polygon rings with counter-clockwise exteriors (even a zone stored clockwise)."""
    path, query = GEOGRAPHIC[operation_id]
    url = f"/api/v1/cities/{geographic_data.slug}{path}"
    first = Client().get(url, query)
    assert first.status_code == 200, (operation_id, first.content[:300])
    assert first["Content-Type"] == geojson.MEDIA_TYPE, operation_id
    ids = assert_rfc7946(_body(first), bbox=list(geographic_data.bbox), where=operation_id)
    again = _body(Client().get(url, query))
    assert [feature["id"] for feature in again["features"]] == ids, f"{operation_id}: ids are not stable"


@pytest.mark.django_db
def test_a_filmed_zone_entered_clockwise_is_stored_right_hand_ruled(rouen):
    """Enforced on input too: the stored polygon (read by exports and the map) is counter-clockwise."""
    lon, lat = rouen.centre_lon, rouen.centre_lat
    clockwise = [[lon, lat], [lon, lat + 0.002], [lon + 0.002, lat + 0.002], [lon + 0.002, lat], [lon, lat]]
    assert geojson.signed_area(clockwise) < 0
    zone = FilmedZone.objects.create(city=rouen, name="Zone (test)", polygon={"type": "Polygon", "coordinates": [
        clockwise]}, operator="Ville", purpose="test", retention_days=15)
    zone.refresh_from_db()
    assert geojson.signed_area(zone.polygon["coordinates"][0]) > 0


@pytest.mark.django_db
def test_demo_filmed_zones_are_stored_right_hand_ruled(rouen, aix):
    safety_demo.load_demo()
    polygons = [z.polygon for z in FilmedZone.objects.filter(polygon__isnull=False)]
    assert polygons
    for polygon in polygons:
        for index, ring in enumerate(polygon["coordinates"]):
            assert (geojson.signed_area(ring) > 0) == (index == 0)
