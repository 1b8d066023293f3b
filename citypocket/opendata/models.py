"""The open-data catalog of each city, after DCAT-AP 3.0.1: Catalog -> Dataset -> Distribution, and the
DataService (the row API) that serves the datasets.

The federation catalog (every city of the install) is not stored: it is the union of the city
catalogs, built when asked (`opendata.dcat`). Platform datasets (air, car parks, safety…) are
declared by their apps (`<app>/opendata.py`) and kept in step by `services.sync_platform_datasets`:
a catalog row is only what the catalog says about the data; the rows themselves stay in their app.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.opendata import vocabularies as voc

siren = RegexValidator(r"^\d{9}$", _("A SIREN number has 9 digits."))


class Catalog(models.Model):
    """What a city's catalog says about itself: title, publisher identity, contact point."""

    city = models.OneToOneField("cities.City", on_delete=models.CASCADE, related_name="data_catalog",
                                verbose_name=_("city"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"))
    publisher_siren = models.CharField(
        _("publisher SIREN"), max_length=9, blank=True, validators=[siren],
        help_text=_("The SIREN of the city or metropolis (directory of companies and administrations)."),
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"), blank=True,
                                      help_text=_("A shared mailbox, never a person's."))
    licence = models.URLField(_("default licence"), choices=voc.LICENCES, default=voc.LICENCE_OUVERTE_2)
    second_approval_required = models.BooleanField(
        _("second approval required"), default=False,
        help_text=_("A file is published only when a second data publisher, not the one who uploaded it, "
                    "approves it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("data catalog")
        verbose_name_plural = _("data catalogs")
        ordering = ["city"]

    def __str__(self) -> str:
        return self.title_fr


class DatasetSource(models.TextChoices):
    PLATFORM = "platform", _("Published by the platform")
    HARVEST = "harvest", _("Harvested from another catalog")
    UPLOAD = "upload", _("Uploaded by the city")


class DatasetAccess(models.TextChoices):
    PUBLIC = "public", _("Public: everyone")
    RESTRICTED = "restricted", _("Restricted: the city's staff and its partner cities")


class Dataset(models.Model):
    """One dataset of a city's catalog; `modified` moves when its data does, `issued` never moves.

    A restricted dataset is read only by the staff of its city and of its partner cities, and by
    read tokens of those cities (`opendata.access`); for everyone else it does not exist.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="datasets", verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=80)
    source = models.CharField(_("source"), max_length=16, choices=DatasetSource.choices,
                              default=DatasetSource.PLATFORM)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"))
    keywords_fr = models.JSONField(_("keywords (French)"), default=list, blank=True)
    keywords_en = models.JSONField(_("keywords (English)"), default=list, blank=True)
    themes = models.JSONField(_("EU data themes"), default=list, blank=True, help_text=_("Codes such as ENVI, TRAN."))
    hvd_category = models.CharField(_("high-value dataset category"), max_length=20, blank=True,
                                    choices=voc.HVD_CATEGORIES)
    licence = models.URLField(_("licence"), choices=voc.LICENCES, default=voc.LICENCE_OUVERTE_2)
    accrual_periodicity = models.CharField(_("update frequency"), max_length=10, choices=voc.FREQUENCIES,
                                           default="IRREG")
    conforms_to = models.URLField(_("conforms to"), blank=True, help_text=_("The schema the data follows."))
    provenance_fr = models.CharField(_("provenance (French)"), max_length=300, blank=True)
    provenance_en = models.CharField(_("provenance (English)"), max_length=300, blank=True)
    temporal_start = models.DateTimeField(_("temporal coverage from"), null=True, blank=True)
    temporal_end = models.DateTimeField(_("temporal coverage until"), null=True, blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True, editable=False,
                                   help_text=_("Changes whenever the data changes."))
    issued = models.DateTimeField(_("issued"), null=True, blank=True, help_text=_("First published."))
    modified = models.DateTimeField(_("modified"), null=True, blank=True, help_text=_("Data last changed."))
    is_published = models.BooleanField(_("published"), default=True)
    synced_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # Harvested datasets (source = harvest): where they come from and who publishes them.
    harvest_source = models.ForeignKey("HarvestSource", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="datasets", verbose_name=_("harvest source"))
    source_uri = models.CharField(_("identifier at the source"), max_length=500, blank=True,
                                  help_text=_("The IRI or identifier of the dataset in the harvested catalog."))
    landing_page = models.URLField(_("landing page"), max_length=500, blank=True,
                                   help_text=_("The dataset's page at its source."))
    publisher_name = models.CharField(_("original publisher"), max_length=300, blank=True)
    access = models.CharField(_("access"), max_length=12, choices=DatasetAccess.choices,
                              default=DatasetAccess.PUBLIC)
    partner_cities = models.ManyToManyField(
        "cities.City", related_name="partner_datasets", blank=True, verbose_name=_("partner cities"),
        help_text=_("Cities whose staff and read tokens may read this dataset when it is restricted."),
    )

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["city", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="opendata_dataset_unique_slug"),
            models.UniqueConstraint(fields=["harvest_source", "source_uri"], condition=Q(harvest_source__isnull=False),
                                    name="opendata_dataset_unique_harvested"),
            models.CheckConstraint(
                condition=Q(temporal_start__isnull=True) | Q(temporal_end__isnull=True)
                | Q(temporal_start__lte=models.F("temporal_end")),
                name="opendata_dataset_temporal_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city_id}/{self.slug}"

    @property
    def is_restricted(self) -> bool:
        return self.access == DatasetAccess.RESTRICTED

    @property
    def is_high_value(self) -> bool:
        return bool(self.hvd_category)

    @property
    def is_harvested(self) -> bool:
        return self.source == DatasetSource.HARVEST

    def title(self, language: str) -> str:
        """In that language; a harvested dataset described in one language only shows that one."""
        return (self.title_en or self.title_fr) if language == "en" else self.title_fr

    def description(self, language: str) -> str:
        return (self.description_en or self.description_fr) if language == "en" else self.description_fr


class Distribution(models.Model):
    """One downloadable form of a dataset (a whole-dataset export in one format)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions",
                                verbose_name=_("dataset"))
    format = models.CharField(_("format"), max_length=16, help_text=_("csv, geojson, jsonl, parquet."))
    conforms_to = models.URLField(_("conforms to"), blank=True)
    # A harvested distribution is remote: its URLs at the source, its media type and size as declared.
    access_url = models.URLField(_("access URL"), max_length=1000, blank=True)
    download_url = models.URLField(_("download URL"), max_length=1000, blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["dataset", "format"]
        constraints = [models.UniqueConstraint(fields=["dataset", "format"], name="opendata_distribution_unique")]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.format})"


class DataService(models.Model):
    """An API of a city that serves some of its datasets (the row API of every platform dataset)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="data_services",
                             verbose_name=_("city"))
    slug = models.SlugField(_("slug"), max_length=80)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    datasets = models.ManyToManyField(Dataset, related_name="services", blank=True, verbose_name=_("serves"))

    class Meta:
        verbose_name = _("data service")
        verbose_name_plural = _("data services")
        ordering = ["city", "slug"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="opendata_service_unique_slug")]

    def __str__(self) -> str:
        return f"{self.city_id}/{self.slug}"


class HarvestKind(models.TextChoices):
    CITYPOCKET = "citypocket", _("Another CityPocket catalog")
    DCAT = "dcat", _("DCAT-AP (Hydra paging)")
    CKAN = "ckan", _("CKAN (Action API)")
    ODS = "ods", _("OpenDataSoft (Explore API v2.1)")


class HarvestSource(models.Model):
    """A catalog a city (or the metropolis) takes datasets from; harvested by the clock every hour."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="harvest_sources",
                             verbose_name=_("city"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=HarvestKind.choices)
    url = models.URLField(_("URL"), max_length=500, help_text=_(
        "CityPocket and DCAT-AP: the catalog's URL; CKAN and OpenDataSoft: the portal's base URL."))
    publisher_name = models.CharField(_("publisher"), max_length=300, blank=True, help_text=_(
        "Used when the source names no publisher for a dataset."))
    enabled = models.BooleanField(_("enabled"), default=True)
    schedule = models.CharField(_("schedule"), max_length=10, default="hourly",
                                choices=[("hourly", _("Every hour")), ("daily", _("Every day")),
                                         ("manual", _("On demand only"))])
    last_job = models.ForeignKey("HarvestJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 editable=False, verbose_name=_("last job"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["city", "title"]
        constraints = [models.UniqueConstraint(fields=["city", "url"], name="opendata_harvest_source_unique_url")]

    def __str__(self) -> str:
        return self.title


class HarvestStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Done, some datasets skipped")
    FAILED = "failed", _("Failed, nothing changed")


class HarvestJob(models.Model):
    """One run of a source: what it created, updated and withdrew, and what went wrong."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="jobs",
                               verbose_name=_("source"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=HarvestStatus.choices,
                              default=HarvestStatus.RUNNING)
    pages = models.PositiveIntegerField(_("pages read"), default=0)
    seen = models.PositiveIntegerField(_("datasets at the source"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("harvest job")
        verbose_name_plural = _("harvest jobs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class TokenScope(models.TextChoices):
    READ_DATASETS = "datasets:read", _("Read the city's datasets, restricted ones included")


class DataAccessToken(models.Model):
    """A bearer token with which a partner's machine reads restricted datasets for one city.

    Only its SHA-256 is kept; it reads what the staff of its city may read (the city's own restricted
    datasets and those shared with it), when it holds the read scope and is not revoked.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="data_access_tokens",
                             verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True,
                              help_text=_("What the token may do: datasets:read."))
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("data access token")
        verbose_name_plural = _("data access tokens")
        ordering = ["city", "-created_at"]

    def __str__(self) -> str:
        return f"{self.city} · {self.name or self.token_hash[:8]}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in (self.scopes or [])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced by a newer version")


def version_file_path(version, filename: str) -> str:
    """Where a version's file is stored: per city and dataset, named by its number and checksum."""
    dataset = version.dataset
    return (f"opendata/uploads/{dataset.city.slug}/{dataset.slug}/"
            f"v{version.number}-{version.checksum[:12]}.{version.file_format}")


class DatasetVersion(models.Model):
    """One file uploaded by a city's data publisher for one of its datasets, with its validation report,
    its personal-data screen and where it stands: draft, in review, published, rejected, withdrawn or
    replaced. Every version is kept with its checksum; only the published one has rows."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions", verbose_name=_("dataset"))
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    byte_size = models.PositiveBigIntegerField(_("size (bytes)"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    schema_key = models.CharField(_("national schema"), max_length=100, blank=True,
                                  help_text=_("Empty when the publisher gave its own Table Schema."))
    schema_url = models.URLField(_("schema URL"), blank=True)
    table_schema = models.JSONField(_("Table Schema"))
    is_valid = models.BooleanField(_("valid"), default=False)
    report = models.JSONField(_("validation report"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    pii_findings = models.JSONField(_("personal-data findings"), default=list, blank=True)
    pii_override_reason = models.TextField(_("reason for publishing despite the personal-data screen"), blank=True)
    pii_override_at = models.DateTimeField(_("screen overridden at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="opendata_version_unique_number"),
            models.UniqueConstraint(fields=["dataset"], condition=Q(status="published"),
                                    name="opendata_version_one_published"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"

    @property
    def pii_blocked(self) -> bool:
        """True while the screen found personal data and no publisher overrode it with a reason."""
        return bool(self.pii_findings) and not self.pii_override_reason


class VersionEvent(models.Model):
    """Who did what to a version and when: submitted, overrode the screen, approved, rejected, withdrew.
    (The audit log holds the same events for the city's admins; these are the version's own history.)"""

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        SUBMITTED = "submitted", _("Submitted for review")
        OVERRIDE = "override", _("Personal-data screen overridden")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("version"))
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("version event")
        verbose_name_plural = _("version events")
        ordering = ["version", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.kind}"


class DatasetRow(models.Model):
    """One row of a published version, its cells as JSON keyed by field name (typed when read, after the
    version's Table Schema). The columns carry a `row_` prefix so that no field of a schema (`id`,
    `version`…) collides with them when rows are read as `values()`."""

    row_id = models.BigAutoField(primary_key=True)
    row_version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="rows",
                                    verbose_name=_("version"))
    row_line = models.PositiveIntegerField(_("line of the file"))
    row_data = models.JSONField(_("cells"))

    class Meta:
        verbose_name = _("dataset row")
        verbose_name_plural = _("dataset rows")
        ordering = ["row_version", "row_line"]
        constraints = [models.UniqueConstraint(fields=["row_version", "row_line"], name="opendata_row_unique_line")]

    def __str__(self) -> str:
        return f"{self.row_version} #{self.row_line}"
