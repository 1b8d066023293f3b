"""The audit log in the back office: a city's admins read their city's entries; nobody adds, changes or deletes.

Scoped like every city-owned admin (`CityScopedAdmin`, on the entry's `city`): a city admin sees the
entries of their cities, superusers every entry (those of platform-wide rows, such as accounts,
have no city and are theirs only). django-auditlog registers its own admin for the log model; this
one replaces it.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from citypocket.audit.models import AuditEntry
from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role

if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(CityScopedAdmin):
    staff_roles = (Role.CITY_ADMIN,)
    list_display = ["timestamp", "what", "subject", "city", "who", "changed_fields"]
    list_filter = ["action", "event", "content_type", "city"]
    search_fields = ["object_repr", "object_pk", "event", "actor_email"]
    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "city"]
    fields = ["timestamp", "what", "subject", "city", "who", "changes_table", "detail"]
    readonly_fields = fields
    actions = None
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def what(self, entry) -> str:
        return entry.event or entry.get_action_display()

    @admin.display(description=_("object"))
    def subject(self, entry) -> str:
        kind = entry.content_type.name if entry.content_type else ""
        return " · ".join(part for part in (str(kind), entry.object_repr) if part)

    @admin.display(description=_("by"), ordering="actor_email")
    def who(self, entry) -> str:
        return entry.actor_email or _("the platform")

    @admin.display(description=_("fields"))
    def changed_fields(self, entry) -> str:
        return ", ".join(entry.changes or {})

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        """Field, before, after: as stored (masked values show as digests, never as text)."""
        rows = []
        for key, values in (entry.changes or {}).items():
            name = _field_label(entry, key)
            if isinstance(values, dict):  # a many-to-many change
                linked = ", ".join(map(str, values.get("objects", [])))
                rows.append((name, "", linked) if values.get("operation") == "add" else (name, linked, ""))
            else:
                before, after = [*values, "", ""][:2]
                rows.append((name, before, after))
        if not rows:
            return "-"
        header = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("field"), _("before"), _("after"))
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table>{}{}</table>", header, body)

    @admin.display(description=_("detail"))
    def detail(self, entry):
        if not entry.additional_data:
            return "-"
        return format_html_join("", "<div>{}: {}</div>", sorted(entry.additional_data.items()))


def _field_label(entry, name: str) -> str:
    """The field's verbose name when its model still has it, else the name stored."""
    model = entry.content_type.model_class() if entry.content_type else None
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name
