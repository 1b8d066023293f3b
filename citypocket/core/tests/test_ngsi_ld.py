"""Every NGSI-LD entity the API serves validates against its Smart Data Models JSON Schema, and NGSI-LD
content negotiation (Accept: application/ld+json, or application/json with a Link header).

The schemas are fixtures copied from the smart-data-models repositories (see
fixtures/smart-data-models/SOURCES.txt). The endpoints are found in the OpenAPI document: every
operation documenting an `application/ld+json` answer is walked.
"""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from citypocket.air.demo import ensure_demo_stations
from citypocket.core import ngsild
from citypocket.core.api import api
from citypocket.core.tests.test_geojson import _ingest_a_day_of_air
from citypocket.mobility import demo as mobility_demo
from citypocket.mobility.models import CarPark
from citypocket.mobility.tests.conftest import push

SCHEMAS = Path(__file__).parent / "fixtures" / "smart-data-models"
ALIASES = {  # a $ref written with another address than the schema's $id
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/Environment-schema.json":
        "Environment-schema.json",
}
# How each operation is asked for its entities (path under /api/v1/cities/<city>).
NGSI_LD = {
    "list_air_stations": "/air/stations",
    "list_car_parks": "/car-parks",
}
# JSON-LD answers that are not NGSI-LD entities, checked against their own standard elsewhere.
OTHER_JSON_LD = {
    "get_city_catalog": "DCAT-AP catalogue, SHACL-validated in opendata/tests",
    "get_federation_catalog": "DCAT-AP catalogue, SHACL-validated in opendata/tests",
}
ATTRIBUTE_TYPES = {"Property": "value", "GeoProperty": "value", "Relationship": "object"}


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    for address, name in ALIASES.items():
        resources.append((address, Resource.from_contents(json.loads((SCHEMAS / name).read_text()))))
    return Registry().with_resources(resources)


REGISTRY = _registry()
FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    """RFC 3986 absolute URI (scheme, colon, no white space): jsonschema checks "uri" only with an
    optional package, and the models' `owner`, `seeAlso`… rely on it."""
    return not isinstance(value, str) or re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", value) is not None


VALIDATORS = {
    path.name.removesuffix(".schema.json"): Draft202012Validator(
        json.loads(path.read_text()), registry=REGISTRY, format_checker=FORMATS
    )
    for path in SCHEMAS.glob("*.schema.json")
}


def key_values(entity: dict) -> dict:
    """The keyValues form of a normalized entity, checking the normalized structure on the way."""
    flat = {"id": entity["id"], "type": entity["type"]}
    for name, attribute in entity.items():
        if name in ("id", "type", "@context"):
            continue
        assert isinstance(attribute, dict) and attribute.get("type") in ATTRIBUTE_TYPES, (entity["id"], name)
        flat[name] = attribute[ATTRIBUTE_TYPES[attribute["type"]]]
    return flat


def schema_errors(entity: dict) -> list[str]:
    validator = VALIDATORS[entity["type"]]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(key_values(entity))]


def ngsi_ld_operations() -> set[str]:
    """Operation ids whose documented answers include application/ld+json."""
    found = set()
    for operations in api.get_openapi_schema()["paths"].values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if str(status).startswith("2") and ngsild.LD_JSON in answer.get("content", {}):
                    found.add(operation["operationId"])
    return found


@pytest.fixture
def served(rouen):
    """Rouen with demo air stations and a day of readings, and the demo car parks in every state."""
    ensure_demo_stations()
    _ingest_a_day_of_air(rouen)
    mobility_demo.load(history=False)
    capacities = dict(CarPark.objects.filter(city=rouen).values_list("sensor__external_id", "capacity"))
    free = {"ROUEN-P-VIEUX-MARCHE": 120, "ROUEN-P-OPERA": 0, "ROUEN-P-SAINT-MARC": 5}
    for sensor, value in free.items():
        assert capacities[sensor]
        push(rouen, sensor, value)
    return rouen


def test_the_walk_covers_every_operation_documented_as_ngsi_ld():
    """A new NGSI-LD endpoint must join NGSI_LD, so that the walks below check it."""
    assert ngsi_ld_operations() - set(OTHER_JSON_LD) == set(NGSI_LD)


