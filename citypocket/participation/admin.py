"""Back office: staff of a city create and run processes, budgets, surveys, meetings and moderation."""

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from citypocket.audit.services import record as record_audit
from citypocket.cities.admin import CityScopedAdmin, CityScopedInline
from citypocket.cities.models import City, Role
from citypocket.participation import models
from citypocket.participation.selectors import identity as identity_selectors
from citypocket.participation.services import accountability as accountability_services
from citypocket.participation.services import budgets as budget_services
from citypocket.participation.services import identity as identity_services
from citypocket.participation.services import proposals as proposal_services

EDITORS = (Role.EDITOR,)
MODERATORS = (Role.MODERATOR,)


class PhaseInline(CityScopedInline, admin.TabularInline):
    model = models.Phase
    extra = 0


@admin.register(models.Process)
class ProcessAdmin(CityScopedAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "slug", "is_published", "created_at"]
    list_filter = ["is_published", "city"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PhaseInline]


class DistrictInline(CityScopedInline, admin.TabularInline):
    model = models.District
    extra = 0
    exclude = ["city"]


class ProjectInline(CityScopedInline, admin.TabularInline):
    model = models.Project
    extra = 0
    exclude = ["city"]


@admin.register(models.Budget)
class BudgetAdmin(CityScopedAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "amount", "voting_rule", "counting_method", "status"]
    list_filter = ["status", "voting_rule", "city"]
    inlines = [DistrictInline, ProjectInline]
    actions = ["count_and_publish"]

    @admin.action(description=_("Count the votes and publish the results"))
    def count_and_publish(self, request, queryset):
        for budget in queryset.select_related("process", "city"):
            result = budget_services.publish_results(budget=budget)
            self.message_user(request, _("%(budget)s: %(n)s ballots counted.") % {
                "budget": budget.title, "n": result.ballots_count}, messages.SUCCESS)


class QuestionInline(CityScopedInline, admin.StackedInline):
    model = models.Question
    extra = 0
    show_change_link = True


@admin.register(models.Survey)
class SurveyAdmin(CityScopedAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "opens_at", "closes_at", "is_anonymous"]
    inlines = [QuestionInline]


class ChoiceInline(CityScopedInline, admin.TabularInline):
    model = models.Choice
    extra = 0


@admin.register(models.Question)
class QuestionAdmin(CityScopedAdmin):
    staff_roles = EDITORS
    list_display = ["prompt", "survey", "kind"]
    inlines = [ChoiceInline]


@admin.register(models.Proposal)
class ProposalAdmin(CityScopedAdmin):
    staff_roles = EDITORS + MODERATORS
    list_display = ["title", "city", "process", "answer_status", "is_hidden", "created_at"]
    list_filter = ["answer_status", "is_hidden", "city"]
    search_fields = ["title"]
    readonly_fields = ["author", "title", "body", "lat", "lon", "process", "city", "category"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "answer_status" in form.changed_data and obj.answer_status != models.AnswerStatus.NONE:
            # The answer itself (its time, the followers' notifications) is the service's.
            proposal_services.answer_proposal(proposal=obj, status=obj.answer_status, text=obj.answer_text)


@admin.register(models.Comment)
class CommentAdmin(CityScopedAdmin):
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


class AgendaInline(CityScopedInline, admin.TabularInline):
    model = models.AgendaItem
    extra = 0


class DocumentInline(CityScopedInline, admin.TabularInline):
    model = models.MeetingDocument
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(CityScopedAdmin):
    staff_roles = EDITORS
    list_display = ["title", "city", "kind", "starts_at", "capacity", "is_cancelled"]
    list_filter = ["kind", "city", "is_cancelled"]
    readonly_fields = ["sequence"]
    inlines = [AgendaInline, DocumentInline]


@admin.register(models.Category)
class CategoryAdmin(CityScopedAdmin):
    staff_roles = EDITORS


class CensusForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("City"))
    file = forms.FileField(label=_("Census file (CSV: last_name, birth_date, postcode)"))


class LetterCodesForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("City"))
    count = forms.IntegerField(min_value=1, max_value=10000, label=_("Number of codes"))


@admin.register(models.ResidentVerification)
class ResidentVerificationAdmin(CityScopedAdmin):
    """Verifications, plus the two staff tools: census upload and letter codes (city admins only).

    A verification by hand records what a city agent checked with the person (at the town hall's
    desk, by mail) for an account that already took part in the city's participation. The account
    field offers only `list_city_participants` of the admin's cities — accounts with a
    verification, a proposal, a comment, a support, a follow, a meeting registration, a survey
    answer or a ballot there — never a superuser nor the staff of another city: a city admin does
    not read the platform's whole address book, nor make just anybody a resident. A person with no
    trace in the city verifies with the census or a letter code. A request made by the person on
    the residency page would be the narrower start; it does not exist yet and would count as a
    trace. Who and which city a verification is for are not changed afterwards.
    """

    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["user", "city", "method", "verified_at"]
    list_filter = ["method", "city"]
    change_list_template = "participation/admin/verifications.html"

    def scope_accounts(self, request, db_field, queryset, city_ids):
        if city_ids is None:
            return queryset
        return queryset.filter(pk__in=identity_selectors.list_city_participants(city_ids=city_ids).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return ["user", "city"] if obj is not None else []

    def get_urls(self):
        return [
            path("census/", self.admin_site.admin_view(self.census_view), name="participation_census"),
            path("letter-codes/", self.admin_site.admin_view(self.codes_view), name="participation_letter_codes"),
            *super().get_urls(),
        ]

    def census_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = CensusForm(request.POST or None, request.FILES or None)
        form.fields["city"].queryset = self.staff_cities(request)
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
        form.fields["city"].queryset = self.staff_cities(request)
        if request.method == "POST" and form.is_valid():
            codes = identity_services.generate_letter_codes(city=form.cleaned_data["city"],
                                                            count=form.cleaned_data["count"], created_by=request.user)
            # The codes are made in bulk (no row-by-row change to follow): one event says who made how many.
            record_audit(actor=request.user, action="residency.letter_codes", city=form.cleaned_data["city"],
                         detail={"count": len(codes)})
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


class MilestoneInline(CityScopedInline, admin.TabularInline):
    model = models.Milestone
    extra = 0


@admin.register(models.ActionResult)
class ActionResultAdmin(CityScopedAdmin):
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
