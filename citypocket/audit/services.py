"""Writing to the audit log what is not a model change: one function, `record`, for every app."""

import re

from django.contrib.contenttypes.models import ContentType

from citypocket.audit import rules
from citypocket.audit.models import AuditEntry
from citypocket.cities.tenancy import city_id_of

EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
SCALARS = (str, int, float, bool, type(None))


def record(*, actor, action: str, obj=None, city=None, detail: dict | None = None, clear=()) -> AuditEntry:
    """Appends one event to the audit log and returns it.

    `actor`: the account acting (None: the platform itself). `action`: a dotted name such as
    `publication.override` or `staff.sign_in`. `obj`: the row concerned, if any; its city is the
    entry's unless `city` is given (both given must agree). `detail`: a few scalar values (str,
    int, float, bool, None); every string in it is masked like personal text (`rules.mask`) except
    the keys named in `clear` — name there only what its caller knows is not personal (a code, a
    staff member's reason for an override).

    The entry is written in the caller's transaction: if the action rolls back, so does its entry.
    """
    if not (len(action) <= 64 and EVENT_NAME.fullmatch(action)):
        raise ValueError(f"Not an event name: {action!r} (lower-case dotted words, 64 characters at most).")
    detail = dict(detail or {})
    for key, value in detail.items():
        if not isinstance(value, SCALARS):
            raise TypeError(f"detail[{key!r}] must be a str, number, bool or None, not {type(value).__name__}.")
    unknown = set(clear) - set(detail)
    if unknown:
        raise ValueError(f"clear names keys that are not in detail: {sorted(unknown)}")
    stored = {key: rules.mask(value) if isinstance(value, str) and key not in clear else value
              for key, value in detail.items()}

    city_id = None if city is None else city.pk
    if obj is not None:
        own = city_id_of(obj)
        if city_id is not None and own is not None and own != city_id:
            raise ValueError("The object belongs to another city than the one given.")
        city_id = city_id if city_id is not None else own
    if not getattr(actor, "is_authenticated", False):
        actor = None

    return AuditEntry.objects.create(
        action=AuditEntry.Action.EVENT,
        event=action,
        actor=actor,
        actor_email=actor.email if actor is not None else None,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_pk="" if obj is None else str(obj.pk),
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr="" if obj is None else rules.safe_repr(obj),
        city_id=city_id,
        additional_data=stored or None,
    )
