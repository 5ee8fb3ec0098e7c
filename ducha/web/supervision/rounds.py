"""The site round page's own posts (a problem the round found; a look-back re-check),
answered as ducha.web.detail_posts says, and the contact-rule compliance page: per
group and week, the units that had fewer contacts than a rule asks."""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from ducha.core.access import AccessDenied, Action, RoleKind, allows, role_kind
from ducha.core.registry import ledger
from ducha.ledger.forms import add_errors
from ducha.org.models import SupervisionGroup, Unit, active_campaign
from ducha.supervision.actions.rounds import actor_group_id, do_record_look_back_check, do_record_round_problem
from ducha.supervision.choices import ContactKind, RoundKind
from ducha.supervision.compliance import Shortfall, contact_shortfalls, required_contacts
from ducha.supervision.forms.rounds import LookBackCheckForm, RoundProblemForm
from ducha.supervision.ledgers.rounds import round_context
from ducha.web import generic
from ducha.web.detail_posts import back_to_page, done, forbidden, render_page

KEY = "site-rounds"


def _page(request, round, **options):
    return render_page(request, KEY, round, round_context, **options)


def round_problem_view(request, pk: int):
    """Record a problem the round found (in the problem ledger, discovered by supervision)."""
    round = generic.get_visible(ledger(KEY), request, pk)
    if request.method != "POST":
        return back_to_page(KEY, round)
    if not allows(request.user, round, Action.CHANGE):
        return forbidden(request)
    form = RoundProblemForm(request.POST, user=request.user, round=round)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "reason"}
        try:
            do_record_round_problem(round, actor=request.user, data=data)
            return done(request, KEY, round, round_context)
        except ValidationError as error:
            add_errors(form, error)
        except AccessDenied:
            return forbidden(request)
    return _page(request, round, bound={"problem": form})


def look_back_check_view(request, pk: int):
    """Record one re-check of a look-back round, with what its outcome brings."""
    round = generic.get_visible(ledger(KEY), request, pk)
    if request.method != "POST":
        return back_to_page(KEY, round)
    if round.kind != RoundKind.LOOK_BACK or not allows(request.user, round, Action.CHANGE):
        return forbidden(request)
    form = LookBackCheckForm(request.POST, round=round, user=request.user)
    if form.is_valid():
        try:
            do_record_look_back_check(round, actor=request.user, **form.action_arguments())
            return done(request, KEY, round, round_context)
        except ValidationError as error:
            add_errors(form, error)
        except (AccessDenied, ObjectDoesNotExist):
            return forbidden(request)
    return _page(request, round, bound={"check": form})


def may_see_compliance(user) -> bool:
    """The groups' page, and the office's and viewers': a unit sees its own contacts only."""
    return role_kind(user) in (RoleKind.OFFICE, RoleKind.VIEWER, RoleKind.GROUP_MEMBER)


def compliance_view(request):
    """Per group and week, the units short of a contact rule (group members: their own
    group; the office and viewers: every group). Each count links to the contacts behind it."""
    if not may_see_compliance(request.user):
        return forbidden(request)
    campaign = active_campaign()
    if campaign is None:
        raise Http404
    groups = SupervisionGroup.objects.filter(campaign=campaign).order_by("code")
    if own := actor_group_id(request.user):
        groups = groups.filter(pk=own)
    group = groups.filter(code=request.GET.get("group", "")).first() or groups.first()
    if group is None:
        raise Http404
    as_of = campaign.as_of()
    shortfalls = contact_shortfalls(campaign, as_of=as_of, group=group)
    weeks = sorted({week for (_g, _k, week) in required_contacts(campaign, as_of=as_of, group=group)}, reverse=True)
    week = _chosen_week(request.GET.get("week", ""), weeks)
    short_by_week: dict[dt.date, set[int]] = {}
    for s in shortfalls:
        short_by_week.setdefault(s.week_starts, set()).add(s.unit_id)
    return render(
        request,
        "web/supervision/rounds/compliance.html",
        {
            "groups": groups,
            "group": group,
            "weeks": [(w, len(short_by_week.get(w, ()))) for w in weeks],
            "week": week,
            "week_ends": week + dt.timedelta(days=6) if week else None,
            "rows": _rows([s for s in shortfalls if s.week_starts == week]),
            "as_of": as_of,
        },
    )


def _chosen_week(text: str, weeks: list[dt.date]) -> dt.date | None:
    try:
        chosen = dt.date.fromisoformat(text)
    except ValueError:
        chosen = None
    return chosen if chosen in weeks else (weeks[0] if weeks else None)


def _rows(shortfalls: list[Shortfall]) -> list[dict]:
    units = Unit.objects.in_bulk({s.unit_id for s in shortfalls})
    return [
        {
            "unit": units[s.unit_id],
            "kind": ContactKind(s.kind).label,
            "kind_code": s.kind,
            "required": s.required,
            "made": s.made,
            "missing": s.missing,
        }  # fmt: skip
        for s in shortfalls
    ]


urlpatterns = [
    path("site-rounds/<int:pk>/problems/", round_problem_view, name="site-rounds-problem"),
    path("site-rounds/<int:pk>/checks/", look_back_check_view, name="site-rounds-check"),
    path("contact-compliance/", compliance_view, name="contact-compliance"),
]
