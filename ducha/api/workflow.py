"""A problem's workflow through the API, as its page has it: the steps this user may take
now (`allowed_transitions`: a look-back reopening is never offered), one step taken with
what it needs through `do_transition_problem`, and the deadline extensions (the unit asks,
the group decides) through `do_request_extension` / `do_decide_extension`.

A step or a decision changes a record the client has read: it names that record's ETag in
If-Match, and the action compares it under the row lock (412 when it has changed since)."""

import datetime as dt
from typing import Any, Literal

import pydantic
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema, Status
from ninja.errors import ValidationError as RequestValidationError

from ducha.api import records
from ducha.api.errors import ERRORS, UPDATE_ERRORS, ApiError, ProblemDetails, refused_form
from ducha.api.ledgers import etag, version_named
from ducha.core.access import restrict
from ducha.core.actions import StaleRecord, record_version
from ducha.core.registry import ledger
from ducha.ledger import forms
from ducha.ledger.actions import (
    allowed_transitions,
    do_decide_extension,
    do_request_extension,
    do_transition_problem,
    may_decide_extension,
    may_request_extension,
)
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import DeadlineExtension, Problem
from ducha.ledger.rectification import Transition, TransitionError, find_transition
from ducha.web.generic import get_visible

TAGS = ["workflow"]
Target: Any = Literal[tuple(ProblemStatus.values)]  # a step is named by the status it leads to
STEP_ERRORS = {**UPDATE_ERRORS, 409: ProblemDetails}


class TransitionOut(Schema):
    target: str
    verb: str
    label: str
    needs: list[str]  # the fields of the step's body it requires


class Transitions(Schema):
    status: str
    results: list[TransitionOut]


class StepIn(Schema):
    """What a step brings (each transition reads only what it needs, as the page's form)."""

    reason: str = ""
    measures: str = ""
    opinion: str = ""
    completed_on: dt.date | None = None
    evidence: list[int] = []  # ids of files sent before (POST /problems/{pk}/evidence/)
    # (or, in a multipart form, the files themselves: `files`)


class ExtensionRequestIn(Schema):
    new_deadline: dt.date
    reason: str


class ExtensionDecisionIn(Schema):
    decision: Literal["grant", "refuse"]
    decision_note: str = ""


# The step's body, JSON or a multipart form: read by the route itself after its checks
# (as the page's check_before_upload does), so the schema says what it takes here.
_FORM_FIELDS = ("reason", "measures", "opinion", "completed_on")
STEP_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": StepIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    **{name: {"type": "string"} for name in ("reason", "measures", "opinion")},
                    "completed_on": {"type": "string", "format": "date"},
                    "evidence": {"type": "array", "items": {"type": "integer"}},
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                },
            }
        },
    },
}


def _posted_step(request) -> tuple[StepIn, list]:
    """What the step brings and the files sent with it (a multipart form's `files`)."""
    try:
        if request.content_type == "multipart/form-data":
            given: dict = {name: request.POST[name] for name in _FORM_FIELDS if request.POST.get(name)}
            given["evidence"] = request.POST.getlist("evidence")
            return StepIn.model_validate(given), request.FILES.getlist("files")
        return StepIn.model_validate_json(request.body or b"{}"), []
    except pydantic.ValidationError as error:
        raise RequestValidationError([dict(e) for e in error.errors(include_url=False)]) from None


def _problem(request: HttpRequest, pk: int) -> Problem:
    return get_visible(ledger("problems"), request, pk)


def _described(t: Transition) -> TransitionOut:
    needs = [name for name, flag in forms.TransitionForm.NEEDS.items() if getattr(t, flag)]
    return TransitionOut(target=t.target, verb=t.verb, label=str(t.label), needs=needs)


def _extension(request: HttpRequest, problem: Problem, pk: int) -> DeadlineExtension:
    return restrict(DeadlineExtension.objects.filter(problem=problem), request.user).get(pk=pk)


