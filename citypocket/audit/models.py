"""The audit entry: django-auditlog's log entry, with the city it belongs to, made append-only.

`AUDITLOG_LOGENTRY_MODEL` points django-auditlog here, so its signal receivers write these rows.
On top of its fields an entry has its `city` (found from the object the way the back office scopes
it, `cities.tenancy`) and, for an event that is not a model change, its `event` name. The client
address and port are not kept.

Append-only: the ORM refuses to change or delete an entry (`save` of an existing row, `delete`,
and the queryset's `update`, `delete` and `bulk_update`), and a database trigger refuses UPDATE
(and DELETE on PostgreSQL) whatever the code (migration 0002). The references an entry holds (its
actor, its city) are plain ids without database constraint, so that deleting an account or a city
never has to touch the log.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.audit import rules
from citypocket.audit.scope import in_back_office
from citypocket.cities.models import City
from citypocket.cities.tenancy import city_id_of


class AppendOnlyError(RuntimeError):
    """An audit entry cannot be changed or deleted."""

    def __init__(self, what: str):
        super().__init__(f"Audit entries are append-only: {what} refused.")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("update")

    def delete(self):
        raise AppendOnlyError("delete")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("update")

    def _raw_delete(self, using):
        raise AppendOnlyError("delete")


class _Shown:
    """A related object as the log names it (`rules.safe_repr`), for django-auditlog's many-to-many entries."""

    def __init__(self, obj):
        self.label = rules.safe_repr(obj)

    def __str__(self) -> str:
        return self.label


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    """django-auditlog writes through these two methods: only in a back-office scope, with the city."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        if not in_back_office():
            return None
        kwargs.setdefault("city_id", _city_id(instance))
        kwargs.setdefault("object_repr", rules.safe_repr(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        if not in_back_office():
            return None
        kwargs.setdefault("city_id", _city_id(instance))
        kwargs.setdefault("object_repr", rules.safe_repr(instance))
        shown = [_Shown(obj) for obj in changed_queryset]
        return super().log_m2m_changes(shown, instance, operation, field_name, **kwargs)


def _city_id(instance) -> int | None:
    try:
        return city_id_of(instance)
    except models.ObjectDoesNotExist:  # a link already deleted in the same cascade
        return None


class AuditEntry(AbstractLogEntry):
    """One staff action: a row created, changed or deleted in the back office, or a named event."""

    class Action(AbstractLogEntry.Action):
        EVENT = 4
        choices = (  # django-auditlog's four (with their words here: it ships no French) and the event
            (AbstractLogEntry.Action.CREATE, _("create")),
            (AbstractLogEntry.Action.UPDATE, _("update")),
            (AbstractLogEntry.Action.DELETE, _("delete")),
            (AbstractLogEntry.Action.ACCESS, _("access")),
            (EVENT, _("event")),
        )

    timestamp = models.DateTimeField(_("timestamp"), default=timezone.now, db_index=True)
    action = models.PositiveSmallIntegerField(_("action"), choices=Action.choices, db_index=True)
    event = models.CharField(_("event"), max_length=64, blank=True, db_index=True,
                             help_text=_("For an event that is not a change of a row: its name."))
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("content type"))
    object_pk = models.CharField(_("object pk"), max_length=255, blank=True, db_index=True)
    object_repr = models.TextField(_("object"), blank=True)
    changes = models.JSONField(_("changes"), null=True, blank=True)
    serialized_data = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+", verbose_name=_("actor"))
    city = models.ForeignKey(City, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
                             related_name="+", verbose_name=_("city"))
    remote_addr = None
    remote_port = None

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log entries")
        indexes = [models.Index(fields=["city", "-timestamp"], name="audit_city_time")]

    def __str__(self) -> str:
        what = self.event or self.get_action_display()
        return f"{what} · {self.object_repr}" if self.object_repr else what

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("update")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("delete")
