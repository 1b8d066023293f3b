"""Meetings: list, detail with agenda and minutes, registration, iCalendar export."""

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router
from ninja.pagination import paginate

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.pagination import Presented
from citypocket.core.params import CitySlug, Id
from citypocket.core.problems import responses
from citypocket.core.throttling import write_throttle
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.calendar import meetings_to_ics
from citypocket.participation.models import Registration
from citypocket.participation.schemas import MeetingOut, RegistrationOut
from citypocket.participation.selectors.meetings import get_meeting, list_meetings
from citypocket.participation.services.meetings import cancel_registration, register_for_meeting

router = Router(tags=["participation"])

ICS_RESPONSE = {"responses": {200: {"description": "iCalendar (RFC 5545)",
                                    "content": {"text/calendar": {"schema": {"type": "string"}}}}}}


def meeting_out(meeting) -> dict:
    return {
        "id": meeting.pk, "kind": meeting.kind, "title": meeting.title, "description": meeting.description,
        "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
        "online_url": meeting.online_url, "capacity": meeting.capacity, "registered": meeting.registered,
        "cancelled": meeting.is_cancelled,
        "minutes": meeting.minutes, "agenda": list(meeting.agenda.all()),
        "documents": [{"title": d.title, "url": document_url(d, meeting.city)} for d in meeting.documents.all()],
    }


def document_url(document, city) -> str:
    """Uploaded files are served by the app (any deployment); links point to the city's own site."""
    if document.url:
        return document.url
    return reverse("participation:meeting_document", kwargs={
        "city": city.slug, "meeting_id": document.meeting_id, "document_id": document.pk})


def ics_response(meetings, city, filename: str) -> HttpResponse:
    response = HttpResponse(meetings_to_ics(meetings, city=city), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("/cities/{city}/meetings", response=responses({200: list[MeetingOut]}, 404, 422),
            operation_id="list_meetings", summary="List meetings (upcoming and past)")
@cache_public(max_age=300)
@paginate
def list_all(request, city: CitySlug, upcoming: bool = False):
    return Presented(list_meetings(city=get_city(slug=city), upcoming_only=upcoming), meeting_out)


@router.get("/cities/{city}/meetings.ics", response=responses({200: None}, 404), openapi_extra=ICS_RESPONSE,
            operation_id="export_meetings_ics", summary="Upcoming meetings as an iCalendar feed")
@cache_public(max_age=900)
def feed(request, city: CitySlug):
    city_obj = get_city(slug=city)
    return ics_response(list(list_meetings(city=city_obj, upcoming_only=True)), city_obj, f"{city_obj.slug}.ics")


@router.get("/cities/{city}/meetings/{meeting_id}.ics", response=responses({200: None}, 404),
            openapi_extra=ICS_RESPONSE, operation_id="export_meeting_ics", summary="One meeting as iCalendar")
@cache_public(max_age=900)
def one_ics(request, city: CitySlug, meeting_id: Id):
    city_obj = get_city(slug=city)
    return ics_response([get_meeting(city=city_obj, meeting_id=meeting_id)], city_obj, f"meeting-{meeting_id}.ics")


@router.get("/cities/{city}/meetings/{meeting_id}", response=responses({200: MeetingOut}, 404),
            operation_id="get_meeting", summary="Get a meeting with its agenda and minutes")
@cache_public(max_age=300)
def get_one(request, city: CitySlug, meeting_id: Id):
    return meeting_out(get_meeting(city=get_city(slug=city), meeting_id=meeting_id))


@router.put("/cities/{city}/meetings/{meeting_id}/registration",
            response=responses({200: RegistrationOut}, 401, 403, 404, 409, 429),
            operation_id="register_for_meeting", summary="Register for a meeting", throttle=write_throttle())
def register(request, city: CitySlug, meeting_id: Id):
    enforce_csrf(request)
    meeting = get_meeting(city=get_city(slug=city), meeting_id=meeting_id)
    register_for_meeting(meeting=meeting, user=request.user)
    return {"meeting_id": meeting.pk, "registered": True}


@router.delete("/cities/{city}/meetings/{meeting_id}/registration",
               response=responses({200: RegistrationOut}, 401, 403, 404, 429),
               operation_id="cancel_meeting_registration", summary="Cancel my registration", throttle=write_throttle())
def unregister(request, city: CitySlug, meeting_id: Id):
    enforce_csrf(request)
    meeting = get_meeting(city=get_city(slug=city), meeting_id=meeting_id)
    cancel_registration(meeting=meeting, user=request.user)
    return {"meeting_id": meeting.pk,
            "registered": Registration.objects.filter(meeting=meeting, user=request.user).exists()}
