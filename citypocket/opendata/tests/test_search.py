"""Searching the portal in French and English, accents or not, with facets that combine — the same
answers on PostgreSQL (full text, unaccent, French stemming) and on SQLite (the Python fallback)."""

import pytest

from citypocket.opendata import selectors
from citypocket.opendata.search import normalise, query_words
from citypocket.opendata.tests.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

AIR = {"air-stations", "air-observations", "air-daily-indices"}
CAR_PARKS = {"car-parks", "car-park-occupancy"}


def ranked(city, q="", **facets) -> list[str]:
    return [d.slug for d in selectors.search_datasets(city=city, q=q, facets=facets).datasets]


def slugs(city, q="", **facets) -> set[str]:
    return set(ranked(city, q, **facets))


def test_normalise_drops_case_accents_and_punctuation():
    assert normalise("Qualité de l'AIR — Île") == "qualite de l air ile"
    assert query_words("les parkings de l'hôpital") == ["parking", "hopital"]


def test_stationnement_finds_the_car_parks_first(published):
    """French stemming also relates "stationnement" to "stations" on PostgreSQL: those come after."""
    found = ranked(published.city, "stationnement")
    assert set(found[:2]) == CAR_PARKS
    assert set(found) <= CAR_PARKS | AIR


def test_a_query_without_accents_finds_the_air_datasets(published):
    assert slugs(published.city, "qualite de l'air") == AIR
    assert slugs(published.city, "QUALITÉ DE L\u2019AIR") == AIR


def test_an_english_query_finds_through_english_titles(published):
    assert slugs(published.city, "car park") == CAR_PARKS
    assert slugs(published.city, "monitoring stations") == {"air-stations"}


def test_a_french_plural_finds_the_singular(published):
    assert "safe-places" in slugs(published.city, "lieux refuges")
    assert slugs(published.city, "parkings") >= CAR_PARKS


def test_nothing_matches_a_word_no_dataset_holds(published):
    assert slugs(published.city, "zeppelin") == set()


def test_odd_queries_are_words_not_errors(published):
    """Quotes, operators and punctuation never break the search."""
    for q in ('"qualité', "air & | !", "-", "'", "a" * 500, "()::*"):
        selectors.search_datasets(city=published.city, q=q)
    assert slugs(published.city, "   ") == slugs(published.city)


TRANSPORT = CAR_PARKS | {"traffic-counts"}


def test_values_of_a_facet_add_up_and_facets_narrow(published):
    city = published.city
    environment = {d.slug for d in selectors.list_published_datasets(city=city) if "ENVI" in d.themes}
    assert environment >= AIR
    assert slugs(city, theme=("TRAN",)) == TRANSPORT
    assert slugs(city, theme=("TRAN", "ENVI")) == TRANSPORT | environment
    assert slugs(city, theme=("ENVI",), high_value=("yes",)) == AIR
    assert slugs(city, "parking", theme=("ENVI",)) == set()
    assert slugs(city, high_value=("no",)) == slugs(city) - AIR - CAR_PARKS
    assert {"safe-places", "video-protection", "safety-hotspots"} <= slugs(city, high_value=("no",))


def test_facet_counts_keep_the_other_values_of_a_chosen_facet(published):
    """Choosing a theme leaves the other themes counted (to add them), and narrows the other facets."""
    result = selectors.search_datasets(city=published.city, facets={"theme": ("TRAN",)})
    facets = {f.name: {v.value: (v.count, v.selected) for v in f.values} for f in result.facets}
    assert facets["theme"]["TRAN"] == (3, True)
    assert facets["theme"]["ENVI"][1] is False and facets["theme"]["ENVI"][0] >= 3
    assert facets["high_value"] == {"yes": (2, False), "no": (1, False)}
    assert facets["publisher"] == {"Métropole Rouen Normandie": (3, False)}
    assert facets["format"]["csv"] == (3, False)


def test_format_and_licence_facets_read_the_catalog(rouen):
    odbl = DatasetFactory(city=rouen, licence="https://opendatacommons.org/licenses/odbl/1-0/")
    DistributionFactory(dataset=odbl, format="csv")
    other = DatasetFactory(city=rouen)
    DistributionFactory(dataset=other, format="parquet")
    assert slugs(rouen, licence=("https://opendatacommons.org/licenses/odbl/1-0/",)) == {odbl.slug}
    assert slugs(rouen, format=("parquet",)) == {other.slug}
    assert slugs(rouen, format=("csv", "parquet")) == {odbl.slug, other.slug}


def test_search_never_shows_another_citys_or_an_unpublished_dataset(published, aix):
    DatasetFactory(city=aix, title_fr="Stationnement à Aix")
    DatasetFactory(city=published.city, title_fr="Stationnement caché", is_published=False)
    found = ranked(published.city, "stationnement")
    assert set(found[:2]) == CAR_PARKS and set(found) <= CAR_PARKS | AIR
