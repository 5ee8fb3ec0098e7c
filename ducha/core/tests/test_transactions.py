"""Actions in real transactions: without the test's wrapping transaction, each action's own
transaction is the outermost one. These tests commit, so they build their campaign
committed (`small_committed`) and live apart from the modules that share one campaign."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from ducha.core.actions import do_bulk_create_objects, do_create_object, do_delete_object, do_update_object
from ducha.core.changelog import Change, record_changes
from ducha.core.models import ChangeLogEntry
from ducha.core.tests.test_changelog import (
    COMPLETED,
    assert_chain_intact,
    assert_fails_cleanly,
    head_seq,
    pdf,
    project_data,
    rows_since,
    start,
)
from ducha.ledger.actions import (
    do_attach_evidence,
    do_bulk_transition_problems,
    do_record_inspection,
    do_transition_problem,
)
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Project, RectificationStep
from ducha.testing import move


@pytest.fixture
def small(small_committed):
    return small_committed


def test_record_changes_refuses_to_run_outside_a_transaction(transactional_db):
    from ducha.org.actions import system_actor

    actor = system_actor()
    logged = ChangeLogEntry.objects.count()  # the system actor logs its own creation
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        record_changes([Change("create", actor, after={"username": actor.username})], actor=actor)
    assert ChangeLogEntry.objects.count() == logged


def test_failed_action_in_a_real_transaction_commits_nothing(transactional_db, small):
    """Without the test's wrapping transaction: the action's own transaction is the outer one."""
    assert not transaction.get_connection().in_atomic_block
    problem = start(small)
    fake = EvidenceUpload("整改报告.pdf", b"not a pdf")
    assert_fails_cleanly(
        ValidationError,
        lambda: do_transition_problem(
            problem, "rectified", actor=small.users["league_a"], evidence=[fake], completed_on=COMPLETED
        ),
        problem,
    )
    assert not RectificationStep.objects.filter(to_status="rectified").exists()


def test_every_action_opens_its_own_transaction(transactional_db, small):
    """Outside a test transaction record_changes refuses to write, so each action must bring its own."""
    assert not transaction.get_connection().in_atomic_block
    office, league_a = small.users["office"], small.users["league_a"]
    seq = head_seq()
    project = do_create_object(Project, actor=office, data=project_data(small, "T-1"))
    do_bulk_create_objects([Project(**project_data(small, "T-2"))], actor=office)
    do_update_object(project, actor=office, changes={"name": "改"})
    do_record_inspection(project, "sample", actor=office)
    do_delete_object(project, actor=office)
    problem = start(small)
    do_attach_evidence(problem, actor=league_a, uploads=[pdf()])
    do_transition_problem(problem, "rectified", actor=league_a, evidence=[pdf()], completed_on=COMPLETED)
    when = dt.datetime(2024, 6, 25, tzinfo=dt.UTC)
    do_bulk_transition_problems([move(small.problems["fgw"], "rectifying", when=when)], actor=office)
    actions = [r.action for r in rows_since(seq)]
    assert actions.count("delete") == 2  # the project and its inspection
    assert actions.count("transition") == 3
    assert_chain_intact()
