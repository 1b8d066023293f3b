"""Fetching an event feed over HTTP and importing it (what the `import_event_feed` task runs)."""

import httpx
from django.utils import timezone

from citypocket.cityinfo.agenda_imports import ParsedEvents, parse_ical, parse_openagenda
from citypocket.cityinfo.imports import Rejected
from citypocket.cityinfo.models import EventFeed, FeedFormat
from citypocket.cityinfo.services import ImportSummary, import_events

MAX_BYTES = 10 * 1024 * 1024  # a city's agenda export is a few megabytes at most
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


def _download(url: str) -> bytes:
    with httpx.stream("GET", url, timeout=TIMEOUT, follow_redirects=True,
                      headers={"User-Agent": "CityPocket event import"}) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES} bytes")
        return bytes(body)


def import_feed(*, feed: EventFeed) -> ImportSummary:
    """Downloads the feed and imports its events; a failed download is recorded, never raised."""
    try:
        body = _download(feed.url)
    except (httpx.HTTPError, ValueError) as error:
        summary = ImportSummary(rejected=[Rejected("feed", f"download failed: {type(error).__name__}")])
    else:
        parsed: ParsedEvents = (parse_openagenda(body) if feed.format == FeedFormat.OPENAGENDA
                                else parse_ical(body, zone=feed.city.zone))
        summary = import_events(city=feed.city, parsed=parsed, source=feed.source, note=feed.name)
    feed.last_run_at = timezone.now()
    feed.last_result = str(summary)[:300]
    feed.save(update_fields=["last_run_at", "last_result"])
    return summary
