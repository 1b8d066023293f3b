"""Staff changes in the back office are audited — who, what object, which city, each changed field before
and after — and nothing else is: residents, the worker, plain code and a staff member's own browsing."""

import pytest
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from citypocket.audit.models import AuditEntry
from citypocket.audit.registration import EXTRA_MODELS, NOT_AUDITED, audited_models
from citypocket.audit.scope import acting_as, in_back_office
from citypocket.cities.models import Role
from citypocket.mobility.models import CarPark
from citypocket.mobility.tests.factories import CarParkFactory
from citypocket.participation import models as participation
from citypocket.participation.tests.conftest import make_budget
from citypocket.participation.tests.factories import ActionResultFactory, ProposalFactory
from citypocket.sensors.tests.factories import IngestTokenFactory
from testsupport import PASSWORD, UserFactory, admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


@pytest.fixture
def park(rouen):
    return CarParkFactory(city=rouen, name="Vieux-Marché", capacity=400)


@pytest.fixture
def editor(rouen):
    return make_staff(rouen, Role.EDITOR)


def change(client, obj, **values):
    """Posts the object's admin form back with `values` changed, as a browser would; asserts it saved."""
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    data = admin_form_data(client.get(url))
    response = client.post(url, {**data, **{name: [str(value)] for name, value in values.items()}})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def test_an_editor_changing_a_car_park_writes_one_entry_with_actor_city_and_the_changed_fields(rouen, park, editor):
    change(login(Client(), editor), park, capacity=420, name="Vieux-Marché Sud")

    entry = AuditEntry.objects.get()
    assert entry.action == Action.UPDATE
    assert (entry.actor_id, entry.actor_email) == (editor.pk, editor.email)
    assert entry.city_id == rouen.pk
    assert (entry.content_type, entry.object_pk, entry.object_repr) == (
        ContentType.objects.get_for_model(CarPark), str(park.pk), "Vieux-Marché Sud")
    assert entry.changes == {"capacity": ["400", "420"], "name": ["Vieux-Marché", "Vieux-Marché Sud"]}
    assert entry.cid is None and entry.additional_data is None


def test_a_budget_and_its_inline_projects_changed_in_one_save_are_each_audited(rouen, editor):
    budget, projects = make_budget(rouen, amount=100, costs=(("Bancs", 60), ("Arbres", 30)))
    client = login(Client(), editor)
    url = f"/admin/participation/budget/{budget.pk}/change/"
    data = admin_form_data(client.get(url))
    [prefix] = {name.split("-")[0] for name in data if name.endswith("-TOTAL_FORMS") and "project" in name}
    index = next(i for i in range(len(projects)) if data[f"{prefix}-{i}-title"] == ["Bancs"])
    response = client.post(url, {**data, "amount": ["120"], f"{prefix}-{index}-cost": ["65"]})
    assert response.status_code == 302

    entries = {entry.content_type.model: entry for entry in AuditEntry.objects.all()}
    assert set(entries) == {"budget", "project"}
    assert entries["budget"].changes["amount"] == ["100", "120"]
    assert entries["project"].changes == {"cost": ["60", "65"]}
    assert entries["project"].object_pk == str(projects["Bancs"].pk)
    assert {entry.city_id for entry in entries.values()} == {rouen.pk}
    assert {entry.actor_id for entry in entries.values()} == {editor.pk}


