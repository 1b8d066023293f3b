"""Back office of the open data: who may read a dataset (public, or restricted to partner cities), the
data access tokens of partner machines, the sources a city harvests and the record of each harvest. For
a city's data publishers and city admins.

Datasets are created and described by `sync_opendata`; here a publisher only chooses their access.
Partner cities are other cities by definition, so the partner choice is every other active city (not
the staff's own cities, as other relations of the back office are), through a form field of its own
that the same-city check does not apply to.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from citypocket.audit.services import record
from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import City, Role
from citypocket.opendata.access import create_data_access_token, revoke_data_access_token
from citypocket.opendata.models import DataAccessToken, Dataset, DatasetAccess, HarvestJob, HarvestSource, TokenScope

PUBLISHERS = (Role.DATA_PUBLISHER,)


class DatasetAccessForm(forms.ModelForm):
    partners = forms.ModelMultipleChoiceField(
        queryset=City.objects.none(), required=False, label=_("partner cities"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their staff and read tokens may read this dataset while it is restricted."),
    )

    class Meta:
        model = Dataset
        fields = ["access"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = City.objects.filter(is_active=True).exclude(
            pk=self.instance.city_id).order_by("name")
        if self.instance.pk:
            self.fields["partners"].initial = list(self.instance.partner_cities.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("access") == DatasetAccess.PUBLIC and cleaned.get("partners"):
            self.add_error("partners", _("Partner cities apply only to a restricted dataset."))
        return cleaned


@admin.register(Dataset)
class DatasetAdmin(CityScopedAdmin):
    staff_roles = PUBLISHERS
    form = DatasetAccessForm
    list_display = ["slug", "city", "access", "is_published", "row_count", "modified"]
    list_filter = ["city", "access"]
    search_fields = ["slug", "title_fr", "title_en"]
    readonly_fields = ["city", "slug", "title_fr", "title_en", "row_count", "modified"]
    fields = ["city", "slug", "title_fr", "title_en", "row_count", "modified", "access", "partners"]

    def has_add_permission(self, request):
        return False  # datasets come from the platform (`sync_opendata`)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # On the object, not on this admin (one instance serves every request).
        obj._access_before = Dataset.objects.filter(pk=obj.pk).values_list("access", flat=True).first()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        dataset = form.instance
        previous = set(dataset.partner_cities.values_list("slug", flat=True))
        dataset.partner_cities.set(form.cleaned_data.get("partners") or [])
        partners = sorted(dataset.partner_cities.values_list("slug", flat=True))
        before = getattr(dataset, "_access_before", None)
        if before != dataset.access or previous != set(partners):
            record(actor=request.user, action="opendata.access_changed", obj=dataset,
                   detail={"dataset": dataset.slug, "from": before or "", "to": dataset.access,
                           "partners": ",".join(partners)},
                   clear=("dataset", "from", "to", "partners"))


@admin.register(DataAccessToken)
class DataAccessTokenAdmin(CityScopedAdmin):
    """Tokens are created here (the token is shown once, in a message) and revoked, never edited."""

    staff_roles = PUBLISHERS
    list_display = ["name", "city", "created_at", "revoked_at"]
    list_filter = ["city"]
    fields = ["city", "name", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["city", "name", "created_at", "revoked_at"] if obj else ["created_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row, token = create_data_access_token(city=obj.city, name=obj.name, scopes=(TokenScope.READ_DATASETS,))
        obj.pk, obj.token_hash, obj.created_at, obj.scopes = row.pk, row.token_hash, row.created_at, row.scopes
        obj._state.adding = False
        messages.warning(
            request, _("Copy this token now, it will not be shown again: %(token)s") % {"token": token},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one by one, so that each revocation is a change the audit log sees
            revoke_data_access_token(token=token)
        count = len(tokens)
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )


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
