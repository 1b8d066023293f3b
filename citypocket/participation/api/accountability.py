"""Accountability results, follows, notifications and the digest preference (kept for API clients:
the digest is the notification centre's, chosen per city on its page)."""

import uuid
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.pagination import PageIn, Presented, page_of
from citypocket.core.params import CitySlug, Id
from citypocket.core.problems import responses
from citypocket.core.throttling import write_throttle
from citypocket.notifications import services as notification_services
from citypocket.notifications.models import Digest, Theme
from citypocket.participation.access import require_tier
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.models import Follow, Notification, Tier
from citypocket.participation.selectors import proposals as proposal_selectors
from citypocket.participation.selectors.processes import get_result, list_notifications, list_results
from citypocket.participation.services import accountability as services

router = Router(tags=["participation"])


class MilestoneOut(Schema):
    date: date
    title: str
    description: str


class ResultOut(Schema):
    id: int
    process: str
    title: str
    description: str
    status: str
    progress: int
    proposal_ids: list[uuid.UUID]
    project_ids: list[int]
    milestones: list[MilestoneOut]
    updated_at: datetime


class FollowingOut(Schema):
    following: bool


class NotificationOut(Schema):
    id: int
    message: str
    url: str
    created_at: datetime
    read: bool


class NotificationListOut(LimitOffsetPagination.Output):
    items: list[NotificationOut]
    unread: int


class PreferencesIn(Schema):
    daily_digest: bool


class PreferencesOut(Schema):
    daily_digest: bool


def result_out(result) -> dict:
    return {"id": result.pk, "process": result.process.slug, "title": result.title,
            "description": result.description, "status": result.status, "progress": result.progress,
            "proposal_ids": [p.pk for p in result.proposals.all()],
            "project_ids": [p.pk for p in result.projects.all()],
            "milestones": list(result.milestones.all()), "updated_at": result.updated_at}


@router.get("/cities/{city}/accountability", response=responses({200: list[ResultOut]}, 404, 422),
            operation_id="list_accountability_results", summary="What the city does with the citizens' choices")
@cache_public(max_age=300)
@paginate
def list_all(request, city: CitySlug):
    return Presented(list_results(city=get_city(slug=city)), result_out)


@router.get("/cities/{city}/accountability/{result_id}", response=responses({200: ResultOut}, 404),
            operation_id="get_accountability_result", summary="One result with its progress and milestones")
@cache_public(max_age=300)
def get_one(request, city: CitySlug, result_id: Id):
    return result_out(get_result(city=get_city(slug=city), result_id=result_id))


@router.put("/cities/{city}/accountability/{result_id}/follow",
            response=responses({200: FollowingOut}, 401, 403, 404, 429),
            operation_id="follow_result", summary="Follow a result (notified of every change)",
            throttle=write_throttle())
def follow_result(request, city: CitySlug, result_id: Id):
    enforce_csrf(request)
    services.follow(user=request.user, result=get_result(city=get_city(slug=city), result_id=result_id),
                    language=get_language())
    return {"following": True}


@router.delete("/cities/{city}/accountability/{result_id}/follow",
               response=responses({200: FollowingOut}, 401, 403, 404, 429),
               operation_id="unfollow_result", summary="Stop following a result", throttle=write_throttle())
def unfollow_result(request, city: CitySlug, result_id: Id):
    enforce_csrf(request)
    services.unfollow(user=request.user, result=get_result(city=get_city(slug=city), result_id=result_id))
    return {"following": False}


@router.put("/cities/{city}/proposals/{proposal_id}/follow",
            response=responses({200: FollowingOut}, 401, 403, 404, 429),
            operation_id="follow_proposal", summary="Follow a proposal", throttle=write_throttle())
def follow_proposal(request, city: CitySlug, proposal_id: uuid.UUID):
    enforce_csrf(request)
    proposal = proposal_selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    services.follow(user=request.user, proposal=proposal, language=get_language())
    return {"following": True}


@router.delete("/cities/{city}/proposals/{proposal_id}/follow",
               response=responses({200: FollowingOut}, 401, 403, 404, 429),
               operation_id="unfollow_proposal", summary="Stop following a proposal", throttle=write_throttle())
def unfollow_proposal(request, city: CitySlug, proposal_id: uuid.UUID):
    enforce_csrf(request)
    proposal = proposal_selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    services.unfollow(user=request.user, proposal=proposal)
    return {"following": Follow.objects.filter(user=request.user, proposal=proposal).exists()}


def notification_out(notification) -> dict:
    return {"id": notification.pk, "message": notification.message, "url": notification.url,
            "created_at": notification.created_at, "read": notification.read_at is not None}


def notification_page(*, user, city, page: PageIn) -> dict:
    """A page of the user's notifications, newest first, with the number still unread."""
    body = page_of(Presented(list_notifications(user=user, city=city), notification_out), page)
    body["unread"] = Notification.objects.filter(user=user, city=city, read_at__isnull=True).count()
    return body


@router.get("/cities/{city}/notifications", response=responses({200: NotificationListOut}, 401, 403, 404, 422),
            operation_id="list_my_participation_notifications", summary="My notifications in this city (newest first)")
def notifications(request, city: CitySlug, page: Query[PageIn]):
    city_obj = get_city(slug=city)
    require_tier(user=request.user, city=city_obj, tier=Tier.ACCOUNT)
    return notification_page(user=request.user, city=city_obj, page=page)


@router.post("/cities/{city}/notifications/read",
             response=responses({200: NotificationListOut}, 401, 403, 404, 422, 429),
             operation_id="mark_participation_notifications_read", summary="Mark my notifications read",
             throttle=write_throttle())
def mark_read(request, city: CitySlug, page: Query[PageIn]):
    enforce_csrf(request)
    city_obj = get_city(slug=city)
    require_tier(user=request.user, city=city_obj, tier=Tier.ACCOUNT)
    Notification.objects.filter(user=request.user, city=city_obj, read_at__isnull=True).update(read_at=timezone.now())
    return notification_page(user=request.user, city=city_obj, page=page)


def _daily_digest(user) -> bool:
    return notification_services.theme_digest(user=user, theme=Theme.PARTICIPATION) != Digest.NONE


@router.get("/participation/preferences", response=responses({200: PreferencesOut}, 401, 403),
            operation_id="get_participation_preferences", summary="My notification preferences",
            description="Deprecated: the digest is the notification centre's. True when an e-mail "
                        "subscription carrying participation news has a (daily or weekly) digest.",
            deprecated=True)
def get_preferences(request):
    require_tier(user=request.user, city=None, tier=Tier.ACCOUNT)
    return {"daily_digest": _daily_digest(request.user)}


@router.put("/participation/preferences", response=responses({200: PreferencesOut}, 401, 403, 429),
            operation_id="put_participation_preferences", summary="Choose one e-mail per change or a daily digest",
            description="Deprecated: sets the digest (daily, or none) of the person's e-mail subscriptions "
                        "that carry participation news, in every city.",
            deprecated=True, throttle=write_throttle())
def put_preferences(request, payload: PreferencesIn):
    enforce_csrf(request)
    require_tier(user=request.user, city=None, tier=Tier.ACCOUNT)
    notification_services.set_theme_digest(user=request.user, theme=Theme.PARTICIPATION,
                                           digest=Digest.DAILY if payload.daily_digest else Digest.NONE)
    return {"daily_digest": _daily_digest(request.user)}
