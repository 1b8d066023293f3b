"""The safety API under /api/v1/cities/{city}/safety/…: anonymous reports and their follow-up,
privacy-preserving hotspots, safe places and the video-protection register."""

import datetime as dt
from typing import Annotated

from django.views.decorators.cache import never_cache
from ninja import Query, Router
from ninja.decorators import decorate_view

from citypocket.cities.selectors import get_city
from citypocket.core import geojson
from citypocket.core.http import cache_public
from citypocket.core.params import CitySlug
from citypocket.core.problems import responses
from citypocket.core.throttling import SAFETY_FOLLOW, SAFETY_REPORT
from citypocket.safety import hotspots, selectors, services
from citypocket.safety.models import Status
from citypocket.safety.schemas import (
    FilmedZoneCollection,
    HotspotCollection,
    ReceiptOut,
    ReportFollowIn,
    ReportFollowOut,
    ReportIn,
    SafePlaceCollection,
)
from citypocket.safety.support import list_support_services

router = Router(tags=["safety"])


@router.post("/cities/{city}/safety/reports", response=responses({201: ReceiptOut}, 404, 422, 429),
    operation_id="submit_safety_report", url_name="submit_safety_report",
    summary="Report street harassment anonymously (no account)",
    throttle=[SAFETY_REPORT])
@decorate_view(never_cache)  # the receipt code must never sit in a shared or browser cache
def submit_report(request, city: CitySlug, payload: ReportIn):
    submitted = services.submit_report(
        city=get_city(slug=city), category=payload.category, occurred_at=payload.occurred_at,
        reporter_role=payload.role, lat=payload.lat, lon=payload.lon, place_name=payload.place_name,
        description=payload.description, contact=payload.contact,
    )
    support = list_support_services(city=submitted.report.city)
    return 201, {"receipt_code": submitted.receipt_code, "status": submitted.report.status, "support": support}


@router.post("/cities/{city}/safety/reports/follow", response=responses({200: ReportFollowOut}, 404, 422, 429),
    operation_id="follow_safety_report", url_name="follow_safety_report",
    summary="Read a report's status and replies, and optionally add information, with its receipt code",
    throttle=[SAFETY_FOLLOW])
@decorate_view(never_cache)
def follow_report(request, city: CitySlug, payload: ReportFollowIn):
    city_obj = get_city(slug=city)
    report = services.access_report_by_receipt(city=city_obj, receipt_code=payload.receipt_code)
    added = False
    if payload.text.strip():
        services.add_reporter_information(city=city_obj, receipt_code=payload.receipt_code, text=payload.text)
        added = True
    return {
        "status": report.status, "status_label": str(Status(report.status).label), "category": report.category,
        "month": f"{report.period:%Y-%m}", "added": added,
        "replies": services.list_replies_for_reporter(report=report),
        "support": list_support_services(city=city_obj),
    }


MONTH = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"


@router.get("/cities/{city}/safety/hotspots", response=responses({200: HotspotCollection}, 404, 422),
    operation_id="list_safety_hotspots", url_name="list_safety_hotspots",
    summary="Monthly counts of reports per H3 cell (cells with at least k reports; "
    "a month is published 7 days after it ends)")
@cache_public(max_age=3600)
def list_hotspots(
    request, city: CitySlug, month: Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM")] = None
):
    city_obj = get_city(slug=city)
    period = dt.date(int(month[:4]), int(month[5:]), 1) if month is not None else None
    return hotspots.as_geojson(hotspots.compute_hotspots(city=city_obj, month=period), k=hotspots.hotspot_k())


@router.get("/cities/{city}/safety/safe-places", response=responses({200: SafePlaceCollection}, 404),
    operation_id="list_safe_places", url_name="list_safe_places",
    summary="Safe places that welcome people in danger (GeoJSON)")
@cache_public(max_age=300)
def list_safe_places(request, city: CitySlug):
    city_obj = get_city(slug=city)
    features = [
        geojson.feature(item.place.pk, geojson.point(item.place.lon, item.place.lat), {
            "name": item.place.name, "kind": item.place.kind, "kind_label": item.place.get_kind_display(),
            "address": item.place.address, "opening_hours": item.place.opening_hours, "open_now": item.open_now,
            "charter_signed_on": item.place.charter_signed_on, "trained_on": item.place.trained_on,
            "is_demo": item.place.is_demo})
        for item in sorted(selectors.list_safe_places_by_distance(city=city_obj), key=lambda i: i.place.name)
    ]
    return geojson.feature_collection(features)


@router.get("/cities/{city}/safety/filmed-zones", response=responses({200: FilmedZoneCollection}, 404),
    operation_id="list_filmed_zones", url_name="list_filmed_zones",
    summary="The video-protection register: filmed zones (GeoJSON)")
@cache_public(max_age=3600)
def list_filmed_zones(request, city: CitySlug):
    features = [
        geojson.feature(zone.pk, selectors.zone_geometry(zone), {
            "name": zone.name, "operator": zone.operator, "purpose": zone.purpose,
            "retention_days": zone.retention_days, "rights_contact": zone.rights_contact,
            "radius_m": zone.radius_m, "is_demo": zone.is_demo})
        for zone in selectors.list_filmed_zones(city=get_city(slug=city))
    ]
    return geojson.feature_collection(features)
