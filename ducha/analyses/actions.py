"""Every state change of the analyses: a run started, its findings written, chosen findings
turned into problems; each in one transaction with the change log."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.turning import (
    DEFAULT_ITEMS,
    STATE_PROPERTY_LIST,
    description,
    evidence_workbook,
    problem_number,
    taken_numbers,
)
from ducha.analytics.reconcile import ReconcileSettings
from ducha.core.access import AccessDenied, Action, Actor, RoleKind, allows, restrict, role_kind, user_role
from ducha.core.actions import do_bulk_create_objects, do_create_object, do_update_object
from ducha.imports.actions import do_finish_job
from ducha.imports.models import Job, JobStatus
from ducha.ledger.actions import evidence_row
from ducha.ledger.choices import DiscoveryMethod
from ducha.ledger.evidence import EvidenceUpload, store_upload
from ducha.ledger.models import Problem, ProblemCategory, ProblemItem
from ducha.org.choices import DomainCode
from ducha.org.models import Campaign, Domain, Unit

R = TypeVar("R", bound=Job)


def may_compare(user) -> bool:
    """The office and the state-property group's members run comparisons (the three
    sources are the state-property group's)."""
    kind = role_kind(user)
    if kind == RoleKind.OFFICE:
        return True
    group = user_role(user).group if kind == RoleKind.GROUP_MEMBER else None
    return group is not None and group.lead_domain.code == DomainCode.STATE_PROPERTY


def do_start_comparison(
    campaign: Campaign, *, actor: Actor, files: dict[str, tuple[str, str]], settings: ReconcileSettings
) -> Comparison:
    """A queued run of the three stored files ({kind: (name, sha256)}) with these settings,
    the actor's group's (the office's own: no group). The caller hands it to the worker."""
    if not may_compare(actor):
        raise AccessDenied(f"{actor} may not run a comparison")
    role = user_role(actor)
    data = {
        "campaign": campaign,
        "group": role.group if role_kind(actor) == RoleKind.GROUP_MEMBER else None,
        "user": actor,
        "created_at": timezone.now(),
        "window_days": settings.window_days,
        "appraisal_valid_days": settings.appraisal_valid_days,
        "price_floor": Decimal(str(settings.price_floor)),
    }
    for kind, (name, sha256) in files.items():
        data |= {f"{kind}_name": name[:255], f"{kind}_sha256": sha256}
    return do_create_object(Comparison, actor=actor, data=data)


def do_record_findings(run: R, findings: Sequence[models.Model], *, actor: Actor, **fields) -> R:
    """The run's findings (a comparison's, a red-flag run's flags) written as one change-log
    batch and the run finished (done, its summary …): both or neither."""
    with transaction.atomic():
        do_bulk_create_objects(findings, actor=actor)
        return do_finish_job(run, actor=actor, status=JobStatus.DONE, **fields)  # type: ignore[type-var]


@dataclass
class Turned:
    """What a turning did: the problems made, the leads (findings, flags) refused and why."""

    created: list[tuple[Any, Problem]] = field(default_factory=list)
    refused: list[tuple[Any, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Turning:
    """How one kind of lead becomes a problem: its run's number prefix (SJFX-<run>-),
    the problem it makes for a unit, and its evidence workbook."""

    prefix: Callable[[Any], str]
    problem: Callable[[Any, Unit], Problem]
    workbook: Callable[[Any, str], EvidenceUpload]


def turn_into_problems(chosen: QuerySet, *, actor: Actor, turning: Turning, units: Mapping[int, Unit]) -> Turned:
    """Each chosen lead not yet turned becomes a problem of its unit (or the unit `units`
    names for it), its rows attached as an .xlsx. A lead already turned, naming no unit,
    or of a unit the actor may not add problems to is refused with its reason; the others
    are written together, problems, evidence and links in one change-log batch, or (a
    rule refusing one) none of them."""
    turned = Turned()
    with transaction.atomic():
        planned: list[tuple[Any, Problem]] = []
        for lead in restrict(chosen, actor, Action.CHANGE).select_for_update(of=("self",)).order_by("pk"):
            unit = lead.unit or units.get(lead.pk)
            if lead.problem_id:
                turned.refused.append((lead, _("It has already been turned into a problem.")))
                continue
            if unit is None:
                turned.refused.append((lead, _("It names no unit: choose the unit for it.")))
                continue
            problem = turning.problem(lead, unit)
            if not allows(actor, problem, Action.ADD):
                message = _("You may not add problems to %(unit)s.") % {"unit": unit.name}
                turned.refused.append((lead, message))
                continue
            planned.append((lead, problem))
        if not planned:
            return turned
        prefix = turning.prefix(planned[0][0])
        taken = taken_numbers({p.unit_id for _f, p in planned}, prefix)
        for lead, problem in planned:
            problem.number = problem_number(f"{prefix}{lead.pk}", taken)
        batch = do_bulk_create_objects([p for _f, p in planned], actor=actor)
        uploads = [turning.workbook(f, p.number) for f, p in planned]
        rows = [evidence_row(p, None, store_upload(u), actor) for (_f, p), u in zip(planned, uploads, strict=True)]
        do_bulk_create_objects(rows, actor=actor, batch=batch)
        for lead, problem in planned:
            do_update_object(lead, actor=actor, changes={"problem": problem}, batch=batch)
        turned.created = planned
    return turned


def do_create_problems_from_findings(
    findings: Sequence[ComparisonFinding],
    *,
    actor: Actor,
    item: ProblemItem | None = None,
    units: Mapping[int, Unit] | None = None,
) -> Turned:
    """Each chosen finding not yet turned becomes a problem (turn_into_problems): domain
    state property, the state-property list, the item its rule gives (else `item`, else
    none: the category alone), discovered by data analysis, found on the campaign's day,
    its source rows attached as an .xlsx."""
    category = ProblemCategory.objects.get(code=STATE_PROPERTY_LIST)
    if item is not None and item.category_id != category.pk:
        raise ValidationError({"item": _("Choose an item of the state-property list.")})
    items = {i.code: i for i in category.items.all()}
    domain = Domain.objects.get(code=DomainCode.STATE_PROPERTY)

    def problem(finding: ComparisonFinding, unit: Unit) -> Problem:
        campaign = finding.comparison.campaign
        return Problem(
            campaign=campaign,
            unit=unit,
            domain=domain,
            category=category,
            item=items.get(DEFAULT_ITEMS.get(finding.rule, "")) or item,
            description=description(finding),
            discovery_method=DiscoveryMethod.ANALYTICS,
            found_on=campaign.as_of(),
        )

    chosen = ComparisonFinding.objects.filter(pk__in=[f.pk for f in findings]).select_related(
        "comparison__campaign", "unit"
    )
    turning = Turning(lambda f: f"SJFX-{f.comparison_id}-", problem, evidence_workbook)
    return turn_into_problems(chosen, actor=actor, turning=turning, units=units or {})
