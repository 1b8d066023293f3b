"""National ids (`INSEE-P-xxx`) of car parks: unique in a city, never given twice, checked in the
back office; SIRET checked as the national schema's `french-siret-value` check does (Luhn)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from citypocket.mobility.models import CarPark, IssuedNationalId, siret_is_valid
from testsupport import UserFactory, admin_form_data, login

pytestmark = pytest.mark.django_db


def make(city, slug, **fields):
    return CarPark.objects.create(city=city, slug=slug, name=slug.title(), lat=49.44, lon=1.09, **fields)


def test_allocation_skips_taken_ids_and_never_reuses_one(rouen):
    """Left empty, the id is the smallest number never issued in the city, even after a deletion."""
    manual = make(rouen, "manual", national_id="76540-P-002")
    first, third = make(rouen, "first"), make(rouen, "third")
    assert (first.national_id, manual.national_id, third.national_id) == ("76540-P-001", "76540-P-002", "76540-P-003")
    third.delete()
    assert make(rouen, "fourth").national_id == "76540-P-004"  # 003 was issued once: never again
    assert IssuedNationalId.objects.filter(city=rouen).count() == 4


def test_the_same_id_in_two_cities_is_not_a_clash_but_twice_in_one_city_is(rouen, aix):
    make(rouen, "a", national_id="76540-P-010")
    with pytest.raises(IntegrityError), transaction.atomic():
        CarPark.objects.filter(pk=make(rouen, "b").pk).update(national_id="76540-P-010")
    assert make(aix, "a").national_id == "13001-P-001"


def test_model_validation_refuses_a_duplicate_a_reused_id_and_another_citys_insee(rouen):
    make(rouen, "a", national_id="76540-P-001")
    gone = make(rouen, "gone")
    gone_id = gone.national_id
    gone.delete()
    for national_id, message in [("76540-P-001", "already"),
                                 (gone_id, "already issued to another car park"),
                                 ("13001-P-050", "INSEE codes")]:
        candidate = CarPark(city=rouen, slug="new", name="New", lat=49.44, lon=1.09, national_id=national_id)
        with translation.override("en"), pytest.raises(ValidationError, match=message):
            candidate.full_clean()


def test_the_admin_cannot_produce_a_duplicate_national_id(rouen):
    """Through the back-office form: a second car park with a taken id gets a form error, nothing saved."""
    taken = make(rouen, "vieux-marche")
    other = make(rouen, "opera")
    client = login(Client(), UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/mobility/carpark/{other.pk}/change/"
    data = admin_form_data(client.get(url))
    response = client.post(url, {**data, "national_id": taken.national_id})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() or response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.national_id != taken.national_id
    add = admin_form_data(client.get("/admin/mobility/carpark/add/"))
    response = client.post("/admin/mobility/carpark/add/", {
        **add, "city": str(rouen.pk), "slug": "copy", "name": "Copy", "lat": "49.44", "lon": "1.09",
        "national_id": taken.national_id, "opening_hours": "{}"})
    assert response.status_code == 200 and not CarPark.objects.filter(slug="copy").exists()
    assert CarPark.objects.filter(city=rouen, national_id=taken.national_id).count() == 1


@pytest.mark.parametrize(("siret", "valid"), [
    ("21920044100018", True),  # the schema's exemple-valide.csv (etalab/schema-stationnement @ 59d5691)
    ("73282932000074", True),  # passes Luhn
    ("35600000000010", True),  # La Poste: digits sum to a multiple of 5 (Luhn alone would refuse it)
    ("35600000000011", False),
    ("21920044100019", False),  # one digit off
    ("80295478500028", False),  # the example in the schema's field description fails the check
    ("8029547850002", False),
    ("8029547850002A", False),
])
def test_siret_check_is_the_schemas(siret, valid):
    assert siret_is_valid(siret) is valid


def test_an_invalid_siret_is_refused_by_model_validation(rouen):
    car_park = make(rouen, "a")
    car_park.operator_siret = "21920044100019"
    with translation.override("en"), pytest.raises(ValidationError, match="SIRET"):
        car_park.full_clean()
