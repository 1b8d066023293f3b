"""Back office of the safety app.

Reports: only safety officers of a report's city (an explicit membership — not city admins, not
superusers) see the list, and the exact details are decrypted only in the change view of one
report, through `services.read_report_details`, which writes an audit entry for every read. The
admin is behind the staff MFA gate and outside the service worker's cache (/admin/).
Safe places, articles and filmed zones: editors and safety officers of the city.
"""

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role, StaffMembership
from citypocket.safety import selectors, services
from citypocket.safety.models import (
    AwarenessArticle,
    FilmedZone,
    HarassmentReport,
    SafePlace,
    SensitiveAccessLog,
)

OFFICERS = (Role.SAFETY_OFFICER,)
EDITORS_AND_OFFICERS = (Role.EDITOR, Role.SAFETY_OFFICER)


def officer_city_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(StaffMembership.objects.filter(user=user, role=Role.SAFETY_OFFICER).values_list("city_id", flat=True))


class ReportTriageForm(forms.ModelForm):
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(
        label=_("Reply to the reporter"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reporter reads it with their receipt code."),
    )

    class Meta:
        model = HarassmentReport
        fields = ["status"]


@admin.register(HarassmentReport)
class HarassmentReportAdmin(CityScopedAdmin):
    staff_roles = OFFICERS
    form = ReportTriageForm
    change_form_template = "admin/safety/harassmentreport/change_form.html"
    change_list_template = "admin/safety/harassmentreport/change_list.html"
    list_display = ["short_id", "category", "reporter_role", "period", "status", "received_on", "has_point"]
    list_filter = ["status", "category", "reporter_role", "period"]
    readonly_fields = ["category", "reporter_role", "period", "h3_cell", "received_on", "closed_on",
                       "contact_erased_on", "anonymised_on"]
    fields = ["status", "note", "reply", *readonly_fields]
    list_per_page = 50
    show_full_result_count = False

    def staff_city_ids(self, request) -> set[int]:
        # Stricter than CityScopedAdmin: an explicit safety-officer membership, for everyone.
        return officer_city_ids(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city")

    @admin.display(description=_("report"))
    def short_id(self, obj) -> str:
        return str(obj.pk)[:8]

    @admin.display(description=_("map point"), boolean=True)
    def has_point(self, obj) -> bool:
        return bool(obj.h3_cell)

    def has_add_permission(self, request):
        return False  # reports come from citizens only

    def has_delete_permission(self, request, obj=None):
        return False  # erasure follows the retention rules (purge_safety_data)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["details"] = services.read_report_details(user=request.user, report=obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_model(self, request, obj, form, change):
        current = HarassmentReport.objects.get(pk=obj.pk)
        services.change_report_status(user=request.user, report=current, status=form.cleaned_data["status"])
        if form.cleaned_data.get("note"):
            services.add_staff_update(user=request.user, report=current, text=form.cleaned_data["note"])
        if form.cleaned_data.get("reply"):
            services.add_staff_update(user=request.user, report=current, text=form.cleaned_data["reply"], reply=True)

    def get_urls(self):
        urls = [
            path("figures/", self.admin_site.admin_view(self.figures_view), name="safety_harassmentreport_figures"),
            path("exact-map/", self.admin_site.admin_view(self.exact_map_view), name="safety_harassmentreport_map"),
        ]
        return urls + super().get_urls()

    def figures_view(self, request):
        """Monthly figures per category and status, for each city the officer serves."""
        cities = self.staff_cities(request).order_by("name")
        if not cities:
            return render(request, "admin/safety/harassmentreport/forbidden.html", status=403)
        blocks = [{"city": city, "months": selectors.compute_monthly_figures(city=city)} for city in cities]
        context = {**self.admin_site.each_context(request), "title": _("Monthly figures"), "blocks": blocks,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/safety/harassmentreport/figures.html", context)

    def exact_map_view(self, request):
        """Exact points of the open reports of one month, for the officer's city; every point read is audited."""
        cities = self.staff_cities(request).order_by("name")
        city = cities.filter(slug=request.GET.get("city", "")).first() or cities.first()
        if city is None:
            return render(request, "admin/safety/harassmentreport/forbidden.html", status=403)
        period = request.GET.get("period", "")
        reports = selectors.list_reports_for_triage(city=city, period=period)[:500]
        points = services.read_exact_map(user=request.user, city=city, reports=reports)
        context = {**self.admin_site.each_context(request), "title": _("Exact map"), "city": city, "cities": cities,
                   "points": points, "opts": self.model._meta}
        return TemplateResponse(request, "admin/safety/harassmentreport/exact_map.html", context)


@admin.register(SensitiveAccessLog)
class SensitiveAccessLogAdmin(CityScopedAdmin):
    staff_roles = (Role.SAFETY_OFFICER, Role.CITY_ADMIN)
    list_display = ["at", "user_email", "action", "report_id", "city"]
    list_filter = ["action", "city"]
    search_fields = ["user_email", "report_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SafePlace)
class SafePlaceAdmin(CityScopedAdmin):
    staff_roles = EDITORS_AND_OFFICERS
    list_display = ["name", "kind", "address", "city", "charter_signed_on", "trained_on", "is_active", "is_demo"]
    list_filter = ["kind", "is_active", "is_demo", "city"]
    search_fields = ["name", "address"]


@admin.register(AwarenessArticle)
class AwarenessArticleAdmin(CityScopedAdmin):
    staff_roles = EDITORS_AND_OFFICERS
    list_display = ["title_fr", "title_en", "city", "order", "is_published", "is_demo"]
    list_filter = ["is_published", "city"]
    prepopulated_fields = {"slug": ["title_en"]}


@admin.register(FilmedZone)
class FilmedZoneAdmin(CityScopedAdmin):
    staff_roles = EDITORS_AND_OFFICERS
    list_display = ["name", "operator", "retention_days", "city", "is_demo"]
    list_filter = ["city", "is_demo"]
    search_fields = ["name", "operator"]
