"""A view that takes files reads them only after it has checked that the user may post
there (the size of the whole request is capped before, by
ducha.web.security.RequestSizeLimitMiddleware).

Django parses a body lazily, on the first look at request.POST or request.FILES; the
first to look is CsrfViewMiddleware (the form's token), before any view runs. So a view
that takes uploads is wrapped in `check_before_upload(check)`: the check runs first
(a response refuses, None lets the request through), then the CSRF check, then the view.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ducha.core.access import Action, allows
from ducha.core.registry import ledger
from ducha.ledger.actions import allowed_transitions
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.rectification import find_transition
from ducha.web.generic import get_visible


def check_before_upload(check: Callable[..., HttpResponse | None]):
    """Run `check(request, *args, **kwargs)` on a POST before its body is read: a response
    refuses it unread; None goes on to the CSRF check and the view. (The check answers "not
    found" with `not_found`: Django's own 404 page looks for the form's CSRF token first.)"""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and (refusal := check(request, *args, **kwargs)) is not None:
                return refusal
            return protected(request, *args, **kwargs)

        # CsrfViewMiddleware leaves the body alone; csrf_protect checks it after `check`.
        return csrf_exempt(wrapper)

    return decorator


def not_found(request) -> HttpResponse:
    """The 404 page, without reading the request's body."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def may_take_step(request, pk: int, target: str) -> HttpResponse | None:
    """A workflow step (with its evidence files) is read only from a user who may change
    this problem and take this step: another unit's problem is not found, a step the
    user's role may not take is forbidden. A step the workflow does not have goes on to
    the view, which explains the refusal."""
    try:
        problem = get_visible(ledger("problems"), request, pk)
    except Http404:
        return not_found(request)
    if target not in ProblemStatus.values:
        return not_found(request)
    if not allows(request.user, problem, Action.CHANGE):
        return render(request, "web/403.html", status=403)
    try:
        find_transition(problem.status, target)
    except ValidationError:
        return None
    if target not in {t.target for t in allowed_transitions(problem, request.user)}:
        return render(request, "web/403.html", status=403)
    return None
