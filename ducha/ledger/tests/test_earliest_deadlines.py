"""The open problems with the earliest deadlines, as the dashboards list them."""

import datetime as dt

from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.models import Problem
from ducha.ledger.models.problems import earliest_deadlines
from ducha.testing import move


def test_open_problems_by_deadline_across_statuses_those_without_one_last(small):
    office = small.users["office"]
    deadlines = {"hohhot": dt.date(2024, 7, 9), "xincheng": None, "fgw": dt.date(2024, 7, 3),
                 "baotou": dt.date(2024, 7, 5), "czt": dt.date(2024, 7, 1)}  # fmt: skip
    for key, deadline in deadlines.items():
        Problem.objects.filter(pk=small.problems[key].pk).update(deadline=deadline)
    problems = {k: Problem.objects.get(pk=p.pk) for k, p in small.problems.items()}
    # fgw rectifying, czt signed off (no longer open): only the open ones count, whatever their status.
    do_bulk_transition_problems(
        [move(problems["fgw"], "rectifying"), move(problems["czt"], "signed_off")], actor=office
    )

    listed = earliest_deadlines(Problem.objects.filter(campaign=small.campaign), 10)
    assert [p.number for p in listed] == ["Q-fgw", "Q-baotou", "Q-hohhot", "Q-xincheng"]
    assert [p.number for p in earliest_deadlines(Problem.objects.filter(campaign=small.campaign), 2)] == [
        "Q-fgw",
        "Q-baotou",
    ]
