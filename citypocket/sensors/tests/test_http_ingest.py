"""HTTP ingest: bearer tokens, counts, size limit, rate limit, malformed JSON, the three formats."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from citypocket.sensors.models import DeadLetter, IngestToken, LatestObservation, Observation
from citypocket.sensors.services import ensure_sensor
from citypocket.sensors.tests.factories import air_sensor, recent
from testsupport import assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/ingest"
FIXTURES = Path(__file__).parent / "fixtures"


def make_token(city, name="gateway") -> str:
    out = StringIO()
    call_command("create_ingest_token", city.slug, "--name", name, stdout=out)
    return out.getvalue().strip()


def post(token, body, *, content_type="application/json", query=""):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(URL + query, data=data, content_type=content_type, headers=headers)


def batch(n, *, sensor="FR25036", start=100, value=10.0):
    return {
        "observations": [
            {
                "sensor": sensor,
                "property": "no2",
                "time": recent(start - i).isoformat(),
                "value": value + i,
                "unit": "ug/m3",
            }
            for i in range(n)
        ]
    }


def test_create_token_prints_only_the_token_and_stores_its_hash(rouen):
    """The command prints one line, the token; only its SHA-256 is stored."""
    token = make_token(rouen)
    assert token.startswith("cpi_") and "\n" not in token and len(token) > 30
    row = IngestToken.objects.get(city=rouen)
    assert row.name == "gateway" and token not in row.token_hash and len(row.token_hash) == 64


def test_ingest_answers_202_with_exact_counts(rouen):
    """Valid readings are accepted, repeats are duplicates, bad ones are listed with index and reason."""
    air_sensor(rouen)
    token = make_token(rouen)
    five = batch(5)
    body = {"observations": list(five["observations"])}
    body["observations"].append(dict(body["observations"][0]))  # a repeat inside the batch
    body["observations"].append(
        {"sensor": "FR25036", "property": "no2", "time": "2026-01-01T00:00:00Z", "value": -1, "unit": "ug/m3"}
    )
    body["observations"].append(
        {"sensor": "ELSEWHERE", "property": "no2", "time": recent(3).isoformat(), "value": 1, "unit": "ug/m3"}
    )
    response = post(token, body)
    assert response.status_code == 202, response.content
    assert response.json() == {
        "accepted": 5,
        "duplicates": 1,
        "rejected": [
            {"index": 6, "reason": "negative concentration for no2"},
            {"index": 7, "reason": "unknown sensor 'ELSEWHERE'"},
        ],
    }
    assert Observation.objects.count() == 5
    assert DeadLetter.objects.filter(city=rouen, source="http:gateway").count() == 2
    again = post(token, five).json()
    assert (again["accepted"], again["duplicates"]) == (0, 5)
    assert Observation.objects.count() == 5


def test_token_only_writes_for_its_city(rouen, aix):
    """A Rouen token cannot write to an Aix sensor: refused as another city's sensor, nothing stored."""
    air_sensor(aix, external_id="FR02004")
    token = make_token(rouen)
    response = post(token, batch(2, sensor="FR02004"))
    assert response.status_code == 202
    assert {r["reason"] for r in response.json()["rejected"]} == {"sensor 'FR02004' belongs to another city"}
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_without_a_valid_token_401(rouen, header):
    """No token, a wrong one or another scheme: 401 problem+json with WWW-Authenticate, nothing written."""
    air_sensor(rouen)
    headers = {"Authorization": header} if header else {}
    response = Client().post(URL, data=json.dumps(batch(1)), content_type="application/json", headers=headers)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Observation.objects.count() == 0 and DeadLetter.objects.count() == 0


def test_revoked_token_401(rouen):
    """A revoked token stops working at once."""
    air_sensor(rouen)
    token = make_token(rouen)
    call_command("revoke_ingest_token", token, stdout=StringIO())
    assert IngestToken.objects.get().revoked_at is not None
    assert_problem(post(token, batch(1)), 401)
    assert Observation.objects.count() == 0


def test_over_the_size_limit_413(rouen, settings):
    """A body over INGEST_MAX_BYTES is refused with 413 before being parsed."""
    settings.INGEST_MAX_BYTES = 500
    air_sensor(rouen)
    token = make_token(rouen)
    body = json.dumps(batch(20))
    assert len(body) > 500
    assert_problem(post(token, body), 413)
    assert Observation.objects.count() == 0
    assert post(token, batch(1)).status_code == 202


def test_body_longer_than_declared_length_is_still_capped(rouen, settings, rf):
    """The cap holds on the bytes read, not only on the declared Content-Length."""
    from citypocket.core.problems import PayloadTooLarge
    from citypocket.sensors.api import ingest

    settings.INGEST_MAX_BYTES = 100
    token = IngestToken.objects.get(pk=IngestToken.objects.create(city=rouen, token_hash="x" * 64).pk)
    request = rf.post(URL, data="x" * 1000, content_type="application/json")
    request.META["CONTENT_LENGTH"] = "10"  # a lying header
    request.auth = token
    with pytest.raises(PayloadTooLarge):
        ingest(request)
    assert DeadLetter.objects.count() == 0


