"""City-information pages: places and public services, the agenda and its iCalendar feeds, the news."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from citypocket.cityinfo import ical, images, searchindex, selectors
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.forms import AgendaFilterForm, PlaceFilterForm
from citypocket.cityinfo.models import ArticleCategory
from citypocket.core.problems import NotFound
from citypocket.core.views import resolve_city

AGENDA_PAGE_SIZE = 30  # occurrences per page of the agenda


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@require_GET
def places(request, city: str):
    """`/<city>/places/`: a list (with a map beside it) filtered by kind, open now, accessible, near me."""
    city_obj = resolve_city(city)
    form = PlaceFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    items = selectors.list_places_now(
        city=city_obj, moment=timezone.now(), language=_language(), kind=data.get("kind") or None,
        open_now=data.get("open_now", False), accessible=data.get("accessible", False),
        near=form.near if valid else None,
    )
    return render(request, "cityinfo/places.html", {
        "city": city_obj, "form": form, "items": items, "filtered": valid and any(data.values()),
    }, status=200 if valid or not form.is_bound else 422)


@require_GET
def place(request, city: str, slug: str):
    """`/<city>/places/<slug>/`: address, contact, accessibility, hours and closures of one place."""
    city_obj = resolve_city(city)
    now, language = timezone.now(), _language()
    try:
        found = selectors.get_place(city=city_obj, slug=slug, moment=now)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "cityinfo/place.html", {
        "city": city_obj, "place": found, "hours": selectors.hours_of(found, moment=now, language=language),
        "week": selectors.week_hours_of(found, moment=now, language=language),
        "closures": selectors.closures_of(found, language), "description": found.description(language),
        "picture": _picture(found.image, city_obj), "picture_alt": found.image_alt(language),
    })


def _picture(image, city_obj):
    return images.responsive(image, city_slug=city_obj.slug) if image is not None else None


@require_GET
def agenda(request, city: str):
    """`/<city>/agenda/`: occurrences by day; today, this weekend or the next 30 days; free, accessible,
    category, near a position. A plain GET form."""
    city_obj = resolve_city(city)
    language, now = _language(), timezone.now()
    categories = list(selectors.list_categories(city=city_obj))
    filters = request.GET.copy()
    filters.pop("page", None)  # the page is not a filter: "?page=2" alone is the default agenda, page 2
    form = AgendaFilterForm(filters or None, categories=categories, language=language)
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {"when": "upcoming"}
    start, end = selectors.compute_period(city=city_obj, when=data["when"], moment=now)
    if data["when"] == "upcoming":
        start = now  # what is over today is not "to come"
    found = selectors.list_occurrences(
        city=city_obj, start=start, end=end, category=data.get("category") or None, free=data.get("free", False),
        accessible=data.get("accessible", False), near=form.near if valid else None,
    )
    pages = Paginator(found, AGENDA_PAGE_SIZE, allow_empty_first_page=True)
    page = pages.get_page(request.GET.get("page"))
    items = list(page.object_list)
    days: dict = {}
    for item in items:
        days.setdefault(item.starts_at.date(), []).append(item)
    return render(request, "cityinfo/agenda.html", {
        "city": city_obj, "form": form, "days": sorted(days.items()) if not (valid and form.near) else [],
        "items": items, "total": len(found), "page": page, "page_query": filters.urlencode(),
        "near": valid and form.near is not None, "language": language, "categories": categories,
    }, status=200 if valid or not form.is_bound else 422)


@require_GET
def event(request, city: str, slug: str):
    """`/<city>/agenda/<slug>/`: one event, its next dates, and "add to my calendar"."""
    city_obj = resolve_city(city)
    try:
        found = selectors.get_event(city=city_obj, slug=slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render_event(request, found)


def render_event(request, found, *, preview: bool = False) -> HttpResponse:
    """The event page; `preview` (the back office's) shows a banner and is never indexed or cached."""
    language = _language()
    response = render(request, "cityinfo/event.html", {
        "city": found.city, "event": found, "title": found.title(language), "description": found.description(language),
        "next": selectors.next_occurrences(found, moment=timezone.now()),
        "categories": [category.name(language) for category in found.categories.all()],
        "picture": _picture(found.image, found.city), "picture_alt": found.image_alt(language),
        "preview": preview,
    })
    return _previewed(response) if preview else response


def _previewed(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _ics_response(body: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=900)
    return response


def _url_of(request, city_obj):
    return lambda item: request.build_absolute_uri(
        reverse("cityinfo:event", kwargs={"city": city_obj.slug, "slug": item.slug}))


@require_GET
def event_ics(request, city: str, slug: str):
    """`/<city>/agenda/<slug>.ics`: "add to my calendar" — the event alone (its series when it repeats)."""
    city_obj = resolve_city(city)
    try:
        found = selectors.get_event(city=city_obj, slug=slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    language = _language()
    body = ical.events_to_ics([found], city=city_obj, name=found.title(language), language=language,
                              url_of=_url_of(request, city_obj))
    return _ics_response(body, f"{found.slug}.ics", attachment=True)


@require_GET
def agenda_ics(request, city: str, category: str | None = None):
    """`/<city>/agenda/feed.ics` and `/<city>/agenda/categories/<slug>.ics`: subscribable feeds of what
    is on or to come (series included whole)."""
    city_obj = resolve_city(city)
    language = _language()
    name = _("Agenda of %(city)s") % {"city": city_obj.name_of}
    if category:
        found = selectors.list_categories(city=city_obj).filter(slug=category).first()
        if found is None:
            raise Http404("No such category.")
        name = f"{name} · {found.name(language)}"
    now = timezone.now()
    events = selectors.list_events(city=city_obj, start=now, end=now + timedelta(days=3660), category=category)
    body = ical.events_to_ics(events, city=city_obj, name=name, language=language, url_of=_url_of(request, city_obj))
    return _ics_response(body, f"agenda-{city_obj.slug}{'-' + category if category else ''}.ics", attachment=False)


@require_GET
def news(request, city: str):
    """`/<city>/news/`: the articles shown now, newest first, filtered by category."""
    city_obj = resolve_city(city)
    language = _language()
    category = request.GET.get("category") or None
    if category not in ArticleCategory.values:
        category = None
    articles = selectors.list_articles(city=city_obj, moment=timezone.now(), category=category)[:50]
    return render(request, "cityinfo/news.html", {
        "city": city_obj, "language": language, "category": category or "",
        "categories": ArticleCategory.choices,
        "articles": [{"article": item, "title": item.title(language), "summary": item.summary(language)}
                     for item in articles],
    })


@require_GET
def article(request, city: str, slug: str):
    """`/<city>/news/<slug>/`: one article; its body is sanitised again as it is shown."""
    city_obj = resolve_city(city)
    try:
        found = selectors.get_article(city=city_obj, slug=slug, moment=timezone.now())
    except NotFound as error:
        raise Http404(str(error)) from error
    return render_article(request, found)


def render_article(request, found, *, preview: bool = False) -> HttpResponse:
    """The article page; `preview` (the back office's, for a draft or a scheduled article) shows a banner."""
    language = _language()
    response = render(request, "cityinfo/article.html", {
        "city": found.city, "article": found, "title": found.title(language), "summary": found.summary(language),
        "body": mark_safe(sanitise_html(found.body(language))),  # noqa: S308 (nh3 output: only allowed tags)
        "cover_alt": found.cover_alt(language), "picture": _picture(found.cover, found.city), "preview": preview,
    })
    return _previewed(response) if preview else response


# A year: a variant's URL holds the image's key, and an image's files never change.
IMAGE_MAX_AGE = 365 * 24 * 3600


@require_safe
def image(request, city: str, key, width: int, extension: str):
    """`/<city>/images/<key>/<width>.<webp|jpg>`: one variant of an uploaded image (never its master)."""
    city_obj = resolve_city(city)
    try:
        name, content_type = selectors.get_image_file(city=city_obj, key=key, width=width, extension=extension)
        handle = default_storage.open(name, "rb")
    except (NotFound, FileNotFoundError) as error:
        raise Http404("No such image.") from error
    response = FileResponse(handle, content_type=content_type)
    patch_cache_control(response, public=True, max_age=IMAGE_MAX_AGE, immutable=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def search(request, city: str):
    """`/<city>/search/?q=`: the one search, results grouped by kind; a plain GET form."""
    city_obj = resolve_city(city)
    query = " ".join(request.GET.get("q", "").split())[:searchindex.MAX_QUERY_LENGTH]
    results = searchindex.search(city_obj, query, language=_language()) if query else None
    response = render(request, "cityinfo/search.html", {"city": city_obj, "query": query, "results": results})
    patch_cache_control(response, private=True, max_age=60)
    return response
