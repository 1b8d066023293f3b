"""Bearer-token authentication and per-token rate limiting of the HTTP ingest endpoint."""

from django.http import HttpRequest
from ninja.security.http import HttpBearer

from citypocket.core.throttling import Limit
from citypocket.sensors import selectors
from citypocket.sensors.tokens import hash_token


class IngestTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the request's `auth` is the active IngestToken (with its city)."""

    def __call__(self, request: HttpRequest):
        # Not HttpBearer.__call__: it logs the whole header (the secret) on a malformed one in DEBUG.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        if len(token) > 200:
            return None
        return selectors.find_token(token_hash=hash_token(token))


class IngestTokenLimit(Limit):
    """INGEST_RATE per ingest token (the machines of a city may share one address)."""

    def ident(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        return None if token is None else str(token.pk)


INGEST = IngestTokenLimit("INGEST_RATE", scope="ingest")
