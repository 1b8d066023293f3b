"""Demo data per demo city: an open process with a survey, proposals with supports and comments,
a budget in its vote phase (Rouen: knapsack; Aix: approval), an upcoming council meeting.

Project ideas follow the kind of projects the Métropole Rouen Normandie and the Ville
d'Aix-en-Provence put to citizen votes (trees, bike parking, shaded play areas); figures are
illustrative, not official. Idempotent: everything is keyed by slug or title.
"""

from datetime import timedelta

from django.utils import timezone

from citypocket.accounts.models import User
from citypocket.cities.models import City
from citypocket.participation.models import (
    ActionResult,
    AgendaItem,
    Budget,
    Category,
    Choice,
    Comment,
    Meeting,
    MeetingKind,
    Milestone,
    Phase,
    PhaseKind,
    Process,
    Project,
    Proposal,
    Question,
    QuestionKind,
    ResidentVerification,
    ResultStatus,
    Support,
    Survey,
    VotingRule,
)

DEMO = {
    "rouen": {
        "process": ("budget-citoyen-2027", "Budget citoyen 2027",
                    "Proposez, soutenez puis votez les projets financés par le budget citoyen de la Métropole."),
        "budget": ("Budget citoyen 2027", 1_000_000, VotingRule.KNAPSACK, {}),
        "projects": [("Vergers partagés sur les quais", 180_000), ("Abris vélos sécurisés en gare", 350_000),
                     ("Îlots de fraîcheur dans les cours d'école", 420_000), ("Boîtes à livres de quartier", 40_000),
                     ("Éclairage solaire des chemins de Seine", 260_000)],
        "proposals": [("Plus de fontaines à eau en centre-ville", "Des fontaines sur les places du Vieux-Marché."),
                      ("Une piste cyclable continue rive gauche", "Relier Saint-Sever aux quais sans coupure.")],
        "meeting": ("Conseil métropolitain", "Hôtel de la Métropole, 108 allée François Mitterrand, Rouen",
                    ["Approbation du procès-verbal", "Budget citoyen 2027 : règlement du vote", "Plan vélo"]),
    },
    "aix-en-provence": {
        "process": ("budget-participatif-2027", "Budget participatif 2027",
                    "Les Aixois choisissent les projets de quartier financés par la Ville."),
        "budget": ("Budget participatif 2027", 500_000, VotingRule.APPROVAL, {"max_projects": 3}),
        "projects": [("Ombrières sur les aires de jeux", 150_000), ("Jardins partagés au Jas de Bouffan", 90_000),
                     ("Parkings vélos cours Mirabeau", 60_000), ("Fontaine rénovée place des Prêcheurs", 200_000)],
        "proposals": [("Des bancs à l'ombre sur le cours Mirabeau", "Des bancs sous les platanes pour les aînés."),
                      ("Navette électrique vers la Sainte-Victoire", "Une navette le week-end l'été.")],
        "meeting": ("Conseil municipal", "Hôtel de Ville, place de l'Hôtel de Ville, Aix-en-Provence",
                    ["Désignation du secrétaire de séance", "Budget participatif 2027", "Questions diverses"]),
    },
}


def _demo_people(count: int) -> list[User]:
    from allauth.account.models import EmailAddress

    people = []
    for index in range(count):
        email = f"demo-citoyen-{index + 1}@example.org"
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_unusable_password()
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        people.append(user)
    return people


