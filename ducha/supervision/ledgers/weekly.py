"""The ledgers of weekly scheduling and work plans (see ducha/ledger/ledgers.py for the
pattern). A weekly report is added by its submission page (ducha.web.supervision.weekly:
the action reads its figures from the ledger); afterwards only its narrative is edited."""

from django.utils.translation import gettext_lazy

from ducha.core.access import Action, allows
from ducha.core.registry import Ledger
from ducha.ledger.filtersets import ListFilterSet
from ducha.supervision.filtersets.plans import WorkPlanFilterSet
from ducha.supervision.filtersets.weekly import UnitWeeklyReportFilterSet, WeeklyReportFilterSet
from ducha.supervision.forms.plans import WorkPlanDocumentForm, WorkPlanForm
from ducha.supervision.forms.weekly import GroupWeeklyReportForm, ReportingScheduleForm, UnitWeeklyReportForm
from ducha.supervision.models import (
    GroupWeeklyReport,
    ReportingSchedule,
    UnitWeeklyReport,
    WorkPlan,
    WorkPlanDocument,
)
from ducha.supervision.reporting import report_timeliness
from ducha.supervision.tables.plans import WORK_PLAN_COLUMNS
from ducha.supervision.tables.weekly import (
    GROUP_WEEKLY_COLUMNS,
    SCHEDULE_COLUMNS,
    UNIT_WEEKLY_COLUMNS,
    figure_rows,
)

REPORT_FIELDS = ("week_starts", "submitted_at", "submitted_by", "narrative")
# A reverse one-to-one: one join, and a campaign without a schedule costs no query per row.
REPORT_RELATED = ("campaign__reporting_schedule", "group", "submitted_by")


def report_context(request, report) -> dict:
    return {"figure_rows": figure_rows(report.figures), "timeliness": report_timeliness(report)}


def work_plan_context(request, plan: WorkPlan, *, bound: dict | None = None, error: str = "") -> dict:
    """The plan's documents, and the upload form for who may add them. `bound`: a posted
    upload form that came back with its errors ("documents")."""
    may_upload = allows(request.user, WorkPlanDocument(work_plan=plan), Action.ADD)
    form = (bound or {}).get("documents") or (WorkPlanDocumentForm() if may_upload else None)
    return {"documents": list(plan.documents.order_by("uploaded_at", "pk")), "document_form": form, "error": error}


LEDGERS = [
    Ledger(
        "work-plans",
        WorkPlan,
        gettext_lazy("Work plans"),
        WORK_PLAN_COLUMNS,
        WorkPlanFilterSet,
        WorkPlanForm,
        search_fields=("title", "summary"),
        select_related=("group", "stage"),
        ordering=("-issued_on", "-pk"),
        detail_fields=("group", "stage", "title", "issued_on", "summary"),
        detail_template="web/supervision/weekly/work_plan_detail.html",
        extra_context=work_plan_context,
        history_related=lambda plan: (plan.documents.all(),),
    ),
    Ledger(
        "unit-weekly-reports",
        UnitWeeklyReport,
        gettext_lazy("Unit weekly reports"),
        UNIT_WEEKLY_COLUMNS,
        UnitWeeklyReportFilterSet,
        UnitWeeklyReportForm,
        search_fields=("narrative", "unit__name"),
        select_related=("unit", *REPORT_RELATED),
        ordering=("-week_starts", "unit__order", "-pk"),
        detail_fields=("unit", "group", *REPORT_FIELDS),
        detail_template="web/supervision/weekly/report_detail.html",
        extra_context=report_context,
    ),
    Ledger(
        "group-weekly-reports",
        GroupWeeklyReport,
        gettext_lazy("Group weekly reports"),
        GROUP_WEEKLY_COLUMNS,
        WeeklyReportFilterSet,
        GroupWeeklyReportForm,
        search_fields=("narrative",),
        select_related=REPORT_RELATED,
        ordering=("-week_starts", "group__code", "-pk"),
        detail_fields=("group", *REPORT_FIELDS),
        detail_template="web/supervision/weekly/report_detail.html",
        extra_context=report_context,
    ),
    Ledger(
        "reporting-schedules",
        ReportingSchedule,
        gettext_lazy("Reporting schedule"),
        SCHEDULE_COLUMNS,
        ListFilterSet,  # one schedule per campaign: nothing to filter
        ReportingScheduleForm,
        search_fields=(),
        detail_fields=("first_week_starts", "unit_due_weekday", "unit_due_time", "group_due_weekday", "group_due_time"),
    ),
]
