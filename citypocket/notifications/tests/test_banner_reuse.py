"""The alert banner is rebuilt only when the alerts in force change (notifications.context_processors):
kept per process, city and language, it still shows a published, updated, closed or expired alert on
the very next page, in the page's language, and only in its city."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.notifications import cityalerts
from citypocket.notifications.models import Severity
from testsupport import make_staff, pin_now

pytestmark = pytest.mark.django_db

ROAD = {"kind": "road", "severity": Severity.MODERATE, "headline_fr": "Pont Boieldieu fermé",
        "headline_en": "Boieldieu bridge closed"}


@pytest.fixture
def officer(rouen):
    return make_staff(rouen, Role.SAFETY_OFFICER)


def publish(city, officer, **changes):
    now = timezone.now()
    return cityalerts.publish_alert(city=city, author=officer, **{
        **ROAD, "onset": now - timedelta(minutes=5), "expires": now + timedelta(hours=6), **changes})


def page(path="/rouen/", language="fr") -> str:
    return Client().get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_kept_banner_costs_one_plain_query_and_shows_the_same(rouen, officer):
    publish(rouen, officer)
    first = page("/rouen/air/")  # a page without the alerts' own tile
    assert "Pont Boieldieu fermé" in first
    with CaptureQueriesContext(connection) as queries:
        again = page("/rouen/air/")
    alert_queries = [query["sql"] for query in queries.captured_queries if "notifications_cityalert" in query["sql"]]
    # The plain query (on PostgreSQL, prepared: Django logs it as "QUERY = '…' - PARAMS = (…)").
    assert len(alert_queries) == 1 and "SELECT a.identifier" in alert_queries[0], alert_queries
    assert again.count("Pont Boieldieu fermé") == first.count("Pont Boieldieu fermé")


def test_an_alert_published_updated_or_closed_shows_on_the_next_page(rouen, officer):
    first = publish(rouen, officer)
    assert "Pont Boieldieu fermé" in page()
    publish(rouen, officer, headline_fr="Crue de la Seine : quais fermés", headline_en="Seine flood: quays closed")
    assert "Crue de la Seine : quais fermés" in page() and "Pont Boieldieu fermé" in page()
    cityalerts.update_alert(alert=first, user=officer, change_note_fr="Pont rouvert à une voie",
                            change_note_en="One lane open", headline_fr="Pont Boieldieu : une voie ouverte",
                            headline_en="Boieldieu bridge: one lane open")
    shown = page()
    assert "Pont Boieldieu : une voie ouverte" in shown and "Pont Boieldieu fermé" not in shown
    first.refresh_from_db()
    cityalerts.close_alert(alert=first, user=officer)
    shown = page()
    assert "Pont Boieldieu" not in shown and "Crue de la Seine" in shown


def test_an_alert_leaves_the_banner_when_it_expires(rouen, officer, monkeypatch):
    alert = publish(rouen, officer, expires=timezone.now() + timedelta(minutes=30))
    assert "Pont Boieldieu fermé" in page()
    pin_now(monkeypatch, alert.expires - timedelta(seconds=1))
    assert "Pont Boieldieu fermé" in page()
    pin_now(monkeypatch, alert.expires)
    assert "Pont Boieldieu fermé" not in page()


def test_the_kept_banner_is_per_language_and_per_city(rouen, aix, officer):
    publish(rouen, officer)
    assert "Pont Boieldieu fermé" in page(language="fr")
    english = page(language="en")
    assert "Boieldieu bridge closed" in english and "Pont Boieldieu fermé" not in english
    assert "Pont Boieldieu fermé" in page(language="fr")
    for path in ("/aix-en-provence/", "/aix-en-provence/air/"):
        assert "Boieldieu" not in page(path), path
    assert "Pont Boieldieu fermé" in page("/rouen/air/")
