"""The agenda: periods in the city's calendar, filters, pages, the API, and the iCalendar feeds parsed back."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from citypocket.cityinfo import selectors
from citypocket.cityinfo.tests.factories import EventCategoryFactory, EventFactory, PlaceFactory
from testsupport import assert_tenant_isolated

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def agenda(rouen, aix):
    concerts = EventCategoryFactory(city=rouen, slug="concerts", name_fr="Concerts", name_en="Concerts")
    museum = PlaceFactory(city=rouen, slug="musee", name="Musée", lat=49.4450, lon=1.0943)
    market = EventFactory(city=rouen, slug="marche", title_fr="Marché", title_en="Market", is_free=True,
                          wheelchair=True, starts_at=datetime(2026, 10, 3, 6, tzinfo=UTC),
                          ends_at=datetime(2026, 10, 3, 11, tzinfo=UTC), rrule="FREQ=WEEKLY;BYDAY=SA")
    concert = EventFactory(city=rouen, slug="concert", title_fr="Concert", venue=museum, price="8 €",
                           starts_at=datetime(2026, 12, 10, 19, tzinfo=UTC), ends_at=datetime(2026, 12, 10, 21,
                                                                                             tzinfo=UTC))
    concert.categories.add(concerts)
    EventFactory(city=aix, slug="concert", title_fr="Concert d'Aix")
    return market, concert


def test_this_weekend_is_saturday_and_sunday_in_the_citys_calendar(rouen):
    thursday = datetime(2026, 12, 10, 12, tzinfo=UTC)
    start, end = selectors.compute_period(city=rouen, when="weekend", moment=thursday)
    assert (start, end) == (datetime(2026, 12, 12, tzinfo=PARIS), datetime(2026, 12, 14, tzinfo=PARIS))
    sunday_night = datetime(2026, 12, 13, 22, 30, tzinfo=UTC)  # 23:30 on Sunday in Paris: what is left of it
    assert selectors.compute_period(city=rouen, when="weekend", moment=sunday_night)[0] == datetime(
        2026, 12, 13, tzinfo=PARIS)


def test_the_weekend_lists_the_recurring_market_at_its_local_time(agenda, rouen):
    """Created at 08:00 in October (summer time), the market is still at 08:00 in December."""
    start, end = selectors.compute_period(city=rouen, when="weekend", moment=datetime(2026, 12, 10, 12, tzinfo=UTC))
    items = selectors.list_occurrences(city=rouen, start=start, end=end)
    assert [(item.event.slug, item.starts_at) for item in items] == [("marche", datetime(2026, 12, 12, 8, tzinfo=PARIS))]


def test_api_lists_occurrences_in_a_period_with_filters(client, agenda):
    url = "/api/v1/cities/rouen/events"
    period = {"from": "2026-12-07T00:00:00", "to": "2026-12-14T00:00:00"}
    body = client.get(url, period).json()
    assert [(item["slug"], item["starts_at"]) for item in body["items"]] == [
        ("concert", "2026-12-10T19:00:00Z"), ("marche", "2026-12-12T07:00:00Z")]
    assert body["items"][1]["recurring"] is True and body["items"][0]["venue"] == "musee"
    assert [i["slug"] for i in client.get(url, {**period, "free": "true"}).json()["items"]] == ["marche"]
    assert [i["slug"] for i in client.get(url, {**period, "category": "concerts"}).json()["items"]] == ["concert"]
    assert [i["slug"] for i in client.get(url, {**period, "accessible": "true"}).json()["items"]] == ["marche"]
    near = client.get(url, {**period, "lat": 49.4450, "lon": 1.0943}).json()["items"]
    assert near[0]["slug"] == "concert" and near[0]["distance_m"] == 0 and near[1]["distance_m"] is None


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-12-07T00:00:00"}, "to"), ({"from": "2026-12-07T00:00:00", "to": "2026-12-01T00:00:00"}, "to"),
    ({"from": "2026-01-01T00:00:00", "to": "2027-06-01T00:00:00"}, "to"), ({"when": "someday"}, "when"),
])
def test_api_bad_periods_are_422_problems(client, agenda, query, field):
    response = client.get("/api/v1/cities/rouen/events", query)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}


def test_city_feed_parses_back_with_uid_tzid_rrule_and_vtimezone(client, agenda):
    """The bar of the issue: the iCalendar feed parses and carries UID, DTSTART with TZID, RRULE."""
    market, _concert = agenda
    response = client.get("/rouen/agenda/feed.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(item["UID"]): item for item in calendar.walk("VEVENT")}
    assert set(events) == {f"event-{market.pk}@rouen.citypocket", f"event-{agenda[1].pk}@rouen.citypocket"}
    weekly = events[f"event-{market.pk}@rouen.citypocket"]
    assert weekly["DTSTART"].params["TZID"] == "Europe/Paris"
    assert weekly.decoded("DTSTART") == datetime(2026, 10, 3, 8, tzinfo=PARIS)
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=SA"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    concert = events[f"event-{agenda[1].pk}@rouen.citypocket"]
    assert "RRULE" not in concert and str(concert["LOCATION"]).startswith("Musée")
    assert str(concert["URL"]) == "http://testserver/rouen/agenda/concert/"


def _vevents(client, url: str) -> dict:
    calendar = Calendar.from_ical(client.get(url).content)
    return {str(item["UID"]): item for item in calendar.walk("VEVENT")}


def test_feeds_carry_true_stamps_and_a_sequence_that_grows_with_each_reschedule(client, agenda):
    """DTSTAMP and LAST-MODIFIED are the event's last change (UTC), CREATED its creation; SEQUENCE
    grows (and is stored) with each change of time, place, recurrence or status, not of its words;
    a cancelled event stays in every feed with STATUS:CANCELLED."""
    market, concert = agenda
    uid = f"event-{concert.pk}@rouen.citypocket"
    first = _vevents(client, "/rouen/agenda/feed.ics")[uid]
    assert first.decoded("SEQUENCE") == 0 and str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("DTSTAMP") == first.decoded("LAST-MODIFIED") == concert.updated_at.replace(microsecond=0)
    assert first.decoded("DTSTAMP").utcoffset() == timedelta(0) and first["DTSTAMP"].to_ical().endswith(b"Z")
    assert first.decoded("CREATED") == concert.created_at.replace(microsecond=0)
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"

    concert.title_fr = "Concert du soir"  # words only: the same revision
    concert.save()
    assert concert.sequence == 0
    concert.starts_at += timedelta(hours=1)
    concert.ends_at += timedelta(hours=1)
    concert.save()
    concert.venue = PlaceFactory(city=concert.city, slug="halle", name="Halle aux toiles")
    concert.save()
    concert.location = "Entrée rue du Bec"
    concert.save(update_fields=["location"])
    assert type(concert).objects.get(pk=concert.pk).sequence == 3
    moved = _vevents(client, "/rouen/agenda/feed.ics")[uid]
    assert moved.decoded("SEQUENCE") == 3 and str(moved["LOCATION"]).startswith("Halle aux toiles")
    assert moved.decoded("LAST-MODIFIED") == type(concert).objects.get(pk=concert.pk).updated_at.replace(microsecond=0)

    market.rrule = "FREQ=WEEKLY;BYDAY=SA,SU"
    market.save()
    market.exdates = ["2026-12-26T08:00"]
    market.save()
    assert _vevents(client, "/rouen/agenda/feed.ics")[f"event-{market.pk}@rouen.citypocket"].decoded("SEQUENCE") == 2

    concert.status = "cancelled"
    concert.save()
    for url in ("/rouen/agenda/feed.ics", "/rouen/agenda/categories/concerts.ics", "/rouen/agenda/concert.ics"):
        cancelled = _vevents(client, url)[uid]
        assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.decoded("SEQUENCE") == 4, url


def test_category_feed_and_add_to_my_calendar(client, agenda):
    market, concert = agenda
    category = Calendar.from_ical(client.get("/rouen/agenda/categories/concerts.ics").content)
    assert [str(item["UID"]) for item in category.walk("VEVENT")] == [f"event-{concert.pk}@rouen.citypocket"]
    single = client.get("/rouen/agenda/marche.ics")
    assert single["Content-Disposition"] == 'attachment; filename="marche.ics"'
    assert [str(item["UID"]) for item in Calendar.from_ical(single.content).walk("VEVENT")] == [
        f"event-{market.pk}@rouen.citypocket"]
    assert client.get("/rouen/agenda/categories/nothing.ics").status_code == 404


def test_agenda_page_lists_upcoming_events_by_day_and_links_the_feeds(client, agenda):
    text = client.get("/rouen/agenda/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Agenda</h1>" in text and "Market" in text and "Concert d&#x27;Aix" not in text
    assert "/rouen/agenda/feed.ics" in text and "/rouen/agenda/categories/concerts.ics" in text


def test_agenda_page_filters_free_without_javascript(client, agenda):
    text = client.get("/rouen/agenda/", {"free": "on", "when": "upcoming"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Market" in text and "/rouen/agenda/concert/" not in text


def test_event_page_shows_next_dates_venue_and_add_to_calendar(client, agenda):
    text = client.get("/rouen/agenda/marche/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Market</h1>" in text and "Add to my calendar" in text and "/rouen/agenda/marche.ics" in text
    assert text.count("<time datetime=") == 10  # five next Saturdays, start and end


def test_an_event_of_another_city_is_not_found(client, agenda, rouen, aix, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EventFactory(city=aix, slug="fete", title_fr="Fête d'Aix")
    assert client.get("/rouen/agenda/fete/").status_code == 404
    assert client.get("/rouen/agenda/fete.ics").status_code == 404
    assert Client().get("/api/v1/cities/aix-en-provence/events", {"when": "upcoming"}).status_code == 200
    assert_tenant_isolated(city=aix, other_city=rouen, url="/rouen/agenda/fete/", as_json=False,
                           secrets=["Fête d'Aix"])


def test_the_agenda_page_shows_a_page_at_a_time_with_the_whole_count(rouen, client: Client, monkeypatch):
    from citypocket.cityinfo import views

    monkeypatch.setattr(views, "AGENDA_PAGE_SIZE", 3)
    start = datetime.now(UTC).replace(microsecond=0)
    for i in range(7):  # hours from now: all in "the next 30 days"
        EventFactory(city=rouen, slug=f"e{i}", title_fr=f"Rencontre {i}", starts_at=start + timedelta(hours=i + 1),
                     ends_at=start + timedelta(hours=i + 2))
    first = client.get("/rouen/agenda/").content.decode()
    assert "7 événements" in first and "Page 1 sur 3" in first
    assert "Rencontre 2" in first and "Rencontre 3" not in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/rouen/agenda/", {"page": 3})  # the page alone is not a filter: not a 422
    assert last.status_code == 200
    text = last.content.decode()
    assert "Rencontre 6" in text and "Rencontre 5" not in text and 'rel="next"' not in text
    for i in range(4):
        EventFactory(city=rouen, slug=f"free{i}", title_fr=f"Gratuit {i}", is_free=True,
                     starts_at=start + timedelta(hours=i + 1), ends_at=start + timedelta(hours=i + 2))
    filtered = client.get("/rouen/agenda/", {"when": "upcoming", "free": "on"}).content.decode()
    assert "4 événements" in filtered and "when=upcoming&amp;free=on&amp;page=2" in filtered
