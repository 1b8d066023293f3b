"""The one pagination: limit/offset pages by django-ninja's paginator, and one cursor codec."""

import base64
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import RequestFactory

from citypocket.cities.models import City
from citypocket.core.pagination import (
    PageIn,
    Presented,
    cursor_page,
    decode_cursor,
    encode_cursor,
    next_link,
    page_of,
)
from citypocket.core.problems import InvalidValues
from testsupport import assert_problem


def test_a_cursor_round_trips_typed_values_and_is_url_safe():
    """Times (back in UTC), UUIDs, integers and text with the separator come back as they went in."""
    moment = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    key = uuid.uuid4()
    cursor = encode_cursor(moment, key, -42, "a|b é/?")
    assert all(character.isalnum() or character in "-_" for character in cursor)
    decoded = decode_cursor(cursor, datetime, uuid.UUID, int, str)
    assert decoded == (moment, key, -42, "a|b é/?")
    assert decoded[0].utcoffset() == timedelta(0)


def test_cursors_of_the_former_codecs_still_decode():
    """Links handed out before the codecs merged (proposals: `time|uuid`; observations: `time`) still work."""
    key = uuid.UUID("4b3c1c1e-2b7a-4a7e-9d41-3c0f0a8f5a10")
    created = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    proposals = base64.urlsafe_b64encode(f"{created.isoformat()}|{key}".encode()).decode().rstrip("=")
    observations = base64.urlsafe_b64encode(created.isoformat().encode()).decode().rstrip("=")
    assert decode_cursor(proposals, datetime, uuid.UUID) == (created, key)
    assert decode_cursor(observations, datetime) == (created,)


@pytest.mark.parametrize("cursor", [
    "%%%",
    "nonsense",
    "é",
    encode_cursor(datetime(2026, 1, 1, tzinfo=UTC)),  # one value where two are expected
    base64.urlsafe_b64encode(b"2026-01-01T00:00:00|4b3c1c1e-2b7a-4a7e-9d41-3c0f0a8f5a10").decode(),  # naive
    base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|not-a-uuid").decode(),
])
def test_a_cursor_we_did_not_give_is_invalid_values_on_the_cursor_field(cursor):
    """Anything that does not decode to the expected values is a 422 problem naming `cursor`."""
    with pytest.raises(InvalidValues) as raised:
        decode_cursor(cursor, datetime, uuid.UUID)
    assert raised.value.status == 422
    assert raised.value.errors[0]["field"] == "cursor"


def test_cursor_page_reads_one_row_more_and_points_after_the_last_row_sent():
    """A next cursor only when a row is left; it holds the key of the last row of the page."""
    rows = [(n, f"row {n}") for n in range(5)]
    page = cursor_page(rows, limit=3, key=lambda row: (row[0],))
    assert page.items == rows[:3] and decode_cursor(page.next_cursor, int) == (2,)
    last = cursor_page(rows[3:], limit=3, key=lambda row: (row[0],))
    assert last.items == rows[3:] and last.next_cursor is None


def test_next_link_keeps_the_query_replaces_the_cursor_and_pins_values():
    """Absolute URL, same filters, the new cursor, pinned values, parameters in a stable order."""
    request = RequestFactory().get("/api/v1/things", {"z": "1", "cursor": "old", "tag": ["a", "b"]})
    link = next_link(request, "NEW", pinned={"from": "2026-01-01T00:00:00+00:00"})
    assert link == ("http://testserver/api/v1/things?cursor=NEW&from=2026-01-01T00%3A00%3A00%2B00%3A00"
                    "&tag=a&tag=b&z=1")
    assert next_link(request, None) is None


@pytest.mark.django_db
def test_presented_counts_and_slices_in_the_database_and_presents_the_page_only(rouen, aix):
    """`Presented` + the paginator: COUNT and LIMIT/OFFSET queries, the presenter on the page's items."""
    seen = []

    def present(city):
        seen.append(city.slug)
        return {"slug": city.slug}

    body = page_of(Presented(City.objects.order_by("slug"), present), PageIn(limit=1, offset=1))
    assert body == {"count": 2, "items": [{"slug": "rouen"}]}
    assert seen == ["rouen"]


@pytest.mark.django_db
def test_limit_offset_lists_page_and_count_everything(client, rouen, aix):
    """`limit`/`offset` page a list; `count` is the size of the whole collection."""
    first = client.get("/api/v1/cities", {"limit": 1}).json()
    second = client.get("/api/v1/cities", {"limit": 1, "offset": 1}).json()
    assert first["count"] == second["count"] == 2
    assert [item["slug"] for item in first["items"] + second["items"]] == ["aix-en-provence", "rouen"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}])
def test_a_limit_out_of_bounds_is_a_422_problem(client, rouen, query):
    """Limits are 1..NINJA_PAGINATION_MAX_LIMIT, offsets >= 0; anything else is refused, not clamped."""
    body = assert_problem(client.get("/api/v1/cities", query), 422)
    assert body["errors"][0]["field"] in {"limit", "offset"}


@pytest.mark.django_db
def test_an_offset_past_a_database_bigint_is_a_422_and_the_last_one_an_empty_page(client, rouen):
    """OFFSET is a bigint in the database: 2**63 used to reach it and answer 500; 2**63 - 1 pages past the end."""
    body = assert_problem(client.get("/api/v1/cities", {"offset": 2**63}), 422)
    assert body["errors"][0]["field"] == "offset"
    last = client.get("/api/v1/cities", {"offset": 2**63 - 1})
    assert last.status_code == 200
    assert last.json() == {"count": 1, "items": []}
