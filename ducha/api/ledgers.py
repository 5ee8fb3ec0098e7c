"""Routes for every registered ledger, as the pages have them: list (the page's filters,
search `q`, `sort`, pages), detail (with its ETag), create and update (If-Match). The
pages delete no ledger record, so neither does the API."""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_filters import MultipleChoiceFilter
from ninja import Header, Query, Router, Schema, Status
from pydantic import create_model

from ducha.api import records
from ducha.api.errors import ERRORS, UPDATE_ERRORS, ApiError, refused_form
from ducha.api.pages import Paging, page_of, page_schema
from ducha.core.access import Action, may_add_here
from ducha.core.actions import record_version
from ducha.core.registry import Ledger, ledgers
from ducha.web.generic import edit_refusal, get_visible, save_form
from ducha.web.listing import filtered


def etag(obj) -> str:
    return f'"{record_version(obj)}"'


def version_named(if_match: str | None) -> str:
    """The version an If-Match header names; a missing one is refused (428): an update
    that names no version could overwrite a change it never saw."""
    if not if_match:
        raise ApiError(428, _("Send the record's ETag in If-Match, so that no one else's change is overwritten."))
    return if_match.strip().removeprefix("W/").strip('"')


def _filters_schema(ledger: Ledger) -> type[Schema]:
    """The list's query: the page's filters (the ledger's filter set), `q` and `sort`."""
    fields: dict[str, Any] = {"q": (str | None, None), "sort": (str | None, None)}
    for name, f in cast(Any, ledger.filterset).base_filters.items():
        fields[name] = (list[str] | None, None) if isinstance(f, MultipleChoiceFilter) else (str | None, None)
    return create_model(f"{ledger.model.__name__}Filters", __base__=Schema, **fields)


def add_routes(router: Router, ledger: Ledger) -> None:
    k, name = ledger.key, ledger.model.__name__
    item_schema = records.item_schema(ledger)
    filters = _filters_schema(ledger)
    linked = records.linked_fields(ledger.model)

    @router.get(
        f"/{k}/",
        response={200: page_schema(f"{name}Page", item_schema), **ERRORS},
        operation_id=f"list_{k}",
        tags=[k],
        summary=f"List {name}",
    )
    def list_records(request: HttpRequest, query: Query[filters], paging: Query[Paging]):  # type: ignore[valid-type]
        _filterset, qs = filtered(ledger, request)
        return page_of(qs.select_related(*linked), paging, records.item)

    @router.get(
        f"/{k}/{{pk}}/", response={200: item_schema, **ERRORS}, operation_id=f"get_{k}", tags=[k], summary=f"Get {name}"
    )
    def get_record(request: HttpRequest, pk: int, response: HttpResponse):
        obj = get_visible(ledger, request, pk)
        response["ETag"] = etag(obj)
        return records.item(obj)

    @router.post(
        f"/{k}/", response={201: item_schema, **ERRORS}, operation_id=f"create_{k}", tags=[k], summary=f"Add {name}"
    )
    def create_record(request: HttpRequest, body: records.create_schema(ledger), response: HttpResponse):  # type: ignore[valid-type]
        if not may_add_here(request.user, ledger.model):
            raise ApiError(403, _("You may not add records here."))
        obj = _save(request, ledger, body.model_dump(exclude_unset=True), None)
        response["ETag"] = etag(obj)
        response["Location"] = f"{request.path}{obj.pk}/"
        return Status(201, records.item(obj))

    @router.patch(
        f"/{k}/{{pk}}/",
        response={200: item_schema, **UPDATE_ERRORS},
        operation_id=f"update_{k}",
        tags=[k],
        summary=f"Update {name}",
    )
    def update_record(
        request: HttpRequest,
        pk: int,
        body: records.update_schema(ledger),  # type: ignore[valid-type]
        response: HttpResponse,
        if_match: str | None = Header(None, alias="If-Match"),
    ):
        version = version_named(if_match)
        obj = get_visible(ledger, request, pk, Action.CHANGE)
        if refusal := edit_refusal(obj, request.user):
            raise ApiError(403, refusal)
        obj = _save(request, ledger, body.model_dump(exclude_unset=True), obj, version)
        response["ETag"] = etag(obj)
        return records.item(obj)


def _save(request: HttpRequest, ledger: Ledger, given: dict, obj, version: str | None = None):
    form = ledger.form(records.form_data(ledger, given, obj), instance=obj, user=request.user)
    if not form.is_valid():
        raise refused_form(form)
    saved, _changed = save_form(ledger, form, obj, request.user, if_version=version)
    return saved


def router() -> Router:
    ledger_router = Router()
    for ledger in ledgers():
        add_routes(ledger_router, ledger)
    return ledger_router
