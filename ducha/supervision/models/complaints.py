"""Complaints and report materials (举报材料): received from the 12345 hotline, by letter
or mail, or forwarded by the coordination group; assigned to a group and a unit with a
deadline; handled and closed; turned into a problem or a clue transfer in one step."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, RoleKind, ScopePath
from ducha.supervision.choices import ComplaintSource, ComplaintStatus
from ducha.supervision.models.base import check_supervised


def complaint_overdue_q(as_of: dt.date) -> Q:
    """Complaints overdue on `as_of` (the one definition): the deadline passed, not closed."""
    return Q(deadline__lt=as_of) & ~Q(status=ComplaintStatus.CLOSED)


class Complaint(models.Model):
    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=ComplaintSource.choices)
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    group = models.ForeignKey(
        "org.SupervisionGroup", verbose_name=_("supervision group"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "org.Unit", verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("handling deadline"), null=True, blank=True)
    status = models.CharField(
        _("handling status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    progress = models.TextField(_("handling progress"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    problem = models.OneToOneField(
        "ledger.Problem", verbose_name=_("problem"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaint",
    )  # fmt: skip
    clue_transfer = models.OneToOneField(
        "ledger.ClueTransfer", verbose_name=_("clue transfer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaint",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A group or the office receives and assigns; the unit records how it handles it.
    scope = ScopePath(unit="unit", county="county", group="group", creators=SUPERVISORS)

    UNIT_FIELDS = frozenset({"progress", "outcome", "status", "closed_on"})

    class Meta:
        verbose_name = _("complaint")
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="complaint_number_once")]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.unit is not None and self.unit.parent_id is not None:
            raise ValidationError({"unit": _("The owning unit must be a league/city or a department.")})
        if self.county is not None and self.county.parent_id != self.unit_id:
            raise ValidationError({"county": _("The county does not lie in the unit.")})
        if self.unit_id and not self.group_id:
            raise ValidationError({"group": _("A complaint is assigned to a group with its unit.")})
        check_supervised(self)
        if self.campaign_id:
            self.campaign.check_date("received_on", self.received_on, not_after_today=True)
        if self.deadline and self.received_on and self.deadline < self.received_on:
            raise ValidationError({"deadline": _("The deadline lies before the day it was received.")})
        closed = self.status == ComplaintStatus.CLOSED
        if closed and (not self.closed_on or not self.outcome.strip()):
            raise ValidationError({"outcome": _("A closed complaint has its outcome and closing day.")})
        if self.closed_on and not closed:
            raise ValidationError({"closed_on": _("Only a closed complaint has a closing day.")})
        if self.closed_on and self.campaign_id:
            self.campaign.check_date("closed_on", self.closed_on, not_after_today=True)
        if self.closed_on and self.received_on and self.closed_on < self.received_on:
            raise ValidationError({"closed_on": _("The complaint was closed before it was received.")})
        self._check_outcome_records()

    def _check_outcome_records(self) -> None:
        """A complaint becomes a problem or a clue transfer, not both, of its own unit."""
        if self.problem_id and self.clue_transfer_id:
            raise ValidationError(_("A complaint becomes a problem or a clue transfer, not both."))
        for name in ("problem", "clue_transfer"):
            record = getattr(self, name)
            if record is not None and record.unit_id != self.unit_id:
                raise ValidationError({name: _("The record belongs to another unit than the complaint.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """A unit reports how it handles the complaint; receiving and assigning are the groups'."""
        if role == RoleKind.UNIT_REPORTER and changed - self.UNIT_FIELDS:
            raise ValidationError(_("A unit records its handling; the rest is the group's."))
