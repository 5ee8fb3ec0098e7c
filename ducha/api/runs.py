"""What the analysis runs' routes share (三方比对, 红旗预警), as their pages share
web/run_pages.py: a run's common fields, its leads (findings, flags) listed through the
page's own filter form, and turning chosen leads into problems with the page's form and
the same action, answering what was made and what was refused."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema

from ducha.analyses.actions import Turned
from ducha.api.errors import ERRORS, ApiError
from ducha.api.pages import MAX_ID, Id, Paging, file_response, page_of, page_schema, refuse_invalid
from ducha.core.access import Action, allows, restrict
from ducha.org.models import Unit, active_campaign
from ducha.web.comparison_views import may_see_comparisons
from ducha.web.listing import has_nul
from ducha.web.run_pages import download, visible_run


class RunFields(Schema):
    id: int
    status: str  # queued, running, done, failed
    message: str
    percent: int
    steps_done: int
    group: str | None  # the run's group (none: the office's own)
    user: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any]  # the engine's summary
    may_turn: bool  # whether the user may turn its leads into problems


def run_fields(run, user) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "message": run.message,
        "percent": run.percent,
        "steps_done": run.steps_done,
        "group": run.group.code if run.group else None,
        "user": run.user.username if run.user else None,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "may_turn": allows(user, run, Action.CHANGE),
    }


def campaign_runs(runs: QuerySet) -> QuerySet:
    """The active campaign's runs (as the pages list them); none without a campaign."""
    campaign = active_campaign()
    return runs.filter(campaign=campaign) if campaign is not None else runs.none()


def filtered_leads(request: HttpRequest, leads: QuerySet, form_class, query: Schema, paging: Paging, to_item):
    """A page of the leads the run's page would show for these filters: its own filter form
    (a unit filter offers the units its leads name; a value it does not offer lists nothing,
    as on the page)."""
    units = Unit.objects.filter(pk__in=leads.exclude(unit=None).values("unit")).order_by("order", "code")
    data = QueryDict(mutable=True)
    data.update({k: v for k, v in query.model_dump().items() if v is not None})
    shown = leads.none() if has_nul(data) else form_class(data, units=list(units)).apply(leads)
    return page_of(shown.order_by("pk"), paging, to_item)


class TurnedLead(Schema):
    id: int  # the finding's or flag's
    problem: int  # the problem made (GET problems/{problem}/)
    number: str
    unit: str


class RefusedLead(Schema):
    id: int
    reason: str


class TurnResult(Schema):
    created: list[TurnedLead]
    refused: list[RefusedLead]


def turn_leads(request: HttpRequest, run, chosen: QuerySet, form, none_chosen: str, turn: Callable) -> dict:
    """The page's turning (web/run_pages.turn_chosen) answered as data: 403 for a user who
    may not turn the run's leads, 422 for none chosen or a refused form (its own messages);
    else each lead made a problem or refused with its reason."""
    if not allows(request.user, run, Action.CHANGE):
        raise ApiError(403, _("You may not do this."))
    chosen = restrict(chosen, request.user)
    if not chosen.exists():
        raise ApiError(422, none_chosen, {"__all__": [none_chosen]})
    refuse_invalid(form)
    turned: Turned = turn(list(chosen), form.cleaned_data)
    return {
        "created": [
            {"id": lead.pk, "problem": p.pk, "number": p.number, "unit": p.unit.code} for lead, p in turned.created
        ],
        "refused": [{"id": lead.pk, "reason": str(reason)} for lead, reason in turned.refused],
    }


def code_choice(form_field, code: str | None) -> Any:
    """The form's value for a record named by its code (a unit, a catalogue item): its id
    among the field's choices, else the code itself, which the form refuses in its own words."""
    if code in (None, ""):
        return ""
    pk = form_field.queryset.filter(code=code).values_list("pk", flat=True).first()
    return pk if pk is not None else code


