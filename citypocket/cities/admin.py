"""Back office for cities, and the tenant-scoping base that every city-owned admin uses."""

from django.contrib import admin

from citypocket.cities.models import City, Role, StaffMembership
from citypocket.cities.selectors import list_staff_city_ids


class CityScopedAdmin(admin.ModelAdmin):
    """Admin for a city-owned model: staff see and change only their own cities' rows.

    `city_lookup` is the ORM path from the model to its City; `staff_roles` are the roles that
    may use this admin (city admins always may). Superusers see every city.
    """

    city_lookup = "city"
    staff_roles: tuple[str, ...] = (Role.EDITOR,)

    def staff_city_ids(self, request) -> set[int] | None:
        return list_staff_city_ids(user=request.user, roles=set(self.staff_roles))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        city_ids = self.staff_city_ids(request)
        if city_ids is None:
            return queryset
        return queryset.filter(**{f"{self.city_lookup}__in": city_ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        city_ids = self.staff_city_ids(request)
        if city_ids is not None and db_field.related_model is City:
            kwargs["queryset"] = City.objects.filter(id__in=city_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_use(self, request, obj=None) -> bool:
        city_ids = self.staff_city_ids(request)
        if city_ids is None:
            return True
        if not city_ids:
            return False
        if obj is None:
            return True
        city_id = self._city_id_of(obj)
        return city_id in city_ids

    def _city_id_of(self, obj) -> int | None:
        target = obj
        for part in self.city_lookup.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target.pk

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._may_use(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and self._may_use(request, obj)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._may_use(request)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "official_name", "timezone", "is_active"]
    search_fields = ["name", "slug", "official_name"]
    prepopulated_fields = {"slug": ["name"]}

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
    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["user", "role", "city", "created_at"]
    list_filter = ["role", "city"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
