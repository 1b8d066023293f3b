"""Citizen pages: server-rendered, usable without JavaScript; services do every check."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citypocket.cityinfo import images
from citypocket.core.charts import bar_chart_svg
from citypocket.core.idempotency import idempotent_post
from citypocket.core.problems import DomainError, NotFound
from citypocket.core.throttling import throttle_form_posts
from citypocket.core.views import resolve_city
from citypocket.notifications.models import Channel, Subscription, Theme
from citypocket.participation.access import compute_tier
from citypocket.participation.errors import AuthenticationRequired
from citypocket.participation.models import (
    Category,
    Follow,
    Notification,
    QuestionKind,
    Registration,
    ResidentVerification,
)
from citypocket.participation.selectors import budgets as budget_selectors
from citypocket.participation.selectors import meetings as meeting_selectors
from citypocket.participation.selectors import proposals as proposal_selectors
from citypocket.participation.selectors import surveys as survey_selectors
from citypocket.participation.selectors.processes import (
    get_process,
    get_result,
    list_notifications,
    list_open_now,
    list_processes,
    list_results,
)
from citypocket.participation.services import accountability as accountability_services
from citypocket.participation.services import budgets as budget_services
from citypocket.participation.services import proposals as proposal_services
from citypocket.participation.services.identity import verify_resident
from citypocket.participation.services.meetings import cancel_registration, register_for_meeting
from citypocket.participation.services.surveys import submit_response
from citypocket.participation.verifiers import list_verifiers

NOTIFICATIONS_SHOWN = 50  # the latest; the API pages through all of them


def _get_or_404(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound as error:
        raise Http404(str(error)) from error


def _attempt(request, action):
    """Runs a service; returns (result, None) or (None, error message). Anonymous → sign-in page."""
    try:
        return action(), None
    except AuthenticationRequired:
        raise
    except DomainError as error:
        return None, error.detail


def _login_redirect(request):
    return redirect_to_login(request.get_full_path(), reverse("account_login"))


# What a signed-out person was doing when the sign-in page interrupted them: kept in their session
# (which Django keeps across sign-in), given back once, on the page they return to.
PENDING_BALLOT = "participation.pending_ballot"
PENDING_SUPPORT = "participation.pending_support"


def _keep_pending_ballot(request, budget, chosen: list[int]) -> None:
    request.session[PENDING_BALLOT] = {"budget": budget.pk, "projects": chosen[:200]}


def _take_pending_ballot(request, budget) -> set[int] | None:
    """The projects ticked before signing in, once, if they were ticked on this budget's ballot."""
    pending = request.session.get(PENDING_BALLOT)
    if not request.user.is_authenticated or not pending or pending.get("budget") != budget.pk:
        return None
    del request.session[PENDING_BALLOT]
    return {project for project in pending.get("projects", []) if isinstance(project, int)}


def page(request, city: str):
    """/<city>/participate/: what is open now, budgets, proposals, upcoming meetings."""
    city_obj = resolve_city(city)
    budgets = [b for b in budget_selectors.list_budgets(city=city_obj) if b.status != "closed"]
    context = {
        "city": city_obj,
        "open_now": list_open_now(city=city_obj),
        "processes": list_processes(city=city_obj),
        "budgets": [{"budget": b, "vote_open": budget_services.is_vote_open(b)} for b in budgets],
        "surveys": [s for s in survey_selectors.list_surveys(city=city_obj) if s.is_open() or s.is_closed()][:5],
        "proposals": proposal_selectors.list_proposals(city=city_obj, limit=5).items,
        "meetings": meeting_selectors.list_meetings(city=city_obj, upcoming_only=True)[:5],
        "tier": compute_tier(user=request.user, city=city_obj),
    }
    return render(request, "participation/page.html", context)


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def verify(request, city: str):
    """Prove residency with one of the registered verifiers."""
    city_obj = resolve_city(city)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    error, method = None, request.POST.get("method", "")
    if request.method == "POST":
        data = {key: request.POST.get(key, "") for key in ("last_name", "birth_date", "postcode", "code")}
        try:
            _result, error = _attempt(request, lambda: verify_resident(city=city_obj, user=request.user,
                                                                         method=method, data=data))
        except AuthenticationRequired:
            return _login_redirect(request)
        if error is None:
            messages.success(request, _("You are now a verified resident of %(city)s.") % {"city": city_obj.name_of})
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = reverse("participation:page", kwargs={"city": city_obj.slug})
            return redirect(target)
    verification = ResidentVerification.objects.filter(city=city_obj, user=request.user).first()
    return render(request, "participation/verify.html", {
        "city": city_obj, "verification": verification, "error": error, "method": method,
        "verifiers": list_verifiers(), "next": request.GET.get("next", request.POST.get("next", "")),
    })


def process_detail(request, city: str, slug: str):
    city_obj = resolve_city(city)
    process = _get_or_404(get_process, city=city_obj, slug=slug)
    return render(request, "participation/process.html", {
        "city": city_obj, "process": process, "current": process.phase_at(),
        "results": list_results(city=city_obj, process=process),
        "budgets": [b for b in process.budgets.all() if b.is_public],
        "surveys": process.surveys.all(), "meetings": process.meetings.filter(is_published=True),
        "proposals": proposal_selectors.list_proposals(city=city_obj, process_slug=process.slug, limit=10).items,
    })


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def budget_vote(request, city: str, budget_id: int):
    """The ballot: a checkbox form validated on the server; budget.js adds the live "budget left" bar."""
    city_obj = resolve_city(city)
    budget = _get_or_404(budget_selectors.get_budget, city=city_obj, budget_id=budget_id, user=request.user)
    error = None
    if request.method == "POST":
        chosen_raw = request.POST.getlist("project")
        try:
            chosen = [int(value) for value in chosen_raw if len(value) < 19]
        except ValueError:
            chosen = []
        if not request.user.is_authenticated:
            _keep_pending_ballot(request, budget, chosen)
            return _login_redirect(request)
        try:
            _result, error = _attempt(request, lambda: budget_services.cast_ballot(
                budget=budget, voter=request.user, project_ids=chosen))
        except AuthenticationRequired:
            return _login_redirect(request)
        if error is None:
            messages.success(request, _("Your vote is recorded. You can change it until the vote closes."))
            return redirect("participation:budget", city=city_obj.slug, budget_id=budget.pk)
        selected = set(chosen)
    elif (kept := _take_pending_ballot(request, budget)) is not None:
        selected = kept
        messages.info(request, _("Your choices were kept while you signed in: check them, then confirm your vote."))
    else:
        selected = set(budget_selectors.get_ballot_project_ids(budget=budget, voter=request.user) or [])
    pots = []
    projects = list(budget.projects.select_related("image"))
    language = get_language() or "fr"
    for project in projects:  # the picture's sources and its text alternative in the page's language
        project.picture = images.responsive(project.image, city_slug=city_obj.slug) if project.image else None
        project.picture_alt = project.image_alt(language)
    for pot in budget_services.list_pots(budget):
        pot_projects = [p for p in projects if p.district_id == pot.district_id]
        if pot_projects:
            spent = sum(p.cost for p in pot_projects if p.pk in selected)
            pots.append({"pot": pot, "projects": pot_projects, "spent": spent, "left": pot.amount - spent})
    return render(request, "participation/budget.html", {
        "city": city_obj, "budget": budget, "pots": pots, "selected": selected, "error": error,
        "vote_open": budget_services.is_vote_open(budget),
        "has_voted": budget_selectors.get_ballot_project_ids(budget=budget, voter=request.user) is not None,
        "tier": compute_tier(user=request.user, city=city_obj), "required_tier": budget.process.tier_vote,
    })


def budget_results(request, city: str, budget_id: int):
    city_obj = resolve_city(city)
    budget = _get_or_404(budget_selectors.get_budget, city=city_obj, budget_id=budget_id, user=request.user)
    result = _get_or_404(budget_selectors.get_published_result, budget=budget, user=request.user)
    return render(request, "participation/budget_results.html", {"city": city_obj, "budget": budget,
                                                                  "result": result})


def proposal_list(request, city: str):
    city_obj = resolve_city(city)
    try:
        page_ = proposal_selectors.list_proposals(city=city_obj, cursor=request.GET.get("cursor") or None,
                                                  process_slug=request.GET.get("process") or None)
    except DomainError as error:
        raise Http404(str(error)) from error
    return render(request, "participation/proposals.html", {
        "city": city_obj, "page": page_,
        "proposals": [{"proposal": p, "eligible": proposal_selectors.is_eligible(p)} for p in page_.items],
    })


@require_http_methods(["GET", "POST"])
@idempotent_post("participation.proposal")
@throttle_form_posts
def proposal_new(request, city: str):
    city_obj = resolve_city(city)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    processes = [p for p in list_processes(city=city_obj) if p.is_in_phase("proposals")]
    categories = Category.objects.filter(city=city_obj)
    error, values = None, request.POST
    if request.method == "POST":
        def submit():
            process = get_process(city=city_obj, slug=request.POST.get("process", ""))
            category = request.POST.get("category") or None
            return proposal_services.submit_proposal(
                process=process, author=request.user, title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                category_id=int(category) if category and category.isdigit() else None, language=get_language())
        try:
            proposal, error = _attempt(request, submit)
        except AuthenticationRequired:
            return _login_redirect(request)
        if error is None:
            messages.success(request, _("Your proposal is published."))
            return redirect("participation:proposal", city=city_obj.slug, proposal_id=proposal.pk)
    return render(request, "participation/proposal_form.html", {
        "city": city_obj, "processes": processes, "categories": categories, "error": error, "values": values})


def proposal_detail(request, city: str, proposal_id):
    city_obj = resolve_city(city)
    proposal = _get_or_404(proposal_selectors.get_proposal, city=city_obj, proposal_id=proposal_id)
    if request.user.is_authenticated and request.session.get(PENDING_SUPPORT) == str(proposal.pk):
        # The support asked for before signing in, given now that the person is signed in.
        del request.session[PENDING_SUPPORT]
        if not proposal_selectors.has_supported(proposal=proposal, user=request.user):
            _result, error = _attempt(request, lambda: proposal_services.support_proposal(
                proposal=proposal, user=request.user))
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("Thank you for your support."))
    return render(request, "participation/proposal.html", {
        "city": city_obj, "proposal": proposal, "eligible": proposal_selectors.is_eligible(proposal),
        "supported": proposal_selectors.has_supported(proposal=proposal, user=request.user),
        "comments": proposal_selectors.list_comment_tree(proposal=proposal),
        "supports_open": proposal.process.is_in_phase("proposals"),
    })


def _back_to_proposal(city_obj, proposal):
    return redirect("participation:proposal", city=city_obj.slug, proposal_id=proposal.pk)


def _sign_in_then_proposal(city_obj, proposal_id):
    """The sign-in page, then back to the proposal (a POST-only URL cannot be the page to return to)."""
    return redirect_to_login(reverse("participation:proposal", kwargs={"city": city_obj.slug,
                                                                       "proposal_id": proposal_id}))


@require_POST
@throttle_form_posts
def proposal_support(request, city: str, proposal_id):
    city_obj = resolve_city(city)
    proposal = _get_or_404(proposal_selectors.get_proposal, city=city_obj, proposal_id=proposal_id)
    withdraw = request.POST.get("withdraw") == "1"
    try:
        _result, error = _attempt(request, lambda: (proposal_services.withdraw_support if withdraw
                                                    else proposal_services.support_proposal)(
            proposal=proposal, user=request.user))
    except AuthenticationRequired:
        if not withdraw:
            request.session[PENDING_SUPPORT] = str(proposal.pk)
        return _sign_in_then_proposal(city_obj, proposal.pk)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Support withdrawn.") if withdraw else _("Thank you for your support."))
    return _back_to_proposal(city_obj, proposal)


@require_POST
@idempotent_post("participation.comment")
@throttle_form_posts
def proposal_comment(request, city: str, proposal_id):
    city_obj = resolve_city(city)
    proposal = _get_or_404(proposal_selectors.get_proposal, city=city_obj, proposal_id=proposal_id)
    try:
        _result, error = _attempt(request, lambda: proposal_services.add_comment(
            proposal=proposal, author=request.user, body=request.POST.get("body", ""),
            parent_id=request.POST.get("parent") or None))
    except AuthenticationRequired:
        return _sign_in_then_proposal(city_obj, proposal.pk)
    if error:
        messages.error(request, error)
    return _back_to_proposal(city_obj, proposal)


@require_POST
@throttle_form_posts
def comment_flag(request, city: str, comment_id):
    city_obj = resolve_city(city)
    comment = _get_or_404(proposal_selectors.get_comment, city=city_obj, comment_id=comment_id)
    try:
        _result, error = _attempt(request, lambda: proposal_services.flag_comment(comment=comment, user=request.user))
    except AuthenticationRequired:
        return _sign_in_then_proposal(city_obj, comment.proposal_id)
    messages.info(request, error or _("Thank you: moderators will review this comment."))
    return _back_to_proposal(city_obj, comment.proposal)


