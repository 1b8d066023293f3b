"""Append-only: the ORM refuses to change or delete an entry, and so does the database (a trigger refuses
UPDATE on both engines, and DELETE on PostgreSQL; SQLite empties tables with DELETE for Django's flush)."""

import pytest
from django.db import DatabaseError, connection, transaction

from citypocket.audit.models import AppendOnlyError, AuditEntry
from citypocket.audit.scope import acting_as
from citypocket.audit.tests.factories import AuditEntryFactory
from citypocket.cities.models import Role
from citypocket.mobility.tests.factories import CarParkFactory
from testsupport import CityFactory, make_staff

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


def test_the_orm_refuses_to_change_or_delete_an_entry(rouen):
    entry = AuditEntryFactory(city=rouen)
    entry.event = "forged.event"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(event="forged.event")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["event"])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    assert AuditEntry.objects.get().event == "budget.results_published"


def test_a_new_entry_with_the_id_of_an_old_one_is_an_insert_that_fails(rouen):
    entry = AuditEntryFactory(city=rouen)
    forged = AuditEntry(pk=entry.pk, action=AuditEntry.Action.EVENT, event="forged.event", city=rouen)
    with pytest.raises(DatabaseError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get().event == "budget.results_published"


def test_the_database_refuses_update(rouen):
    entry = AuditEntryFactory(city=rouen)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET event = %s WHERE id = %s", ["forged.event", entry.pk])
    assert AuditEntry.objects.get().event == "budget.results_published"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's (see migration 0002)")
def test_postgresql_refuses_delete(rouen):
    AuditEntryFactory(city=rouen)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert AuditEntry.objects.count() == 1


def test_deleting_the_city_or_the_account_of_an_entry_leaves_the_entry(rouen):
    """The entry's references are plain ids: nothing cascades into the log, nothing has to update it."""
    city = CityFactory()
    editor = make_staff(city, Role.EDITOR)
    park = CarParkFactory(city=city)
    city_id, editor_id, email = city.pk, editor.pk, editor.email

    with acting_as(editor):
        park.capacity += 1
        park.save()
        city.delete()  # in the back office too: every row of the city is deleted and audited
    editor.delete()
    entries = AuditEntry.objects.filter(city_id=city_id)
    assert entries.filter(action=AuditEntry.Action.UPDATE, content_type__model="carpark").exists()
    assert entries.filter(action=AuditEntry.Action.DELETE, content_type__model="carpark").exists()
    assert entries.filter(action=AuditEntry.Action.DELETE, content_type__model="city").exists()
    assert set(entries.values_list("actor_id", flat=True)) == {editor_id}
    entry = AuditEntry.objects.select_related("city", "actor").filter(content_type__model="carpark").first()
    assert entry.city is None and entry.actor is None and entry.actor_email == email
