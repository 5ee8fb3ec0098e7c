"""The change log: one chained row per state change, written in the action's transaction.

Every test runs the real actions against the real database and reads back the rows
they wrote; nothing is mocked.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ducha.core.access import AccessDenied
from ducha.core.actions import do_bulk_create_objects, do_create_object, do_delete_object, do_update_object
from ducha.core.changelog import GENESIS_HASH, Change, entry_hash, record_changes, serialize, verify_chain
from ducha.core.models import AppendOnlyError, ChangeLogEntry, ChangeLogHead
from ducha.ledger.actions import (
    Move,
    do_attach_evidence,
    do_bulk_transition_problems,
    do_create_problem,
    do_record_inspection,
    do_transition_problem,
)
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Evidence, Inspection, Problem, Project, RectificationStep
from ducha.ledger.rectification import TransitionError
from ducha.ledger.tests.files import PDF, PNG
from ducha.org.models import Domain
from ducha.testing import move

COMPLETED = dt.date(2024, 6, 20)
MEASURES = "完善评标专家抽取制度，约谈责任人"
OPINION = "经核查，整改到位，同意销号"


# --- helpers -------------------------------------------------------------------------


def head_seq() -> int:
    head = ChangeLogHead.objects.filter(pk=1).first()
    return head.last_seq if head else 0


def rows_since(seq: int) -> list[ChangeLogEntry]:
    return list(ChangeLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def log_state() -> tuple[int, int, str]:
    """Everything that must stay put when an action fails."""
    head = ChangeLogHead.objects.get(pk=1)
    return ChangeLogEntry.objects.count(), head.last_seq, head.last_hash


def assert_chain_intact() -> None:
    result = verify_chain()
    assert result.ok, result.problem
    assert result.checked == ChangeLogEntry.objects.count() == head_seq()


def pdf(name: str = "整改报告.pdf") -> EvidenceUpload:
    return EvidenceUpload(name, PDF)


def project_data(small, number: str, unit: str = "150100", **extra) -> dict:
    return {
        "campaign": small.campaign,
        "unit": small.units[unit],
        "domain": Domain.objects.get(code="engineering"),
        "number": number,
        "name": f"项目 {number}",
        "tenderer": "某某局",
        "amount": Decimal("880000.50"),
        "trade_date": dt.date(2023, 9, 1),
        **extra,
    }


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def start(small, key: str = "hohhot") -> Problem:
    return do_transition_problem(small.problems[key], "rectifying", actor=small.users["league_a"], measures=MEASURES)


def assert_row(row: ChangeLogEntry, *, action: str, obj, actor, reason: str = "") -> None:
    assert row.action == action
    assert row.object_type == obj._meta.label_lower
    assert row.object_id == str(obj.pk)
    assert row.actor_id == actor.pk
    assert row.actor_name == actor.username
    assert row.reason == reason


# --- the chain -----------------------------------------------------------------------


def test_fixture_log_is_a_gapless_chain_from_genesis(small):
    rows = list(ChangeLogEntry.objects.order_by("seq"))
    assert len(rows) > 100  # reference data, campaign, roles, projects, problems
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS_HASH
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.hash
    assert all(entry_hash(r) == r.hash for r in rows)
    head = ChangeLogHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (rows[-1].seq, rows[-1].hash)
    assert_chain_intact()


def test_hash_covers_every_recorded_field(small):
    row = ChangeLogEntry.objects.filter(action="create").last()
    original = entry_hash(row)
    for field, value in [
        ("seq", row.seq + 1),
        ("time", row.time + dt.timedelta(microseconds=1)),
        ("batch", "another-batch"),
        ("actor_id", (row.actor_id or 0) + 1),
        ("actor_name", "mallory"),
        ("action", "delete"),
        ("object_type", "org.unit"),
        ("object_id", row.object_id + "0"),
        ("object_repr", "forged"),
        ("before", {"x": 1}),
        ("after", {**row.after, "name": "forged"}),
        ("reason", "forged"),
        ("prev_hash", "f" * 64),
    ]:
        saved = getattr(row, field)
        setattr(row, field, value)
        assert entry_hash(row) != original, field
        setattr(row, field, saved)
    assert entry_hash(row) == original


def test_the_hash_is_sha256_of_the_rows_canonical_json(small):
    """The definition the chain was written with: rows hashed before (and by other tools)
    verify, whatever way record_changes builds the text."""
    import hashlib
    import json

    rows = list(ChangeLogEntry.objects.order_by("seq"))
    rows[-1].object_repr, rows[-1].reason = '引号"与\\反斜杠\n换行 ＡＢＣ', "理由 \u2028"
    rows[-1].before = {"z": None, "a": [1, "二", {"y": 1.5, "x": True}], "中": "文"}
    for row in rows:
        content = {
            "seq": row.seq, "time": row.time.astimezone(dt.UTC).isoformat(), "batch": row.batch,
            "actor_id": row.actor_id, "actor_name": row.actor_name, "action": row.action,
            "object_type": row.object_type, "object_id": row.object_id, "object_repr": row.object_repr,
            "before": row.before, "after": row.after, "reason": row.reason, "prev_hash": row.prev_hash,
        }  # fmt: skip
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert entry_hash(row) == hashlib.sha256(canonical.encode()).hexdigest()


def test_rows_without_a_user_are_logged_as_system(small):
    seq = head_seq()
    with transaction.atomic():
        record_changes([Change("update", small.campaign, before={"a": 1}, after={"a": 2})], actor=None)
    [row] = rows_since(seq)
    assert (row.actor_id, row.actor_name) == (None, "system")
    assert_chain_intact()


# --- one row per change, for every action ----------------------------------------------


def test_create_object_logs_actor_time_object_and_all_values(small):
    office, seq = small.users["office"], head_seq()
    t0 = timezone.now()
    project = do_create_object(Project, actor=office, data=project_data(small, "N-1"), reason="补录")
    t1 = timezone.now()

    [row] = rows_since(seq)
    assert_row(row, action="create", obj=project, actor=office, reason="补录")
    assert t0 <= row.time <= t1
    assert row.before is None
    assert row.after == serialize(fresh(project))
    assert row.after["amount"] == "880000.50"
    assert row.after["trade_date"] == "2023-09-01"
    assert row.after["unit_id"] == small.units["150100"].pk
    assert row.object_repr == str(project)
    assert_chain_intact()


def test_create_problem_logs_it_as_found(small):
    seq, league_a = head_seq(), small.users["league_a"]
    project = small.projects["hohhot"]
    problem = do_create_problem(
        actor=league_a,
        data={
            "campaign": small.campaign,
            "unit": project.unit,
            "project": project,
            "number": "Q-new",
            "description": "评标专家抽取不规范",
            "discovery_method": "self",
            "found_on": dt.date(2024, 6, 3),
        },
        reason="自查发现",
    )
    [row] = rows_since(seq)
    assert_row(row, action="create", obj=problem, actor=league_a, reason="自查发现")
    assert row.after["status"] == "found"
    assert row.after["description"] == "评标专家抽取不规范"
    assert row.after["domain_id"] == project.domain_id
    assert_chain_intact()


def test_update_object_logs_only_the_changed_fields_and_the_reason(small):
    league_a, project = small.users["league_a"], small.projects["hohhot"]
    old = fresh(project)
    seq = head_seq()
    updated = do_update_object(
        project,
        actor=league_a,
        changes={"name": "新名称", "amount": Decimal("2000000"), "tenderer": old.tenderer},
        reason="台账更正",
    )

    [row] = rows_since(seq)
    assert_row(row, action="update", obj=project, actor=league_a, reason="台账更正")
    # tenderer was set but did not change; the timestamps Django keeps are nobody's change
    assert set(row.after) == set(row.before) == {"name", "amount"}
    assert row.before == {"name": old.name, "amount": "1250000.00"}
    assert row.after == {"name": "新名称", "amount": "2000000.00"}
    assert fresh(project).updated_at > old.updated_at  # the row was saved all the same
    assert fresh(project).name == updated.name == "新名称"
    assert_chain_intact()


def test_update_that_changes_nothing_writes_no_row(small):
    office, project = small.users["office"], small.projects["hohhot"]
    old, log = fresh(project), log_state()

    do_update_object(project, actor=office, changes={"name": old.name, "amount": old.amount}, reason="无变化")

    assert log_state() == log
    assert serialize(fresh(project)) == serialize(old)  # not even updated_at moved
    assert_chain_intact()


def test_update_object_logs_a_foreign_key_change_as_ids(small):
    office, project = small.users["office"], small.projects["hohhot"]
    seq = head_seq()
    do_update_object(project, actor=office, changes={"county": small.units["150102"]}, reason="归属旗县")
    [row] = rows_since(seq)
    assert row.before["county_id"] is None
    assert row.after["county_id"] == small.units["150102"].pk
    assert "county" not in row.after
    assert_chain_intact()


def test_delete_object_logs_the_full_values_it_removed(small):
    office = small.users["office"]
    project = do_create_object(Project, actor=office, data=project_data(small, "N-del"))
    stored = serialize(fresh(project))
    pk, seq = project.pk, head_seq()

    do_delete_object(project, actor=office, reason="重复录入")

    [row] = rows_since(seq)
    assert_row(row, action="delete", obj=project, actor=office, reason="重复录入")
    assert row.object_id == str(pk)
    assert row.before == stored
    assert row.after is None
    assert not Project.objects.filter(pk=pk).exists()
    assert_chain_intact()


def test_delete_logs_the_rows_it_cascades_to(small):
    """Deleting a project also deletes its inspections: their disappearance is logged too."""
    office = small.users["office"]
    project = do_create_object(Project, actor=office, data=project_data(small, "N-cascade"))
    inspection = do_record_inspection(project, "sample", actor=office, sampling_seed="7")
    seq = head_seq()

    do_delete_object(project, actor=office, reason="重复录入")

    rows = rows_since(seq)
    assert not Inspection.objects.filter(pk=inspection.pk).exists()
    assert [(r.action, r.object_type, r.object_id) for r in rows] == [
        ("delete", "ledger.project", str(project.pk)),
        ("delete", "ledger.inspection", str(inspection.pk)),
    ]
    assert rows[1].before["sampling_seed"] == "7"
    assert {r.batch for r in rows} == {rows[0].batch}
    assert_chain_intact()


def test_bulk_create_logs_one_row_per_object_in_one_batch(small):
    office, seq = small.users["office"], head_seq()
    objs = [Project(**project_data(small, f"B-{i}", unit="150200")) for i in range(3)]

    batch = do_bulk_create_objects(objs, actor=office, reason="导入台账")

    rows = rows_since(seq)
    created = list(Project.objects.filter(number__startswith="B-").order_by("number"))
    assert len(rows) == len(created) == 3
    for row, project in zip(rows, created, strict=True):
        assert_row(row, action="create", obj=project, actor=office, reason="导入台账")
        assert row.batch == batch
        assert row.after == serialize(project)
    assert len({r.time for r in rows}) == 1
    assert_chain_intact()


def test_transition_logs_the_status_change_and_the_step(small):
    league_a, problem = small.users["league_a"], small.problems["hohhot"]
    seq = head_seq()

    do_transition_problem(problem, "rectifying", actor=league_a, reason="开始整改", measures=MEASURES)

    step = RectificationStep.objects.get(problem=problem)
    transition, step_row = rows_since(seq)
    assert_row(transition, action="transition", obj=problem, actor=league_a, reason="开始整改")
    assert transition.before == {"status": "found", "rectified_on": None, "measures": ""}
    assert transition.after == {"status": "rectifying", "rectified_on": None, "measures": MEASURES}
    assert fresh(problem).measures == MEASURES
    assert_row(step_row, action="create", obj=step, actor=league_a)
    assert step_row.after == serialize(step)
    assert step_row.after["from_status"] == "found"
    assert step_row.after["to_status"] == "rectifying"
    assert step_row.after["measures"] == MEASURES
    assert step_row.after["actor_id"] == league_a.pk
    assert transition.batch == step_row.batch
    assert_chain_intact()


def test_transition_with_evidence_logs_each_file(small):
    league_a = small.users["league_a"]
    problem = start(small)
    seq = head_seq()

    do_transition_problem(
        problem,
        "rectified",
        actor=league_a,
        reason="已完成整改",
        evidence=[pdf("整改报告.pdf"), EvidenceUpload("现场照片.png", PNG)],
        completed_on=COMPLETED,
    )

    step = RectificationStep.objects.get(problem=problem, to_status="rectified")
    files = list(Evidence.objects.filter(step=step).order_by("pk"))
    transition, step_row, *file_rows = rows_since(seq)
    assert_row(transition, action="transition", obj=problem, actor=league_a, reason="已完成整改")
    assert transition.before == {"status": "rectifying", "rectified_on": None, "measures": MEASURES}
    assert transition.after == {"status": "rectified", "rectified_on": "2024-06-20", "measures": MEASURES}
    assert_row(step_row, action="create", obj=step, actor=league_a)
    assert step_row.after["completed_on"] == "2024-06-20"
    assert len(file_rows) == len(files) == 2
    for row, evidence in zip(file_rows, files, strict=True):
        assert_row(row, action="create", obj=evidence, actor=league_a)
        assert row.after == serialize(evidence)
        assert row.after["step_id"] == step.pk
    assert file_rows[0].after["original_name"] == "整改报告.pdf"
    assert file_rows[0].after["size"] == len(PDF)
    assert len(file_rows[0].after["sha256"]) == 64
    assert_chain_intact()


@pytest.mark.parametrize(
    ("steps", "reason", "opinion", "rectified_on"),
    [
        ([("rectified", "league_a"), ("signed_off", "group_a")], "", OPINION, "2024-06-20"),
        ([("rectified", "league_a"), ("rectifying", "group_a")], "证据不足，退回重改", "", None),
        ([("dismissed", "group_a")], "经核实不属实", "", None),
    ],
    ids=["sign_off", "reject", "dismiss"],
)
def test_group_decisions_are_logged_with_their_reason(small, steps, reason, opinion, rectified_on):
    problem = start(small)
    *earlier, (target, who) = steps
    for status, user in earlier:
        do_transition_problem(problem, status, actor=small.users[user], evidence=[pdf()], completed_on=COMPLETED)
    before, actor, seq = fresh(problem), small.users[who], head_seq()

    do_transition_problem(problem, target, actor=actor, reason=reason, opinion=opinion)

    transition, step_row = rows_since(seq)
    assert_row(transition, action="transition", obj=problem, actor=actor, reason=reason)
    assert transition.before == {
        "status": before.status,
        "rectified_on": before.rectified_on and before.rectified_on.isoformat(),
        "measures": MEASURES,
    }
    assert transition.after == {"status": target, "rectified_on": rectified_on, "measures": MEASURES}
    assert fresh(problem).status == target
    assert_row(step_row, action="create", obj=RectificationStep.objects.filter(problem=problem).last(), actor=actor)
    assert step_row.after["reason"] == reason
    assert step_row.after["opinion"] == opinion
    assert_chain_intact()


def test_bulk_transition_logs_every_problem_and_every_step(small):
    office = small.users["office"]
    signed, dismissed = small.problems["hohhot"], small.problems["fgw"]
    when = dt.datetime(2024, 6, 25, 10, 0, tzinfo=dt.UTC)
    seq = head_seq()

    batch = do_bulk_transition_problems(
        [
            Move(
                signed,
                "signed_off",
                when,
                COMPLETED,
                reason="导入：台账状态",
                measures=MEASURES,
                opinion=OPINION,
                evidence=[pdf("整改报告.pdf")],
            ),
            Move(dismissed, "dismissed", when, reason="导入：经核实不属实"),
        ],
        actor=office,
    )

    rows = rows_since(seq)
    assert {r.batch for r in rows} == {batch}
    assert all(r.actor_id == office.pk and r.actor_name == "office" for r in rows)
    transitions = [r for r in rows if r.action == "transition"]
    assert [(r.object_id, r.before, r.after, r.reason) for r in transitions] == [
        (
            str(signed.pk),
            {"status": "found", "rectified_on": None, "measures": ""},
            {"status": "signed_off", "rectified_on": "2024-06-20", "measures": MEASURES},
            "导入：台账状态",
        ),
        (
            str(dismissed.pk),
            {"status": "found", "rectified_on": None, "measures": ""},
            {"status": "dismissed", "rectified_on": None, "measures": ""},
            "导入：经核实不属实",
        ),
    ]
    steps = [r for r in rows if r.action == "create" and r.object_type == "ledger.rectificationstep"]
    assert sorted(int(r.object_id) for r in steps) == sorted(
        RectificationStep.objects.filter(problem__in=[signed, dismissed]).values_list("pk", flat=True)
    )
    assert [
        (r.after["from_status"], r.after["to_status"], r.after["measures"], r.after["opinion"], r.after["reason"])
        for r in steps
    ] == [
        ("found", "rectifying", MEASURES, "", ""),
        ("rectifying", "rectified", "", "", ""),
        ("rectified", "signed_off", "", OPINION, ""),
        ("found", "dismissed", "", "", "导入：经核实不属实"),
    ]
    assert steps[1].after["completed_on"] == "2024-06-20"
    assert all(r.after["acted_at"] == when.isoformat() for r in steps)
    [file_row] = [r for r in rows if r.object_type == "ledger.evidence"]
    assert file_row.action == "create"
    assert file_row.after == serialize(Evidence.objects.get(problem=signed))
    assert file_row.after["step_id"] == int(steps[1].object_id)  # the file belongs to the step that needs it
    assert file_row.after["original_name"] == "整改报告.pdf"
    assert len(rows) == 7
    assert (fresh(signed).status, fresh(dismissed).status) == ("signed_off", "dismissed")
    assert_chain_intact()


def test_record_inspection_logs_the_inspection_and_the_project_flag(small):
    group_a, project = small.users["group_a"], small.projects["hohhot"]
    seq = head_seq()

    inspection = do_record_inspection(
        project, "sample", actor=group_a, inspected_on=dt.date(2024, 7, 2), inspector="张三", sampling_seed="42"
    )

    created, flagged = rows_since(seq)
    assert_row(created, action="create", obj=inspection, actor=group_a)
    assert created.after == serialize(inspection)
    assert created.after["kind"] == "sample"
    assert created.after["sampling_seed"] == "42"
    assert_row(flagged, action="update", obj=project, actor=group_a)
    assert (flagged.before, flagged.after) == ({"sampled": False}, {"sampled": True})
    assert fresh(project).sampled is True
    assert_chain_intact()


def test_record_inspection_logs_the_flag_as_it_was(small):
    """The fixture's projects are self-inspected through a recorded self-inspection: the
    log tells that flag's story once, False to True, and a second self-inspection is
    refused without a row claiming the flag changed again."""
    office, project = small.users["office"], small.projects["hohhot"]
    assert fresh(project).self_inspected is True
    flag_rows = ChangeLogEntry.objects.filter(
        action="update", object_type="ledger.project", object_id=str(project.pk), after__has_key="self_inspected"
    )
    [flagged] = flag_rows
    assert (flagged.before, flagged.after) == ({"self_inspected": False}, {"self_inspected": True})
    [inspection] = Inspection.objects.filter(project=project, kind="self")
    [created] = ChangeLogEntry.objects.filter(
        action="create", object_type="ledger.inspection", object_id=str(inspection.pk)
    )
    assert created.batch == flagged.batch and created.seq == flagged.seq - 1

    assert_fails_cleanly(ValidationError, lambda: do_record_inspection(project, "self", actor=office), project)
    assert list(flag_rows) == [flagged]
    assert_chain_intact()


def test_attach_evidence_logs_each_file(small):
    league_a, problem = small.users["league_a"], small.problems["hohhot"]
    seq = head_seq()

    files = do_attach_evidence(problem, actor=league_a, uploads=[pdf("合同.pdf"), EvidenceUpload("照片.png", PNG)])

    rows = rows_since(seq)
    assert len(rows) == len(files) == 2
    for row, evidence in zip(rows, files, strict=True):
        assert_row(row, action="create", obj=evidence, actor=league_a)
        assert row.after == serialize(fresh(evidence))
        assert row.after["problem_id"] == problem.pk
        assert row.after["step_id"] is None
    assert [r.after["original_name"] for r in rows] == ["合同.pdf", "照片.png"]
    assert_chain_intact()


# --- a failed action changes neither the data nor the log --------------------------------


def assert_fails_cleanly(exc, action, *watched, match: str | None = None) -> None:
    """`action()` raises `exc`; the log and every watched object are as they were."""
    log, objects = log_state(), [serialize(fresh(o)) for o in watched]
    counts = {m: m.objects.count() for m in (Project, Problem, RectificationStep, Evidence, Inspection)}
    with pytest.raises(exc, match=match):
        action()
    assert log_state() == log
    assert [serialize(fresh(o)) for o in watched] == objects
    assert {m: m.objects.count() for m in counts} == counts
    assert_chain_intact()


def test_invalid_update_changes_nothing(small):
    project = small.projects["hohhot"]
    assert_fails_cleanly(
        ValidationError,
        lambda: do_update_object(project, actor=small.users["office"], changes={"winner_uscc": "not-a-code"}),
        project,
    )


@pytest.mark.parametrize(("flag", "value"), [("self_inspected", False), ("sampled", True), ("verified", True)])
def test_inspection_flag_edit_is_refused(small, flag, value):
    """The flags follow the inspections recorded, and nothing else: an edit through
    do_update_object is refused, even alongside a legitimate change, and logs nothing."""
    project = small.projects["hohhot"]
    assert getattr(fresh(project), flag) is not value  # the fixture self-inspected it, nothing more
    assert_fails_cleanly(
        ValidationError,
        lambda: do_update_object(project, actor=small.users["office"], changes={flag: value, "name": "改"}),
        project,
    )


def test_inspection_flag_on_create_is_refused(small):
    assert_fails_cleanly(
        ValidationError,
        lambda: do_create_object(
            Project, actor=small.users["office"], data=project_data(small, "N-flag", sampled=True, verified=True)
        ),
    )
    assert not Project.objects.filter(number="N-flag").exists()


def test_update_moving_an_object_out_of_scope_is_refused(small):
    project = small.projects["hohhot"]
    assert_fails_cleanly(
        AccessDenied,
        lambda: do_update_object(project, actor=small.users["league_a"], changes={"unit": small.units["150200"]}),
        project,
    )


@pytest.mark.parametrize("user", ["league_b", "group_b", "viewer", "norole"])
def test_update_of_an_out_of_scope_object_is_refused(small, user):
    project = small.projects["hohhot"]
    assert_fails_cleanly(
        Project.DoesNotExist,
        lambda: do_update_object(project, actor=small.users[user], changes={"name": "x"}, reason="x"),
        project,
    )


def test_create_out_of_scope_is_refused(small):
    assert_fails_cleanly(
        AccessDenied,
        lambda: do_create_object(Project, actor=small.users["league_b"], data=project_data(small, "N-x")),
    )


def test_bulk_create_with_one_invalid_object_creates_nothing(small):
    objs = [Project(**project_data(small, "B-ok")), Project(**project_data(small, "B-bad", winner_uscc="nope"))]
    assert_fails_cleanly(ValidationError, lambda: do_bulk_create_objects(objs, actor=small.users["office"]))
    assert not Project.objects.filter(number__startswith="B-").exists()


def test_delete_of_a_protected_object_rolls_back_its_log_row(small):
    """A delete refused by the database's rules leaves no log row behind."""
    project = small.projects["hohhot"]  # has a problem, which protects it
    assert_fails_cleanly(
        ProtectedError, lambda: do_delete_object(project, actor=small.users["office"], reason="x"), project
    )


def test_delete_out_of_scope_is_refused(small):
    project = small.projects["baotou"]
    assert_fails_cleanly(
        Project.DoesNotExist, lambda: do_delete_object(project, actor=small.users["league_a"]), project
    )


def test_illegal_transition_changes_nothing(small):
    problem = small.problems["hohhot"]
    assert_fails_cleanly(
        TransitionError,
        lambda: do_transition_problem(problem, "signed_off", actor=small.users["office"], reason="x"),
        problem,
    )


def test_transition_by_the_wrong_side_is_refused(small):
    problem = small.problems["hohhot"]  # starting rectification is the unit's job, not the group's
    assert_fails_cleanly(
        AccessDenied, lambda: do_transition_problem(problem, "rectifying", actor=small.users["group_a"]), problem
    )


def test_transition_out_of_scope_is_refused(small):
    problem = small.problems["baotou"]
    assert_fails_cleanly(
        Problem.DoesNotExist,
        lambda: do_transition_problem(problem, "rectifying", actor=small.users["league_a"]),
        problem,
    )


def test_transition_missing_its_evidence_changes_nothing(small):
    problem = start(small)
    assert_fails_cleanly(
        TransitionError,
        lambda: do_transition_problem(problem, "rectified", actor=small.users["league_a"], completed_on=COMPLETED),
        problem,
        match="'evidence'",  # only the files are missing
    )


