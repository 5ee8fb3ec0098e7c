"""The project search of the problem form: the projects the user may see whose number
starts with, or whose name contains, what was typed, of the chosen unit (and county)
when one is chosen; at most ten. Answered as a small list for htmx to put below the field."""

import json

from django.db.models import Q
from django.shortcuts import render

from ducha.core.registry import ledger
from ducha.web.listing import ledger_queryset

MAX_SUGGESTIONS = 10


def _id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def project_lookup(request):
    text = (request.GET.get("project") or request.GET.get("q") or "").strip()[:100]
    projects = []
    if text:
        qs = ledger_queryset(ledger("projects"), request.user)  # the active campaign, restricted to the user's scope
        if unit := _id(request.GET.get("unit")):
            qs = qs.filter(unit_id=unit)
        if county := _id(request.GET.get("county")):
            qs = qs.filter(county_id=county)
        qs = qs.filter(Q(number__startswith=text) | Q(name__icontains=text)).select_related("county")
        projects = [(p, _fill(p)) for p in qs.order_by("number", "pk")[:MAX_SUGGESTIONS]]
    return render(request, "web/_lookup.html", {"projects": projects, "text": text})


def _fill(project) -> str:
    """What choosing the project fills in: its number, unit, county and domain."""
    values = {"project": project.number, "unit": project.unit_id, "county": project.county_id or "",
              "domain": project.domain_id or ""}  # fmt: skip
    return json.dumps({k: str(v) for k, v in values.items()}, ensure_ascii=False)
