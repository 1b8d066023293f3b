"""Back office: staff only ever see and pick their own city's objects."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from citypocket.cities.models import Role
from citypocket.participation.models import (
    Budget,
    District,
    Follow,
    PhaseKind,
    Project,
    Proposal,
    ResidentVerification,
)
from citypocket.participation.tests.conftest import make_budget, make_process
from testsupport import admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["survey", "budget", "meeting", "actionresult"])
def test_add_forms_offer_only_the_staff_citys_processes(rouen, aix, model):
    """An Aix editor's add form lists Aix processes, never Rouen's."""
    make_process(rouen, slug="rouen-pb")
    make_process(aix, slug="aix-pb")
    html = login(Client(), make_staff(aix, Role.EDITOR)).get(f"/admin/participation/{model}/add/").content.decode()
    assert "Process aix-pb" in html
    assert "Process rouen-pb" not in html


def test_a_budget_cannot_point_to_another_citys_process(rouen, aix):
    """Model validation refuses a cross-city process."""
    budget = Budget(city=aix, process=make_process(rouen, slug="pb"), title="x", amount=10)
    with pytest.raises(ValidationError):
        budget.full_clean()


def test_rejecting_in_the_admin_needs_a_reason_and_notifies_the_author(rouen):
    """A moderator's rejection without reason is a form error; with one it is saved and announced."""
    from citypocket.participation.models import Follow, Notification
    from testsupport import UserFactory

    process = make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    author = UserFactory()
    proposal = Proposal.objects.create(city=rouen, process=process, title="Bancs", body="Des bancs", author=author)
    Follow.objects.create(city=rouen, user=author, proposal=proposal)
    moderator = login(Client(), make_staff(rouen, Role.MODERATOR))
    url = f"/admin/participation/proposal/{proposal.pk}/change/"
    response = moderator.post(url, {"answer_status": "rejected", "answer_text": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = moderator.post(url, {"answer_status": "rejected", "answer_text": "Hors compétence."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.answer_status == "rejected" and proposal.answered_at is not None
    assert Notification.objects.filter(user=author).count() == 1


def _proposal_by(user, city, slug):
    process = make_process(city, slug=slug, open_phase=PhaseKind.PROPOSALS)
    return Proposal.objects.create(city=city, process=process, title="Bancs", body="Des bancs", author=user)


def test_the_resident_form_offers_a_city_admin_only_their_citys_accounts(rouen, aix):
    """Rouen's admin picks among Rouen's participants: no Aix account, staff of Aix or superuser is offered."""
    from testsupport import UserFactory

    participant = UserFactory(email="rouennais@example.org")
    _proposal_by(participant, rouen, "idees")
    aix_citizen = UserFactory(email="aixois@example.org")
    _proposal_by(aix_citizen, aix, "idees")
    aix_editor = make_staff(aix, Role.EDITOR, user=UserFactory(email="redaction-aix@example.org"))
    Follow.objects.create(city=rouen, user=aix_editor, proposal=Proposal.objects.get(city=rouen))
    superuser = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    stranger = UserFactory(email="inconnu@example.org")
    client = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    url = "/admin/participation/residentverification/add/"

    html = client.get(url).content.decode()

    assert participant.email in html
    for other in (aix_citizen, aix_editor, superuser, stranger):
        assert other.email not in html, other.email
    data = {"city": rouen.pk, "method": "census", "verified_at_0": "2026-03-02", "verified_at_1": "10:00"}
    for other in (aix_citizen, aix_editor, superuser, stranger):
        response = client.post(url, {**data, "user": other.pk})
        assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not ResidentVerification.objects.exists()
    assert client.post(url, {**data, "user": participant.pk}).status_code == 302
    assert ResidentVerification.objects.get().user == participant


def test_an_editor_adds_a_project_to_a_budget_through_the_inline(rouen):
    """The budget's inlines are shown to its city's editors (not only to superusers) and save with the budget's city."""
    budget, _projects = make_budget(rouen, costs=())
    client = login(Client(), make_staff(rouen, Role.EDITOR))
    url = f"/admin/participation/budget/{budget.pk}/change/"
    data = admin_form_data(client.get(url))
    assert data["projects-TOTAL_FORMS"] == ["0"]

    response = client.post(url, {**data, "projects-TOTAL_FORMS": ["1"], "projects-0-title": ["Bancs du parc"],
                                 "projects-0-cost": ["4000"]})

    assert response.status_code == 302, response.context and response.context["errors"]
    project = Project.objects.get(budget=budget)
    assert (project.title, project.cost, project.city) == ("Bancs du parc", 4000, rouen)


def test_a_project_cannot_join_another_citys_district(rouen, aix):
    """An inline row is held to its parent's city: a district of Aix is refused on a Rouen budget's project."""
    budget, projects = make_budget(rouen, costs=(("A", 60),))
    aix_budget, _p = make_budget(aix)
    aix_district = District.objects.create(city=aix, budget=aix_budget, name="Jas de Bouffan", amount=10)
    client = login(Client(), make_staff(rouen, Role.EDITOR))
    url = f"/admin/participation/budget/{budget.pk}/change/"
    data = admin_form_data(client.get(url))

    response = client.post(url, {**data, "projects-0-district": [str(aix_district.pk)]})

    assert response.status_code == 200
    [formset] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "projects"]
    assert "district" in formset.formset.forms[0].errors
    assert Project.objects.get(pk=projects["A"].pk).district is None


def test_answering_in_the_admin_goes_through_the_service(rouen):
    """An accepted answer gets its time and notifies the followers once, as `answer_proposal` does."""
    from citypocket.participation.models import Notification
    from testsupport import UserFactory

    author = UserFactory()
    proposal = _proposal_by(author, rouen, "idees")
    Follow.objects.create(city=rouen, user=author, proposal=proposal)
    moderator = login(Client(), make_staff(rouen, Role.MODERATOR))
    url = f"/admin/participation/proposal/{proposal.pk}/change/"
    data = admin_form_data(moderator.get(url))

    response = moderator.post(url, {**data, "answer_status": "accepted", "answer_text": "Prévu en 2027."})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.answer_status == "accepted" and proposal.answered_at is not None
    assert Notification.objects.filter(user=author).count() == 1
    assert moderator.post(url, {**data, "answer_status": "accepted", "answer_text": "Prévu en 2027.",
                                "is_hidden": "on"}).status_code == 302
    assert Notification.objects.filter(user=author).count() == 1  # not answered again
