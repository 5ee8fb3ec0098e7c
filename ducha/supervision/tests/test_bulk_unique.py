"""Uniqueness in a bulk create: an empty one-to-one link clashes with nothing (NULLs are
distinct, as in the database); the same link twice is refused, naming the record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ducha.core.actions import do_bulk_create_objects
from ducha.supervision.models import Complaint

DAY = dt.date(2024, 6, 3)


def complaint(sc, number: str, **more) -> Complaint:
    return Complaint(campaign=sc.campaign, number=number, source="hotline", received_on=DAY, summary="举报",
                     group=sc.groups["A"], unit=sc.units["150100"], **more)  # fmt: skip


def test_complaints_without_a_problem_go_in_together(small):
    do_bulk_create_objects([complaint(small, "JB-1"), complaint(small, "JB-2")], actor=small.system)
    assert Complaint.objects.filter(problem=None).count() == 2


def test_two_complaints_made_the_same_problem_are_refused(small):
    problem = small.problems["hohhot"]
    with pytest.raises(ValidationError) as error:
        do_bulk_create_objects(
            [complaint(small, "JB-1", problem=problem), complaint(small, "JB-2", problem=problem)], actor=small.system
        )
    assert "JB-2" in " ".join(error.value.messages)
    assert not Complaint.objects.exists()
