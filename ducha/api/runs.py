"""What the analysis runs' routes share (三方比对, 红旗预警), as their pages share
web/run_pages.py: a run's common fields, its leads (findings, flags) listed through the
page's own filter form, and turning chosen leads into problems with the page's form and
the same action, answering what was made and what was refused."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Schema

from ducha.analyses.actions import Turned
from ducha.api.errors import ApiError
from ducha.api.pages import Paging, page_of, refuse_invalid
from ducha.core.access import Action, allows, restrict
from ducha.org.models import Unit, active_campaign
from ducha.web.listing import has_nul


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
