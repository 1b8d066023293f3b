"""Meetings: list and detail with agenda, registration within capacity, iCalendar export."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from citypocket.participation.models import MeetingKind, Registration
from citypocket.participation.tests.factories import AgendaItemFactory, MeetingDocumentFactory, MeetingFactory
from testsupport import UserFactory, assert_problem, assert_tenant_isolated, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(rouen):
    start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    meeting = MeetingFactory(city=rouen, kind=MeetingKind.COUNCIL, title="Conseil métropolitain", starts_at=start,
                             ends_at=start + timedelta(hours=3), place="108 allée François Mitterrand, Rouen",
                             capacity=1)
    AgendaItemFactory(meeting=meeting, position=1, title="Budget citoyen")
    AgendaItemFactory(meeting=meeting, position=2, title="Plan vélo", decision="Adopté")
    return meeting


def test_meeting_detail_has_agenda_and_places(client, rouen, meeting):
    """GET …/meetings/{id} gives the agenda in order and the registrations."""
    body = client.get(f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}").json()
    assert [a["title"] for a in body["agenda"]] == ["Budget citoyen", "Plan vélo"]
    assert body["agenda"][1]["decision"] == "Adopté" and body["capacity"] == 1 and body["registered"] == 0


def test_registration_respects_capacity(client, rouen, meeting):
    """The first person gets the only place (twice is fine), the second gets 409 meeting-full."""
    url = f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}/registration"
    assert_problem(client.put(url), 401)
    first = UserFactory()
    login(client, first, mfa=False)
    assert client.put(url).json() == {"meeting_id": meeting.pk, "registered": True}
    assert client.put(url).status_code == 200
    login(client, UserFactory(), mfa=False)
    assert assert_problem(client.put(url), 409)["type"].endswith("/meeting-full")
    assert list(Registration.objects.values_list("user", flat=True)) == [first.pk]


def test_ics_feed_lists_upcoming_meetings_with_agenda(client, rouen, meeting):
    """meetings.ics is a valid calendar with one event per upcoming meeting."""
    response = client.get(f"/api/v1/cities/{rouen.slug}/meetings.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Conseil métropolitain"
    assert "2. Plan vélo" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == meeting.starts_at
    one = client.get(f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}.ics")
    assert len(Calendar.from_ical(one.content).walk("VEVENT")) == 1


def test_meetings_are_isolated_per_city(rouen, aix, meeting):
    """A Rouen meeting under Aix is a 404 (JSON, iCalendar, registration)."""
    for url, method in ((f"/api/v1/cities/{aix.slug}/meetings/{meeting.pk}", "get"),
                        (f"/api/v1/cities/{aix.slug}/meetings/{meeting.pk}.ics", "get"),
                        (f"/api/v1/cities/{aix.slug}/meetings/{meeting.pk}/registration", "put")):
        assert_tenant_isolated(city=rouen, other_city=aix, url=url, method=method,
                               check_unchanged=lambda: not Registration.objects.exists())


def test_meeting_documents_are_listed_and_uploaded_ones_served(client, rouen, aix, meeting):
    """A linked document keeps its URL; an uploaded one is served by the app, for this city only."""
    from django.core.files.base import ContentFile

    from citypocket.participation.models import MeetingDocument

    MeetingDocumentFactory(meeting=meeting, position=1, title="Délibérations",
                           url="https://www.metropole-rouen-normandie.fr/deliberations")
    upload = MeetingDocument(meeting=meeting, position=2, title="Ordre du jour")
    upload.file.save("ordre-du-jour.txt", ContentFile(b"1. Budget citoyen\n2. Plan velo\n"))
    body = client.get(f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}").json()
    assert [d["title"] for d in body["documents"]] == ["Délibérations", "Ordre du jour"]
    assert body["documents"][0]["url"] == "https://www.metropole-rouen-normandie.fr/deliberations"
    served = client.get(body["documents"][1]["url"])
    assert served.status_code == 200 and b"Budget citoyen" in b"".join(served.streaming_content)
    page = client.get(f"/{rouen.slug}/participate/meetings/{meeting.pk}/").content.decode()
    assert "Ordre du jour" in page and "Délibérations" in page
    other_city = body["documents"][1]["url"].replace(f"/{rouen.slug}/", f"/{aix.slug}/")
    assert client.get(other_city).status_code == 404


def test_a_document_needs_a_file_or_a_link(meeting):
    """The database refuses a document with neither a file nor a link."""
    from django.db import IntegrityError, transaction

    from citypocket.participation.models import MeetingDocument

    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingDocument.objects.create(meeting=meeting, title="Vide")


def test_ics_events_carry_revision_status_and_time_zone(client, rouen, meeting):
    """DTSTAMP / LAST-MODIFIED are the last change (not the start), SEQUENCE grows with each change of
    time or place (not of the title), a cancelled meeting is STATUS:CANCELLED, times carry a TZID
    with its VTIMEZONE; all read back by parsing with icalendar."""
    from datetime import timedelta

    from django.utils import timezone

    url = f"/api/v1/cities/{rouen.slug}/meetings/{meeting.pk}.ics"

    def event():
        calendar = Calendar.from_ical(client.get(url).content)
        assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
        [found] = calendar.walk("VEVENT")
        return found

    first = event()
    assert first["DTSTART"].params["TZID"] == "Europe/Paris" == first["DTEND"].params["TZID"]
    assert first.decoded("DTSTART") == meeting.starts_at
    assert first.decoded("DTSTAMP") <= timezone.now() < meeting.starts_at
    assert first.decoded("LAST-MODIFIED") == first.decoded("DTSTAMP")
    assert (first["SEQUENCE"], str(first["STATUS"])) == (0, "CONFIRMED")

    meeting.starts_at += timedelta(hours=1)
    meeting.ends_at += timedelta(hours=1)
    meeting.save()
    moved = event()
    assert moved["SEQUENCE"] == 1 and moved.decoded("DTSTART") == meeting.starts_at
    assert moved.decoded("LAST-MODIFIED") >= first.decoded("LAST-MODIFIED")
    meeting.place = "Salle des fêtes"
    meeting.save()
    assert event()["SEQUENCE"] == 2
    meeting.title = "Conseil métropolitain (ordre du jour complété)"
    meeting.save()
    assert event()["SEQUENCE"] == 2  # a new title is not a new time or place
    meeting.is_cancelled = True
    meeting.save(update_fields=["is_cancelled"])
    cancelled = event()
    assert (cancelled["SEQUENCE"], str(cancelled["STATUS"])) == (3, "CANCELLED")
    meeting.refresh_from_db()
    assert meeting.sequence == 3
