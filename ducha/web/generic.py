"""Generic pages for every registered ledger (ducha.core.registry): list (filters,
search, sort, pages, .xlsx export), detail (with change history), create and edit.
The views stay thin: reads go through `restrict`, writes through the actions."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ducha.core.access import AccessDenied, Action, may_add_here, role_kind
from ducha.core.actions import StaleRecord, do_create_object, do_update_object, record_version
from ducha.core.registry import Column, Ledger
from ducha.org.models import active_campaign
from ducha.web import history as history_text
from ducha.web.export_jobs import export_formats
from ducha.web.export_views import export_response
from ducha.web.import_templates import IMPORT_LEDGERS, may_import
from ducha.web.links import field_value, linked_records
from ducha.web.listing import filtered, ledger_queryset

PAGE_SIZE = 50
TEXT_CHARS = 24  # a longer text is cut with "…" in a list; the cell's title holds it whole


def list_cell(column: Column, value) -> dict:
    """What a list cell shows: the value through the column's `display`, a long text cut
    with "…" (whole in the title), and a class for dates and numbers, which never wrap."""
    if isinstance(value, dt.date):
        kind = "date"
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        kind = "num"
    else:
        kind = "nowrap" if column.nowrap else ""
    shown = column.display(value) if column.display and value is not None else value
    if isinstance(shown, dt.date):
        shown = shown.isoformat()  # YYYY-MM-DD, as on detail pages and in the history
    title = ""
    if isinstance(shown, str) and len(shown) > TEXT_CHARS:
        title, shown = shown, shown[: TEXT_CHARS - 1] + "…"
    return {"value": shown, "title": title, "class": kind, "link": column.link}


def list_totals(ledger: Ledger, qs) -> tuple[int | None, list[dict | None] | None]:
    """The number of rows and the sums of the summed columns over the whole filtered list
    (every page), in one aggregate query: a filter that cannot use an index (a search over
    a million projects) then reads the table once, not once for the count and again for the
    sums. (None, None) for a ledger without sums (the paginator counts); None for a column
    that does not sum."""
    sums = {f"c{i}": Sum(c.total, default=0) for i, c in enumerate(ledger.columns) if c.total}
    if not sums:
        return None, None
    values = qs.aggregate(rows=Count("pk"), **sums)
    if not values["rows"]:
        return 0, None
    return values["rows"], [
        {**list_cell(c, values[f"c{i}"]), "link": False, "field": c.total} if c.total else None
        for i, c in enumerate(ledger.columns)
    ]


def list_view(request, ledger: Ledger):
    filterset, qs = filtered(ledger, request)
    if (export := request.GET.get("export")) in export_formats(ledger):
        return export_response(request, ledger, export, qs)
    count, totals = list_totals(ledger, qs)
    paginator = Paginator(qs, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # counted with the sums (a cached property, set beforehand)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Column headers set their own sort: the current one is left out of their links.
    sort_query = query.copy()
    sort_query.pop("sort", None)
    shown = [(obj, [list_cell(c, c.value(obj)) for c in ledger.columns]) for obj in page.object_list]
    # A column of numbers has its header on the right, above them.
    header_classes = [cell["class"] for cell in shown[0][1]] if shown else [""] * len(ledger.columns)
    return render(
        request,
        "web/list.html",
        {
            "ledger": ledger,
            "filterset": filterset,
            "page": page,
            "rows": shown,
            "columns": list(zip(ledger.columns, header_classes, strict=True)),
            "totals": totals,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "sort": request.GET.get("sort", ""),
            "can_add": may_add_here(request.user, ledger.model),
            "import_layout": ledger.key in IMPORT_LEDGERS,
            "may_import": may_import(request.user),
        },
    )


def get_visible(ledger: Ledger, request, pk: int, action=Action.VIEW):
    try:
        return ledger_queryset(ledger, request.user, action).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None  # another unit's object is simply not there


def history(ledger: Ledger, obj, user) -> list[history_text.Row]:
    """The record's change history as text (with its own records' rows: a problem's steps)."""
    related = ledger.history_related(obj) if ledger.history_related else ()
    return history_text.rows(history_text.entries(obj, user, related), user, known=[obj])


