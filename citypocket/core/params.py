"""The parameters the API's operations share, with the limits the server enforces.

Declared once here and used in every signature, so that the OpenAPI document states each limit and
pydantic enforces it: a value outside is a 422 problem, never a database error (an id past a
bigint used to reach PostgreSQL and fail there) nor a 404 for something that cannot exist.
"""

from typing import Annotated

from ninja import Path

MAX_ID = 2**63 - 1  # a database bigint (PostgreSQL and SQLite): no row has a larger id
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # Django's SlugField (validate_slug)

CitySlug = Annotated[
    str, Path(max_length=60, pattern=SLUG_PATTERN, description="The city's slug, e.g. `rouen`.")
]
"""`{city}` of every path under /api/v1/cities/ (City.slug)."""

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A database id in a path."""
