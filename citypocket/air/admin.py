"""Back office of the air app, scoped to the staff's cities: daily indices and alerts, read-only.

Indices are computed or imported, never typed in; subscriptions hold personal data (an account,
a browser endpoint) and are deliberately not shown.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

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
    list_display = ["date", "city", "level", "source", "forecast", "sent", "failed"]
    list_filter = ["source", "city"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city").annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status="sent")),
            failed_count=Count("deliveries", filter=~Q(deliveries__status="sent")),
        )

    @admin.display(description=_("sent"))
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("not sent"))
    def failed(self, obj):
        return obj.failed_count
