"""Back office of the open data, for a city's data publishers and city admins:

- publishing a city's own files: the versions list is the publishers' desk. "Upload a file" makes a
  new dataset or a new version of one; each version opens on its report page (errors per row and
  field, the personal-data screen, its history) with the actions its state allows: submit for
  review, override the screen with a reason, publish, reject, withdraw. Staff of another city never
  see the version (a 404);
- who may read a dataset (public, or restricted to partner cities) and the data access tokens of
  partner machines. Partner cities are other cities by definition, so the partner choice is every
  other active city (not the staff's own cities, as other relations of the back office are), through
  a form field of its own that the same-city check does not apply to;
- the sources a city harvests and the record of each harvest.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from citypocket.audit.services import record
from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import City, Role
from citypocket.core.problems import DomainError
from citypocket.opendata import publishing, validation
from citypocket.opendata.access import create_data_access_token, revoke_data_access_token
from citypocket.opendata.models import (
    Catalog,
    DataAccessToken,
    Dataset,
    DatasetAccess,
    DatasetSource,
    DatasetVersion,
    HarvestJob,
    HarvestSource,
    TokenScope,
    VersionStatus,
)
from citypocket.opendata.national import NATIONAL_SCHEMAS

CUSTOM = "custom"
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


@admin.register(Catalog)
class CatalogAdmin(CityScopedAdmin):
    """What a city's catalog says of itself: titles, publisher SIREN, contact point (a shared mailbox),
    default licence, and whether a publication needs a second publisher's approval."""

    staff_roles = PUBLISHERS
    list_display = ["title_fr", "city", "publisher_siren", "licence", "second_approval_required"]
    fieldsets = [
        (_("Titles"), {"fields": ["city", ("title_fr", "title_en"), ("description_fr", "description_en")]}),
        (_("Publisher"), {"fields": ["publisher_siren", "contact_name", "contact_email", "licence"]}),
        (_("Publishing"), {"fields": ["second_approval_required"]}),
    ]

    def has_add_permission(self, request):
        return False  # one per city, made by sync_opendata

    def has_delete_permission(self, request, obj=None):
        return False


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
        # The task module loads the harvester (httpx, rdflib): read only when a harvest is asked for.
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


