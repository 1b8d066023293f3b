"""The sensor-data engine's model, after OGC SensorThings: Sensor -> Datastream -> Observation.

Observation is unique on (datastream, phenomenon_time): writing the same reading twice is a
no-op, which is what makes every transport (MQTT QoS 1 redelivery, HTTP retries, pollers)
idempotent. LatestObservation holds one row per datastream so that "now" never scans history.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SensorKind(models.TextChoices):
    AIR = "air", _("Air quality")
    PARKING = "parking", _("Parking")
    TRAFFIC = "traffic", _("Traffic")
    OTHER = "other", _("Other")


class Sensor(models.Model):
    """A station, car park, counter… that publishes observations for one city."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="sensors", verbose_name=_("city"))
    external_id = models.CharField(
        _("external id"), max_length=120, help_text=_("The id used by the feed, e.g. FR25036.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SensorKind.choices, default=SensorKind.OTHER)
    name = models.CharField(_("name"), max_length=200)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["city", "external_id"]
        # The sensors of one kind in a city (air stations, traffic counters) without reading the
        # thousands of others (car parks) a metropolis may have.
        indexes = [models.Index(fields=["city", "kind"], name="sensor_city_kind")]
        constraints = [
            models.UniqueConstraint(fields=["city", "external_id"], name="sensor_unique_external_id"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="sensor_lat_on_earth"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="sensor_lon_on_earth"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.name}"

    @property
    def simulated(self) -> bool:
        """The sensor's readings are simulated demo data (`metadata.simulated`, set by the demo loaders;
        `metadata.demo_history = "synthetic"` from earlier demos counts too), never a measurement."""
        metadata = self.metadata or {}
        return bool(metadata.get("simulated")) or metadata.get("demo_history") == "synthetic"


class Datastream(models.Model):
    """One observed property of one sensor, in one unit."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="datastreams", verbose_name=_("sensor"))
    property = models.CharField(_("property"), max_length=40, help_text=_("e.g. no2, pm25, available_spots."))
    unit = models.CharField(_("unit"), max_length=16, help_text=_("ug/m3, 1 (counts and fractions), veh/h."))

    class Meta:
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")
        ordering = ["sensor", "property"]
        constraints = [models.UniqueConstraint(fields=["sensor", "property"], name="datastream_unique_property")]

    def __str__(self) -> str:
        return f"{self.sensor.external_id}/{self.property} ({self.unit})"


class Observation(models.Model):
    """One value of one datastream at one instant (UTC).

    On PostgreSQL the table is partitioned by month of `phenomenon_time` (sensors/partitions.py):
    there the unique (datastream, phenomenon_time) key is the table's primary key and `id` has a
    plain index of each partition (a unique key must hold the partition key). `id` stays the
    published identifier of a measurement (open data); the model keeps it as its primary key.
    On SQLite the table is a plain one.
    """

    # No index of its own: the unique (datastream, phenomenon_time) index starts with it and serves
    # the foreign-key lookups, so each insert maintains one index fewer.
    datastream = models.ForeignKey(
        Datastream,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("datastream"),
        db_index=False,
    )
    phenomenon_time = models.DateTimeField(_("phenomenon time"))
    value = models.FloatField(_("value"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["datastream", "phenomenon_time"], name="observation_unique_time")
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.phenomenon_time:%Y-%m-%dT%H:%M:%SZ}={self.value}"


class ObservationSummary(models.Model):
    """Count, sum, minimum and maximum of a datastream's observations over one period (the roll-ups).

    Kept by the ingest door in the same statement as the observations it adds (only rows that
    were new count, so a replay adds nothing and a late reading lands in its own period). Series of
    hourly and daily means read these rows, never the raw observations. Their keys start with the
    datastream (the distribution column if the tables are ever sharded, see docs/architecture.md).
    """

    datastream = models.ForeignKey(
        Datastream, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("datastream")
    )
    count = models.PositiveIntegerField(_("count"))
    total = models.FloatField(_("sum"))
    minimum = models.FloatField(_("minimum"))
    maximum = models.FloatField(_("maximum"))

    class Meta:
        abstract = True

    @property
    def mean(self) -> float:
        return self.total / self.count


class ObservationHourly(ObservationSummary):
    """The roll-up of one UTC hour."""

    pk = models.CompositePrimaryKey("datastream", "hour")
    hour = models.DateTimeField(_("hour (UTC)"))

    class Meta:
        verbose_name = _("hourly observation summary")
        verbose_name_plural = _("hourly observation summaries")

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.hour:%Y-%m-%dT%H}: {self.count}"


class ObservationDaily(ObservationSummary):
    """The roll-up of one local day of the datastream's city."""

    pk = models.CompositePrimaryKey("datastream", "day")
    day = models.DateField(_("day (city time)"))

    class Meta:
        verbose_name = _("daily observation summary")
        verbose_name_plural = _("daily observation summaries")

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.day:%Y-%m-%d}: {self.count}"


class LatestObservation(models.Model):
    """The most recent observation of a datastream; only ever moves forward in time."""

    datastream = models.OneToOneField(
        Datastream, on_delete=models.CASCADE, primary_key=True, related_name="latest", verbose_name=_("datastream")
    )
    phenomenon_time = models.DateTimeField(_("phenomenon time"))
    value = models.FloatField(_("value"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("latest observation")
        verbose_name_plural = _("latest observations")

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.phenomenon_time:%Y-%m-%dT%H:%M:%SZ}={self.value}"


class DeadLetter(models.Model):
    """A rejected payload (or part of one), kept with where it came from and why it was refused."""

    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        related_name="dead_letters",
        null=True,
        blank=True,
        verbose_name=_("city"),
        help_text=_("Empty when the city could not be determined (e.g. an unknown MQTT topic)."),
    )
    source = models.CharField(_("source"), max_length=200)
    payload = models.TextField(_("payload"))
    reason = models.CharField(_("reason"), max_length=500)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class IngestToken(models.Model):
    """A bearer token that lets one machine push observations for one city; only its SHA-256 is kept."""

    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="ingest_tokens", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingest token")
        verbose_name_plural = _("ingest tokens")
        ordering = ["city", "-created_at"]

    def __str__(self) -> str:
        return f"{self.city} · {self.name or self.token_hash[:8]}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
