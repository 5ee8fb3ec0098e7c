"""The role × route matrix of the API, generated from its OpenAPI schema: for every
operation whose path names a record, as every role of the small campaign, another
place's record is not there (404, problem details, read or write, nothing written to the
change log) and the role's own record answers.

Whose record is whose comes from the scoping the pages use (`restrict`, and for jobs the
pages' own rule; ducha/web/tests/test_matrix.py pins those to the table of places), so
the matrix asks one thing of each route: that it reads through that scope. The record
asked for is a real one of the right model (routes.py names the model of each path
parameter; a route it cannot place fails here), with a schema-valid body and its real
ETag, so nothing but the scope can refuse it first."""

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from ducha.api.tests import routes
from ducha.core.access import Action, restrict, role_kind
from ducha.core.actions import record_version
from ducha.core.models import ChangeLogEntry
from ducha.imports.models import ExportJob, ImportJob
from ducha.ledger.tests.files import PDF
from ducha.web import import_views
from ducha.web.job_pages import visible_jobs
from ducha.web.tests.conftest import ROLES

RECORD_ROUTES = [op for op in routes.operations() if op.path_parameters]
# Path parameters that name no record, where the schema offers no value the route takes.
VALUES = {"target": "rectifying"}  # a problem's step, by the status it leads to
# Files a finished job or run writes: this data has none yet, so the role's own answers 404 too.
NOT_WRITTEN_YET = {"get_export_file", "get_import_errors", "get_comparison_file", "get_redflag_file"}


def scope(model: type[models.Model], user, action: str) -> models.QuerySet:
    """The records of `model` this user may `action`, as the pages decide it."""
    if model is ImportJob:
        return import_views.visible_jobs(user) if role_kind(user) else ImportJob.objects.none()
    if model is ExportJob:
        return visible_jobs(ExportJob, user)
    return restrict(model._default_manager.all(), user, action)


def path_for(op: routes.Operation, record: models.Model) -> str:
    """The operation's path naming `record` (its innermost parameter) and the records it
    belongs to (the outer ones, by the record's own links)."""
    named = routes.record_parameters(op)
    path = op.path
    for parameter, model in named.items():
        if isinstance(record, model):
            value = record.pk
        else:
            link = next(f for f in type(record)._meta.concrete_fields if f.many_to_one and f.related_model is model)
            value = getattr(record, link.attname)
        path = path.replace(f"{{{parameter}}}", str(value))
    for parameter in op.path_parameters:  # one that names no record: a value the route takes
        spec = next(p for p in op.spec.get("parameters", []) if p["name"] == parameter)
        path = path.replace(f"{{{parameter}}}", str(VALUES.get(parameter) or example(spec["schema"])))
    return path


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = routes.schema()["components"]["schemas"][name]
    return schema


def example(schema: dict[str, Any]) -> Any:
    """The plainest value the schema allows (the route's own checks may still refuse it)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    if "enum" in schema:
        return schema["enum"][0]
    kind, format_ = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        return {name: example(schema["properties"][name]) for name in schema.get("required", [])}
    if kind == "array":
        return [example(schema["items"])] * schema.get("minItems", 0)
    if format_ == "binary":
        return SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf")
    return {"integer": 1, "number": 1, "boolean": False}.get(kind) or {
        "date": "2099-01-01",
        "date-time": "2099-01-01T00:00:00Z",
    }.get(format_, "x")


def send(client, op: routes.Operation, record: models.Model, token: str):
    headers = {"Authorization": f"Bearer {token}"}
    if any(p["name"] == "If-Match" for p in op.spec.get("parameters", [])):
        headers["If-Match"] = f'"{record_version(record)}"'
    query = {p["name"]: example(p["schema"]) for p in op.spec.get("parameters", []) if p["in"] == "query" and
             p.get("required")}  # fmt: skip
    path = path_for(op, record)
    content = op.spec.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:  # (a POST: what the test client encodes as multipart)
        return client.post(path, example(content["multipart/form-data"]["schema"]), headers=headers)
    if "application/json" in content:
        body = json.dumps(example(content["application/json"]["schema"]))
        return client.generic(op.method, path, body, "application/json", headers=headers)
    return client.generic(op.method, f"{path}?{urlencode(query)}" if query else path, headers=headers)


@pytest.mark.parametrize("op", RECORD_ROUTES, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_another_places_record_is_not_there_and_ones_own_answers(world, client, role, op):
    models_named = routes.record_parameters(op)  # fails for a route it cannot place
    if not models_named:
        return  # names no record (an import template by kind)
    model = list(models_named.values())[-1]
    user, token = world.users[role], world.tokens[role]
    assert model._default_manager.exists(), f"no {model.__name__} in the matrix's data (world.py)"
    visible = scope(model, user, Action.VIEW)
    other = model._default_manager.exclude(pk__in=visible.values("pk")).order_by("pk").first()
    mine = scope(model, user, Action.CHANGE if op.writes else Action.VIEW).order_by("pk").first()
    if (other, mine) == (None, None):  # sees every one, may change none (the viewer): refused, nothing written
        seen, logged = visible.order_by("pk").first(), ChangeLogEntry.objects.count()
        assert seen is not None and op.writes
        assert send(client, op, seen, token).status_code in (403, 404)
        assert ChangeLogEntry.objects.count() == logged

    if other is not None:
        logged = ChangeLogEntry.objects.count()
        response = send(client, op, other, token)
        assert response.status_code == 404, (op, other, response.content[:300])
        assert response["Content-Type"] == "application/problem+json"
        assert ChangeLogEntry.objects.count() == logged
    if mine is not None:
        response = send(client, op, mine, token)
        assert response.status_code < 500, response.content[:300]
        if op.operation_id not in NOT_WRITTEN_YET:
            assert response.status_code != 404, (op, mine, response.content[:300])
        if not op.writes and op.operation_id not in NOT_WRITTEN_YET:
            assert response.status_code == 200, (op, mine, response.content[:300])
