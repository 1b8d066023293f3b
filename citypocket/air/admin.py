"""Back office of the air app, scoped to the staff's cities: daily indices and alerts, read-only.

Indices are computed or imported, never typed in; subscriptions hold personal data (an account,
a browser endpoint) and are deliberately not shown.
"""

from django.contrib import admin

from citypocket.air.models import AirAlert, AirIndexDaily
from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role

PUBLISHERS = (Role.DATA_PUBLISHER,)


class ReadOnlyCityAdmin(CityScopedAdmin):
    staff_roles = PUBLISHERS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AirIndexDaily)
class AirIndexDailyAdmin(ReadOnlyCityAdmin):
    list_display = ["date", "city", "station", "zone_name", "scale", "source", "level", "forecast", "provisional"]
    list_filter = ["source", "scale", "forecast", "city"]
    date_hierarchy = "date"
    list_select_related = ["city", "station"]


@admin.register(AirAlert)
class AirAlertAdmin(ReadOnlyCityAdmin):
    """The episodes found; who was told, and how each send went, is in the notification centre's admin
    (Notifications, theme "air")."""

    list_display = ["date", "city", "level", "source", "forecast"]
    list_filter = ["source", "city"]
    list_select_related = ["city"]