@dataclass(frozen=True)
class RunKind:
    """One kind of analysis run as its routes read it: where it lives, its schemas, and
    how a user's runs and leads are found and told (the routes themselves: run_routes)."""

    path: str  # comparisons, redflags
    label: str  # the downloads' file-name prefix: 三方比对, 红旗预警
    run_schema: type[Schema]
    run_page: str  # the schema name of a page of runs
    lead_path: str  # findings, flags
    lead_param: str  # the lead's id in its path: finding_id, flag_id
    lead_schema: type[Schema]
    lead_detail_schema: type[Schema]
    lead_page: str
    lead_filters: type[Schema]
    filter_form: type
    downloads: set[str]
    # operation ids: runs listed, a run, leads listed, a lead, a file
    ids: tuple[str, str, str, str, str]
    runs: Callable[[Any], QuerySet]  # the user's runs
    run_item: Callable[[HttpRequest, Any], dict[str, Any]]
    leads: Callable[[HttpRequest, Any], QuerySet]  # a run's leads the user sees
    lead_item: Callable[[Any], dict[str, Any]]
    lead_detail: Callable[[Any], dict[str, Any]]
    leads_doc: str
    lead_doc: str
    listed_when_done: bool = False  # leads listed only once the run is done (as its page)

    def run(self, request: HttpRequest, run_id: int):
        return visible_run(self.runs(request.user), run_id)


def run_routes(r: Router, kind: RunKind) -> None:
    """A kind's runs listed (a unit: 403, as the page) and read, their leads listed with the
    page's filters and read, their outputs downloaded: the same five routes for each kind."""
    list_runs_id, run_id_, list_leads_id, lead_id_, file_id = kind.ids
    lead_in_path = Annotated[int, Path(ge=1, le=MAX_ID, alias=kind.lead_param)]

    @r.get(f"/{kind.path}/", response={200: page_schema(kind.run_page, kind.run_schema), **ERRORS},
           operation_id=list_runs_id, summary=_summary(list_runs_id))  # fmt: skip
    def list_runs(request: HttpRequest, paging: Query[Paging]):
        """The active campaign's runs the user sees, newest first (a unit: 403, as the page)."""
        if not may_see_comparisons(request.user):
            raise ApiError(403, _("You may not do this."))
        return page_of(campaign_runs(kind.runs(request.user)), paging, lambda run: kind.run_item(request, run))

    @r.get(f"/{kind.path}/{{int:run_id}}/", response={200: kind.run_schema, **ERRORS}, operation_id=run_id_,
           url_name=run_id_, summary=_summary(run_id_))  # fmt: skip
    def get_run(request: HttpRequest, run_id: Id):
        return kind.run_item(request, kind.run(request, run_id))

    @r.get(f"/{kind.path}/{{int:run_id}}/{kind.lead_path}/", operation_id=list_leads_id,
           response={200: page_schema(kind.lead_page, kind.lead_schema), **ERRORS}, summary=_summary(list_leads_id),
           description=kind.leads_doc)  # fmt: skip
    def list_leads(request: HttpRequest, run_id: Id, filters: Query[kind.lead_filters], paging: Query[Paging]):  # type: ignore[name-defined]
        run = kind.run(request, run_id)
        leads = kind.leads(request, run)
        if kind.listed_when_done and run.status != "done":
            leads = leads.none()
        return filtered_leads(request, leads, kind.filter_form, filters, paging, kind.lead_item)

    @r.get(f"/{kind.path}/{{int:run_id}}/{kind.lead_path}/{{int:{kind.lead_param}}}/", operation_id=lead_id_,
           response={200: kind.lead_detail_schema, **ERRORS}, summary=_summary(lead_id_),
           description=kind.lead_doc)  # fmt: skip
    def get_lead(request: HttpRequest, run_id: Id, lead_id: lead_in_path):  # type: ignore[valid-type]
        return kind.lead_detail(kind.leads(request, kind.run(request, run_id)).get(pk=lead_id))

    @r.get(f"/{kind.path}/{{int:run_id}}/files/{{name}}", response=ERRORS, operation_id=file_id,
           summary=_summary(file_id), openapi_extra=file_response("*/*", "An output of a finished run."))  # fmt: skip
    def get_file(request: HttpRequest, run_id: Id, name: Literal[tuple(sorted(kind.downloads))]):  # type: ignore[valid-type]
        return download(kind.run(request, run_id), name, kind.downloads, kind.label)


def _summary(operation_id: str) -> str:
    """The summary ninja gives a view of that name (`list_comparisons` → List Comparisons)."""
    return operation_id.replace("_", " ").title()
