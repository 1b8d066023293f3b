"""The registry of citizen capabilities (air, parking, participate, …) shown on a city home.

Each domain app registers itself in its AppConfig.ready(); the shell never imports domain apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class Capability:
    """One thing a citizen can do in a city, with its tile on the city home."""

    slug: str  # path segment under /<city>/, e.g. "air"
    label: Any  # lazy translatable string
    url_name: str  # URL name taking `city` as only kwarg
    order: int = 100
    # Renders "what matters now"; gets `city` and `tile`. A tile without tile_context is rendered in
    # the page and may use the CSP nonce, nothing else of the request: the home keeps its tiles' HTML
    # per city and language (`{% keep %}` in core/city_home.html).
    tile_template: str = ""
    tile_context: Callable[[Any], dict] | None = None
    offline_urls: Callable[[Any], list[str]] = field(default=lambda city: [])

    def url(self, city) -> str:
        return reverse(self.url_name, kwargs={"city": city.slug})


_registry: dict[str, Capability] = {}
_ordered: list[Capability] | None = None


def register_capability(capability: Capability) -> None:
    global _ordered
    _registry[capability.slug] = capability
    _ordered = None
    _city_links.clear()


def list_capabilities() -> list[Capability]:
    global _ordered
    if _ordered is None or len(_ordered) != len(_registry):
        _ordered = sorted(_registry.values(), key=lambda c: (c.order, c.slug))
    return list(_ordered)


def get_capability(slug: str) -> Capability | None:
    return _registry.get(slug)


@dataclass(frozen=True)
class CityLinks:
    """What every page of a city links to, the same for every request: worked out once per city."""

    nav: tuple[tuple[Any, str], ...]  # (label, url) of each capability with a page, in order
    tiles: dict[str, str]  # capability slug -> its page
    help_now_url: str
    precache_urls: tuple[str, ...]  # the city home and each capability's offline pages


# Per city slug, URL configuration, script prefix: reversing some fifty URLs for each page of a city
# cost more than its queries. Links depend only on the slug and the registry (cleared when it changes);
# a capability's offline_urls must depend only on the city's slug. Bounded, as slugs come from URLs.
_city_links: dict[tuple, CityLinks] = {}
CITY_LINKS_KEPT = 256


def city_links(city) -> CityLinks:
    """The links of `city`'s pages (an active City): navigation, tiles, help now, offline pages."""
    key = (city.slug, get_urlconf(), get_script_prefix(), len(_registry))
    links = _city_links.get(key)
    if links is None:
        links = _work_out_links(city)
        if len(_city_links) >= CITY_LINKS_KEPT:
            _city_links.clear()
        _city_links[key] = links
    return links


def _work_out_links(city) -> CityLinks:
    nav, tiles = [], {}
    precache = [reverse("city_home", kwargs={"city": city.slug})]
    for capability in list_capabilities():
        try:
            url = capability.url(city)
        except NoReverseMatch:
            continue
        nav.append((capability.label, url))
        tiles[capability.slug] = url
        precache.extend(capability.offline_urls(city))
    try:
        # The safety app names its help page `safety:help`; one tap from every page.
        help_now_url = reverse("safety:help", kwargs={"city": city.slug})
    except NoReverseMatch:
        help_now_url = ""
    return CityLinks(nav=tuple(nav), tiles=tiles, help_now_url=help_now_url, precache_urls=tuple(precache))
