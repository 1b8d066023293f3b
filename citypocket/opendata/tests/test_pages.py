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
