"""Idempotency keys for the citizen forms that can be sent from a draft kept offline.

A device that writes a harassment report, a survey answer, a proposal or a comment without a
connection keeps it and sends it later, possibly twice (Background Sync and the page both retry, a
connection drops after the server wrote but before the answer arrived). Each draft carries a UUID
made on the device (`idempotency_key` form field, or the `Idempotency-Key` header). The first post
with a key runs the view and keeps its successful answer; any later post with the same key, scope
and owner gets that same answer back, and nothing is written twice. A database unique constraint is
the last line of defence: two posts racing with one key write one row, the loser's writes are rolled
back and it answers with the winner's answer.

Posts without a key (forms without JavaScript) run as before.
"""

import base64
import hashlib
import json
import os
import uuid
from datetime import timedelta
from functools import wraps

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from citypocket.core.models import IdempotentAnswer

FORM_FIELD = "idempotency_key"
HEADER = "HTTP_IDEMPOTENCY_KEY"
# A draft can wait on a device for days (a phone left offline); a month covers it with room to spare.
RETENTION = timedelta(days=30)
# The headers an answer needs to be the same answer again (a receipt page, a redirect).
KEPT_HEADERS = ("Content-Type", "Location")


def read_key(request: HttpRequest) -> str | None:
    """The idempotency key of a POST, normalised, or None when absent or not a UUID (then ignored)."""
    raw = request.POST.get(FORM_FIELD) or request.META.get(HEADER) or ""
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def _digest(*, scope: str, owner: str, key: str) -> str:
    # A UUID4 holds 122 random bits: a plain hash cannot be reversed, and needs no secret that a
    # key rotation would change (which would let a replay through).
    return hashlib.sha256(f"citypocket-idempotency|{scope}|{owner}|{key}".encode()).hexdigest()


def _cipher(key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"citypocket-idempotency-seal|{key}".encode()).digest())


def _seal(key: str, response: HttpResponse) -> str:
    answer = {
        "status": response.status_code,
        "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        "body": base64.b64encode(response.content).decode(),
    }
    nonce = os.urandom(12)
    sealed = _cipher(key).encrypt(nonce, json.dumps(answer).encode(), None)
    return base64.b64encode(nonce + sealed).decode()


def _unseal(key: str, sealed: str) -> HttpResponse:
    raw = base64.b64decode(sealed)
    answer = json.loads(_cipher(key).decrypt(raw[:12], raw[12:], None))
    response = HttpResponse(base64.b64decode(answer["body"]), status=answer["status"])
    for name, value in answer["headers"].items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _is_success(response: HttpResponse) -> bool:
    # The forms answer success with 201 (a receipt) or a redirect; a form shown again with its
    # errors (200, 4xx) is not kept, so that the same draft can be corrected and sent again.
    return response.status_code == 201 or 300 <= response.status_code < 400


def idempotent_post(scope: str):
    """Makes a form view answer a repeated POST (same key, scope and person) with its first answer."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            key = read_key(request) if request.method == "POST" else None
            if key is None:
                return view(request, *args, **kwargs)
            owner = str(request.user.pk) if getattr(request, "user", None) and request.user.is_authenticated else ""
            digest = _digest(scope=scope, owner=owner, key=key)
            kept = IdempotentAnswer.objects.filter(scope=scope, key_digest=digest).first()
            if kept is not None:
                return _unseal(key, kept.sealed_answer)
            try:
                with transaction.atomic():
                    response = view(request, *args, **kwargs)
                    if _is_success(response):
                        IdempotentAnswer.objects.create(scope=scope, key_digest=digest,
                                                        sealed_answer=_seal(key, response))
            except IntegrityError:
                # The same key won a race in another request: this one's writes are rolled back.
                kept = IdempotentAnswer.objects.filter(scope=scope, key_digest=digest).first()
                if kept is None:
                    raise
                return _unseal(key, kept.sealed_answer)
            return response

        return wrapper

    return decorate


def purge_idempotent_answers() -> int:
    """Forgets answers older than RETENTION; the number forgotten."""
    deleted, _per_model = IdempotentAnswer.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted
