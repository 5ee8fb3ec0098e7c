"""The API's operations as its OpenAPI schema lists them now, and which record each path
parameter names: the tests that walk every route (schemathesis, the role × route matrix)
read them from here, so a route added later is covered without editing them.

A path parameter names the record of the collection written before it
(`/problems/{pk}/evidence/` → a problem, `/imports/{job_id}/` → an import job). The
collections are the registry's ledgers and the few others below; a parameter that names
no record is listed in NOT_RECORDS. Anything else fails the tests that ask (closed by
default): add the new collection here, with a record of it in the matrix's data."""

import dataclasses
import functools
import json
import re
from typing import Any

from django.db import models

from ducha.analyses.models import Comparison, ComparisonFinding, RedFlag, RedFlagRun
from ducha.core.registry import ledgers
from ducha.imports.models import ExportJob, ImportJob
from ducha.ledger.models import DeadlineExtension, Evidence

PREFIX = "/api/v1"
# Collections that are not ledgers of the registry.
OTHER_COLLECTIONS: dict[str, type[models.Model]] = {
    "evidence": Evidence,
    "extensions": DeadlineExtension,
    "imports": ImportJob,
    "exports": ExportJob,
    "comparisons": Comparison,
    "findings": ComparisonFinding,
    "redflags": RedFlagRun,
    "flags": RedFlag,
}
# Path parameters that name no record: (collection, parameter).
NOT_RECORDS = {
    ("templates", "kind"),  # an import template by kind
    ("imports", "kind"),  # the kind of import started
    ("transitions", "target"),  # a problem's step by the status it leads to
    ("files", "name"),  # one of an analysis run's files, by name
}


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as the schema writes it: /api/v1/problems/{pk}/
    operation_id: str
    spec: dict[str, Any] = dataclasses.field(compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


@functools.cache
def schema() -> dict[str, Any]:
    """The schema as served: /api/v1/openapi.json read as JSON, what a client reads."""
    from django.test import Client

    return json.loads(Client(SERVER_NAME="localhost").get("/api/v1/openapi.json").content)


@functools.cache
def operations() -> list[Operation]:
    found = []
    for path, methods in schema()["paths"].items():
        for method, spec in methods.items():
            found.append(Operation(method.upper(), path, spec["operationId"], spec))
    return found


def collections() -> dict[str, type[models.Model]]:
    return {ledger.key: ledger.model for ledger in ledgers()} | OTHER_COLLECTIONS


class UnplacedRoute(LookupError):
    """A path parameter the tests cannot place: say which record it names (this module)."""


def record_parameters(operation: Operation) -> dict[str, type[models.Model]]:
    """{path parameter: the model of the record it names}, outermost first; a parameter
    that names no record (NOT_RECORDS) is left out. Raises UnplacedRoute for the rest."""
    named: dict[str, type[models.Model]] = {}
    segments = operation.path.removeprefix(PREFIX).strip("/").split("/")
    for i, segment in enumerate(segments):
        found = re.search(r"{(\w+)}", segment)
        if not found:
            continue
        parameter, collection = found.group(1), segments[i - 1] if i else ""
        if (collection, parameter) in NOT_RECORDS:
            continue
        model = collections().get(collection)
        if model is None:
            raise UnplacedRoute(f"{operation}: which record does {{{parameter}}} name? (ducha/api/tests/routes.py)")
        named[parameter] = model
    return named
