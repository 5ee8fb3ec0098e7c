"""Where each supervision figure's records are listed, in one place: the ledger (by its
registry key) or page, and the list's filters. The dashboards show the statistics'
supervision figures (reports/statistics.py) through this table, each a link to its list;
a ledger not registered (yet) gives a figure without a link, never a dead one."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ducha.core.registry import ledgers
from ducha.supervision.choices import LetterKind, RoundKind, Timeliness

# The supervision ledgers' registry keys (ducha/supervision/ledgers/).
WORK_PLANS = "work-plans"
UNIT_REPORTS = "unit-weekly-reports"
GROUP_REPORTS = "group-weekly-reports"
SITE_ROUNDS = "site-rounds"
CONTACTS = "contacts"
CONTACT_RULES = "contact-rules"
LETTERS = "letters"
LETTER_RECIPIENTS = "letter-recipients"
COMPLAINTS = "complaints"
LOOK_BACK_CHECKS = "look-back-checks"
# Pages of their own (not ledgers), by URL name.
MISSING_REPORTS = "weekly-reports-missing"
COMPLIANCE = "contact-compliance"


@dataclass(frozen=True)
class FigureList:
    label: Any
    target: str  # a ledger key, or a page's URL name (page=True)
    filters: tuple[tuple[str, str], ...] = ()
    page: bool = False
    by_group: bool = True  # the list takes ?group=CODE


def _f(label, target, *filters: tuple[str, str], page=False, by_group=True) -> FigureList:
    return FigureList(label, target, tuple(filters), page, by_group)


# The dashboards' columns, in order: figure key → its label and list.
FIGURES: dict[str, FigureList] = {
    "work_plans": _f(_("Work plans"), WORK_PLANS),
    "unit_reports_submitted": _f(_("Unit reports"), UNIT_REPORTS),
    "unit_reports_on_time": _f(Timeliness.ON_TIME.label, UNIT_REPORTS, ("timeliness", "on_time")),
    "unit_reports_late": _f(Timeliness.LATE.label, UNIT_REPORTS, ("timeliness", "late")),
    "unit_reports_missing": _f(Timeliness.MISSING.label, MISSING_REPORTS, page=True, by_group=False),
    "group_reports_submitted": _f(_("Group reports to the office"), GROUP_REPORTS),
    "group_reports_on_time": _f(Timeliness.ON_TIME.label, GROUP_REPORTS, ("timeliness", "on_time")),
    "group_reports_late": _f(Timeliness.LATE.label, GROUP_REPORTS, ("timeliness", "late")),
    "group_reports_missing": _f(Timeliness.MISSING.label, MISSING_REPORTS, page=True, by_group=False),
    "site_rounds": _f(_("Site rounds"), SITE_ROUNDS),
    "look_back_rounds": _f(RoundKind.LOOK_BACK.label, SITE_ROUNDS, ("kind", "look_back")),
    "contacts_phone": _f(_("Phone supervision"), CONTACTS, ("kind", "phone")),
    "contacts_on_site": _f(_("On-site supervision"), CONTACTS, ("kind", "on_site")),
    "contacts_written": _f(_("Written reminder"), CONTACTS, ("kind", "written")),
    "counties_visited": _f(_("Counties visited"), CONTACTS, ("kind", "on_site")),
    "letters": _f(_("Letters"), LETTERS),
    **{
        f"letters_by_kind.{kind.value}": _f(kind.label, LETTERS, ("kind", kind.value))
        for kind in LetterKind  # 提醒函, 提示函, 通报, 督办函
    },
    "letter_responses_answered": _f(_("Responses"), LETTER_RECIPIENTS, ("answered", "true")),
    "letter_responses_accepted": _f(_("accepted"), LETTER_RECIPIENTS, ("accepted", "true")),
    "letter_responses_overdue": _f(_("Responses overdue"), LETTER_RECIPIENTS, ("overdue", "true")),
    "complaints_received": _f(_("Complaints"), COMPLAINTS),
    "complaints_closed": _f(_("closed"), COMPLAINTS, ("status", "closed")),
    "complaints_to_problems": _f(_("became problems"), COMPLAINTS, ("to_problem", "true")),
    "complaints_to_clue_transfers": _f(_("became clue transfers"), COMPLAINTS, ("to_clue", "true")),
    "look_back_projects_rechecked": _f(_("Projects re-checked"), LOOK_BACK_CHECKS, ("target", "project")),
    "look_back_problems_rechecked": _f(_("Problems re-checked"), LOOK_BACK_CHECKS, ("target", "problem")),
    "look_back_problems_found": _f(_("New problems found"), LOOK_BACK_CHECKS, ("outcome", "new_problem")),
    "look_back_problems_reopened": _f(_("Problems reopened"), LOOK_BACK_CHECKS, ("outcome", "not_rectified")),
}
# Column groups of the dashboards' table: (heading, figures).
SECTIONS = (
    (_("Weekly scheduling"), ("unit_reports_submitted", "unit_reports_on_time", "unit_reports_late",
                              "unit_reports_missing", "group_reports_submitted", "group_reports_on_time",
                              "group_reports_late", "group_reports_missing")),
    (_("Supervision"), ("work_plans", "site_rounds", "look_back_rounds", "contacts_phone", "contacts_on_site",
                        "contacts_written", "counties_visited")),
    (_("Letters and complaints"), ("letters", *(f"letters_by_kind.{k}" for k in LetterKind.values),
                                   "letter_responses_answered", "letter_responses_accepted",
                                   "letter_responses_overdue", "complaints_received", "complaints_closed",
                                   "complaints_to_problems", "complaints_to_clue_transfers")),
    (RoundKind.LOOK_BACK.label, ("look_back_projects_rechecked", "look_back_problems_rechecked",
                                            "look_back_problems_found", "look_back_problems_reopened")),
)  # fmt: skip


def figure_url(figure: str, group: str | None = None) -> str | None:
    """The list behind a figure (of one group, when given); None when it has none yet."""
    spec = FIGURES[figure]
    if spec.page:
        try:
            base = reverse(spec.target)
        except NoReverseMatch:
            return None
    elif spec.target in {ledger.key for ledger in ledgers()}:
        base = reverse(f"{spec.target}-list")
    else:
        return None
    query = dict(spec.filters)
    if group and spec.by_group:
        query["group"] = group
    return f"{base}?{urlencode(query)}" if query else base


def value_of(supervision: dict[str, Any], figure: str) -> int:
    if figure.startswith("letters_by_kind."):
        return supervision["letters_by_kind"][figure.split(".", 1)[1]]
    return supervision[figure]


def table(columns: list[tuple[str, str | None, dict[str, Any]]]) -> dict[str, Any]:
    """The dashboards' supervision table: a row per figure under its section's heading, a
    column per group (and the total, with no group code), each figure with its link."""
    return {
        "columns": [name for name, _code, _figures in columns],
        "sections": [
            (
                heading,
                [
                    {
                        "figure": f,
                        "label": FIGURES[f].label,
                        "cells": [(value_of(figures, f), figure_url(f, code)) for _name, code, figures in columns],
                    }
                    for f in names
                ],
            )
            for heading, names in SECTIONS
        ],
    }
