"""Meetings of a city, upcoming first."""

from django.db.models import Count, QuerySet
from django.utils import timezone

from citypocket.core.problems import NotFound
from citypocket.participation.models import Meeting, MeetingDocument


def list_meetings(*, city, upcoming_only: bool = False) -> QuerySet[Meeting]:
    meetings = (Meeting.objects.filter(city=city, is_published=True)
                .annotate(registered=Count("registrations")).prefetch_related("agenda", "documents"))
    if upcoming_only:
        meetings = meetings.filter(ends_at__gte=timezone.now())
    return meetings.order_by("starts_at")


def get_meeting(*, city, meeting_id: int) -> Meeting:
    meeting = list_meetings(city=city).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def get_meeting_document(*, city, meeting_id: int, document_id: int):
    """An uploaded document of a published meeting of `city`, or NotFound."""
    document = (MeetingDocument.objects.filter(pk=document_id, meeting_id=meeting_id, meeting__city=city,
                                               meeting__is_published=True).exclude(file="").first())
    if document is None:
        raise NotFound("No such document.")
    return document
