"""Personal data of participation (docs/privacy.md): residency, ballots, proposals, comments, flags,
supports, follows, notifications and their preference, meeting registrations, survey responses, and
the census and letter-code work of staff.

Two rules keep the city's counts right after an erasure. A ballot of a vote still open is deleted
(as the person could withdraw it); a ballot of a closed vote stays, without its voter, so that the
published result and any recount stay exact. A census record that verified the account stays used
up without its account, so that a new account cannot be verified again with the same identity.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from citypocket.core.privacy import (
    THE_CITY_STAFF,
    THE_PERSON_ONLY,
    WHILE_THE_ACCOUNT_EXISTS,
    Anonymise,
    Authored,
    Custom,
    Delete,
    LegalBasis,
    PersonalData,
    Subjects,
    WithParent,
)
from citypocket.participation.models import (
    Answer,
    Ballot,
    BallotItem,
    CensusRecord,
    CensusUpload,
    Comment,
    CommentFlag,
    Follow,
    LetterCode,
    Notification,
    Proposal,
    Registration,
    ResidentVerification,
    Support,
    SurveyResponse,
)
from citypocket.participation.services.budgets import is_vote_open


def erase_ballots(rows, *, user, content) -> None:
    """An open vote loses the ballot; a closed one keeps it without its voter (results stay exact)."""
    rows = rows.select_related("budget__process")
    open_votes = [ballot.pk for ballot in rows if is_vote_open(ballot.budget)]
    rows.filter(pk__in=open_votes).delete()
    rows.exclude(pk__in=open_votes).update(voter=None)


def proposals_others_build_on(rows, user):
    """Proposals with someone else's comment, a city answer, or a result of the city: kept, text replaced."""
    others = Comment.objects.filter(proposal=OuterRef("pk")).exclude(author=user)
    return rows.filter(Q(Exists(others)) | ~Q(answer_status="") | Q(results__isnull=False)).distinct()


def comments_others_answered(rows, user):
    """Comments with a reply by someone else: kept (the thread stays readable), text replaced."""
    return rows.filter(Exists(Comment.objects.filter(parent=OuterRef("pk")).exclude(author=user)))


TAKING_PART = _("Taking part in the city's decisions (public participation).")
RESIDENTS = _("Reserving some actions (voting, proposing) to verified residents of the city.")
PUBLISHED = _("Everyone: what a person writes is public, without their e-mail address; the city's staff.")
UNTIL_DELETED = _("Until the person deletes it or the account.")

