"""insert_objects: Django's checks on an object's links before it is written hold (what
bulk_create runs first), also where the fast test of settled links lets most objects by."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from ducha.core.inserts import insert_objects
from ducha.ledger.models import Problem, Project, RectificationStep


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


def test_the_rows_read_back_as_bulk_create_writes_them(small):
    """Every kind of value (text with quotes, commas and braces, none, dates, amounts,
    flags, links) written by insert_objects (UNNEST on PostgreSQL) reads back as the same
    objects written by Django's bulk_create."""
    template = Project.objects.get(pk=small.projects["hohhot"].pk)
    texts = ["引号\"和'逗号,括号{}", "", "NULL", "  空格 ", "\\反斜杠"]

    def copies(prefix: str) -> list[Project]:
        made = []
        for i, text in enumerate(texts):
            obj = Project.objects.get(pk=template.pk)
            obj.pk, obj.number, obj.remarks, obj.agency = None, f"{prefix}-{i}", text, text
            obj.amount = None if i % 2 else Decimal("1234567.89")
            obj.trade_date = None if i % 2 else dt.date(2024, 2, 29)
            obj.self_inspected_on = obj.trade_date
            obj.self_inspected = not i % 2
            made.append(obj)
        return made

    with transaction.atomic():
        fast = insert_objects(copies("fast"))
        slow = Project.objects.bulk_create(copies("slow"))
    made = ("id", "number", "created_at", "updated_at")  # (and the times they were written)
    fields = [f.attname for f in Project._meta.concrete_fields if f.attname not in made]
    read = {p.number: p for p in Project.objects.filter(pk__in=[o.pk for o in fast + slow])}
    for i in range(len(texts)):
        a, b = read[f"fast-{i}"], read[f"slow-{i}"]
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
        assert a.remarks == texts[i]
