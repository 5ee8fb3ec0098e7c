"""Supervision contacts (电话督导, 实地督导, 书面提醒), the numbered site rounds (轮次)
on-site visits belong to, look-back (回头看) checks, and the contact rules."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import REFERENCE_DATA, SUPERVISORS, ScopePath
from ducha.core.fields import ChoiceListField
from ducha.ledger.choices import RECTIFIED_STATUSES, ProblemStatus
from ducha.ledger.models.base import CountyRecord
from ducha.supervision.choices import ContactKind, LookBackOutcome, RoundKind, RoundMethod
from ducha.supervision.models.base import GroupRecord, check_supervised, supervises

SIGNED_OFF = ProblemStatus.SIGNED_OFF


class SupervisionRound(GroupRecord):
    """A numbered round of site supervision (第N轮实地督导), or a look-back round. Its
    visits are the on-site contacts that name it; its methods are recorded with it."""

    number = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("kind"), max_length=12, choices=RoundKind.choices, default=RoundKind.REGULAR)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    methods = ChoiceListField(_("methods"), item_choices=RoundMethod.choices)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("site round")
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="round_number_once_per_group")]

    def __str__(self) -> str:
        return f"{self.group} 第{self.number}轮"

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The round ends before it starts.")})
        if self.campaign_id:
            self.campaign.check_date("starts_on", self.starts_on, not_after_today=True)
            self.campaign.check_date("ends_on", self.ends_on)
        if self.pk is not None:
            self._check_records_still_fit()

    def _check_records_still_fit(self) -> None:
        """An edited round keeps its visits inside its dates and, with look-back checks, its kind."""
        outside = Contact.objects.filter(round=self).exclude(contacted_on__range=(self.starts_on, self.ends_on))
        if self.starts_on and self.ends_on and outside.exists():
            raise ValidationError({"starts_on": _("The round's visits would lie outside its dates.")})
        if self.kind != RoundKind.LOOK_BACK and LookBackCheck.objects.filter(round=self).exists():
            raise ValidationError({"kind": _("The round has look-back checks: it stays a look-back round.")})


class Contact(CountyRecord):
    """One supervision contact with a unit: by phone, on site (a visit of a round, down to
    a county when it names one), or in writing; with what was said and what follows."""

    group = models.ForeignKey(
        "org.SupervisionGroup", verbose_name=_("supervision group"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    contacted_on = models.DateField(_("date"))
    supervisor = models.CharField(_("supervisor"), max_length=100)
    content = models.TextField(_("content"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    round = models.ForeignKey(
        SupervisionRound,
        verbose_name=_("round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )

    scope = ScopePath(unit="unit", county="county", group="group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("supervision contact")
        indexes = [models.Index(fields=["campaign", "group", "contacted_on"], name="contact_by_group_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit}"  # lists add the date

    def clean(self) -> None:
        super().clean()
        check_supervised(self)
        if self.campaign_id:
            self.campaign.check_date("contacted_on", self.contacted_on, not_after_today=True)
        if self.kind == ContactKind.ON_SITE and self.round_id is None:
            raise ValidationError({"round": _("An on-site visit belongs to a round.")})
        if (round := self.round if self.round_id is not None else None) is not None:
            if self.kind != ContactKind.ON_SITE:
                raise ValidationError({"round": _("Only on-site visits belong to a round.")})
            if round.group_id != self.group_id:
                raise ValidationError({"round": _("The round is another group's.")})
            if self.contacted_on and not round.starts_on <= self.contacted_on <= round.ends_on:
                raise ValidationError({"contacted_on": _("The visit lies outside the round's dates.")})


class RoundProblem(models.Model):
    """A problem a site round found: in the problem ledger, discovered by supervision."""

    round = models.ForeignKey(SupervisionRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="+")
    problem = models.OneToOneField(
        "ledger.Problem", verbose_name=_("problem"), on_delete=models.PROTECT, related_name="+"
    )

    scope = ScopePath(unit="problem__unit", county="problem__county", group="round__group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("problem found by a round")

    def __str__(self) -> str:
        return f"{self.round} {self.problem}"

    def clean(self) -> None:
        if self.round_id and self.problem_id and not _group_supervises(self.round, self.problem.unit_id):
            raise ValidationError({"problem": _("The problem is of a unit the round's group does not supervise.")})


class LookBackCheck(models.Model):
    """A look-back round's re-check of one self-inspected project or one rectified
    problem, and what it found: confirmed, not truly rectified (the problem reopened, the
    step kept here), or a new problem."""

    round = models.ForeignKey(
        SupervisionRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="look_back_checks"
    )
    project = models.ForeignKey(
        "ledger.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    problem = models.ForeignKey(
        "ledger.Problem", verbose_name=_("problem"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("checked on"))
    outcome = models.CharField(_("result of the check"), max_length=14, choices=LookBackOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    reopening = models.ForeignKey(
        "ledger.RectificationStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_problem = models.ForeignKey(
        "ledger.Problem", verbose_name=_("new problem"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    scope = ScopePath(unit=("project__unit", "problem__unit"), group="round__group", writers=SUPERVISORS)

    class Meta:
        verbose_name = _("look-back check")

    def __str__(self) -> str:
        return f"{self.round} {self.problem or self.project} · {self.get_outcome_display()}"

    def clean(self) -> None:
        self.check_target()
        self._check_outcome()

    def check_target(self) -> None:
        """What is re-checked, and by which round (the action asks this before it moves anything)."""
        if (self.project_id is None) == (self.problem_id is None):
            raise ValidationError(_("A look-back check re-checks one project or one problem."))
        if self.round_id and self.round.kind != RoundKind.LOOK_BACK:
            raise ValidationError({"round": _("Only a look-back round re-checks.")})
        if self.round_id and self.checked_on and not self.round.starts_on <= self.checked_on <= self.round.ends_on:
            raise ValidationError({"checked_on": _("The check lies outside the round's dates.")})
        target = self.project if self.project_id else self.problem
        if self.round_id and target is not None and not _group_supervises(self.round, target.unit_id):
            raise ValidationError(_("The record is of a unit the round's group does not supervise."))
        if self._state.adding:
            self._check_recheckable()

    def _check_outcome(self) -> None:
        """What the outcome says happened has happened: a problem not truly rectified was
        reopened (the step kept), a new problem was recorded; a confirmation did neither.
        The look-back round's action (do_record_look_back_check) does both at once."""
        reopened = self.outcome == LookBackOutcome.NOT_RECTIFIED
        if reopened and self.problem_id is None:
            raise ValidationError({"outcome": _("Only a problem is found not truly rectified.")})
        if reopened != (self.reopening_id is not None):
            raise ValidationError({"outcome": _("A problem not truly rectified is reopened on the round's page.")})
        step = self.reopening
        if step is not None and (step.problem_id != self.problem_id or step.from_status != SIGNED_OFF):
            raise ValidationError({"outcome": _("The reopening step is not this problem's look-back reopening.")})
        if (self.outcome == LookBackOutcome.NEW_PROBLEM) != (self.new_problem_id is not None):
            raise ValidationError({"new_problem": _("A new problem is recorded with the check, and only then.")})

    def _check_recheckable(self) -> None:
        """A look-back re-checks a self-inspected project, or a rectified or signed-off
        problem (the one just reopened by this check counts as signed off)."""
        project, problem = self.project, self.problem
        if project is not None and not project.self_inspected:
            raise ValidationError({"project": _("Only a self-inspected project is re-checked.")})
        if problem is not None and self.reopening_id is None and problem.status not in set(RECTIFIED_STATUSES):
            raise ValidationError({"problem": _("Only a rectified or signed-off problem is re-checked.")})

    # After the check is recorded, what it found stands; its note may still be completed.
    FIXED = frozenset({"round", "project", "problem", "checked_on", "outcome", "reopening", "new_problem"})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        if fixed := sorted(changed & self.FIXED):
            raise ValidationError({name: _("A recorded look-back check keeps what it found.") for name in fixed})


def _group_supervises(round: SupervisionRound, unit_id: int) -> bool:
    return supervises(round.group_id, unit_id, round.campaign_id)


class ContactRule(models.Model):
    """A contact rule set by the office, e.g. from 2024-07-01 at least two phone contacts
    per unit per week (for one group, or every group)."""

    scope = REFERENCE_DATA

    campaign = models.ForeignKey("org.Campaign", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "org.SupervisionGroup", verbose_name=_("supervision group"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    per_week = models.PositiveSmallIntegerField(_("at least, per unit and week"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact rule")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.per_week}/周"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The rule ends before it starts.")})
        if self.per_week == 0:
            raise ValidationError({"per_week": _("A rule asks for at least one contact a week.")})
        group = self.group if self.group_id else None
        if group is not None and self.campaign_id and group.campaign_id != self.campaign_id:
            raise ValidationError({"group": _("The group belongs to another campaign.")})
