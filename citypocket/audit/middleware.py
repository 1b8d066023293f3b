"""Opens the audit scope for a staff member's request to the back office, with them as the actor."""

from auditlog.middleware import AuditlogMiddleware

from citypocket.accounts.middleware import STAFF_PREFIXES
from citypocket.audit.scope import back_office
from citypocket.cities.selectors import is_city_staff


class BackOfficeAuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, for staff under the staff paths only, and without the client address.

    It sits after the session-activity middleware, so that the "last seen" of a staff member's
    session is not recorded as their action; only the view (and what follows it) runs inside.
    A sign-in through the admin's form starts anonymous, so nothing of it is recorded.
    """

    def get_extra_data(self, request):
        return {"actor": self._get_actor(request)}  # no address, no port: who, not from where

    def __call__(self, request):
        if not (request.path.startswith(STAFF_PREFIXES) and is_city_staff(request.user)):
            return self.get_response(request)
        with back_office():
            return super().__call__(request)
