"""Harvesting over loopback: a DCAT-AP catalog paged with Hydra (data.gouv.fr's shape), a CKAN
package_search, an OpenDataSoft Explore v2.1 catalog. Real HTTP to a real server thread; nothing
mocked between the harvester and the socket."""

import json

import pytest
from django.core.management import CommandError, call_command
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from citypocket.audit.models import AuditEntry
from citypocket.opendata.dcat import ADMS
from citypocket.opendata.harvesting import services, sources
from citypocket.opendata.models import (
    Dataset,
    DatasetSource,
    Distribution,
    HarvestJob,
    HarvestKind,
    HarvestSource,
    HarvestStatus,
)
from citypocket.opendata.registry import list_platform_datasets
from citypocket.opendata.services import ensure_catalog
from citypocket.opendata.tests.harvest_server import CatalogServer
from citypocket.opendata.tests.shacl import violations

pytestmark = pytest.mark.django_db

BUS_STOPS = "https://www.data.gouv.fr/fr/datasets/5e5e8b7a634f413a7b1e1c6a/"
GLASS = "https://www.data.gouv.fr/fr/datasets/5b7ffc618b4c4169d30727e0/"
ATMO = "https://www.data.gouv.fr/fr/datasets/61a5f2c7e1b2a3c4d5e6f708/"


@pytest.fixture
def remote(settings):
    """The sources of these tests are served on 127.0.0.1: a private network, allowed here only."""
    settings.OPENDATA_HARVEST_PRIVATE_NETWORKS = True
    with CatalogServer() as server:
        yield server


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]"])
def test_a_source_on_a_private_network_is_refused_and_nothing_is_read(rouen, settings, host):
    """A source URL must not make the server read its own network (cloud metadata, internal services)."""
    settings.OPENDATA_HARVEST_PRIVATE_NETWORKS = False
    source = HarvestSource.objects.create(city=rouen, kind="dcat", url=f"http://{host}:9/catalog.ttl", title="Inside")
    job = services.run_harvest(source)
    assert job.status == HarvestStatus.FAILED
    assert "not a public address" in json.dumps(job.errors)
    assert not Dataset.objects.filter(source=DatasetSource.HARVEST).exists()


def source_for(city, remote, kind: str, **fields) -> HarvestSource:
    url = {"dcat": f"{remote.base}/catalog.jsonld?page=1&page_size=2"}.get(kind, remote.base)
    return HarvestSource.objects.create(city=city, kind=kind, url=url, title=f"Test {kind}", **fields)


def harvested(city) -> dict[str, Dataset]:
    return {d.source_uri: d for d in Dataset.objects.filter(city=city, source=DatasetSource.HARVEST)}


def audit_events(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=action))


# --- DCAT-AP with Hydra paging -------------------------------------------------------------------------


def test_a_dcat_catalog_is_read_page_by_page_keeping_publisher_and_source(rouen, remote):
    job = services.run_harvest(source_for(rouen, remote, HarvestKind.DCAT))
    assert (job.status, job.pages, job.seen, job.created, job.updated, job.withdrawn, job.errors) == (
        HarvestStatus.DONE, 2, 3, 3, 0, 0, [])
    assert [hit.split("?")[1] for hit in remote.hits] == ["page=1&page_size=2", "page=2&page_size=2"]
    datasets = harvested(rouen)
    assert set(datasets) == {BUS_STOPS, GLASS, ATMO}
    stops = datasets[BUS_STOPS]
    assert stops.title_fr == "Arrêts de bus et de métro de la Métropole Rouen Normandie"
    assert stops.publisher_name == "Métropole Rouen Normandie"
    assert datasets[ATMO].publisher_name == "Atmo Normandie"
    assert stops.landing_page == ("https://www.data.gouv.fr/fr/datasets/"
                                  "arrets-de-bus-et-de-metro-de-la-metropole-rouen-normandie/")
    assert stops.licence == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert datasets[ATMO].licence == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert (stops.accrual_periodicity, datasets[ATMO].accrual_periodicity) == ("MONTHLY", "DAILY")
    assert stops.keywords_fr == ["arrets", "gtfs", "transport"]
    assert stops.modified.isoformat() == "2024-09-02T07:15:31.527000+00:00"
    assert stops.harvest_source == job.source and stops.is_published
    files = {d.format: d for d in stops.distributions.all()}
    assert set(files) == {"csv", "zip"}
    assert files["csv"].download_url == "https://static.data.gouv.fr/resources/arrets-de-bus/20240902-071531/arrets.csv"
    assert files["csv"].access_url == "https://www.data.gouv.fr/fr/datasets/r/1c2f0d8e-5b9a-4d5e-8f3c-1f3f6d9e2a10"
    assert (files["csv"].media_type, files["csv"].byte_size) == ("text/csv", 284731)
    api = datasets[ATMO].distributions.get()
    assert (api.download_url, api.access_url) == (
        "", "https://services9.arcgis.com/7Sr9Ek9c1QTKmbwr/arcgis/rest/services/ind_normandie/FeatureServer")
    job.source.refresh_from_db()
    assert job.source.last_job == job
    assert len(audit_events("opendata.harvest.publish")) == 3


