"""insert_objects: Django's checks on an object's links before it is written hold (what
bulk_create runs first), also where the fast test of settled links lets most objects by."""

import pytest
from django.db import transaction
from django.utils import timezone

from ducha.core.inserts import insert_objects
from ducha.ledger.models import Problem, RectificationStep


def _step(problem: Problem) -> RectificationStep:
    return RectificationStep(problem=problem, from_status="found", to_status="rectifying", acted_at=timezone.now())


def test_a_link_to_an_unsaved_record_is_refused(small):
    with pytest.raises(ValueError), transaction.atomic():
        insert_objects([_step(Problem(number="unsaved"))])


def test_a_record_saved_after_it_was_linked_gives_its_id(small):
    problem = Problem.objects.get(pk=small.problems["hohhot"].pk)
    pk, problem.pk = problem.pk, None
    step = _step(problem)  # linked while unsaved: no id in the link's column
    problem.pk = pk  # then saved
    with transaction.atomic():
        insert_objects([_step(small.problems["hohhot"]), step])
    assert step.problem_id == pk
    assert RectificationStep.objects.get(pk=step.pk).problem_id == pk


def test_a_link_whose_id_changed_is_written_with_the_id(small):
    step = _step(small.problems["hohhot"])
    other = Problem.objects.exclude(pk=step.problem_id).first()
    assert other is not None
    step.__dict__["problem_id"] = other.pk  # (the column's id changed behind the held record)
    with transaction.atomic():
        insert_objects([step])
    assert RectificationStep.objects.get(pk=step.pk).problem_id == other.pk
    assert step.problem == other  # the stale record dropped from the link's cache
