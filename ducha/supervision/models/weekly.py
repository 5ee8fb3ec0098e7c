"""Weekly scheduling (周调度): when reports are due, the units' reports to their group and
the groups' reports to the office. Whether a report is on time, late or missing is
worked out from the schedule (ducha.supervision.weeks), never stored."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import REFERENCE_DATA, RoleKind, ScopePath
from ducha.ledger.models.base import UnitRecord
from ducha.supervision.models.base import GroupRecord, check_supervised

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]  # fmt: skip


class ReportingSchedule(models.Model):
    """A campaign's reporting weeks: Monday to Sunday from `first_week_starts`; a unit's
    report of a week is due on its weekday and time (Beijing time), the group's after it."""

    scope = REFERENCE_DATA

    campaign = models.OneToOneField("org.Campaign", on_delete=models.CASCADE, related_name="reporting_schedule")
    first_week_starts = models.DateField(_("first reporting week starts on"))
    unit_due_weekday = models.PositiveSmallIntegerField(_("units report by (weekday)"), choices=WEEKDAYS, default=4)
    unit_due_time = models.TimeField(_("units report by (time)"), default=dt.time(12))
    group_due_weekday = models.PositiveSmallIntegerField(_("groups report by (weekday)"), choices=WEEKDAYS, default=4)
    group_due_time = models.TimeField(_("groups report by (time)"), default=dt.time(17))

    class Meta:
        verbose_name = _("reporting schedule")

    def __str__(self) -> str:
        return str(self.campaign)

    def clean(self) -> None:
        if self.first_week_starts and self.first_week_starts.weekday() != 0:
            raise ValidationError({"first_week_starts": _("A reporting week starts on a Monday.")})

    @classmethod
    def for_campaign(cls, campaign) -> "ReportingSchedule":
        """The campaign's schedule as the office set it; until it does, the default (not
        stored, so that reading a page writes nothing): weeks from the Monday of the
        campaign's first day, units by Friday 12:00, groups by Friday 17:00."""
        try:
            return campaign.reporting_schedule
        except cls.DoesNotExist:
            starts = campaign.starts_on - dt.timedelta(days=campaign.starts_on.weekday())
            return cls(campaign=campaign, first_week_starts=starts)


class WeeklyReport(models.Model):
    """What both reports hold: the week, when and by whom it was submitted, the week's
    figures as the ledger stood at submission, and the narrative."""

    week_starts = models.DateField(_("week starting"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("submitted by")
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    narrative = models.TextField(_("progress this week"))

    class Meta:
        abstract = True

    def clean_week(self) -> None:
        if self.week_starts and self.week_starts.weekday() != 0:
            raise ValidationError({"week_starts": _("A reporting week starts on a Monday.")})

    def check_update(self, role: str | None, changed: set[str]) -> None:
        """A report is submitted once (its figures as the ledger stood then, its time);
        afterwards only its narrative may be corrected, in the change log."""
        fields = {f.name for f in self._meta.concrete_fields}  # a form's own fields (the reason) are no concern
        fixed = sorted(name for name in changed if name in fields and name != "narrative")
        if fixed:
            raise ValidationError({name: _("A submitted report keeps its week, figures and time.") for name in fixed})


class UnitWeeklyReport(UnitRecord, WeeklyReport):
    """A unit's weekly progress report to its group (one a week)."""

    group = models.ForeignKey(
        "org.SupervisionGroup", verbose_name=_("supervision group"), on_delete=models.PROTECT, related_name="+"
    )

    scope = ScopePath(unit="unit", group="group", writers=frozenset({RoleKind.UNIT_REPORTER}))

    class Meta:
        verbose_name = _("unit weekly report")
        constraints = [models.UniqueConstraint(fields=["unit", "week_starts"], name="unit_weekly_report_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.week_starts}"

    def clean(self) -> None:
        super().clean()
        self.clean_week()
        check_supervised(self)


class GroupWeeklyReport(GroupRecord, WeeklyReport):
    """A group's weekly report to the office (one a week)."""

    scope = ScopePath(group="group", writers=frozenset({RoleKind.GROUP_MEMBER}))

    class Meta:
        verbose_name = _("group weekly report")
        constraints = [models.UniqueConstraint(fields=["group", "week_starts"], name="group_weekly_report_once")]

    def __str__(self) -> str:
        return f"{self.group} {self.week_starts}"

    def clean(self) -> None:
        super().clean()
        self.clean_week()
