"""Fetching the official feeds over HTTP (httpx), off unless their URL is configured.

A failure (timeout, HTTP error, unreadable answer) is logged and changes nothing: the stored state
stays the last known one, with its time, and pages keep showing it. Nothing here raises to a caller
that serves a page.
"""

import logging

import httpx
from django.conf import settings

from citypocket.cities.models import City
from citypocket.officialfeeds import services, vigieau, vigilance
from citypocket.officialfeeds.selectors import list_city_departments

logger = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
HEADERS = {"Accept": "application/json", "User-Agent": "CityPocket official feeds"}


def fetch_commune_water(*, commune_code: str, client: httpx.Client) -> vigieau.WaterState:
    """The VigiEau state of one commune for private people; raises httpx.HTTPError or FeedError."""
    response = client.get(settings.OFFICIALFEEDS_VIGIEAU_URL, params={"commune": commune_code, "profil": "particulier"})
    if response.status_code not in (200, 404):
        response.raise_for_status()
        raise vigieau.FeedError(f"unexpected status {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        raise vigieau.FeedError("the answer is not JSON") from None
    return vigieau.parse_zones(payload, status=response.status_code)


def refresh_city_water(*, city: City) -> dict[str, str]:
    """Reads every commune of the city from VigiEau; per commune its level, or "failed" (state kept)."""
    if not settings.OFFICIALFEEDS_VIGIEAU_URL:
        return {}
    outcome = {}
    with httpx.Client(timeout=TIMEOUT, headers=HEADERS, follow_redirects=True) as client:
        for code in city.insee_codes or []:
            try:
                state = fetch_commune_water(commune_code=code, client=client)
            except (httpx.HTTPError, vigieau.FeedError) as error:
                logger.warning("VigiEau read failed for %s %s: %s", city.slug, code, error.__class__.__name__)
                outcome[code] = "failed"
                continue
            outcome[code] = services.record_water_state(city=city, commune_code=code, state=state).level
    return outcome


def refresh_city_weather(*, city: City) -> dict[str, str]:
    """Reads the configured vigilance map for the city's départements; per département its colour or "failed"."""
    url = settings.OFFICIALFEEDS_VIGILANCE_URL
    if not url:
        return {}
    headers = dict(HEADERS)
    if settings.OFFICIALFEEDS_VIGILANCE_API_KEY:
        headers["apikey"] = settings.OFFICIALFEEDS_VIGILANCE_API_KEY  # the Météo-France API portal's key header
    departments = list_city_departments(city=city)
    try:
        response = httpx.get(url, timeout=TIMEOUT, headers=headers, follow_redirects=True)
        response.raise_for_status()
        payload = response.json()
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("vigilance read failed for %s: %s", city.slug, error.__class__.__name__)
        return dict.fromkeys(departments, "failed")
    outcome = {}
    for department in departments:
        try:
            state = vigilance.parse_vigilance(payload, department=department)
        except vigilance.FeedError as error:
            logger.warning("vigilance map unreadable for %s %s: %s", city.slug, department, error)
            outcome[department] = "failed"
            continue
        outcome[department] = services.record_weather_warning(city=city, state=state).level
    return outcome
