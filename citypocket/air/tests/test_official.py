"""Official ATMO feed: recorded ArcGIS and GeoJSON payloads, J and J+1, communes of the city only."""

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import httpx
import pytest
import respx
from django.core.management import call_command
from django.test import Client

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirIndexDaily, Source
from citypocket.air.official import FeedError, fetch_official_indices, import_official_indices, parse_official

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
FEED = "https://services.arcgis.example/ind_normandie/FeatureServer/0/query"
RECORDED_DAY = date(2026, 11, 24)


def arcgis_payload() -> dict:
    return json.loads((FIXTURES / "atmo_normandie_ind_arcgis.json").read_text(encoding="utf-8"))


def shifted(payload: dict, *, to: date) -> dict:
    """The recorded payload with its days moved so that J is `to` (same structure, same values)."""
    delta_ms = (to - RECORDED_DAY).days * 86_400_000
    for feature in payload["features"]:
        for field in ("date_ech", "date_dif", "date_maj"):
            feature["attributes"][field] += delta_ms
    return payload


def test_arcgis_payload_parses_j_and_j_plus_one_with_local_dates():
    """Epoch-ms dates at local midnight are read as the right local day; sub-indices are kept."""
    items = parse_official(arcgis_payload())
    rouen = [item for item in items if item.zone_code == "76540"]
    assert [(item.day, item.level) for item in rouen] == [(date(2026, 11, 24), 3), (date(2026, 11, 25), 4)]
    assert rouen[1].sub_indices == {"no2": 2, "o3": 1, "pm10": 3, "pm25": 4, "so2": 1}
    assert rouen[0].published == date(2026, 11, 24)
    assert rouen[0].source == "Atmo Normandie"


def test_import_keeps_only_the_city_communes_and_marks_tomorrow_as_forecast(rouen):
    """Rouen keeps 76540 only; J+1 is a forecast; the dominant pollutant is named; re-import is idempotent."""
    import_official_indices(city=rouen, payload=arcgis_payload())
    rows = import_official_indices(city=rouen, payload=arcgis_payload())
    assert len(rows) == 2
    stored = AirIndexDaily.objects.filter(city=rouen, source=Source.OFFICIAL).order_by("date")
    assert [(r.date, r.level, r.forecast, r.zone_code) for r in stored] == [
        (date(2026, 11, 24), 3, False, "76540"),
        (date(2026, 11, 25), 4, True, "76540"),
    ]
    assert stored[1].dominant == ["pm25"]
    assert stored[0].scale == "atmo-2021" and stored[0].version.startswith("2021")


def test_geojson_payload_with_iso_dates_for_aix(aix):
    """The GeoJSON / ODS shape with ISO dates is read the same way; Marseille is not Aix."""
    payload = json.loads((FIXTURES / "atmosud_ind_geojson.json").read_text(encoding="utf-8"))
    rows = import_official_indices(city=aix, payload=payload)
    assert [(row.date, row.level, row.zone_name) for row in rows] == [
        (date(2026, 11, 24), 2, "Aix-en-Provence"),
        (date(2026, 11, 25), 3, "Aix-en-Provence"),
    ]


@pytest.mark.parametrize(
    "payload",
    [{"error": {"code": 400}}, {"features": [{"attributes": {"code_qual": 9, "date_ech": 0, "code_zone": "1"}}]},
     {"features": [{"attributes": {"code_qual": 2}}]}, "oops"],
)
def test_unreadable_payloads_raise_feed_error_and_store_nothing(rouen, payload):
    """An ArcGIS error, a code out of 0..7, a record without date/zone: FeedError, nothing stored."""
    with pytest.raises(FeedError):
        import_official_indices(city=rouen, payload=payload)
    assert not AirIndexDaily.objects.exists()


@respx.mock
def test_fetch_downloads_the_feed_and_stores_it(rouen):
    """The connector GETs the configured URL (mocked: it leaves the process) and stores J and J+1."""
    route = respx.get(FEED).mock(return_value=httpx.Response(200, json=arcgis_payload()))
    rows = fetch_official_indices(city=rouen, url=FEED)
    assert route.called
    assert len(rows) == 2
    assert AirIndexDaily.objects.filter(source=Source.OFFICIAL).count() == 2


@respx.mock
def test_fetch_failure_raises_feed_error(rouen, settings):
    """A 503 from the feed is a FeedError; no feed configured is one too."""
    respx.get(FEED).mock(return_value=httpx.Response(503))
    settings.AIR_ATMO_FEEDS = {"rouen": FEED}
    with pytest.raises(FeedError):
        fetch_official_indices(city=rouen)
    settings.AIR_ATMO_FEEDS = {}
    with pytest.raises(FeedError):
        fetch_official_indices(city=rouen)


def test_command_reads_a_saved_payload(rouen, tmp_path):
    """`fetch_air_official rouen --file` stores the indices and prints them."""
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(arcgis_payload()), encoding="utf-8")
    out = StringIO()
    call_command("fetch_air_official", "rouen", "--file", str(path), stdout=out)
    assert "2026-11-25 76540 Rouen: 4 (forecast)" in out.getvalue()
    assert AirIndexDaily.objects.filter(source=Source.OFFICIAL).count() == 2


def test_air_now_and_page_show_the_official_index_and_tomorrow(rouen):
    """With today's feed, air/now has `official` and `official_tomorrow`; the page shows both beside the computed."""
    ensure_demo_stations()
    today = rouen.local_today()
    import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=today))
    body = Client().get("/api/v1/cities/rouen/air/now", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["official"]["level"] == 3 and body["official"]["label"] == "Dégradé"
    assert body["official"]["source"] == "official" and body["official"]["forecast"] is False
    assert body["official_tomorrow"]["level"] == 4 and body["official_tomorrow"]["forecast"] is True
    assert body["official_tomorrow"]["date"] == (today + timedelta(days=1)).isoformat()
    assert body["atmo"]["source"] == "computed"
    html = Client().get("/rouen/air/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card = html.split("data-air-today", 1)[1].split("</section>", 1)[0]
    assert "Dégradé" in card and "Mauvais" in card and "Rouen" in card


@respx.mock
def test_check_air_episodes_command_refreshes_and_alerts_once(rouen, django_capture_on_commit_callbacks):
    """`check_air_episodes rouen` refreshes today's index and creates the day's alert only once."""
    from citypocket.air.models import AirAlert

    import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=rouen.local_today()))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_air_episodes", "rouen", stdout=out)
        call_command("check_air_episodes", "rouen", stdout=out)
    assert "rouen: index 0" in out.getvalue()
    assert AirAlert.objects.filter(city=rouen).count() == 1


@respx.mock
def test_command_downloads_from_a_url(rouen):
    """`fetch_air_official rouen --url` downloads (mocked network) and stores J and J+1."""
    respx.get(FEED).mock(return_value=httpx.Response(200, json=arcgis_payload()))
    out = StringIO()
    call_command("fetch_air_official", "rouen", "--url", FEED, stdout=out)
    assert "2026-11-24 76540 Rouen: 3" in out.getvalue()