def detail_view(request, ledger: Ledger, pk: int):
    obj = get_visible(ledger, request, pk)
    context = detail_context(request, ledger, obj)
    if ledger.extra_context:
        context.update(ledger.extra_context(request, obj))
    return render(request, ledger.detail_template, context)


def detail_context(request, ledger: Ledger, obj) -> dict:
    """The detail page's own context (fields, history, the edit link); a page that posts
    to itself (the problem page's steps) renders it again with its forms."""
    user = request.user
    fields = [(obj._meta.get_field(name).verbose_name, field_value(obj, name, user)) for name in ledger.detail_fields]
    context = {"ledger": ledger, "object": obj, "fields": fields, "history": history(ledger, obj, user)}
    context["linked"] = linked_records(ledger, obj, user)
    may_change = ledger_queryset(ledger, request.user, Action.CHANGE).filter(pk=obj.pk).exists()
    context["can_edit"] = may_change and edit_refusal(obj, request.user) is None
    return context


def edit_refusal(obj, user) -> str | None:
    """Why this user may not edit this record at all now, by the model's own rule
    (`check_update`: a unit no longer edits a rectified problem), or None."""
    check = getattr(obj, "check_update", None)
    try:
        if check:
            check(role_kind(user), set())
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _drop_fixed_fields(form, obj, user) -> None:
    """The fields this user may not change on this record (`check_update`: a unit's
    problem deadline moves only by an extension) leave the form."""
    if check := getattr(obj, "check_update", None):
        for name in list(form.fields):
            try:
                check(role_kind(user), {name})
            except ValidationError:
                del form.fields[name]


def edit_view(request, ledger: Ledger, pk: int | None = None):
    if pk is None and not may_add_here(request.user, ledger.model):
        return render(request, "web/403.html", status=403)  # a viewer or a user without a role adds nothing
    obj = get_visible(ledger, request, pk, Action.CHANGE) if pk else None
    if obj is not None and (refusal := edit_refusal(obj, request.user)):
        return render(request, "web/403.html", {"message": refusal}, status=403)
    form = ledger.form(request.POST or None, instance=obj, user=request.user)
    if obj is not None:
        _drop_fixed_fields(form, obj, request.user)
    # The version of the record the form was opened on: a save over someone else's change since
    # is refused (StaleRecord), as the API's If-Match is.
    version = (request.POST.get("version") or None) if request.method == "POST" else None
    if obj is not None and version is None and request.method != "POST":
        version = record_version(obj)
    if request.method == "POST" and form.is_valid():
        try:
            obj, changed = save_form(ledger, form, obj, request.user, if_version=version)
            messages.success(request, _("Saved.") if changed else _("Nothing changed."))
            return redirect(reverse(f"{ledger.key}-detail", args=[obj.pk]))
        except ValidationError as error:
            _attach_errors(form, error)
        except AccessDenied:
            form.add_error(None, _("You may not save a record for this unit."))
        except StaleRecord:
            form.add_error(None, _("Someone else changed this record after you opened it. Open it again to see it."))
    context = {"ledger": ledger, "form": form, "object": obj, "version": version}
    return render(request, "web/edit.html", context)


def save_form(ledger: Ledger, form, obj, user, *, if_version: str | None = None):
    """Save a valid form through the actions: a new record (`ledger.create`, else the generic
    create) or the changes to `obj`. Returns (record, whether anything changed). The pages and
    the API save here; ValidationError, AccessDenied and StaleRecord pass to the caller."""
    data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
    if obj is None:
        if any(f.name == "campaign" for f in ledger.model._meta.fields):  # a letter's recipient: its letter's
            data["campaign"] = active_campaign()
        return (ledger.create or do_create_object)(ledger.model, actor=user, data=data), True
    changed = set(form.changed_data) - {"reason"}  # a reason alone changes nothing
    saved = do_update_object(
        obj, actor=user, changes=data, reason=form.cleaned_data.get("reason", ""), if_version=if_version
    )
    return saved, bool(changed)


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
