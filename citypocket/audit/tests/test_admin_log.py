"""The log in the back office: a city admin reads their own city's entries only; nobody adds, changes or
deletes an entry there, superusers included."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from citypocket.audit.admin import AuditEntryAdmin
from citypocket.audit.models import AuditEntry
from citypocket.audit.services import record
from citypocket.audit.tests.factories import AuditEntryFactory
from citypocket.cities.models import Role
from citypocket.mobility.tests.factories import CarParkFactory
from testsupport import UserFactory, admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/auditentry/"


def page(entry, view="change") -> str:
    return f"/admin/audit/auditentry/{entry.pk}/{view}/"


@pytest.fixture
def entries(rouen, aix):
    return {
        "rouen": AuditEntryFactory(city=rouen, event="budget.results_published"),
        "aix": AuditEntryFactory(city=aix, event="budget.ballots_recounted"),
        "platform": AuditEntryFactory(city=None, event="accounts.role_granted"),
    }


def test_rouens_admin_sees_rouens_entries_not_aixs(rouen, entries):
    client = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    html = client.get(LIST).content.decode()
    assert page(entries["rouen"]) in html
    assert page(entries["aix"]) not in html and page(entries["platform"]) not in html
    assert client.get(page(entries["rouen"])).status_code == 200
    assert client.get(page(entries["aix"])).status_code in (302, 404)
    assert client.get(page(entries["platform"])).status_code in (302, 404)


def test_a_city_admin_of_two_cities_sees_both_and_a_superuser_sees_everything(rouen, aix, entries):
    both = make_staff(aix, Role.CITY_ADMIN, user=make_staff(rouen, Role.CITY_ADMIN))
    html = login(Client(), both).get(LIST).content.decode()
    assert page(entries["rouen"]) in html and page(entries["aix"]) in html and page(entries["platform"]) not in html
    html = login(Client(), UserFactory(is_superuser=True, is_staff=True)).get(LIST).content.decode()
    assert all(page(entry) in html for entry in entries.values())


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR, Role.SAFETY_OFFICER, Role.DATA_PUBLISHER])
def test_other_roles_of_the_city_do_not_read_the_log(rouen, entries, role):
    client = login(Client(), make_staff(rouen, role))
    assert client.get(LIST).status_code == 403
    assert client.get(page(entries["rouen"])).status_code in (302, 403, 404)


@pytest.mark.parametrize("who", ["city_admin", "superuser"])
def test_nobody_adds_changes_or_deletes_an_entry_in_the_admin(rouen, entries, who):
    user = make_staff(rouen, Role.CITY_ADMIN) if who == "city_admin" else UserFactory(is_superuser=True, is_staff=True)
    client = login(Client(), user)
    entry = entries["rouen"]
    before = list(AuditEntry.objects.order_by("pk").values())

    view = client.get(page(entry))
    assert view.status_code == 200
    assert view.context["adminform"].form.fields == {}  # shown read-only
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(page(entry), {**admin_form_data(view), "event": "forged"}).status_code == 403
    assert client.post(page(entry, "delete"), {"post": "yes"}).status_code == 403
    assert client.post(LIST, {"action": "delete_selected", "_selected_action": [str(entry.pk)],
                              "post": "yes"}).status_code in (200, 302)
    assert list(AuditEntry.objects.order_by("pk").values()) == before

    request = RequestFactory().get(LIST)
    request.user = user
    model_admin = admin.site.get_model_admin(AuditEntry)
    assert isinstance(model_admin, AuditEntryAdmin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.get_actions(request) == {}


def test_an_entry_page_shows_the_change_field_by_field(rouen):
    park = CarParkFactory(city=rouen, capacity=400)
    editor = make_staff(rouen, Role.EDITOR)
    client = login(Client(), editor)
    url = f"/admin/mobility/carpark/{park.pk}/change/"
    assert client.post(url, {**admin_form_data(client.get(url)), "capacity": ["420"],
                             "provenance": ["Relevé du 3 mars"]}).status_code == 302
    record(actor=editor, action="publication.override", obj=park, detail={"reason": "Panneau posé"},
           clear=("reason",))

    admin_client = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    update = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    html = admin_client.get(page(update), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<td>capacité</td><td>400</td><td>420</td>" in html  # the field's name in the reader's language
    assert "<td>provenance</td><td></td><td>masked:" in html and "Relevé" not in html
    assert editor.email in html and park.name in html
    event = AuditEntry.objects.get(action=AuditEntry.Action.EVENT)
    html = admin_client.get(page(event)).content.decode()
    assert "publication.override" in html and "reason: Panneau posé" in html
    listing = admin_client.get(LIST, {"action__exact": AuditEntry.Action.UPDATE}).content.decode()
    assert page(update) in listing and page(event) not in listing
