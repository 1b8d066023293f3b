"""How API lists page: the one way, for every app.

- A small collection pages with `?limit=&offset=` and answers `{"count", "items"}`: django-ninja's
  `LimitOffsetPagination` (as `LimitOffset`, the NINJA_PAGINATION_CLASS) through its `@paginate`
  decorator (`from ninja.pagination import paginate`), NINJA_PAGINATION_PER_PAGE items by default and
  at most NINJA_PAGINATION_MAX_LIMIT (settings); a limit out of bounds is a 422 problem. The
  view returns a QuerySet, or `Presented(queryset, present)` when each item is turned into a dict:
  the database counts and slices, and only the page is presented. An endpoint that adds a member to
  the page (`unread`) calls `page_of` instead, the same paginator.
- A list that grows without bound (observations, proposals) pages with a cursor: the sort key of the
  last item sent, encoded by `encode_cursor` as an opaque url-safe string, and a `next` link
  (`next_link`) that repeats the request with that cursor. A cursor that does not decode is a 422
  problem on the `cursor` field. Cursors survive inserts (no offset) and have no depth limit.
"""

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field
from ninja.pagination import LimitOffsetPagination

from citypocket.core.problems import InvalidValues

CursorValue = datetime | date | uuid.UUID | int | str
SEPARATOR = "|"


MAX_OFFSET = 2**63 - 1  # the database's OFFSET is a bigint: a larger one is a 422, not a database error
# A cursor is url-safe base64 (`encode_cursor`), far shorter than this; anything else is a 422.
CURSOR = {"max_length": 500, "pattern": r"^[A-Za-z0-9_-]+$", "description": "The cursor of a `next` link."}


class PageIn(LimitOffsetPagination.Input):
    """The `limit` and `offset` query parameters of a page."""

    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class LimitOffset(LimitOffsetPagination):
    """django-ninja's limit/offset paginator (NINJA_PAGINATION_CLASS), its parameters named `PageIn` in
    the OpenAPI document rather than a bare `Input`."""

    Input = PageIn


class Presented(Sequence):
    """A QuerySet whose items become API dicts only once the paginator has sliced it.

    django-ninja's paginator counts with `len()` and slices with `[offset:offset + limit]`: both go
    to the database (COUNT, LIMIT/OFFSET), and `present` runs on the page only.
    """

    def __init__(self, queryset: QuerySet, present: Callable[[Any], dict]):
        self.queryset = queryset
        self.present = present

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.present(item) for item in self.queryset[index]]
        return self.present(self.queryset[index])


def page_of(items: Sequence | QuerySet, page: PageIn) -> dict:
    """`{"count", "items"}` of one limit/offset page, by the paginator `@paginate` uses.

    For an endpoint whose answer has members besides the page, which the decorator would drop.
    """
    result = LimitOffset().paginate_queryset(items, pagination=page, request=None)
    result["items"] = list(result["items"])
    return result


def invalid_cursor() -> InvalidValues:
    return InvalidValues("Invalid cursor.", errors=[{"field": "cursor", "message": "not a cursor of a next link"}])


def _encode_value(value: CursorValue) -> str:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("a cursor time needs a UTC offset")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | int):
        return str(value)
    return quote(value, safe="")


def _decode_value(text: str, kind: type) -> CursorValue:
    if kind is datetime:
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is None:
            raise ValueError("naive time")
        return moment
    if kind is date:
        return date.fromisoformat(text)
    if kind is uuid.UUID:
        return uuid.UUID(text)
    if kind is int:
        if not text.lstrip("-").isdigit():
            raise ValueError("not an integer")
        return int(text)
    if kind is str:
        return unquote(text)
    raise TypeError(f"no cursor codec for {kind.__name__}")


def encode_cursor(*values: CursorValue) -> str:
    """An opaque, url-safe cursor holding these key values (times in UTC, text escaped)."""
    raw = SEPARATOR.join(_encode_value(value) for value in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple:
    """The key values of a cursor, typed as `kinds` (datetime, date, uuid.UUID, int, str), or a 422 problem."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        parts = raw.split(SEPARATOR)
        if len(parts) != len(kinds):
            raise ValueError("wrong number of values")
        return tuple(_decode_value(part, kind) for part, kind in zip(parts, kinds, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_cursor() from None


@dataclass(frozen=True)
class CursorPage:
    """One page of a cursor-paginated list; `next_cursor` is None on the last page."""

    items: list
    next_cursor: str | None


def cursor_page(rows: QuerySet | Sequence, *, limit: int, key: Callable[[Any], tuple]) -> CursorPage:
    """Reads `limit` + 1 rows (already ordered and filtered after the cursor): the extra one tells
    whether a next page exists without a COUNT; the cursor holds the `key` of the last row sent."""
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return CursorPage(items=page, next_cursor=None)
    return CursorPage(items=page[:limit], next_cursor=encode_cursor(*key(page[limit - 1])))


def next_link(request: HttpRequest, cursor: str | None, *, pinned: Mapping[str, str] | None = None) -> str | None:
    """Absolute URL of the next page: this request with `cursor` (and the `pinned` parameters, e.g. a
    default time window fixed on the first page) replaced; parameters sorted so that every client
    asks the same URL for the same page. None when there is no next page."""
    if cursor is None:
        return None
    query = request.GET.copy()
    for name, value in {**(pinned or {}), "cursor": cursor}.items():
        query[name] = value
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.lists()), doseq=True)
