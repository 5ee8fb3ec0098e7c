"""The problem page's own endpoints: a workflow step and the evidence download."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ducha.core.access import AccessDenied, restrict
from ducha.core.registry import ledger
from ducha.ledger import forms
from ducha.ledger.actions import allowed_transitions, do_transition_problem
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import EvidenceUpload, evidence_path
from ducha.ledger.ledgers import problem_context
from ducha.ledger.models import Evidence
from ducha.ledger.rectification import find_transition
from ducha.web import generic


def transition_view(request, pk: int, target: str):
    """Take one workflow step. HTMX posts get the rectification panel back in place;
    plain form posts are redirected to the problem page."""
    problem = generic.get_visible(ledger("problems"), request, pk)
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
        context = {"object": problem, **problem_context(request, problem), "error": error, "done": _("Done.")}
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
