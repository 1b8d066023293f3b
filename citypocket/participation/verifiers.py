"""Pluggable residency verifiers: a small registry keyed by method.

A verifier checks a proof a person gives (`data`) against what the city holds, and answers yes or
no; the service `verify_resident` records the outcome. Two ship here: a census match on salted
digests and a one-time code posted on a letter. Another city can register its own (FranceConnect
with an address claim, a library card…) with `register_verifier`.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.participation.models import CensusRecord, CensusUpload, LetterCode, VerificationMethod


@dataclass(frozen=True)
class Verifier:
    method: str
    label: Any
    fields: tuple[str, ...]
    check: Callable[..., bool]  # check(city=..., data=...) -> bool


_registry: dict[str, Verifier] = {}


def register_verifier(verifier: Verifier) -> None:
    _registry[verifier.method] = verifier


def get_verifier(method: str) -> Verifier | None:
    return _registry.get(method)


def list_verifiers() -> list[Verifier]:
    return list(_registry.values())


# --- Census --------------------------------------------------------------------------------------

def normalise_name(value: str) -> str:
    """'  Lefèvre-Dupont ' -> 'LEFEVREDUPONT': accents, case, spaces and hyphens do not matter."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return re.sub(r"[^A-Z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).upper())


def normalise_birth_date(value: str | date) -> str:
    """ISO date from '1980-03-07', '07/03/1980' or a date; '' when it cannot be read."""
    if isinstance(value, date):
        return value.isoformat()
    value = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return ""


def normalise_postcode(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def census_digest(*, salt: str, last_name: str, birth_date: str | date, postcode: str) -> str:
    """HMAC-SHA256 keyed with the server secret and the upload's salt: not reversible, not linkable."""
    identity = "|".join([normalise_name(last_name), normalise_birth_date(birth_date), normalise_postcode(postcode)])
    key = f"{settings.SECRET_KEY}:census:{salt}".encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


def check_census(*, city, data: dict) -> bool:
    upload = CensusUpload.objects.filter(city=city).order_by("-uploaded_at").first()
    if upload is None:
        return False
    if not (normalise_name(data.get("last_name", "")) and normalise_birth_date(data.get("birth_date", ""))
            and normalise_postcode(data.get("postcode", ""))):
        return False
    digest = census_digest(salt=upload.salt, last_name=data.get("last_name", ""),
                           birth_date=data.get("birth_date", ""), postcode=data.get("postcode", ""))
    return CensusRecord.objects.filter(upload=upload, digest=digest).exists()


# --- Letter code ---------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def normalise_code(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def code_digest(code: str) -> str:
    key = f"{settings.SECRET_KEY}:letter-code".encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def check_letter_code(*, city, data: dict) -> bool:
    """True once per code: the code is used up in the same transaction that accepts it."""
    digest = code_digest(data.get("code", ""))
    with transaction.atomic():
        code = LetterCode.objects.select_for_update().filter(city=city, digest=digest, used_at__isnull=True,
                                                             expires_at__gt=timezone.now()).first()
        if code is None:
            return False
        code.used_at = timezone.now()
        code.save(update_fields=["used_at"])
    return True


register_verifier(Verifier(method=VerificationMethod.CENSUS, label=_("Census match"),
                           fields=("last_name", "birth_date", "postcode"), check=check_census))
register_verifier(Verifier(method=VerificationMethod.POSTAL_CODE, label=_("Code sent by post"),
                           fields=("code",), check=check_letter_code))