def router() -> Router:
    r = Router(tags=TAGS)
    problem_item = records.item_schema(ledger("problems"))
    extension_item = records.model_item_schema(DeadlineExtension)
    extension_list = list[extension_item]  # type: ignore[valid-type]

    @r.get("/problems/{pk}/transitions/", response={200: Transitions, **ERRORS}, operation_id="list_transitions")
    def list_transitions(request, pk: int, response: HttpResponse):
        """The steps this user may take now, each with the fields it needs; the ETag is
        the problem's, for If-Match when taking one."""
        problem = _problem(request, pk)
        response["ETag"] = etag(problem)
        steps = [_described(t) for t in allowed_transitions(problem, request.user)]
        return Transitions(status=problem.status, results=steps)

    @r.post(
        "/problems/{pk}/transitions/{target}/",
        response={200: problem_item, **STEP_ERRORS},
        operation_id="take_transition",
        openapi_extra={"requestBody": STEP_BODY},
    )
    def take_transition(
        request,
        pk: int,
        target: Target,
        response: HttpResponse,
        if_match: str | None = Header(None, alias="If-Match"),
    ):
        """Take one step to `target` (a status), with what it needs: JSON, or a multipart
        form that carries the evidence files themselves (`files`). A step the workflow does
        not have from the problem's status is 409, one the user's role may not take 403,
        one missing what it needs 422 (the rule's message at each field)."""
        version = version_named(if_match)
        problem = _problem(request, pk)
        if record_version(problem) != version:
            raise StaleRecord  # before judging the step: it was judged on what the client saw
        try:
            transition = find_transition(problem.status, target)
        except ValidationError as refusal:
            raise ApiError(409, " ".join(refusal.messages)) from None
        if not transition.look_back and transition not in allowed_transitions(problem, request.user):
            raise ApiError(403, _("Your role may not take this step: %(step)s.") % {"step": transition.label})
        body, files = _posted_step(request)  # read only now: refused requests leave their files unread
        try:
            current = do_transition_problem(
                problem,
                target,
                actor=request.user,
                reason=body.reason,
                measures=body.measures,
                opinion=body.opinion,
                completed_on=body.completed_on,
                evidence=[EvidenceUpload.from_uploaded_file(f) for f in files],
                attached=body.evidence,
                if_version=version,
            )
        except TransitionError as refusal:
            if hasattr(refusal, "error_dict"):
                raise  # what the step needs, field by field: 422
            raise ApiError(409, " ".join(refusal.messages)) from None  # a rule of the workflow (look-back)
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                raise
            raise ApiError(422, " ".join(refusal.messages), {"files": refusal.messages}) from None  # a refused file
        response["ETag"] = etag(current)
        return records.item(current)

    @r.get("/problems/{pk}/extensions/", response={200: extension_list, **ERRORS}, operation_id="list_extensions")
    def list_extensions(request, pk: int):
        problem = _problem(request, pk)
        return [records.item(e) for e in restrict(problem.extensions.all(), request.user)]

    @r.get(
        "/problems/{pk}/extensions/{extension}/",
        response={200: extension_item, **ERRORS},
        operation_id="get_extension",
    )
    def get_extension(request, pk: int, extension: int, response: HttpResponse):
        found = _extension(request, _problem(request, pk), extension)
        response["ETag"] = etag(found)
        return records.item(found)

    @r.post(
        "/problems/{pk}/extensions/",
        response={201: extension_item, **ERRORS},
        operation_id="request_extension",
    )
    def request_extension(request, pk: int, body: ExtensionRequestIn, response: HttpResponse):
        """The unit asks for a later deadline, with a reason (one request waits at a time)."""
        problem = _problem(request, pk)
        if not may_request_extension(problem, request.user):
            raise ApiError(403, _("You may not do this."))
        form = forms.ExtensionRequestForm(body.model_dump(), instance=DeadlineExtension(problem=problem))
        if not form.is_valid():
            raise refused_form(form)
        wanted, reason = form.cleaned_data["new_deadline"], form.cleaned_data["reason"]
        made = do_request_extension(problem, actor=request.user, new_deadline=wanted, reason=reason)
        response["ETag"] = etag(made)
        response["Location"] = f"{request.path}{made.pk}/"
        return Status(201, records.item(made))

    @r.post(
        "/problems/{pk}/extensions/{extension}/decision/",
        response={200: extension_item, **UPDATE_ERRORS},
        operation_id="decide_extension",
    )
    def decide_extension(
        request,
        pk: int,
        extension: int,
        body: ExtensionDecisionIn,
        response: HttpResponse,
        if_match: str | None = Header(None, alias="If-Match"),
    ):
        """The group (or the office) grants or refuses the request (If-Match: its ETag);
        a refusal says why. Granting moves the problem's deadline."""
        version = version_named(if_match)
        problem = _problem(request, pk)
        pending = _extension(request, problem, extension)
        if not may_decide_extension(problem, request.user):
            raise ApiError(403, _("You may not do this."))
        form = forms.ExtensionDecisionForm(body.model_dump())
        if not form.is_valid():
            raise refused_form(form)
        grant, note = form.cleaned_data["decision"] == "grant", form.cleaned_data["decision_note"]
        decided = do_decide_extension(pending, actor=request.user, grant=grant, note=note, if_version=version)
        response["ETag"] = etag(decided)
        return records.item(decided)

    return r
