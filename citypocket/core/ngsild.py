"""NGSI-LD answers and their content negotiation (ETSI GS CIM 009, §6.3.5-6.3.6).

An endpoint with an NGSI-LD representation gives it for `?format=ngsi-ld` or for a request whose
`Accept` names `application/ld+json` (and no explicit `format`):
- `application/ld+json`: every entity carries its `@context` (the Smart Data Model context, then the
  NGSI-LD core context);
- `Accept: application/json` (and not `application/ld+json`) with `?format=ngsi-ld`: the same entities
  as plain JSON, without `@context`, which is given by a `Link` header with
  `rel="http://www.w3.org/ns/json-ld#context"`: the model's context (the core context is always
  implied, so a single link is enough, as the specification asks).
The answer varies on `Accept`; the edge cache keys on the Accept header, so it can still keep it.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

LD_JSON = "application/ld+json"
JSON = "application/json"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
FORMAT = "ngsi-ld"


def variant(accept: str) -> str:
    """What of `Accept` an NGSI-LD endpoint looks at: "ld+json", "json" or "" (anything else)."""
    media = {part.split(";")[0].strip().lower() for part in (accept or "").split(",")}
    if LD_JSON in media:
        return "ld+json"
    if JSON in media:
        return "json"
    return ""


def wanted(request: HttpRequest, format: str | None) -> bool:
    """True when the NGSI-LD representation is asked for (explicit format, or Accept without one)."""
    if format is not None:
        return format == FORMAT
    return variant(request.headers.get("Accept", "")) == "ld+json"


def response(request: HttpRequest, entities: list[dict], *, context: list[str]) -> HttpResponse:
    """The entities as `application/ld+json` with `@context`, or as `application/json` with a Link header."""
    if variant(request.headers.get("Accept", "")) == "json":
        body = [{key: value for key, value in entity.items() if key != "@context"} for entity in entities]
        answer = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=JSON)
        answer["Link"] = f'<{context[0]}>; rel="{CONTEXT_REL}"; type="{LD_JSON}"'
    else:
        body = [{**entity, "@context": context} for entity in entities]
        answer = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=LD_JSON)
    patch_vary_headers(answer, ["Accept"])
    return answer


def vary_on_accept(answer):
    """Marks another representation of an NGSI-LD endpoint as varying on Accept too (returns it)."""
    if isinstance(answer, HttpResponse):
        patch_vary_headers(answer, ["Accept"])
    return answer
