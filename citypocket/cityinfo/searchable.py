"""What the one search finds in city information: news, events, places and the sorting guide
(cityinfo.searchindex)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import override

from citypocket.cityinfo.models import Article, Event, Place, PlaceKind
from citypocket.cityinfo.searchindex import SearchDocument, SearchKind, register
from citypocket.cityinfo.waste_models import SortingItem, Stream


def _kind_names(kind: str) -> tuple[str, str]:
    from django.utils.translation import override

    label = dict(PlaceKind.choices).get(kind, "")
    with override("fr"):
        french = str(label)
    with override("en"):
        english = str(label)
    return french, english


def _place(place: Place) -> SearchDocument:
    kind_fr, kind_en = _kind_names(place.kind)
    return SearchDocument(
        title_fr=place.name,
        url=reverse("cityinfo:place", kwargs={"city": place.city.slug, "slug": place.slug}),
        summary_fr=" · ".join(part for part in (kind_fr, place.address) if part),
        summary_en=" · ".join(part for part in (kind_en, place.address) if part),
        text_fr=f"{kind_fr} {place.address} {place.description_fr}",
        text_en=f"{kind_en} {place.address} {place.description_en}",
    )


def _event(event: Event) -> SearchDocument:
    where = event.venue.name if event.venue_id else event.location
    return SearchDocument(
        title_fr=event.title_fr,
        title_en=event.title_en,
        url=reverse("cityinfo:event", kwargs={"city": event.city.slug, "slug": event.slug}),
        summary_fr=where,
        summary_en=where,
        text_fr=f"{where} {strip_tags(event.description_fr)}",
        text_en=f"{where} {strip_tags(event.description_en)}",
        # an event that is over is no longer found; an endless series always is
        visible_until=(event.series_ends_at if event.rrule else event.ends_at),
    )


def _article(article: Article) -> SearchDocument:
    return SearchDocument(
        title_fr=article.title_fr,
        title_en=article.title_en,
        url=reverse("cityinfo:article", kwargs={"city": article.city.slug, "slug": article.slug}),
        summary_fr=article.summary_fr,
        summary_en=article.summary_en,
        text_fr=strip_tags(article.body_fr),
        text_en=strip_tags(article.body_en),
        visible_from=article.publish_at,
        visible_until=article.expires_at,
    )


register(SearchKind(
    slug="places", label_fr="Lieux et services publics", label_en="Places and public services", model=Place,
    order=10, queryset=lambda city: Place.objects.filter(city=city, is_active=True).select_related("city"),
    document=_place,
))
register(SearchKind(
    slug="events", label_fr="Agenda", label_en="Events", model=Event, order=20,
    queryset=lambda city: Event.objects.filter(city=city, is_published=True).select_related("city", "venue"),
    document=_event,
))
register(SearchKind(
    slug="news", label_fr="Actualités", label_en="News", model=Article, order=30,
    queryset=lambda city: Article.objects.filter(city=city, is_published=True).select_related("city"),
    document=_article,
))


def _sorting_item(item) -> SearchDocument:
    """A "which bin?" entry: found by its name and synonyms, linking to the guide's answer for it."""
    with override("fr"):
        where_fr = str(dict(Stream.choices).get(item.stream, ""))
    with override("en"):
        where_en = str(dict(Stream.choices).get(item.stream, ""))
    guide = reverse("cityinfo:sorting_guide", kwargs={"city": item.city.slug})
    return SearchDocument(
        title_fr=item.name_fr,
        title_en=item.name_en,
        url=f"{guide}?{urlencode({'q': item.name_fr})}",
        summary_fr=" · ".join(part for part in (where_fr, item.advice_fr) if part),
        summary_en=" · ".join(part for part in (where_en, item.advice_en or item.advice_fr) if part),
        text_fr=f"{item.synonyms_fr} {where_fr}",
        text_en=f"{item.synonyms_en} {where_en}",
    )


register(SearchKind(
    slug="sorting-guide", label_fr="Guide du tri", label_en="Sorting guide", model=SortingItem, order=35,
    queryset=lambda city: SortingItem.objects.filter(city=city).select_related("city"), document=_sorting_item,
))
