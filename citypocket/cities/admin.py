"""Back office for cities, and the tenant scoping that every city-owned admin and inline uses.

Tenancy in the admin is written once, here:

* a city-owned model is one with a path to a `City`: its own `city` foreign key, else through its
  first required foreign key whose model has one (`Question` → `survey__city`, `Datastream` →
  `sensor__city`), see `city_path` (in `cities.tenancy`, which the audit log shares);
* `CityScopedAdmin` lists and opens only the rows of the staff member's cities, and every foreign
  key, many-to-many and raw-id field of its forms — and of its inlines, `CityScopedInline` —
  offers only objects of those cities (`get_field_queryset`: a raw-id value from elsewhere is "not
  one of the available choices", and its label is never looked up outside the scope). A relation
  to the user model offers only accounts of those cities (`scope_accounts`); a relation to a model
  with no path to a city is a configuration error, not a silent "everything";
* on save, every related object must belong to the city of the object being saved
  (`SameCityFormMixin`): staff of two cities, and superusers, cannot link across cities either.
"""

import functools
import json

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.forms.models import InlineForeignKeyField
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City, Role, StaffMembership
from citypocket.cities.selectors import list_staff_accounts, list_staff_city_ids
from citypocket.cities.tenancy import city_id_of, city_path
from citypocket.cities.tenancy import follow_path as _follow
from citypocket.core.privacy import build_processing_record, render_markdown


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input whose label (shown next to the id) is looked up in the field's scoped choices only.

    Django's widget reads the label through the default manager: typing another city's id, or an
    account's, would print that object's name back on the re-displayed form.
    """

    def __init__(self, rel, admin_site, attrs=None, using=None, *, queryset):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            self.queryset.using(self.db).get(**{key: value})
        except (ValueError, TypeError, ValidationError, self.rel.model.DoesNotExist):
            return "", ""
        return super().label_and_url_for_value(value)


class SameCityFormMixin:
    """ModelForm `clean()`: every related object picked belongs to the city of the object being saved.

    The object's city is read from the form's own field on its city path (the `city` choice, the
    `sensor` of a datastream…), else from the instance, else — for a new inline row — from the parent
    object. A new inline row of a model with a `city` of its own that is not in the form takes the
    parent's city.
    """

    city_mismatch_message = _("This belongs to another city.")

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        city_id = self._own_city_id()
        if city_id is None:
            return cleaned
        if "city" not in self.fields and city_path(model) == "city" and self.instance.city_id is None:
            self.instance.city_id = city_id
        for name, value in list(cleaned.items()):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or value is None or value == "":
                continue
            related = list(value) if field.many_to_many else [value]
            if any(city_id_of(obj) not in (None, city_id) for obj in related):
                self.add_error(name, self.city_mismatch_message)
        return cleaned

    def _own_city_id(self) -> int | None:
        model = self._meta.model
        path = city_path(model)
        if path is None:
            return None
        head, _sep, rest = path.partition("__")
        if head in self.fields:
            value = self.cleaned_data.get(head)
            if value is None:
                return None  # not chosen or invalid: that field's own error says so
            return value.pk if not rest else _follow(value, rest)
        own = _follow(self.instance, path)
        if own is not None:
            return own
        for field in self.fields.values():
            if isinstance(field, InlineForeignKeyField):
                return city_id_of(field.parent_instance)
        return None


@functools.cache
def same_city_form(form_class):
    """`form_class` with the same-city check of `SameCityFormMixin` (one derived class per form class)."""
    if issubclass(form_class, SameCityFormMixin):
        return form_class
    return type(form_class.__name__, (SameCityFormMixin, form_class), {"__module__": form_class.__module__})


class CityScoping:
    """What `CityScopedAdmin` and `CityScopedInline` share: scoped choices and the same-city form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = same_city_form(self.form)

    def staff_city_ids(self, request) -> set[int] | None:
        raise NotImplementedError

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return self.scope_related(request, db_field, queryset)

    def scope_related(self, request, db_field, queryset):
        """The choices of a relation field: objects of the staff's cities only (None: every city)."""
        city_ids = self.staff_city_ids(request)
        related = queryset.model
        if related is get_user_model():
            return self.scope_accounts(request, db_field, queryset, city_ids)
        if city_ids is None:
            return queryset
        if related is City:
            return queryset.filter(pk__in=city_ids)
        path = city_path(related)
        if path is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{db_field.name}: {related._meta.label} has no path to a city; "
                "override scope_related() to say which of its rows the staff of a city may pick."
            )
        return queryset.filter(**{f"{path}__in": city_ids})

    def scope_accounts(self, request, db_field, queryset, city_ids):
        """Accounts a city's staff may pick: the staff of their cities (superusers: everyone).

        An admin that links people of another kind (residents…) overrides this with its own rule.
        """
        if city_ids is None:
            return queryset
        return queryset.filter(pk__in=list_staff_accounts(city_ids=city_ids).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"),
                                                 queryset=kwargs["queryset"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CityScopedAdmin(CityScoping, admin.ModelAdmin):
    """Admin for a city-owned model: staff see, pick and change only their own cities' rows.

    `city_lookup` is the ORM path from the model to its City (found by `city_path` when left
    empty); `staff_roles` are the roles that may use this admin (city admins always may).
    Superusers see every city. Inlines must be `CityScopedInline`s (a system check says so).
    """

    city_lookup: str | None = None
    staff_roles: tuple[str, ...] = (Role.EDITOR,)

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.city_lookup = self.city_lookup or city_path(model)
        if self.city_lookup is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: {model._meta.label} has no path to a city.")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for inline in self.inlines:
            if not issubclass(inline, CityScopedInline):
                errors.append(checks.Error(
                    f"{inline.__name__} is an inline of the city-scoped {type(self).__name__} "
                    "but is not a CityScopedInline.",
                    hint="Derive it from citypocket.cities.admin.CityScopedInline.",
                    obj=type(self), id="cities.E001",
                ))
        return errors

    def staff_city_ids(self, request) -> set[int] | None:
        return list_staff_city_ids(user=request.user, roles=set(self.staff_roles))

    def staff_cities(self, request):
        """The cities this person may act for in this admin, for the choices of its own tools."""
        city_ids = self.staff_city_ids(request)
        return City.objects.all() if city_ids is None else City.objects.filter(pk__in=city_ids)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        city_ids = self.staff_city_ids(request)
        if city_ids is None:
            return queryset
        return queryset.filter(**{f"{self.city_lookup}__in": city_ids})

    def get_list_filter(self, request):
        """Filters on a relation offer only the related objects of the rows this person sees."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and _is_relation(self.model, item):
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def _may_use(self, request, obj=None) -> bool:
        city_ids = self.staff_city_ids(request)
        if city_ids is None:
            return True
        if not city_ids:
            return False
        if obj is None:
            return True
        return _follow(obj, self.city_lookup) in city_ids

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._may_use(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and self._may_use(request, obj)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._may_use(request)


def _is_relation(model, path: str) -> bool:
    try:
        return get_fields_from_path(model, path)[-1].is_relation
    except (FieldDoesNotExist, NotRelationField):
        return False


class CityScopedInline(CityScoping):
    """Mixin for the inlines of a `CityScopedAdmin`: `class PhaseInline(CityScopedInline, admin.TabularInline)`.

    Its choices are scoped like the parent's, and whoever may change the parent object may add,
    change and delete its rows: staff roles are per city, not Django model permissions, which
    city staff do not hold (an inline asking for them was simply not shown to them).
    """

    def _parent_admin(self) -> CityScopedAdmin:
        return self.admin_site.get_model_admin(self.parent_model)

    def staff_city_ids(self, request) -> set[int] | None:
        return self._parent_admin().staff_city_ids(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        city_ids = self.staff_city_ids(request)
        if city_ids is None:
            return queryset
        return queryset.filter(**{f"{city_path(self.model)}__in": city_ids})

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj):
        parent = self._parent_admin()
        return parent.has_change_permission(request, obj) if obj is not None else parent.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "official_name", "timezone", "is_active"]
    search_fields = ["name", "slug", "official_name"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/cities/city/change_form.html"

    def get_urls(self):
        record = path("<path:object_id>/processing-record/", self.admin_site.admin_view(self.processing_record_view),
                      name="cities_city_processing_record")
        return [record, *super().get_urls()]

    def processing_record_view(self, request, object_id):
        """The city's record of processing activities (GDPR art. 30), for its city admins and DPO:
        a page, or `?format=md|json` to download. Another city's record is a 404."""
        city = self.get_object(request, object_id)
        if city is None or not self.has_view_permission(request, city):
            raise Http404
        record = build_processing_record(city=city)
        download = request.GET.get("format")
        if download in ("md", "json"):
            body = render_markdown(record) if download == "md" else json.dumps(record, ensure_ascii=False, indent=2)
            kind = "text/markdown; charset=utf-8" if download == "md" else "application/json"
            response = HttpResponse(body, content_type=kind)
            response["Content-Disposition"] = f'attachment; filename="{city.slug}-processing-record.{download}"'
            return response
        context = {**self.admin_site.each_context(request), "title": _("Record of processing activities"),
                   "city": city, "record": record, "opts": self.model._meta, "original": city}
        return TemplateResponse(request, "admin/cities/city/processing_record.html", context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        city_ids = list_staff_city_ids(user=request.user, roles={Role.CITY_ADMIN})
        return queryset if city_ids is None else queryset.filter(id__in=city_ids)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(list_staff_city_ids(user=request.user, roles={Role.CITY_ADMIN}))

    def has_view_permission(self, request, obj=None):
        city_ids = list_staff_city_ids(user=request.user, roles={Role.CITY_ADMIN})
        return city_ids is None or (bool(city_ids) and (obj is None or obj.pk in city_ids))

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(StaffMembership)
class StaffMembershipAdmin(CityScopedAdmin):
    """Roles of a city's staff, given by its city admins.

    A city admin gives further roles to people who are already staff of the city (the account
    field offers nobody else: no e-mail address of another city's staff or of citizens shows
    here); a person's first role is given by a superuser. The person of a membership is never
    changed afterwards.
    """

    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["user", "role", "city", "created_at"]
    list_filter = ["role", "city"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []
