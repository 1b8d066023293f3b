"""Submitting and supporting proposals, answering them, and moderated threaded comments."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citypocket.core.problems import InvalidValues, NotFound
from citypocket.notifications import services as notifications
from citypocket.notifications.models import Theme
from citypocket.participation.access import require_tier
from citypocket.participation.errors import PhaseClosed
from citypocket.participation.models import (
    Action,
    AnswerStatus,
    Category,
    Comment,
    CommentFlag,
    Follow,
    ModerationState,
    PhaseKind,
    Process,
    Proposal,
    Support,
    Tier,
)
from citypocket.participation.services.accountability import announce_proposal_answer, supported_language


def _require_proposals_phase(process: Process) -> None:
    if not process.is_in_phase(PhaseKind.PROPOSALS):
        raise PhaseClosed(_("This process is not collecting proposals now."))


@transaction.atomic
def submit_proposal(*, process: Process, author, title: str, body: str, category_id: int | None = None,
                    lat: float | None = None, lon: float | None = None, language: str | None = None) -> Proposal:
    """Publishes a proposal; its author follows it and hears of the answer in `language`."""
    require_tier(user=author, city=process.city, tier=process.tier_for(Action.PROPOSE))
    _require_proposals_phase(process)
    errors = []
    if not title.strip():
        errors.append({"field": "title", "message": _("Give your proposal a title.")})
    if not body.strip():
        errors.append({"field": "body", "message": _("Describe your proposal.")})
    if (lat is None) != (lon is None) or (lat is not None and not process.city.contains(lat, lon)):
        errors.append({"field": "lat", "message": _("The place must be inside the city.")})
    category = None
    if category_id is not None:
        category = Category.objects.filter(city=process.city, pk=category_id).first()
        if category is None:
            errors.append({"field": "category_id", "message": _("Unknown category.")})
    if errors:
        raise InvalidValues(_("Some values are invalid."), errors=errors)
    proposal = Proposal.objects.create(city=process.city, process=process, author=author, title=title.strip(),
                                       body=body.strip(), category=category, lat=lat, lon=lon)
    # Authors follow their proposal: they hear of the city's answer and of the results it leads to,
    # by e-mail too (the "participation" theme of their subscription in the notification centre).
    language = supported_language(language)
    Follow.objects.create(city=process.city, user=author, proposal=proposal, language=language)
    notifications.ensure_email_theme(city=process.city, user=author, theme=Theme.PARTICIPATION, language=language)
    return proposal


def support_proposal(*, proposal: Proposal, user) -> Support:
    """Adds `user`'s support once; supporting again changes nothing (UniqueConstraint)."""
    require_tier(user=user, city=proposal.city, tier=proposal.process.tier_for(Action.SUPPORT))
    _require_proposals_phase(proposal.process)
    try:
        with transaction.atomic():
            support, _created = Support.objects.get_or_create(proposal=proposal, user=user,
                                                              defaults={"city": proposal.city})
    except IntegrityError:
        support = Support.objects.get(proposal=proposal, user=user)
    return support


@transaction.atomic
def withdraw_support(*, proposal: Proposal, user) -> None:
    require_tier(user=user, city=proposal.city, tier=Tier.ACCOUNT)
    _require_proposals_phase(proposal.process)
    Support.objects.filter(proposal=proposal, user=user).delete()


@transaction.atomic
def answer_proposal(*, proposal: Proposal, status: str, text: str = "") -> Proposal:
    """The city's official answer; a rejection always gives its reason."""
    if status not in AnswerStatus.values or status == AnswerStatus.NONE:
        message = _("Unknown answer status.")
        raise InvalidValues(message, errors=[{"field": "status", "message": message}])
    if status == AnswerStatus.REJECTED and not text.strip():
        raise InvalidValues(_("A rejection needs a reason."),
                            errors=[{"field": "text", "message": _("A rejection needs a reason.")}])
    proposal.answer_status, proposal.answer_text, proposal.answered_at = status, text.strip(), timezone.now()
    proposal.save(update_fields=["answer_status", "answer_text", "answered_at"])
    announce_proposal_answer(proposal=proposal)
    return proposal


@transaction.atomic
def add_comment(*, proposal: Proposal, author, body: str, parent_id=None) -> Comment:
    require_tier(user=author, city=proposal.city, tier=proposal.process.tier_for(Action.COMMENT))
    if not body.strip():
        raise InvalidValues(_("Write a comment."), errors=[{"field": "body", "message": _("Write a comment.")}])
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(proposal=proposal, pk=parent_id).first()
        if parent is None:
            raise NotFound(_("No such comment."))
    return Comment.objects.create(city=proposal.city, proposal=proposal, parent=parent, author=author,
                                  body=body.strip())


def flag_comment(*, comment: Comment, user, reason: str = "") -> Comment:
    """Records one flag per person; at the process's threshold the comment hides until moderated.

    A comment a moderator chose to keep is not hidden again by more flags.
    """
    require_tier(user=user, city=comment.city, tier=Tier.ACCOUNT)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("proposal__process").get(pk=comment.pk)
        CommentFlag.objects.get_or_create(comment=comment, user=user,
                                          defaults={"city": comment.city, "reason": reason[:200]})
        threshold = comment.proposal.process.flag_threshold
        if comment.state == ModerationState.VISIBLE and comment.flags.count() >= threshold:
            comment.state = ModerationState.PENDING
            comment.save(update_fields=["state"])
    return comment


@transaction.atomic
def moderate_comment(*, comment: Comment, keep: bool) -> Comment:
    comment.state = ModerationState.KEPT if keep else ModerationState.REMOVED
    comment.save(update_fields=["state"])
    return comment
