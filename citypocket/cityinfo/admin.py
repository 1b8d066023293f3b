"""Back office of city information: places and closures, events, categories and feeds, articles, images,
per city. French and English fields are grouped by language; drafts and scheduled items have a preview."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from citypocket.cities.admin import CityScopedAdmin, CityScopedInline
from citypocket.cities.models import Role
from citypocket.cityinfo import images, services, views
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.models import (
    ALT_REQUIRED,
    Article,
    Event,
    EventCategory,
    EventFeed,
    Image,
    Place,
    PlaceClosure,
)
from citypocket.cityinfo.services import refresh_series_end


def _upload_field(required: bool = False) -> forms.FileField:
    return forms.FileField(
        label=_("Upload an image"), required=required,
        help_text=_("JPEG, PNG or WebP. Its location (GPS) and camera details are removed; it is resized for "
                    "phones and computers."),
        widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPTED_TYPES}),
    )


def _check_upload(form, name: str = "upload") -> None:
    """Reads the uploaded file (if any) into `form.picture`, or puts the reason on the field."""
    form.picture = None
    upload = form.cleaned_data.get(name)
    if not upload:
        return
    try:
        form.picture = images.read_upload(upload)
    except ValidationError as error:
        form.add_error(name, error)


class ImageUploadForm(forms.ModelForm):
    """The form of an object showing an image: an optional upload, checked here, and its text alternative."""

    upload = _upload_field()

    def clean(self):
        cleaned = super().clean()
        _check_upload(self)
        alt = next(name for name in ("image_alt_fr", "cover_alt_fr") if name in self.fields)
        if self.picture is not None and not (cleaned.get(alt) or "").strip():
            self.add_error(alt, ALT_REQUIRED)
        return cleaned


class ImageUploadAdmin(CityScopedAdmin):
    """An admin whose object shows an image (`image_field`): pick one of the city's images, or upload one.

    The upload is checked in the form (a refused file is an error on its field and nothing is
    written); it is stored on save, in the object's city, and becomes the object's image. The text
    alternative is required whenever there is an image, by the form and the model.
    """

    form = ImageUploadForm
    image_field = "image"

    def save_model(self, request, obj, form, change):
        picture = getattr(form, "picture", None)
        if picture is not None:
            upload = form.cleaned_data["upload"]
            image = services.store_image(city=obj.city, picture=picture, title=obj_title(obj) or upload.name)
            setattr(obj, self.image_field, image)
        super().save_model(request, obj, form, change)

    def preview_links(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_preview", args=[obj.pk])
        return format_html_join(" · ", '<a href="{}?lang={}" target="_blank" rel="noopener">{}</a>',
                                [(url, "fr", "Aperçu en français"), (url, "en", "Preview in English")])

    preview_links.short_description = _("Preview")

    def current_image(self, obj):
        image = getattr(obj, self.image_field, None) if obj else None
        return _thumbnail(image)

    current_image.short_description = _("Current image")


def obj_title(obj) -> str:
    return getattr(obj, "title_fr", "") or getattr(obj, "name", "")


def _thumbnail(image):
    if image is None or not image.variants:
        return "-"
    smallest = min(image.variants, key=lambda variant: variant["width"])
    url = reverse("cityinfo:image", kwargs={"city": image.city.slug, "key": image.key, "width": smallest["width"],
                                            "extension": "jpg"})
    return format_html('<img src="{}" width="{}" height="{}" alt="" style="max-width:160px;height:auto">',
                       url, smallest["width"], smallest["height"])


class PreviewMixin:
    """A staff-only preview of the public page, for drafts and scheduled items too: `<id>/preview/`.

    The object is fetched through the admin's own scoped queryset: another city's staff get a 404.
    """

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        preview = path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view),
                       name="{}_{}_preview".format(*info))
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return self.render_preview(request, obj)


class PlaceClosureInline(CityScopedInline, admin.TabularInline):
    model = PlaceClosure
    extra = 0


IMAGE_HELP = _("Pick one of the city's images, or upload a new one below.")


@admin.register(Place)
class PlaceAdmin(ImageUploadAdmin):
    """Places of the staff's cities; imported rows keep their source id so that re-imports update them."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name", "city", "kind", "wheelchair", "source", "is_demo", "is_active")
    list_filter = ("city", "kind", "wheelchair", "source", "is_demo", "is_active")
    search_fields = ("name", "slug", "address", "source_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("updated_at", "current_image")
    inlines = [PlaceClosureInline]
    fieldsets = (
        (None, {"fields": ("city", "name", "slug", "kind", "is_active")}),
        (_("Where and how to reach it"), {"fields": ("address", ("lat", "lon"), "phone", "email", "website")}),
        (_("Accessibility and hours"), {"fields": ("wheelchair", "accessible_toilets", "hearing_loop",
                                                   "opening_hours")}),
        (_("Image"), {"fields": ("current_image", "image", "upload"), "description": IMAGE_HELP}),
        (_("French"), {"fields": ("description_fr", "image_alt_fr")}),
        (_("English"), {"fields": ("description_en", "image_alt_en")}),
        (_("Provenance"), {"fields": ("source", "source_id", "provenance", "is_demo", "updated_at"),
                           "classes": ("collapse",)}),
    )


@admin.register(EventCategory)
class EventCategoryAdmin(CityScopedAdmin):
    staff_roles = (Role.EDITOR,)
    list_display = ("name_fr", "name_en", "slug", "city")
    list_filter = ("city",)
    search_fields = ("name_fr", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_fr",)}


@admin.register(Event)
class EventAdmin(PreviewMixin, ImageUploadAdmin):
    """Events of the staff's cities; the venue and categories must be of the same city."""

    staff_roles = (Role.EDITOR,)
    list_display = ("title_fr", "city", "starts_at", "rrule", "status", "is_free", "is_published", "is_demo")
    list_filter = ("city", "status", "is_free", "wheelchair", "is_published", "source", "is_demo")
    search_fields = ("title_fr", "title_en", "slug", "source_id")
    prepopulated_fields = {"slug": ("title_fr",)}
    raw_id_fields = ("venue",)
    filter_horizontal = ("categories",)
    readonly_fields = ("series_ends_at", "updated_at", "current_image", "preview_links")
    fieldsets = (
        (None, {"fields": ("city", "slug", "is_published", "preview_links", "status")}),
        (_("French"), {"fields": ("title_fr", "description_fr", "image_alt_fr")}),
        (_("English"), {"fields": ("title_en", "description_en", "image_alt_en")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "rrule", "exdates", "series_ends_at")}),
        (_("Where"), {"fields": ("venue", "location")}),
        (_("Image"), {"fields": ("current_image", "image", "upload"), "description": IMAGE_HELP}),
        (_("Practical information"), {"fields": ("categories", "audience", "is_free", "price", "wheelchair",
                                                 "hearing_loop", "sign_language", "booking_url")}),
        (_("Provenance"), {"fields": ("source", "source_id", "provenance", "is_demo", "updated_at"),
                           "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change):
        refresh_series_end(obj)
        super().save_model(request, obj, form, change)

    def render_preview(self, request, obj):
        return views.render_event(request, obj, preview=True)


@admin.register(EventFeed)
class EventFeedAdmin(CityScopedAdmin):
    """Feeds imported by `citypocket import_event_feeds` (one task per feed)."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name", "city", "format", "is_active", "last_run_at", "last_result")
    list_filter = ("city", "format", "is_active")
    readonly_fields = ("last_run_at", "last_result")


@admin.register(Article)
class ArticleAdmin(PreviewMixin, ImageUploadAdmin):
    """Articles of the staff's cities: bodies are sanitised on save; schedule with "published from"."""

    staff_roles = (Role.EDITOR,)
    image_field = "cover"
    list_display = ("title_fr", "city", "category", "publish_at", "expires_at", "is_published", "is_demo")
    list_filter = ("city", "category", "is_published", "is_demo")
    search_fields = ("title_fr", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_fr",)}
    date_hierarchy = "publish_at"
    readonly_fields = ("updated_at", "current_image", "preview_links")
    fieldsets = (
        (None, {"fields": ("city", "slug", "category", "preview_links")}),
        (_("Publication"), {"fields": ("is_published", "publish_at", "expires_at")}),
        (_("French"), {"fields": ("title_fr", "summary_fr", "body_fr", "cover_alt_fr")}),
        (_("English"), {"fields": ("title_en", "summary_en", "body_en", "cover_alt_en")}),
        (_("Cover image"), {"fields": ("current_image", "cover", "upload", "cover_url"), "description": IMAGE_HELP}),
        (None, {"fields": ("is_demo", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        obj.body_fr, obj.body_en = sanitise_html(obj.body_fr), sanitise_html(obj.body_en)
        super().save_model(request, obj, form, change)

    def render_preview(self, request, obj):
        return views.render_article(request, obj, preview=True)


class ImageForm(forms.ModelForm):
    upload = _upload_field(required=True)

    class Meta:
        model = Image
        fields = ("city", "title", "credit")

    def clean(self):
        cleaned = super().clean()
        _check_upload(self)
        return cleaned


@admin.register(Image)
class ImageAdmin(CityScopedAdmin):
    """The city's image library. An image's files never change: to replace one, upload another."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("title", "thumbnail", "city", "width", "height", "created_at")
    list_filter = ("city",)
    list_select_related = ("city",)
    search_fields = ("title", "credit")
    readonly_fields = ("thumbnail", "width", "height", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImageForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("city", "title", "credit", "upload")
        return ("city", "title", "credit", "thumbnail", "width", "height", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "city") if obj is not None else ()

    def thumbnail(self, obj):
        return _thumbnail(obj)

    thumbnail.short_description = _("Preview")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        services.store_image(city=obj.city, picture=form.picture, title=obj.title, credit=obj.credit, image=obj)

    def delete_model(self, request, obj):
        services.delete_image(obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.delete_image(image)

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
