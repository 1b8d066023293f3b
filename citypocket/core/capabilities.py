"""The registry of citizen capabilities (air, parking, participate, …) shown on a city home.

Each domain app registers itself in its AppConfig.ready(); the shell never imports domain apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Capability:
    """One thing a citizen can do in a city, with its tile on the city home."""

    slug: str  # path segment under /<city>/, e.g. "air"
    label: Any  # lazy translatable string
    url_name: str  # URL name taking `city` as only kwarg
    order: int = 100
    tile_template: str = ""  # renders "what matters now"; gets `city` and `tile`
    tile_context: Callable[[Any], dict] | None = None
    offline_urls: Callable[[Any], list[str]] = field(default=lambda city: [])

    def url(self, city) -> str:
        return reverse(self.url_name, kwargs={"city": city.slug})


_registry: dict[str, Capability] = {}


def register_capability(capability: Capability) -> None:
    _registry[capability.slug] = capability


def list_capabilities() -> list[Capability]:
    return sorted(_registry.values(), key=lambda c: (c.order, c.slug))


def get_capability(slug: str) -> Capability | None:
    return _registry.get(slug)
