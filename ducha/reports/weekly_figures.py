"""The figures a weekly report (周调度) carries: the ledger as it stands at submission, in
the submitter's scope (a unit's reporter: the unit; a group's member: the group's units),
and the problems found and rectified in the report's week. Handed to the supervision
app's actions when the reports app is ready (ducha.supervision.actions.weekly)."""

import datetime as dt
from typing import Any

from ducha.org.models import Campaign
from ducha.reports.statistics import campaign_statistics, weekly_trend

# The standing figures a report keeps, in the order its page shows them.
REPORT_FIGURES = (
    "projects",
    "projects_self_inspected",
    "problems",
    "problems_open",
    "problems_rectified",
    "problems_signed_off",
    "problems_overdue",
    "rectification_rate",
    "sign_off_rate",
)


def report_figures(campaign: Campaign, *, actor, week_starts: dt.date, as_of: dt.date) -> dict[str, Any]:
    total = campaign_statistics(campaign, user=actor, today=as_of)["total"]
    return figures_from(total, weekly_trend(campaign, user=actor), week_starts)


def figures_from(total: dict[str, Any], trend: list[dict[str, Any]], week_starts: dt.date) -> dict[str, Any]:
    """A report's figures out of the statistics' total and weekly trend (a dashboard
    shows them from its cached statistics before the report is submitted)."""
    week = next((w for w in trend if w["week"] == week_starts.isoformat()), {})
    return {
        **{name: total[name] for name in REPORT_FIGURES},
        "problems_found_this_week": week.get("found", 0),
        "problems_rectified_this_week": week.get("rectified", 0),
    }
