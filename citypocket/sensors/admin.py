"""Back office of the sensor engine, scoped to the staff's cities (data publishers and city admins)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from citypocket.cities.admin import CityScopedAdmin, CityScopedInline
from citypocket.cities.models import Role
from citypocket.sensors.models import Datastream, DeadLetter, IngestToken, LatestObservation, Sensor
from citypocket.sensors.tokens import create_ingest_token, revoke_ingest_token

PUBLISHERS = (Role.DATA_PUBLISHER,)


class DatastreamInline(CityScopedInline, admin.TabularInline):
    model = Datastream
    extra = 0
    fields = ["property", "unit", "latest_value", "latest_time"]
    readonly_fields = ["latest_value", "latest_time"]

    @admin.display(description=_("latest value"))
    def latest_value(self, obj):
        latest = LatestObservation.objects.filter(datastream=obj).first()
        return "-" if latest is None else f"{latest.value:g} {obj.unit}"

    @admin.display(description=_("observed at"))
    def latest_time(self, obj):
        latest = LatestObservation.objects.filter(datastream=obj).first()
        return "-" if latest is None else latest.phenomenon_time


@admin.register(Sensor)
class SensorAdmin(CityScopedAdmin):
    staff_roles = PUBLISHERS
    list_display = ["external_id", "name", "kind", "city", "is_active"]
    list_filter = ["kind", "is_active", "city"]
    search_fields = ["external_id", "name"]
    inlines = [DatastreamInline]


@admin.register(Datastream)
class DatastreamAdmin(CityScopedAdmin):
    staff_roles = PUBLISHERS
    list_display = ["sensor", "property", "unit"]
    list_filter = ["property", "sensor__city"]
    search_fields = ["sensor__external_id", "sensor__name", "property"]
    list_select_related = ["sensor"]


@admin.register(DeadLetter)
class DeadLetterAdmin(CityScopedAdmin):
    """Refused payloads: read-only, for diagnosis."""

    staff_roles = PUBLISHERS
    list_display = ["received_at", "city", "source", "reason"]
    list_filter = ["source", "city"]
    search_fields = ["reason", "source"]
    date_hierarchy = "received_at"
    readonly_fields = ["city", "source", "reason", "received_at", "payload"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IngestToken)
class IngestTokenAdmin(CityScopedAdmin):
    """Tokens are created here (the token is shown once, in a message) and revoked, never edited."""

    staff_roles = PUBLISHERS
    list_display = ["name", "city", "created_at", "revoked_at"]
    list_filter = ["city"]
    fields = ["city", "name", "created_at", "revoked_at"]
    readonly_fields = ["created_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["city", "name", "created_at", "revoked_at"] if obj else ["created_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row, token = create_ingest_token(city=obj.city, name=obj.name)
        obj.pk, obj.token_hash, obj.created_at = row.pk, row.token_hash, row.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("Copy this token now, it will not be shown again: %(token)s") % {"token": token},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one by one, so that each revocation is a change the audit log sees
            revoke_ingest_token(token=token)
        count = len(tokens)
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )
