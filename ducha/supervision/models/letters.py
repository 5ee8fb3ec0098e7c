"""Letters (提醒函 / 提示函 / 通报 / 督办函): issued by a group or the office to one or
more units, with the points raised and a response deadline; each unit's response, and
whether the issuer accepted it."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, RoleKind, ScopePath
from ducha.supervision.choices import LetterKind
from ducha.supervision.models.base import check_supervised


class Letter(models.Model):
    campaign = models.ForeignKey("org.Campaign", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "org.SupervisionGroup",
        verbose_name=_("issued by group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip  (no group: the campaign office issued it)
    kind = models.CharField(_("kind"), max_length=10, choices=LetterKind.choices)
    number = models.CharField(_("document number"), max_length=100, blank=True)  # 文号
    title = models.CharField(_("title"), max_length=300)
    points = models.TextField(_("points raised"))
    issued_on = models.DateField(_("issued on"))
    respond_by = models.DateField(_("respond by"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopePath(group="group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("letter")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.group is not None and self.campaign_id and self.group.campaign_id != self.campaign_id:
            raise ValidationError({"group": _("The group belongs to another campaign.")})
        if self.campaign_id:
            self.campaign.check_date("issued_on", self.issued_on, not_after_today=True)
        if self.respond_by and self.issued_on and self.respond_by < self.issued_on:
            raise ValidationError({"respond_by": _("The response is due before the letter was issued.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """A letter keeps its issuer: its recipients are the units that issuer supervises."""
        if "group" in changed:
            raise ValidationError({"group": _("A letter keeps its issuer.")})


def response_overdue_q(as_of: dt.date) -> Q:
    """Recipients whose response is overdue on `as_of` (the one definition)."""
    return Q(responded_on__isnull=True, letter__respond_by__lt=as_of)


class LetterRecipient(models.Model):
    """One unit a letter went to, its response, and the issuer's decision on it."""

    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="recipients")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    response = models.TextField(_("response"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    accepted = models.BooleanField(_("response accepted"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The issuer adds recipients; the unit answers; the issuer accepts (check_update).
    scope = ScopePath(unit="unit", group="letter__group", creators=SUPERVISORS)

    UNIT_FIELDS = frozenset({"response", "responded_on"})
    DECISION_FIELDS = frozenset({"accepted", "decision_note"})

    class Meta:
        verbose_name = _("letter recipient")
        constraints = [models.UniqueConstraint(fields=["letter", "unit"], name="letter_to_unit_once")]

    def __str__(self) -> str:
        return f"{self.letter} → {self.unit}"

    def clean(self) -> None:
        if self.unit_id and self.unit.parent_id is not None:
            raise ValidationError({"unit": _("The owning unit must be a league/city or a department.")})
        if self.letter_id and self.letter.group_id:
            issued = _Issued(self.letter.group_id, self.unit_id, self.letter.campaign_id)
            check_supervised(issued)  # type: ignore[arg-type]
        if self.accepted is not None and not self.responded_on:
            raise ValidationError({"accepted": _("A response is accepted or refused once it has come.")})
        if self.responded_on and not self.response.strip():
            raise ValidationError({"response": _("A response needs its text.")})
        if self.responded_on and self.letter_id and self.responded_on < self.letter.issued_on:
            raise ValidationError({"responded_on": _("The response predates the letter.")})
        if self.responded_on and self.letter_id:
            self.letter.campaign.check_date("responded_on", self.responded_on, not_after_today=True)
        if self.accepted is False and not self.decision_note.strip():
            raise ValidationError({"decision_note": _("A refused response needs the reason for refusing it.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """The unit writes its response, and only that, again after a refusal but not once
        accepted; the issuer decides on it: the office on its own letters, a group on its."""
        if changed & {"letter", "unit"}:
            raise ValidationError(_("A recipient stays with its letter and unit; issue another letter instead."))
        if role == RoleKind.UNIT_REPORTER:
            if changed - self.UNIT_FIELDS:
                raise ValidationError(_("A unit answers the letter; the rest is the issuer's."))
            if self.accepted:
                raise ValidationError(_("The response was accepted and can no longer be changed."))
        elif changed & self.UNIT_FIELDS:
            raise ValidationError(_("The response is the unit's own."))
        elif role == RoleKind.GROUP_MEMBER and changed & self.DECISION_FIELDS and not self.letter.group_id:
            raise ValidationError(_("The office decides on the responses to its own letters."))


class _Issued:
    """A letter's group and a recipient unit, in the shape check_supervised reads."""

    def __init__(self, group_id: int, unit_id: int | None, campaign_id: int):
        self.group_id, self.unit_id, self.campaign_id = group_id, unit_id, campaign_id
