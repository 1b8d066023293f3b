"""Publishing a city's own files: upload → report → review → published, then withdrawn or replaced.

Only the city's data publishers (and its city admins) act on its datasets. A version is checked when
it is uploaded (Table Schema report, personal-data screen) and can go to review only when valid and
when the screen found nothing or a publisher overrode it with a reason. When the city's catalog asks
for a second approval, the approver is another publisher than the one who uploaded it.

Publishing loads the rows (COPY on PostgreSQL, bulk inserts elsewhere) and switches the dataset to the
new version in one transaction: a failure leaves the previous version served and nothing half
written. Every upload, submission, override, publication, rejection and withdrawal is a
`VersionEvent` and an audit-log entry.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypocket.audit.services import record
from citypocket.cities.models import City, Role
from citypocket.cities.selectors import has_role
from citypocket.core.problems import Conflict, PermissionDenied
from citypocket.opendata import validation
from citypocket.opendata.models import (
    DataService,
    Dataset,
    DatasetRow,
    DatasetSource,
    DatasetVersion,
    Distribution,
    VersionEvent,
    VersionStatus,
)
from citypocket.opendata.national import get_national_schema
from citypocket.opendata.registry import get_platform_dataset
from citypocket.opendata.services import ROWS_SERVICE, ensure_catalog, formats_of
from citypocket.opendata.uploaded import definition_of

PUBLISHERS = (Role.DATA_PUBLISHER,)
LOAD_BATCH = 2000


def is_publisher(*, user, city: City) -> bool:
    """A data publisher of the city (city admins hold every role of their city)."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and has_role(
        user=user, city=city, roles=PUBLISHERS)


def _require_publisher(user, city: City) -> None:
    if not is_publisher(user=user, city=city):
        raise PermissionDenied(_("Only the city's data publishers can do this."))


def _event(version: DatasetVersion, kind: str, user, reason: str = "") -> None:
    VersionEvent.objects.create(version=version, kind=kind, actor=user if user.is_authenticated else None,
                                reason=reason)


def _audit(user, action: str, version: DatasetVersion, **detail) -> None:
    detail = {"dataset": version.dataset.slug, "version": version.number, "checksum": version.checksum, **detail}
    record(actor=user, action=action, obj=version, detail=detail,
           clear=[key for key in detail if key in ("dataset", "checksum", "reason", "status", "schema", "columns")])


@dataclass(frozen=True)
class NewDataset:
    slug: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str


def resolve_schema(*, schema_key: str, custom_schema: dict | None) -> tuple[dict, str, str]:
    """(descriptor, national key, conformsTo URL) of the schema the publisher picked."""
    if schema_key:
        national = get_national_schema(schema_key)
        if national is None:
            raise validation.FileRejected(_("Unknown national schema."))
        return national.descriptor, national.key, national.url
    if not custom_schema:
        raise validation.FileRejected(_("Pick a national schema or give your own Table Schema."))
    validation.load_schema(custom_schema)
    return custom_schema, "", ""


