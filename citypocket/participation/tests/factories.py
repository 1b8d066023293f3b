"""Factories of the participation tests: processes and their phases, budgets, proposals, surveys,
meetings, accountability results and notifications, every one in a single city.

`ProcessFactory(open_phase=PhaseKind.VOTE)` gives a process with its five dated phases, the one
named running now; `BallotFactory(projects=[…])` and `QuestionFactory(choices=[…])` fill their items.
"""

import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from citypocket.cities.tests.factories import CityOwnedFactory, person
from citypocket.participation.models import (
    ActionResult,
    AgendaItem,
    Answer,
    Ballot,
    BallotItem,
    Budget,
    Category,
    CensusRecord,
    CensusUpload,
    Choice,
    Comment,
    CommentFlag,
    District,
    Follow,
    LetterCode,
    Meeting,
    MeetingDocument,
    MeetingKind,
    Milestone,
    Notification,
    Phase,
    PhaseKind,
    Process,
    Project,
    Proposal,
    Question,
    QuestionKind,
    Registration,
    ResidentVerification,
    Support,
    Survey,
    SurveyResponse,
    VerificationMethod,
    VotingRule,
)

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
PHASES = list(PhaseKind)  # information, proposals, evaluation, vote, results


def _in_city(factory_class, **kwargs):
    """A related object built in the city of the object being built."""
    return factory.SubFactory(factory_class, city=factory.SelfAttribute("..city"), **kwargs)


# --- Processes ----------------------------------------------------------------------------------


class ProcessFactory(CityOwnedFactory):
    """A published process; `open_phase=<PhaseKind>` adds its five phases, that one running now."""

    class Meta:
        model = Process
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"process-{n}")
    title = factory.LazyAttribute(lambda o: f"Process {o.slug}")
    is_published = True

    @factory.post_generation
    def open_phase(process, create, kind, **kwargs):
        """Phases nine days long, ten days apart, in order; the open one runs from yesterday to in ten days."""
        if not (create and kind):
            return
        now = timezone.now()
        current = PHASES.index(kind)
        for index, phase_kind in enumerate(PHASES):
            offset = (index - current) * 10
            margin = timedelta(days=1 if index == current else 0)
            Phase.objects.create(process=process, kind=phase_kind, starts_at=now + timedelta(days=offset) - margin,
                                 ends_at=now + timedelta(days=offset + 9) + margin)


class PhaseFactory(factory.django.DjangoModelFactory):
    """The information phase of a process, running now."""

    class Meta:
        model = Phase

    process = factory.SubFactory(ProcessFactory)
    kind = PhaseKind.INFORMATION
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=10))


class ResidentVerificationFactory(CityOwnedFactory):
    """A person proven to live in the city (census match, now)."""

    class Meta:
        model = ResidentVerification

    user = person()
    method = VerificationMethod.CENSUS
    verified_at = factory.LazyFunction(timezone.now)


class CensusUploadFactory(CityOwnedFactory):
    """A census upload (its salt and row count only); `import_census` builds the real thing from a file."""

    class Meta:
        model = CensusUpload

    salt = factory.LazyFunction(lambda: secrets.token_hex(16))
    row_count = 1
    uploaded_by = None


class CensusRecordFactory(CityOwnedFactory):
    """One census identity's digest; `used_by=<account>` marks it as having verified that account."""

    _city_from = ("upload",)

    class Meta:
        model = CensusRecord

    upload = _in_city(CensusUploadFactory)
    digest = factory.LazyFunction(lambda: secrets.token_hex(32))
    used_by = None
    used_at = factory.Maybe("used_by", yes_declaration=factory.LazyFunction(timezone.now), no_declaration=None)


class LetterCodeFactory(CityOwnedFactory):
    """An unused letter code valid for 90 days (only its digest: the code itself is never stored)."""

    class Meta:
        model = LetterCode

    digest = factory.LazyFunction(lambda: secrets.token_hex(32))
    created_by = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


# --- Budgets ------------------------------------------------------------------------------------


class BudgetFactory(CityOwnedFactory):
    """A knapsack budget of 100 € open for votes, in a process whose vote phase runs now."""

    _city_from = ("process",)

    class Meta:
        model = Budget

    process = _in_city(ProcessFactory, open_phase=PhaseKind.VOTE)
    title = "Budget citoyen"
    amount = 100
    voting_rule = VotingRule.KNAPSACK
    status = Budget.Status.VOTING


