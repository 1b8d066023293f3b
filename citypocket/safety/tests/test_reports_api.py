"""Anonymous reports through the API: submit without an account, receipt code, follow-up, limits."""

import json

import h3
import pytest
from django.db import connection
from django.test import Client

from citypocket.safety import crypto
from citypocket.safety.models import HarassmentReport, ReportUpdate, Status, UpdateKind
from testsupport import assert_problem, cache_keys

pytestmark = pytest.mark.django_db

URL = "/api/v1/cities/{city}/safety/reports"


def post(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def valid(**overrides) -> dict:
    body = {"category": "verbal", "occurred_at": "2026-10-03T21:40:00+02:00", "lat": 49.4431, "lon": 1.0993,
            "description": "he shouted at me", "contact": "me@example.org", "role": "witness"}
    body.update(overrides)
    return body


def test_submit_report_without_account_answers_201_with_receipt_and_support(client, rouen):
    """No account needed: 201 with a receipt code and the support services; the row keeps coarse facts only."""
    response = post(client, URL.format(city="rouen"), valid())
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["receipt_code"].replace("-", "")) == 20
    assert body["status"] == "new"
    numbers = {service["number"] for service in body["support"]}
    assert {"17", "112", "114", "3919", "116 006"} <= numbers
    assert set(body) == {"receipt_code", "status", "support"}
    report = HarassmentReport.objects.get()
    assert (report.city, report.category, report.reporter_role, str(report.period)) == (rouen, "verbal", "witness",
                                                                                         "2026-10-01")
    assert report.h3_cell == h3.latlng_to_cell(49.4431, 1.0993, 8)
    assert report.receipt_hash == crypto.hash_receipt(body["receipt_code"])
    assert crypto.decrypt_text(report.description_enc) == "he shouted at me"


def test_place_name_alone_is_enough(client, rouen):
    """People who cannot use a map give a street name; no cell is computed."""
    response = post(client, URL.format(city="rouen"), valid(lat=None, lon=None, place_name="rue du Gros-Horloge"))
    assert response.status_code == 201
    report = HarassmentReport.objects.get()
    assert report.h3_cell == "" and report.location_enc == ""
    assert crypto.decrypt_text(report.place_name_enc) == "rue du Gros-Horloge"


def test_place_outside_the_city_is_422(client, rouen):
    """A point outside the city's bounding box is refused, without echoing it."""
    response = post(client, URL.format(city="rouen"), valid(lat=43.5263, lon=5.4475))
    body = assert_problem(response, 422)
    assert "43.5263" not in response.content.decode()
    assert body["errors"][0]["field"] == "lat"
    assert not HarassmentReport.objects.exists()


@pytest.mark.parametrize("change", [
    {"lat": None, "lon": None, "place_name": ""},
    {"category": "shouting"},
    {"occurred_at": "2099-01-01T00:00:00+00:00"},
    {"lon": None},
    {"role": "police"},
])
def test_invalid_reports_are_422_and_store_nothing(client, rouen, change):
    """Missing place, unknown category or role, a future time, half a point: 422, nothing stored."""
    assert_problem(post(client, URL.format(city="rouen"), valid(**change)), 422)
    assert not HarassmentReport.objects.exists()


def test_unknown_city_is_404(client, rouen):
    """Reports go to an existing city only."""
    assert_problem(post(client, URL.format(city="atlantis"), valid()), 404)


def test_report_creation_is_rate_limited_by_the_configured_rate(client, rouen, settings):
    """SAFETY_REPORT_RATE=2/h: the third report from the same address is 429 with Retry-After."""
    settings.SAFETY_REPORT_RATE = "2/h"
    for _i in range(2):
        assert post(client, URL.format(city="rouen"), valid()).status_code == 201
    response = post(client, URL.format(city="rouen"), valid())
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert HarassmentReport.objects.count() == 2
    other = post(Client(REMOTE_ADDR="10.0.0.9"), URL.format(city="rouen"), valid())
    assert other.status_code == 201


def test_no_address_is_stored_anywhere(client, rouen):
    """The client address reaches the cache only as a salted hash, and no table holds it."""
    assert post(client, URL.format(city="rouen"), valid(), REMOTE_ADDR="203.0.113.77").status_code == 201
    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            dump.extend(str(value) for row in cursor.fetchall() for value in row)
    assert not any("203.0.113.77" in value for value in dump)
    keys = cache_keys()
    assert keys and not any("203.0.113.77" in key for key in keys)


def test_follow_with_receipt_code_reads_status_and_replies_only(client, rouen):
    """The receipt code in the body shows status and staff replies, never the reporter's own text."""
    receipt = post(client, URL.format(city="rouen"), valid(description="my private words")).json()["receipt_code"]
    report = HarassmentReport.objects.get()
    ReportUpdate.objects.create(city=rouen, report=report, kind=UpdateKind.STAFF_REPLY, sequence=1,
                                created_on=report.received_on, body_enc=crypto.encrypt_text("We forwarded it."))
    HarassmentReport.objects.filter(pk=report.pk).update(status=Status.FORWARDED)
    response = post(client, URL.format(city="rouen") + "/follow", {"receipt_code": receipt.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "forwarded" and body["month"] == "2026-10" and body["added"] is False
    assert [reply["text"] for reply in body["replies"]] == ["We forwarded it."]
    assert "my private words" not in response.content.decode()


def test_follow_adds_information_encrypted(client, rouen):
    """With `text`, the reporter adds information; it is stored encrypted as a reporter update."""
    receipt = post(client, URL.format(city="rouen"), valid()).json()["receipt_code"]
    response = post(client, URL.format(city="rouen") + "/follow", {"receipt_code": receipt, "text": "He had a red cap"})
    assert response.status_code == 200 and response.json()["added"] is True
    update = ReportUpdate.objects.get()
    assert update.kind == "reporter" and update.author is None
    assert crypto.decrypt_text(update.body_enc) == "He had a red cap"


def test_follow_with_a_wrong_code_or_another_city_is_404(client, rouen, aix):
    """A wrong code, or the right code in another city, gives the same 404."""
    receipt = post(client, URL.format(city="rouen"), valid()).json()["receipt_code"]
    wrong = assert_problem(post(client, URL.format(city="rouen") + "/follow", {"receipt_code": "AAAAA-BBBBB"}), 404)
    other = assert_problem(post(client, URL.format(city="aix-en-provence") + "/follow", {"receipt_code": receipt}), 404)
    assert wrong["detail"] == other["detail"]


def test_follow_endpoint_takes_no_code_in_the_url(client, rouen):
    """GET is not offered: the receipt code never travels in a URL."""
    response = client.get(URL.format(city="rouen") + "/follow?receipt_code=ABCDE")
    assert response.status_code == 405


def test_a_receipt_code_opens_nothing_in_another_city_whoever_asks(client, rouen, aix):
    """Aix's receipt code sent to Rouen's follow-up, even by Rouen staff of every role: 404, nothing added."""
    from testsupport import assert_tenant_isolated

    receipt = post(client, URL.format(city="aix-en-provence"), valid(lat=43.5263, lon=5.4475,
                                                                     description="aix secret")).json()["receipt_code"]

    def unchanged():
        assert not ReportUpdate.objects.exists()

    assert_tenant_isolated(city=aix, other_city=rouen, url=URL.format(city="rouen") + "/follow", method="post",
                           data={"receipt_code": receipt, "text": "injected"}, secrets=["aix secret"],
                           check_unchanged=unchanged)