def upload_version(*, user, city: City, name: str, content: bytes, schema_key: str = "",
                   custom_schema: dict | None = None, dataset: Dataset | None = None,
                   new: NewDataset | None = None) -> DatasetVersion:
    """Stores a file as the next version of a dataset of the city (created when `new`), with its report
    and screen. Raises FileRejected (nothing stored) when the file or the schema cannot be checked."""
    _require_publisher(user, city)
    file_format = validation.detect_format(name, content)
    descriptor, key, url = resolve_schema(schema_key=schema_key, custom_schema=custom_schema)
    try:
        check = validation.validate(content, file_format, descriptor)
        findings = validation.screen(content, file_format)
    except validation.FileRejected:
        raise
    except Exception as error:  # frictionless or openpyxl on a broken file: the publisher's problem, said plainly
        raise validation.FileRejected(_("The file cannot be read: %(error)s") % {"error": type(error).__name__}) \
            from error
    checksum = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        if dataset is None:
            dataset = _create_dataset(city=city, new=new)
        elif dataset.city_id != city.pk or dataset.source != DatasetSource.UPLOAD:
            raise PermissionDenied(_("This dataset is not one of the city's uploaded datasets."))
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        latest = dataset.versions.order_by("-number").first()
        if latest is not None and latest.checksum == checksum and latest.status != VersionStatus.WITHDRAWN \
                and latest.table_schema == descriptor:
            raise validation.FileRejected(
                _("This file is the same as version %(number)s (same checksum).") % {"number": latest.number})
        number = (dataset.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = DatasetVersion(
            dataset=dataset, number=number, original_name=name[:200], file_format=file_format,
            byte_size=len(content), checksum=checksum, schema_key=key, schema_url=url, table_schema=descriptor,
            is_valid=check.valid, report=check.report, row_count=check.row_count, pii_findings=findings,
            created_by=user,
        )
        version.file.save(f"upload.{file_format}", ContentFile(content), save=False)
        version.save()
        _event(version, VersionEvent.Kind.UPLOADED, user)
        _audit(user, "opendata.version_uploaded", version, valid=check.valid, errors=len(check.errors),
               personal_data_findings=len(findings), schema=key or "custom")
    return version


def _create_dataset(*, city: City, new: NewDataset | None) -> Dataset:
    if new is None:
        raise validation.FileRejected(_("Choose a dataset or describe a new one."))
    slug = slugify(new.slug)[:80]
    if not slug:
        raise validation.FileRejected(_("Give the new dataset a short name (letters, digits, dashes)."))
    if get_platform_dataset(slug) is not None or Dataset.objects.filter(city=city, slug=slug).exists():
        raise validation.FileRejected(_("The city already has a dataset named %(slug)s.") % {"slug": slug})
    catalog = ensure_catalog(city=city)
    return Dataset.objects.create(
        city=city, slug=slug, source=DatasetSource.UPLOAD, title_fr=new.title_fr, title_en=new.title_en or new.title_fr,
        description_fr=new.description_fr, description_en=new.description_en or new.description_fr,
        licence=catalog.licence, is_published=False,
    )


def _locked(version: DatasetVersion) -> DatasetVersion:
    return DatasetVersion.objects.select_for_update().select_related("dataset", "dataset__city").get(pk=version.pk)


def override_screen(*, user, version: DatasetVersion, reason: str) -> DatasetVersion:
    """A publisher states why the columns the screen flagged are not personal data (kept, and audited)."""
    _require_publisher(user, version.dataset.city)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise validation.FileRejected(_("Explain in a sentence why these columns are not personal data."))
    with transaction.atomic():
        version = _locked(version)
        if not version.pii_findings or version.status not in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW):
            raise Conflict(_("There is nothing to override on this version."))
        version.pii_override_reason = reason[:2000]
        version.pii_override_at = timezone.now()
        version.save(update_fields=["pii_override_reason", "pii_override_at"])
        _event(version, VersionEvent.Kind.OVERRIDE, user, reason[:2000])
        _audit(user, "opendata.screen_override", version, reason=reason[:500],
               columns=", ".join(sorted({f["field"] for f in version.pii_findings}))[:300])
    return version


def _publishable(version: DatasetVersion) -> None:
    if not version.is_valid:
        raise Conflict(_("The file has errors: fix them and upload it again."))
    if version.pii_blocked:
        raise Conflict(_("The personal-data screen blocks this file: remove the columns, or override with a "
                         "reason."))


def submit_for_review(*, user, version: DatasetVersion) -> DatasetVersion:
    _require_publisher(user, version.dataset.city)
    with transaction.atomic():
        version = _locked(version)
        if version.status != VersionStatus.DRAFT:
            raise Conflict(_("Only a draft can be submitted for review."))
        _publishable(version)
        version.status = VersionStatus.IN_REVIEW
        version.submitted_at = timezone.now()
        version.save(update_fields=["status", "submitted_at"])
        _event(version, VersionEvent.Kind.SUBMITTED, user)
        _audit(user, "opendata.version_submitted", version)
    return version


def may_approve(*, user, version: DatasetVersion) -> bool:
    """Whether `user` may approve this version now (a second publisher when the city asks for one)."""
    if not is_publisher(user=user, city=version.dataset.city) or version.status != VersionStatus.IN_REVIEW:
        return False
    catalog = ensure_catalog(city=version.dataset.city)
    return not (catalog.second_approval_required and version.created_by_id == user.pk)


def approve(*, user, version: DatasetVersion) -> DatasetVersion:
    """Publishes a version in review: its rows loaded, the previous version replaced, in one transaction."""
    _require_publisher(user, version.dataset.city)
    with transaction.atomic():
        version = _locked(version)
        if version.status != VersionStatus.IN_REVIEW:
            raise Conflict(_("Only a version in review can be published."))
        _publishable(version)
        if not may_approve(user=user, version=version):
            raise PermissionDenied(_("This city asks for a second publisher: someone else must approve your file."))
        dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)
        previous = list(dataset.versions.filter(status=VersionStatus.PUBLISHED))
        for old in previous:
            DatasetRow.objects.filter(row_version=old).delete()
            old.status = VersionStatus.REPLACED
            old.save(update_fields=["status"])
        count = load_rows(version)
        now = timezone.now()
        version.status = VersionStatus.PUBLISHED
        version.reviewed_at = version.published_at = now
        version.row_count = count
        version.save(update_fields=["status", "reviewed_at", "published_at", "row_count"])
        _serve(dataset, version, now=now)
        _event(version, VersionEvent.Kind.PUBLISHED, user)
        _audit(user, "opendata.publication", version, rows=count,
               replaced=previous[0].number if previous else None)
    return version


