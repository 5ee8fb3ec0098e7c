"""The three-way comparison (三方比对) through the API, as its pages have it
(web/comparison_views.py): runs started by uploading the three sources, read (progress,
summary, counts per finding type, rows refused), their outputs downloaded, their findings
listed with the page's filters and read with their source rows, chosen findings turned
into problems by the same action.

Seen by the office, viewers and the run's group; a unit sees none (the list 403, a run or
finding 404); another group's run is 404."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ducha.analyses.actions import do_create_problems_from_findings, may_compare
from ducha.analyses.jobs import start_comparison
from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.turning import DEFAULT_ITEMS, rule_text
from ducha.analytics.reconcile import FINDINGS
from ducha.api.auth import TokenOf
from ducha.api.errors import ERRORS, ProblemDetails
from ducha.api.pages import (
    Id,
    Ids,
    actor,
    location,
    refuse_invalid,
    uploaded,
)
from ducha.api.runs import RunFields, RunKind, TurnResult, code_choice, run_fields, run_routes, turn_leads
from ducha.core.access import restrict
from ducha.org.models import active_campaign
from ducha.web.comparison_forms import FilterForm, TurnForm, UploadForm
from ducha.web.comparison_views import DOWNLOADS, UPLOADS


class ComparisonItem(RunFields):
    exchange_name: str
    registry_name: str
    self_reports_name: str
    window_days: int
    appraisal_valid_days: int
    price_floor: Decimal
    findings: dict[str, int]  # per finding type, those the user sees (once done)
    refused_rows: list[dict[str, Any]]  # {source, row, column, value, reason}


class FindingItem(Schema):
    id: int
    comparison: int
    finding: str  # 应进未进 …
    rule: str
    rule_text: str
    default_item: str | None  # the state-property item the rule gives (S01 …), if any
    enterprise: str
    enterprise_name: str
    date: dt.date | None
    unit: str | None
    unit_named: str
    evidence: str
    problem: int | None  # once turned: GET problems/{problem}/
    problem_number: str | None


class FindingDetail(FindingItem):
    exchange_rows: list[int]
    registry_rows: list[int]
    self_rows: list[int]
    source_values: dict[str, list[dict[str, Any]]]  # {source: [{header: value}, …]} as read


class FindingFilters(Schema):
    finding: str | None = None
    unit: str | None = None  # its code
    turned: Literal["yes", "no"] | None = None
    q: str | None = None  # enterprise name or code


class ComparisonTurnBody(Schema):
    findings: Ids
    item: str | None = None  # the item's code, for findings whose rule gives none
    unit: str | None = None  # the unit's code, for findings naming none


def _runs(user):
    return restrict(Comparison.objects.select_related("group", "user"), user)


def _findings(request: HttpRequest, run: Comparison):
    return restrict(ComparisonFinding.objects.filter(comparison=run), request.user)


def _comparison(request: HttpRequest, run: Comparison) -> dict[str, Any]:
    counts = {}
    if run.finished:
        found = dict(_findings(request, run).values_list("finding").annotate(n=Count("pk")).order_by())
        counts = {name: found.get(name, 0) for name in FINDINGS}
    fields = ("exchange_name", "registry_name", "self_reports_name", "window_days", "appraisal_valid_days",
              "price_floor", "refused_rows")  # fmt: skip
    return {**run_fields(run, request.user), **{f: getattr(run, f) for f in fields}, "findings": counts}


def _finding(f: ComparisonFinding) -> dict[str, Any]:
    return {
        **{
            name: getattr(f, name)
            for name in ("finding", "rule", "enterprise", "enterprise_name", "date", "unit_named", "evidence")
        },  # fmt: skip
        "id": f.pk,
        "comparison": f.comparison_id,
        "rule_text": rule_text(f),
        "default_item": DEFAULT_ITEMS.get(f.rule),
        "unit": f.unit.code if f.unit else None,
        "problem": f.problem_id,
        "problem_number": f.problem.number if f.problem else None,
    }


def _finding_detail(f: ComparisonFinding) -> dict[str, Any]:
    rows = ("exchange_rows", "registry_rows", "self_rows", "source_values")
    return {**_finding(f), **{name: getattr(f, name) for name in rows}}


COMPARISONS = RunKind(
    path="comparisons",
    label="三方比对",
    run_schema=ComparisonItem,
    run_page="ComparisonPage",
    lead_path="findings",
    lead_param="finding_id",
    lead_schema=FindingItem,
    lead_detail_schema=FindingDetail,
    lead_page="FindingPage",
    lead_filters=FindingFilters,
    filter_form=FilterForm,
    downloads=DOWNLOADS,
    ids=(
        "list_comparisons",
        "get_comparison",
        "list_comparison_findings",
        "get_comparison_finding",
        "get_comparison_file",
    ),  # fmt: skip
    runs=_runs,
    run_item=_comparison,
    leads=lambda request, run: _findings(request, run).select_related("unit", "problem"),
    lead_item=_finding,
    lead_detail=_finding_detail,
    leads_doc="The run's findings with the page's filters (finding type, unit, turned, q).",
    lead_doc="A finding with the rows of each source that produced it, as read.",
)


def _may_start(user) -> bool:
    return may_compare(user) and active_campaign() is not None


def router() -> Router:
    r = Router(tags=["comparisons"])

    run_routes(r, COMPARISONS)

    @r.post("/comparisons/{int:run_id}/turn/", response={200: TurnResult, **ERRORS},
            operation_id="turn_comparison_findings")  # fmt: skip
    def turn(request: HttpRequest, run_id: Id, body: ComparisonTurnBody):
        """The chosen findings made problems (domain state property, the item their rule
        gives, else `item`; the unit they name, else `unit`), their source rows as evidence;
        each refused one with its reason. A finding already turned is refused, not turned twice."""
        run = COMPARISONS.run(request, run_id)
        form = TurnForm(user=request.user)
        data = {
            "unit": code_choice(form.fields["unit"], body.unit),
            "item": code_choice(form.fields["item"], body.item),
        }
        form = TurnForm(data, user=request.user)
        chosen = ComparisonFinding.objects.filter(comparison=run, pk__in=body.findings)

        def turn_them(findings, cleaned):
            unit = cleaned["unit"]
            units = {f.pk: unit for f in findings if unit is not None}
            return do_create_problems_from_findings(findings, actor=actor(request), item=cleaned["item"], units=units)

        return turn_leads(request, run, chosen, form, _("Choose at least one finding."), turn_them)

    @r.post("/comparisons/", auth=TokenOf(_may_start), operation_id="start_comparison",
            response={202: ComparisonItem, 413: ProblemDetails, **ERRORS})  # fmt: skip
    def start(
        request: HttpRequest,
        response: HttpResponse,
        window_days: Form[int],
        price_floor: Form[float],
        # The files are the form's to require: a missing or empty one is refused at its field.
        exchange: File[UploadedFile | None] = None,
        registry: File[UploadedFile | None] = None,
        self_reports: File[UploadedFile | None] = None,
    ):
        """A run of the three sources (.xlsx or .csv each) in the background: 202 with the run.
        The office and the state-property group's members start runs."""
        files = uploaded(exchange=exchange, registry=registry, self_reports=self_reports)
        form = UploadForm({"window_days": str(window_days), "price_floor": str(price_floor)}, files)
        refuse_invalid(form)
        uploads = {kind: (form.cleaned_data[kind].name, form.cleaned_data[f"{kind}_content"]) for kind in UPLOADS}
        campaign = active_campaign()
        assert campaign is not None  # _may_start
        run = start_comparison(campaign, actor=actor(request), uploads=uploads, settings=form.settings())
        response["Location"] = location("get_comparison", run.pk)
        return Status(202, _comparison(request, COMPARISONS.run(request, run.pk)))

    return r
