"""Turning places and their state into the API's dicts (JSON and GeoJSON)."""

from datetime import UTC

from citypocket.cityinfo.selectors import Occurrence, PlaceNow, closures_of
from citypocket.core import geojson


def place_out(item: PlaceNow) -> dict:
    place, hours = item.place, item.hours
    return {
        "slug": place.slug, "name": place.name, "kind": place.kind, "kind_label": str(place.get_kind_display()),
        "address": place.address, "lat": place.lat, "lon": place.lon, "phone": place.phone,
        "email": place.email, "website": place.website, "wheelchair": place.wheelchair,
        "accessible_toilets": place.accessible_toilets, "hearing_loop": place.hearing_loop,
        "opening_hours": place.opening_hours, "state": hours.state,
        "next_change": hours.change.astimezone(UTC) if hours.change else None,
        "status_label": hours.label, "comment": hours.comment, "distance_m": item.distance_m,
        "provenance": place.provenance, "is_demo": place.is_demo,
    }


def place_detail(item: PlaceNow, language: str) -> dict:
    closures = closures_of(item.place, language)
    return {
        **place_out(item),
        "description": item.place.description(language),
        "closures": [{"starts_on": c.first, "ends_on": c.last, "reason": c.reason} for c in closures],
    }


def place_feature(item: PlaceNow) -> dict:
    body = place_out(item)
    properties = {key: body[key] for key in (
        "name", "kind", "kind_label", "address", "opening_hours", "state", "next_change", "status_label",
        "wheelchair", "distance_m", "is_demo")}
    return geojson.feature(item.place.slug, geojson.point(item.place.lon, item.place.lat), properties)


def occurrence_out(item: Occurrence, language: str) -> dict:
    event, venue = item.event, item.event.venue
    return {
        "slug": event.slug, "title": event.title(language), "starts_at": item.starts_at.astimezone(UTC),
        "ends_at": item.ends_at.astimezone(UTC), "status": event.status, "recurring": bool(event.rrule),
        "rrule": event.rrule, "venue": venue.slug if venue else None,
        "location": ", ".join(part for part in (venue.name, venue.address) if part) if venue else event.location,
        "lat": venue.lat if venue else None, "lon": venue.lon if venue else None,
        "categories": [category.slug for category in event.categories.all()], "audience": event.audience,
        "is_free": event.is_free, "price": event.price, "wheelchair": event.wheelchair,
        "hearing_loop": event.hearing_loop, "sign_language": event.sign_language,
        "booking_url": event.booking_url, "distance_m": item.distance_m, "is_demo": event.is_demo,
    }
