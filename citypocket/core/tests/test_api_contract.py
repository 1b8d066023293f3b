"""The OpenAPI document is valid, complete, and matches the committed snapshot (docs/openapi.json).

schemathesis checks the live server against the document (`make contract`, scripts/contract.py); these
tests check the document itself: OpenAPI 3.1, one shape per schema name, every error documented.
"""

import json
import types
import typing
from collections import defaultdict
from pathlib import Path

import pytest
from ninja import NinjaAPI, Schema
from openapi_spec_validator import OpenAPIV31SpecValidator
from pydantic import BaseModel

from citypocket.core.api import api
from citypocket.core.problems import PROBLEM_CONTENT_TYPE, PROBLEM_REF, PROBLEM_RESPONSES

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def current_schema() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True, default=str))


def test_openapi_document_matches_the_committed_snapshot():
    """Any change to the public API shows up as a diff of docs/openapi.json (run `make openapi`)."""
    assert SNAPSHOT.exists(), "docs/openapi.json is missing: run `make openapi`"
    committed = json.loads(SNAPSHOT.read_text())
    assert current_schema() == committed, "The API changed: review it and run `make openapi`."


def test_every_operation_has_an_id_a_summary_and_declares_its_errors():
    """Stable operation ids, plain summaries, and problem+json responses declared where they can occur."""
    seen = set()
    for path, operations in current_schema()["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), (method, path)
            assert operation["operationId"] not in seen, operation["operationId"]
            seen.add(operation["operationId"])
            assert operation.get("summary"), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


@pytest.mark.django_db
def test_openapi_json_and_docs_are_served_without_a_cdn(client):
    """/api/v1/openapi.json is OpenAPI 3; /api/v1/docs loads its assets from this server."""
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_openapi_document_is_valid_openapi_3():
    """The served document passes a full OpenAPI 3 validation."""
    from openapi_spec_validator import validate

    validate(current_schema())


def test_the_committed_document_is_valid_openapi_3_1():
    """docs/openapi.json itself, as clients and schemathesis read it, passes the OpenAPI 3.1 validator."""
    committed = json.loads(SNAPSHOT.read_text())
    assert committed["openapi"].startswith("3.1.")
    errors = [error.message for error in OpenAPIV31SpecValidator(committed).iter_errors()]
    assert errors == []


def models_in(annotation) -> typing.Iterator[type[BaseModel]]:
    """The pydantic models an annotation mentions (list[X], X | None, dict[str, X], Annotated…)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    if isinstance(annotation, types.GenericAlias | types.UnionType) or typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            yield from models_in(argument)


def schema_shapes(ninja_api: NinjaAPI) -> dict[str, set[str]]:
    """Each schema name of the API's OpenAPI components, with the distinct shapes of the classes that bear it.

    django-ninja names a component after its class and keeps one shape per name: a second class
    with the same name silently replaces the first in the document. The operations' parameter and
    response wrappers are ninja's own (never components); the models they hold are walked.
    """
    shapes: dict[str, set[str]] = defaultdict(set)
    stack: list[type[BaseModel]] = []
    for bound in ninja_api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
                        for field in wrapper.model_fields.values():
                            stack.extend(models_in(field.annotation))
    seen: set[type[BaseModel]] = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        shapes[schema.get("title", model.__name__)].add(json.dumps(schema, sort_keys=True))
        for field in model.model_fields.values():
            stack.extend(models_in(field.annotation))
    return shapes


def test_no_two_schemas_of_different_shapes_share_a_name():
    """A name is one shape: the follow endpoints of participation once showed safety's report follow-up."""
    shapes = schema_shapes(api)
    assert "Problem" in shapes and "ReportFollowOut" in shapes and "FollowingOut" in shapes
    assert {name: len(found) for name, found in shapes.items() if len(found) > 1} == {}


def test_the_name_check_finds_two_classes_of_one_name():
    """The check above can fail: two `Out` classes of different shapes behind two operations."""
    first = type("Out", (Schema,), {"__annotations__": {"following": bool}})
    second = type("Out", (Schema,), {"__annotations__": {"status": str}})
    other = NinjaAPI(urls_namespace="contract-check")
    other.get("/a", response=first)(lambda request: {"following": True})
    other.get("/b", response={200: list[second]})(lambda request: [])
    assert {name: len(found) for name, found in schema_shapes(other).items()} == {"Out": 2}


def test_every_error_is_a_problem_and_every_operation_declares_the_common_ones():
    """400, 414 and 429 everywhere; 404 with a path parameter; 422 with a parameter or a body; 413 on
    writes; each one the problem+json response of its status, with the Problem schema."""
    schema = current_schema()
    for status, (name, _description) in PROBLEM_RESPONSES.items():
        answer = schema["components"]["responses"][name]
        assert answer["content"] == {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}}, status
        assert ("Retry-After" in answer.get("headers", {})) == (status in (429, 503))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            expected = {"400", "414", "429"}
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                expected.add("404")
            if operation.get("parameters") or "requestBody" in operation:
                expected.add("422")
            if method != "get":
                expected.add("413")
            assert expected <= set(answers), (method, path, expected - set(answers))
            for status, answer in answers.items():
                if int(status) >= 400:
                    assert answer == {"$ref": "#/components/responses/" + PROBLEM_RESPONSES[int(status)][0]}, (
                        method, path, status)
                else:
                    assert PROBLEM_CONTENT_TYPE not in answer.get("content", {}), (method, path, status)
