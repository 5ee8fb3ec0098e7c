"""The derived state the actions keep beside the rows it comes from, recomputed from
those rows: `ducha check_derived` reports any difference (there should be none; a
difference means something wrote around the actions).

- a problem's status is its last step's (found with none), its steps chained in time
  (`RectificationStep.superseded_at`: the next step's time, none for the last);
- a project's flags and dates are its inspections' (`self_inspected` … and
  `self_inspected_on` …), and it entered the ledger no later than its first inspection.
"""

import datetime as dt
from collections.abc import Iterator

from ducha.ledger.choices import InspectionKind, ProblemStatus
from ducha.ledger.models import Inspection, Problem, Project, RectificationStep

FLAGS = {InspectionKind.SELF: "self_inspected", InspectionKind.SAMPLE: "sampled", InspectionKind.VERIFY: "verified"}


def differences() -> Iterator[str]:
    yield from _step_differences()
    yield from _project_differences()


def _step_differences() -> Iterator[str]:
    last: dict[int, str] = {}
    previous = None
    steps = RectificationStep.objects.order_by("problem_id", "acted_at", "pk")
    for step in steps.values_list("pk", "problem_id", "acted_at", "superseded_at", "to_status").iterator(10000):
        if previous is not None:
            pk, problem_id, _at, superseded_at, _to = previous
            next_at = step[2] if step[1] == problem_id else None
            if superseded_at != next_at:
                yield f"step #{pk} of problem #{problem_id}: superseded_at {superseded_at}, its next step {next_at}"
        last[step[1]] = step[4]
        previous = step
    if previous is not None and previous[3] is not None:
        yield f"step #{previous[0]} of problem #{previous[1]}: superseded_at {previous[3]}, but it is the last"
    for pk, status in Problem.objects.values_list("pk", "status").iterator(10000):
        expected = last.get(pk, ProblemStatus.FOUND)
        if status != expected:
            yield f"problem #{pk}: status {status}, its steps say {expected}"


def _project_differences() -> Iterator[str]:
    inspected: dict[int, dict[str, dt.date | None]] = {}
    for project_id, kind, day in Inspection.objects.values_list("project_id", "kind", "inspected_on").iterator(10000):
        inspected.setdefault(project_id, {})[kind] = day
    fields = ["pk", "entered_on", *FLAGS.values(), *(f"{flag}_on" for flag in FLAGS.values())]
    for row in Project.objects.values(*fields).iterator(10000):
        kinds = inspected.get(row["pk"], {})
        for kind, flag in FLAGS.items():
            if row[flag] != (kind in kinds):
                yield f"project #{row['pk']}: {flag} {row[flag]}, its inspections say {kind in kinds}"
            day = kinds.get(kind)
            # (an undated inspection keeps the day it was recorded, which only the project holds)
            if kind in kinds and day is not None and row[f"{flag}_on"] != day:
                yield f"project #{row['pk']}: {flag}_on {row[f'{flag}_on']}, its inspection is dated {day}"
            if kind not in kinds and row[f"{flag}_on"] is not None:
                yield f"project #{row['pk']}: {flag}_on {row[f'{flag}_on']} without an inspection"
        dates = [row[f"{flag}_on"] for flag in FLAGS.values() if row[f"{flag}_on"] is not None]
        if dates and row["entered_on"] > min(dates):
            yield f"project #{row['pk']}: entered on {row['entered_on']}, after its inspection of {min(dates)}"
