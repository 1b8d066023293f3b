"""The metadata quality score, after data.gouv.fr's: each criterion met or not, the score the share met."""

import datetime as dt

import pytest

from citypocket.opendata import vocabularies as voc
from citypocket.opendata.quality import compute_quality
from citypocket.opendata.tests.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
LONG = "Chaque mesure horaire des stations de la ville, avec son unité, son heure (UTC) et la position de la station."


def criteria(dataset, now=NOW) -> dict[str, bool]:
    return {c.code: c.met for c in compute_quality(dataset, now=now).criteria}


def test_a_complete_dataset_kept_up_to_date_scores_one(rouen):
    """Long description, open licence, hourly and modified an hour ago, CSV, a schema, a time span: 1.0."""
    dataset = DatasetFactory(city=rouen, description_fr=LONG, conforms_to=voc.SCHEMA_STATIONNEMENT,
                             temporal_start=NOW - dt.timedelta(days=3), temporal_end=NOW)
    DistributionFactory(dataset=dataset, format="csv")
    quality = compute_quality(dataset, now=NOW)
    assert all(c.met for c in quality.criteria), criteria(dataset)
    assert quality.score == 1.0 and quality.percent == 100


def test_each_missing_criterion_lowers_the_score(rouen):
    """Short description, no file, no schema, no time span: 4 of 8 criteria met."""
    dataset = DatasetFactory(city=rouen, description_fr="Des mesures.")
    assert criteria(dataset) == {
        "description": False, "licence": True, "update_frequency": True, "update_kept": True,
        "open_format": False, "schema": False, "temporal_coverage": False, "spatial_coverage": True,
    }
    assert compute_quality(dataset, now=NOW).score == 0.5


def test_an_hourly_dataset_silent_for_a_day_no_longer_keeps_its_frequency(rouen):
    dataset = DatasetFactory(city=rouen, accrual_periodicity="HOURLY")
    assert criteria(dataset, now=dataset.modified + dt.timedelta(hours=2))["update_kept"] is True
    assert criteria(dataset, now=dataset.modified + dt.timedelta(days=1))["update_kept"] is False


def test_irregular_is_kept_once_published_and_unknown_never(rouen):
    """"Irregular" promises no date (udata counts it kept); an unknown frequency is neither declared nor kept."""
    irregular = DatasetFactory(city=rouen, accrual_periodicity="IRREG")
    unknown = DatasetFactory(city=rouen, accrual_periodicity="UNKNOWN")
    never = DatasetFactory(city=rouen, accrual_periodicity="IRREG", issued=None, modified=None)
    assert criteria(irregular)["update_kept"] is True
    assert criteria(unknown)["update_kept"] is False and criteria(unknown)["update_frequency"] is False
    assert criteria(never)["update_kept"] is False


def test_a_distribution_schema_counts_and_a_closed_format_does_not(rouen):
    dataset = DatasetFactory(city=rouen)
    DistributionFactory(dataset=dataset, format="xlsx", conforms_to=voc.SCHEMA_STATIONNEMENT)
    assert criteria(dataset)["schema"] is True
    assert criteria(dataset)["open_format"] is False


def test_the_api_shows_the_score_and_its_criteria(client, published):
    body = client.get("/api/v1/cities/rouen/data/car-parks").json()
    assert body["publisher"] == "Métropole Rouen Normandie"
    met = {c["code"]: c["met"] for c in body["quality"]["criteria"]}
    assert met["schema"] is True and met["licence"] is True and met["open_format"] is True
    assert body["quality"]["score"] == round(sum(met.values()) / len(met), 2)
