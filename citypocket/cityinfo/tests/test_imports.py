"""Places imported from an Overpass GeoJSON export and from a CSV file: what is kept, what is refused
and why, and that importing the same file again changes nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from citypocket.cityinfo.imports import parse_csv, parse_osm_geojson
from citypocket.cityinfo.models import Place
from citypocket.cityinfo.services import import_places

FIXTURES = Path(__file__).parent / "fixtures"
OSM = (FIXTURES / "overpass-rouen.geojson").read_bytes()
CSV = (FIXTURES / "places-aix.csv").read_bytes()


def test_osm_export_maps_tags_to_kinds_and_refuses_what_it_cannot_place():
    """Town hall (a polygon, placed at its ring's mean), library, unnamed defibrillator and toilets are
    kept; a bakery (not a public service) and a fountain without geometry are refused with a reason."""
    parsed = parse_osm_geojson(OSM)
    records = {record.source_id: record for record in parsed.records}
    assert set(records) == {"way/48512345", "node/2411122233", "node/5533221100", "node/6677889900"}
    town_hall = records["way/48512345"]
    assert town_hall.kind == "town_hall" and town_hall.address == "2 Place du Général de Gaulle, 76000 Rouen"
    assert town_hall.lat == pytest.approx(49.44335) and town_hall.lon == pytest.approx(1.0998)
    library = records["node/2411122233"]
    assert (library.wheelchair, library.accessible_toilets, library.hearing_loop) == ("limited", True, True)
    assert records["node/5533221100"].name == "Défibrillateur"  # unnamed: its kind, in French
    assert {(item.item, item.reason) for item in parsed.rejected} == {
        ("node/1234500001", "none of the place kinds (tags not recognised)"),
        ("node/1234500002", "no usable geometry"),
    }


@pytest.mark.parametrize("text", [b"", b"not json", b"[]", b'{"type": "Feature"}', b'{"features": 3}'])
def test_an_unreadable_geojson_file_is_one_rejection_not_an_error(text):
    parsed = parse_osm_geojson(text)
    assert parsed.records == [] and [item.item for item in parsed.rejected] == ["file"]


def test_csv_reads_semicolons_decimal_commas_and_osm_kinds_and_refuses_bad_rows():
    """A French CSV (BOM, `;`, decimal commas, a quoted hours cell) gives three places; an unknown kind
    and a latitude that is not a number are refused with their reason."""
    parsed = parse_csv(CSV)
    records = {record.source_id: record for record in parsed.records}
    assert set(records) == {"AIX-PIS-01", "AIX-FON-07", "AIX-MUS-02"}
    pool = records["AIX-PIS-01"]
    assert (pool.kind, pool.lat, pool.lon, pool.accessible_toilets) == ("pool", 43.518, 5.439, True)
    assert pool.opening_hours == "Mo-Fr 11:30-13:30,17:00-20:00; Sa 10:00-13:00; PH off"
    assert records["AIX-FON-07"].kind == "drinking_water"
    assert {(item.item, item.reason) for item in parsed.rejected} == {
        ("AIX-XXX-09", "unknown kind 'kiosk'"),
        ("AIX-BAD-03", "latitude or longitude missing or out of range"),
    }


def test_csv_without_the_required_columns_is_refused_whole():
    parsed = parse_csv("name,lat\nMairie,49.4\n")
    assert parsed.records == [] and parsed.rejected[0].reason == "missing columns: id, kind, lon"


@pytest.mark.django_db
def test_importing_the_same_export_twice_creates_then_changes_nothing(rouen):
    """Idempotent by source id: the second run finds every row unchanged; ODbL provenance is recorded;
    hours the parser cannot read are dropped with a warning, the place kept."""
    first = import_places(city=rouen, parsed=parse_osm_geojson(OSM), source="osm")
    second = import_places(city=rouen, parsed=parse_osm_geojson(OSM), source="osm")
    assert (first.created, first.updated, second.created, second.updated, second.unchanged) == (4, 0, 0, 0, 4)
    assert [item.item for item in first.warnings] == ["node/6677889900"]
    assert Place.objects.filter(city=rouen, source="osm").count() == 4
    town_hall = Place.objects.get(city=rouen, source_id="way/48512345")
    assert town_hall.slug == "hotel-de-ville" and "ODbL" in town_hall.provenance
    assert Place.objects.get(source_id="node/6677889900").opening_hours == ""


@pytest.mark.django_db
def test_a_changed_row_is_updated_in_place_and_keeps_its_slug(rouen):
    import_places(city=rouen, parsed=parse_osm_geojson(OSM), source="osm")
    changed = OSM.replace(b"Mo-Fr 08:30-17:00; PH off", b"Mo-Fr 09:00-18:00; PH off")
    summary = import_places(city=rouen, parsed=parse_osm_geojson(changed), source="osm")
    assert (summary.updated, summary.unchanged) == (1, 3)
    town_hall = Place.objects.get(city=rouen, source_id="way/48512345")
    assert (town_hall.slug, town_hall.opening_hours) == ("hotel-de-ville", "Mo-Fr 09:00-18:00; PH off")


@pytest.mark.django_db
def test_the_same_source_id_in_two_cities_gives_two_places(rouen, aix):
    import_places(city=rouen, parsed=parse_csv(CSV), source="csv")
    import_places(city=aix, parsed=parse_csv(CSV), source="csv")
    assert Place.objects.filter(source_id="AIX-PIS-01").count() == 2


@pytest.mark.django_db
def test_import_places_command_reports_created_and_rejected(aix, tmp_path):
    """The command reads a CSV by its extension and says what it did, rejections on stderr."""
    path = tmp_path / "lieux.csv"
    path.write_bytes(CSV)
    out, err = StringIO(), StringIO()
    call_command("import_places", "aix-en-provence", str(path), stdout=out, stderr=err)
    call_command("import_places", "aix-en-provence", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        "3 created, 0 updated, 0 unchanged, 2 rejected, 0 warnings",
        "0 created, 0 updated, 3 unchanged, 2 rejected, 0 warnings",
    ]
    assert "rejected AIX-XXX-09: unknown kind 'kiosk'" in err.getvalue()
    assert Place.objects.get(city=aix, source_id="AIX-PIS-01").source == "csv"
