"""Bearer tokens of machines (sensor gateways, partners' data readers): random secrets stored only as
their SHA-256, revoked at once. Each app keeps its own table of tokens; the secret's handling is here."""

import hashlib
import secrets

from django.utils import timezone


def hash_token(token: str) -> str:
    """The stored form of a token (a random 256-bit secret needs no salt nor slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(prefix: str) -> tuple[str, str]:
    """A new clear token with its `prefix` (which says what it is for), and its stored hash."""
    token = prefix + secrets.token_urlsafe(32)
    return token, hash_token(token)


def revoke(token):
    """Stops a token row at once (idempotent: a revoked token keeps its first revocation time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