def test_transition_with_a_fake_file_rolls_back_the_step_already_written(small):
    """The step row is written before the files are checked; a bad file undoes it."""
    problem = start(small)
    fake = EvidenceUpload("整改报告.pdf", b"MZ\x90\x00 not a pdf")
    assert_fails_cleanly(
        ValidationError,
        lambda: do_transition_problem(
            problem, "rectified", actor=small.users["league_a"], evidence=[pdf(), fake], completed_on=COMPLETED
        ),
        problem,
    )


def test_bulk_transition_failing_on_a_later_move_changes_nothing(small):
    first, second = small.problems["hohhot"], small.problems["fgw"]
    when = dt.datetime(2024, 6, 25, tzinfo=dt.UTC)
    # the first move carries everything its path needs; the dismissal lacks its reason
    moves = [
        move(first, "signed_off", when=when, completed_on=COMPLETED),
        move(second, "dismissed", when=when, reason=""),
    ]
    assert_fails_cleanly(
        TransitionError,
        lambda: do_bulk_transition_problems(moves, actor=small.users["office"]),
        first,
        second,
        match="'reason': \\['Q-fgw: ",  # the second move, named
    )


def test_duplicate_inspection_changes_nothing(small):
    project, office = small.projects["hohhot"], small.users["office"]
    do_record_inspection(project, "sample", actor=office)
    assert_fails_cleanly(ValidationError, lambda: do_record_inspection(project, "sample", actor=office), project)