def test_the_schemas_have_teeth():
    """What the issue found wrong in OffStreetParking is refused by the schema itself."""
    entity = {"id": "urn:ngsi-ld:OffStreetParking:x", "type": "OffStreetParking",
              "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0, 49.4]}}}
    assert schema_errors(entity) == []
    for name, value in [("status", ["unknown"]), ("category", ["parkAndRide"]), ("owner", ["Rouen Park SEM"])]:
        assert schema_errors({**entity, name: {"type": "Property", "value": value}}), name
    assert schema_errors({"id": "urn:ngsi-ld:AirQualityObserved:x", "type": "AirQualityObserved",
                          "location": entity["location"]})  # dateObserved is required


@pytest.mark.django_db
@pytest.mark.parametrize("operation_id", sorted(NGSI_LD))
def test_every_ngsi_ld_entity_validates_against_its_smart_data_model(served, operation_id):
    url = f"/api/v1/cities/{served.slug}{NGSI_LD[operation_id]}"
    by_format = Client().get(url, {"format": "ngsi-ld"})
    by_accept = Client().get(url, headers={"Accept": "application/ld+json"})
    for answer in (by_format, by_accept):
        assert answer.status_code == 200, answer.content[:300]
        assert answer["Content-Type"] == ngsild.LD_JSON
        assert "Accept" in answer["Vary"]
    entities = by_accept.json()
    assert entities and entities == by_format.json()
    types = set()
    for entity in entities:
        types.add(entity["type"])
        assert entity["@context"][0].startswith("https://raw.githubusercontent.com/smart-data-models/")
        assert entity["@context"][-1].startswith("https://uri.etsi.org/ngsi-ld/")
        assert schema_errors(entity) == [], entity["id"]
    assert types <= set(VALIDATORS)


@pytest.mark.django_db
@pytest.mark.parametrize("operation_id", sorted(NGSI_LD))
def test_json_answer_gives_the_context_in_a_link_header(served, operation_id):
    """Accept: application/json with ?format=ngsi-ld: no @context in the body, one Link header instead."""
    url = f"/api/v1/cities/{served.slug}{NGSI_LD[operation_id]}"
    answer = Client().get(url, {"format": "ngsi-ld"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    entities = answer.json()
    assert entities and all("@context" not in entity for entity in entities)
    link = answer["Link"]
    assert link.count("<") == 1 and 'rel="http://www.w3.org/ns/json-ld#context"' in link
    assert 'type="application/ld+json"' in link and "smart-data-models" in link
    assert all(schema_errors(entity) == [] for entity in entities)
    # Without format and without ld+json in Accept, the answer stays GeoJSON.
    default = Client().get(url, headers={"Accept": "application/json"})
    assert default["Content-Type"] == "application/geo+json" and "Accept" in default["Vary"]


@pytest.mark.django_db
def test_off_street_parking_uses_the_models_vocabulary(served):
    entities = {e["id"]: e for e in Client().get("/api/v1/cities/rouen/car-parks", {"format": "ngsi-ld"}).json()}
    relay = entities["urn:ngsi-ld:OffStreetParking:ROUEN-P-MONT-RIBOUDET"]
    assert relay["usageScenario"]["value"] == ["parkAndRide"]
    assert "parkAndRide" not in relay["category"]["value"]
    assert "status" not in relay  # no reading: unknown, which the model's enumeration does not have
    assert entities["urn:ngsi-ld:OffStreetParking:ROUEN-P-OPERA"]["status"]["value"] == ["full"]
    assert all("simulated" in entity["source"]["value"] for entity in entities.values())  # demo car parks
    features = Client().get("/api/v1/cities/rouen/car-parks").json()["features"]
    assert features and all(feature["properties"]["simulated"] for feature in features)
    owners = [owner for e in entities.values() for owner in e.get("owner", {}).get("value", [])]
    assert owners and all(owner.startswith(("urn:ngsi-ld:Organization:rouen:", "https://")) for owner in owners)
