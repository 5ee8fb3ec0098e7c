"""Red flags (红旗预警) through the API, as their pages have them (web/redflag_views.py):
runs started by uploading the platform bid file (and a settings file), read (progress,
counts per indicator), their outputs downloaded, their flags listed with the page's filters
(indicator, unit, domain, buyer, bidder, turned) and read with their bid rows, chosen flags
turned into problems by the same action.

Seen as the comparison's runs: the office, viewers and the run's group; a unit sees none
(the list 403, a run or flag 404); another group's run is 404."""

from typing import Any, Literal

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.redflag_actions import may_run_redflags
from ducha.analyses.redflag_jobs import start_redflag_run
from ducha.analyses.redflag_turning import ITEMS, do_create_problems_from_flags
from ducha.analytics.redflags.collusion import ALL as INDICATORS
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
from ducha.web.redflag_forms import FilterForm, TurnForm, UploadForm
from ducha.web.redflag_views import DOWNLOADS


class RedFlagRunItem(RunFields):
    source: str  # platform (the bid file) or ocds (compiled releases)
    bids_name: str
    settings_text: str
    flags: dict[str, int]  # per indicator, the flags the user sees (once done)


class FlagItem(Schema):
    id: int
    run: int
    indicator: str  # CN-SAME-DEVICE …
    indicator_name: str
    item: str  # the catalogue item a problem made of it has (B1 …)
    scope_kind: str  # lot / bidder / buyer / expert
    subject: str
    value: float
    explanation: str
    rows: list[int]  # the bid rows' numbers in the file
    lot: str
    buyer: str
    bidder: str
    unit: str | None
    project: int | None  # GET projects/{project}/
    project_number: str | None
    domain: str | None  # the project's
    problem: int | None  # once turned: GET problems/{problem}/
    problem_number: str | None


class FlagDetail(FlagItem):
    row_values: list[dict[str, Any]]  # the bid rows as read: the evidence


class FlagFilters(Schema):
    indicator: str | None = None
    unit: str | None = None  # its code
    domain: str | None = None  # its code
    buyer: str | None = None
    bidder: str | None = None
    turned: Literal["yes", "no"] | None = None


class RedFlagTurnBody(Schema):
    flags: Ids
    unit: str | None = None  # the unit's code, for flags naming none


def _runs(user):
    return restrict(RedFlagRun.objects.select_related("group", "user"), user)


def _flags(request: HttpRequest, run: RedFlagRun):
    flags = restrict(RedFlag.objects.filter(run=run), request.user)
    return flags.select_related("unit", "problem", "project__domain")


def _run_item(request: HttpRequest, run: RedFlagRun) -> dict[str, Any]:
    counts = {}
    if run.status == "done":
        found = dict(_flags(request, run).values_list("indicator").annotate(n=Count("pk")).order_by())
        # the platform's nine always, Cardinal's when they flagged (as the page)
        counts = {code: found.get(code, 0) for code in INDICATORS if code.startswith("CN-") or found.get(code)}
    fields = ("source", "bids_name", "settings_text")
    return {**run_fields(run, request.user), **{f: getattr(run, f) for f in fields}, "flags": counts}


def _flag(f: RedFlag) -> dict[str, Any]:
    indicator = INDICATORS.get(f.indicator)
    plain = ("indicator", "scope_kind", "subject", "value", "explanation", "rows", "lot", "buyer", "bidder")
    return {
        **{name: getattr(f, name) for name in plain},
        "id": f.pk,
        "run": f.run_id,
        "indicator_name": indicator.name_zh if indicator else "",
        "item": ITEMS.get(f.indicator, ""),
        "unit": f.unit.code if f.unit else None,
        "project": f.project_id,
        "project_number": f.project.number if f.project else None,
        "domain": f.project.domain.code if f.project and f.project.domain else None,
        "problem": f.problem_id,
        "problem_number": f.problem.number if f.problem else None,
    }


REDFLAGS = RunKind(
    path="redflags",
    label="红旗预警",
    run_schema=RedFlagRunItem,
    run_page="RedFlagRunPage",
    lead_path="flags",
    lead_param="flag_id",
    lead_schema=FlagItem,
    lead_detail_schema=FlagDetail,
    lead_page="FlagPage",
    lead_filters=FlagFilters,
    filter_form=FilterForm,
    downloads=DOWNLOADS,
    ids=("list_redflag_runs", "get_redflag_run", "list_redflags", "get_redflag", "get_redflag_file"),
    runs=_runs,
    run_item=_run_item,
    leads=_flags,
    lead_item=_flag,
    lead_detail=lambda flag: {**_flag(flag), "row_values": flag.row_values},
    leads_doc="A done run's flags with the page's filters.",
    lead_doc="A flag with its bid rows as read (every column): the evidence a problem made of it keeps.",
    listed_when_done=True,
)


def _may_start(user) -> bool:
    return may_run_redflags(user) and active_campaign() is not None


def router() -> Router:
    r = Router(tags=["redflags"])

    run_routes(r, REDFLAGS)

    @r.post("/redflags/{int:run_id}/turn/", response={200: TurnResult, **ERRORS}, operation_id="turn_redflags")
    def turn(request: HttpRequest, run_id: Id, body: RedFlagTurnBody):
        """The chosen flags made problems (the item their indicator gives; the unit they name,
        else `unit`; linked to their project when known), their bid rows as evidence; each
        refused one with its reason. A flag already turned is refused, not turned twice."""
        run = REDFLAGS.run(request, run_id)
        form = TurnForm({"unit": code_choice(TurnForm(user=request.user).fields["unit"], body.unit)},
                        user=request.user)  # fmt: skip
        chosen = RedFlag.objects.filter(run=run, pk__in=body.flags)

        def turn_them(flags, cleaned):
            unit = cleaned["unit"]
            units = {f.pk: unit for f in flags if unit is not None}
            return do_create_problems_from_flags(flags, actor=actor(request), units=units)

        return turn_leads(request, run, chosen, form, _("Choose at least one flag."), turn_them)

    @r.post("/redflags/", auth=TokenOf(_may_start), operation_id="start_redflag_run",
            response={202: RedFlagRunItem, 413: ProblemDetails, **ERRORS})  # fmt: skip
    def start(
        request: HttpRequest,
        response: HttpResponse,
        bids: File[UploadedFile | None] = None,  # the form's to require: refused at its field
        settings_file: File[UploadedFile | None] = None,
        source: Form[Literal[tuple(RedFlagRun.Source.values)] | None] = None,  # type: ignore[valid-type]
    ):
        """A run over the data file (`bids`: the platform's bids, .xlsx or .csv, one row per
        bid, or OCDS compiled releases, .jsonl; `source` says which, else its name does) in the
        background, with an optional settings file (INI): 202 with the run. The office and
        group members start runs."""
        files = uploaded(bids=bids, settings_file=settings_file)
        form = UploadForm({"source": source or ""}, files)
        refuse_invalid(form)
        data = form.cleaned_data
        campaign = active_campaign()
        assert campaign is not None  # _may_start
        run = start_redflag_run(campaign, actor=actor(request), bids=(data["bids"].name, data["bids"].chunks()),
                                settings_text=data["settings_text"], source=data["source"])  # fmt: skip
        response["Location"] = location("get_redflag_run", run.pk)
        return Status(202, _run_item(request, REDFLAGS.run(request, run.pk)))

    return r
