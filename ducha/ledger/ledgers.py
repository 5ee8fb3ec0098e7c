"""The ledgers of this app, declared once and registered in the registry
(ducha.core.registry) when the app is ready; the generic pages do the rest. The
problem page adds the rectification workflow and its evidence."""

from django.utils.translation import gettext_lazy

from ducha.core.access import restrict
from ducha.core.registry import Ledger, register
from ducha.ledger import filtersets as f
from ducha.ledger import forms
from ducha.ledger import tables as t
from ducha.ledger.actions import (
    allowed_transitions,
    inspection_kinds_allowed,
    may_decide_extension,
    may_request_extension,
)
from ducha.ledger.choices import OPEN_STATUSES, ExtensionStatus
from ducha.ledger.models import (
    ClueTransfer,
    DeadlineExtension,
    ExposedCase,
    FiledCase,
    Inspection,
    PolicyDocument,
    Problem,
    Project,
    Training,
)

UNIT_FIELDS = ("unit", "domain")


def problem_context(request, problem: Problem, *, bound: dict | None = None, error: str = "") -> dict:
    """The problem page's workflow (a form per step the user may take), deadline
    extensions, steps and evidence. `bound` holds a posted form that came back with
    errors, by its place ("to:<status>", "extension", "decision"): it stands where the
    empty one would; if the page no longer offers it, its errors join `error`."""
    bound = dict(bound or {})
    user = request.user
    workflow = [
        (t, bound.pop(f"to:{t.target}", None) or forms.TransitionForm(transition=t))
        for t in allowed_transitions(problem, user)
    ]
    extensions = list(problem.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.REQUESTED), None)
    extension_form = decision_form = None
    if pending is None and problem.status in OPEN_STATUSES and may_request_extension(problem, user):
        extension_form = bound.pop("extension", None) or forms.ExtensionRequestForm(
            instance=DeadlineExtension(problem=problem)
        )
    if pending is not None and may_decide_extension(problem, user):
        decision_form = bound.pop("decision", None) or forms.ExtensionDecisionForm()
    return {
        "steps": list(problem.steps.select_related("actor").order_by("acted_at", "pk")),
        "evidence": list(problem.evidence.order_by("uploaded_at", "pk")),
        "transitions": [t for t, _form in workflow],
        "workflow": workflow,
        "extensions": extensions,
        "pending_extension": pending,
        "extension_form": extension_form,
        "decision_form": decision_form,
        "error": _with_unplaced(error, bound),
        "overdue": problem.is_overdue(problem.campaign.as_of()),
    }


def _with_unplaced(error: str, bound: dict) -> str:
    """`error` and the messages of posted forms the page no longer shows."""
    messages = [m for form in bound.values() for errors in form.errors.values() for m in errors]
    return " ".join([error, *messages]).strip() if messages else error


def problem_records(problem: Problem) -> tuple:
    """The records that belong to a problem: their change-log rows join its history."""
    return (problem.steps.all(), problem.evidence.all(), problem.extensions.all())


def project_context(request, project: Project, *, bound: dict | None = None, error: str = "") -> dict:
    """The project page's inspections, with a form for the kinds the user may record
    now, and its problems. `bound` as for problem_context ("inspection")."""
    bound = dict(bound or {})
    problems = restrict(project.problems.all(), request.user).select_related("category").order_by("number")
    kinds = inspection_kinds_allowed(project, request.user)
    form = None
    if kinds:
        form = bound.pop("inspection", None) or forms.InspectionForm(kinds=kinds, instance=Inspection(project=project))
    return {
        "inspections": list(project.inspections.order_by("kind")),
        "inspection_form": form,
        "problems": list(problems),
        "error": _with_unplaced(error, bound),
    }


