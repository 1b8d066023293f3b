"""Bad input answers 4xx problem+json with nothing written: NUL characters, 3 MB bodies, broken
multipart forms, and chunked bodies read whole (core/guards.py). Run on SQLite and PostgreSQL: a NUL
that reached PostgreSQL was a 500."""

import io
import json

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from citypocket.core.guards import MAX_REQUEST_LINE
from citypocket.participation.models import PhaseKind, Proposal
from citypocket.participation.tests.conftest import make_process, make_resident
from citypocket.safety.models import HarassmentReport
from citypocket.sensors.models import DeadLetter, Observation
from citypocket.sensors.tests.factories import air_sensor
from citypocket.sensors.tests.test_http_ingest import batch, make_token
from testsupport import UserFactory, assert_problem

pytestmark = pytest.mark.django_db

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def proposals_open(rouen):
    return make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)


@pytest.fixture
def resident_client(rouen):
    """A signed-in resident whose requests go through the CSRF check, as a browser's do."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(make_resident(rouen), backend="django.contrib.auth.backends.ModelBackend")
    client.get("/rouen/participate/proposals/new/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client


def csrf_form(client, data: dict) -> dict:
    return {**data, "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value}


@pytest.mark.parametrize("path", ["/api/v1/cities", "/rouen/"])
def test_a_path_and_query_over_the_limit_is_a_414_problem(path, rouen):
    """Longer than MAX_REQUEST_LINE: our 414 problem, before the production server's own plain refusal."""
    query = "q=" + "é" * (MAX_REQUEST_LINE // 6)  # percent-encoded, each é is 6 characters
    body = assert_problem(Client().get(f"{path}?{query}"), 414)
    assert body["type"].endswith("/uri-too-long")
    assert Client().get(f"{path}?q=" + "e" * (MAX_REQUEST_LINE - len(path) - 3)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cities/rou%00en",  # an API path parameter
        "/api/v1/cities/rouen/proposals?process=%00",  # an API query parameter
        "/rouen/participate/proposals/?process=id%00ees",  # a page's query parameter
        "/rouen/participate/proposals/?x%00=1",  # a parameter's name
    ],
)
def test_a_nul_character_in_the_path_or_the_query_is_a_400_problem(url, rouen, proposals_open):
    """A NUL in a path or a query answers 400 nul-character, whatever the view would have queried."""
    body = assert_problem(Client(raise_request_exception=False).get(url), 400)
    assert body["type"].endswith("/nul-character")


def test_a_nul_character_in_a_json_field_is_a_400_and_nothing_is_written(resident_client, proposals_open):
    """A JSON string (value or key) holding \\u0000 answers 400 before the view; no proposal is stored."""
    url = "/api/v1/cities/rouen/proposals"
    for payload in (
        {"process": "idees", "title": "Des fontaines\u0000", "body": "Des fontaines sur les places, partout."},
        {"process": "id\u0000ees", "title": "Des fontaines", "body": "Des fontaines sur les places, partout."},
        {"process": "idees", "title": "Des fontaines", "body": "Des fontaines.", "extra": {"a\u0000": [1]}},
    ):
        response = resident_client.post(url, json.dumps(payload), content_type="application/json")
        assert assert_problem(response, 400)["type"].endswith("/nul-character")
    assert Proposal.objects.count() == 0


def test_a_nul_character_in_a_form_field_is_a_400_and_nothing_is_written(resident_client, proposals_open):
    """Form fields, whichever view reads them (a form class or request.POST by hand): 400, nothing stored."""
    url = "/rouen/participate/proposals/new/"
    for data in (
        {"process": "idees", "title": "Des fontaines\x00", "body": "Des fontaines sur les places, partout."},
        {"process": "id\x00ees", "title": "Des fontaines", "body": "Des fontaines sur les places, partout."},
    ):
        response = resident_client.post(url, csrf_form(resident_client, data))
        assert assert_problem(response, 400)["type"].endswith("/nul-character")
    multipart = resident_client.post(url, csrf_form(resident_client, {"process": "id\x00ees", "title": "T"}),
                                     format="multipart")
    assert_problem(multipart, 400)
    anonymous = Client(raise_request_exception=False).post(
        "/rouen/safety/report/", {"category": "verbal", "role": "victim", "occurred_on": "2026-01-01",
                                  "place_name": "Rue\x00", "description": "x"})
    assert_problem(anonymous, 400)
    assert Proposal.objects.count() == 0 and HarassmentReport.objects.count() == 0


def test_a_cookie_with_a_nul_character_is_ignored(rouen):
    """A tampered session or city cookie holding a NUL is dropped: the page answers as without it."""
    client = Client(raise_request_exception=False)
    client.cookies["citypocket_city"] = "rou\x00en"
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefghijklmnop\x00"
    assert client.get("/").status_code == 200
    assert client.get("/rouen/").status_code == 200


