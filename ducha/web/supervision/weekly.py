"""Weekly scheduling's pages beyond the generic ones: submitting a unit's or a group's
weekly report (at the ledgers' own "add" addresses: the action reads the figures from
the ledger), the missing reports with who must chase them, and work plans' documents
(upload, download)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.core.access import AccessDenied, Action, RoleKind, allows, role_kind, user_role
from ducha.core.registry import ledger
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.forms import add_errors
from ducha.org.models import active_campaign
from ducha.reports.cache import cached_statistics, cached_weekly_trend
from ducha.reports.weekly_figures import figures_from
from ducha.supervision.actions.plans import do_attach_work_plan_documents
from ducha.supervision.actions.weekly import do_submit_group_weekly_report, do_submit_unit_weekly_report
from ducha.supervision.choices import Timeliness
from ducha.supervision.forms.plans import WorkPlanDocumentForm
from ducha.supervision.forms.weekly import SubmitWeeklyReportForm
from ducha.supervision.ledgers.weekly import work_plan_context
from ducha.supervision.models import GroupWeeklyReport, UnitWeeklyReport, WorkPlanDocument
from ducha.supervision.reporting import Expected, group_reports, missing, missing_by_reporter, unit_reports
from ducha.supervision.tables.weekly import figure_rows
from ducha.web.detail_posts import done, render_page
from ducha.web.downloads import stored_file_download
from ducha.web.generic import get_visible
from ducha.web.uploads import check_before_upload, not_found


def open_weeks(rows: list[Expected]) -> list[tuple]:
    """The weeks whose report is still to come (newest first), with their due times."""
    return [(r.week, r.due) for r in rows if r.report_id is None]


def preview(request, campaign, week_starts: dt.date | None) -> list:
    """The figures a report would carry now, from the dashboards' cached statistics (the
    action reads them afresh at submission)."""
    if week_starts is None:
        return []
    today = campaign.as_of(timezone.localdate())
    total = cached_statistics(campaign, user=request.user, today=today)["total"]
    return figure_rows(figures_from(total, cached_weekly_trend(campaign, user=request.user), week_starts))


def unit_submission(request, campaign) -> dict:
    """What a unit's reporter needs to submit: its unit's weeks still to report, the form
    and the figures it will carry. Shared by the submission page and the unit's dashboard."""
    rows = unit_reports(campaign, request.user)
    weeks = open_weeks(rows)
    form = SubmitWeeklyReportForm(weeks=weeks)
    current = next((r for r in rows if r.week.starts <= timezone.localdate()), None)
    return {
        "form": form,
        "weeks": weeks,
        "current": current,
        "missing_count": len(missing(rows)),
        "figure_rows": preview(request, campaign, weeks[0][0].starts if weeks else None),
    }


def _submit(request, kind: str, key: str):
    """The submission page of a unit's (kind: unit reporter) or a group's weekly report."""
    campaign = active_campaign()
    role = user_role(request.user)
    if campaign is None or role_kind(request.user) != kind or role is None:
        message = (
            _("A unit's weekly report is submitted by the unit's own reporter.")
            if kind == RoleKind.UNIT_REPORTER
            else _("A group's weekly report is submitted by a member of the group.")
        )
        return render(request, "web/403.html", {"message": message}, status=403)
    if kind == RoleKind.UNIT_REPORTER:
        if role.unit.parent_id is not None:  # a county reports through its league/city
            return render(request, "web/403.html", status=403)
        context = unit_submission(request, campaign)
    else:
        weeks = open_weeks(group_reports(campaign, request.user))
        context = {
            "form": SubmitWeeklyReportForm(weeks=weeks),
            "weeks": weeks,
            "figure_rows": preview(request, campaign, weeks[0][0].starts if weeks else None),
        }
    if request.method == "POST":
        form = SubmitWeeklyReportForm(request.POST, weeks=context["weeks"])
        if form.is_valid():
            week, narrative = form.cleaned_data["week_starts"], form.cleaned_data["narrative"]
            report: UnitWeeklyReport | GroupWeeklyReport
            try:
                if kind == RoleKind.UNIT_REPORTER:
                    report = do_submit_unit_weekly_report(
                        role.unit, week, narrative=narrative, actor=request.user, campaign=campaign
                    )
                else:
                    report = do_submit_group_weekly_report(role.group, week, narrative=narrative, actor=request.user)
                messages.success(request, _("The weekly report is submitted."))
                return redirect(reverse(f"{key}-detail", args=[report.pk]))
            except ValidationError as error:
                add_errors(form, error)
            except AccessDenied:
                form.add_error(None, _("You may not submit this report."))
        context["form"] = form
    return render(request, "web/supervision/weekly/submit.html", {**context, "ledger": ledger(key)})


def submit_unit_view(request):
    return _submit(request, RoleKind.UNIT_REPORTER, "unit-weekly-reports")


def submit_group_view(request):
    return _submit(request, RoleKind.GROUP_MEMBER, "group-weekly-reports")


def missing_view(request):
    """The reports due and not come, one week at a time (?week=, the latest due week by
    default): the groups' to the office (for the office and each group its own), the
    units' to their groups (the units in the user's scope); and each one's count over
    every week so far, with who must chase whom."""
    campaign = active_campaign()
    if campaign is None or role_kind(request.user) is None:
        return render(request, "web/403.html", status=403)
    groups, units = group_reports(campaign, request.user), unit_reports(campaign, request.user)
    due = sorted({r.week.starts for r in groups + units if r.status != Timeliness.NOT_DUE}, reverse=True)
    week: dt.date | None
    try:
        week = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        week = due[0] if due else None
    context = {
        "weeks": due,
        "week": week,
        "groups": [r for r in missing(groups) if r.week.starts == week],
        "units": [r for r in missing(units) if r.week.starts == week],
        "group_counts": missing_by_reporter(groups),
        "unit_counts": missing_by_reporter(units),
        "may_see_groups": role_kind(request.user) != RoleKind.UNIT_REPORTER,
    }
    return render(request, "web/supervision/weekly/missing.html", context)


def _may_upload(request, pk: int):
    try:
        plan = get_visible(ledger("work-plans"), request, pk)
    except Http404:
        return not_found(request)
    if not allows(request.user, WorkPlanDocument(work_plan=plan), Action.ADD):
        return render(request, "web/403.html", status=403)
    return None


@check_before_upload(_may_upload)  # the user may add documents to this plan before the files are read
def documents_view(request, pk: int):
    plan = get_visible(ledger("work-plans"), request, pk)
    if request.method != "POST":
        return redirect(reverse("work-plans-detail", args=[pk]))
    form = WorkPlanDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            uploads = [EvidenceUpload.from_uploaded_file(f) for f in form.cleaned_data["documents"]]
            do_attach_work_plan_documents(plan, actor=request.user, uploads=uploads)
            return done(request, "work-plans", plan, work_plan_context)
        except ValidationError as error:
            add_errors(form, error, rest="documents")
    return render_page(request, "work-plans", plan, work_plan_context, bound={"documents": form})


def document_download(request, pk: int):
    return stored_file_download(request, WorkPlanDocument, pk)


urlpatterns = [
    path("unit-weekly-reports/add/", submit_unit_view, name="unit-weekly-reports-add"),
    path("group-weekly-reports/add/", submit_group_view, name="group-weekly-reports-add"),
    path("weekly-reports/missing/", missing_view, name="weekly-reports-missing"),
    path("work-plans/<int:pk>/documents/", documents_view, name="work-plans-documents"),
    path("work-plan-documents/<int:pk>/", document_download, name="work-plan-documents-download"),
]
