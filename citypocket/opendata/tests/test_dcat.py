"""The catalogs in DCAT-AP 3.0.1: valid against the SEMIC SHACL shapes (0 violations) and the HVD shapes
for the high-value datasets, in every serialization, for a city and for the federation."""

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.tests.conftest import publish
from citypocket.opendata.tests.shacl import high_value_part, violations

pytestmark = pytest.mark.django_db

R5R = "http://data.europa.eu/r5r/"
HVD = "http://data.europa.eu/bna/"
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


def fetch(client, url: str, code: str, **headers) -> Graph:
    response = client.get(url, {"format": code} if code else {}, **headers)
    assert response.status_code == 200, response.content
    return Graph().parse(data=response.content, format=FORMATS[code or "ttl"])


@pytest.mark.parametrize("code", ["ttl", "jsonld", "rdf"])
def test_city_catalog_conforms_to_dcat_ap_and_hvd(client, published, code):
    """Rouen's catalog, in each serialization: no DCAT-AP violation; its high-value part: no HVD violation."""
    graph = fetch(client, "/api/v1/cities/rouen/catalog", code)
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == len(list_platform_datasets())
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""
    assert violations(high_value_part(graph), "dcat-ap-hvd-3.0.0-SHACL.ttl") == ""


@pytest.mark.parametrize("code", ["ttl", "jsonld"])
def test_federation_catalog_conforms_and_lists_every_city(client, published, aix, code):
    """The install's catalog lists both cities' catalogs and datasets, each dataset published by its city."""
    publish(aix, station_id="FR03043")
    graph = fetch(client, "/api/v1/catalog", code)
    federation = URIRef("http://testserver/api/v1/catalog")
    assert set(graph.objects(federation, DCAT.catalog)) == {
        URIRef("http://testserver/api/v1/cities/rouen/catalog"),
        URIRef("http://testserver/api/v1/cities/aix-en-provence/catalog"),
    }
    datasets = set(graph.objects(federation, DCAT.dataset))
    assert len(datasets) == 2 * len(list_platform_datasets())
    aix_air = URIRef("http://testserver/api/v1/cities/aix-en-provence/data/air-observations")
    assert graph.value(aix_air, DCTERMS.publisher) == URIRef("http://testserver/api/v1/cities/aix-en-provence")
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""
    assert violations(high_value_part(graph), "dcat-ap-hvd-3.0.0-SHACL.ttl") == ""


def test_air_and_car_park_datasets_carry_their_hvd_category_and_legislation(client, published):
    """Air quality is "Earth observation and environment", car parks "Mobility"; safety is no HVD."""
    graph = fetch(client, "/api/v1/cities/rouen/catalog", "ttl")
    base = "http://testserver/api/v1/cities/rouen/data/"
    category = URIRef(R5R + "hvdCategory")
    assert graph.value(URIRef(base + "air-observations"), category) == URIRef(HVD + "c_dd313021")
    assert graph.value(URIRef(base + "air-daily-indices"), category) == URIRef(HVD + "c_dd313021")
    assert graph.value(URIRef(base + "car-parks"), category) == URIRef(HVD + "c_b79e35eb")
    assert graph.value(URIRef(base + "safe-places"), category) is None
    legislation = graph.value(URIRef(base + "car-parks"), URIRef(R5R + "applicableLegislation"))
    assert legislation == URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")


def test_car_parks_conform_to_the_national_schema_and_name_the_city(client, published):
    """conformsTo the national parking schema; spatial coverage is the INSEE commune and a bounding box;
    the publisher carries the city's official identifier."""
    graph = fetch(client, "/api/v1/cities/rouen/catalog", "ttl")
    car_parks = URIRef("http://testserver/api/v1/cities/rouen/data/car-parks")
    assert graph.value(car_parks, DCTERMS.conformsTo) == URIRef(
        "https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/")
    spatial = set(graph.objects(car_parks, DCTERMS.spatial))
    assert URIRef("http://id.insee.fr/geo/commune/76540") in spatial
    assert any(graph.value(node, DCAT.bbox) is not None for node in spatial)
    publisher = graph.value(car_parks, DCTERMS.publisher)
    assert str(graph.value(publisher, DCTERMS.identifier)) == "76540"
    titles = {t.language: str(t) for t in graph.objects(car_parks, DCTERMS.title)}
    assert titles == {"fr": "Lieux de stationnement", "en": "Car parks"}


@pytest.mark.parametrize(("accept", "media"), [
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
    ("application/json", "application/ld+json"),
    ("text/html", "text/turtle"),
])
def test_catalog_follows_the_accept_header(client, published, accept, media):
    response = client.get("/api/v1/cities/rouen/catalog", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media)
    assert "Accept" in [part.strip() for part in response["Vary"].split(",")]


def test_format_parameter_wins_and_a_bad_one_is_422(client, published):
    response = client.get("/api/v1/cities/rouen/catalog?format=rdf", HTTP_ACCEPT="text/turtle")
    assert response["Content-Type"].startswith("application/rdf+xml")
    bad = client.get("/api/v1/cities/rouen/catalog?format=csv")
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"


def test_catalog_pages_with_hydra(client, published):
    """Three datasets a page: page 2 links to the first, previous, next and last pages."""
    graph = fetch(client, "/api/v1/cities/rouen/catalog?page=2&page_size=3", "")
    page = URIRef("http://testserver/api/v1/cities/rouen/catalog?page=2&page_size=3")
    hydra = "http://www.w3.org/ns/hydra/core#"
    total = len(list_platform_datasets())
    assert int(graph.value(page, URIRef(hydra + "totalItems"))) == total
    assert graph.value(page, URIRef(hydra + "nextPage")) == URIRef(
        "http://testserver/api/v1/cities/rouen/catalog?page=3&page_size=3")
    assert graph.value(page, URIRef(hydra + "lastPage")) == URIRef(
        f"http://testserver/api/v1/cities/rouen/catalog?page={-(-total // 3)}&page_size=3")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 3
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""


def test_catalog_answers_304_to_its_etag(client, published):
    first = client.get("/api/v1/cities/rouen/catalog")
    again = client.get("/api/v1/cities/rouen/catalog", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "public" in first["Cache-Control"]


def test_unknown_city_is_a_404_problem(client, published):
    response = client.get("/api/v1/cities/atlantis/catalog")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