def test_a_second_run_changes_nothing_and_a_dataset_gone_at_the_source_is_withdrawn(rouen, remote, client):
    source = source_for(rouen, remote, HarvestKind.DCAT)
    services.run_harvest(source)
    first = {uri: (d.pk, d.slug) for uri, d in harvested(rouen).items()}
    again = services.run_harvest(source)
    assert (again.status, again.created, again.updated, again.unchanged, again.withdrawn) == (
        HarvestStatus.DONE, 0, 0, 3, 0)
    assert {uri: (d.pk, d.slug) for uri, d in harvested(rouen).items()} == first
    assert Distribution.objects.filter(dataset__city=rouen).count() == 4

    remote.drop_from_datagouv("5b7ffc618b4c4169d30727e0")
    gone = services.run_harvest(source)
    assert (gone.created, gone.updated, gone.unchanged, gone.withdrawn) == (0, 0, 2, 1)
    glass = Dataset.objects.get(source_uri=GLASS)
    assert not glass.is_published  # kept, withdrawn
    [entry] = audit_events("opendata.harvest.withdraw")
    assert (entry.object_pk, entry.city_id) == (str(glass.pk), rouen.pk)
    ensure_catalog(city=rouen)
    listed = client.get("/api/v1/cities/rouen/data").json()
    assert glass.slug not in {item["slug"] for item in listed["items"]}
    assert client.get(f"/rouen/data/{glass.slug}/").status_code == 404

    remote.datagouv_pages = CatalogServer().datagouv_pages  # the source lists it again
    back = services.run_harvest(source)
    assert (back.created, back.updated, back.withdrawn) == (0, 1, 0)
    glass.refresh_from_db()
    assert glass.is_published and glass.slug == first[GLASS][1]
    assert len(audit_events("opendata.harvest.republish")) == 1


def test_a_changed_record_is_updated_in_place(rouen, remote):
    source = source_for(rouen, remote, HarvestKind.DCAT)
    services.run_harvest(source)
    remote.edit_datagouv("5e5e8b7a634f413a7b1e1c6a", **{"dct:title": "Arrêts du réseau Astuce"})
    job = services.run_harvest(source)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 2)
    stops = Dataset.objects.get(source_uri=BUS_STOPS)
    assert stops.title_fr == "Arrêts du réseau Astuce"
    assert stops.distributions.count() == 2  # replaced, not duplicated


def test_a_record_without_title_is_skipped_and_named_the_others_are_kept(rouen, remote):
    source = source_for(rouen, remote, HarvestKind.DCAT)
    services.run_harvest(source)
    remote.edit_datagouv("5b7ffc618b4c4169d30727e0", **{"dct:title": []})
    job = services.run_harvest(source)
    assert job.status == HarvestStatus.PARTIAL
    assert job.errors == [f"{GLASS}: no dct:title"]
    assert job.withdrawn == 0  # still listed by the source: not withdrawn
    assert Dataset.objects.get(source_uri=GLASS).is_published


