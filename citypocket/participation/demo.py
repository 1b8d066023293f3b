"""Demo data per demo city, telling one consistent story over two editions:

- the **2026 edition** is over: its budget was voted by the demo residents, the result is
  published, and its winning projects are followed in "What the city does" (one in progress);
- the **2027 edition** is open: a survey, proposals with supports and comments, a budget in its
  vote phase (Rouen: knapsack; Aix: approval, at most 3 projects) and an upcoming council meeting.

Project ideas follow the kind of projects the Métropole Rouen Normandie and the Ville
d'Aix-en-Provence put to citizen votes (trees, bike parking, shaded play areas); figures,
descriptions and votes are illustrative, not official. Idempotent: everything is keyed by slug or title.
"""

from datetime import timedelta

from django.utils import timezone

from citypocket.accounts import demo as demo_accounts
from citypocket.accounts.models import User
from citypocket.cities.models import City
from citypocket.participation.illustrations import illustrate
from citypocket.participation.models import (
    ActionResult,
    AgendaItem,
    Ballot,
    BallotItem,
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
from citypocket.participation.services.budgets import publish_results

DEMO = {
    "rouen": {
        "process": ("budget-citoyen-2027", "Budget citoyen 2027",
                    "Proposez, soutenez puis votez les projets financés par le budget citoyen de la Métropole."),
        "budget": ("Budget citoyen 2027", 1_000_000, VotingRule.KNAPSACK, {}),
        "projects": [
            ("Vergers partagés sur les quais", 180_000,
             "Une trentaine d'arbres fruitiers plantés sur les quais rive gauche, entretenus avec les associations "
             "du quartier\u202f; les fruits sont à qui les cueille."),
            ("Abris vélos sécurisés en gare", 350_000,
             "Deux abris fermés de 200 places près de la gare Rive-Droite, accessibles avec la carte de transport."),
            ("Îlots de fraîcheur dans les cours d'école", 420_000,
             "Dix cours d'école débitumées et plantées, ouvertes aux habitants le week-end l'été."),
            ("Boîtes à livres de quartier", 40_000,
             "Vingt boîtes à livres fabriquées par un chantier d'insertion, une par quartier."),
            ("Éclairage solaire des chemins de Seine", 260_000,
             "Des bornes solaires à détection de présence le long des chemins de halage, sans éclairer la nuit "
             "entière."),
        ],
        "past": ("budget-citoyen-2026", "Budget citoyen 2026", 800_000, VotingRule.KNAPSACK, {}, [
            ("Ruches et prairies fleuries sur les toits", 120_000,
             "Des ruches et des prairies fleuries sur les toits de trois bâtiments de la Métropole."),
            ("Fontaines à eau dans les parcs", 210_000, "Douze fontaines à eau potable dans les parcs et jardins."),
            ("Piste cyclable de la rue de Lillebonne", 390_000,
             "Une piste cyclable séparée de la circulation rue de Lillebonne."),
            ("Tables de pique-nique sur l'île Lacroix", 60_000, "Vingt tables de pique-nique à l'ombre, dont "
             "quatre accessibles en fauteuil."),
        ]),
        "proposals": [("Plus de fontaines à eau en centre-ville", "Des fontaines sur les places du Vieux-Marché."),
                      ("Une piste cyclable continue rive gauche", "Relier Saint-Sever aux quais sans coupure.")],
        "meeting": ("Conseil métropolitain", "Hôtel de la Métropole, 108 allée François Mitterrand, Rouen",
                    ["Approbation du procès-verbal", "Budget citoyen 2027\u00a0: règlement du vote", "Plan vélo"]),
    },
    "aix-en-provence": {
        "process": ("budget-participatif-2027", "Budget participatif 2027",
                    "Les Aixois choisissent les projets de quartier financés par la Ville."),
        "budget": ("Budget participatif 2027", 500_000, VotingRule.APPROVAL, {"max_projects": 3}),
        "projects": [
            ("Ombrières sur les aires de jeux", 150_000,
             "Des voiles d'ombrage sur six aires de jeux, pour jouer dehors les après-midi d'été."),
            ("Jardins partagés au Jas de Bouffan", 90_000,
             "Quarante parcelles de jardin partagé, avec récupération de l'eau de pluie."),
            ("Parkings vélos cours Mirabeau", 60_000,
             "Cent arceaux à vélos répartis aux deux bouts du cours Mirabeau."),
            ("Fontaine rénovée place des Prêcheurs", 200_000,
             "La restauration de la fontaine et de son bassin, avec un circuit d'eau fermé."),
        ],
        "past": ("budget-participatif-2026", "Budget participatif 2026", 400_000, VotingRule.APPROVAL,
                 {"max_projects": 2}, [
            ("Bancs à l'ombre au parc Jourdan", 70_000, "Trente bancs sous les arbres du parc Jourdan."),
            ("Composteurs collectifs en centre ancien", 45_000,
             "Huit composteurs partagés, suivis par des habitants formés."),
            ("Éclairage de la promenade de la Torse", 230_000,
             "Un éclairage doux de la promenade de la Torse, éteint au cœur de la nuit."),
        ]),
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
    residents = list(people)
    if city.slug == "rouen":  # the demo account "verified Rouen resident" (accounts/demo.py), when it exists
        residents += list(User.objects.filter(email=demo_accounts.RESIDENT_EMAIL))
    for person in residents:
        ResidentVerification.objects.get_or_create(city=city, user=person,
                                                   defaults={"method": "census", "verified_at": now})

    budget_title, amount, rule, params = facts["budget"]
    budget, _created = Budget.objects.update_or_create(
        city=city, process=process, title=budget_title,
        defaults={"amount": amount, "voting_rule": rule, "status": Budget.Status.VOTING, **params})
    for project_title, cost, project_description in facts["projects"]:
        project, _created = Project.objects.update_or_create(
            city=city, budget=budget, title=project_title, defaults={"cost": cost, "description": project_description})
        illustrate(project)

    survey, _created = Survey.objects.update_or_create(
        city=city, process=process, title="Vos priorités pour le budget",
        defaults={"opens_at": now - timedelta(days=10), "closes_at": now + timedelta(days=20), "is_anonymous": True})
    if not survey.questions.exists():
        q1 = Question.objects.create(survey=survey, position=1, kind=QuestionKind.SINGLE,
                                     prompt="Quel thème compte le plus pour vous\u202f?")
        for index, label in enumerate(["Nature en ville", "Mobilités douces", "Solidarité", "Culture"], start=1):
            Choice.objects.create(question=q1, position=index, label=label)
        Question.objects.create(survey=survey, position=2, kind=QuestionKind.SCALE,
                                prompt="Êtes-vous satisfait de la vie de votre quartier\u202f?",
                                scale_min=1, scale_max=5)
        Question.objects.create(survey=survey, position=3, kind=QuestionKind.TEXT, required=False,
                                prompt="Une idée à partager\u202f?")

    category, _created = Category.objects.get_or_create(city=city, name="Cadre de vie")
    for index, (proposal_title, body) in enumerate(facts["proposals"]):
        proposal, created = Proposal.objects.get_or_create(
            city=city, process=process, title=proposal_title,
            defaults={"body": body, "category": category, "author": people[index]})
        if created:
            for person in people[: 4 - index]:
                Support.objects.get_or_create(city=city, proposal=proposal, user=person)
            first = Comment.objects.create(city=city, proposal=proposal, author=people[2],
                                           body="Excellente idée\u202f!")
            Comment.objects.create(city=city, proposal=proposal, author=people[3], parent=first,
                                   body="D'accord, surtout en été.")

    # An older demo followed a project of this edition as if it had won the previous one: gone.
    ActionResult.objects.filter(process=process, description="Projet lauréat de l'édition précédente.").delete()
    _load_past_edition(city, facts, people)

    meeting_title, place, agenda = facts["meeting"]
    starts = (now + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0)
    meeting, created = Meeting.objects.get_or_create(
        city=city, title=meeting_title, kind=MeetingKind.COUNCIL,
        defaults={"process": process, "starts_at": starts, "ends_at": starts + timedelta(hours=3), "place": place,
                  "capacity": 80, "description": "Séance publique."})
    if created:
        AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=i, title=t)
                                        for i, t in enumerate(agenda, start=1)])


