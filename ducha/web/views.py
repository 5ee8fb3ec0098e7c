"""Dashboards: the office's, a group's and a unit's. Figures come from the
statistics module (cached per change-log head); every figure links to its list."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.core.access import RoleKind, restrict, role_kind, user_role
from ducha.ledger.models import Problem, ProblemCategory
from ducha.ledger.models.problems import earliest_deadlines
from ducha.org.models import active_campaign
from ducha.reports.cache import cached_lagging, cached_statistics, cached_weekly_trend
from ducha.web.supervision import figures as supervision_figures
from ducha.web.supervision.weekly import unit_submission


def problems_url(**filters) -> str:
    return reverse("problems-list") + "?" + urlencode({k: v for k, v in filters.items() if v is not None})


def asked_day(request) -> dt.date:
    """The day a page's figures are as of: ?as_of=YYYY-MM-DD, not after today (default: today).
    A date that cannot be read is said so, and today's figures shown."""
    today = timezone.localdate()
    text = request.GET.get("as_of", "").strip()
    if not text:
        return today
    try:
        return min(dt.date.fromisoformat(text), today)
    except ValueError:
        message = _("“%(value)s” is not a date (YYYY-MM-DD): the figures are as of today.")
        messages.error(request, message % {"value": text})
        return today


def home(request):
    campaign = active_campaign()
    if campaign is None:
        return render(request, "web/no_campaign.html")
    role = user_role(request.user)
    kind = role_kind(request.user)
    if kind is None:
        return render(request, "web/no_role.html")
    # A closed campaign's figures stand as of its closing day; ?as_of= asks for a past day's.
    as_of = campaign.as_of(asked_day(request))
    figures = cached_statistics(campaign, user=request.user, today=as_of)
    past = as_of < campaign.as_of(timezone.localdate())
    context = {"campaign": campaign, "figures": figures, "total": figures["total"], "as_of": as_of,
               "as_of_past": past, "as_of_query": f"as_of={as_of.isoformat()}&" if past else ""}  # fmt: skip
    if kind == RoleKind.UNIT_REPORTER:
        return render(request, "web/dashboard_unit.html", {**context, **_unit_context(request, campaign, as_of)})
    trend = cached_weekly_trend(campaign, user=request.user, until=as_of if past else None)
    context |= _charts(figures, trend)
    if kind == RoleKind.GROUP_MEMBER:
        group = role.group if role else None
        context["group"] = group
        # A member's figures cover its own units only: other groups' rows would read as zeros.
        context["figures"] = {
            **figures,
            "by_group": [g for g in figures["by_group"] if group and g["group"] == group.code],
        }
        context |= _lagging(request, campaign, as_of, group.code if group else None)
    else:
        ranking = cached_lagging(campaign, user=request.user, today=as_of)
        context["lagging_units"] = [(g, u) for g in ranking["groups"] for u in g["units"] if u["lagging"]]
    context["supervision"] = _supervision_table(context["figures"], kind)
    context["overdue"] = [] if context["as_of_past"] else _overdue(request, campaign, as_of)
    template = "web/dashboard_group.html" if kind == RoleKind.GROUP_MEMBER else "web/dashboard_office.html"
    return render(request, template, context)


def _supervision_table(figures, kind) -> dict:
    """Each group's supervision figures (and, for the office, the total), linked to their lists."""
    rows = [(g["name"], g["group"], g["supervision"]) for g in figures["by_group"]]
    if kind != RoleKind.GROUP_MEMBER:
        rows.append((_("Total"), None, figures["total"]["supervision"]))
    return supervision_figures.table(rows)


def _lagging(request, campaign, as_of, group_code: str | None) -> dict:
    """The group's units ranked by the lagging rule (reports/lagging.py), each reason in words."""
    if group_code is None:
        return {"lagging": [], "lagging_rule": None}
    ranking = cached_lagging(campaign, user=request.user, today=as_of, group=group_code)
    if not ranking["groups"]:
        return {"lagging": [], "lagging_rule": None}
    units = ranking["groups"][0]["units"]
    for u in units:
        for rate, shown in (("discovery_rate", "discovery_per_100"), ("expected_rate", "expected_per_100")):
            u[shown] = f"{u[rate] * 100:.1f}" if u[rate] is not None else None
        u["link"] = problems_url(unit=u["unit"], state="open")
        u["overdue_link"] = problems_url(unit=u["unit"], overdue="true")
        late = reverse("unit-weekly-reports-list") + "?" + urlencode({"unit": u["unit"], "timeliness": "late"})
        u["reports_link"] = reverse("weekly-reports-missing") if u["unit_reports_missing"] else late
        u["contacts_link"] = reverse("contact-compliance") + "?" + urlencode({"group": group_code})
    return {"lagging": units, "lagging_rule": ranking["groups"][0]["rule"]}


def _charts(figures, trend) -> dict:
    # The units that lag first (the chart draws the first on top): lowest rate, then most overdue.
    ranked = sorted(figures["by_unit"], key=lambda u: (u["sign_off_rate"], -u["problems_overdue"]))
    names = dict(ProblemCategory.objects.values_list("code", "name"))
    by_category = figures["total"]["problems_by_category"]
    return {
        "chart_clearance": {
            "title": _("Zero-clearing progress by unit"),
            "labels": [u["name"] for u in ranked],
            "values": [round(u["sign_off_rate"] * 100, 1) for u in ranked],
            "links": [problems_url(unit=u["unit"], state="open") for u in ranked],
            "unit": "%",
            "max": 100,
            "empty": _("No data yet"),
        },
        "chart_category": {
            "title": _("Problems by category"),
            "labels": [f"{code} {names.get(code, '')}" for code in by_category],
            "values": list(by_category.values()),
            "links": [problems_url(category=code) for code in by_category],
            "empty": _("No problem has a category yet"),
        },
        "chart_trend": {
            "title": _("Problems found and rectified per week"),
            "labels": [w["week"] for w in trend],
            "series": [
                {"name": _("found"), "values": [w["found"] for w in trend]},
                {"name": _("rectified"), "values": [w["rectified"] for w in trend]},
            ],
            "link": problems_url(),
            "empty": _("No data yet"),
        },
    }


def _overdue(request, campaign, as_of):
    problems = Problem.objects.filter(campaign=campaign).overdue(as_of)
    return earliest_deadlines(restrict(problems, request.user).select_related("unit"), 10)


def _unit_context(request, campaign, as_of) -> dict:
    """The unit's open problems with the next step for each; its counts are the
    statistics' (figures in the template), like every other dashboard's."""
    problems = restrict(Problem.objects.filter(campaign=campaign), request.user)
    # (each told its next step and whether it is overdue, for the template)
    open_problems: list[Any] = earliest_deadlines(problems.select_related("project", "category"), 20)
    next_steps = {
        "found": _("Start rectification and record the measures."),
        "rectifying": _("Upload the rectification evidence and report it rectified."),
    }
    for p in open_problems:
        p.next_step = next_steps.get(p.status, "")
        p.overdue_now = p.is_overdue(as_of)
    role = user_role(request.user)
    # A league/city or department reports weekly to its group (a county through it).
    weekly = unit_submission(request, campaign) if role and role.unit.parent_id is None else None
    return {"open_problems": open_problems, "weekly": weekly}