def test_turtle_and_rdf_xml_catalogs_are_read_too(rouen, remote):
    graph = Graph().parse(data=remote.datagouv({"page": "1"})[2], format="json-ld")
    remote.routes["/catalog.ttl"] = lambda q: (200, "text/turtle", graph.serialize(format="turtle"))
    remote.routes["/catalog.rdf"] = lambda q: (200, "application/rdf+xml", graph.serialize(format="xml"))
    for path in ("/catalog.ttl", "/catalog.rdf"):
        listing = sources.read_source("dcat", remote.base + path)
        # page 1 names page 2 (the JSON-LD catalog); each format read the same datasets
        assert {r.identifier for r in listing.records} == {BUS_STOPS, GLASS, ATMO}


def test_a_page_pointing_back_ends_the_listing_and_too_many_pages_fail(rouen, remote, monkeypatch):
    page2 = json.loads(remote.datagouv_pages[2])
    page2["@graph"][0]["hydra:nextPage"] = "https://www.data.gouv.fr/catalog.jsonld?page=1&page_size=2"
    remote.datagouv_pages[2] = json.dumps(page2)
    source = source_for(rouen, remote, HarvestKind.DCAT)
    job = services.run_harvest(source)
    assert (job.status, job.pages, job.created) == (HarvestStatus.DONE, 2, 3)
    monkeypatch.setattr(sources, "MAX_PAGES", 1)
    job = services.run_harvest(source)
    assert job.status == HarvestStatus.FAILED and "more than 1 pages" in job.errors[0]


# --- a bad source changes nothing ------------------------------------------------------------------


def _break(remote, how: str, monkeypatch):
    if how == "500":
        remote.routes["/catalog.jsonld"] = lambda q: (500, "text/html", "<h1>Internal Server Error</h1>")
    elif how == "invalid rdf":
        remote.routes["/catalog.jsonld"] = lambda q: (200, "text/turtle", "@prefix dcat: <x> .\n<a> dcat:b ")
    elif how == "invalid json-ld":
        remote.routes["/catalog.jsonld"] = lambda q: (200, "application/ld+json", '{"@graph": [')
    elif how == "timeout":
        monkeypatch.setattr(sources, "TIMEOUT", 0.3)
        remote.delay = 1.0
    elif how == "second page 500":
        good = remote.routes["/catalog.jsonld"]
        remote.routes["/catalog.jsonld"] = lambda q: good(q) if q.get("page") == "1" else (503, "text/plain", "busy")


@pytest.mark.parametrize(("how", "message"), [
    ("500", "HTTP 500"), ("invalid rdf", "not readable as turtle"), ("invalid json-ld", "not readable as json-ld"),
    ("timeout", "no answer within 0.3 s"), ("second page 500", "HTTP 503"),
])
def test_a_source_that_fails_is_recorded_and_nothing_is_applied(rouen, remote, monkeypatch, how, message):
    source = source_for(rouen, remote, HarvestKind.DCAT)
    services.run_harvest(source)
    remote.drop_from_datagouv("5b7ffc618b4c4169d30727e0")  # would be withdrawn by a run that succeeds
    remote.edit_datagouv("5e5e8b7a634f413a7b1e1c6a", **{"dct:title": "Changed"})
    before = list(Dataset.objects.order_by("pk").values())
    _break(remote, how, monkeypatch)
    job = services.run_harvest(source)
    assert job.status == HarvestStatus.FAILED
    assert len(job.errors) == 1 and message in job.errors[0], job.errors
    assert (job.created, job.updated, job.withdrawn) == (0, 0, 0)
    assert list(Dataset.objects.order_by("pk").values()) == before
    assert job.finished_at is not None