def test_a_3_mb_json_body_outside_ingest_is_a_413_problem(resident_client, proposals_open):
    """Above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) the API answers 413 problem+json, not a 500."""
    text = json.dumps({"process": "idees", "title": "T" * THREE_MB, "body": "b"})
    response = resident_client.post("/api/v1/cities/rouen/proposals", text, content_type="application/json")
    assert_problem(response, 413)
    anonymous = Client(raise_request_exception=False).post(
        "/api/v1/cities/rouen/safety/reports", text, content_type="application/json")
    assert_problem(anonymous, 413)
    assert Proposal.objects.count() == 0 and HarassmentReport.objects.count() == 0


def test_a_3_mb_form_is_a_413_problem(resident_client, proposals_open):
    """A 3 MB form field (urlencoded or multipart) answers 413 problem+json; nothing is stored."""
    url = "/rouen/participate/proposals/new/"
    data = csrf_form(resident_client, {"process": "idees", "title": "Des fontaines", "body": "x" * THREE_MB})
    assert_problem(resident_client.post(url, data), 413)
    assert_problem(resident_client.post(url, data, format="multipart"), 413)
    assert Proposal.objects.count() == 0


def test_files_in_a_multipart_form_do_not_count_towards_the_limit(rouen, settings):
    """As in Django, only the form's fields count: a 3 MB file reaches the view (here: the admin's census upload)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from testsupport import login

    settings.STAFF_MFA_REQUIRED = False
    admin = login(Client(raise_request_exception=False), UserFactory(is_staff=True, is_superuser=True), mfa=False)
    upload = SimpleUploadedFile("census.csv", b"last_name,birth_date,postcode\n" + b"x" * THREE_MB, "text/csv")
    # An unknown city: the form is shown again (200) after the upload was received whole.
    response = admin.post("/admin/participation/residentverification/census/", {"city": 0, "file": upload})
    assert response.status_code == 200
    assert response.context["form"].files["file"].size > THREE_MB


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_post_without_boundary_is_a_400_problem(resident_client, rouen, content_type):
    """The CSRF check reads the form: a multipart body without boundary is a 400, not a 500."""
    for url in ("/api/v1/cities/rouen/notifications/read", "/api/v1/cities/rouen/proposals",
                "/rouen/participate/notifications/"):
        response = resident_client.post(url, b"--x\r\n", content_type=content_type)
        assert_problem(response, 400)


def test_ingest_keeps_its_own_larger_limit(rouen, settings):
    """The ingest endpoint is left to its own limit: a 3 MB batch is accepted; above INGEST_MAX_BYTES, 413."""
    settings.INGEST_MAX_BYTES = 5 * 1024 * 1024
    air_sensor(rouen)
    token = make_token(rouen)
    text = json.dumps(batch(20_000, start=30_000), indent=1)
    assert len(text) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.post("/api/v1/ingest", text, content_type="application/json").status_code == 202
    settings.INGEST_MAX_BYTES = 1024 * 1024
    assert_problem(client.post("/api/v1/ingest", text, content_type="application/json"), 413)


@pytest.fixture
def wsgi_app():
    """citypocket.wsgi.application as gunicorn calls it, inside the test's transaction."""
    from citypocket.wsgi import application

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)  # as Django's test client does
    try:
        yield application
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def chunked_post(app, path: str, body: bytes, **headers) -> tuple[int, bytes]:
    """A POST as gunicorn hands a chunked one to the application: de-chunked input whose end is marked
    (`wsgi.input_terminated`), Transfer-Encoding kept, no CONTENT_LENGTH."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="POST", CONTENT_TYPE="application/json", HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}, **headers,
    )
    environ.pop("CONTENT_LENGTH", None)
    captured = {}
    result = app(environ, lambda status, response_headers, exc_info=None: captured.update(status=status))
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(captured["status"][:3]), content


def test_a_chunked_ingest_body_is_read_whole(wsgi_app, rouen, settings):
    """Transfer-Encoding: chunked without Content-Length: the readings are stored, not read as an empty body."""
    air_sensor(rouen)
    token = make_token(rouen)
    status, content = chunked_post(wsgi_app, "/api/v1/ingest", json.dumps(batch(50)).encode(),
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status == 202, content
    assert json.loads(content)["accepted"] == 50
    assert Observation.objects.count() == 50 and DeadLetter.objects.count() == 0


def test_a_chunked_body_keeps_the_path_limit(wsgi_app, rouen, settings):
    """A chunked body over the path's limit answers 413 problem+json (ingest: INGEST_MAX_BYTES; elsewhere 2.5 MB)."""
    settings.INGEST_MAX_BYTES = 1000
    air_sensor(rouen)
    token = make_token(rouen)
    status, content = chunked_post(wsgi_app, "/api/v1/ingest", json.dumps(batch(50)).encode(),
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status == 413 and json.loads(content)["status"] == 413
    status, content = chunked_post(wsgi_app, "/api/v1/cities/rouen/safety/reports", b" " * THREE_MB)
    assert status == 413 and json.loads(content)["status"] == 413
    assert Observation.objects.count() == 0 and DeadLetter.objects.count() == 0
    assert HarassmentReport.objects.count() == 0
