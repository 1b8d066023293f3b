"""Whom a city's staff may verify as a resident by hand."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from citypocket.cities.models import StaffMembership
from citypocket.participation.models import (
    Ballot,
    Comment,
    Follow,
    Proposal,
    Registration,
    ResidentVerification,
    Support,
    SurveyResponse,
)

# (model, its link to the account): a row of one of these in a city is a trace of that person there.
PARTICIPATION_TRACES = (
    (ResidentVerification, "user"),
    (Proposal, "author"),
    (Comment, "author"),
    (Support, "user"),
    (Follow, "user"),
    (Registration, "user"),
    (SurveyResponse, "user"),
    (Ballot, "voter"),
)


def list_city_participants(*, city_ids) -> QuerySet:
    """Active accounts that took part in one of `city_ids`' participation; never a superuser or another city's staff.

    Taking part is having one of `PARTICIPATION_TRACES` in the city. An account that also holds a
    staff role in a city outside `city_ids` is left out: its address is not for these cities' staff.
    """
    took_part = Q()
    for model, link in PARTICIPATION_TRACES:
        took_part |= Q(pk__in=model.objects.filter(city_id__in=city_ids).values(f"{link}_id"))
    elsewhere = StaffMembership.objects.exclude(city_id__in=city_ids).values("user_id")
    return (get_user_model().objects.filter(took_part, is_active=True, is_superuser=False)
            .exclude(pk__in=elsewhere))
