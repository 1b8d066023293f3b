"""Factories of the audit tests: an entry as `services.record` writes it, in one city."""

import factory

from citypocket.audit.models import AuditEntry
from citypocket.cities.tests.factories import CityOwnedFactory


class AuditEntryFactory(CityOwnedFactory):
    """A named event of a city, by nobody in particular (the platform)."""

    class Meta:
        model = AuditEntry

    action = AuditEntry.Action.EVENT
    event = "budget.results_published"
    additional_data = factory.LazyFunction(lambda: {"ballots": 12})