def test_a_failure_while_applying_rolls_everything_back(rouen, remote, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Distribution.objects, "bulk_create", broken)
    job = services.run_harvest(source_for(rouen, remote, HarvestKind.DCAT))
    assert job.status == HarvestStatus.FAILED and job.errors == ["could not be applied: RuntimeError"]
    assert (job.created, job.updated, job.withdrawn) == (0, 0, 0)
    assert not Dataset.objects.filter(city=rouen).exists()
    assert not audit_events("opendata.harvest.publish")


def test_an_unreachable_source_fails_its_job_and_the_others_still_run(rouen, aix, remote):
    dead = HarvestSource.objects.create(city=rouen, kind="ckan", url="http://127.0.0.1:9", title="Dead")
    alive = source_for(aix, remote, HarvestKind.ODS)
    jobs = services.harvest_due_sources(schedule="hourly")
    assert [(j.source, j.status) for j in jobs] == [(dead, HarvestStatus.FAILED), (alive, HarvestStatus.DONE)]
    assert "ConnectError" in jobs[0].errors[0]


# --- CKAN ---------------------------------------------------------------------------------------------


def test_a_ckan_portal_is_read_with_rows_and_start(rouen, remote, monkeypatch):
    monkeypatch.setattr(sources, "CKAN_ROWS", 2)
    source = source_for(rouen, remote, HarvestKind.CKAN, publisher_name="Portail d'exemple")
    job = services.run_harvest(source)
    assert (job.status, job.pages, job.created) == (HarvestStatus.DONE, 2, 3)
    assert [hit.split("?")[1] for hit in remote.hits] == ["rows=2&start=0", "rows=2&start=2"]
    datasets = harvested(rouen)
    bikes = datasets["c7b5f2a1-6d3e-4f8a-9b1c-2d3e4f5a6b7c"]
    assert (bikes.title_fr, bikes.publisher_name) == ("Pistes cyclables", "Ville d'Exemple")
    assert bikes.landing_page == f"{remote.base}/dataset/pistes-cyclables"
    assert bikes.licence == "http://www.opendefinition.org/licenses/cc-by"
    assert sorted(bikes.keywords_fr) == ["mobilité", "vélo"]
    files = {d.format: d for d in bikes.distributions.all()}
    assert files["geojson"].download_url.endswith("/download/pistes-cyclables.geojson")
    assert (files["geojson"].byte_size, files["geojson"].media_type) == (528114, "application/geo+json")
    assert (files["html"].access_url, files["html"].download_url) == ("https://carto.example.org/velo", "")
    trees = datasets["a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"]
    assert (trees.publisher_name, trees.licence) == ("Portail d'exemple", "")  # no organization, no licence

    remote.ckan_packages.pop(1)
    job = services.run_harvest(source)
    assert (job.unchanged, job.withdrawn) == (2, 1)
    assert not Dataset.objects.get(source_uri="e2d1c0b9-a8f7-4e6d-5c4b-3a2918070605").is_published


def test_nothing_personal_of_a_ckan_package_is_kept_or_published(rouen, remote, client):
    services.run_harvest(source_for(rouen, remote, HarvestKind.CKAN))
    ensure_catalog(city=rouen)
    stored = json.dumps(list(Dataset.objects.values()), default=str)
    stored += json.dumps(list(Distribution.objects.values()), default=str)
    published = client.get("/api/v1/cities/rouen/catalog?format=ttl").content.decode()
    published += client.get("/api/v1/cities/rouen/data").content.decode()
    for text in (stored, published):
        assert "canary" not in text and "Jeanne" not in text


def test_a_ckan_answer_that_is_not_package_search_fails(rouen, remote):
    remote.routes["/api/3/action/package_search"] = lambda q: (200, "application/json", '{"success": false}')
    job = services.run_harvest(source_for(rouen, remote, HarvestKind.CKAN))
    assert job.status == HarvestStatus.FAILED and "not a package_search answer" in job.errors[0]


# --- OpenDataSoft Explore v2.1 -------------------------------------------------------------------------