def reject(*, user, version: DatasetVersion, reason: str = "") -> DatasetVersion:
    _require_publisher(user, version.dataset.city)
    with transaction.atomic():
        version = _locked(version)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW):
            raise Conflict(_("Only a draft or a version in review can be rejected."))
        version.status = VersionStatus.REJECTED
        version.reviewed_at = timezone.now()
        version.review_note = (reason or "").strip()[:2000]
        version.save(update_fields=["status", "reviewed_at", "review_note"])
        _event(version, VersionEvent.Kind.REJECTED, user, version.review_note)
        _audit(user, "opendata.version_rejected", version, reason=version.review_note[:500])
    return version


def withdraw(*, user, version: DatasetVersion, reason: str) -> DatasetVersion:
    """Takes a published version offline: its rows deleted, the dataset out of the catalog."""
    _require_publisher(user, version.dataset.city)
    reason = (reason or "").strip()
    if not reason:
        raise validation.FileRejected(_("Say why the dataset is withdrawn."))
    with transaction.atomic():
        version = _locked(version)
        if version.status != VersionStatus.PUBLISHED:
            raise Conflict(_("Only the published version can be withdrawn."))
        DatasetRow.objects.filter(row_version=version).delete()
        version.status = VersionStatus.WITHDRAWN
        version.withdrawn_at = timezone.now()
        version.withdrawal_reason = reason[:2000]
        version.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        dataset = version.dataset
        dataset.is_published = False
        dataset.row_count = 0
        dataset.modified = version.withdrawn_at
        dataset.save(update_fields=["is_published", "row_count", "modified"])
        _event(version, VersionEvent.Kind.WITHDRAWN, user, reason[:2000])
        _audit(user, "opendata.withdrawal", version, reason=reason[:500])
    return version


# --- Loading the rows.

def load_rows(version: DatasetVersion) -> int:
    """Writes the version's rows (in the caller's transaction); COPY on PostgreSQL."""
    with version.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != version.checksum:
        raise Conflict(_("The stored file does not match its checksum; upload it again."))
    rows = validation.read_rows(content, version.file_format, version.table_schema)
    if connection.vendor == "postgresql":
        return _copy(version, rows)
    count, batch = 0, []
    for line, data in rows:
        batch.append(DatasetRow(row_version=version, row_line=line, row_data=data))
        if len(batch) == LOAD_BATCH:
            DatasetRow.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    DatasetRow.objects.bulk_create(batch)
    return count + len(batch)


def _copy(version: DatasetVersion, rows) -> int:
    table = connection.ops.quote_name(DatasetRow._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} (row_version_id, row_line, row_data) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for line, data in rows:
                copy.write_row((version.pk, line, json.dumps(data, ensure_ascii=False)))
                count += 1
    return count


def _serve(dataset: Dataset, version: DatasetVersion, *, now) -> None:
    """The dataset as the catalog shows it after a publication: size, schema, dates, distributions."""
    definition = definition_of(version)
    dataset.row_count = version.row_count
    dataset.fingerprint = version.checksum
    dataset.conforms_to = version.schema_url
    dataset.modified = now
    dataset.issued = dataset.issued or now
    dataset.is_published = True
    dataset.synced_at = now
    dataset.save()
    formats = formats_of(definition)
    dataset.distributions.exclude(format__in=formats).delete()
    for code in formats:
        Distribution.objects.update_or_create(dataset=dataset, format=code, defaults={
            "conforms_to": version.schema_url if code == "csv" else ""})
    service, _created = DataService.objects.get_or_create(city=dataset.city, slug=ROWS_SERVICE, defaults={
        "title_fr": f"API des données de {dataset.city.official_name}",
        "title_en": f"Data API of {dataset.city.official_name}",
    })
    service.datasets.add(dataset)


def list_city_datasets(*, city: City):
    return Dataset.objects.filter(city=city, source=DatasetSource.UPLOAD).order_by("slug")
