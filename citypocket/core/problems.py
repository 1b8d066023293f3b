"""RFC 7807 problem details: the one error format of the API.

Domain code raises `DomainError` subclasses; the handlers registered on the API (core.api) and
the Django error views (core.views) turn every failure into `application/problem+json`.
"""

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://citypocket.org/problems/"

TITLES = {
    400: _("Bad request"),
    401: _("Authentication required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    413: _("Payload too large"),
    422: _("Invalid values"),
    429: _("Too many requests"),
    500: _("Internal error"),
    503: _("Service unavailable"),
}
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    422: "invalid-values",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 7807 problem document."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] | None = None


class DomainError(Exception):
    """Base of the small exception classes that services raise; mapped to a problem response."""

    status = 400
    slug = ""

    def __init__(self, detail: str = "", *, errors: list[dict] | None = None, retry_after: int | None = None):
        super().__init__(detail)
        self.detail = str(detail)
        self.errors = errors
        self.retry_after = retry_after


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class InvalidValues(DomainError):
    status = 422


class PayloadTooLarge(DomainError):
    status = 413


class Overloaded(DomainError):
    status = 503


def problem_response(
    status: int,
    detail: str = "",
    *,
    slug: str = "",
    title: str | None = None,
    errors: list[dict] | None = None,
    retry_after: int | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or SLUGS.get(status, "error")),
        "title": str(title or TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail),
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE)
    if retry_after is not None:
        response["Retry-After"] = str(int(retry_after))
    return response


def responses(ok: dict[int, Any], *statuses: int) -> dict[int, Any]:
    """An operation's `response=` mapping with the problem statuses it can answer."""
    declared = dict(ok)
    for status in statuses:
        declared[status] = Problem
    return declared


def validation_errors(errors: list[dict]) -> list[dict]:
    """Flattens pydantic/ninja error dicts into `{field, message}` pairs."""
    flat = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        flat.append({"field": ".".join(loc) or "__all__", "message": str(error.get("msg", "invalid"))})
    return flat
