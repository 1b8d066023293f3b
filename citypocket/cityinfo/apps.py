from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.capabilities import Capability, register_capability
from citypocket.core.demo import register_demo_loader


def _tile_context(city) -> dict:
    """How many of the city's places are open now."""
    from django.utils import timezone

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.cityinfo.selectors import list_places_now

    items = list_places_now(city=city, moment=timezone.now(), language="fr")
    return {"count": len(items), "open": sum(1 for item in items if item.hours.is_open)}


def _agenda_tile_context(city) -> dict:
    """How many events happen today in the city."""
    from django.utils import timezone

    # Imported on call: apps.py loads before the app registry is ready, and selectors import models.
    from citypocket.cityinfo.selectors import compute_period, list_occurrences

    start, end = compute_period(city=city, when="today", moment=timezone.now())
    return {"today": len(list_occurrences(city=city, start=start, end=end))}


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
        from citypocket.cityinfo import demo
        from citypocket.cityinfo.searchindex import discover_searchables

        register_capability(Capability(
            slug="agenda", label=_("Agenda"), url_name="cityinfo:agenda", order=30,
            tile_template="cityinfo/agenda_tile.html", tile_context=_agenda_tile_context,
        ))
        register_capability(Capability(
            slug="news", label=_("News"), url_name="cityinfo:news", order=36,
            tile_template="cityinfo/news_tile.html", tile_context=_news_tile_context,
        ))
        register_capability(Capability(
            slug="places", label=_("Places"), url_name="cityinfo:places", order=35,
            tile_template="cityinfo/tile.html", tile_context=_tile_context,
        ))
        register_demo_loader("cityinfo", demo.load, order=60)
        discover_searchables()
