"""Input and output schemas of the participation API (explicit fields: a public contract)."""

import uuid
from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from citypocket.core.params import MAX_ID, SLUG_PATTERN


class PhaseOut(Schema):
    kind: str
    starts_at: datetime
    ends_at: datetime


class ProcessOut(Schema):
    slug: str
    title: str
    description: str
    phases: list[PhaseOut]
    current_phase: str | None
    tiers: dict[str, str] = Field(description="Identity tier required per action: anonymous, account or resident.")


class VerificationIn(Schema):
    method: str = Field(max_length=20, description="census or postal_code")
    last_name: str = Field("", max_length=150)
    birth_date: str = Field("", max_length=20, description="YYYY-MM-DD or DD/MM/YYYY")
    postcode: str = Field("", max_length=20)
    code: str = Field("", max_length=40)


class VerificationOut(Schema):
    city: str
    tier: str
    method: str | None
    verified_at: datetime | None


class DistrictOut(Schema):
    id: int
    name: str
    amount: int


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    cost: int
    district_id: int | None


class BudgetSummaryOut(Schema):
    id: int
    process: str
    title: str
    description: str
    amount: int
    currency: str = "EUR"
    voting_rule: str
    max_projects: int | None
    min_projects: int | None
    min_share_percent: int | None
    counting_method: str
    status: str
    vote_open: bool
    districts: list[DistrictOut]


class BudgetOut(BudgetSummaryOut):
    projects: list[ProjectOut]


class BallotIn(Schema):
    project_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=500)


class BallotOut(Schema):
    budget_id: int
    project_ids: list[int]
    total_cost: int
    updated_at: datetime


class ProjectResultOut(Schema):
    project_id: int
    title: str
    cost: int
    votes: int
    selected: bool
    position: int


class BudgetResultOut(Schema):
    budget_id: int
    voting_rule: str
    counting_method: str
    ballots_count: int
    amount: int
    spent: int
    computed_at: datetime
    published_at: datetime | None
    projects: list[ProjectResultOut]


class ProposalIn(Schema):
    process: str = Field(max_length=80, pattern=SLUG_PATTERN, description="Slug of the process")
    title: str = Field(min_length=1, max_length=150)
    body: str = Field(min_length=1, max_length=5000)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    lat: float | None = Field(None, ge=-90, le=90, description="With `lon`: a place inside the city")
    lon: float | None = Field(None, ge=-180, le=180)


class ProposalOut(Schema):
    id: uuid.UUID
    process: str
    title: str
    body: str
    category: str | None
    lat: float | None
    lon: float | None
    created_at: datetime
    support_count: int
    comment_count: int
    eligible_for_answer: bool
    answer_status: str
    answer_text: str


class ProposalPageOut(Schema):
    items: list[ProposalOut]
    next: str | None = Field(description="URL of the next page, or null on the last page")


class SupportOut(Schema):
    proposal_id: uuid.UUID
    supported: bool
    support_count: int


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=2000)
    parent_id: uuid.UUID | None = None


class CommentOut(Schema):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    body: str = Field(description="Empty when the comment is hidden by moderation")
    hidden: bool
    created_at: datetime


class FlagIn(Schema):
    reason: str = Field("", max_length=200)


class FlagOut(Schema):
    comment_id: uuid.UUID
    hidden: bool


class ChoiceOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    kind: str
    prompt: str
    required: bool
    scale_min: int | None
    scale_max: int | None
    choices: list[ChoiceOut]


class SurveyOut(Schema):
    id: int
    process: str
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    is_anonymous: bool
    is_open: bool
    questions: list[QuestionOut]


class SurveyResponseIn(Schema):
    answers: dict[str, int | str | list[int]] = Field(
        description="Per question id: a choice id or scale value, a list of choice ids "
                    "(multiple; ranking in order of preference), or a text")


class SurveyResponseOut(Schema):
    survey_id: int
    submitted_at: datetime


class BarOut(Schema):
    label: str
    value: float


class QuestionResultOut(Schema):
    question_id: int
    prompt: str
    kind: str
    answered: int
    measure: str
    mean: float | None
    bars: list[BarOut]


class SurveyResultsOut(Schema):
    survey_id: int
    responses: int
    questions: list[QuestionResultOut]


class AgendaItemOut(Schema):
    position: int
    title: str
    decision: str


class MeetingDocumentOut(Schema):
    title: str
    url: str


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    capacity: int | None
    registered: int
    cancelled: bool = False
    minutes: str
    agenda: list[AgendaItemOut]
    documents: list[MeetingDocumentOut]


class RegistrationOut(Schema):
    meeting_id: int
    registered: bool
