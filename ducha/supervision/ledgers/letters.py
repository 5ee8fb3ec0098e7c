"""The letters ledgers: the letters (提醒函 / 提示函 / 通报 / 督办函) a group or the office
issued, each added with its recipients in one action, and the recipients, one per unit:
the unit's page of a letter addressed to it, with the letter's text, its answer and the
issuer's decision (forms posted to ducha.web.supervision.letters)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ducha.core.access import restrict
from ducha.core.registry import Ledger
from ducha.supervision.actions.letters import issue_from_form, may_write
from ducha.supervision.filtersets import letters as f
from ducha.supervision.forms import letters as forms
from ducha.supervision.models import Letter, LetterRecipient
from ducha.supervision.models.letters import response_overdue_q
from ducha.supervision.tables import letters as t


def letter_context(request, letter: Letter) -> dict:
    """The letter's recipients the user may see, each with its response and decision."""
    recipients = restrict(letter.recipients.select_related("unit"), request.user).order_by("unit__order", "unit__code")
    overdue = set(recipients.filter(response_overdue_q(letter.campaign.as_of())).values_list("pk", flat=True))
    return {
        "issuer": t.issuer(letter),
        "recipients": [(r, t.decision(r), r.pk in overdue) for r in recipients],
    }


def recipient_context(request, recipient: LetterRecipient, *, bound: dict | None = None, error: str = "") -> dict:
    """The letter as its unit reads it, and the forms the user may use now: the unit's
    answer, the issuer's decision once answered. `bound`: a posted form with its errors
    ("answer", "decision")."""
    bound, user = dict(bound or {}), request.user
    letter = recipient.letter
    answer = decide = None
    if may_write(recipient, user, set(LetterRecipient.UNIT_FIELDS)):
        answer = bound.pop("answer", None) or forms.AnswerForm(recipient=recipient)
    if recipient.responded_on and not recipient.accepted and may_write(recipient, user, {"accepted"}):
        decide = bound.pop("decision", None) or forms.DecisionForm()
    as_of = letter.campaign.as_of()
    return {
        "letter": letter,
        "issuer": t.issuer(letter),
        "decision": t.decision(recipient),
        "overdue": LetterRecipient.objects.filter(response_overdue_q(as_of), pk=recipient.pk).exists(),
        "answer_form": answer,
        "decision_form": decide,
        "error": " ".join([error, *(m for form in bound.values() for m in form.non_field_errors())]).strip(),
        "today": timezone.localdate(),
    }


LEDGERS: list[Ledger] = [
    Ledger(
        "letters",
        Letter,
        gettext_lazy("Letters"),
        t.LETTER_COLUMNS,
        f.LetterFilterSet,
        forms.LetterForm,
        search_fields=("title", "number", "points"),
        select_related=("group",),
        ordering=("-issued_on", "-pk"),
        detail_fields=("group", "kind", "number", "title", "points", "issued_on", "respond_by"),
        detail_template="web/supervision/letters/letter_detail.html",
        extra_context=letter_context,
        history_related=lambda letter: (letter.recipients.all(),),
        create=issue_from_form,
    ),
    Ledger(
        "letter-recipients",
        LetterRecipient,
        gettext_lazy("Letter responses"),
        t.RECIPIENT_COLUMNS,
        f.LetterRecipientFilterSet,
        forms.LetterRecipientForm,
        search_fields=("letter__title", "letter__number", "response"),
        select_related=("unit", "letter", "letter__group"),
        ordering=("-letter__issued_on", "unit__order", "-pk"),
        detail_fields=("unit", "letter", "response", "responded_on", "accepted", "decision_note"),
        detail_template="web/supervision/letters/recipient_detail.html",
        extra_context=recipient_context,
    ),
]
