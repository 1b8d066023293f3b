"""What every iCalendar (RFC 5545) export of the platform needs to let calendar applications follow
changes: a revision number kept on the model, and the stamps of each VEVENT.

- `bump_sequence(instance, fields, save_kwargs)`, called by a model's `save()`: SEQUENCE grows by one
  when any of `fields` (time, place, recurrence, status…) differs from the stored row, so that a
  calendar application replaces its copy (RFC 5545 §3.8.7.4);
- `add_revision(vevent, …)`: DTSTAMP and LAST-MODIFIED are the last change of the item (in a feed
  without METHOD, DTSTAMP is "the date and time that the information associated with the calendar
  component was last revised", §3.8.7.2), CREATED its creation, SEQUENCE its revision.
"""

from datetime import datetime


def bump_sequence(instance, fields: tuple[str, ...], save_kwargs: dict) -> bool:
    """Increments `instance.sequence` when one of `fields` changed since it was stored (not on
    creation); with `update_fields`, adds `sequence` and `updated_at` to them. True if it grew."""
    if instance.pk is None:
        return False
    before = type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()
    if before is None or all(before[name] == getattr(instance, name) for name in fields):
        return False
    instance.sequence += 1
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None:
        save_kwargs["update_fields"] = {*update_fields, "sequence", "updated_at"}
    return True


def add_revision(vevent, *, modified: datetime, sequence: int, created: datetime | None = None) -> None:
    """DTSTAMP, LAST-MODIFIED (the last change, in UTC), CREATED when known, SEQUENCE."""
    vevent.add("dtstamp", modified)
    if created is not None:
        vevent.add("created", created)
    vevent.add("last-modified", modified)
    vevent.add("sequence", sequence)