def test_an_opendatasoft_portal_is_read_with_limit_and_offset(rouen, remote, monkeypatch):
    monkeypatch.setattr(sources, "ODS_LIMIT", 2)
    job = services.run_harvest(source_for(rouen, remote, HarvestKind.ODS))
    assert (job.status, job.pages, job.created) == (HarvestStatus.DONE, 2, 3)
    assert [hit.split("?")[1] for hit in remote.hits] == ["limit=2&offset=0", "limit=2&offset=2"]
    datasets = harvested(rouen)
    relais = datasets["da_4f8x2k"]
    assert relais.title_fr == "Parkings relais (P+R)"
    assert relais.description_fr == "Localisation et capacité des parkings relais du réseau Astuce."
    assert (relais.publisher_name, relais.row_count) == ("Métropole Rouen Normandie", 14)
    assert relais.landing_page == f"{remote.base}/explore/dataset/parkings-relais/"
    assert relais.issued.isoformat() == "2019-02-12T00:00:00+00:00"
    exports = f"{remote.base}/api/explore/v2.1/catalog/datasets/parkings-relais/exports"
    assert {d.format: d.download_url for d in relais.distributions.all()} == {
        "csv": f"{exports}/csv", "json": f"{exports}/json", "geojson": f"{exports}/geojson"}
    schools = datasets["da_x9r2jd"]
    assert schools.licence == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert schools.description_fr == "Liste des écoles publiques & privées sous contrat."
    assert {d.format for d in schools.distributions.all()} == {"csv", "json"}
    plan = datasets["da_7mkq1w"]
    [attachment] = plan.distributions.all()
    assert (attachment.format, attachment.media_type) == ("zip", "application/zip")
    assert "canary" not in json.dumps(list(Dataset.objects.values()), default=str)


def test_an_opendatasoft_answer_that_is_not_json_fails(rouen, remote):
    remote.routes["/api/explore/v2.1/catalog/datasets"] = lambda q: (200, "text/html", "<html>maintenance</html>")
    job = services.run_harvest(source_for(rouen, remote, HarvestKind.ODS))
    assert job.status == HarvestStatus.FAILED and "not JSON" in job.errors[0]


# --- in the city's catalog ---------------------------------------------------------------------------


@pytest.fixture
def with_harvest(published, remote):
    """Rouen publishes its platform datasets and harvests data.gouv.fr's catalog and a CKAN portal."""
    services.run_harvest(source_for(published.city, remote, HarvestKind.DCAT))
    services.run_harvest(source_for(published.city, remote, HarvestKind.CKAN))
    return published


@pytest.mark.parametrize("code", ["ttl", "jsonld"])
def test_harvested_datasets_are_in_the_catalog_with_their_publisher_and_source(client, with_harvest, code):
    fmt = {"ttl": "turtle", "jsonld": "json-ld"}[code]
    graph = Graph().parse(data=client.get(f"/api/v1/cities/rouen/catalog?format={code}").content, format=fmt)
    assert len(set(graph.subjects(predicate=DCAT.distribution))) >= len(list_platform_datasets()) + 6
    catalog = URIRef("http://testserver/api/v1/cities/rouen/catalog")
    assert len(set(graph.objects(catalog, DCAT.dataset))) == len(list_platform_datasets()) + 6
    stops = Dataset.objects.get(source_uri=BUS_STOPS)
    node = URIRef(f"http://testserver/api/v1/cities/rouen/data/{stops.slug}")
    assert str(graph.value(graph.value(node, DCTERMS.publisher), FOAF.name)) == "Métropole Rouen Normandie"
    assert str(graph.value(node, DCAT.landingPage)) == stops.landing_page
    assert str(graph.value(graph.value(node, ADMS.identifier), SKOS.notation)) == BUS_STOPS
    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(node, DCAT.distribution)}
    assert "https://static.data.gouv.fr/resources/arrets-de-bus/20240902-071531/arrets.csv" in downloads
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""


def test_the_federation_catalog_keeps_conforming_with_harvested_datasets(client, with_harvest):
    graph = Graph().parse(data=client.get("/api/v1/catalog?format=ttl").content, format="turtle")
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""


