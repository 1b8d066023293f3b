"""Back office of the city alerts: safety officers and city administrators publish, confirm, update and
close their city's alerts. Every step goes through `cityalerts` (roles, the second confirmation of
severe alerts, the notification of subscribers, the audit log); the admin only collects the fields.

Subscriptions and deliveries hold personal data and are not shown; the counts of each alert's
sending are (`delivery_counts`).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role
from citypocket.core.problems import DomainError
from citypocket.notifications import cityalerts
from citypocket.notifications.models import AlertSettings, AlertState, CityAlert, Delivery


class CityAlertForm(forms.ModelForm):
    communes = forms.CharField(
        label=_("communes"), required=False,
        help_text=_("INSEE codes separated by commas; empty means the whole city."))
    polygon = forms.CharField(
        label=_("drawn area (GeoJSON Polygon)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Draw it on geojson.io or a GIS and paste the geometry: {"type": "Polygon", "coordinates": …}.'))

    class Meta:
        model = CityAlert
        fields = ["city", "kind", "severity", "headline_fr", "headline_en", "description_fr", "description_en",
                  "instruction_fr", "instruction_en", "area_name", "communes", "polygon", "onset", "expires",
                  "change_note_fr", "change_note_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["communes"] = ", ".join(self.instance.communes or [])
            self.initial["polygon"] = json.dumps(self.instance.polygon) if self.instance.polygon else ""

    def clean_communes(self):
        return [code.strip() for code in self.cleaned_data["communes"].split(",") if code.strip()]

    def clean_polygon(self):
        try:
            return cityalerts.parse_polygon(self.cleaned_data["polygon"])
        except ValueError as error:
            raise ValidationError(_("Paste a GeoJSON Polygon with closed rings.")) from error


@admin.register(CityAlert)
class CityAlertAdmin(CityScopedAdmin):
    staff_roles = cityalerts.PUBLISHERS
    form = CityAlertForm
    list_display = ["headline_fr", "city", "kind", "severity", "state", "version", "onset", "expires"]
    list_filter = ["state", "kind", "severity", "city"]
    readonly_fields = ["state", "version", "author", "published_at", "closed_at", "sending"]
    actions = ["confirm", "close"]

    @admin.display(description=_("sending"))
    def sending(self, obj):
        rows = Delivery.objects.filter(notification__key__startswith=f"alert:{obj.identifier}:")
        counts = {}
        for status in rows.values_list("status", flat=True):
            counts[status] = counts.get(status, 0) + 1
        return format_html_join(", ", "{}: {}", sorted(counts.items())) or "-"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state == AlertState.CLOSED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in cityalerts.EDITABLE if name in form.cleaned_data}
        try:
            if not change:
                alert = cityalerts.publish_alert(city=form.cleaned_data["city"], author=request.user, **data)
                obj.pk, obj.identifier = alert.pk, alert.identifier
                if alert.state == AlertState.DRAFT:
                    self.message_user(request, _("A severe alert waits for a second staff member's confirmation "
                                                 "(the action \"Confirm and send\")."), messages.WARNING)
            elif obj.state == AlertState.PUBLISHED:
                current = CityAlert.objects.get(pk=obj.pk)
                cityalerts.update_alert(alert=current, user=request.user,
                                        change_note_fr=form.cleaned_data["change_note_fr"],
                                        change_note_en=form.cleaned_data["change_note_en"], **data)
            else:  # a draft: its fields change, nothing is sent until it is confirmed
                super().save_model(request, obj, form, change)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)

    @admin.action(description=_("Confirm and send (second staff member)"))
    def confirm(self, request, queryset):
        for alert in queryset.filter(state=AlertState.DRAFT):
            try:
                cityalerts.confirm_alert(alert=alert, user=request.user)
                self.message_user(request, _("Alert confirmed and sent."), messages.SUCCESS)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)

    @admin.action(description=_("Close (the alert is over)"))
    def close(self, request, queryset):
        for alert in queryset.exclude(state=AlertState.CLOSED):
            try:
                cityalerts.close_alert(alert=alert, user=request.user)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)


@admin.register(AlertSettings)
class AlertSettingsAdmin(CityScopedAdmin):
    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["city", "severe_needs_confirmation"]