LEDGERS = (
    Ledger(
        "problems",
        Problem,
        gettext_lazy("Problems"),
        t.PROBLEM_COLUMNS,
        f.ProblemFilterSet,
        forms.ProblemForm,
        search_fields=("number", "description", "project__name", "project__number"),
        select_related=("campaign", "unit", "domain", "category", "entity_type"),
        ordering=("-found_on", "-pk"),
        detail_fields=(
            "number",
            "unit",
            "county",
            "project",
            "domain",
            "category",
            "item",
            "entity_type",
            "description",
            "discovery_method",
            "found_on",
            "deadline",
            "measures",
            "status",
            "rectified_on",
            "responsible",
            "remarks",
        ),
        detail_template="ledger/problem_detail.html",
        extra_context=problem_context,
        history_related=problem_records,
        linked=("clue-transfers", "filed-cases", "exposed-cases"),
    ),
    Ledger(
        "projects",
        Project,
        gettext_lazy("Projects"),
        t.PROJECT_COLUMNS,
        f.ProjectFilterSet,
        forms.ProjectForm,
        search_fields=("number", "name", "platform_code", "tenderer", "winner"),
        select_related=("unit", "domain", "county"),
        ordering=("-trade_date", "-pk"),
        detail_fields=(
            "number",
            "name",
            "unit",
            "county",
            "domain",
            "project_type",
            "platform_code",
            "amount",
            "tenderer",
            "tenderer_uscc",
            "agency",
            "winner",
            "winner_uscc",
            "trade_date",
            "self_inspected",
            "sampled",
            "verified",
            "remarks",
        ),
        detail_template="ledger/project_detail.html",
        extra_context=project_context,
    ),
    Ledger(
        "clue-transfers",
        ClueTransfer,
        gettext_lazy("Clue transfers"),
        t.CLUE_COLUMNS,
        f.ClueTransferFilterSet,
        forms.ClueTransferForm,
        search_fields=("summary", "feedback"),
        select_related=("unit", "domain"),
        ordering=("-transferred_on", "-pk"),
        detail_fields=(*UNIT_FIELDS, "problem", "authority", "transferred_on", "summary", "feedback", "feedback_on"),
    ),
    Ledger(
        "filed-cases",
        FiledCase,
        gettext_lazy("Filed cases"),
        t.FILED_COLUMNS,
        f.UnitRecordFilterSet,
        forms.FiledCaseForm,
        search_fields=("case_number", "summary"),
        select_related=("unit", "domain"),
        ordering=("-filed_on", "-pk"),
        detail_fields=(*UNIT_FIELDS, "problem", "filed_on", "filed_by", "case_number", "summary"),
    ),
    Ledger(
        "exposed-cases",
        ExposedCase,
        gettext_lazy("Exposed cases"),
        t.EXPOSED_COLUMNS,
        f.UnitRecordFilterSet,
        forms.ExposedCaseForm,
        search_fields=("title", "channel"),
        select_related=("unit", "domain"),
        ordering=("-exposed_on", "-pk"),
        detail_fields=(*UNIT_FIELDS, "problem", "title", "exposed_on", "channel"),
    ),
    Ledger(
        "documents",
        PolicyDocument,
        gettext_lazy("Documents"),
        t.DOCUMENT_COLUMNS,
        f.DocumentFilterSet,
        forms.PolicyDocumentForm,
        search_fields=("title", "doc_number"),
        select_related=("unit", "domain"),
        ordering=("-issued_on", "-pk"),
        detail_fields=(*UNIT_FIELDS, "title", "doc_number", "action", "issued_on"),
    ),
    Ledger(
        "trainings",
        Training,
        gettext_lazy("Trainings"),
        t.TRAINING_COLUMNS,
        f.UnitRecordFilterSet,
        forms.TrainingForm,
        search_fields=("title",),
        select_related=("unit", "domain"),
        ordering=("-held_on", "-pk"),
        detail_fields=(*UNIT_FIELDS, "title", "held_on", "attendees"),
    ),
)


def register_ledgers() -> None:
    register(*LEDGERS)
