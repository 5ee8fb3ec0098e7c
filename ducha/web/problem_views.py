"""The problem page's own endpoints: a workflow step, a deadline extension asked for
and decided, and the evidence download. Each answers as ducha.web.detail_posts says:
done, the whole page is current (a plain post is redirected to it, an htmx post gets
it back); refused, the page comes back with the form and its errors at its fields."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from ducha.core.access import AccessDenied, restrict
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
from ducha.ledger.ledgers import problem_context
from ducha.ledger.models import DeadlineExtension, Evidence
from ducha.ledger.rectification import find_transition
from ducha.web import generic
from ducha.web.detail_posts import back_to_page, done, forbidden, render_page
from ducha.web.downloads import stored_file_download
from ducha.web.uploads import check_before_upload, may_take_step

KEY = "problems"


def _page(request, problem, **options):
    return render_page(request, KEY, problem, problem_context, **options)


@check_before_upload(may_take_step)  # the user may take this step before the files are read
def transition_view(request, pk: int, target: str):
    """Take one workflow step, with what it needs (TransitionForm)."""
    problem = generic.get_visible(ledger(KEY), request, pk)
    if target not in ProblemStatus.values:
        raise Http404  # /to/<anything>/ is no status: not a 500
    if request.method != "POST":
        return back_to_page(KEY, problem)
    try:
        transition = find_transition(problem.status, target)
    except ValidationError as refusal:  # a step the workflow does not have (or a page left open too long)
        return _page(request, problem, error=" ".join(refusal.messages))
    if transition not in allowed_transitions(problem, request.user):
        return forbidden(request)
    form = forms.TransitionForm(request.POST, request.FILES, transition=transition)
    if form.is_valid():
        step = form.step()
        step["evidence"] = [EvidenceUpload.from_uploaded_file(u) for u in step["evidence"]]
        try:
            do_transition_problem(problem, target, actor=request.user, **step)
            return done(request, KEY, problem, problem_context)
        except ValidationError as error:
            forms.add_errors(form, error, rest="evidence")  # a refused file: at the files
        except AccessDenied:
            return forbidden(request)
    return _page(request, problem, bound={f"to:{target}": form})


def extension_request_view(request, pk: int):
    """The unit asks for a later deadline (延期)."""
    problem = generic.get_visible(ledger(KEY), request, pk)
    if request.method != "POST":
        return back_to_page(KEY, problem)
    if not may_request_extension(problem, request.user):
        return forbidden(request)
    form = forms.ExtensionRequestForm(request.POST, instance=DeadlineExtension(problem=problem))
    if form.is_valid():
        try:
            data = form.cleaned_data
            do_request_extension(problem, actor=request.user, new_deadline=data["new_deadline"], reason=data["reason"])
            return done(request, KEY, problem, problem_context)
        except ValidationError as error:
            forms.add_errors(form, error)
        except AccessDenied:
            return forbidden(request)
    return _page(request, problem, bound={"extension": form})


def extension_decide_view(request, pk: int, extension: int):
    """The group grants or refuses a pending request."""
    problem = generic.get_visible(ledger(KEY), request, pk)
    pending = get_object_or_404(restrict(DeadlineExtension.objects.filter(problem=problem), request.user), pk=extension)
    if request.method != "POST":
        return back_to_page(KEY, problem)
    if not may_decide_extension(problem, request.user):
        return forbidden(request)
    form = forms.ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            grant, note = form.cleaned_data["decision"] == "grant", form.cleaned_data["decision_note"]
            do_decide_extension(pending, actor=request.user, grant=grant, note=note)
            return done(request, KEY, problem, problem_context)
        except ValidationError as error:
            forms.add_errors(form, error)
        except AccessDenied:
            return forbidden(request)
    return _page(request, problem, bound={"decision": form})


def evidence_download(request, pk: int):
    return stored_file_download(request, Evidence, pk)
