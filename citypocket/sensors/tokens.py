"""Ingest tokens of the HTTP push endpoint: created for a city, stored only as a SHA-256, revoked at once."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from citypocket.cities.models import City
from citypocket.sensors.models import IngestToken


def hash_token(token: str) -> str:
    """The stored form of a token (a random 256-bit secret needs no salt nor slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_ingest_token(*, city: City, name: str = "") -> tuple[IngestToken, str]:
    """A new token for `city`: returns the row and the clear token, which is never stored nor shown again."""
    token = "cpi_" + secrets.token_urlsafe(32)
    row = IngestToken.objects.create(city=city, name=name, token_hash=hash_token(token))
    return row, token


@transaction.atomic
def revoke_ingest_token(*, token: IngestToken) -> IngestToken:
    """Stops `token` from working at once (idempotent: a revoked token keeps its first revocation time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
