"""`services.record`: the one way for any app to log an event that is not a row changing."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client

from citypocket.audit import rules
from citypocket.audit.models import AuditEntry
from citypocket.audit.services import record
from citypocket.cities.models import Role
from citypocket.participation.models import Budget
from citypocket.participation.tests.conftest import make_budget
from citypocket.participation.tests.factories import ChoiceFactory
from testsupport import login, make_staff, rows_of

pytestmark = pytest.mark.django_db


def test_an_event_on_an_object_takes_the_objects_city_and_masks_its_text(rouen):
    budget, _projects = make_budget(rouen)
    admin = make_staff(rouen, Role.CITY_ADMIN)
    entry = record(actor=admin, action="publication.override", obj=budget,
                   detail={"reason": "Erreur de saisie", "ballots": 12, "final": True, "code": "R-12"}, clear=("code",))

    entry.refresh_from_db()
    assert (entry.action, entry.event) == (AuditEntry.Action.EVENT, "publication.override")
    assert (entry.actor_id, entry.actor_email, entry.city_id) == (admin.pk, admin.email, rouen.pk)
    assert (entry.content_type, entry.object_pk, entry.object_id) == (
        ContentType.objects.get_for_model(Budget), str(budget.pk), budget.pk)
    assert entry.object_repr == str(budget)
    assert entry.additional_data == {"reason": rules.mask("Erreur de saisie"), "ballots": 12, "final": True,
                                     "code": "R-12"}
    assert str(entry) == f"publication.override · {budget}"


def test_the_city_is_found_through_the_objects_required_links(rouen):
    choice = ChoiceFactory(question__survey__city=rouen)
    assert record(actor=None, action="survey.choice_flagged", obj=choice).city_id == rouen.pk


def test_an_event_without_object_belongs_to_the_city_given_or_to_the_platform(rouen):
    staff = make_staff(rouen, Role.EDITOR)
    in_city = record(actor=staff, action="staff.sign_in", city=rouen)
    platform = record(actor=AnonymousUser(), action="platform.keys_rotated")
    assert (in_city.city_id, in_city.content_type, in_city.object_pk) == (rouen.pk, None, "")
    assert (platform.city_id, platform.actor_id, platform.actor_email) == (None, None, None)


@pytest.mark.parametrize("bad", [
    {"action": "Publication Override"},
    {"action": "x" * 65},
    {"action": ".override"},
    {"detail": {"reasons": ["a", "b"]}},
    {"detail": {"when": object()}},
    {"detail": {"reason": "x"}, "clear": ("code",)},
])
def test_a_malformed_event_is_refused_and_nothing_is_written(rouen, bad):
    kwargs = {"actor": None, "action": "budget.override", "city": rouen, **bad}
    with pytest.raises((ValueError, TypeError)):
        record(**kwargs)
    assert not AuditEntry.objects.exists()


def test_an_object_of_another_city_than_the_one_given_is_refused(rouen, aix):
    budget, _projects = make_budget(rouen)
    with pytest.raises(ValueError):
        record(actor=None, action="budget.override", obj=budget, city=aix)
    assert record(actor=None, action="budget.override", obj=budget, city=rouen).city_id == rouen.pk


def test_the_event_goes_with_its_transaction(rouen):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="budget.override", city=rouen)
        raise RuntimeError("the action failed")
    assert not AuditEntry.objects.exists()


def test_inside_a_back_office_request_an_event_without_actor_takes_the_staff_member(rouen, monkeypatch):
    """A view of the admin that records an event without naming the actor still names who did it."""
    from citypocket.participation import admin as participation_admin

    city_admin = make_staff(rouen, Role.CITY_ADMIN)
    real = participation_admin.record_audit
    monkeypatch.setattr(participation_admin, "record_audit", lambda **kwargs: real(**{**kwargs, "actor": None}))
    client = login(Client(), city_admin)
    response = client.post("/admin/participation/residentverification/letter-codes/",
                           {"city": str(rouen.pk), "count": "1"})
    assert response.status_code == 200
    assert AuditEntry.objects.get(action=AuditEntry.Action.EVENT).actor_id == city_admin.pk


def test_a_staff_members_export_lists_their_actions_without_values(rouen):
    editor = make_staff(rouen, Role.EDITOR)
    budget, _projects = make_budget(rouen)
    record(actor=editor, action="publication.override", obj=budget, detail={"reason": "Texte libre"})
    record(actor=None, action="platform.keys_rotated")
    client = login(Client(), editor)
    export = json.loads(client.get("/accounts/my-data/export.json").content)
    (entry,) = rows_of(export, "audit.auditentry")  # the platform's own event is nobody's
    assert (entry["event"], entry["content_type__model"], entry["object_pk"], entry["city__slug"]) == (
        "publication.override", "budget", str(budget.pk), rouen.slug)
    assert "Texte libre" not in json.dumps(export)
