"""A ledger's list as a user asked for it: the records of the active campaign in the
user's scope (`restrict`), through the ledger's filter set, free-text search and sort.
The list page, its exports and the export jobs' worker (which builds the list again from
the saved query string, for the job's user) all read it here."""

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q

from ducha.core.access import Action, restrict
from ducha.core.registry import Ledger
from ducha.org.models import active_campaign


def ledger_queryset(ledger: Ledger, user, action=Action.VIEW):
    """The ledger's records in the active campaign that the user may `action`."""
    qs = ledger.model._default_manager.all()
    campaign = active_campaign()
    if campaign is not None and any(f.name == "campaign" for f in ledger.model._meta.fields):
        qs = qs.filter(campaign=campaign)
    return restrict(qs, user, action).select_related(*ledger.select_related)


def search(qs, fields: Sequence[str], text: str):
    if not fields:
        return qs  # a ledger with nothing to search (its list shows no search box)
    words = text.split()
    for word in words[:5]:
        qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return qs


def has_nul(query) -> bool:
    """Whether a query string holds a NUL character: no text in the database can contain
    one (PostgreSQL refuses it outright, an error, not a miss)."""
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def filtered(ledger: Ledger, request):
    qs = ledger_queryset(ledger, request.user)
    if has_nul(request.GET):
        # A search or filter value with NUL matches nothing: an empty list, no query with it.
        return ledger.filterset(None, queryset=qs, request=request), qs.none().order_by(*ledger.ordering)
    filterset = ledger.filterset(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound:
        # A refused filter value (another unit's code) lists nothing, never everything.
        qs = filterset.qs if filterset.is_valid() else qs.none()
    if text := request.GET.get("q", "").strip():
        qs = search(qs, ledger.search_fields, text)
    sort = request.GET.get("sort", "")
    key = sort.lstrip("-")
    if key in ledger.sortable:
        qs = qs.order_by(f"{'-' if sort.startswith('-') else ''}{key}", "-pk")
    else:
        qs = qs.order_by(*ledger.ordering)
    return filterset, qs
