"""Back office of city information: places and closures, events, categories and feeds, articles, per city."""

from django.contrib import admin

from citypocket.cities.admin import CityScopedAdmin, CityScopedInline
from citypocket.cities.models import Role
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.models import Article, Event, EventCategory, EventFeed, Place, PlaceClosure
from citypocket.cityinfo.services import refresh_series_end


class PlaceClosureInline(CityScopedInline, admin.TabularInline):
    model = PlaceClosure
    extra = 0


@admin.register(Place)
class PlaceAdmin(CityScopedAdmin):
    """Places of the staff's cities; imported rows keep their source id so that re-imports update them."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name", "city", "kind", "wheelchair", "source", "is_demo", "is_active")
    list_filter = ("city", "kind", "wheelchair", "source", "is_demo", "is_active")
    search_fields = ("name", "slug", "address", "source_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("updated_at",)
    inlines = [PlaceClosureInline]


@admin.register(EventCategory)
class EventCategoryAdmin(CityScopedAdmin):
    staff_roles = (Role.EDITOR,)
    list_display = ("name_fr", "name_en", "slug", "city")
    list_filter = ("city",)
    search_fields = ("name_fr", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_fr",)}


@admin.register(Event)
class EventAdmin(CityScopedAdmin):
    """Events of the staff's cities; the venue and categories must be of the same city."""

    staff_roles = (Role.EDITOR,)
    list_display = ("title_fr", "city", "starts_at", "rrule", "status", "is_free", "is_published", "is_demo")
    list_filter = ("city", "status", "is_free", "wheelchair", "is_published", "source", "is_demo")
    search_fields = ("title_fr", "title_en", "slug", "source_id")
    prepopulated_fields = {"slug": ("title_fr",)}
    raw_id_fields = ("venue",)
    filter_horizontal = ("categories",)
    readonly_fields = ("series_ends_at", "updated_at")

    def save_model(self, request, obj, form, change):
        refresh_series_end(obj)
        super().save_model(request, obj, form, change)


@admin.register(EventFeed)
class EventFeedAdmin(CityScopedAdmin):
    """Feeds imported by `citypocket import_event_feeds` (one task per feed)."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name", "city", "format", "is_active", "last_run_at", "last_result")
    list_filter = ("city", "format", "is_active")
    readonly_fields = ("last_run_at", "last_result")


@admin.register(Article)
class ArticleAdmin(CityScopedAdmin):
    """Articles of the staff's cities: bodies are sanitised on save; schedule with "published from"."""

    staff_roles = (Role.EDITOR,)
    list_display = ("title_fr", "city", "category", "publish_at", "expires_at", "is_published", "is_demo")
    list_filter = ("city", "category", "is_published", "is_demo")
    search_fields = ("title_fr", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_fr",)}
    date_hierarchy = "publish_at"
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change):
        obj.body_fr, obj.body_en = sanitise_html(obj.body_fr), sanitise_html(obj.body_en)
        super().save_model(request, obj, form, change)


# --- Waste collection and the sorting guide ---------------------------------------------------

from citypocket.cityinfo.waste_models import (  # noqa: E402
    CollectionRule,
    SortingItem,
    WasteZone,
    WasteZoneStreet,
)


class WasteZoneStreetInline(CityScopedInline, admin.TabularInline):
    model = WasteZoneStreet
    extra = 0
    fields = ("street", "number_from", "number_to", "parity")


class CollectionRuleInline(CityScopedInline, admin.StackedInline):
    model = CollectionRule
    extra = 0
    fields = ("stream", "starts_on", "ends_on", "rrule", "on_appointment", "holiday_shift", "put_out_fr",
              "put_out_en")


@admin.register(WasteZone)
class WasteZoneAdmin(CityScopedAdmin):
    """A collection round: its streets (whole, or a range of numbers) and the rule of each stream."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name_fr", "slug", "city", "is_demo")
    list_filter = ("city", "is_demo")
    search_fields = ("name_fr", "name_en", "slug", "streets__street")
    prepopulated_fields = {"slug": ("name_fr",)}
    inlines = [WasteZoneStreetInline, CollectionRuleInline]


@admin.register(SortingItem)
class SortingItemAdmin(CityScopedAdmin):
    staff_roles = (Role.EDITOR,)
    list_display = ("name_fr", "name_en", "stream", "city", "is_demo")
    list_filter = ("city", "stream", "is_demo")
    search_fields = ("name_fr", "name_en", "synonyms_fr", "synonyms_en")
