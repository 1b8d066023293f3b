"""Verifying residents: census uploads, letter codes, and recording a verification."""

import csv
import io
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citypocket.core import throttling
from citypocket.participation import verifiers
from citypocket.participation.access import require_tier
from citypocket.participation.errors import VerificationFailed
from citypocket.participation.models import (
    CensusRecord,
    CensusUpload,
    LetterCode,
    ResidentVerification,
    Tier,
)

MAX_FAILED_ATTEMPTS_PER_DAY = 5
CENSUS_COLUMNS = ("last_name", "birth_date", "postcode")


@transaction.atomic
def import_census(*, city, file, uploaded_by=None) -> CensusUpload:
    """Replaces the city's census with the salted digests of `file` (CSV: last_name, birth_date, postcode).

    The file is read in memory and never written anywhere: only digests are stored. Columns are
    found by header name; ';' or ',' separated (French spreadsheets export ';'). An identity of the
    previous census that already verified an account stays used up in the new one (its digest
    under the old salt is computed again from the row, the only moment the identity is in clear).
    """
    raw = file.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {name.strip().lower(): name for name in (reader.fieldnames or [])}
    missing = [column for column in CENSUS_COLUMNS if column not in header]
    if missing:
        raise VerificationFailed(_("The census file must have the columns last_name, birth_date and postcode."))
    used_before = _used_census_records(city=city)
    CensusUpload.objects.filter(city=city).delete()
    upload = CensusUpload.objects.create(city=city, salt=secrets.token_hex(16), uploaded_by=uploaded_by)
    digests: dict[str, CensusRecord] = {}
    for row in reader:
        values = {column: (row.get(header[column]) or "").strip() for column in CENSUS_COLUMNS}
        if not all(values.values()) or not verifiers.normalise_birth_date(values["birth_date"]):
            continue
        record = CensusRecord(city=city, upload=upload, digest=verifiers.census_digest(salt=upload.salt, **values))
        for salt, used in used_before:
            previous = used.get(verifiers.census_digest(salt=salt, **values))
            if previous is not None:
                record.used_by_id, record.used_at = previous.used_by_id, previous.used_at
        digests.setdefault(record.digest, record)
    CensusRecord.objects.bulk_create(digests.values(), batch_size=2000)
    upload.row_count = len(digests)
    upload.save(update_fields=["row_count"])
    return upload


def _used_census_records(*, city) -> list[tuple[str, dict[str, CensusRecord]]]:
    """For each census upload of `city` that verified someone: its salt and its used records by digest."""
    salts: dict[int, str] = {}
    used: dict[int, dict[str, CensusRecord]] = {}
    for record in CensusRecord.objects.filter(city=city, used_at__isnull=False).select_related("upload"):
        salts[record.upload_id] = record.upload.salt
        used.setdefault(record.upload_id, {})[record.digest] = record
    return [(salts[upload_id], records) for upload_id, records in used.items()]


@transaction.atomic
def generate_letter_codes(*, city, count: int, created_by=None, valid_days: int = 90) -> list[str]:
    """Creates `count` one-time codes and returns them in clear, once, for printing on letters."""
    codes = ["".join(secrets.choice(verifiers.CODE_ALPHABET) for _ in range(10)) for _ in range(count)]
    expires_at = timezone.now() + timedelta(days=valid_days)
    LetterCode.objects.bulk_create(
        [LetterCode(city=city, digest=verifiers.code_digest(code), created_by=created_by, expires_at=expires_at)
         for code in codes]
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _attempts_key(*, city, user) -> str:
    """Failed attempts are counted per day of the city's calendar (the limit ends at local midnight)."""
    today = city.local_today()
    return f"participation:verify:{city.pk}:{user.pk}:{today:%Y-%m-%d}"


def verify_resident(*, city, user, method: str, data: dict) -> ResidentVerification:
    """Checks a proof of residency with the verifier of `method`; records the verification.

    Failed attempts are limited per person and day so that the census cannot be probed. A proof
    verifies one account only: another account giving it is refused (ProofAlreadyUsed).
    """
    require_tier(user=user, city=city, tier=Tier.ACCOUNT)
    existing = ResidentVerification.objects.filter(city=city, user=user).first()
    if existing is not None:
        return existing
    verifier = verifiers.get_verifier(method)
    if verifier is None:
        raise VerificationFailed(_("Unknown verification method."),
                                 errors=[{"field": "method", "message": _("Unknown verification method.")}])
    # Every attempt is counted before it is checked, atomically in the shared cache: parallel
    # attempts (several tabs, several web workers) cannot probe past the limit. A successful one
    # ends the verification, so the count is that of the failures.
    if throttling.count(_attempts_key(city=city, user=user), timeout=24 * 3600) > MAX_FAILED_ATTEMPTS_PER_DAY:
        raise VerificationFailed(_("Too many failed attempts today; try again tomorrow or contact the city."),
                                 retry_after=24 * 3600)
    if not verifier.check(city=city, data=data):
        raise VerificationFailed(_("These details do not match our records."))
    try:
        # The proof is used up in the transaction that records the verification: both or neither.
        with transaction.atomic():
            if verifier.consume is not None:
                verifier.consume(city=city, data=data, user=user)
            return ResidentVerification.objects.create(city=city, user=user, method=method, verified_at=timezone.now())
    except IntegrityError:
        return ResidentVerification.objects.get(city=city, user=user)
