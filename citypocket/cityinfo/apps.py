from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader

# Staffed public services, listed first on the home (toilets, fountains and defibrillators are open
# around the clock and would fill the tile).
HOME_SERVICE_KINDS = ("town_hall", "library", "pool", "museum", "post_office", "recycling_centre")
HOME_ITEMS = 3


def _tile_context(city) -> dict:
    """How many of the city's places are open now, and the first open ones: staffed services first, then
    what is open around the clock (fountains, defibrillators), so that the tile names something at night."""
    from django.utils import timezone
    from django.utils.translation import get_language

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.cityinfo.selectors import list_places_now

    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    items = list_places_now(city=city, moment=timezone.now(), language=language)
    open_items = [item for item in items if item.hours.is_open]
    services = sorted(open_items, key=lambda item: item.place.kind not in HOME_SERVICE_KINDS)
    return {"city": city, "count": len(items), "open": len(open_items), "services": services[:HOME_ITEMS]}


def _agenda_tile_context(city) -> dict:
    """The events of today in the city: how many, and the first ones."""
    from django.utils import timezone

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.cityinfo.selectors import compute_period, list_occurrences

    start, end = compute_period(city=city, when="today", moment=timezone.now())
    items = list_occurrences(city=city, start=start, end=end)
    return {"city": city, "today": len(items), "events": items[:HOME_ITEMS]}


def _news_tile_context(city) -> dict:
    """The city's two latest articles, titled in the page's language."""
    from django.utils import timezone
    from django.utils.translation import get_language

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.cityinfo.selectors import list_articles

    language = get_language() or "fr"
    latest = list_articles(city=city, moment=timezone.now())[:2]
    return {"city": city, "articles": [{"slug": item.slug, "title": item.title(language)} for item in latest]}


class CityinfoConfig(AppConfig):
    name = "citypocket.cityinfo"
    label = "cityinfo"
    verbose_name = _("City information")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the demo
        # imports models, which cannot be imported before the registry is ready.
        from django.db.models.signals import post_save

        from citypocket.cityinfo import demo
        from citypocket.cityinfo.models import Event
        from citypocket.cityinfo.occurrences import on_event_saved
        from citypocket.cityinfo.searchindex import discover_searchables

        post_save.connect(on_event_saved, sender=Event, dispatch_uid="cityinfo_event_occurrences")

        register_capability(Capability(
            slug="search", label=_("Search"), url_name="cityinfo:search", order=5,
            tile_template="cityinfo/search_tile.html",
        ))
        register_capability(Capability(
            slug="agenda", label=_("Agenda"), url_name="cityinfo:agenda", order=30,
            tile_template="cityinfo/agenda_tile.html", tile_context=_agenda_tile_context,
        ))
        register_capability(Capability(
            slug="news", label=_("News"), url_name="cityinfo:news", order=36,
            tile_template="cityinfo/news_tile.html", tile_context=_news_tile_context,
        ))
        register_capability(Capability(
            slug="waste", label=_("Waste"), url_name="cityinfo:waste", order=37,
            tile_template="cityinfo/waste_tile.html",
        ))
        register_capability(Capability(
            slug="places", label=_("Places"), url_name="cityinfo:places", order=35,
            tile_template="cityinfo/tile.html", tile_context=_tile_context,
        ))
        register_demo_loader("cityinfo", demo.load, order=60)
        discover_searchables()
