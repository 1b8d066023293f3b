"""Back office of the open data: publishing a city's own files (data publishers and city admins).

The versions list is the publishers' desk. "Upload a file" makes a new dataset or a new version of
one; each version opens on its report page (errors per row and field, the personal-data screen,
its history) with the actions its state allows: submit for review, override the screen with a
reason, publish, reject, withdraw. Staff of another city never see the version (a 404).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from citypocket.cities.admin import CityScopedAdmin
from citypocket.core.problems import DomainError
from citypocket.opendata import publishing, validation
from citypocket.opendata.models import Dataset, DatasetSource, DatasetVersion, VersionStatus
from citypocket.opendata.national import NATIONAL_SCHEMAS

CUSTOM = "custom"


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
