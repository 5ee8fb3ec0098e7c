"""Ledger pages: each ledger declared once; the generic views do the rest.
The problem page adds the rectification workflow and its evidence."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ducha.core.access import AccessDenied, restrict
from ducha.ledger import filtersets as f
from ducha.ledger import forms
from ducha.ledger import tables as t
from ducha.ledger.actions import allowed_transitions, do_transition_problem
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import EvidenceUpload, evidence_path
from ducha.ledger.models import (
    ClueTransfer,
    Evidence,
    ExposedCase,
    FiledCase,
    PolicyDocument,
    Problem,
    Project,
    Training,
)
from ducha.ledger.rectification import find_transition
from ducha.web import generic

UNIT_FIELDS = ("unit", "domain")


def _problem_context(request, problem: Problem) -> dict:
    return {
        "steps": list(problem.steps.select_related("actor").order_by("acted_at", "pk")),
        "evidence": list(problem.evidence.order_by("uploaded_at", "pk")),
        "transitions": allowed_transitions(problem, request.user),
        "transition_form": forms.TransitionForm(),
        "today": timezone.localdate(),
    }


def _project_context(request, project: Project) -> dict:
    problems = restrict(project.problems.all(), request.user).select_related("category").order_by("number")
    return {"inspections": list(project.inspections.order_by("kind")), "problems": list(problems)}


LEDGERS = (
    generic.Ledger(
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
        extra_context=_problem_context,
    ),
    generic.Ledger(
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
        extra_context=_project_context,
    ),
    generic.Ledger(
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
    generic.Ledger(
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
    generic.Ledger(
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
    generic.Ledger(
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
    generic.Ledger(
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
PROBLEMS = LEDGERS[0]


def transition_view(request, pk: int, target: str):
    """Take one workflow step. HTMX posts get the rectification panel back in place;
    plain form posts are redirected to the problem page."""
    problem = generic.get_visible(PROBLEMS, request, pk)
    if target not in ProblemStatus.values:
        raise Http404  # /to/<anything>/ is no status: not a 500
    if request.method != "POST":
        return redirect(reverse("problems-detail", args=[pk]))
    form = forms.TransitionForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        uploads = [EvidenceUpload(u.name, u.read()) for u in form.cleaned_data["evidence"]]
        try:
            find_transition(problem.status, target)
            if target not in {tr.target for tr in allowed_transitions(problem, request.user)}:
                raise AccessDenied("not allowed")
            do_transition_problem(
                problem, target, actor=request.user, reason=form.cleaned_data["reason"],
                evidence=uploads, completed_on=form.cleaned_data["completed_on"],
            )  # fmt: skip
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except AccessDenied:
            return render(request, "web/403.html", status=403)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request"):
        # The panel comes back in place with its own message (htmx swaps only 2xx answers).
        problem.refresh_from_db()
        context = {"object": problem, **_problem_context(request, problem), "error": error, "done": _("Done.")}
        return render(request, "ledger/_rectification.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect(reverse("problems-detail", args=[pk]))


def evidence_download(request, pk: int):
    try:
        evidence = restrict(Evidence.objects.all(), request.user).get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    file = evidence_path(evidence.sha256)
    if not file.exists():
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=evidence.original_name)
