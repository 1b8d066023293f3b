"""Back office of the open-data catalog: the sources a city harvests, and the record of each harvest."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role
from citypocket.opendata.models import HarvestJob, HarvestSource


@admin.register(HarvestSource)
class HarvestSourceAdmin(CityScopedAdmin):
    """A catalog the city takes datasets from (another CityPocket, DCAT-AP, CKAN, OpenDataSoft)."""

    staff_roles = (Role.DATA_PUBLISHER,)
    list_display = ("title", "city", "kind", "url", "enabled", "schedule", "last_job")
    list_filter = ("city", "kind", "enabled", "schedule")
    search_fields = ("title", "url")
    readonly_fields = ("last_job", "created_at")
    actions = ["harvest_now"]

    @admin.action(description=_("Harvest now"))
    def harvest_now(self, request, queryset):
        from citypocket.opendata.schedule import harvest_one

        sources = list(queryset)
        for source in sources:
            harvest_one.enqueue(source.pk)
        self.message_user(request, ngettext("%d harvest queued.", "%d harvests queued.", len(sources)) % len(sources),
                          messages.SUCCESS)


@admin.register(HarvestJob)
class HarvestJobAdmin(CityScopedAdmin):
    """Each run of a source: counts and errors. Written by the harvester only."""

    staff_roles = (Role.DATA_PUBLISHER,)
    list_display = ("source", "started_at", "finished_at", "status", "created", "updated", "unchanged", "withdrawn")
    list_filter = ("status", "source__city")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