def test_inspection_out_of_scope_is_refused(small):
    project = small.projects["baotou"]
    assert_fails_cleanly(
        Project.DoesNotExist, lambda: do_record_inspection(project, "verify", actor=small.users["group_a"]), project
    )


def test_attach_evidence_with_one_bad_file_attaches_nothing(small):
    problem = small.problems["hohhot"]
    uploads = [pdf(), EvidenceUpload("病毒.exe", b"MZ\x90\x00")]
    assert_fails_cleanly(
        ValidationError, lambda: do_attach_evidence(problem, actor=small.users["league_a"], uploads=uploads), problem
    )


def test_attach_evidence_out_of_scope_is_refused(small):
    problem = small.problems["hohhot"]  # the league's own problem: outside a county reporter's reach
    assert_fails_cleanly(
        Problem.DoesNotExist,
        lambda: do_attach_evidence(problem, actor=small.users["county_a"], uploads=[pdf()]),
        problem,
    )


# --- append-only ---------------------------------------------------------------------------


@pytest.fixture
def row(small) -> ChangeLogEntry:
    return ChangeLogEntry.objects.order_by("seq")[5]


def assert_row_untouched(row: ChangeLogEntry) -> None:
    stored = ChangeLogEntry.objects.get(pk=row.pk)
    assert (stored.seq, stored.reason, stored.hash) == (row.seq, row.reason, row.hash)
    assert_chain_intact()


