"""What a past day's figures read, kept by the actions: each problem's steps chained in
time (superseded_at) and each project's inspection dates and the day it entered the
ledger; and the migrations' backfills give the same."""

import datetime as dt
import importlib

from django.apps import apps
from django.db import connection
from django.utils import timezone

from ducha.ledger.actions import do_bulk_transition_problems, do_record_inspection, do_transition_problem
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Project, RectificationStep
from ducha.testing import move

projects_backfill = importlib.import_module("ducha.ledger.migrations.0008_project_inspection_dates")
steps_backfill = importlib.import_module("ducha.ledger.migrations.0007_step_superseded_at")


def noon(month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2024, month, day, 12))


def chain(problem) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    steps = RectificationStep.objects.filter(problem=problem).order_by("acted_at", "pk")
    return [(s.to_status, s.acted_at, s.superseded_at) for s in steps]


def test_each_step_holds_until_the_next(small):
    hohhot = small.problems["hohhot"]
    do_bulk_transition_problems([move(hohhot, "rectified", when=noon(6, 5))], actor=small.system)  # two steps
    hohhot.refresh_from_db()
    do_transition_problem(hohhot, "rectifying", actor=small.users["group_a"], reason="整改不到位")
    steps = chain(hohhot)
    assert [s[0] for s in steps] == ["rectifying", "rectified", "rectifying"]
    assert steps[0][2] == steps[1][1] == noon(6, 5)  # one moment: the first holds for no time
    assert steps[1][2] == steps[2][1] and steps[2][2] is None


def test_a_step_stated_before_the_last_one_is_moved_up_to_it(small):
    hohhot = small.problems["hohhot"]
    do_transition_problem(hohhot, "rectifying", actor=small.users["league_a"], measures="重新招标")
    started = chain(hohhot)[0][1]
    hohhot.refresh_from_db()
    # An import states rectified on a completion day long before the page's step.
    do_bulk_transition_problems([move(hohhot, "rectified", when=noon(6, 20))], actor=small.system)
    (_, first, first_until), (_, second, second_until) = chain(hohhot)
    assert first_until == second == started and second_until is None


def test_a_reopening_continues_the_chain(small):
    xincheng = small.problems["xincheng"]
    do_bulk_transition_problems([move(xincheng, "signed_off", when=noon(6, 10))], actor=small.system)
    xincheng.refresh_from_db()
    do_transition_problem(xincheng, "rectifying", actor=small.users["group_a"], reason="回头看发现", look_back=True)
    steps = chain(xincheng)
    assert [s[0] for s in steps][-2:] == ["signed_off", "rectifying"]
    assert [s[2] is None for s in steps] == [False, False, False, True]


def test_an_inspection_keeps_its_date_and_moves_the_day_entered_back(small):
    project = small.projects["fgw"]  # entered today, self-inspected on 2024-05-20 (testing.py)
    assert (project.entered_on, project.self_inspected_on) == (dt.date(2024, 5, 20), dt.date(2024, 5, 20))
    do_record_inspection(project, InspectionKind.SAMPLE, actor=small.system, inspected_on=dt.date(2024, 5, 2))
    do_record_inspection(project, InspectionKind.VERIFY, actor=small.system)
    project.refresh_from_db()
    assert (project.sampled_on, project.entered_on) == (dt.date(2024, 5, 2), dt.date(2024, 5, 2))
    assert project.verified_on == timezone.localdate()  # undated: the day it was recorded


def test_the_backfills_give_what_the_actions_keep(small):
    do_bulk_transition_problems(
        [move(small.problems["hohhot"], "signed_off"), move(small.problems["fgw"], "rectifying")], actor=small.system
    )
    do_record_inspection(small.projects["fgw"], InspectionKind.SAMPLE, actor=small.system)
    fields = ("entered_on", "self_inspected_on", "sampled_on", "verified_on")
    kept_projects = list(Project.objects.order_by("pk").values_list("pk", *fields))
    kept_steps = list(RectificationStep.objects.order_by("pk").values_list("pk", "superseded_at"))

    RectificationStep.objects.update(superseded_at=None)
    Project.objects.update(entered_on=timezone.localdate(), self_inspected_on=None, sampled_on=None, verified_on=None)
    with connection.cursor() as cursor:
        cursor.execute(steps_backfill.BACKFILL)
    projects_backfill.backfill(apps, None)

    assert list(RectificationStep.objects.order_by("pk").values_list("pk", "superseded_at")) == kept_steps
    assert list(Project.objects.order_by("pk").values_list("pk", *fields)) == kept_projects
