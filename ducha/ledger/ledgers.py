"""The ledgers of this app, declared once and registered in the registry
(ducha.core.registry) when the app is ready; the generic pages do the rest. The
problem page adds the rectification workflow and its evidence."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ducha.core.access import restrict
from ducha.core.registry import Ledger, register
from ducha.ledger import filtersets as f
from ducha.ledger import forms
from ducha.ledger import tables as t
from ducha.ledger.actions import allowed_transitions
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    PolicyDocument,
    Problem,
    Project,
    Training,
)

UNIT_FIELDS = ("unit", "domain")


def problem_context(request, problem: Problem) -> dict:
    return {
        "steps": list(problem.steps.select_related("actor").order_by("acted_at", "pk")),
        "evidence": list(problem.evidence.order_by("uploaded_at", "pk")),
        "transitions": allowed_transitions(problem, request.user),
        "transition_form": forms.TransitionForm(),
        "today": timezone.localdate(),
    }


def problem_records(problem: Problem) -> tuple:
    """The records that belong to a problem: their change-log rows join its history."""
    return (problem.steps.all(), problem.evidence.all(), problem.extensions.all())


def project_context(request, project: Project) -> dict:
    problems = restrict(project.problems.all(), request.user).select_related("category").order_by("number")
    return {"inspections": list(project.inspections.order_by("kind")), "problems": list(problems)}


LEDGERS = (
    Ledger(
        "problems",
        Problem,
        gettext_lazy("Problems"),
        t.PROBLEM_COLUMNS,
        f.ProblemFilterSet,
        forms.ProblemForm,
        search_fields=("number", "description", "project__name", "project__number"),
        select_related=("unit", "domain", "category", "entity_type"),
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