def test_creating_and_deleting_through_the_admin_are_audited_with_the_values_at_the_time(rouen, park, editor):
    client = login(Client(), editor)
    response = client.post(f"/admin/mobility/carpark/{park.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not CarPark.objects.filter(pk=park.pk).exists()

    deleted = AuditEntry.objects.get(action=Action.DELETE)
    assert (deleted.actor_id, deleted.city_id, deleted.object_pk) == (editor.pk, rouen.pk, str(park.pk))
    assert deleted.object_repr == "Vieux-Marché"
    assert deleted.changes["capacity"] == ["400", "None"] and deleted.changes["name"] == ["Vieux-Marché", "None"]

    category_add = client.post("/admin/participation/category/add/", {"city": [str(rouen.pk)], "name": ["Voirie"]})
    assert category_add.status_code == 302
    created = AuditEntry.objects.get(action=Action.CREATE)
    assert (created.content_type.model, created.city_id, created.actor_id) == ("category", rouen.pk, editor.pk)
    assert created.changes["name"] == ["None", "Voirie"]


def test_many_to_many_links_are_audited(rouen, editor):
    result = ActionResultFactory(city=rouen)
    proposal = ProposalFactory(city=rouen, process=result.process)
    change(login(Client(), editor), result, proposals=proposal.pk)

    entry = AuditEntry.objects.get(changes__has_key="proposals")
    assert entry.changes["proposals"] == {"type": "m2m", "operation": "add", "objects": [f"proposal #{proposal.pk}"]}
    assert (entry.city_id, entry.actor_id) == (rouen.pk, editor.pk)


def test_a_moderators_bulk_action_is_audited_row_by_row(rouen):
    proposal = ProposalFactory(city=rouen)
    comments = [participation.Comment.objects.create(city=rouen, proposal=proposal, author=proposal.author,
                                                     body=f"Avis {i}") for i in range(2)]
    client = login(Client(), make_staff(rouen, Role.MODERATOR))
    response = client.post("/admin/participation/comment/", {
        "action": "remove", "_selected_action": [str(c.pk) for c in comments]})
    assert response.status_code == 302
    entries = AuditEntry.objects.filter(content_type__model="comment")
    assert sorted(entries.values_list("object_pk", flat=True)) == sorted(str(c.pk) for c in comments)
    assert all("state" in entry.changes for entry in entries)


def test_revoking_ingest_tokens_and_making_letter_codes_are_audited(rouen):
    token = IngestTokenFactory(city=rouen)
    client = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    assert client.post("/admin/sensors/ingesttoken/", {"action": "revoke",
                                                       "_selected_action": [str(token.pk)]}).status_code == 302
    revoked = AuditEntry.objects.get(content_type__model="ingesttoken")
    assert list(revoked.changes) == ["revoked_at"] and revoked.changes["revoked_at"][0] == "None"

    response = client.post("/admin/participation/residentverification/letter-codes/",
                           {"city": str(rouen.pk), "count": "3"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    event = AuditEntry.objects.get(action=Action.EVENT)
    assert (event.event, event.city_id, event.additional_data) == ("residency.letter_codes", rouen.pk, {"count": 3})


def test_changes_outside_the_back_office_are_not_audited(rouen, park, editor, citizen):
    """Plain code (the worker, the ingest), a resident's proposal, a staff member browsing the public site."""
    park.capacity = 500
    park.save()
    CarParkFactory(city=rouen)
    ProposalFactory(city=rouen, author=citizen).delete()

    client = login(Client(), editor)
    assert client.get(f"/{rouen.slug}/").status_code == 200
    url = f"/admin/mobility/carpark/{park.pk}/change/"
    assert Client().post(url, {"capacity": "1"})["Location"].startswith("/admin/login/")  # anonymous
    assert not AuditEntry.objects.exists()
    park.refresh_from_db()
    assert park.capacity == 500


def test_signing_in_through_the_admins_form_records_nothing(editor):
    """The request starts anonymous: the sign-in (its last_login) is not a staff action on a row."""
    response = Client().post("/admin/login/", {"username": editor.email, "password": PASSWORD})
    assert response.status_code in (200, 302)
    assert not AuditEntry.objects.exists()


def test_a_non_staff_account_in_the_admin_opens_no_scope(rouen, citizen):
    client = login(Client(), citizen, mfa=False)
    assert client.get("/admin/").status_code == 302
    assert not AuditEntry.objects.exists()


def test_acting_as_audits_staff_work_done_outside_a_request(rouen, park, editor):
    someone_else = UserFactory()
    assert not in_back_office()
    with acting_as(editor):
        assert in_back_office()
        park.capacity = 410
        park.save()
        with acting_as(someone_else):  # scopes do not nest: the outer actor stays
            park.capacity = 415
            park.save()
    assert not in_back_office()
    entries = list(AuditEntry.objects.order_by("id"))
    assert [entry.changes["capacity"] for entry in entries] == [["400", "410"], ["410", "415"]]
    assert {(entry.actor_id, entry.city_id) for entry in entries} == {(editor.pk, rouen.pk)}


def test_every_admin_model_and_inline_is_audited_but_the_declared_exceptions():
    labels = {model._meta.label for model in audited_models()}
    for model, model_admin in admin.site._registry.items():
        for edited in [model, *(inline.model for inline in model_admin.inlines)]:
            label = edited._meta.label
            assert (label in labels) != (label in NOT_AUDITED), label
    assert set(EXTRA_MODELS) <= labels
    for model in audited_models():
        assert auditlog.contains(model), model._meta.label
    assert {"mobility.CarPark", "participation.Budget", "participation.Project", "accounts.User"} <= labels


def test_a_deletion_keeps_the_rows_values_not_its_reverse_relations(rouen, editor):
    proposal = ProposalFactory(city=rouen)
    participation.Comment.objects.create(city=rouen, proposal=proposal, author=proposal.author, body="Oui")
    client = login(Client(), make_staff(rouen, Role.MODERATOR, user=editor))  # the comments go too
    assert client.post(f"/admin/participation/proposal/{proposal.pk}/delete/", {"post": "yes"}).status_code == 302
    entry = AuditEntry.objects.get(content_type__model="proposal")
    assert entry.action == Action.DELETE
    assert {"comments", "supports", "follows"}.isdisjoint(entry.changes)
    assert {"title", "process", "author", "city"} <= set(entry.changes)
    comment_entry = AuditEntry.objects.get(content_type__model="comment")  # the cascade is audited too
    assert (comment_entry.action, comment_entry.city_id) == (Action.DELETE, rouen.pk)
