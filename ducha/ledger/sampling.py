"""Drawing a sample (按比例抽查) and recording it: the population read within the drawer's
scope, the draw made by ducha/analytics/sampling.py, and the draw with its sampling
inspections written in one action (one transaction, one change-log batch)."""

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ducha.analytics import sampling as engine
from ducha.core.access import Action, Actor, group_scope, restrict, scope_q
from ducha.core.actions import do_bulk_create_objects, do_update_object
from ducha.core.pieces import in_pieces
from ducha.ledger import flag_weights
from ducha.ledger.actions import do_bulk_record_inspections
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Inspection, Project, SampleDraw
from ducha.org.models import Campaign, Stage, SupervisionGroup, Unit

# Words for a seed that is easy to read out and write down (the seed makes a draw reproducible).
_SEED_WORDS = tuple("松柏梅竹兰菊山河湖海云星月风雪泉石林川原")


def suggested_seed(today: dt.date | None = None) -> str:
    """A fresh seed: the day, three characters and four digits (20240601-松山月-0427)."""
    words = "".join(secrets.choice(_SEED_WORDS) for _ in range(3))
    return f"{(today or dt.date.today()):%Y%m%d}-{words}-{secrets.randbelow(10000):04d}"


def population(
    campaign: Campaign, *, actor: Actor, unit: Unit | None = None, group: SupervisionGroup | None = None
) -> QuerySet:
    """The projects a draw may choose: self-inspected, not yet sampled, of the unit (with
    its counties), of the group's units, or of the whole campaign; always within what the
    drawer may change."""
    projects = Project.objects.filter(campaign=campaign, self_inspected=True, sampled=False)
    if unit is not None:
        projects = projects.filter(unit=unit) if unit.parent_id is None else projects.filter(county=unit)
    if group is not None:
        covered = scope_q(Project, group_scope(group))
        projects = projects.filter(covered) if covered is not None else projects
    return restrict(projects, actor, Action.CHANGE)


def sampling_rule(proportion, minimum, seed: str, weighting: str) -> engine.SamplingRule:
    """The rule, or the reasons it is refused, by field (the form shows them there)."""
    errors = {}
    if not isinstance(proportion, Decimal) or not Decimal(0) < proportion <= Decimal(1):
        errors["proportion"] = _("The proportion must be above zero and at most one hundred percent.")
    if not isinstance(minimum, int) or minimum < 0:
        errors["minimum"] = _("The minimum per unit must be a whole number, 0 or more.")
    if not seed.strip():
        errors["seed"] = _("A draw needs a seed: the same seed draws the same sample.")
    if weighting not in set(engine.Weighting):
        errors["weighting"] = _("Unknown weighting.")
    if errors:
        raise ValidationError(errors)
    return engine.SamplingRule(proportion, minimum, seed.strip(), engine.Weighting(weighting))


# A draw's (and a check's) steps, told to `progress(step, count)` as each is done: the
# population read (records), the sample drawn (projects), the inspections recorded (or,
# for a check, the result recorded).
# While the inspections are recorded (most of a large draw's time), RECORDING tells how
# many are so far, every RECORD_CHUNK.
POPULATION, DRAWN, RECORDED = "population", "drawn", "recorded"
RECORDING = "recording"
STEPS = (POPULATION, DRAWN, RECORDED)
RECORD_CHUNK = 10_000
Progress = Callable[[str, int], None]
# Each step in words (the job's page, `ducha sample`'s progress bar), for a draw and a check.
_STEP_WORDS = {
    (POPULATION, False): gettext_lazy("Population read: %(count)s projects"),
    (DRAWN, False): gettext_lazy("Sample drawn: %(count)s projects"),
    (RECORDING, False): gettext_lazy("Recording sampling inspections: %(count)s so far"),
    (RECORDED, False): gettext_lazy("Sampling inspections recorded: %(count)s"),
    (POPULATION, True): gettext_lazy("Population read: %(count)s projects"),
    (DRAWN, True): gettext_lazy("Sample drawn again: %(count)s projects"),
    (RECORDED, True): gettext_lazy("Result recorded"),
}


def step_in_words(step: str, count: int, *, check: bool = False) -> str:
    words = _STEP_WORDS.get((step, check))
    return str(words) % {"count": f"{count:,}"} if words is not None else step


def _no_progress(step: str, count: int) -> None:
    pass


