"""Encryption at rest for what could identify a reporter: exact place, time, free text, contact.

Keys come from the setting `SAFETY_ENCRYPTION_KEYS` (the environment variable of the same name,
comma-separated Fernet keys from `Fernet.generate_key()`, validated at start-up): the first one
encrypts, all of them decrypt. Rotation: prepend a new key, deploy, run
`citypocket rotate_safety_keys`, then drop the old key.

Without keys, the install is a DEBUG one (laptops, tests): settings.py refuses to start with DEBUG
off and no key, so that no production row is ever encrypted with a key derived from something
else. Here a development key is then derived from SECRET_KEY, with a loud warning.

Fernet tokens carry their creation time in clear. We stamp every token with the first second of
the current month instead of "now", so a database dump does not reveal when a report arrived.
"""

import base64
import hashlib
import hmac
import json
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)

_cache: dict[tuple[str, ...], MultiFernet] = {}


def development_key() -> bytes:
    """A Fernet key derived from SECRET_KEY, for DEBUG installs only."""
    digest = hashlib.sha256(("citypocket-safety-development-key:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def get_fernet() -> MultiFernet:
    """The MultiFernet of the configured keys (first = current), read at each use."""
    keys = tuple(settings.SAFETY_ENCRYPTION_KEYS)
    if not keys:
        marker = ("dev:" + settings.SECRET_KEY,)
        if marker not in _cache:
            logger.warning(
                "SAFETY_ENCRYPTION_KEYS is not set: safety reports are encrypted with a DEVELOPMENT key "
                "derived from SECRET_KEY. Never run like this in production."
            )
            _cache[marker] = MultiFernet([Fernet(development_key())])
        return _cache[marker]
    if keys not in _cache:
        try:
            _cache[keys] = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured("SAFETY_ENCRYPTION_KEYS holds an invalid Fernet key.") from error
    return _cache[keys]


def _month_start_timestamp() -> int:
    now = timezone.now()
    return int(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())


def encrypt_text(value: str) -> str:
    """A Fernet token (ASCII) for `value`; the empty string stays empty (nothing to hide)."""
    if not value:
        return ""
    # MultiFernet encrypts with its first (current) key.
    return get_fernet().encrypt_at_time(value.encode("utf-8"), _month_start_timestamp()).decode("ascii")


def decrypt_text(token: str) -> str:
    if not token:
        return ""
    try:
        return get_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        # Never include the token or any part of it in the message.
        raise ImproperlyConfigured("A safety field cannot be decrypted with the configured keys.") from error


def encrypt_json(value) -> str:
    return encrypt_text(json.dumps(value, separators=(",", ":"))) if value is not None else ""


def decrypt_json(token: str):
    return json.loads(decrypt_text(token)) if token else None


def rotate_token(token: str) -> str:
    """Re-encrypts `token` with the current (first) key, keeping its (month-start) timestamp."""
    if not token:
        return ""
    return get_fernet().rotate(token.encode("ascii")).decode("ascii")


def receipt_pepper() -> bytes:
    """The server secret mixed into receipt-code hashes (`SAFETY_RECEIPT_PEPPER`, else from SECRET_KEY)."""
    pepper = settings.SAFETY_RECEIPT_PEPPER
    if pepper:
        return pepper.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"citypocket-safety-receipt", hashlib.sha256).digest()


def hash_receipt(code: str) -> str:
    """HMAC-SHA256 of a normalised receipt code; only this is stored."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(receipt_pepper(), normalised.encode(), hashlib.sha256).hexdigest()