def _load_city(city: City, facts: dict, people: list[User]) -> None:
    now = timezone.now()
    slug, title, description = facts["process"]
    process, _created = Process.objects.update_or_create(
        city=city, slug=slug, defaults={"title": title, "description": description, "is_published": True,
                                        "support_threshold": 3})
    # Proposals and the vote run at the same time in the demo so that every journey can be tried.
    phases = {
        PhaseKind.INFORMATION: (now - timedelta(days=60), now - timedelta(days=30)),
        PhaseKind.PROPOSALS: (now - timedelta(days=30), now + timedelta(days=20)),
        PhaseKind.VOTE: (now - timedelta(days=5), now + timedelta(days=25)),
        PhaseKind.RESULTS: (now + timedelta(days=25), now + timedelta(days=90)),
    }
    process.phases.all().delete()
    Phase.objects.bulk_create([Phase(process=process, kind=k, starts_at=s, ends_at=e) for k, (s, e) in phases.items()])
    for person in people:
        ResidentVerification.objects.get_or_create(city=city, user=person,
                                                   defaults={"method": "census", "verified_at": now})

    budget_title, amount, rule, params = facts["budget"]
    budget, _created = Budget.objects.update_or_create(
        city=city, process=process, title=budget_title,
        defaults={"amount": amount, "voting_rule": rule, "status": Budget.Status.VOTING, **params})
    for project_title, cost in facts["projects"]:
        Project.objects.update_or_create(city=city, budget=budget, title=project_title, defaults={"cost": cost})

    survey, _created = Survey.objects.update_or_create(
        city=city, process=process, title="Vos priorités pour le budget",
        defaults={"opens_at": now - timedelta(days=10), "closes_at": now + timedelta(days=20), "is_anonymous": True})
    if not survey.questions.exists():
        q1 = Question.objects.create(survey=survey, position=1, kind=QuestionKind.SINGLE,
                                     prompt="Quel thème compte le plus pour vous ?")
        for index, label in enumerate(["Nature en ville", "Mobilités douces", "Solidarité", "Culture"], start=1):
            Choice.objects.create(question=q1, position=index, label=label)
        Question.objects.create(survey=survey, position=2, kind=QuestionKind.SCALE,
                                prompt="Êtes-vous satisfait de la vie de votre quartier ?", scale_min=1, scale_max=5)
        Question.objects.create(survey=survey, position=3, kind=QuestionKind.TEXT, required=False,
                                prompt="Une idée à partager ?")

    category, _created = Category.objects.get_or_create(city=city, name="Cadre de vie")
    for index, (proposal_title, body) in enumerate(facts["proposals"]):
        proposal, created = Proposal.objects.get_or_create(
            city=city, process=process, title=proposal_title,
            defaults={"body": body, "category": category, "author": people[index]})
        if created:
            for person in people[: 4 - index]:
                Support.objects.get_or_create(city=city, proposal=proposal, user=person)
            first = Comment.objects.create(city=city, proposal=proposal, author=people[2], body="Excellente idée !")
            Comment.objects.create(city=city, proposal=proposal, author=people[3], parent=first,
                                   body="D'accord, surtout en été.")

    result, created = ActionResult.objects.get_or_create(
        city=city, process=process, title=facts["projects"][1][0],
        defaults={"status": ResultStatus.IN_PROGRESS, "progress": 40,
                  "description": "Projet lauréat de l'édition précédente."})
    if created:
        Milestone.objects.create(result=result, date=(now - timedelta(days=40)).date(), title="Étude terminée")
        Milestone.objects.create(result=result, date=(now - timedelta(days=10)).date(), title="Marché attribué")

    meeting_title, place, agenda = facts["meeting"]
    starts = (now + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0)
    meeting, created = Meeting.objects.get_or_create(
        city=city, title=meeting_title, kind=MeetingKind.COUNCIL,
        defaults={"process": process, "starts_at": starts, "ends_at": starts + timedelta(hours=3), "place": place,
                  "capacity": 80, "description": "Séance publique."})
    if created:
        AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=i, title=t)
                                        for i, t in enumerate(agenda, start=1)])


def load_demo() -> str:
    people = _demo_people(5)
    loaded = []
    for slug, facts in DEMO.items():
        city = City.objects.filter(slug=slug).first()
        if city is not None:
            _load_city(city, facts, people)
            loaded.append(slug)
    return f"participation: process, survey, proposals, budget, meeting in {', '.join(loaded) or 'no city'}"