def test_rate_limit_per_token_429(rouen, settings):
    """Over INGEST_RATE requests for one token: 429 with Retry-After; another token is not affected."""
    settings.INGEST_RATE = "3/min"
    air_sensor(rouen)
    token, other = make_token(rouen), make_token(rouen, name="other")
    for start in (100, 90, 80):
        assert post(token, batch(1, start=start)).status_code == 202
    response = post(token, batch(1, start=70))
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert post(other, batch(1, start=60)).status_code == 202
    assert Observation.objects.count() == 4


def test_malformed_json_400_and_dead_letter(rouen):
    """Malformed JSON answers 400 problem+json and is kept whole as a dead letter."""
    token = make_token(rouen)
    response = post(token, '{"observations": [ {"sensor": ')
    body = assert_problem(response, 400)
    assert "malformed JSON" in body["detail"]
    letter = DeadLetter.objects.get()
    assert (
        letter.city == rouen
        and letter.payload == '{"observations": [ {"sensor": '
        and "malformed JSON" in letter.reason
    )


def test_ngsild_by_content_type_and_sensor_community_by_shape(rouen):
    """NGSI-LD (ld+json) and sensor.community payloads are accepted on the same endpoint."""
    entity = json.loads((FIXTURES / "sdm-OffStreetParking-example-normalized.jsonld").read_text())
    ensure_sensor(
        city=rouen,
        external_id="porto-ParkingLot-23889",
        kind="parking",
        name="P",
        properties={"available_spots": "1", "occupancy": "1"},
    )
    ensure_sensor(
        city=rouen, external_id="sc-12345", kind="air", name="SC", properties={"pm10": "ug/m3", "pm25": "ug/m3"}
    )
    token = make_token(rouen)
    response = post(token, entity, content_type="application/ld+json")
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    sc = [
        {
            "timestamp": recent(5).strftime("%Y-%m-%d %H:%M:%S"),
            "sensor": {"id": 12345},
            "sensordatavalues": [{"value_type": "P1", "value": "20.5"}, {"value_type": "P2", "value": "9.5"}],
        }
    ]
    response = post(token, sc, query="?format=sensor.community")
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    latest = {row.datastream.property: row.value for row in LatestObservation.objects.select_related("datastream")}
    assert latest == {"available_spots": 132.0, "occupancy": 0.68, "pm10": 20.5, "pm25": 9.5}


def test_unknown_format_parameter_422(rouen):
    """An unknown ?format= value is a validation problem."""
    token = make_token(rouen)
    assert_problem(post(token, batch(1), query="?format=xml"), 422)


def test_two_thousand_readings_twenty_repeats_twenty_malformed(rouen):
    """2 000 distinct readings, 20 of them twice, 20 malformed items: 2 000 accepted, 20 duplicates, 20 dead letters."""
    air_sensor(rouen)
    token = make_token(rouen)
    good = batch(2000, start=3000)["observations"]
    items = list(good) + [dict(good[i * 100]) for i in range(20)]
    items += [{"sensor": "FR25036", "property": "no2", "time": "not a time", "value": 1, "unit": "ug/m3"}] * 20
    response = post(token, {"observations": items})
    body = response.json()
    assert (body["accepted"], body["duplicates"], len(body["rejected"])) == (2000, 20, 20)
    assert [r["index"] for r in body["rejected"]] == list(range(2020, 2040))
    assert Observation.objects.count() == 2000
    assert DeadLetter.objects.filter(city=rouen).count() == 20


def test_bodies_above_django_upload_limit_are_read_up_to_ingest_max(rouen, settings):
    """A 3 MB batch (above Django's 2.5 MB in-memory form limit, below INGEST_MAX_BYTES) is accepted whole."""
    settings.INGEST_MAX_BYTES = 5 * 1024 * 1024
    air_sensor(rouen)
    token = make_token(rouen)
    body = batch(20_000, start=30_000)
    text = json.dumps(body, indent=1)
    assert 2_621_440 < len(text) < settings.INGEST_MAX_BYTES
    response = post(token, text)
    assert response.status_code == 202, response.content[:300]
    assert response.json()["accepted"] == 20_000
    assert Observation.objects.count() == 20_000


def test_database_unavailable_503_with_retry_after(rouen, monkeypatch):
    """When the database cannot take the batch, the answer is 503 with Retry-After and nothing is written."""
    from django.db import OperationalError

    from citypocket.sensors import api

    air_sensor(rouen)
    token = make_token(rouen)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(api, "ingest_observations", locked)
    response = post(token, batch(3))
    assert_problem(response, 503)
    assert response["Retry-After"] == "5"
    assert Observation.objects.count() == 0
