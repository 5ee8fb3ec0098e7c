"""Complaints and report materials (举报材料): received by a group or the office,
assigned to a group and unit with a deadline, handled and closed by the unit, and turned
into a problem (discovery method "complaint") or a clue transfer in one step. Who writes
which field is the model's rule (Complaint.clean / check_update); these actions write
through the core and ledger actions, each in one transaction with its change log."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, restrict, role_kind
from ducha.core.actions import do_create_object, do_update_object
from ducha.ledger.actions import do_create_problem
from ducha.ledger.choices import DiscoveryMethod
from ducha.ledger.models import ClueTransfer, Problem
from ducha.org.models import SupervisionGroup, Unit
from ducha.supervision.choices import ComplaintStatus
from ducha.supervision.models import Complaint


def do_assign_complaint(
    complaint: Complaint,
    *,
    actor: Actor,
    group: SupervisionGroup | None,
    unit: Unit | None = None,
    county: Unit | None = None,
    deadline: dt.date | None = None,
    reason: str = "",
) -> Complaint:
    """Assign to a group, and to one of its units with a deadline: the office to any group,
    a group within its own units (the scope and Complaint.clean say so)."""
    changes = {"group": group, "unit": unit, "county": county, "deadline": deadline}
    return do_update_object(complaint, actor=actor, changes=changes, reason=reason)


def do_record_complaint_progress(complaint: Complaint, *, actor: Actor, progress: str) -> Complaint:
    """How the handling stands (办理进展); a received complaint is then being handled."""
    current = restrict(Complaint.objects.all(), actor, Action.CHANGE).get(pk=complaint.pk)
    if not progress.strip():
        raise ValidationError({"progress": _("Write how the handling stands.")})
    if current.status == ComplaintStatus.CLOSED:
        raise ValidationError({"progress": _("The complaint is closed.")})
    return do_update_object(current, actor=actor, changes={"progress": progress, "status": ComplaintStatus.HANDLING})


def do_close_complaint(
    complaint: Complaint, *, actor: Actor, outcome: str, closed_on: dt.date | None = None
) -> Complaint:
    """Close with its outcome (办理结果), on `closed_on` (today unless given)."""
    changes = {"outcome": outcome, "closed_on": closed_on or timezone.localdate(), "status": ComplaintStatus.CLOSED}
    return do_update_object(complaint, actor=actor, changes=changes)


def _convertible(complaint: Complaint, actor: Actor, link: str) -> Complaint:
    """The complaint as stored, locked, if this actor may turn it into a record now."""
    current = restrict(Complaint.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=complaint.pk)
    current.check_update(role_kind(actor), {link})  # a unit handles a complaint; it does not convert it
    if current.problem_id or current.clue_transfer_id:
        raise ValidationError(_("The complaint has already become a problem or a clue transfer."))
    if not current.unit_id:
        raise ValidationError({"unit": _("Assign the complaint to a unit first.")})
    return current


def do_complaint_to_problem(complaint: Complaint, *, actor: Actor, data: dict, reason: str = "") -> Problem:
    """The complaint becomes a problem of its unit (discovery method "complaint") and
    keeps the link to it, in one transaction. `data`: the problem's own fields (number,
    description, found on, deadline …); unit and campaign are the complaint's."""
    with transaction.atomic():
        current = _convertible(complaint, actor, "problem")
        defaults = {"county": current.county, "description": current.summary, "found_on": timezone.localdate()}
        fixed = {"campaign": current.campaign, "unit": current.unit, "discovery_method": DiscoveryMethod.COMPLAINT}
        problem = do_create_problem(actor=actor, data={**defaults, **data, **fixed}, reason=reason)
        do_update_object(current, actor=actor, changes={"problem": problem}, reason=reason)
        return problem


def do_complaint_to_clue_transfer(complaint: Complaint, *, actor: Actor, data: dict, reason: str = "") -> ClueTransfer:
    """The complaint becomes a clue transfer of its unit (移交问题线索) and keeps the link
    to it, in one transaction. `data`: authority, transferred on, summary, domain."""
    with transaction.atomic():
        current = _convertible(complaint, actor, "clue_transfer")
        defaults = {"summary": current.summary, "transferred_on": timezone.localdate()}
        fixed = {"campaign": current.campaign, "unit": current.unit}
        clue = do_create_object(ClueTransfer, actor=actor, data={**defaults, **data, **fixed}, reason=reason)
        do_update_object(current, actor=actor, changes={"clue_transfer": clue}, reason=reason)
        return clue
