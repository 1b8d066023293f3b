"""Restricted datasets: read by the staff and read tokens of the owning city and its partner cities; for
everyone else a 404 and absent from every catalog and list; never kept by a shared cache."""

import re

import pytest
from django.test import Client
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from citypocket.audit.models import AuditEntry
from citypocket.cities.models import Role
from citypocket.opendata.access import create_data_access_token, revoke_data_access_token
from citypocket.opendata.models import Dataset, DatasetAccess
from citypocket.opendata.services import sync_platform_datasets
from testsupport import CityFactory, login, make_staff

pytestmark = pytest.mark.django_db

SLUG = "air-observations"
BASE = "/api/v1/cities/rouen/data"
DATASET_IRI = URIRef(f"http://testserver{BASE}/{SLUG}")


@pytest.fixture
def restricted(published, aix):
    """Rouen's air observations restricted to Rouen and its partner Aix; Lyon is another city."""
    dataset = Dataset.objects.get(city=published.city, slug=SLUG)
    dataset.access = DatasetAccess.RESTRICTED
    dataset.save()
    dataset.partner_cities.set([aix])
    return dataset


@pytest.fixture
def lyon():
    return CityFactory(slug="lyon", name="Lyon", insee_codes=["69123"])


def staff_client(city) -> Client:
    return login(Client(), make_staff(city, Role.EDITOR))


def token_client(city, **kwargs) -> Client:
    _row, token = create_data_access_token(city=city, **kwargs)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def sees(client: Client) -> dict:
    """What `client` gets of the restricted dataset, everywhere it could show."""
    listed = client.get(BASE)
    assert listed.status_code == 200
    catalogs = {}
    for url in ("/api/v1/cities/rouen/catalog", "/api/v1/catalog"):
        answer = client.get(url, {"format": "ttl"})
        assert answer.status_code == 200
        catalogs[url] = DATASET_IRI in set(Graph().parse(data=answer.content, format="turtle").subjects())
    portal = client.get("/rouen/data/")
    return {
        "dataset": client.get(f"{BASE}/{SLUG}").status_code,
        "rows": client.get(f"{BASE}/{SLUG}/rows").status_code,
        "csv": client.get(f"{BASE}/{SLUG}/rows", {"format": "csv"}).status_code,
        "page": client.get(f"/rouen/data/{SLUG}/").status_code,
        "listed": SLUG in {item["slug"] for item in listed.json()["items"]},
        "in_catalogs": any(catalogs.values()),
        "in_portal": f"/rouen/data/{SLUG}/" in portal.content.decode(),
    }


NOTHING = {"dataset": 404, "rows": 404, "csv": 404, "page": 404, "listed": False, "in_catalogs": False,
           "in_portal": False}
EVERYTHING_API = {"dataset": 200, "rows": 200, "csv": 200, "listed": True, "in_catalogs": True}


def test_anonymous_and_other_cities_see_nothing(restricted, lyon):
    assert sees(Client()) == NOTHING
    assert sees(staff_client(lyon)) == NOTHING
    lyon_token = sees(token_client(lyon))
    assert lyon_token == NOTHING


def test_partner_and_owner_staff_read_it(restricted, aix):
    for city in (aix, restricted.city):
        seen = sees(staff_client(city))
        assert seen == {**EVERYTHING_API, "page": 200, "in_portal": True}, city


def test_partner_and_owner_tokens_read_rows_and_csv(restricted, aix):
    for city in (aix, restricted.city):
        client = token_client(city)
        assert {k: v for k, v in sees(client).items() if k in EVERYTHING_API} == EVERYTHING_API
        rows = client.get(f"{BASE}/{SLUG}/rows")
        assert len(rows.json()["items"]) == 6
        assert "private" in rows["Cache-Control"] and "public" not in rows["Cache-Control"]
        csv = client.get(f"{BASE}/{SLUG}/rows", {"format": "csv"})
        assert b"".join(csv.streaming_content).decode().startswith("id,station,property")
        assert "no-store" in csv["Cache-Control"]


def test_a_token_needs_the_read_scope_and_stops_when_revoked(restricted, aix):
    assert Client(HTTP_AUTHORIZATION="Bearer nothing").get(f"{BASE}/{SLUG}/rows").status_code == 401
    assert token_client(aix, scopes=()).get(f"{BASE}/{SLUG}/rows").status_code == 404
    row, token = create_data_access_token(city=aix)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"{BASE}/{SLUG}/rows").status_code == 200
    revoke_data_access_token(token=row)
    answer = client.get(f"{BASE}/{SLUG}/rows")
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"


