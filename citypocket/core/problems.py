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
    414: _("URI too long"),
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
    414: "uri-too-long",
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
    """An operation's `response=` mapping with the problem statuses only it can answer (401, 403, 409,
    503, a 404 or 422 of its own…). Those every operation can give are added to its OpenAPI document by
    `document_problems`."""
    declared = dict(ok)
    for status in statuses:
        declared[status] = Problem
    return declared


PROBLEM_REF = "#/components/schemas/Problem"
SAFE_METHODS = ("get", "head", "options", "trace")
# Each problem status the API answers: its name among the OpenAPI document's components.responses
# and what it means, whichever operation gives it.
PROBLEM_RESPONSES = {
    400: ("BadRequest", "Malformed request: a NUL character, an unreadable query string, form or JSON body."),
    401: ("Unauthorized", "Credentials are missing or not valid."),
    403: ("Forbidden", "The credentials may not do this (or the CSRF token is missing or wrong)."),
    404: ("NotFound", "No such resource, or one the caller may not know exists."),
    409: ("Conflict", "The request conflicts with the state of the resource."),
    413: ("PayloadTooLarge", "The body is larger than the server accepts."),
    414: ("UriTooLong", "The path and query string are too long."),
    422: ("InvalidValues", "Some values are invalid: `errors` lists each field and its message."),
    429: ("TooManyRequests", "Too many requests; retry after `Retry-After` seconds."),
    503: ("Unavailable", "Temporarily unavailable; retry after `Retry-After` seconds."),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def problem_components() -> dict[str, dict]:
    """`components.responses` of the OpenAPI document: one problem+json response per status."""
    components = {}
    for status, (name, description) in PROBLEM_RESPONSES.items():
        answer: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        }
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER
        components[name] = answer
    return components


def problem_statuses(method: str, operation: dict) -> set[int]:
    """The problem statuses any operation of this shape can answer, whatever its view does.

    Every request: 400 (core.guards refuses NUL characters and unreadable query strings), 414 (a
    path and query string over core.guards.MAX_REQUEST_LINE) and 429 (the API-wide read limit, or
    the operation's own). A path parameter can name nothing: 404. A parameter or a body can be
    invalid: 422. A body can be too large (413), whatever the operation declares.
    """
    statuses = {400, 414, 429}
    parameters = operation.get("parameters", [])
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if method.lower() not in SAFE_METHODS:
        statuses.add(413)
    return statuses


def document_problems(method: str, operation: dict) -> None:
    """Completes one OpenAPI operation with every problem answer it can give: those it declared
    (`responses`) and those of `problem_statuses`, each a reference to its problem+json response."""
    answers = operation.setdefault("responses", {})
    declared = {int(status) for status in answers if int(status) >= 400}
    for status in sorted(declared | problem_statuses(method, operation)):
        if status not in PROBLEM_RESPONSES:
            raise ValueError(f"{operation.get('operationId')}: no problem response is defined for {status}")
        answers.pop(str(status), None)
        answers[status] = {"$ref": "#/components/responses/" + PROBLEM_RESPONSES[status][0]}


def validation_errors(errors: list[dict]) -> list[dict]:
    """Flattens pydantic/ninja error dicts into `{field, message}` pairs."""
    flat = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        flat.append({"field": ".".join(loc) or "__all__", "message": str(error.get("msg", "invalid"))})
    return flat
