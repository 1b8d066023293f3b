"""Participation models, one module per sub-domain; import them from here."""

from citypocket.participation.models.budgets import (
    Ballot,
    BallotItem,
    Budget,
    BudgetResult,
    CountingMethod,
    District,
    Project,
    ProjectResult,
    VotingRule,
)
from citypocket.participation.models.identity import (
    CensusRecord,
    CensusUpload,
    LetterCode,
    ResidentVerification,
    Tier,
    VerificationMethod,
)
from citypocket.participation.models.meetings import AgendaItem, Meeting, MeetingKind, Registration
from citypocket.participation.models.processes import Action, Phase, PhaseKind, Process
from citypocket.participation.models.proposals import (
    AnswerStatus,
    Category,
    Comment,
    CommentFlag,
    ModerationState,
    Proposal,
    Support,
)
from citypocket.participation.models.surveys import Answer, Choice, Question, QuestionKind, Survey, SurveyResponse

__all__ = [
    "Action",
    "AgendaItem",
    "Answer",
    "AnswerStatus",
    "Ballot",
    "BallotItem",
    "Budget",
    "BudgetResult",
    "Category",
    "CensusRecord",
    "CensusUpload",
    "Choice",
    "Comment",
    "CommentFlag",
    "CountingMethod",
    "District",
    "LetterCode",
    "Meeting",
    "MeetingKind",
    "ModerationState",
    "Phase",
    "PhaseKind",
    "Process",
    "Project",
    "ProjectResult",
    "Proposal",
    "Question",
    "QuestionKind",
    "Registration",
    "ResidentVerification",
    "Support",
    "Survey",
    "SurveyResponse",
    "Tier",
    "VerificationMethod",
    "VotingRule",
]
