"""The letter recipient's page's own posts: the unit's answer and the issuer's decision,
answered as ducha.web.detail_posts says (done: the page as it now stands; refused: the
page with the form and its errors at its fields). `form_post` serves the complaint
page's forms the same way."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.urls import path

from ducha.core.access import AccessDenied
from ducha.core.registry import ledger
from ducha.ledger.forms import add_errors
from ducha.supervision.actions.letters import do_answer_letter, do_decide_response, may_write
from ducha.supervision.forms.letters import AnswerForm, DecisionForm
from ducha.supervision.ledgers.letters import recipient_context
from ducha.supervision.models import LetterRecipient
from ducha.web import generic
from ducha.web.detail_posts import PageContext, back_to_page, done, forbidden, render_page

KEY = "letter-recipients"


def form_post(
    request,
    key: str,
    pk: int,
    *,
    name: str,
    fields: set[str],
    make_form: Callable[..., forms.BaseForm],
    act: Callable[..., object],
    page_context: PageContext,
):
    """One form of a detail page posted: `make_form(data, obj)` read, `act(obj, form)`
    taken (an action). A user who may not change those `fields` of the record now is
    refused (403; 404 out of sight), as the page offered no form; an error they can put
    right comes back at its field."""
    obj = generic.get_visible(ledger(key), request, pk)
    if request.method != "POST":
        return back_to_page(key, obj)
    if not may_write(obj, request.user, fields):
        return forbidden(request)
    form = make_form(request.POST, obj)
    if form.is_valid():
        try:
            act(obj, form)
            return done(request, key, obj, page_context)
        except ValidationError as error:
            add_errors(form, error)
        except (AccessDenied, ObjectDoesNotExist):  # in sight, not to be changed by this user
            return forbidden(request)
    return render_page(request, key, obj, page_context, bound={name: form})


def answer_view(request, pk: int):
    """The unit answers the letter addressed to it."""
    return form_post(
        request, KEY, pk, name="answer", fields=set(LetterRecipient.UNIT_FIELDS),
        make_form=lambda data, recipient: AnswerForm(data, recipient=recipient),
        act=lambda recipient, form: do_answer_letter(recipient, actor=request.user, **form.cleaned_data),
        page_context=recipient_context,
    )  # fmt: skip


def decide_view(request, pk: int):
    """The issuer accepts or refuses the unit's response."""
    return form_post(
        request, KEY, pk, name="decision", fields=set(LetterRecipient.DECISION_FIELDS),
        make_form=lambda data, _recipient: DecisionForm(data),
        act=lambda recipient, form: do_decide_response(recipient, actor=request.user, **form.action_arguments()),
        page_context=recipient_context,
    )  # fmt: skip


urlpatterns = [
    path("letter-recipients/<int:pk>/answer/", answer_view, name="letter-recipients-answer"),
    path("letter-recipients/<int:pk>/decide/", decide_view, name="letter-recipients-decide"),
]