@require_http_methods(["GET", "POST"])
@idempotent_post("participation.survey")
@throttle_form_posts
def survey_page(request, city: str, survey_id: int):
    """The survey form while open; results with SVG charts and tables once closed."""
    city_obj = resolve_city(city)
    survey = _get_or_404(survey_selectors.get_survey, city=city_obj, survey_id=survey_id)
    errors, error = {}, None
    if request.method == "POST":
        answers = {}
        for question in survey.questions.all():
            key = f"q{question.pk}"
            if question.kind == QuestionKind.MULTIPLE:
                answers[str(question.pk)] = request.POST.getlist(key)
            elif question.kind == QuestionKind.RANKING:
                ranks = {c.pk: request.POST.get(f"{key}_{c.pk}", "") for c in question.choices.all()}
                ordered = sorted((r, pk) for pk, r in ranks.items() if r.isdigit())
                answers[str(question.pk)] = [pk for _r, pk in ordered]
            else:
                answers[str(question.pk)] = request.POST.get(key, "")
        if not request.session.session_key:
            request.session.save()
        try:
            submit_response(survey=survey, user=request.user, session_key=request.session.session_key,
                            answers=answers)
        except AuthenticationRequired:
            return _login_redirect(request)
        except DomainError as failure:
            error = failure.detail
            errors = {e["field"].split(".")[-1]: e["message"] for e in (failure.errors or [])}
        else:
            messages.success(request, _("Thank you, your answers are recorded."))
            return redirect("participation:survey", city=city_obj.slug, survey_id=survey.pk)
    results = None
    if survey.is_closed():
        total, rows = survey_selectors.compute_survey_results(survey=survey)
        results = {"total": total, "rows": [{
            "result": row,
            "svg": mark_safe(bar_chart_svg(  # noqa: S308 (built from escaped text only)
                chart_id=f"chart-{row.question.pk}", title=row.question.prompt,
                description=_("Bar chart; the same figures are in the table below."),
                bars=[(bar.label, bar.value) for bar in row.bars])) if row.bars else "",
        } for row in rows]}
    return render(request, "participation/survey.html", {
        "city": city_obj, "survey": survey, "results": results, "error": error, "errors": errors,
        "is_open": survey.is_open(), "posted": request.POST,
        "answered": survey.is_open() and survey_selectors.has_answered(
            survey=survey, user=request.user, session_key=request.session.session_key or ""),
    })


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def meeting_page(request, city: str, meeting_id: int):
    city_obj = resolve_city(city)
    meeting = _get_or_404(meeting_selectors.get_meeting, city=city_obj, meeting_id=meeting_id)
    if request.method == "POST":
        cancel = request.POST.get("cancel") == "1"
        try:
            _result, error = _attempt(request, lambda: (cancel_registration if cancel else register_for_meeting)(
                meeting=meeting, user=request.user))
        except AuthenticationRequired:
            return _login_redirect(request)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Registration cancelled.") if cancel else _("You are registered."))
        return redirect("participation:meeting", city=city_obj.slug, meeting_id=meeting.pk)
    registered = request.user.is_authenticated and Registration.objects.filter(
        meeting=meeting, user=request.user).exists()
    return render(request, "participation/meeting.html", {
        "city": city_obj, "meeting": meeting, "registered": registered,
        "upcoming": meeting.starts_at > timezone.now(),
        "places_left": None if meeting.capacity is None else max(meeting.capacity - meeting.registered, 0),
    })


@require_http_methods(["GET", "POST"])
@throttle_form_posts
def result_page(request, city: str, result_id: int):
    """A result: status, progress, milestones, where it comes from; follow it to hear of changes."""
    city_obj = resolve_city(city)
    result = _get_or_404(get_result, city=city_obj, result_id=result_id)
    if request.method == "POST":
        stop = request.POST.get("unfollow") == "1"

        def change():
            if stop:
                return accountability_services.unfollow(user=request.user, result=result)
            return accountability_services.follow(user=request.user, result=result, language=get_language())

        try:
            _done, error = _attempt(request, change)
        except AuthenticationRequired:
            return _login_redirect(request)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("You no longer follow this result.") if stop
                             else _("You will be told of every change."))
        return redirect("participation:result", city=city_obj.slug, result_id=result.pk)
    following = request.user.is_authenticated and Follow.objects.filter(user=request.user, result=result).exists()
    return render(request, "participation/result.html", {"city": city_obj, "result": result, "following": following})


@require_GET
def notifications_page(request, city: str):
    """My notifications in this city, marked read when seen; how they come by e-mail (each, or a
    digest), chosen in the notification centre."""
    city_obj = resolve_city(city)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    items = list(list_notifications(user=request.user, city=city_obj)[:NOTIFICATIONS_SHOWN])
    Notification.objects.filter(pk__in=[n.pk for n in items], read_at__isnull=True).update(read_at=timezone.now())
    email = Subscription.objects.filter(city=city_obj, user=request.user, channel=Channel.EMAIL,
                                        is_active=True).first()
    digest = email.get_digest_display() if email is not None and Theme.PARTICIPATION in email.themes else None
    return render(request, "participation/notifications.html", {
        "city": city_obj, "notifications": items, "digest": digest})


@require_GET
def meeting_document(request, city: str, meeting_id: int, document_id: int):
    """Streams an uploaded meeting document (public, like the meeting itself)."""
    city_obj = resolve_city(city)
    document = _get_or_404(meeting_selectors.get_meeting_document, city=city_obj, meeting_id=meeting_id,
                           document_id=document_id)
    return FileResponse(document.file.open("rb"), as_attachment=False,
                        filename=document.file.name.rsplit("/", 1)[-1])


def tile_context(city) -> dict:
    """What is open for participation now, for the city-home tile."""
    return {"open_now": list_open_now(city=city)[:3]}