def test_saving_an_existing_row_is_refused(row):
    original = fresh(row)
    row.reason = "forged"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=["reason"])
    assert_row_untouched(original)


def test_deleting_a_row_is_refused(row):
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert_row_untouched(row)


@pytest.mark.parametrize(
    "write",
    [
        lambda: ChangeLogEntry.objects.filter(seq=6).update(reason="forged"),
        lambda: ChangeLogEntry.objects.update(reason="forged"),
        lambda: ChangeLogEntry.objects.filter(seq=6).delete(),
        lambda: ChangeLogEntry.objects.all().delete(),
        lambda: ChangeLogEntry.objects.update_or_create(seq=6, defaults={"reason": "forged"}),
    ],
    ids=["filter-update", "manager-update", "filter-delete", "all-delete", "update_or_create"],
)
def test_queryset_writes_are_refused(row, write):
    with pytest.raises(AppendOnlyError):
        write()
    assert_row_untouched(row)


def test_bulk_update_is_refused(row):
    original = fresh(row)
    row.reason = "forged"
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update breaks the transaction it runs in
        ChangeLogEntry.objects.bulk_update([row], ["reason"])
    assert_row_untouched(original)


def forged_copy(row: ChangeLogEntry) -> ChangeLogEntry:
    """A new instance carrying an existing row's primary key and sequence number."""
    copy = ChangeLogEntry.objects.get(pk=row.pk)
    copy._state.adding = True
    copy.reason = "forged"
    copy.hash = entry_hash(copy)
    return copy


def test_a_new_instance_cannot_overwrite_a_row_through_its_primary_key(row):
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        forged_copy(row).save()
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        forged_copy(row).save(force_update=True)
    assert_row_untouched(row)


def test_bulk_create_cannot_overwrite_a_row_on_conflict(row):
    copy = forged_copy(row)
    copy.pk = None
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        ChangeLogEntry.objects.bulk_create(
            [copy], update_conflicts=True, unique_fields=["seq"], update_fields=["reason"]
        )
    assert_row_untouched(row)
