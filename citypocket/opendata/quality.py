"""A dataset's metadata quality score, after the one data.gouv.fr (udata) shows: a few yes/no criteria a
reuser cares about, the score being the share of them met.

The criteria follow udata's (`Dataset.quality`): a description long enough to explain the data, a
licence (an open one), an update frequency that is declared and kept (the data last changed within
the expected period plus a grace), at least one open format, a schema the data conforms to, and
temporal and spatial coverage. udata checks the availability of remote files too; a platform dataset
is served by this install, so that criterion has no meaning here and is left out rather than given
for free. Harvested datasets can add it when their distributions are remote URLs.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.opendata import vocabularies as voc

# udata's threshold (QUALITY_DESCRIPTION_LENGTH): shorter descriptions rarely say where the data
# comes from, what a row is and how it is kept.
DESCRIPTION_MIN_LENGTH = 100

OPEN_LICENCES = {voc.LICENCE_OUVERTE_2, voc.ODBL}

# Non-proprietary, machine-readable formats (the 3rd star of the 5-star scale): our exports are all open.
OPEN_FORMATS = {"csv", "geojson", "json", "jsonl", "parquet", "xml", "ods", "txt", "tsv", "shp", "gpkg", "kml",
                "gtfs", "netcdf", "rdf", "ttl", "jsonld"}

# How long after the expected update a dataset still counts as kept up to date. The grace absorbs
# the catalog's own sync interval (15 minutes) and a sensor's ordinary silence; udata allows a
# similar margin per frequency.
EXPECTED_DELAY = {
    "CONT": dt.timedelta(hours=2),
    "HOURLY": dt.timedelta(hours=3),
    "DAILY": dt.timedelta(days=2),
    "WEEKLY": dt.timedelta(days=10),
    "MONTHLY": dt.timedelta(days=40),
    "ANNUAL": dt.timedelta(days=400),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    met: bool


@dataclass(frozen=True)
class Quality:
    criteria: tuple[Criterion, ...]

    @property
    def score(self) -> float:
        """Share of the criteria met, from 0 to 1 (two decimals)."""
        if not self.criteria:
            return 0.0
        return round(sum(c.met for c in self.criteria) / len(self.criteria), 2)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def update_kept(dataset, *, now: dt.datetime) -> bool:
    """The data changed within its declared period (plus a grace). "Irregular" promises no date, so,
    as udata does, it is kept once the data is published; an unknown frequency is never kept."""
    if dataset.modified is None:
        return False
    if dataset.accrual_periodicity == "IRREG":
        return True
    delay = EXPECTED_DELAY.get(dataset.accrual_periodicity)
    return delay is not None and now - dataset.modified <= delay


def compute_quality(dataset, *, now: dt.datetime | None = None) -> Quality:
    """The criteria of a catalog dataset (its distributions prefetched), in the active language."""
    now = now or timezone.now()
    formats = {d.format.lower() for d in dataset.distributions.all()}
    declared = dataset.accrual_periodicity not in ("", "UNKNOWN")
    criteria = (
        # The French description: French is the catalog's language, the English one may be a summary.
        Criterion("description", _("Description of at least 100 characters"),
                  len((dataset.description_fr or "").strip()) >= DESCRIPTION_MIN_LENGTH),
        Criterion("licence", _("Open licence"), dataset.licence in OPEN_LICENCES),
        Criterion("update_frequency", _("Update frequency declared"), declared),
        Criterion("update_kept", _("Update frequency kept"), update_kept(dataset, now=now)),
        Criterion("open_format", _("At least one open format"), bool(formats & OPEN_FORMATS)),
        Criterion("schema", _("Follows a published schema"),
                  bool(dataset.conforms_to or any(d.conforms_to for d in dataset.distributions.all()))),
        Criterion("temporal_coverage", _("Temporal coverage"), bool(dataset.temporal_start and dataset.temporal_end)),
        Criterion("spatial_coverage", _("Spatial coverage"), bool(dataset.city.bbox)),
    )
    return Quality(criteria)