PERSONAL_DATA = [
    PersonalData(
        ResidentVerification, user="user", export=("city__slug", "method", "verified_at"), erase=Delete(),
        purpose=RESIDENTS, basis=LegalBasis.PUBLIC_TASK, retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        CensusRecord, user="used_by", export=("city__slug", "used_at"),
        erase=Anonymise(note=_("The identity stays used up, so that it cannot verify a second account.")),
        purpose=RESIDENTS, basis=LegalBasis.PUBLIC_TASK,
        retention=_("Until the city uploads a census without this identity."), recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        CensusUpload, user="uploaded_by", export=("city__slug", "uploaded_at", "row_count"), erase=Anonymise(),
        purpose=RESIDENTS, basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF,
        retention=_("Until the next census upload of the city."), recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        LetterCode, user="created_by", export=("city__slug", "created_at", "expires_at", "used_at"),
        erase=Anonymise(), purpose=RESIDENTS, basis=LegalBasis.PUBLIC_TASK, subjects=Subjects.STAFF,
        retention=_("As long as the city keeps its letter codes."), recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        Ballot, user="voter", export=("city__slug", "budget__title", "created_at", "updated_at"),
        erase=Custom(erase_ballots, _("Deleted while the vote is open; once it is closed, kept without the "
                                      "voter so that the published result stays exact.")),
        purpose=_("Counting the votes of a participatory budget, one ballot per voter."),
        basis=LegalBasis.PUBLIC_TASK, retention=_("Until the account is deleted; anonymous afterwards."),
        recipients=_("Nobody sees a ballot; the results are public."),
    ),
    PersonalData(
        BallotItem, user="ballot__voter", city="ballot__city", export=("ballot", "project__title"),
        erase=WithParent(Ballot), purpose=_("Counting the votes of a participatory budget, one ballot per voter."),
        basis=LegalBasis.PUBLIC_TASK, retention=_("Until the account is deleted; anonymous afterwards."),
        recipients=_("Nobody sees a ballot; the results are public."),
    ),
    PersonalData(
        Proposal, user="author",
        export=("city__slug", "process__title", "title", "body", "category__name", "lat", "lon", "created_at",
                "is_hidden", "answer_status", "answer_text"),
        erase=Authored(text=("title", "body"), clear=("lat", "lon"), kept_when=proposals_others_build_on),
        purpose=TAKING_PART, basis=LegalBasis.PUBLIC_TASK, retention=UNTIL_DELETED, recipients=PUBLISHED,
    ),
    PersonalData(
        Support, user="user", export=("city__slug", "proposal__title", "created_at"), erase=Delete(),
        purpose=TAKING_PART, basis=LegalBasis.PUBLIC_TASK, retention=UNTIL_DELETED,
        recipients=_("Nobody sees who supported; the counts are public."),
    ),
    PersonalData(
        Comment, user="author", export=("city__slug", "proposal__title", "parent", "body", "created_at", "state"),
        erase=Authored(text=("body",), kept_when=comments_others_answered),
        purpose=TAKING_PART, basis=LegalBasis.PUBLIC_TASK, retention=UNTIL_DELETED, recipients=PUBLISHED,
    ),
    PersonalData(
        CommentFlag, user="user", export=("city__slug", "comment", "reason", "created_at"), erase=Delete(),
        purpose=_("Moderating comments."), basis=LegalBasis.PUBLIC_TASK, retention=UNTIL_DELETED,
        recipients=_("The city's moderators."),
    ),
    PersonalData(
        Follow, user="user", export=("city__slug", "proposal__title", "result__title", "language", "created_at"),
        erase=Delete(), purpose=_("Telling the person about what they follow."), basis=LegalBasis.CONSENT,
        retention=_("Until the person stops following or deletes the account."), recipients=THE_PERSON_ONLY,
    ),
    PersonalData(
        Notification, user="user",
        export=("city__slug", "message", "url", "language", "created_at", "read_at", "emailed_at"),
        erase=Delete(), purpose=_("Telling the person about what they follow."), basis=LegalBasis.CONSENT,
        retention=WHILE_THE_ACCOUNT_EXISTS,
        recipients=_("The person; the platform's e-mail provider when sent by e-mail."),
    ),
    PersonalData(
        Registration, user="user", export=("city__slug", "meeting__title", "meeting__starts_at", "created_at"),
        erase=Delete(), purpose=_("Registering for a meeting with limited seats."), basis=LegalBasis.PUBLIC_TASK,
        retention=UNTIL_DELETED, recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        SurveyResponse, user="user", export=("city__slug", "survey__title", "submitted_at"),
        erase=Anonymise(note=_("The answers stay in the survey's results, anonymous.")),
        purpose=_("Surveys of the city (anonymous surveys keep no link to the account at all)."),
        basis=LegalBasis.PUBLIC_TASK, retention=_("Until the account is deleted; anonymous afterwards."),
        recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        Answer, user="response__user", city="response__city",
        export=("response", "question__prompt", "choice__label", "rank", "value", "text"),
        erase=Authored(text=("text",), only=~Q(text="")),
        purpose=_("Surveys of the city (anonymous surveys keep no link to the account at all)."),
        basis=LegalBasis.PUBLIC_TASK, retention=_("Until the account is deleted; anonymous afterwards."),
        recipients=THE_CITY_STAFF,
    ),
]
