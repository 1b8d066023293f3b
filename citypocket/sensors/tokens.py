"""Ingest tokens of the HTTP push endpoint: created for a city, stored only as a SHA-256, revoked at once."""

from django.db import transaction

from citypocket.cities.models import City
from citypocket.core.tokens import hash_token, new_token, revoke
from citypocket.sensors.models import IngestToken

__all__ = ["create_ingest_token", "hash_token", "revoke_ingest_token"]


@transaction.atomic
def create_ingest_token(*, city: City, name: str = "") -> tuple[IngestToken, str]:
    """A new token for `city`: returns the row and the clear token, which is never stored nor shown again."""
    token, token_hash = new_token("cpi_")
    row = IngestToken.objects.create(city=city, name=name, token_hash=token_hash)
    return row, token


@transaction.atomic
def revoke_ingest_token(*, token: IngestToken) -> IngestToken:
    """Stops `token` from working at once (idempotent: a revoked token keeps its first revocation time)."""
    return revoke(token)
