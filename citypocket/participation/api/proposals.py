"""Proposals: cursor-paginated list, submit, support, threaded comments and flags."""

import uuid

from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.pagination import CURSOR, Presented, next_link
from citypocket.core.params import MAX_ID, SLUG_PATTERN, CitySlug
from citypocket.core.problems import responses
from citypocket.core.throttling import write_throttle
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.models import ModerationState
from citypocket.participation.schemas import (
    CommentIn,
    CommentOut,
    FlagIn,
    FlagOut,
    ProposalIn,
    ProposalOut,
    ProposalPageOut,
    SupportOut,
)
from citypocket.participation.selectors import proposals as selectors
from citypocket.participation.selectors.processes import get_process
from citypocket.participation.services import proposals as services

router = Router(tags=["participation"])


class ProposalFilters(Schema):
    process: str | None = Field(None, max_length=80, pattern=SLUG_PATTERN, description="Slug of a process")
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    cursor: str | None = Field(None, **CURSOR)
    limit: int = Field(20, ge=1, le=100)


def proposal_out(proposal) -> dict:
    return {
        "id": proposal.pk, "process": proposal.process.slug, "title": proposal.title, "body": proposal.body,
        "category": proposal.category.name if proposal.category else None, "lat": proposal.lat, "lon": proposal.lon,
        "created_at": proposal.created_at, "support_count": proposal.support_count,
        "comment_count": proposal.comment_count, "eligible_for_answer": selectors.is_eligible(proposal),
        "answer_status": proposal.answer_status, "answer_text": proposal.answer_text,
    }


@router.get("/cities/{city}/proposals", response=responses({200: ProposalPageOut}, 404, 422),
            operation_id="list_proposals", summary="List proposals, newest first (cursor pages)")
@cache_public(max_age=30)
def list_proposals(request, city: CitySlug, filters: Query[ProposalFilters]):
    city_obj = get_city(slug=city)
    page = selectors.list_proposals(city=city_obj, process_slug=filters.process, category_id=filters.category_id,
                                    cursor=filters.cursor, limit=filters.limit)
    return {"items": [proposal_out(p) for p in page.items], "next": next_link(request, page.next_cursor)}


@router.post("/cities/{city}/proposals", response=responses({201: ProposalOut}, 401, 403, 404, 409, 422, 429),
             operation_id="submit_proposal", summary="Submit a proposal", throttle=write_throttle())
def submit(request, city: CitySlug, payload: ProposalIn):
    enforce_csrf(request)
    process = get_process(city=get_city(slug=city), slug=payload.process)
    proposal = services.submit_proposal(process=process, author=request.user, title=payload.title,
                                        body=payload.body, category_id=payload.category_id,
                                        lat=payload.lat, lon=payload.lon, language=get_language())
    return 201, proposal_out(selectors.get_proposal(city=process.city, proposal_id=proposal.pk))


@router.get("/cities/{city}/proposals/{proposal_id}", response=responses({200: ProposalOut}, 404),
            operation_id="get_proposal", summary="Get one proposal")
@cache_public(max_age=30)
def get_one(request, city: CitySlug, proposal_id: uuid.UUID):
    return proposal_out(selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id))


def support_out(proposal, user) -> dict:
    fresh = selectors.get_proposal(city=proposal.city, proposal_id=proposal.pk)
    return {"proposal_id": proposal.pk, "supported": selectors.has_supported(proposal=proposal, user=user),
            "support_count": fresh.support_count}


@router.put("/cities/{city}/proposals/{proposal_id}/support",
            response=responses({200: SupportOut}, 401, 403, 404, 409, 429),
            operation_id="support_proposal", summary="Support a proposal (once)", throttle=write_throttle())
def support(request, city: CitySlug, proposal_id: uuid.UUID):
    enforce_csrf(request)
    proposal = selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    services.support_proposal(proposal=proposal, user=request.user)
    return support_out(proposal, request.user)


@router.delete("/cities/{city}/proposals/{proposal_id}/support",
               response=responses({200: SupportOut}, 401, 403, 404, 409, 429),
               operation_id="withdraw_support", summary="Withdraw my support", throttle=write_throttle())
def unsupport(request, city: CitySlug, proposal_id: uuid.UUID):
    enforce_csrf(request)
    proposal = selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    services.withdraw_support(proposal=proposal, user=request.user)
    return support_out(proposal, request.user)


def comment_out(comment) -> dict:
    hidden = comment.state not in (ModerationState.VISIBLE, ModerationState.KEPT)
    return {"id": comment.pk, "parent_id": comment.parent_id, "body": "" if hidden else comment.body,
            "hidden": hidden, "created_at": comment.created_at}


@router.get("/cities/{city}/proposals/{proposal_id}/comments", response=responses({200: list[CommentOut]}, 404, 422),
            operation_id="list_proposal_comments",
            summary="Comments of a proposal, oldest first (threaded by parent_id)")
@cache_public(max_age=30)
@paginate
def list_comments(request, city: CitySlug, proposal_id: uuid.UUID):
    proposal = selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    return Presented(proposal.comments.order_by("created_at", "pk"), comment_out)


@router.post("/cities/{city}/proposals/{proposal_id}/comments",
             response=responses({201: CommentOut}, 401, 403, 404, 422, 429),
             operation_id="add_proposal_comment", summary="Comment on a proposal or answer a comment",
             throttle=write_throttle())
def add_comment(request, city: CitySlug, proposal_id: uuid.UUID, payload: CommentIn):
    enforce_csrf(request)
    proposal = selectors.get_proposal(city=get_city(slug=city), proposal_id=proposal_id)
    comment = services.add_comment(proposal=proposal, author=request.user, body=payload.body,
                                   parent_id=payload.parent_id)
    return 201, comment_out(comment)


@router.post("/cities/{city}/comments/{comment_id}/flags", response=responses({200: FlagOut}, 401, 403, 404, 429),
             operation_id="flag_comment", summary="Flag a comment for moderation", throttle=write_throttle())
def flag(request, city: CitySlug, comment_id: uuid.UUID, payload: FlagIn):
    enforce_csrf(request)
    comment = services.flag_comment(comment=selectors.get_comment(city=get_city(slug=city), comment_id=comment_id),
                                    user=request.user, reason=payload.reason)
    return {"comment_id": comment.pk, "hidden": not comment.is_visible}
