"""Harvesting: bringing a city's catalog in step with the catalogs it declares as sources.

A job reads the whole listing of one source first (`sources.read_source`), then applies it in one
transaction:

- a dataset seen for the first time is created (source `harvest`, its remote identifier, original
  publisher and landing page kept), with its distributions as remote URLs;
- a dataset already harvested is updated only when its record changed (a fingerprint of everything
  kept), and published again if it had been withdrawn;
- a harvested dataset the source no longer lists is withdrawn (`is_published` false; the row stays
  and comes back if the source lists it again).

Semantics when something goes wrong: a source that cannot be read whole (no answer, an HTTP error,
a page that is not valid RDF or JSON, too many pages) fails the job and changes nothing — nor does
a database error while applying, since the whole listing is applied in one transaction. A single
record that cannot be read is skipped and named in the job's errors (status `partial`); it is not
withdrawn. Every job is recorded (`HarvestJob`) whatever happens, and an error is never raised to
the caller, so that one bad source cannot stop the clock's run over the others.

Each publication, update after withdrawal and withdrawal is written to the audit log.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from citypocket.audit.services import record as audit
from citypocket.opendata.harvesting.sources import HarvestError, Listing, RemoteDataset, read_source
from citypocket.opendata.models import (
    Dataset,
    DatasetSource,
    Distribution,
    HarvestJob,
    HarvestSource,
    HarvestStatus,
)
from citypocket.opendata.registry import list_platform_datasets

logger = logging.getLogger(__name__)

MAX_ERRORS = 50  # errors kept on a job (and the count of the others)


def _slug(title: str, taken: set[str]) -> str:
    base = (slugify(title)[:70].strip("-") or "dataset")
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _distribution_code(fmt: str, used: set[str]) -> str:
    """The distribution's `format`, unique within its dataset (two CSV files are `csv` and `csv-2`)."""
    base = (fmt or "file")[:12]
    code, n = base, 1
    while code in used:
        n += 1
        code = f"{base}-{n}"
    used.add(code)
    return code


def _fill(dataset: Dataset, remote: RemoteDataset, now) -> None:
    dataset.title_fr, dataset.title_en = remote.title, remote.title_en
    dataset.description_fr, dataset.description_en = remote.description, remote.description_en
    dataset.keywords_fr, dataset.keywords_en = remote.keywords, remote.keywords_en
    dataset.licence = remote.licence
    dataset.accrual_periodicity = remote.accrual_periodicity or "IRREG"
    dataset.conforms_to = remote.conforms_to
    dataset.landing_page = remote.landing_page
    dataset.publisher_name = remote.publisher
    dataset.issued = remote.issued or dataset.issued or remote.modified
    dataset.modified = remote.modified or dataset.modified
    dataset.row_count = remote.row_count
    dataset.fingerprint = remote.fingerprint()
    dataset.synced_at = now
    dataset.is_published = True


def _distributions(dataset: Dataset, remote: RemoteDataset) -> list[Distribution]:
    used: set[str] = set()
    return [Distribution(dataset=dataset, format=_distribution_code(d.format, used), access_url=d.access_url,
                         download_url=d.download_url, media_type=d.media_type, byte_size=d.byte_size)
            for d in remote.distributions if d.access_url]


def apply_listing(source: HarvestSource, listing: Listing, job: HarvestJob, now) -> None:
    """Creates, updates and withdraws the source's datasets in the city's catalog (the caller's transaction)."""
    city = source.city
    existing = {d.source_uri: d for d in Dataset.objects.select_for_update().filter(harvest_source=source)}
    taken = set(Dataset.objects.filter(city=city).values_list("slug", flat=True))
    taken |= {definition.slug for definition in list_platform_datasets()}
    new_distributions: list[Distribution] = []
    replaced: list[int] = []
    for remote in listing.records:
        dataset = existing.get(remote.identifier)
        if dataset is not None and dataset.is_published and dataset.fingerprint == remote.fingerprint():
            job.unchanged += 1
            dataset.synced_at = now
            continue
        if dataset is None:
            dataset = Dataset(city=city, slug=_slug(remote.title, taken), source=DatasetSource.HARVEST,
                              harvest_source=source, source_uri=remote.identifier)
            _fill(dataset, remote, now)
            dataset.save()
            job.created += 1
            audit(actor=None, action="opendata.harvest.publish", obj=dataset,
                  detail={"source": source.pk, "job": job.pk})
        else:
            came_back = not dataset.is_published
            _fill(dataset, remote, now)
            dataset.save()
            replaced.append(dataset.pk)
            job.updated += 1
            if came_back:
                audit(actor=None, action="opendata.harvest.republish", obj=dataset,
                      detail={"source": source.pk, "job": job.pk})
        new_distributions += _distributions(dataset, remote)
    Distribution.objects.filter(dataset_id__in=replaced).delete()
    Distribution.objects.bulk_create(new_distributions, batch_size=1000)
    gone = [d for uri, d in existing.items() if uri not in listing.identifiers and d.is_published]
    for dataset in gone:
        dataset.is_published = False
        dataset.synced_at = now
        dataset.save(update_fields=["is_published", "synced_at"])
        audit(actor=None, action="opendata.harvest.withdraw", obj=dataset,
              detail={"source": source.pk, "job": job.pk})
    job.withdrawn = len(gone)
    unchanged = [d.pk for d in existing.values() if d.is_published and d.pk not in replaced and d not in gone]
    Dataset.objects.filter(pk__in=unchanged).update(synced_at=now)


def _errors(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_ERRORS:
        return messages
    return [*messages[:MAX_ERRORS], f"… and {len(messages) - MAX_ERRORS} more"]


def run_harvest(source: HarvestSource, *, client=None, now=None) -> HarvestJob:
    """One job over one source; always returns the job (failed, partial or done), never raises."""
    now = now or timezone.now()
    job = HarvestJob.objects.create(source=source, started_at=now)
    try:
        listing = read_source(source.kind, source.url, source_publisher=source.publisher_name or source.title,
                              client=client)
    except HarvestError as error:
        job.status, job.errors = HarvestStatus.FAILED, [str(error)]
    else:
        job.pages, job.seen = listing.pages, len(listing.records) + len(listing.skipped)
        try:
            with transaction.atomic():
                apply_listing(source, listing, job, now)
        except Exception as error:  # nothing applied: the transaction rolled back
            logger.exception("harvest of source %s could not be applied", source.pk)
            job.created = job.updated = job.unchanged = job.withdrawn = 0
            job.status, job.errors = HarvestStatus.FAILED, [f"could not be applied: {type(error).__name__}"]
        else:
            job.errors = _errors([f"{ident or '?'}: {why}" if ident and not why.startswith(ident) else why
                                  for ident, why in listing.skipped])
            job.status = HarvestStatus.PARTIAL if listing.skipped else HarvestStatus.DONE
    job.finished_at = timezone.now()
    job.save()
    HarvestSource.objects.filter(pk=source.pk).update(last_job=job)
    source.last_job = job
    logger.info("harvest of source %s: %s, %s created, %s updated, %s withdrawn, %s errors", source.pk, job.status,
                job.created, job.updated, job.withdrawn, len(job.errors))
    return job


def harvest_due_sources(*, schedule: str | None = None) -> list[HarvestJob]:
    """Runs every enabled source of an active city (only those of that schedule when given)."""
    sources = HarvestSource.objects.filter(enabled=True, city__is_active=True).select_related("city")
    if schedule:
        sources = sources.filter(schedule=schedule)
    return [run_harvest(source) for source in sources.order_by("pk")]
