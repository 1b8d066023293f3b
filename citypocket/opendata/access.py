"""Who reads the catalog: the viewer of a request, the cities whose restricted datasets they may read,
and the read tokens of partner machines.

A restricted dataset is read by the staff of its city and of its partner cities (any role; a
superuser everywhere), and by a data access token of one of those cities holding `datasets:read`.
Whether a dataset is visible is decided in `opendata.selectors` only, from the `Viewer` built here.
For everyone else a restricted dataset does not exist: a 404, never a 403.

Answers that depend on the viewer are `Cache-Control: private, no-store` (`mark_private`): no
shared cache (the edge cache in front of Django, a proxy) keeps them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from citypocket.cities.models import City
from citypocket.cities.selectors import list_staff_city_ids
from citypocket.core.problems import DomainError
from citypocket.core.tokens import hash_token, new_token, revoke
from citypocket.opendata.models import DataAccessToken, TokenScope

TOKEN_PREFIX = "cpd_"


class InvalidToken(DomainError):
    status = 401
    slug = "invalid-token"


@dataclass(frozen=True)
class Viewer:
    """The person (session) and/or token behind a request; `Viewer()` is anonymous."""

    user: object = None
    token: DataAccessToken | None = None

    @property
    def is_identified(self) -> bool:
        """True when the answer may depend on who asks (and so must never be shared)."""
        return self.token is not None or bool(getattr(self.user, "is_authenticated", False))

    def member_city_ids(self) -> set[int] | None:
        """The cities whose restricted datasets (and those shared with them) this viewer reads; None: all."""
        ids: set[int] = set()
        if getattr(self.user, "is_authenticated", False) and self.user.is_active:
            staff = list_staff_city_ids(user=self.user)
            if staff is None:
                return None
            ids |= staff
        if self.token is not None and self.token.allows(TokenScope.READ_DATASETS):
            ids.add(self.token.city_id)
        return ids


ANONYMOUS = Viewer()


def find_token(token: str) -> DataAccessToken | None:
    if len(token) > 200:
        return None
    return (DataAccessToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .select_related("city").first())


def viewer_from_request(request: HttpRequest, *, tokens: bool = True) -> Viewer:
    """The request's viewer: its signed-in person, and its `Authorization: Bearer` data access token.

    A bearer token that is not an active data access token is a 401 problem (not silently anonymous:
    a partner whose token was revoked learns why a dataset is gone).
    """
    # The session is read only when the request carries its cookie: reading it marks the answer
    # `Vary: Cookie`, which would stop public answers to anonymous visitors from being shared.
    user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
    token = None
    if tokens:
        scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = find_token(value.strip())
            if token is None:
                raise InvalidToken("This token is unknown or revoked.")
    return Viewer(user=user, token=token)


def mark_private(response: HttpResponse) -> HttpResponse:
    """An answer that depends on the viewer: never kept by a shared cache, nor by the device."""
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    for header in ("Expires",):
        if response.has_header(header):
            del response[header]
    return response


@transaction.atomic
def create_data_access_token(*, city: City, name: str = "",
                             scopes: tuple[str, ...] = (TokenScope.READ_DATASETS,)) -> tuple[DataAccessToken, str]:
    """A new token for `city`: the row and the clear token, which is never stored nor shown again."""
    unknown = set(scopes) - set(TokenScope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    token, token_hash = new_token(TOKEN_PREFIX)
    row = DataAccessToken.objects.create(city=city, name=name, scopes=list(scopes), token_hash=token_hash)
    return row, token


@transaction.atomic
def revoke_data_access_token(*, token: DataAccessToken) -> DataAccessToken:
    """Stops `token` at once (idempotent: a revoked token keeps its first revocation time)."""
    return revoke(token)
