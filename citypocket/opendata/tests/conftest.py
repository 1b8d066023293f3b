"""A city with something in every platform dataset, and its catalog synced."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from citypocket.air.tests.factories import AirIndexDailyFactory
from citypocket.mobility.services import ensure_counting_point
from citypocket.mobility.tests.factories import CarParkFactory
from citypocket.opendata.services import sync_platform_datasets
from citypocket.participation.models import AnswerStatus, Choice, QuestionKind
from citypocket.participation.services.budgets import publish_results
from citypocket.participation.tests.factories import (
    AnswerFactory,
    BallotFactory,
    BudgetFactory,
    ProjectFactory,
    ProposalFactory,
    QuestionFactory,
    SurveyFactory,
    SurveyResponseFactory,
)
from citypocket.safety.tests.factories import FilmedZoneFactory, SafePlaceFactory
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Datastream, Observation
from citypocket.sensors.readings import Parsed, Reading
from citypocket.sensors.tests.factories import AirSensorFactory

HOUR = dt.timedelta(hours=1)
START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)


@dataclass
class Published:
    city: object
    station: object
    car_park: object
    counting_point: object = None
    proposal: object = None
    budget: object = None
    survey_text_question: object = None


def observe(datastream, *, hours: int, start=START, value=10.0, received=None):
    """`hours` hourly values from `start`, through the ingest door, then dated as received when measured
    (or at `received`): the catalog's `modified` follows the rows' own write times."""
    readings = [Reading(sensor=datastream.sensor.external_id, property=datastream.property, time=start + i * HOUR,
                        value=value + i, unit=datastream.unit) for i in range(hours)]
    result = ingest_observations(city=datastream.sensor.city, batch=Parsed.from_readings(readings), source="test")
    assert result.accepted == hours, result
    for i in range(hours):
        Observation.objects.filter(datastream=datastream, phenomenon_time=start + i * HOUR).update(
            received_at=received or start + i * HOUR + dt.timedelta(minutes=5))


def publish(city, *, station_id="FR33201", lon_shift=0.0) -> Published:
    station = AirSensorFactory(city=city, external_id=station_id, name="Centre",
                               lat=city.centre_lat, lon=city.centre_lon + lon_shift)
    for prop in ("no2", "pm10"):
        observe(Datastream.objects.get(sensor=station, property=prop), hours=3)
    AirIndexDailyFactory(city=city, date=START.date(), level=2)
    car_park = CarParkFactory(city=city, live=True, name="Parking Théâtre des Arts", slug="theatre-des-arts",
                              operator="Rouen Parkings", operator_siret="12345678900017", capacity=420,
                              price_1h="2.10", max_height_cm=190, structure_type="ouvrage")
    observe(Datastream.objects.get(sensor=car_park.sensor, property="available_spots"), hours=2, value=100)
    SafePlaceFactory(city=city, name="Pharmacie du Vieux-Marché", kind="pharmacy")
    FilmedZoneFactory(city=city, name="Place du Vieux-Marché")
    point = ensure_counting_point(city=city, external_id=f"{station_id}-T-YSER", name="Boulevard de l'Yser",
                                  lat=city.centre_lat, lon=city.centre_lon + 0.01 + lon_shift, road="Yser")
    observe(Datastream.objects.get(sensor=point, property="vehicle_flow"), hours=2, value=800)
    observe(Datastream.objects.get(sensor=point, property="occupancy"), hours=1, value=0.12)
    participation = publish_participation(city)
    sync_platform_datasets(city=city, now=timezone.now())
    return Published(city, station, car_park, point, **participation)


def publish_participation(city, *, respondents: int = 5):
    """A budget with its result published, a closed survey answered by `respondents` people, and an
    answered proposal."""
    budget = BudgetFactory(city=city, amount=100)
    fountain = ProjectFactory(budget=budget, title="Fontaines place Saint-Marc", cost=60)
    trees = ProjectFactory(budget=budget, title="Arbres rue du Gros-Horloge", cost=50)
    BallotFactory(budget=budget, projects=[fountain])
    BallotFactory(budget=budget, projects=[fountain, trees])
    BallotFactory(budget=budget, projects=[trees])
    BallotFactory(budget=budget, projects=[fountain])
    publish_results(budget=budget)
    survey = SurveyFactory(city=city, title="Les quais le dimanche",
                           opens_at=timezone.now() - dt.timedelta(days=10),
                           closes_at=timezone.now() - dt.timedelta(days=1))
    choice = QuestionFactory(survey=survey, kind=QuestionKind.SINGLE, prompt="Piétonniser les quais ?",
                             choices=["Oui", "Non"])
    scale = QuestionFactory(survey=survey, kind=QuestionKind.SCALE, prompt="Votre intérêt ?", scale_min=1,
                            scale_max=5)
    text = QuestionFactory(survey=survey, kind=QuestionKind.TEXT, prompt="Une idée ?")
    yes, no = Choice.objects.filter(question=choice).order_by("position")
    for index in range(respondents):
        response = SurveyResponseFactory(city=city, survey=survey)
        AnswerFactory(response=response, question=choice, choice=yes if index % 3 else no)
        AnswerFactory(response=response, question=scale, value=1 + index % 5)
        AnswerFactory(response=response, question=text, text=f"Idée numéro {index}")
    proposal = ProposalFactory(city=city, title="Des fontaines sur les quais", body="Il fait chaud l'été.",
                               answer_status=AnswerStatus.ACCEPTED, answer_text="Deux fontaines en 2027.",
                               answered_at=timezone.now())
    return {"proposal": proposal, "budget": budget, "survey_text_question": text}


@pytest.fixture
def published(rouen) -> Published:
    return publish(rouen)
