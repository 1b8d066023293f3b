"""Citizen pages of the safety app: overview with safe places, help now, report, follow-up,
awareness articles, video-protection register. Staff triage lives in the admin (see admin.py)."""

from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from citypocket.core.idempotency import idempotent_post
from citypocket.core.problems import DomainError
from citypocket.core.throttling import SAFETY_FOLLOW, SAFETY_REPORT
from citypocket.core.views import resolve_city
from citypocket.safety import hotspots, selectors, services
from citypocket.safety.forms import FollowForm, ReportForm
from citypocket.safety.models import Status
from citypocket.safety.support import list_support_services


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@require_GET
def page(request, city: str):
    """`/<city>/safety/`: what to do now, safe places (map + list), hotspots, awareness, filmed zones."""
    city_obj = resolve_city(city)
    spots = hotspots.compute_hotspots(city=city_obj)
    language = _language()
    return render(request, "safety/page.html", {
        "city": city_obj,
        "places": selectors.list_safe_places_by_distance(city=city_obj),
        "hotspots": spots,
        "k": hotspots.hotspot_k(),
        "articles": [{"slug": a.slug, "title": a.title(language)} for a in selectors.list_articles(city=city_obj)],
    })


@require_GET
def help_now(request, city: str):
    """`/<city>/safety/help/`: emergency numbers and the nearest safe places; precached for offline use."""
    city_obj = resolve_city(city)
    return render(request, "safety/help.html", {
        "city": city_obj,
        "services": list_support_services(city=city_obj),
        "places": selectors.list_safe_places_by_distance(city=city_obj),
        # The worker keeps these with the page, so that help now also looks right offline.
        "precache_urls": [static("safety/safety.css"), static("safety/help.js")],
    })


@never_cache
@require_http_methods(["GET", "POST"])
@idempotent_post("safety.report")
def report(request, city: str):
    """`/<city>/safety/report/`: the anonymous report form; the receipt code is shown once."""
    city_obj = resolve_city(city)
    form = ReportForm(request.POST or None, city_slug=city_obj.slug)
    context = {"city": city_obj, "form": form, "errors": []}
    if request.method == "POST" and form.is_valid():
        if not SAFETY_REPORT.check(request).allowed:
            context["errors"] = [{"field": "__all__", "message": "rate"}]
            return render(request, "safety/report.html", context, status=429)
        data = form.cleaned_data
        try:
            submitted = services.submit_report(
                city=city_obj, category=data["category"], reporter_role=data["role"],
                occurred_at=form.occurred_at(city_obj.zone), lat=data.get("lat"), lon=data.get("lon"),
                place_name=data.get("place_name", ""), description=data.get("description", ""),
                contact=data.get("contact", ""),
            )
        except DomainError as error:
            context["errors"] = error.errors or []
            return render(request, "safety/report.html", context, status=422)
        return render(request, "safety/receipt.html", {
            "city": city_obj, "receipt_code": submitted.receipt_code,
            "services": list_support_services(city=city_obj),
        }, status=201)
    return render(request, "safety/report.html", context, status=422 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request, city: str):
    """`/<city>/safety/follow/`: status and replies with the receipt code (sent in the body, never the URL)."""
    city_obj = resolve_city(city)
    form = FollowForm(request.POST or None)
    context = {"city": city_obj, "form": form, "report": None, "not_found": False}
    if request.method == "POST" and form.is_valid():
        if not SAFETY_FOLLOW.check(request).allowed:
            return render(request, "safety/follow.html", context | {"rate_limited": True}, status=429)
        code = form.cleaned_data["receipt_code"]
        try:
            found = services.access_report_by_receipt(city=city_obj, receipt_code=code)
            if form.cleaned_data.get("text", "").strip():
                services.add_reporter_information(city=city_obj, receipt_code=code, text=form.cleaned_data["text"])
                context["added"] = True
        except DomainError:
            context["not_found"] = True
            return render(request, "safety/follow.html", context, status=404)
        context.update({
            "report": found, "status_label": Status(found.status).label,
            "replies": services.list_replies_for_reporter(report=found),
            "form": FollowForm(),
        })
    return render(request, "safety/follow.html", context)


@require_GET
def article(request, city: str, slug: str):
    city_obj = resolve_city(city)
    item = selectors.get_article(city=city_obj, slug=slug)
    if item is None:
        raise Http404("No such article.")
    language = _language()
    return render(request, "safety/article.html", {
        "city": city_obj, "article": item, "title": item.title(language), "paragraphs": item.paragraphs(language),
    })


@require_GET
def filmed_zones(request, city: str):
    """`/<city>/safety/video-protection/`: the register of filmed zones, map and list."""
    city_obj = resolve_city(city)
    zones = selectors.list_filmed_zones(city=city_obj)
    return render(request, "safety/filmed_zones.html", {"city": city_obj, "zones": zones})
