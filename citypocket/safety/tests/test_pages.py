"""Citizen pages and public lists: help now, overview, report and follow forms, safe places, articles,
filmed zones, demo data."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from citypocket.core.capabilities import get_capability
from citypocket.core.demo import list_demo_loaders
from citypocket.safety import crypto
from citypocket.safety.demo import load_demo
from citypocket.safety.models import AwarenessArticle, FilmedZone, HarassmentReport, SafePlace
from citypocket.safety.selectors import is_open_at, list_safe_places_by_distance
from testsupport import assert_problem

pytestmark = pytest.mark.django_db


def test_help_page_has_call_and_sms_links_and_is_offline_listed(client, rouen):
    """`safety:help` offers tel:17, tel:112, sms:114 and tel:3919, and the capability precaches it."""
    load_demo()
    url = reverse("safety:help", kwargs={"city": "rouen"})
    assert url == "/rouen/safety/help/"
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    for link in ('href="tel:17"', 'href="tel:112"', 'href="sms:114"', 'href="tel:3919"'):
        assert link in body
    assert body.count("<h1") == 1
    assert get_capability("safety").offline_urls(rouen) == [url]
    assert "openstreetmap.org/directions?to=" in body


def test_help_now_button_is_on_every_city_page(client, rouen, rf):
    """The header's help-now link resolves for any page under /<city>/ and shows on the safety pages."""
    from django.urls import resolve

    from citypocket.core.context_processors import platform

    request = rf.get("/rouen/anything/")
    request.resolver_match = resolve("/rouen/safety/video-protection/")
    assert platform(request)["help_now_url"] == "/rouen/safety/help/"
    for url in ("/rouen/safety/", "/rouen/safety/video-protection/", "/rouen/safety/report/"):
        assert 'class="help-now" href="/rouen/safety/help/"' in client.get(url).content.decode()


def test_safe_places_without_js_are_sorted_by_distance_from_the_centre(rouen):
    """Open places first, then nearest to the city centre."""
    load_demo()
    monday_noon = dt.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    items = list_safe_places_by_distance(city=rouen, now=monday_noon)
    assert items[0].place.name == "Mairie de Rouen — accueil (démo)"
    opened = [item for item in items if item.open_now]
    assert [i.distance_m for i in opened] == sorted(i.distance_m for i in opened)
    assert not next(i for i in items if i.place.kind == "bar").open_now  # bars closed on Monday noon


@pytest.mark.parametrize(("when", "expected"), [
    (dt.datetime(2026, 11, 28, 23, 30), True),   # Saturday late evening
    (dt.datetime(2026, 11, 29, 1, 30), True),    # Sunday 01:30, Saturday's range runs past midnight
    (dt.datetime(2026, 11, 29, 3, 0), False),
    (dt.datetime(2026, 11, 23, 12, 0), False),   # Monday
])
def test_opening_hours_past_midnight(when, expected):
    """A range ending after midnight keeps the place open into the next day."""
    assert is_open_at({"sat": [["10:00", "02:00"]]}, when) is expected


def test_safe_places_api_is_geojson_with_opening_hours(client, rouen, aix):
    """GeoJSON [lon, lat] points with structured hours and the demo flag; per city."""
    load_demo()
    body = client.get("/api/v1/cities/rouen/safety/safe-places").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == SafePlace.objects.filter(city=rouen).count()
    feature = next(f for f in body["features"] if f["properties"]["kind"] == "pharmacy")
    assert feature["geometry"]["coordinates"] == [1.09155, 49.44115]
    assert feature["properties"]["opening_hours"]["mon"] == [["09:00", "19:30"]]
    assert feature["properties"]["is_demo"] is True
    assert all("Aix" not in f["properties"]["address"] for f in body["features"])
    assert_problem(client.get("/api/v1/cities/nowhere/safety/safe-places"), 404)


