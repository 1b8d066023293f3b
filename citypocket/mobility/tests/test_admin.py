"""Back office of car parks: a car park's sensor is one of its own city's sensors."""

import pytest
from django.test import Client

from citypocket.cities.admin import SameCityFormMixin
from citypocket.cities.models import Role
from citypocket.mobility.models import CarPark
from citypocket.sensors.tests.factories import parking_sensor
from testsupport import UserFactory, admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(rouen):
    sensor = parking_sensor(rouen, external_id="ROUEN-P")
    return CarPark.objects.create(city=rouen, slug="vieux-marche", name="Vieux-Marché", lat=49.443, lon=1.088,
                                  sensor=sensor)


def test_an_editor_cannot_attach_another_citys_sensor_to_a_car_park(rouen, aix, park):
    """A Rouen editor posting Aix's sensor id (a raw-id field) gets a form error; nothing is saved or shown."""
    aix_sensor = parking_sensor(aix, external_id="AIX-P", name="Parking de la Rotonde")
    client = login(Client(), make_staff(rouen, Role.EDITOR))
    url = f"/admin/mobility/carpark/{park.pk}/change/"
    data = admin_form_data(client.get(url))
    assert data["sensor"] == [str(park.sensor_id)]

    response = client.post(url, {**data, "sensor": [str(aix_sensor.pk)]})

    assert response.status_code == 200
    assert "sensor" in response.context["adminform"].form.errors
    assert "Rotonde" not in response.content.decode()  # the raw id's label is not looked up in Aix
    park.refresh_from_db()
    assert park.sensor.city == rouen
    assert client.post(url, data).status_code == 302  # the form as it was still saves


def test_a_superuser_cannot_link_a_car_park_to_another_citys_sensor(rouen, aix, park):
    """Staff who see every city are still held to one city per car park: the same-city check on save."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    aix_sensor = parking_sensor(aix, external_id="AIX-P")
    client = login(Client(), superuser)
    url = f"/admin/mobility/carpark/{park.pk}/change/"
    data = admin_form_data(client.get(url))

    response = client.post(url, {**data, "sensor": [str(aix_sensor.pk)]})

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors["sensor"]) == [str(SameCityFormMixin.city_mismatch_message)]
    park.refresh_from_db()
    assert park.sensor.city == rouen
