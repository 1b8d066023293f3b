"""Processes (what is open now) and resident verification."""

from typing import Annotated

from ninja import Path, Router
from ninja.pagination import paginate

from citypocket.cities.selectors import get_city
from citypocket.core.http import cache_public
from citypocket.core.pagination import Presented
from citypocket.core.params import SLUG_PATTERN, CitySlug
from citypocket.core.problems import responses
from citypocket.core.throttling import write_throttle
from citypocket.participation.access import compute_tier, require_tier
from citypocket.participation.api.common import enforce_csrf
from citypocket.participation.models import Action, ResidentVerification, Tier
from citypocket.participation.schemas import ProcessOut, VerificationIn, VerificationOut
from citypocket.participation.selectors.processes import get_process, list_processes
from citypocket.participation.services.identity import verify_resident

router = Router(tags=["participation"])


def process_out(process) -> dict:
    phase = process.phase_at()
    return {
        "slug": process.slug, "title": process.title, "description": process.description,
        "phases": list(process.phases.all()), "current_phase": phase.kind if phase else None,
        "tiers": {action: process.tier_for(action) for action in Action.values},
    }


@router.get("/cities/{city}/processes", response=responses({200: list[ProcessOut]}, 404, 422),
            operation_id="list_participation_processes", summary="List the participatory processes of a city")
@cache_public(max_age=60)
@paginate
def list_processes_endpoint(request, city: CitySlug):
    return Presented(list_processes(city=get_city(slug=city)), process_out)


@router.get("/cities/{city}/processes/{slug}", response=responses({200: ProcessOut}, 404),
            operation_id="get_participation_process", summary="Get one participatory process")
@cache_public(max_age=60)
def get_process_endpoint(request, city: CitySlug, slug: Annotated[str, Path(max_length=80, pattern=SLUG_PATTERN)]):
    return process_out(get_process(city=get_city(slug=city), slug=slug))


def verification_out(city, user) -> dict:
    verification = ResidentVerification.objects.filter(city=city, user=user).first()
    return {"city": city.slug, "tier": compute_tier(user=user, city=city),
            "method": verification.method if verification else None,
            "verified_at": verification.verified_at if verification else None}


@router.get("/cities/{city}/residency", response=responses({200: VerificationOut}, 401, 403, 404),
            operation_id="get_my_residency", summary="My identity tier in this city")
def get_residency(request, city: CitySlug):
    city_obj = get_city(slug=city)
    require_tier(user=request.user, city=city_obj, tier=Tier.ACCOUNT)
    return verification_out(city_obj, request.user)


@router.post("/cities/{city}/residency", response=responses({200: VerificationOut}, 401, 403, 404, 422, 429),
             operation_id="verify_my_residency", summary="Prove residency (census match or letter code)",
             throttle=write_throttle())
def post_residency(request, city: CitySlug, payload: VerificationIn):
    enforce_csrf(request)
    city_obj = get_city(slug=city)
    verify_resident(city=city_obj, user=request.user, method=payload.method, data=payload.dict())
    return verification_out(city_obj, request.user)