def test_filmed_zones_api_and_page(client, rouen, aix):
    """Zones come out as polygons (a circle for point + radius) with operator, purpose, retention, rights."""
    load_demo()
    body = client.get("/api/v1/cities/aix-en-provence/safety/filmed-zones").json()
    assert len(body["features"]) == FilmedZone.objects.filter(city=aix).count() == 2
    for feature in body["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
        assert feature["properties"]["retention_days"] == 15
    page = client.get("/aix-en-provence/safety/video-protection/").content.decode()
    assert "Cours Mirabeau (démo)" in page and "dpo@example.org" in page
    assert "Vieux-Marché" not in page


def test_overview_page_lists_places_articles_and_hotspots_explainer(client, rouen):
    """`safety:page` shows the safe places list, the articles and the publication rule."""
    load_demo()
    body = client.get("/rouen/safety/").content.decode()
    assert "Pharmacie du Gros-Horloge (démo)" in body
    assert "/rouen/safety/learn/bystander-5d/" in body
    assert body.count("<h1") == 1


def test_articles_in_french_and_english(client, rouen):
    """The same article reads in French by default and in English with ?lang=en."""
    load_demo()
    french = client.get("/rouen/safety/learn/the-law/").content.decode()
    english = client.get("/rouen/safety/learn/the-law/?lang=en").content.decode()
    assert "222-33-1-1" in french and "outrage sexiste et sexuel" in french
    assert "What the law says" in english
    assert client.get("/rouen/safety/learn/unknown/").status_code == 404


def test_demo_loader_is_idempotent_and_marks_demo_data(rouen, aix):
    """Loading twice gives the same rows, all flagged as demo data."""
    assert "safety" in [loader.name for loader in list_demo_loaders()]
    first = load_demo()
    counts = (SafePlace.objects.count(), AwarenessArticle.objects.count(), FilmedZone.objects.count())
    assert load_demo() == first
    assert counts == (SafePlace.objects.count(), AwarenessArticle.objects.count(), FilmedZone.objects.count())
    assert counts == (10, 8, 4)
    assert not SafePlace.objects.filter(is_demo=False).exists()
    assert all("(démo)" in place.name for place in SafePlace.objects.all())
    # The only reports are the simulated ones of the hotspots: marked, closed, anonymised, with nothing sensitive.
    reports = HarassmentReport.objects.all()
    assert reports.exists() and all(report.receipt_hash.startswith("demo-") for report in reports)
    assert all(report.status == "closed" and report.anonymised_on for report in reports)
    assert not reports.exclude(location_enc="", place_name_enc="", description_enc="", contact_enc="",
                               occurred_at_enc="").exists()


def test_report_form_without_javascript_gives_a_receipt_once(rouen):
    """The HTML form files a report and shows the receipt code; following it with the code works."""
    client = Client(enforce_csrf_checks=False)
    form = client.get("/rouen/safety/report/")
    assert form.status_code == 200 and form["Cache-Control"].startswith("max-age=0")
    response = client.post("/rouen/safety/report/", {
        "category": "following", "role": "victim", "occurred_on": "2026-11-01", "occurred_time": "22:10",
        "place_name": "quai de Paris", "description": "followed", "contact": "",
    })
    assert response.status_code == 201
    code = re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)
    report = HarassmentReport.objects.get()
    assert report.category == "following" and report.receipt_hash == crypto.hash_receipt(code)
    assert crypto.decrypt_text(report.occurred_at_enc).startswith("2026-11-01T22:10")
    followed = client.post("/rouen/safety/follow/", {"receipt_code": code, "text": "more details"})
    assert followed.status_code == 200 and 'id="status-title"' in followed.content.decode()
    assert report.updates.count() == 1
    assert client.post("/rouen/safety/follow/", {"receipt_code": "WRONG-CODE1"}).status_code == 404


def test_report_form_errors_are_listed(client, rouen):
    """Missing category and place: 422 with an error summary, nothing stored."""
    response = client.post("/rouen/safety/report/", {"occurred_on": "2026-11-01"})
    assert response.status_code == 422
    assert "error-summary" in response.content.decode()
    assert not HarassmentReport.objects.exists()


def test_city_home_tile_links_to_help_now(rouen):
    """The safety tile of the city home links to help now and counts the safe places open now."""
    from django.template.loader import render_to_string

    load_demo()
    capability = get_capability("safety")
    html = render_to_string(capability.tile_template, {"tile": capability.tile_context(rouen)})
    assert 'href="/rouen/safety/help/"' in html
