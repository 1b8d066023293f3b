"""Back office: staff only ever see and pick their own city's objects."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from citypocket.cities.models import Role
from citypocket.core.testing import login, make_staff
from citypocket.participation.models import Budget, PhaseKind, Proposal
from citypocket.participation.tests.conftest import make_process

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
    from citypocket.core.testing import UserFactory
    from citypocket.participation.models import Follow, Notification

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
