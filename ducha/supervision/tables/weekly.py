"""The columns of the weekly reports' lists and of the work plans' list."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column
from ducha.supervision.reporting import report_timeliness


def local_time(value) -> str:
    """A moment as Beijing time to the minute (the due times are to the minute)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


WEEK = Column(_("week starting"), lambda o: o.week_starts, "week_starts", link=True)
GROUP = Column(_("supervision group"), lambda o: o.group.name, "group__code", nowrap=True)
SUBMITTED = Column(_("submitted at"), lambda o: o.submitted_at, "submitted_at", display=local_time, nowrap=True)
TIMELINESS = Column(_("timeliness"), lambda o: report_timeliness(o).label, nowrap=True)
NARRATIVE = Column(_("progress this week"), lambda o: o.narrative, link=True)

UNIT_WEEKLY_COLUMNS = (
    WEEK,
    Column(_("unit"), lambda o: o.unit.name, "unit__order"),
    GROUP,
    SUBMITTED,
    TIMELINESS,
    NARRATIVE,
)

GROUP_WEEKLY_COLUMNS = (WEEK, GROUP, SUBMITTED, TIMELINESS, NARRATIVE)

SCHEDULE_COLUMNS = (
    Column(_("first reporting week starts on"), lambda o: o.first_week_starts, link=True),
    Column(_("units report by (weekday)"), lambda o: o.get_unit_due_weekday_display(), link=True),
    Column(_("units report by (time)"), lambda o: o.unit_due_time.strftime("%H:%M")),
    Column(_("groups report by (weekday)"), lambda o: o.get_group_due_weekday_display()),
    Column(_("groups report by (time)"), lambda o: o.group_due_time.strftime("%H:%M")),
)

# The figures a report keeps (ducha.reports.weekly_figures), as its page shows them.
FIGURE_LABELS = {
    "projects": _("projects"),
    "projects_self_inspected": _("projects self-inspected"),
    "problems": _("problems found"),
    "problems_found_this_week": _("problems found this week"),
    "problems_open": _("problems open"),
    "problems_rectified": _("problems rectified"),
    "problems_rectified_this_week": _("problems rectified this week"),
    "problems_signed_off": _("problems signed off"),
    "problems_overdue": _("problems overdue"),
    "rectification_rate": _("rectification rate"),
    "sign_off_rate": _("sign-off rate"),
}
RATES = frozenset({"rectification_rate", "sign_off_rate"})


def figure_rows(figures: dict) -> list[tuple[str, object, bool]]:
    """(label, value, is a rate) for each figure the report holds, in the labels' order."""
    return [(str(label), figures[key], key in RATES) for key, label in FIGURE_LABELS.items() if key in figures]
