"""The ledgers of the site rounds (实地督导轮次), supervision contacts (电话督导, 实地督导,
书面提醒), contact rules and look-back checks (回头看). A round's page lists its visits,
the counties they went down to (下沉旗县) and the problems it found, and takes the
problems it finds and, for a look-back round, its re-checks (ducha.web.supervision.rounds)."""

from django.utils.translation import gettext_lazy

from ducha.core.access import Action, allows, restrict
from ducha.core.registry import Ledger
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.models import Problem
from ducha.org.models import Assignment, Unit
from ducha.supervision.actions.rounds import do_record_contact, do_record_look_back_check
from ducha.supervision.choices import RoundKind
from ducha.supervision.filtersets import rounds as f
from ducha.supervision.forms import rounds as forms
from ducha.supervision.models import Contact, ContactRule, LookBackCheck, RoundProblem, SupervisionRound
from ducha.supervision.tables import rounds as t


def round_context(request, round: SupervisionRound, *, bound: dict | None = None, error: str = "") -> dict:
    """The round's methods, counties visited and problems found, with the forms of what
    the user may add here: a problem found, and on a look-back round a re-check. `bound`
    holds a posted form that came back with errors ("problem", "check")."""
    bound, user = dict(bound or {}), request.user
    visits = restrict(Contact.objects.filter(round=round), user).select_related("unit", "county")
    counties = Unit.objects.filter(pk__in=visits.exclude(county=None).values("county_id")).order_by("order", "code")
    checks = restrict(LookBackCheck.objects.filter(round=round), user).select_related(
        "project__unit", "problem__unit", "new_problem")  # fmt: skip
    # Two short lists of ids, not an OR of two subqueries (which scans every problem).
    found_ids = {*RoundProblem.objects.filter(round=round).values_list("problem_id", flat=True)}
    found_ids |= {*LookBackCheck.objects.filter(round=round).exclude(new_problem=None).values_list(
        "new_problem_id", flat=True)}  # fmt: skip
    problems = restrict(Problem.objects.filter(pk__in=found_ids), user)
    may_work = allows(user, round, Action.CHANGE)
    look_back = round.kind == RoundKind.LOOK_BACK
    problem_form = check_form = None
    if may_work:
        problem_form = bound.pop("problem", None) or forms.RoundProblemForm(user=user, round=round)
    candidates: list[Problem] = []
    if may_work and look_back:
        chosen = {name: request.GET[name] for name in ("unit", "project", "problem") if request.GET.get(name)}
        check_form = bound.pop("check", None) or forms.LookBackCheckForm(round=round, user=user, initial=chosen)
        candidates = list(_signed_off_to_recheck(round, user))
    return {
        "methods": t.methods_text(round),
        "visits": list(visits.order_by("contacted_on", "pk")),
        "counties": list(counties),
        "checks": list(checks.order_by("checked_on", "pk")),
        "found": list(problems.select_related("unit").order_by("found_on", "number")),
        "problem_form": problem_form,
        "check_form": check_form,
        "look_back": look_back,
        "candidates": candidates,
        "error": error,
    }


def _signed_off_to_recheck(round: SupervisionRound, user, limit: int = 20):
    """The group's signed-off problems this look-back round has not re-checked yet, the
    latest recorded first: the page offers each to re-check (it fills in the form). By id,
    not by the rectification day: at 200,000 problems that sort costs half a second."""
    units = Assignment.objects.filter(group_id=round.group_id).values("unit_id")
    checked = LookBackCheck.objects.filter(round=round).exclude(problem=None).values("problem_id")
    problems = Problem.objects.filter(campaign_id=round.campaign_id, unit_id__in=units, status=ProblemStatus.SIGNED_OFF)
    problems = problems.exclude(pk__in=checked).select_related("unit").order_by("-pk")
    return restrict(problems, user)[:limit]


def _create_contact(model, *, actor, data: dict) -> Contact:
    return do_record_contact(actor=actor, data=data)


def _create_check(model, *, actor, data: dict) -> LookBackCheck:
    """The ledger's add page records a check as the round's page does (the round chosen)."""
    return do_record_look_back_check(data["round"], actor=actor, **forms.look_back_arguments(data))


def _round_records(round: SupervisionRound) -> tuple:
    """A round's history holds the problems it found linked to it (its checks, listed on
    the page, keep their own histories)."""
    return (RoundProblem.objects.filter(round=round),)


LEDGERS: list[Ledger] = [
    Ledger(
        "site-rounds",
        SupervisionRound,
        gettext_lazy("Site rounds"),
        t.ROUND_COLUMNS,
        f.SiteRoundFilterSet,
        forms.SiteRoundForm,
        search_fields=("summary",),
        select_related=("group",),
        ordering=("-starts_on", "-pk"),
        detail_fields=("group", "number", "kind", "starts_on", "ends_on", "summary"),
        detail_template="web/supervision/rounds/round_detail.html",
        extra_context=round_context,
        history_related=_round_records,
    ),
    Ledger(
        "contacts",
        Contact,
        gettext_lazy("Supervision contacts"),
        t.CONTACT_COLUMNS,
        f.ContactFilterSet,
        forms.ContactForm,
        search_fields=("content", "follow_up", "supervisor"),
        select_related=("group", "unit", "county", "round"),
        create=_create_contact,
        ordering=("-contacted_on", "-pk"),
        detail_fields=(
            "group",
            "kind",
            "contacted_on",
            "unit",
            "county",
            "round",
            "supervisor",
            "content",
            "follow_up",
        ),  # fmt: skip
    ),
    Ledger(
        "contact-rules",
        ContactRule,
        gettext_lazy("Contact rules"),
        t.RULE_COLUMNS,
        f.ContactRuleFilterSet,
        forms.ContactRuleForm,
        search_fields=(),
        select_related=("group",),
        ordering=("-starts_on", "-pk"),
        detail_fields=("group", "kind", "per_week", "starts_on", "ends_on"),
        detail_template="web/supervision/rounds/rule_detail.html",
    ),
    Ledger(
        "look-back-checks",
        LookBackCheck,
        gettext_lazy("Look-back checks"),
        t.LOOK_BACK_COLUMNS,
        f.LookBackCheckFilterSet,
        forms.LookBackCheckForm,
        search_fields=("note",),
        select_related=("round__group", "project__unit", "problem__unit", "new_problem"),
        create=_create_check,
        ordering=("-checked_on", "-pk"),
        detail_fields=("round", "project", "problem", "checked_on", "outcome", "note", "new_problem"),
    ),
]
