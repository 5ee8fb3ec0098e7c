"""The OpenAPI schema says what the API really does: django-ninja writes a few things
otherwise than they are served, corrected here once for every route (schemathesis holds
each answer to the schema: ducha/api/tests/test_schemathesis.py).

- An error's body is problem details, sent as application/problem+json (errors.py);
  ninja documents every response as application/json.
- If-Match is required where a route takes it: without it the answer is 428 (ledgers.version_named).
  The route declares it optional only so that its absence reaches that answer.
- A required list of files in a multipart body holds at least one: an empty list cannot
  be told from none on the wire.
- Each status once, as text (JSON keys are text: a route's own "200" and ninja's 200 would be
  the same key twice)."""

import copy
from typing import Any

from ducha.core.problem_details import CONTENT_TYPE


def _by_text(responses: dict) -> dict:
    """Statuses as text, once each: a route's openapi_extra writes "200" beside ninja's 200,
    which JSON would carry as the same key twice (Swagger UI refuses the document)."""
    merged: dict[str, dict] = {}
    for status, response in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        merged[str(status)] = {**merged.get(str(status), {}), **response}  # the extra's, written as text, last
    return merged


def _correct(schema: dict[str, Any]) -> dict[str, Any]:
    for methods in schema["paths"].values():
        for operation in methods.values():
            operation["responses"] = _by_text(operation.get("responses", {}))
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if str(status).isdigit() and int(status) >= 400 and "application/json" in content:
                    response["content"] = {CONTENT_TYPE: content["application/json"]}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                    parameter["required"] = True
                    parameter["schema"] = {"type": "string", "minLength": 1, "title": "If-Match"}
            body = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            fields = body.get("schema", {})
            for name in fields.get("required", []):
                field = fields.get("properties", {}).get(name, {})
                if field.get("type") == "array" and field.get("items", {}).get("format") == "binary":
                    field["minItems"] = 1
    return schema


def install(api) -> None:
    """Corrected, and built once per path prefix: the routes are fixed at start-up and
    building the schema takes a second or more, on every docs page otherwise."""
    schema_of = api.get_openapi_schema
    built: dict[str, dict[str, Any]] = {}

    def get_openapi_schema(*, path_prefix: str | None = None, path_params: dict | None = None) -> dict[str, Any]:
        prefix = api.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        if prefix not in built:
            built[prefix] = _correct(schema_of(path_prefix=prefix))
        return copy.deepcopy(built[prefix])  # a caller's changes stay its own

    api.get_openapi_schema = get_openapi_schema
