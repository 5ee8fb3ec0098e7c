"""Letters (提醒函 / 提示函 / 通报 / 督办函): issued to units, answered by each unit,
the answer accepted or refused by the issuer. Every rule on who writes which field is
the models' (LetterRecipient.clean / check_update); these actions write through the
core actions, so each change is in the change log of its transaction."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, allows, role_kind
from ducha.core.actions import do_bulk_create_objects, do_create_object, do_update_object
from ducha.org.models import Unit
from ducha.supervision.models import Letter, LetterRecipient


def may_write(obj: models.Model, user: Actor, fields: set[str]) -> bool:
    """Whether the user may change these fields of this record now: its scope and the
    model's own rule (check_update). The pages offer a form only where this holds."""
    if not allows(user, obj, Action.CHANGE):
        return False
    try:
        obj.check_update(role_kind(user), fields)  # type: ignore[attr-defined]
    except ValidationError:
        return False
    return True


def do_issue_letter(*, actor: Actor, data: dict, units: Sequence[Unit], reason: str = "") -> Letter:
    """A group (or the office) issues one letter to one or more units: the letter and a
    recipient per unit, in one transaction. A group writes only to the units it
    supervises (LetterRecipient.clean)."""
    if not units:
        raise ValidationError({"units": _("A letter goes to at least one unit.")})
    with transaction.atomic():
        letter = do_create_object(Letter, actor=actor, data={**data, "issued_by": actor}, reason=reason)
        recipients = [LetterRecipient(letter=letter, unit=unit) for unit in dict.fromkeys(units)]
        try:
            do_bulk_create_objects(recipients, actor=actor, reason=reason)
        except ValidationError as error:
            # The form's field is the list of units; a recipient's unit error belongs there.
            raise ValidationError({"units": error.messages}) from None
        return letter


def issue_from_form(_model: type[models.Model], *, actor: Actor, data: dict) -> Letter:
    """The letter ledger's add page (Ledger.create): the form's units go to do_issue_letter."""
    data = dict(data)
    return do_issue_letter(actor=actor, units=list(data.pop("units", ())), data=data)


def do_answer_letter(
    recipient: LetterRecipient, *, actor: Actor, response: str, responded_on: dt.date | None = None
) -> LetterRecipient:
    """The unit answers a letter addressed to it (again after a refusal); the day is today
    unless given."""
    changes = {"response": response, "responded_on": responded_on or timezone.localdate()}
    return do_update_object(recipient, actor=actor, changes=changes)


def do_decide_response(recipient: LetterRecipient, *, actor: Actor, accepted: bool, note: str = "") -> LetterRecipient:
    """The issuer accepts the unit's response or refuses it, saying why."""
    return do_update_object(recipient, actor=actor, changes={"accepted": accepted, "decision_note": note})