class UploadForm(forms.Form):
    city = forms.ModelChoiceField(label=_("City"), queryset=None)
    dataset = forms.ModelChoiceField(
        label=_("Dataset"), queryset=None, required=False, empty_label=_("A new dataset (describe it below)"),
        help_text=_("Choose one of the city's datasets to upload a new version of it."),
    )
    slug = forms.SlugField(label=_("Short name of a new dataset"), required=False, max_length=80,
                           help_text=_("Letters, digits and dashes; it is part of the dataset's address."))
    title_fr = forms.CharField(label=_("Title (French)"), required=False, max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=200)
    description_fr = forms.CharField(label=_("Description (French)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("Description (English)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    schema = forms.ChoiceField(label=_("Table Schema"))
    custom_schema = forms.CharField(
        label=_("Your own Table Schema (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only when you chose “your own schema” above."),
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("At most %(size)s MB.") % {"size": validation.MAX_BYTES // (1024 * 1024)})

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["dataset"].queryset = Dataset.objects.filter(
            city__in=cities, source=DatasetSource.UPLOAD).order_by("city__slug", "slug")
        self.fields["schema"].choices = [
            *((key, f"{schema.title} {schema.version} ({key})") for key, schema in NATIONAL_SCHEMAS.items()),
            (CUSTOM, _("Your own schema")),
        ]

    def clean(self):
        data = super().clean()
        dataset, city = data.get("dataset"), data.get("city")
        if dataset is not None and city is not None and dataset.city_id != city.pk:
            self.add_error("dataset", _("This dataset belongs to another city."))
        if dataset is None:
            for name in ("slug", "title_fr", "description_fr"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new dataset."))
        if data.get("schema") == CUSTOM:
            try:
                data["custom_descriptor"] = validation.parse_schema_text(data.get("custom_schema") or "")
            except validation.FileRejected as error:
                self.add_error("custom_schema", str(error))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


@admin.register(DatasetVersion)
class DatasetVersionAdmin(CityScopedAdmin):
    staff_roles = publishing.PUBLISHERS
    list_display = ["dataset", "number", "status", "is_valid", "screen_flag", "row_count", "created_at"]
    list_filter = ["status", "dataset__city"]
    list_select_related = ["dataset", "dataset__city"]
    change_list_template = "admin/opendata/datasetversion/change_list.html"
    change_form_template = "admin/opendata/datasetversion/change_form.html"
    fields = ["dataset", "number", "status", "original_name", "file_format", "byte_size", "checksum", "schema_key",
              "schema_url", "is_valid", "row_count", "created_by", "created_at", "published_at", "withdrawn_at"]

    @admin.display(description=_("personal data"), boolean=True)
    def screen_flag(self, obj) -> bool:
        return not obj.pii_blocked

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="opendata_datasetversion_upload"),
            path("<int:pk>/report/", self.admin_site.admin_view(self.report_view),
                 name="opendata_datasetversion_report"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return False  # files come through the upload page, which checks the file and the schema

    def has_change_permission(self, request, obj=None):
        return False  # a version changes only through its report page's actions

    def has_delete_permission(self, request, obj=None):
        return False  # every version is kept

    def may_upload(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and self._may_use(request)

    def _context(self, request, **values) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **values}

    def upload_view(self, request):
        if not self.may_upload(request):
            raise Http404
        cities = self.staff_cities(request).filter(is_active=True).order_by("name")
        initial = {}
        if request.GET.get("dataset", "").isdigit():
            chosen = Dataset.objects.filter(pk=request.GET["dataset"], city__in=cities).first()
            if chosen is not None:
                initial = {"dataset": chosen, "city": chosen.city}
        form = UploadForm(request.POST or None, request.FILES or None, cities=cities, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                validation.check_size(upload.size)
                version = publishing.upload_version(
                    user=request.user, city=data["city"], name=upload.name, content=upload.read(),
                    schema_key="" if data["schema"] == CUSTOM else data["schema"],
                    custom_schema=data.get("custom_descriptor"), dataset=data["dataset"],
                    new=None if data["dataset"] else publishing.NewDataset(
                        slug=data["slug"], title_fr=data["title_fr"], title_en=data["title_en"],
                        description_fr=data["description_fr"], description_en=data["description_en"]),
                )
            except (validation.FileRejected, DomainError) as error:
                form.add_error("file" if isinstance(error, validation.FileRejected) else None,
                               ValidationError(str(error)))
            else:
                return redirect("admin:opendata_datasetversion_report", pk=version.pk)
        return TemplateResponse(request, "admin/opendata/datasetversion/upload.html",
                                self._context(request, form=form, title=_("Upload a data file")))

    def report_view(self, request, pk: int):
        version = self.get_queryset(request).select_related("dataset", "dataset__city").filter(pk=pk).first()
        if version is None or not self.has_view_permission(request, version):
            raise Http404
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            action, reason = request.POST.get("action", ""), form.cleaned_data["reason"]
            actions = {
                "submit": lambda: publishing.submit_for_review(user=request.user, version=version),
                "override": lambda: publishing.override_screen(user=request.user, version=version, reason=reason),
                "approve": lambda: publishing.approve(user=request.user, version=version),
                "reject": lambda: publishing.reject(user=request.user, version=version, reason=reason),
                "withdraw": lambda: publishing.withdraw(user=request.user, version=version, reason=reason),
            }
            if action not in actions:
                raise Http404
            try:
                actions[action]()
            except (validation.FileRejected, DomainError) as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
            return redirect("admin:opendata_datasetversion_report", pk=version.pk)
        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        errors = [{"row": e.get("row"), "field": e.get("field"), "message": e.get(f"message_{language}", "")}
                  for e in version.report.get("errors", [])]
        findings = [{**f, "kind_label": validation.kind_label(f["kind"])} for f in version.pii_findings]
        context = self._context(
            request, title=_("%(dataset)s, version %(number)s") % {"dataset": version.dataset.title(language),
                                                                     "number": version.number},
            version=version, errors=errors, findings=findings, events=version.events.select_related("actor"),
            versions=version.dataset.versions.order_by("-number"),
            can_submit=version.status == VersionStatus.DRAFT and version.is_valid and not version.pii_blocked,
            can_override=bool(version.pii_findings) and not version.pii_override_reason
            and version.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW),
            can_approve=publishing.may_approve(user=request.user, version=version) and version.is_valid
            and not version.pii_blocked,
            waits_for_other=version.status == VersionStatus.IN_REVIEW
            and not publishing.may_approve(user=request.user, version=version),
            can_reject=version.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW),
            can_withdraw=version.status == VersionStatus.PUBLISHED,
            public_url=reverse("opendata:dataset", kwargs={"city": version.dataset.city.slug,
                                                          "dataset": version.dataset.slug}),
            schema_json=json.dumps(version.table_schema, ensure_ascii=False, indent=1)[:20000],
            upload_url=reverse("admin:opendata_datasetversion_upload") + f"?dataset={version.dataset_id}",
        )
        return TemplateResponse(request, "admin/opendata/datasetversion/report.html", context)
