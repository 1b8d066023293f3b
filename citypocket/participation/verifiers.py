"""Pluggable residency verifiers: a small registry keyed by method.

A verifier checks a proof a person gives (`data`) against what the city holds, and answers yes or
no; the service `verify_resident` records the outcome. A proof that must verify one account only
also has `consume`, which the service calls in the transaction that records the verification: it
uses the proof up for that account, or raises `ProofAlreadyUsed`. Two ship here: a census match on
salted digests and a one-time code posted on a letter. Another city can register its own
(FranceConnect with an address claim, a library card…) with `register_verifier`.
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
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from citypocket.participation.errors import ProofAlreadyUsed
from citypocket.participation.models import CensusRecord, CensusUpload, LetterCode, VerificationMethod


@dataclass(frozen=True)
class Verifier:
    method: str
    label: Any
    fields: tuple[str, ...]
    check: Callable[..., bool]  # check(city=..., data=...) -> bool
    # consume(city=..., data=..., user=...): uses the proof up for `user`; raises ProofAlreadyUsed.
    consume: Callable[..., None] | None = None


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


def _census_records(*, city, data: dict):
    """The records of the city's current census matching the identity in `data` (none or one)."""
    upload = CensusUpload.objects.filter(city=city).order_by("-uploaded_at").first()
    if upload is None:
        return CensusRecord.objects.none()
    if not (normalise_name(data.get("last_name", "")) and normalise_birth_date(data.get("birth_date", ""))
            and normalise_postcode(data.get("postcode", ""))):
        return CensusRecord.objects.none()
    digest = census_digest(salt=upload.salt, last_name=data.get("last_name", ""),
                           birth_date=data.get("birth_date", ""), postcode=data.get("postcode", ""))
    return CensusRecord.objects.filter(upload=upload, digest=digest)


def check_census(*, city, data: dict) -> bool:
    return _census_records(city=city, data=data).exists()


def consume_census(*, city, data: dict, user) -> None:
    """Marks the matching census record as used by `user`; refuses a record another account used.

    One conditional UPDATE: of two accounts sending the same identity at once, one takes the
    record and the other finds it taken. A record whose account was erased stays used up.
    """
    records = _census_records(city=city, data=data)
    if records.filter(used_at__isnull=True).update(used_by=user, used_at=timezone.now()):
        return
    if not records.filter(used_by=user).exists():
        raise ProofAlreadyUsed(gettext(
            "This identity has already verified another account. If it is yours, ask the city to check it."))


# --- Letter code ---------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def normalise_code(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def code_digest(code: str) -> str:
    key = f"{settings.SECRET_KEY}:letter-code".encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def _usable_codes(*, city, data: dict):
    return LetterCode.objects.filter(city=city, digest=code_digest(data.get("code", "")), used_at__isnull=True,
                                     expires_at__gt=timezone.now())


def check_letter_code(*, city, data: dict) -> bool:
    return _usable_codes(city=city, data=data).exists()


def consume_letter_code(*, city, data: dict, user) -> None:
    """Uses the code up (one conditional UPDATE: of two people typing it at once, one gets it)."""
    if not _usable_codes(city=city, data=data).update(used_at=timezone.now()):
        raise ProofAlreadyUsed(gettext("This code has already been used."))


register_verifier(Verifier(method=VerificationMethod.CENSUS, label=_("Census match"),
                           fields=("last_name", "birth_date", "postcode"), check=check_census,
                           consume=consume_census))
register_verifier(Verifier(method=VerificationMethod.POSTAL_CODE, label=_("Code sent by post"),
                           fields=("code",), check=check_letter_code, consume=consume_letter_code))
