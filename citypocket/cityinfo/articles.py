"""News articles: safe HTML bodies (nh3) and the Atom feed of a city (Django's syndication framework)."""

import nh3
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citypocket.cities.selectors import get_city
from citypocket.cityinfo.selectors import list_articles
from citypocket.core.problems import DomainError

# What an editor may write: structure and links, nothing that runs or loads (no script, style,
# iframe, image, form, event handler or javascript: URL).
TAGS = {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "abbr"}
ATTRIBUTES = {"a": {"href", "hreflang"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
FEED_SIZE = 30


def sanitise_html(html: str) -> str:
    """The body with only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", clean_content_tags={"script", "style"})


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


class CityNewsFeed(Feed):
    """`/<city>/news/feed/`: the city's published articles, newest first, as Atom."""

    feed_type = Atom1Feed

    def get_object(self, request, city: str):
        try:
            return get_city(slug=city)
        except DomainError as error:
            raise Http404(str(error)) from error

    def title(self, city):
        return _("News of %(city)s") % {"city": city.name_of}

    def subtitle(self, city):
        return _("Latest news of %(city)s on CityPocket") % {"city": city.name_of}

    def link(self, city):
        return reverse("cityinfo:news", kwargs={"city": city.slug})

    def items(self, city):
        # One Feed instance serves every request: nothing is kept on it between calls.
        return list_articles(city=city, moment=timezone.now())[:FEED_SIZE]

    def item_title(self, item):
        return item.title(_language())

    def item_description(self, item):
        return item.summary(_language())

    def item_link(self, item):
        return reverse("cityinfo:article", kwargs={"city": item.city.slug, "slug": item.slug})

    def item_guid(self, item):
        return f"article-{item.pk}@{item.city.slug}.citypocket"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_category_display()]