def test_a_harvested_dataset_has_no_rows_here_but_a_description_and_a_page(client, with_harvest):
    stops = Dataset.objects.get(source_uri=BUS_STOPS)
    assert client.get(f"/api/v1/cities/rouen/data/{stops.slug}/rows").status_code == 404
    assert client.get(f"/api/v1/cities/rouen/data/{stops.slug}/rows?format=csv").status_code == 404
    described = client.get(f"/api/v1/cities/rouen/data/{stops.slug}").json()
    assert described["harvested"] and described["rows_url"] is None and described["fields"] == []
    assert described["publisher"] == "Métropole Rouen Normandie"
    assert described["landing_page"] == stops.landing_page
    assert {d["url"] for d in described["downloads"]} >= {
        "https://static.data.gouv.fr/resources/arrets-de-bus/20240902-071531/arrets.csv"}
    page = client.get(f"/rouen/data/{stops.slug}/").content.decode()
    assert f'href="{stops.landing_page}"' in page and "Métropole Rouen Normandie" in page
    assert "/rows?limit=100" not in page
    portal = client.get("/rouen/data/").content.decode()
    assert stops.title_fr in portal and "air-observations" in portal
    platform = client.get("/api/v1/cities/rouen/data/air-observations").json()
    assert not platform["harvested"] and platform["rows_url"].endswith("/air-observations/rows")


def test_a_harvested_slug_never_takes_a_platform_datasets(rouen, remote):
    remote.edit_datagouv("5e5e8b7a634f413a7b1e1c6a", **{"dct:title": "Car parks"})
    services.run_harvest(source_for(rouen, remote, HarvestKind.DCAT))
    assert Dataset.objects.get(source_uri=BUS_STOPS).slug == "car-parks-2"


# --- command, clock, back office ------------------------------------------------------------------------


def test_the_command_harvests_one_source_or_all(rouen, remote, capsys):
    source = source_for(rouen, remote, HarvestKind.ODS)
    call_command("harvest", "--source", str(source.pk))
    assert "done, 3 created, 0 updated, 0 unchanged, 0 withdrawn" in capsys.readouterr().out
    call_command("harvest")
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert HarvestJob.objects.filter(source=source).count() == 2
    with pytest.raises(CommandError):
        call_command("harvest", "--source", "999999")
    HarvestSource.objects.create(city=rouen, kind="ckan", url="http://127.0.0.1:9", title="Dead")
    with pytest.raises(CommandError, match="1 source"):
        call_command("harvest")


def test_the_clock_job_runs_hourly_sources_only(rouen, remote):
    from citypocket.opendata.schedule import harvest_sources

    hourly = source_for(rouen, remote, HarvestKind.ODS)
    HarvestSource.objects.create(city=rouen, kind="ckan", url=f"{remote.base}/", title="Manual", schedule="manual")
    HarvestSource.objects.create(city=rouen, kind="dcat", url=f"{remote.base}/x", title="Off", enabled=False)
    assert harvest_sources.call() == {str(hourly.pk): "done"}


def test_a_data_publisher_sees_the_sources_and_jobs_of_their_city_only(client, rouen, aix, remote):
    from citypocket.cities.models import Role
    from testsupport import login, make_staff

    own = source_for(rouen, remote, HarvestKind.ODS)
    other = source_for(aix, remote, HarvestKind.CKAN)
    services.run_harvest(own)
    services.run_harvest(other)
    login(client, make_staff(rouen, Role.DATA_PUBLISHER))
    page = client.get("/admin/opendata/harvestsource/")
    assert page.status_code == 200
    text = page.content.decode()
    assert own.title in text and other.title not in text
    jobs = client.get("/admin/opendata/harvestjob/").content.decode()
    assert jobs.count("Test ods") >= 1 and "Test ckan" not in jobs
    assert client.get(f"/admin/opendata/harvestsource/{other.pk}/change/").status_code in (302, 403, 404)
