"""Back office: staff of a city create and run processes, budgets, surveys, meetings and moderation."""

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import City, Role
from citypocket.participation import models
from citypocket.participation.services import accountability as accountability_services
from citypocket.participation.services import budgets as budget_services
from citypocket.participation.services import identity as identity_services
from citypocket.participation.services import proposals as proposal_services

EDITORS = (Role.EDITOR,)
MODERATORS = (Role.MODERATOR,)


def _city_path(model) -> str | None:
    """The ORM path from `model` to its city, for filtering form choices (None: not city-owned)."""
    names = {field.name for field in model._meta.get_fields()}
    if "city" in names:
        return "city_id__in"
    if "survey" in names:
        return "survey__city_id__in"
    return None


class ParticipationAdmin(CityScopedAdmin):
    """Every choice offered in a form (process, survey, proposal, project…) belongs to the staff's cities."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        city_ids = self.staff_city_ids(request)
        path_ = _city_path(db_field.related_model)
        if city_ids is not None and path_ and db_field.related_model is not City:
            kwargs["queryset"] = db_field.related_model.objects.filter(**{path_: city_ids})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        city_ids = self.staff_city_ids(request)
        path_ = _city_path(db_field.related_model)
        if city_ids is not None and path_:
            kwargs["queryset"] = db_field.related_model.objects.filter(**{path_: city_ids})
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PhaseInline(admin.TabularInline):
    model = models.Phase
    extra = 0


@admin.register(models.Process)
class ProcessAdmin(ParticipationAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "slug", "is_published", "created_at"]
    list_filter = ["is_published", "city"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PhaseInline]


class DistrictInline(admin.TabularInline):
    model = models.District
    extra = 0
    exclude = ["city"]


class ProjectInline(admin.TabularInline):
    model = models.Project
    extra = 0
    exclude = ["city"]


@admin.register(models.Budget)
class BudgetAdmin(ParticipationAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "amount", "voting_rule", "counting_method", "status"]
    list_filter = ["status", "voting_rule", "city"]
    inlines = [DistrictInline, ProjectInline]
    actions = ["count_and_publish"]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.city = form.instance.city
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()

    @admin.action(description=_("Count the votes and publish the results"))
    def count_and_publish(self, request, queryset):
        for budget in queryset.select_related("process", "city"):
            result = budget_services.publish_results(budget=budget)
            self.message_user(request, _("%(budget)s: %(n)s ballots counted.") % {
                "budget": budget.title, "n": result.ballots_count}, messages.SUCCESS)


class QuestionInline(admin.StackedInline):
    model = models.Question
    extra = 0
    show_change_link = True


@admin.register(models.Survey)
class SurveyAdmin(ParticipationAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "opens_at", "closes_at", "is_anonymous"]
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = models.Choice
    extra = 0


@admin.register(models.Question)
class QuestionAdmin(ParticipationAdmin):
    staff_roles = EDITORS
    city_lookup = "survey__city"
    list_display = ["prompt", "survey", "kind"]
    inlines = [ChoiceInline]


@admin.register(models.Proposal)
class ProposalAdmin(ParticipationAdmin):
    staff_roles = EDITORS + MODERATORS
    list_display = ["title", "city", "process", "answer_status", "is_hidden", "created_at"]
    list_filter = ["answer_status", "is_hidden", "city"]
    search_fields = ["title"]
    readonly_fields = ["author", "title", "body", "lat", "lon", "process", "city", "category"]

    def save_model(self, request, obj, form, change):
        answered = "answer_status" in form.changed_data and bool(obj.answer_status)
        if answered:
            obj.answered_at = timezone.now()
        super().save_model(request, obj, form, change)
        if answered:
            accountability_services.announce_proposal_answer(proposal=obj)


@admin.register(models.Comment)
class CommentAdmin(ParticipationAdmin):
    staff_roles = MODERATORS
    list_display = ["body", "city", "proposal", "state", "created_at"]
    list_filter = ["state", "city"]
    readonly_fields = ["proposal", "parent", "author", "body", "city"]
    actions = ["keep", "remove"]

    @admin.action(description=_("Keep the selected comments visible"))
    def keep(self, request, queryset):
        for comment in queryset:
            proposal_services.moderate_comment(comment=comment, keep=True)

    @admin.action(description=_("Remove the selected comments"))
    def remove(self, request, queryset):
        for comment in queryset:
            proposal_services.moderate_comment(comment=comment, keep=False)


class AgendaInline(admin.TabularInline):
    model = models.AgendaItem
    extra = 0


class DocumentInline(admin.TabularInline):
    model = models.MeetingDocument
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(ParticipationAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "kind", "starts_at", "capacity"]
    list_filter = ["kind", "city"]
    inlines = [AgendaInline, DocumentInline]


@admin.register(models.Category)
class CategoryAdmin(ParticipationAdmin):
    staff_roles = EDITORS


class CensusForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("City"))
    file = forms.FileField(label=_("Census file (CSV: last_name, birth_date, postcode)"))


class LetterCodesForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("City"))
    count = forms.IntegerField(min_value=1, max_value=10000, label=_("Number of codes"))


@admin.register(models.ResidentVerification)
class ResidentVerificationAdmin(ParticipationAdmin):
    """Verifications, plus the two staff tools: census upload and letter codes (city admins only)."""

    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["user", "city", "method", "verified_at"]
    list_filter = ["method", "city"]
    change_list_template = "participation/admin/verifications.html"

    def get_urls(self):
        return [
            path("census/", self.admin_site.admin_view(self.census_view), name="participation_census"),
            path("letter-codes/", self.admin_site.admin_view(self.codes_view), name="participation_letter_codes"),
            *super().get_urls(),
        ]

    def _cities(self, request):
        city_ids = self.staff_city_ids(request)
        return City.objects.all() if city_ids is None else City.objects.filter(id__in=city_ids)

    def census_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = CensusForm(request.POST or None, request.FILES or None)
        form.fields["city"].queryset = self._cities(request)
        if request.method == "POST" and form.is_valid():
            upload = identity_services.import_census(city=form.cleaned_data["city"], file=form.cleaned_data["file"],
                                                     uploaded_by=request.user)
            self.message_user(request, _("%(n)s census entries stored as digests; the file was not kept.") % {
                "n": upload.row_count}, messages.SUCCESS)
            return redirect("admin:participation_residentverification_changelist")
        return render(request, "participation/admin/form.html",
                      {**self.admin_site.each_context(request), "form": form, "title": _("Upload a census file")})

    def codes_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = LetterCodesForm(request.POST or None)
        form.fields["city"].queryset = self._cities(request)
        if request.method == "POST" and form.is_valid():
            codes = identity_services.generate_letter_codes(city=form.cleaned_data["city"],
                                                            count=form.cleaned_data["count"], created_by=request.user)
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="letter-codes.csv"'
            response["Cache-Control"] = "no-store"
            writer = csv.writer(response)
            writer.writerow(["code"])
            writer.writerows([code] for code in codes)
            return response
        return render(request, "participation/admin/form.html",
                      {**self.admin_site.each_context(request), "form": form,
                       "title": _("Generate letter codes (shown once)")})


class MilestoneInline(admin.TabularInline):
    model = models.Milestone
    extra = 0


@admin.register(models.ActionResult)
class ActionResultAdmin(ParticipationAdmin):
    """Results: every saved change (status, progress, milestones) is announced to the followers."""

    staff_roles = EDITORS
    list_display = ["title", "city", "process", "status", "progress", "updated_at"]
    list_filter = ["status", "city"]
    inlines = [MilestoneInline]
    filter_horizontal = ["proposals", "projects"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and (form.changed_data or any(formset.has_changed() for formset in formsets)):
            accountability_services.announce_result_change(result=form.instance)
