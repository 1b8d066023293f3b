"""Admin: data publishers see their city's sensors and dead letters; tokens are shown once and stored hashed."""

import hashlib
import re

import pytest
from django.test import Client

from citypocket.cities.models import Role
from citypocket.sensors.models import DeadLetter, IngestToken
from citypocket.sensors.tests.factories import air_sensor, dead_letter
from testsupport import login, make_staff

pytestmark = pytest.mark.django_db


def test_publisher_sees_only_their_city(rouen, aix):
    """A Rouen data publisher lists Rouen's sensors and dead letters, not Aix's, and cannot open Aix's."""
    air_sensor(rouen, external_id="ROUEN-1")
    other = air_sensor(aix, external_id="AIX-1")
    dead_letter(city=rouen, source="http:gw", payload="{}", reason="rouen reason")
    aix_letter = dead_letter(city=aix, source="http:gw", payload="{}", reason="aix reason")
    client = login(Client(), make_staff(rouen, Role.DATA_PUBLISHER))
    sensors = client.get("/admin/sensors/sensor/").content.decode()
    assert "ROUEN-1" in sensors and "AIX-1" not in sensors
    letters = client.get("/admin/sensors/deadletter/").content.decode()
    assert "rouen reason" in letters and "aix reason" not in letters
    assert client.get(f"/admin/sensors/sensor/{other.pk}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/sensors/deadletter/{aix_letter.pk}/change/").status_code in (302, 403, 404)


def test_dead_letters_are_read_only(rouen):
    """Nobody adds or edits a dead letter in the admin."""
    letter = dead_letter(city=rouen, source="mqtt", payload="x", reason="r")
    client = login(Client(), make_staff(rouen, Role.DATA_PUBLISHER))
    assert client.get("/admin/sensors/deadletter/add/").status_code == 403
    response = client.post(f"/admin/sensors/deadletter/{letter.pk}/change/", {"reason": "changed"})
    assert response.status_code == 403
    assert DeadLetter.objects.get().reason == "r"


def test_editor_cannot_use_the_sensor_admin(rouen):
    """An editor (not a data publisher) does not see the sensor admin."""
    client = login(Client(), make_staff(rouen, Role.EDITOR))
    assert client.get("/admin/sensors/ingesttoken/").status_code == 403


def test_create_token_shows_it_once(rouen):
    """Adding a token shows the clear token once in a message; only its SHA-256 is stored; revoke works."""
    client = login(Client(), make_staff(rouen, Role.DATA_PUBLISHER))
    response = client.post("/admin/sensors/ingesttoken/add/", {"city": rouen.pk, "name": "gateway"}, follow=True)
    assert response.status_code == 200
    token = re.search(r"cpi_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    row = IngestToken.objects.get()
    assert row.name == "gateway" and row.city == rouen
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = client.get(f"/admin/sensors/ingesttoken/{row.pk}/change/").content.decode()
    assert token not in page and row.token_hash not in page
    client.post("/admin/sensors/ingesttoken/", {"action": "revoke", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.revoked_at is not None
