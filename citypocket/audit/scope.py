"""When model changes are audited: inside the back office, and inside `acting_as(actor)` only.

The models of the back office are also written elsewhere — residents post proposals, the worker
recomputes indices, the ingest touches sensors — and none of that is a staff action. So the audit
log writes an entry for a change only while a back-office scope is open:

* `middleware.BackOfficeAuditMiddleware` opens one for each request of a staff member under the
  staff paths (`/admin/`, `/staff/`), with that person as the actor;
* `acting_as(actor)` opens one around staff work done elsewhere (a command, a staff page outside
  the admin). Scopes do not nest: inside an open one, `acting_as` keeps the actor already set.

Events that are not model changes are written by `services.record`, in or out of a scope.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.context import set_actor

_open: ContextVar[bool] = ContextVar("citypocket_audit_back_office", default=False)


def in_back_office() -> bool:
    return _open.get()


@contextmanager
def back_office():
    """Marks the code run inside as back-office work (the actor is set by django-auditlog's context)."""
    token = _open.set(True)
    try:
        yield
    finally:
        _open.reset(token)


@contextmanager
def acting_as(actor):
    """Audits the model changes made inside as `actor`'s (a staff account; None for the platform itself)."""
    if in_back_office():
        yield
        return
    with back_office(), set_actor(actor):
        yield
