"""The complaint page's own posts: the unit's progress and closing, and the one step
that makes the complaint a problem or a clue transfer; answered as
ducha.web.detail_posts says, through `form_post` (ducha.web.supervision.letters)."""

from django.urls import path

from ducha.supervision.actions.complaints import (
    do_assign_complaint,
    do_close_complaint,
    do_complaint_to_clue_transfer,
    do_complaint_to_problem,
    do_record_complaint_progress,
)
from ducha.supervision.forms.complaints import AssignForm, CloseForm, ProgressForm, ToClueForm, ToProblemForm
from ducha.supervision.ledgers.complaints import complaint_context
from ducha.supervision.models import Complaint
from ducha.web.supervision.letters import form_post

KEY = "complaints"
HANDLING = set(Complaint.UNIT_FIELDS)  # the unit's handling, which its group and the office may record too


def assign_view(request, pk: int):
    return form_post(
        request, KEY, pk, name="assign", fields={"group", "unit", "county", "deadline"},
        make_form=lambda data, complaint: AssignForm(data, instance=complaint, user=request.user),
        act=lambda complaint, form: do_assign_complaint(complaint, actor=request.user, **form.action_arguments()),
        page_context=complaint_context,
    )  # fmt: skip


def progress_view(request, pk: int):
    return form_post(
        request, KEY, pk, name="progress", fields=HANDLING,
        make_form=lambda data, complaint: ProgressForm(data, complaint=complaint),
        act=lambda complaint, form: do_record_complaint_progress(complaint, actor=request.user, **form.cleaned_data),
        page_context=complaint_context,
    )  # fmt: skip


def close_view(request, pk: int):
    return form_post(
        request, KEY, pk, name="close", fields=HANDLING,
        make_form=lambda data, _complaint: CloseForm(data),
        act=lambda complaint, form: do_close_complaint(complaint, actor=request.user, **form.cleaned_data),
        page_context=complaint_context,
    )  # fmt: skip


def to_problem_view(request, pk: int):
    return form_post(
        request, KEY, pk, name="problem", fields={"problem"},
        make_form=lambda data, complaint: ToProblemForm(data, complaint=complaint),
        act=lambda complaint, form: do_complaint_to_problem(complaint, actor=request.user, data=form.cleaned_data),
        page_context=complaint_context,
    )  # fmt: skip


def to_clue_view(request, pk: int):
    return form_post(
        request, KEY, pk, name="clue", fields={"clue_transfer"},
        make_form=lambda data, complaint: ToClueForm(data, complaint=complaint),
        act=lambda complaint, form: do_complaint_to_clue_transfer(
            complaint, actor=request.user, data=form.cleaned_data
        ),
        page_context=complaint_context,
    )  # fmt: skip


urlpatterns = [
    path("complaints/<int:pk>/assign/", assign_view, name="complaints-assign"),
    path("complaints/<int:pk>/progress/", progress_view, name="complaints-progress"),
    path("complaints/<int:pk>/close/", close_view, name="complaints-close"),
    path("complaints/<int:pk>/to-problem/", to_problem_view, name="complaints-to-problem"),
    path("complaints/<int:pk>/to-clue-transfer/", to_clue_view, name="complaints-to-clue"),
]
