"""Every state change of the ledger: one transaction each, change log inside it."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import AccessDenied, Action, Actor, RoleKind, allows, ensure_allowed, restrict, role_kind
from ducha.core.actions import (
    StaleRecord,
    check_new_objects,
    do_bulk_create_objects,
    do_create_object,
    naming,
    record_version,
)
from ducha.core.changelog import Change, diff, record_changes, serialize, to_jsonable
from ducha.core.inserts import insert_objects, inserted
from ducha.core.planner import refresh_after_commit
from ducha.ledger.choices import OPEN_STATUSES, ExtensionStatus, InspectionKind, ProblemStatus
from ducha.ledger.evidence import EvidenceUpload, StoredFile, check_upload, store_upload
from ducha.ledger.models import DeadlineExtension, Evidence, Inspection, Problem, Project, RectificationStep
from ducha.ledger.rectification import (
    StepInput,
    Transition,
    TransitionError,
    check_requirements,
    find_transition,
    path_between,
    transitions_from,
)

_INSPECTION_FLAG = {
    InspectionKind.SELF: "self_inspected",
    InspectionKind.SAMPLE: "sampled",
    InspectionKind.VERIFY: "verified",
}


def allowed_transitions(problem: Problem, actor: Actor) -> list[Transition]:
    """What this actor may do with this problem now (the buttons a page shows)."""
    if not allows(actor, problem, Action.CHANGE):
        return []
    role = role_kind(actor)
    return [t for t in transitions_from(problem.status) if role in t.roles and not t.look_back]


def may_attach_evidence(problem: Problem, actor: Actor) -> bool:
    """Evidence goes onto a problem where a step the actor may take now asks for it (the
    page's files come with that step; the API may send them first, then name them)."""
    return any(t.needs_evidence for t in allowed_transitions(problem, actor))


def do_create_problem(*, actor: Actor, data: dict, reason: str = "") -> Problem:
    """A new problem starts as found (do_create_object refuses any other status)."""
    return do_create_object(Problem, actor=actor, data=data, reason=reason)


def _attach(problem: Problem, step: RectificationStep | None, uploads: Sequence[EvidenceUpload], actor: Actor):
    for upload in uploads:
        check_upload(upload)  # all of them before any is written: a refused batch leaves no files
    rows = [evidence_row(problem, step, store_upload(upload, checked=True), actor) for upload in uploads]
    for row in rows:
        row.save()
    return rows


def evidence_row(problem: Problem, step: RectificationStep | None, stored: StoredFile, actor: Actor) -> Evidence:
    """The database's description of a stored file (the bytes live under EVIDENCE_ROOT)."""
    return Evidence(
        problem=problem,
        step=step,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
    )


def do_transition_problem(
    problem: Problem,
    target: str,
    *,
    actor: Actor,
    reason: str = "",
    measures: str = "",
    opinion: str = "",
    evidence: Sequence[EvidenceUpload] = (),
    completed_on: dt.date | None = None,
    look_back: bool = False,
    attached: Sequence[int] = (),
    if_version: str | None = None,
) -> Problem:
    """Move one problem along the workflow. Illegal, unauthorised or incomplete
    transitions raise and change nothing. A look-back reopening is taken only with
    `look_back` (the supervision app's action, which records the round with it).
    `attached`: ids of files already on the problem (do_attach_evidence) that this step
    takes as its evidence, beside the new `evidence`. `if_version`: the problem's
    record_version the caller read (StaleRecord if it has changed since)."""
    with transaction.atomic():
        current = restrict(Problem.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=problem.pk)
        if if_version is not None and record_version(current) != if_version:
            raise StaleRecord  # another change came first: nothing of this one is written
        transition = find_transition(current.status, target)
        if transition.look_back and not look_back:
            raise TransitionError(_("A signed-off problem is reopened only by a look-back round."))
        if role_kind(actor) not in transition.roles:
            raise AccessDenied(f"{actor} may not {transition.verb} problem {current.number}")
        waiting = _waiting_evidence(current, attached) if transition.needs_evidence else []
        step_input = StepInput(reason, measures, opinion, len(evidence) + len(waiting), completed_on)
        check_requirements(transition, step_input, found_on=current.found_on, as_of=current.campaign.as_of())
        before = serialize(current)
        step = RectificationStep(
            problem=current,
            from_status=current.status,
            to_status=transition.target,
            actor=actor,
            acted_at=timezone.now(),
            reason=reason,
            measures=measures,
            opinion=opinion,
            completed_on=completed_on,
        )
        _chain_steps([step])
        step.save()
        files = _attach(current, step, evidence, actor)
        for file in waiting:
            file.step = step
            file.save(update_fields=["step"])
        _apply(current, [transition], step_input)
        current.save(update_fields=["status", "rectified_on", "measures", "updated_at"])
        changes = [
            Change("transition", current, before=_workflow_state(before), after=_workflow_state(serialize(current)),
                   reason=reason),
            Change("create", step, after=serialize(step)),
            *(Change("create", f, after=serialize(f)) for f in files),
            *(Change("update", f, before={"step": None}, after={"step": step.pk}) for f in waiting),
        ]  # fmt: skip
        record_changes(changes, actor=actor)
        return current


def _waiting_evidence(problem: Problem, ids: Sequence[int]) -> list[Evidence]:
    """The problem's files `ids` that no step has taken yet (rows locked); any other id is refused."""
    wanted = list(dict.fromkeys(ids))
    found = list(Evidence.objects.select_for_update().filter(problem=problem, step=None, pk__in=wanted).order_by("pk"))
    missing = sorted(set(wanted) - {f.pk for f in found})
    if missing:
        message = _("Evidence %(ids)s: no file of this problem waiting for a step has this id.")
        raise ValidationError({"evidence": ValidationError(message, params={"ids": ", ".join(map(str, missing))})})
    return found


def _chain_steps(steps: Sequence[RectificationStep], *, new: bool = False) -> None:
    """Put new steps (in the order taken) at the end of their problems' chains: each holds
    until the next, and the step that was last is superseded by the first new one. A
    business time before the last step's is moved up to it: steps hold in the order taken,
    so a past day's status (ledger/as_of.py) is the one the problem then had. `new`: the
    problems were created in this transaction, with no step yet (nothing to read)."""
    ids = [] if new else list(dict.fromkeys(s.problem_id for s in steps))
    last: dict[int, dt.datetime] = {}
    for start in range(0, len(ids), 900):
        open_steps = RectificationStep.objects.filter(problem_id__in=ids[start : start + 900], superseded_at=None)
        last.update(open_steps.values_list("problem_id", "acted_at"))
    superseding: dict[int, dt.datetime] = {}
    previous: dict[int, RectificationStep] = {}
    for step in steps:
        floor = previous[step.problem_id].acted_at if step.problem_id in previous else last.get(step.problem_id)
        if floor is not None and step.acted_at < floor:
            step.acted_at = floor
        if step.problem_id in previous:
            previous[step.problem_id].superseded_at = step.acted_at
        elif step.problem_id in last:
            superseding[step.problem_id] = step.acted_at
        previous[step.problem_id] = step
    if superseding:
        connection = connections[router.db_for_write(RectificationStep)]
        table, at = (
            connection.ops.quote_name(RectificationStep._meta.db_table),
            RectificationStep._meta.get_field("acted_at"),
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET superseded_at = %s WHERE problem_id = %s AND superseded_at IS NULL",
                [(at.get_db_prep_save(moment, connection), pk) for pk, moment in superseding.items()],
            )


def _apply(problem: Problem, path: Sequence[Transition], step: StepInput) -> None:
    """The problem's own fields after a path of steps (one step, or an import's several)."""
    problem.status = path[-1].target
    if any(t.needs_completion_date for t in path):
        problem.rectified_on = step.completed_on
    elif problem.status == ProblemStatus.RECTIFYING:
        problem.rectified_on = None  # started again, or a rejection
    if any(t.needs_measures for t in path):
        problem.measures = step.measures


def _workflow_state(values: dict) -> dict:
    return {k: values[k] for k in ("status", "rectified_on", "measures")}


def do_attach_evidence(problem: Problem, *, actor: Actor, uploads: Sequence[EvidenceUpload]) -> list[Evidence]:
    with transaction.atomic():
        current = restrict(Problem.objects.all(), actor, Action.CHANGE).get(pk=problem.pk)
        files = _attach(current, None, uploads, actor)
        record_changes([Change("create", f, after=serialize(f)) for f in files], actor=actor)
        return files


@dataclass(frozen=True)
class Move:
    """One problem moved to a stated status in bulk (an import, the demo), with what
    its steps need, as for a single step: reason, measures, opinion, evidence, date."""

    problem: Problem
    target: str
    when: dt.datetime
    completed_on: dt.date | None = None
    reason: str = ""
    measures: str = ""
    opinion: str = ""
    evidence: Sequence[EvidenceUpload] = ()
    # The business time of a step by the status it reaches, where it is not `when` (an
    # import: started on the day found, rectified and signed off on the completion day).
    times: Mapping[str, dt.datetime] | None = None

    def time_of(self, target: str) -> dt.datetime:
        return (self.times or {}).get(target, self.when)


def _stored_states(ids: Sequence[int]) -> dict[int, dict]:
    """The workflow fields of these problems as stored now, rows locked."""
    ids, states = list(dict.fromkeys(ids)), dict[int, dict]()
    for start in range(0, len(ids), 900):
        rows = Problem.objects.select_for_update().filter(pk__in=ids[start : start + 900])
        states.update({r["pk"]: dict(r) for r in rows.values("pk", "status", "rectified_on", "measures")})
    return states


def do_bulk_transition_problems(
    moves: Sequence[Move],
    *,
    actor: Actor,
    batch: str | None = None,
    files_stored: dict[int, tuple[EvidenceUpload, StoredFile]] | None = None,
) -> str:
    """Apply ledger-stated statuses (imports, the demo) along the allowed paths.

    Every step of the path is recorded with its business time and must have what it
    needs (check_requirements, as for one step: measures, opinion, evidence, a sane
    completion date). Scope applies; of the role rule, what keeps sign-off under control:
    a group or the office may state the steps a unit reported (an import relays the unit's
    ledger), a unit reporter only its own steps (never sign-off, rejection, dismissal).

    Each evidence upload is checked and stored once: `files_stored`, when given, holds the
    uploads this call stored (by id, with the upload itself), and those an earlier call
    with the same dict stored (an import moves its problems a chunk at a time, all with
    its one workbook as evidence)."""
    files_stored = {} if files_stored is None else files_stored
    _check_uploads(moves, files_stored)
    planning = _Planning(actor)
    with transaction.atomic():
        # The stored state decides the path, not the caller's copy, which may be stale.
        stored = _stored_states([m.problem.pk for m in moves])
        for move in moves:
            problem = move.problem
            ensure_allowed(actor, problem, Action.CHANGE)
            if problem.pk not in stored:
                raise Problem.DoesNotExist(f"problem {problem.number} does not exist")
            stored[problem.pk] = planning.plan(move, stored[problem.pk])
        stored_measures: dict[int, str] = {}  # as stored before this call (a problem may move twice)
        for p, old, _path, _m in planning.moved:
            stored_measures.setdefault(p.pk, old["measures"])
        _write_states([p for p, *_ in planning.moved], stored_measures)
        refresh_after_commit(len(planning.moved))
        return record_changes(planning.write(files_stored), actor=actor, batch=batch)


def do_bulk_create_problems(
    problems: Sequence[Problem],
    moves: Sequence[Move],
    *,
    actor: Actor,
    reason: str = "",
    batch: str | None = None,
    files_stored: dict[int, tuple[EvidenceUpload, StoredFile]] | None = None,
) -> str:
    """New problems (an import's) created and moved at once to their stated statuses
    (`moves`, each of one of `problems`): what do_bulk_create_objects and then
    do_bulk_transition_problems do, in one pass.

    Every rule of both holds, in their order: the creation's on the problems as found
    (workflow defaults, scope, the model's rules, links, uniqueness), then the moves' (scope,
    the role rule, each step's requirements, each evidence upload checked once). Each
    problem's row is written with its final status, its steps and evidence with it; the
    change log tells what the two actions tell: the creation as found, then the transition,
    the steps and the evidence. Saves the moves' re-reading and updating of rows just written."""
    if not moves:
        return do_bulk_create_objects(problems, actor=actor, reason=reason, batch=batch)
    files_stored = {} if files_stored is None else files_stored
    _check_uploads(moves, files_stored)
    planning = _Planning(actor)
    with transaction.atomic():
        check_new_objects(problems, actor=actor)
        for move in moves:
            problem = move.problem
            ensure_allowed(actor, problem, Action.CHANGE)
            planning.plan(move, _found_state(problem))
        found = {id(p): _json(old) for p, old, _path, _m in planning.moved}
        refresh_after_commit(len(problems))
        now: dict[int, dict] = {}

        def created(p: Problem) -> Change:
            after = serialize(p)
            if id(p) in found:
                now[id(p)] = _workflow_state(after)
                after.update(found[id(p)])  # (as the creation wrote it: found, before its moves)
            return Change("create", p, after=after, reason=reason)

        # (logged as their ids come back, while the next problems are being written)
        batch = record_changes((created(p) for p in inserted(problems)), actor=actor, batch=batch)
        return record_changes(planning.write(files_stored, new=True, states=now), actor=actor, batch=batch)


def _found_state(problem: Problem) -> dict:
    return {"status": problem.status, "rectified_on": problem.rectified_on, "measures": problem.measures}


def _check_uploads(moves: Sequence[Move], files_stored: dict[int, tuple[EvidenceUpload, StoredFile]]) -> None:
    # Every file before anything is written, each once: an import hands the same upload
    # (its workbook) to every problem it reports rectified.
    for key, upload in {id(u): u for move in moves for u in move.evidence}.items():
        if key not in files_stored or files_stored[key][0] is not upload:
            check_upload(upload)


class _Planning:
    """The bulk moves' rules, one move at a time (plan), then their steps, evidence and
    change-log rows (write): shared by moving stored problems and creating moved ones."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.unit_side = role_kind(actor) == RoleKind.UNIT_REPORTER
        self.as_of: dict[int, dt.date] = {}
        # (problem, its workflow state before, the path taken, the move)
        self.moved: list[tuple[Problem, dict, list[Transition], Move]] = []

    def plan(self, move: Move, before: dict) -> dict:
        """Check the move from the state `before` and apply it to the problem; its state after."""
        problem = move.problem
        problem.status, problem.rectified_on, problem.measures = (
            before["status"], before["rectified_on"], before["measures"]
        )  # fmt: skip
        path = path_between(problem.status, move.target)
        step_input = StepInput(move.reason, move.measures, move.opinion, len(move.evidence), move.completed_on)
        try:
            if self.unit_side and any(RoleKind.UNIT_REPORTER not in t.roles for t in path):
                # A group or the office may relay a unit's report, but a unit does not
                # sign off, reject or dismiss its own problems, in a file or on a page.
                raise TransitionError({"status": _("Only the group signs off, rejects or dismisses a problem.")})
            if problem.campaign_id not in self.as_of:  # the campaign's day, asked once per call
                self.as_of[problem.campaign_id] = problem.campaign.as_of()
            for t in path:
                check_requirements(t, step_input, found_on=problem.found_on, as_of=self.as_of[problem.campaign_id])
        except TransitionError as error:
            raise TransitionError(naming(problem.number, error).error_dict) from error
        if path:
            _apply(problem, path, step_input)
            self.moved.append((problem, before, path, move))
        return _found_state(problem)

    def write(
        self,
        files_stored: dict[int, tuple[EvidenceUpload, StoredFile]],
        *,
        new: bool = False,
        states: Mapping[int, dict] | None = None,
    ) -> list[Change]:
        """The moved problems' steps (chained) and evidence written (their problems' rows
        are); the change-log rows of the moves, steps and evidence (`states`: the problems'
        workflow states as serialized already, by object id)."""
        states = states or {}
        steps: list[tuple[RectificationStep, Move, bool]] = []
        for problem, _before, path, move in self.moved:
            for t in path:
                step = RectificationStep(
                    problem=problem,
                    from_status=t.source,
                    to_status=t.target,
                    actor=self.actor,
                    acted_at=move.time_of(t.target),
                    reason=move.reason if t.needs_reason else "",
                    measures=move.measures if t.needs_measures else "",
                    opinion=move.opinion if t.needs_opinion else "",
                    completed_on=move.completed_on if t.needs_completion_date else None,
                )
                steps.append((step, move, t.needs_evidence))
        _chain_steps([s for s, *_ in steps], new=new)
        insert_objects([s for s, *_ in steps])
        pairs = [(s, m.evidence) for s, m, needs in steps if needs and m.evidence]
        files = _bulk_attach(pairs, self.actor, files_stored)
        return [
            *(
                Change(
                    "transition",
                    p,
                    before=_workflow_state(_json(old)),
                    after=states[id(p)] if id(p) in states else _workflow_state(serialize(p)),
                    reason=move.reason,
                )
                for p, old, _path, move in self.moved
            ),  # fmt: skip
            *(Change("create", s, after=serialize(s)) for s, *_ in steps),
            *(Change("create", f, after=serialize(f)) for f in files),
        ]


def _json(values: dict) -> dict:
    return {**values, "rectified_on": values["rectified_on"].isoformat() if values["rectified_on"] else None}


def _write_states(problems: Sequence[Problem], before: Mapping[int, str]) -> None:
    """The workflow fields of the moved problems: one prepared UPDATE by id, run for each
    (executemany; cheaper than bulk_update's CASE per row, and than an UPDATE per distinct
    status and date, of which an import's chunks have thousands). Measures differ per
    problem: bulk_update them where the path changed them (`before`: the stored measures
    by problem id)."""
    if problems:
        connection = connections[router.db_for_write(Problem)]
        ops, opts = connection.ops, Problem._meta
        status, rectified_on, updated_at = (
            cast(models.Field, opts.get_field(n)) for n in ("status", "rectified_on", "updated_at")
        )
        now = updated_at.get_db_prep_save(timezone.now(), connection)
        sql = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s".format(
            *(ops.quote_name(str(name)) for name in (opts.db_table, status.column, rectified_on.column,
                                                      updated_at.column, opts.pk.column))
        )  # fmt: skip
        params = [
            (status.get_db_prep_save(p.status, connection), rectified_on.get_db_prep_save(p.rectified_on, connection),
             now, p.pk)
            for p in problems
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    Problem.objects.bulk_update([p for p in problems if p.measures != before[p.pk]], ["measures"], batch_size=500)


def _bulk_attach(
    pairs: Sequence[tuple[RectificationStep, Sequence[EvidenceUpload]]],
    actor: Actor,
    stored: dict[int, tuple[EvidenceUpload, StoredFile]],
) -> list[Evidence]:
    rows = []
    for step, uploads in pairs:
        for upload in uploads:
            if id(upload) not in stored or stored[id(upload)][0] is not upload:  # shared uploads are stored once
                stored[id(upload)] = (upload, store_upload(upload, checked=True))  # (by _check_uploads)
            rows.append(evidence_row(step.problem, step, stored[id(upload)][1], actor))
    return list(insert_objects(rows))


# Who records which inspection: a unit inspects itself and samples its own projects
# (盟市、厅局抽查); verification (核查) is the group's; the office does all.
INSPECTION_ROLES = {
    InspectionKind.SELF: frozenset({RoleKind.UNIT_REPORTER, RoleKind.OFFICE}),
    InspectionKind.SAMPLE: frozenset({RoleKind.UNIT_REPORTER, RoleKind.GROUP_MEMBER, RoleKind.OFFICE}),
    InspectionKind.VERIFY: frozenset({RoleKind.GROUP_MEMBER, RoleKind.OFFICE}),
}


def inspection_kinds_allowed(project: Project, actor: Actor) -> list[str]:
    """The inspections this actor may record on this project now (the page's choices)."""
    if not allows(actor, project, Action.CHANGE):
        return []
    role = role_kind(actor)
    done = set(project.inspections.values_list("kind", flat=True))
    return [k for k, roles in INSPECTION_ROLES.items() if role in roles and k not in done]


def do_record_inspection(
    project: Project,
    kind: str,
    *,
    actor: Actor,
    inspected_on: dt.date | None = None,
    result: str = "",
    inspector: str = "",
    findings: str = "",
    sampling_seed: str = "",
) -> Inspection:
    """Record one inspection of a project; the project's flag for it follows (the
    only way the flag is set)."""
    with transaction.atomic():
        current = restrict(Project.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=project.pk)
        if role_kind(actor) not in INSPECTION_ROLES[InspectionKind(kind)]:
            raise AccessDenied(f"{actor} may not record a {kind} inspection")
        inspection = Inspection(
            project=current,
            kind=kind,
            inspected_on=inspected_on,
            result=result,
            inspector=inspector,
            findings=findings,
            sampling_seed=sampling_seed,
        )
        inspection.full_clean()
        inspection.save()
        record_changes([Change("create", inspection, after=serialize(inspection)), *_set_flags([inspection])],
                       actor=actor)  # fmt: skip
        return inspection


def do_bulk_record_inspections(inspections: Sequence[Inspection], *, actor: Actor, batch: str | None = None) -> str:
    """Inspections stated in bulk (an import, the demo), as one change-log batch; the
    projects' flags follow. Every rule of do_create_object holds (do_bulk_create_objects);
    as for bulk transitions, the role rule does not: an import states what was done."""
    if not inspections:
        return batch or ""
    with transaction.atomic():
        batch = do_bulk_create_objects(list(inspections), actor=actor, batch=batch)
        record_changes(_set_flags(inspections), actor=actor, batch=batch)
        return batch


def _set_flags(inspections: Sequence[Inspection]) -> list[Change]:
    """Set each project's flag for its new inspections, judged on the stored rows (locked),
    not the caller's copies, with the inspection's date (the day recorded when it has none)
    and the day the project entered the ledger moved back to it if earlier (ledger/as_of.py);
    one UPDATE per kind and date."""
    changes = []
    today = timezone.localdate()
    for kind, flag in _INSPECTION_FLAG.items():
        ids = sorted({i.project_id for i in inspections if i.kind == kind})
        unset: set[int] = set()
        for start in range(0, len(ids), 900):
            rows = Project.objects.select_for_update().filter(pk__in=ids[start : start + 900], **{flag: False})
            unset.update(rows.values_list("pk", flat=True))
        by_day: dict[dt.date, list[int]] = defaultdict(list)
        for i in inspections:
            if i.kind == kind and i.project_id in unset:
                by_day[i.inspected_on or today].append(i.project_id)
        for day, pks in by_day.items():
            for start in range(0, len(pks), 900):
                chunk = Project.objects.filter(pk__in=pks[start : start + 900])
                chunk.update(**{flag: True, f"{flag}_on": day}, updated_at=timezone.now())
                chunk.filter(entered_on__gt=day).update(entered_on=day)
        for i in inspections:
            if i.kind == kind:
                setattr(i.project, flag, True)
                if i.project_id in unset:
                    unset.discard(i.project_id)
                    changes.append(Change("update", i.project, before={flag: False}, after={flag: True}))
    return changes


# Who asks for an extension (the unit) and who decides (its group); the office does both.
EXTENSION_REQUESTERS = frozenset({RoleKind.UNIT_REPORTER, RoleKind.OFFICE})
EXTENSION_DECIDERS = frozenset({RoleKind.GROUP_MEMBER, RoleKind.OFFICE})


def may_request_extension(problem: Problem, actor: Actor) -> bool:
    """Role and scope allow asking for extensions of this problem (the page's forms ask this too)."""
    return role_kind(actor) in EXTENSION_REQUESTERS and allows(actor, problem, Action.CHANGE)


def may_decide_extension(problem: Problem, actor: Actor) -> bool:
    return role_kind(actor) in EXTENSION_DECIDERS and allows(actor, problem, Action.CHANGE)


def do_request_extension(problem: Problem, *, actor: Actor, new_deadline: dt.date, reason: str) -> DeadlineExtension:
    """The unit asks for a later deadline (延期), with a reason; the group decides."""
    with transaction.atomic():
        current = restrict(Problem.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=problem.pk)
        if not may_request_extension(current, actor):
            raise AccessDenied(f"{actor} may not request an extension")
        if current.status not in OPEN_STATUSES:
            raise ValidationError(_("Only an open problem can have its deadline extended."))
        if not reason.strip():
            raise ValidationError({"reason": _("A reason is required.")})
        if current.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
            raise ValidationError(_("An extension request is already waiting for a decision."))
        extension = DeadlineExtension(
            problem=current,
            old_deadline=current.deadline,
            new_deadline=new_deadline,
            reason=reason,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        extension.full_clean()
        extension.save()
        record_changes([Change("create", extension, after=serialize(extension), reason=reason)], actor=actor)
        return extension


def do_decide_extension(
    extension: DeadlineExtension, *, actor: Actor, grant: bool, note: str = "", if_version: str | None = None
) -> DeadlineExtension:
    """The group (or the office) grants or refuses a request; granting moves the deadline.
    `if_version`: the request's record_version the caller read (StaleRecord if changed)."""
    with transaction.atomic():
        current = (
            restrict(DeadlineExtension.objects.all(), actor, Action.CHANGE)
            .select_for_update()
            .select_related("problem")
            .get(pk=extension.pk)
        )
        if if_version is not None and record_version(current) != if_version:
            raise StaleRecord
        if not may_decide_extension(current.problem, actor):
            raise AccessDenied(f"{actor} may not decide an extension")
        if current.status != ExtensionStatus.REQUESTED:
            raise ValidationError(_("This extension request has been decided already."))
        if not grant and not note.strip():
            raise ValidationError({"decision_note": _("Say why the extension is refused.")})
        before = serialize(current)
        current.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        current.decided_by, current.decided_at, current.decision_note = actor, timezone.now(), note
        current.save()
        old, new = diff(before, serialize(current))
        changes = [Change("transition", current, before=old, after=new, reason=note)]
        if grant:
            problem = current.problem
            changes.append(
                Change("update", problem, before={"deadline": to_jsonable(problem.deadline)},
                       after={"deadline": to_jsonable(current.new_deadline)}, reason=current.reason)
            )  # fmt: skip
            problem.deadline = current.new_deadline
            problem.save(update_fields=["deadline", "updated_at"])
        record_changes(changes, actor=actor)
        return current