def do_draw_sample(
    campaign: Campaign,
    *,
    actor: Actor,
    proportion: Decimal,
    minimum: int,
    seed: str,
    weighting: str = engine.Weighting.NONE,
    unit: Unit | None = None,
    group: SupervisionGroup | None = None,
    stage: Stage | None = None,
    progress: Progress | None = None,
) -> SampleDraw:
    """Draw a sample and record a sampling inspection of every project drawn."""
    progress = progress or _no_progress
    rule = sampling_rule(proportion, minimum, seed, weighting)
    if unit is not None and group is not None:
        raise ValidationError(_("A draw covers a unit or a group, not both."))
    with transaction.atomic():
        # Locked while drawn (only the projects: PostgreSQL locks no outer join's nullable side).
        candidates = population(campaign, actor=actor, unit=unit, group=group).select_for_update(of=("self",))
        rows = list(candidates.order_by("pk").values_list(*_COLUMNS))
        progress(POPULATION, len(rows))
        table = _population_table(rows, timezone.now())
        drawn = engine.draw(table, rule)
        chosen = drawn.sample.column("id").to_pylist()
        progress(DRAWN, len(chosen))
        per_unit: dict[int, int] = {}
        for unit_id in drawn.sample.column("unit").to_pylist():
            per_unit[unit_id] = per_unit.get(unit_id, 0) + 1
        ids = [r[0] for r in rows]
        draw = SampleDraw(
            **{
                "campaign": campaign,
                "stage": stage,
                "unit": unit,
                "group": group,
                "proportion": rule.proportion,
                "minimum": rule.minimum,
                "weighting": rule.weighting.value,
                "seed": rule.seed,
                "population_ids": ids,
                "population_sha256": hashlib.sha256(json.dumps(ids).encode()).hexdigest(),
                "figures": [{**row, "drawn": per_unit.get(row["unit"], 0)} for row in drawn.units.to_pylist()],
                "drawn_by": actor,
            }
        )
        # One batch: the draw (every rule of a single create: do_bulk_create_objects), its
        # inspections and the projects' flags.
        batch = do_bulk_create_objects([draw], actor=actor)
        projects = Project.objects.in_bulk(chosen)
        for project in projects.values():
            project.campaign = campaign  # each inspection's clean() reads it: one object, not a query each
        units = Unit.objects.in_bulk({p.unit_id for p in projects.values()})
        # Recorded in the order the draw's page lists the sample (unit, project number): the
        # page reads it by the inspections' order, without the projects' rows.
        listed = {pk: (units[p.unit_id].order, units[p.unit_id].code, p.number, pk) for pk, p in projects.items()}
        chosen.sort(key=listed.__getitem__)
        inspections = [
            Inspection(project=projects[pk], kind=InspectionKind.SAMPLE, sampling_seed=rule.seed, draw=draw)
            for pk in chosen
        ]
        # In parts of one batch and transaction, to tell how far it got (the planner's
        # statistics are refreshed once, after the commit, as for a single call).
        for start in range(0, len(inspections), RECORD_CHUNK):
            if start:
                progress(RECORDING, start)
            do_bulk_record_inspections(inspections[start : start + RECORD_CHUNK], actor=actor, batch=batch)
        progress(RECORDED, len(inspections))
        return draw


def drawn_again(draw: SampleDraw, progress: Progress | None = None) -> list[int]:
    """The sample the draw's rule and seed give on its stored population, to check a draw."""
    progress = progress or _no_progress
    ids, rows = draw.population_ids, []  # type: list[int], list[tuple]
    for piece in in_pieces(ids):  # a whole campaign's population: more ids than one query may bind
        rows += Project.objects.filter(pk__in=piece).values_list(*_COLUMNS)
    progress(POPULATION, len(rows))
    table = _population_table(rows, draw.drawn_at)
    rule = engine.SamplingRule(draw.proportion, draw.minimum, draw.seed, engine.Weighting(draw.weighting))
    sample = engine.draw(table, rule).sample.column("id").to_pylist()
    progress(DRAWN, len(sample))
    return sample


def sample_holds(draw: SampleDraw, progress: Progress | None = None) -> bool:
    """Whether the draw's recorded sample is the one its rule and seed give on its population."""
    again = drawn_again(draw, progress)
    return sorted(again) == sorted(draw.inspections.values_list("project_id", flat=True))


def do_check_draw(draw: SampleDraw, *, actor: Actor, progress: Progress | None = None) -> SampleDraw:
    """Check a draw (sample_holds) and record when and with what result, in the change log:
    the draw's page shows the last check instead of drawing again on every view. Only who
    may change the draw records a check (do_update_object refuses anyone else)."""
    holds = sample_holds(draw, progress)
    checked = do_update_object(draw, actor=actor, changes={"checked_at": timezone.now(), "holds": holds})
    (progress or _no_progress)(RECORDED, 1)
    return checked


_COLUMNS = ("pk", "unit_id", "domain__code", "project_type__name", "amount")


def _population_table(rows: list[tuple], as_of: dt.datetime) -> pa.Table:
    """Projects (rows of _COLUMNS) as the engine's population, with their red flags as of then."""
    return pa.table(
        {
            "id": [r[0] for r in rows],
            "unit": [r[1] for r in rows],
            "domain": [r[2] for r in rows],
            "project_type": [r[3] for r in rows],
            "amount": [None if r[4] is None else float(r[4]) for r in rows],
            "flags": flag_weights.flags([r[0] for r in rows], as_of),
        },
        schema=engine.POPULATION,
    )
