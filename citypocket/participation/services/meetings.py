"""Registering for meetings within their capacity."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citypocket.core.problems import Conflict
from citypocket.participation.access import require_tier
from citypocket.participation.errors import MeetingFull
from citypocket.participation.models import Meeting, Registration, Tier


@transaction.atomic
def register_for_meeting(*, meeting: Meeting, user) -> Registration:
    """Registers `user` once; the meeting row is locked so that parallel sign-ups never exceed capacity."""
    require_tier(user=user, city=meeting.city, tier=Tier.ACCOUNT)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.capacity is None:
        raise Conflict(_("This meeting needs no registration."))
    if meeting.starts_at <= timezone.now():
        raise Conflict(_("Registration is closed: the meeting has started."))
    existing = Registration.objects.filter(meeting=meeting, user=user).first()
    if existing is not None:
        return existing
    if Registration.objects.filter(meeting=meeting).count() >= meeting.capacity:
        raise MeetingFull(_("This meeting is full."))
    return Registration.objects.create(city=meeting.city, meeting=meeting, user=user)


@transaction.atomic
def cancel_registration(*, meeting: Meeting, user) -> None:
    require_tier(user=user, city=meeting.city, tier=Tier.ACCOUNT)
    Registration.objects.filter(meeting=meeting, user=user).delete()
