"""A project's inspections (自查, 抽查, 核查) through the API, as the project page records
them: the kinds this user may record now (`inspection_kinds_allowed`), one recorded with
the page's form and `do_record_inspection` (the project's flag follows)."""

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import create_model

from ducha.api import records
from ducha.api.errors import ERRORS, ApiError, ProblemDetails, refused_form
from ducha.core.access import Action, allows, role_kind
from ducha.core.registry import ledger
from ducha.ledger import forms
from ducha.ledger.actions import INSPECTION_ROLES, do_record_inspection, inspection_kinds_allowed
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Inspection
from ducha.web.generic import get_visible

TAGS = ["inspections"]
Kind: Any = Literal[tuple(InspectionKind.values)]
_FIELDS = ("inspected_on", "result", "inspector", "findings")


class InspectionIn(Schema):
    kind: Kind
    inspected_on: dt.date
    result: str
    inspector: str = ""
    findings: str = ""


def router() -> Router:
    r = Router(tags=TAGS)
    item = records.model_item_schema(Inspection)
    listing = create_model("Inspections", __base__=Schema, kinds_allowed=(list[str], ...), results=(list[item], ...))  # type: ignore[valid-type]

    @r.get("/projects/{pk}/inspections/", response={200: listing, **ERRORS}, operation_id="list_inspections")
    def list_inspections(request, pk: int):
        """The project's inspections and the kinds this user may record now."""
        project = get_visible(ledger("projects"), request, pk)
        done = project.inspections.select_related("project").order_by("kind")
        kinds = inspection_kinds_allowed(project, request.user)
        return {"kinds_allowed": kinds, "results": [records.item(i) for i in done]}

    @r.post(
        "/projects/{pk}/inspections/",
        response={201: item, **ERRORS, 409: ProblemDetails},
        operation_id="record_inspection",
    )
    def record_inspection(request, pk: int, body: InspectionIn):
        """Record one inspection of a kind the user's role records; one recorded already is 409."""
        project = get_visible(ledger("projects"), request, pk)
        kind = InspectionKind(body.kind)
        if not allows(request.user, project, Action.CHANGE) or role_kind(request.user) not in INSPECTION_ROLES[kind]:
            raise ApiError(403, _("You may not do this."))
        kinds = inspection_kinds_allowed(project, request.user)
        if kind not in kinds:  # the role may record it: it is recorded already
            raise ApiError(409, _("This inspection has been recorded already."))
        form = forms.InspectionForm(body.model_dump(), kinds=kinds, instance=Inspection(project=project))
        if not form.is_valid():
            raise refused_form(form)
        data = {name: form.cleaned_data[name] for name in _FIELDS}
        made = do_record_inspection(project, form.cleaned_data["kind"], actor=request.user, **data)
        return Status(201, records.item(made))

    return r
