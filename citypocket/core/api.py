"""The JSON API: one NinjaAPI under /api/v1/, assembled from each domain app's router.

Every error leaves as RFC 7807 problem+json (see core.problems).
"""

import logging
from importlib import import_module

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from citypocket.core import geojson
from citypocket.core.problems import (
    DomainError,
    Problem,
    document_problems,
    problem_components,
    problem_response,
    validation_errors,
)
from citypocket.core.throttling import read_throttle

logger = logging.getLogger(__name__)


class CityPocketAPI(NinjaAPI):
    """NinjaAPI that documents every error as problem+json and serves GeoJSON as `application/geo+json`.

    Errors: each operation declares the problem statuses only it can give (`problems.responses`);
    `problems.document_problems` adds those every operation can give (400, 414, 429, and 404, 413,
    422 where they apply) and documents them all as `application/problem+json` with the Problem
    schema, which django-ninja, with one media type for the whole API, cannot say by itself.

    GeoJSON: RFC 7946 registers that media type; whatever app returns a FeatureCollection
    (core.geojson builds them), its answer and its OpenAPI response carry the GeoJSON media type.
    """

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            response["Content-Type"] = geojson.MEDIA_TYPE
        return response

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in components:  # referenced by every error answer, declared by an operation or not
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(problem.pop("$defs", {}))
            components["Problem"] = problem
        schema["components"]["responses"] = problem_components()
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                document_problems(method, operation)
                for answer in operation.get("responses", {}).values():
                    content = answer.get("content", {})
                    ref = content.get(self.renderer.media_type, {}).get("schema", {}).get("$ref", "")
                    declared = components.get(ref.rpartition("/")[2], {})
                    if declared.get("properties", {}).get("type", {}).get("const") == "FeatureCollection":
                        content[geojson.MEDIA_TYPE] = content.pop(self.renderer.media_type)
        return schema


api = CityPocketAPI(
    title="CityPocket API",
    version="1.0.0",
    description=(
        "Open API of the CityPocket citizen platform. Everything a city owns lives under "
        "`/api/v1/cities/{city}/…`. Errors are RFC 7807 `application/problem+json`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=read_throttle(),
)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return problem_response(422, "Some values are invalid.", errors=validation_errors(exc.errors))


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    wait = int(exc.wait) + 1 if exc.wait else 60
    return problem_response(429, "Too many requests; retry later.", retry_after=wait)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc: AuthenticationError):
    response = problem_response(401, "Valid credentials are required.")
    response["WWW-Authenticate"] = 'Bearer realm="citypocket"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem_response(404, "No such resource.")


@api.exception_handler(DjangoPermissionDenied)
def on_django_permission_denied(request, exc):
    return problem_response(403, "You may not do this.")


@api.exception_handler(SuspiciousOperation)
def on_suspicious_operation(request, exc: SuspiciousOperation):
    """Django's refusals of a request (most are answered by core.guards before the API runs): a 4xx."""
    if isinstance(exc, RequestDataTooBig):
        return problem_response(413, "The body is too large.")
    return problem_response(400, "The request was refused.")


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return problem_response(exc.status, exc.detail, slug=exc.slug, errors=exc.errors, retry_after=exc.retry_after)


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    logger.exception("unhandled API error")
    return problem_response(500, "An unexpected error occurred.")


def _mount_routers() -> None:
    """Adds `<app>.api.router` of every installed CityPocket app, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("citypocket."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)


_mount_routers()