def test_public_answers_stay_public_and_their_etags_do_not_depend_on_restricted_data(restricted):
    """The anonymous catalog is the catalog without the dataset: same ETag as when it does not exist."""
    anonymous = Client()
    catalog = anonymous.get("/api/v1/cities/rouen/catalog")
    assert "public" in catalog["Cache-Control"]
    listed = anonymous.get(BASE)
    assert "public" in listed["Cache-Control"]
    federation = anonymous.get("/api/v1/catalog")
    restricted.delete()
    assert anonymous.get("/api/v1/cities/rouen/catalog")["ETag"] == catalog["ETag"]
    assert anonymous.get("/api/v1/catalog")["ETag"] == federation["ETag"]
    assert anonymous.get(BASE).content == listed.content


def test_restricted_dataset_says_so_in_the_catalog_of_who_may_read_it(restricted, aix):
    answer = staff_client(aix).get("/api/v1/cities/rouen/catalog", {"format": "ttl"})
    graph = Graph().parse(data=answer.content, format="turtle")
    assert graph.value(DATASET_IRI, DCTERMS.accessRights) == URIRef(
        "http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
    service = next(graph.subjects(DCAT.servesDataset, DATASET_IRI))
    assert service is not None
    anonymous = Graph().parse(data=Client().get("/api/v1/cities/rouen/catalog", {"format": "ttl"}).content,
                              format="turtle")
    assert (None, DCAT.servesDataset, DATASET_IRI) not in anonymous
    assert "private" in answer["Cache-Control"]


def test_sync_keeps_the_access_chosen_by_the_city(restricted, aix):
    sync_platform_datasets(city=restricted.city)
    restricted.refresh_from_db()
    assert restricted.access == DatasetAccess.RESTRICTED
    assert list(restricted.partner_cities.all()) == [aix]


def test_a_data_publisher_restricts_a_dataset_in_the_back_office_and_it_is_audited(published, aix, lyon):
    dataset = Dataset.objects.get(city=published.city, slug=SLUG)
    client = login(Client(), make_staff(published.city, Role.DATA_PUBLISHER))
    url = f"/admin/opendata/dataset/{dataset.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    partners = set(re.findall(r'name="partners" value="(\d+)"', page.content.decode()))
    assert partners == {str(aix.pk), str(lyon.pk)}, "every other city, never the dataset's own"
    refused = client.post(url, {"access": "public", "partners": [aix.pk]})
    assert refused.status_code == 200 and "partners" in refused.context["adminform"].form.errors
    answer = client.post(url, {"access": "restricted", "partners": [aix.pk]})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    dataset.refresh_from_db()
    assert dataset.access == "restricted" and list(dataset.partner_cities.all()) == [aix]
    event = AuditEntry.objects.get(event="opendata.access_changed")
    assert event.city_id == published.city.pk
    assert event.additional_data == {"dataset": SLUG, "from": "public", "to": "restricted",
                                     "partners": "aix-en-provence"}
    assert Client().get(f"{BASE}/{SLUG}/rows").status_code == 404
    other = login(Client(), make_staff(lyon, Role.DATA_PUBLISHER))
    assert other.get(url).status_code in (302, 403, 404)


def test_the_edge_cache_never_serves_a_restricted_answer_to_anonymous(restricted, aix):
    """Under the production server, with the dataset's paths registered at the edge: a partner's
    answer (session cookie) is private, so never kept; the next anonymous request gets its 404."""
    import httpx
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from citypocket.core import edge

    clock = {"now": 0.0}
    app = edge.EdgeCache(get_wsgi_application(), clock=lambda: clock["now"])
    routes = list(edge._routes)
    edge.register("test/opendata", r"/api/v1/cities/[-\w]+/data(/[-\w]+(/rows)?)?", seconds=lambda: 60)
    partner = staff_client(aix)
    cookie = partner.cookies[settings.SESSION_COOKIE_NAME].value
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver") as http:
            for path, marker in ((f"{BASE}/{SLUG}/rows", "FR33201"), (f"{BASE}/{SLUG}", SLUG), (BASE, SLUG)):
                seen = http.get(path, cookies={settings.SESSION_COOKIE_NAME: cookie})
                assert seen.status_code == 200 and "private" in seen.headers["Cache-Control"]
                assert marker in seen.text
                http.cookies.clear()
                anonymous = http.get(path)
                assert marker not in anonymous.text
                assert anonymous.status_code == (200 if path == BASE else 404)
            assert BASE in {key[1] for key in app.entries}, "the public list is kept at the edge"
            assert all(SLUG not in entry.body.decode() and "FR33201" not in entry.body.decode()
                       for entry in app.entries.values())
            assert http.get(f"{BASE}/{SLUG}/rows").status_code == 404
    finally:
        edge._routes[:] = routes
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