def _load_past_edition(city: City, facts: dict, people: list[User]) -> None:
    """The previous edition: over, voted by the demo residents, its result published and its winners followed."""
    now = timezone.now()
    slug, title, amount, rule, params, projects = facts["past"]
    process, _created = Process.objects.update_or_create(
        city=city, slug=slug, defaults={
            "title": title, "is_published": True,
            "description": "L'édition précédente\u00a0: projets votés et leur réalisation."})
    process.phases.all().delete()
    Phase.objects.bulk_create([Phase(process=process, kind=kind, starts_at=now - timedelta(days=start),
                                     ends_at=now - timedelta(days=end) if end else now + timedelta(days=300))
                               for kind, start, end in ((PhaseKind.PROPOSALS, 420, 330), (PhaseKind.VOTE, 330, 300),
                                                        (PhaseKind.RESULTS, 300, None))])
    budget, _created = Budget.objects.update_or_create(
        city=city, process=process, title=title,
        defaults={"amount": amount, "voting_rule": rule, **params}, create_defaults={
            "amount": amount, "voting_rule": rule, "status": Budget.Status.CLOSED, **params})
    rows = []
    for project_title, cost, description in projects:
        project, _created = Project.objects.update_or_create(
            city=city, budget=budget, title=project_title, defaults={"cost": cost, "description": description})
        illustrate(project)
        rows.append(project)
    if not hasattr(budget, "result"):
        # Ballots of the demo residents, valid under the edition's rule: the first project on every ballot.
        choices = [[0, 1], [0, 2], [0], [1], [0, 1]] if rule == VotingRule.KNAPSACK else [[0, 1], [0], [0, 2], [1]]
        for person, picked in zip(people, choices, strict=False):
            ballot, _created = Ballot.objects.get_or_create(city=city, budget=budget, voter=person)
            BallotItem.objects.bulk_create([BallotItem(ballot=ballot, project=rows[i]) for i in picked],
                                           ignore_conflicts=True)
        publish_results(budget=budget)
    winners = [row.project for row in budget.result.rows.filter(selected=True).select_related("project")]
    for position, project in enumerate(winners):
        in_progress = position == 0
        result, created = ActionResult.objects.update_or_create(
            city=city, process=process, title=project.title,
            defaults={"status": ResultStatus.IN_PROGRESS if in_progress else ResultStatus.PLANNED,
                      "progress": 40 if in_progress else 0,
                      "description": f"Projet lauréat du {title.lower()}. {project.description}"})
        result.projects.set([project])
        if created and in_progress:
            Milestone.objects.create(result=result, date=(now - timedelta(days=200)).date(), title="Étude terminée")
            Milestone.objects.create(result=result, date=(now - timedelta(days=60)).date(), title="Marché attribué")


def load_demo() -> str:
    people = _demo_people(5)
    loaded = []
    for slug, facts in DEMO.items():
        city = City.objects.filter(slug=slug).first()
        if city is not None:
            _load_city(city, facts, people)
            loaded.append(slug)
    return f"participation: process, survey, proposals, budget, meeting in {', '.join(loaded) or 'no city'}"
