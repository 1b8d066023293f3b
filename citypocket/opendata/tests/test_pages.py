"""The portal pages: the city's datasets with downloads, and a dataset page carrying its schema.org
`Dataset` description, in French by default and in English."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def schema_org(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block)


def test_portal_lists_every_dataset_with_its_downloads(client, published):
    response = client.get("/rouen/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lieux de stationnement" in html and "Indices ATMO quotidiens" in html
    assert 'href="http://testserver/api/v1/cities/rouen/data/car-parks/rows?format=csv"' in html
    assert "public" in response["Cache-Control"]


def test_portal_speaks_english_when_asked(client, published):
    html = client.get("/rouen/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Car parks" in html and "Air-quality measurements (hourly)" in html


def test_dataset_page_embeds_a_schema_org_dataset(client, published):
    response = client.get("/rouen/data/car-parks/")
    assert response.status_code == 200
    description = schema_org(response.content.decode())
    assert description["@type"] == "Dataset"
    assert description["name"] == "Lieux de stationnement"
    assert description["license"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert description["conformsTo"] == "https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/"
    assert {d["encodingFormat"] for d in description["distribution"]} == {
        "text/csv", "application/geo+json", "application/jsonl", "application/vnd.apache.parquet"}
    assert description["creator"]["name"] == "Métropole Rouen Normandie"


def test_a_value_cannot_close_the_json_ld_block(client, published, rouen):
    """A title holding `</script>` stays inside the JSON-LD data block."""
    from citypocket.opendata.models import Dataset  # reason: only this test edits a catalog row by hand

    Dataset.objects.filter(city=rouen, slug="safe-places").update(title_fr="Lieux </script><script>alert(1)")
    html = client.get("/rouen/data/safe-places/").content.decode()
    assert schema_org(html)["name"] == "Lieux </script><script>alert(1)"


def test_unknown_dataset_or_city_is_a_404_page(client, published):
    assert client.get("/rouen/data/nope/").status_code == 404
    assert client.get("/atlantis/data/").status_code == 404


def test_portal_searches_and_filters_by_facets_from_the_query_string(client, published):
    """`?q=` searches, facet checkboxes narrow; the count and the chosen filters are said."""
    html = client.get("/rouen/data/", {"q": "qualite de l'air", "theme": "ENVI"}).content.decode()
    assert "3 jeux de données" in html
    assert "Indices ATMO quotidiens" in html and "Lieux de stationnement" not in html
    assert 'name="theme" value="ENVI" id="f-theme-1" checked' in html
    html = client.get("/rouen/data/", {"format": "geojson", "high_value": "yes"}).content.decode()
    assert "Stations de mesure" in html and "Indices ATMO quotidiens" not in html  # no place, no GeoJSON


def test_portal_in_english_finds_through_english_titles(client, published):
    html = client.get("/rouen/data/", {"q": "car park"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 datasets" in html and "Car-park occupancy history" in html
    assert "Air-quality monitoring stations" not in html
    assert "Metadata quality:" in html


def test_portal_survives_any_query_string(client, published):
    """Unknown facet values, a huge query, odd characters: a page saying nothing matches, never an error."""
    for params in ({"theme": "NOPE"}, {"q": "x" * 1000}, {"q": "<script>&|!()"}, {"format": ["", "csv"]}):
        response = client.get("/rouen/data/", params)
        assert response.status_code == 200, params
    html = client.get("/rouen/data/", {"q": "<script>zeppelin"}).content.decode()
    assert "Aucun jeu de données ne correspond à cette recherche." in html
    assert "<script>zeppelin" not in html


def test_dataset_page_shows_preview_fields_downloads_api_validation_and_quality(client, published):
    html = client.get("/rouen/data/car-parks/").content.decode()
    assert "<caption id=\"preview-caption\">La première ligne</caption>" in html
    assert "Parking Théâtre des Arts" in html and "<td>420</td>" in html
    assert 'id="dataset-map-data"' in html and '"coordinates": [1.0993, 49.4431]' in html
    assert "curl &quot;http://testserver/api/v1/cities/rouen/data/car-parks/rows?limit=10&quot;" in html
    assert "<code>nb_places</code>" in html
    assert "Généré par la plateforme\u202f; conforme au schéma publié." in html
    assert re.search(r"Qualité des métadonnées\u00a0: \d+ %", html)
    assert "Irrégulière" in html  # the update frequency
    assert 'id="dataset-chart' not in html  # no time field, no chart


def test_a_time_series_has_a_chart_with_its_table_and_no_map_without_places(client, published):
    html = client.get("/rouen/data/air-daily-indices/").content.decode()
    assert 'role="img" aria-labelledby="dataset-chart-title dataset-chart-desc"' in html
    assert '<time datetime="2026-11-02">' in html  # the day of the index, in the table beside the chart
    assert 'id="dataset-map-data"' not in html


def test_dataset_page_in_english(client, published):
    html = client.get("/rouen/data/air-observations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rows per day" in html and "Metadata quality:" in html
    assert "Generated by the platform from its declared fields and types." in html
    assert schema_org(html)["inLanguage"] == "en"


def test_a_known_file_size_is_shown(client, published):
    """A distribution that knows its size in bytes (a harvested file) shows it next to its link."""
    from citypocket.opendata.models import Distribution  # reason: kept as the test was written

    Distribution.objects.filter(dataset__city=published.city, dataset__slug="car-parks").update(byte_size=2_500_000)
    html = client.get("/rouen/data/car-parks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2.4\xa0MB" in html