class DistrictFactory(CityOwnedFactory):
    _city_from = ("budget",)

    class Meta:
        model = District

    budget = _in_city(BudgetFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")
    amount = 40


class ProjectFactory(CityOwnedFactory):
    _city_from = ("budget",)

    class Meta:
        model = Project

    budget = _in_city(BudgetFactory)
    title = factory.Sequence(lambda n: f"Projet {n}")
    cost = 30


class BallotFactory(CityOwnedFactory):
    """`voter`'s ballot in a budget, choosing `projects` (none by default)."""

    _city_from = ("budget",)

    class Meta:
        model = Ballot
        skip_postgeneration_save = True

    budget = _in_city(BudgetFactory)
    voter = person()

    @factory.post_generation
    def projects(ballot, create, projects, **kwargs):
        if create and projects:
            BallotItem.objects.bulk_create([BallotItem(ballot=ballot, project=project) for project in projects])


# --- Proposals and comments ---------------------------------------------------------------------


class CategoryFactory(CityOwnedFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Thème {n}")


class ProposalFactory(CityOwnedFactory):
    """A citizen's proposal in a process whose proposals phase runs now."""

    _city_from = ("process",)

    class Meta:
        model = Proposal

    process = _in_city(ProcessFactory, open_phase=PhaseKind.PROPOSALS)
    author = person()
    title = factory.Sequence(lambda n: f"Proposition {n}")
    body = "Plus de fontaines."


class SupportFactory(CityOwnedFactory):
    _city_from = ("proposal",)

    class Meta:
        model = Support

    proposal = _in_city(ProposalFactory)
    user = person()


class CommentFactory(CityOwnedFactory):
    _city_from = ("proposal",)

    class Meta:
        model = Comment

    proposal = _in_city(ProposalFactory)
    author = person()
    body = factory.Sequence(lambda n: f"Commentaire {n}")


class CommentFlagFactory(CityOwnedFactory):
    _city_from = ("comment",)

    class Meta:
        model = CommentFlag

    comment = _in_city(CommentFactory)
    user = person()
    reason = "Propos injurieux"


# --- Surveys ------------------------------------------------------------------------------------


class SurveyFactory(CityOwnedFactory):
    """A survey open since yesterday and until tomorrow."""

    _city_from = ("process",)

    class Meta:
        model = Survey

    process = _in_city(ProcessFactory)
    title = factory.Sequence(lambda n: f"Enquête {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + timedelta(days=2))


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question; a choice question gets `choices` (labels; "Oui", "Non" by default)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(int)
    kind = QuestionKind.SINGLE
    prompt = factory.Sequence(lambda n: f"Question {n} ?")

    @factory.post_generation
    def choices(question, create, labels, **kwargs):
        if labels is None:
            labels = ["Oui", "Non"] if question.kind in CHOICE_KINDS else []
        if create:
            for index, label in enumerate(labels):
                Choice.objects.create(question=question, position=index, label=label)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, choices=[])
    position = factory.Sequence(int)
    label = factory.Sequence(lambda n: f"Choix {n}")


class SurveyResponseFactory(CityOwnedFactory):
    """`user`'s response to a survey (named: the survey is not anonymous); answers come with AnswerFactory."""

    _city_from = ("survey",)

    class Meta:
        model = SurveyResponse

    survey = _in_city(SurveyFactory)
    user = person()
    respondent_key = factory.LazyFunction(lambda: secrets.token_hex(32))


class AnswerFactory(factory.django.DjangoModelFactory):
    """A free-text answer to a question of the response's survey."""

    class Meta:
        model = Answer

    response = factory.SubFactory(SurveyResponseFactory)
    question = factory.SubFactory(QuestionFactory, survey=factory.SelfAttribute("..response.survey"),
                                  kind=QuestionKind.TEXT)
    text = "Plus d'arbres dans la rue."


# --- Meetings -----------------------------------------------------------------------------------


class MeetingFactory(CityOwnedFactory):
    """A public meeting at the town hall in a week, two hours long, without registration."""

    _city_from = ("process",)

    class Meta:
        model = Meeting

    process = None
    kind = MeetingKind.PUBLIC
    title = factory.Sequence(lambda n: f"Réunion {n}")
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=7)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Hôtel de Ville"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Point {n}")


class MeetingDocumentFactory(factory.django.DjangoModelFactory):
    """A document of a meeting published as a link to the city's site."""

    class Meta:
        model = MeetingDocument

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    url = factory.Sequence(lambda n: f"https://example.org/deliberations/{n}.pdf")
    position = factory.Sequence(int)


class RegistrationFactory(CityOwnedFactory):
    _city_from = ("meeting",)

    class Meta:
        model = Registration

    meeting = _in_city(MeetingFactory, capacity=50)
    user = person()


# --- Accountability and notifications -----------------------------------------------------------


class ActionResultFactory(CityOwnedFactory):
    _city_from = ("process",)

    class Meta:
        model = ActionResult

    process = _in_city(ProcessFactory, open_phase=PhaseKind.RESULTS)
    title = factory.Sequence(lambda n: f"Réalisation {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    result = factory.SubFactory(ActionResultFactory)
    date = factory.LazyFunction(timezone.localdate)
    title = factory.Sequence(lambda n: f"Étape {n}")


class FollowFactory(CityOwnedFactory):
    """`user` follows a proposal, or the result given as `result`."""

    _city_from = ("result", "proposal")

    class Meta:
        model = Follow

    user = person()
    result = None
    proposal = factory.Maybe("result", yes_declaration=None, no_declaration=_in_city(ProposalFactory))


class NotificationFactory(CityOwnedFactory):
    class Meta:
        model = Notification

    user = person()
    message = factory.Sequence(lambda n: f"Avis {n}")
    url = "/"
