"""One rule, one place: the model rules hold on the single-record and the bulk path
alike (each case runs through both), links stay inside the record's unit and the
actor's scope, the inspection flags follow inspections only, and sign-off is under
the group's control (the unit neither moves its deadline nor edits a closed problem;
deadline extensions are requested and decided)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ducha.core.access import AccessDenied
from ducha.core.actions import do_bulk_create_objects, do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import (
    do_bulk_record_inspections,
    do_bulk_transition_problems,
    do_decide_extension,
    do_record_inspection,
    do_request_extension,
    do_transition_problem,
)
from ducha.ledger.choices import ExtensionStatus, InspectionKind
from ducha.ledger.choices import ProblemStatus as S
from ducha.ledger.models import ClueTransfer, DeadlineExtension, Inspection, Problem, Project
from ducha.org.models import Domain
from ducha.testing import move

FOUND_ON = dt.date(2024, 6, 1)


def create_single(model, actor, data):
    return do_create_object(model, actor=actor, data=data)


def create_bulk(model, actor, data):
    do_bulk_create_objects([model(**data)], actor=actor)
    return model.objects.get(unit=data["unit"], **({"number": data["number"]} if "number" in data else {}))


PATHS = pytest.mark.parametrize("create", [create_single, create_bulk], ids=["single", "bulk"])


def problem_data(small, number: str, **overrides) -> dict:
    project = small.projects["hohhot"]
    data = {
        "campaign": small.campaign,
        "unit": project.unit,
        "project": project,
        "number": number,
        "description": "问题",
        "discovery_method": "self",
        "found_on": FOUND_ON,
        "deadline": dt.date(2024, 7, 1),
    }
    return {**data, **overrides}


def messages(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


@PATHS
def test_a_problem_takes_its_projects_domain(small, create):
    problem = create(Problem, small.users["office"], problem_data(small, "Q-new"))
    assert problem.domain == small.projects["hohhot"].domain


@PATHS
def test_a_problem_in_a_project_of_another_domain_is_refused(small, create):
    other = Domain.objects.get(code="procurement")
    with pytest.raises(ValidationError, match="domain"):
        create(Problem, small.users["office"], problem_data(small, "Q-new", domain=other))


@PATHS
def test_a_duplicate_number_is_a_validation_error_naming_the_record(small, create):
    with pytest.raises(ValidationError) as error:
        create(Problem, small.users["office"], problem_data(small, "Q-hohhot"))
    assert "Q-hohhot" in messages(error.value) or "already exists" in messages(error.value)
    assert Problem.objects.filter(number="Q-hohhot").count() == 1


def test_a_duplicate_inside_one_batch_is_named_too(small):
    office = small.users["office"]
    with pytest.raises(ValidationError) as error:
        do_bulk_create_objects([Problem(**problem_data(small, "Q-twice")) for _ in range(2)], actor=office)
    assert "Q-twice" in messages(error.value)
    assert not Problem.objects.filter(number="Q-twice").exists()


@PATHS
@pytest.mark.parametrize(
    ("field", "value"),
    [("found_on", dt.date(2023, 12, 1)), ("found_on", dt.date(2099, 1, 1)), ("deadline", dt.date(2024, 5, 1))],
    ids=["found-before-the-campaign", "found-in-the-future", "due-before-found"],
)
def test_dates_lie_inside_the_campaign(small, create, field, value):
    with pytest.raises(ValidationError) as error:
        create(Problem, small.users["office"], problem_data(small, "Q-new", **{field: value}))
    assert field in error.value.message_dict


def test_a_deadline_after_the_campaign_closes_is_refused(small):
    office = small.users["office"]
    campaign = do_update_object(small.campaign, actor=office, changes={"closes_on": dt.date(2024, 12, 31)})
    data = problem_data(small, "Q-new", campaign=campaign, deadline=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as error:
        do_create_object(Problem, actor=office, data=data)
    assert "2024-12-31" in messages(error.value)


@pytest.mark.parametrize("path", ["single", "bulk"])
@pytest.mark.parametrize(
    "completed_on", [FOUND_ON - dt.timedelta(days=1), dt.date(2099, 1, 1)], ids=["before-found", "in-the-future"]
)
def test_completion_dates_are_checked_on_both_paths(small, path, completed_on):
    office = small.users["office"]
    problem = small.problems["hohhot"]
    do_transition_problem(problem, S.RECTIFYING, actor=office, measures="措施")
    with pytest.raises(ValidationError) as error:
        if path == "single":
            step = move(problem, S.RECTIFIED)
            do_transition_problem(problem, S.RECTIFIED, actor=office, evidence=step.evidence, completed_on=completed_on)
        else:
            do_bulk_transition_problems([move(problem, S.RECTIFIED, completed_on=completed_on)], actor=office)
    assert "completed_on" in error.value.message_dict
    assert Problem.objects.get(pk=problem.pk).status == S.RECTIFYING


@pytest.mark.parametrize("path", ["single", "bulk"])
def test_measures_and_opinion_are_needed_on_both_paths(small, path):
    office = small.users["office"]
    problem = small.problems["hohhot"]
    with pytest.raises(ValidationError) as error:
        if path == "single":
            do_transition_problem(problem, S.RECTIFYING, actor=office)
        else:
            do_bulk_transition_problems([move(problem, S.SIGNED_OFF, opinion="")], actor=office)
    assert {"measures"} <= set(error.value.message_dict) or {"opinion"} <= set(error.value.message_dict)
    assert Problem.objects.get(pk=problem.pk).status == S.FOUND


# ---------------------------------------------------------------------------
# Links stay inside the record's unit (and county) and the actor's scope.


@PATHS
def test_a_clue_transfer_cannot_link_another_units_problem(small, create):
    data = {
        "campaign": small.campaign,
        "unit": small.units["150100"],
        "problem": small.problems["baotou"],
        "authority": "police",
        "transferred_on": dt.date(2024, 7, 1),
        "summary": "线索",
    }
    with pytest.raises(ValidationError, match="problem"):
        create(ClueTransfer, small.users["office"], data)


@PATHS
def test_a_problem_naming_a_county_links_only_a_project_of_that_county(small, create):
    data = problem_data(small, "Q-new", county=small.units["150102"])  # the project hohhot has no county
    with pytest.raises(ValidationError) as error:
        create(Problem, small.users["office"], data)
    assert "project" in error.value.message_dict


def test_a_link_the_actor_cannot_see_is_no_link(small):
    """A county reporter cannot hang its problem on the league's project by its id."""
    data = problem_data(small, "Q-new", unit=small.units["150100"], county=small.units["150102"])
    with pytest.raises(ValidationError) as error:
        do_create_object(Problem, actor=small.users["county_a"], data=data)
    assert "project" in error.value.message_dict


# ---------------------------------------------------------------------------
# The inspection flags follow the inspections, and nothing else.


def test_the_inspection_flags_cannot_be_written_directly(small):
    office = small.users["office"]
    project = small.projects["hohhot"]
    with pytest.raises(ValidationError):
        do_update_object(project, actor=office, changes={"sampled": True})
    data = {
        "campaign": small.campaign,
        "unit": project.unit,
        "domain": project.domain,
        "number": "P-new",
        "name": "新项目",
        "tenderer": "某局",
        "verified": True,
    }
    with pytest.raises(ValidationError):
        do_create_object(Project, actor=office, data=data)
    with pytest.raises(ValidationError):
        do_bulk_create_objects([Project(**data)], actor=office)
    assert not Project.objects.get(pk=project.pk).sampled


def test_recording_an_inspection_sets_its_flag_by_the_roles_allowed(small):
    project = small.projects["xincheng"]
    with pytest.raises(AccessDenied):
        do_record_inspection(project, InspectionKind.VERIFY, actor=small.users["county_a"])
    do_record_inspection(project, InspectionKind.SAMPLE, actor=small.users["county_a"], inspected_on=FOUND_ON)
    do_record_inspection(project, InspectionKind.VERIFY, actor=small.users["group_a"], result="problems")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.sampled, stored.verified) == (True, True)
    with pytest.raises(ValidationError):  # once per kind
        do_record_inspection(project, InspectionKind.SAMPLE, actor=small.users["office"])


def test_bulk_inspections_set_the_flags_in_one_batch(small):
    projects = [small.projects[k] for k in ("hohhot", "baotou")]
    batch = do_bulk_record_inspections(
        [Inspection(project=p, kind=InspectionKind.SAMPLE, inspected_on=FOUND_ON) for p in projects],
        actor=small.users["office"],
    )
    assert set(Project.objects.filter(sampled=True).values_list("number", flat=True)) == {"P-hohhot", "P-baotou"}
    rows = ChangeLogEntry.objects.filter(batch=batch)
    assert rows.filter(object_type="ledger.inspection").count() == 2
    assert rows.filter(object_type="ledger.project", after={"sampled": True}).count() == 2


# ---------------------------------------------------------------------------
# Sign-off under control.


def test_a_unit_cannot_move_its_own_deadline(small):
    problem = small.problems["xincheng"]
    with pytest.raises(ValidationError) as error:
        do_update_object(problem, actor=small.users["county_a"], changes={"deadline": dt.date(2024, 9, 1)})
    assert "deadline" in error.value.message_dict
    # Other fields it still edits while the problem is open; the group may move the deadline.
    do_update_object(problem, actor=small.users["county_a"], changes={"responsible": "张三"})
    do_update_object(problem, actor=small.users["group_a"], changes={"deadline": dt.date(2024, 9, 1)}, reason="更正")
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 9, 1)


@pytest.mark.parametrize("status", [S.RECTIFIED, S.SIGNED_OFF, S.DISMISSED], ids=str)
def test_a_unit_cannot_edit_a_problem_out_of_its_hands(small, status):
    problem = small.problems["xincheng"]
    do_bulk_transition_problems([move(problem, status)], actor=small.users["office"])
    with pytest.raises(ValidationError):
        do_update_object(problem, actor=small.users["county_a"], changes={"remarks": "改"})
    do_update_object(problem, actor=small.users["group_a"], changes={"remarks": "组内备注"})


def test_an_extension_requested_by_the_unit_and_granted_by_its_group(small):
    problem = small.problems["xincheng"]
    unit, group = small.users["county_a"], small.users["group_a"]
    extension = do_request_extension(problem, actor=unit, new_deadline=dt.date(2024, 8, 15), reason="材料待补")
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 7, 1)  # not before it is granted
    with pytest.raises(ValidationError):  # one pending request at a time
        do_request_extension(problem, actor=unit, new_deadline=dt.date(2024, 9, 1), reason="再延")
    with pytest.raises(AccessDenied):  # the unit does not decide its own request
        do_decide_extension(extension, actor=unit, grant=True)
    with pytest.raises(DeadlineExtension.DoesNotExist):  # another group does not see it
        do_decide_extension(extension, actor=small.users["group_b"], grant=True)
    do_decide_extension(extension, actor=group, grant=True, note="同意")
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 8, 15)
    assert DeadlineExtension.objects.get(pk=extension.pk).status == ExtensionStatus.GRANTED
    logged = ChangeLogEntry.objects.filter(object_type="ledger.problem", object_id=str(problem.pk)).last()
    assert (logged.before, logged.after) == ({"deadline": "2024-07-01"}, {"deadline": "2024-08-15"})
    assert (
        ChangeLogEntry.objects.filter(object_type="ledger.deadlineextension", object_id=str(extension.pk)).count() == 2
    )


def test_a_refused_extension_needs_a_reason_and_moves_nothing(small):
    problem = small.problems["hohhot"]
    extension = do_request_extension(
        problem, actor=small.users["league_a"], new_deadline=dt.date(2024, 8, 1), reason="延期"
    )
    with pytest.raises(ValidationError):
        do_decide_extension(extension, actor=small.users["group_a"], grant=False)
    do_decide_extension(extension, actor=small.users["group_a"], grant=False, note="理由不充分")
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 7, 1)
    assert DeadlineExtension.objects.get(pk=extension.pk).status == ExtensionStatus.REFUSED


def test_an_extension_must_move_the_deadline_later_and_only_for_open_problems(small):
    unit = small.users["league_a"]
    with pytest.raises(ValidationError):
        do_request_extension(small.problems["hohhot"], actor=unit, new_deadline=dt.date(2024, 6, 20), reason="x")
    do_bulk_transition_problems([move(small.problems["hohhot"], S.RECTIFIED)], actor=small.users["office"])
    with pytest.raises(ValidationError):
        do_request_extension(small.problems["hohhot"], actor=unit, new_deadline=dt.date(2024, 8, 1), reason="x")
    assert not DeadlineExtension.objects.exists()


def test_an_inspection_cannot_be_deleted_and_a_stale_copy_sets_no_false_flag(small):
    from ducha.core.actions import do_delete_object

    office = small.users["office"]
    project = small.projects["hohhot"]
    inspection = project.inspections.get(kind=InspectionKind.SELF)
    with pytest.raises(ValidationError):
        do_delete_object(inspection, actor=office)
    assert Project.objects.get(pk=project.pk).self_inspected
    # A caller's copy that says "not sampled" while the row says sampled logs no flag change twice.
    stale = Project.objects.get(pk=project.pk)
    do_record_inspection(project, InspectionKind.SAMPLE, actor=office)
    do_bulk_record_inspections([Inspection(project=stale, kind=InspectionKind.VERIFY)], actor=office)
    rows = ChangeLogEntry.objects.filter(object_type="ledger.project", object_id=str(project.pk))
    assert rows.filter(after={"sampled": True}).count() == 1
    assert rows.filter(after={"verified": True}).count() == 1


@pytest.mark.parametrize("target", [S.SIGNED_OFF, S.DISMISSED], ids=str)
def test_a_unit_cannot_state_the_groups_steps_in_bulk(small, target):
    """An import relays a unit's report; signing off and dismissing stay the group's."""
    problem = small.problems["hohhot"]
    with pytest.raises(ValidationError) as error:
        do_bulk_transition_problems([move(problem, target)], actor=small.users["league_a"])
    assert "status" in error.value.message_dict
    assert Problem.objects.get(pk=problem.pk).status == S.FOUND
    do_bulk_transition_problems([move(problem, S.RECTIFIED)], actor=small.users["league_a"])  # its own steps
    do_bulk_transition_problems([move(problem, target if target != S.DISMISSED else S.SIGNED_OFF)],
                                actor=small.users["group_a"])  # fmt: skip
    assert Problem.objects.get(pk=problem.pk).status == S.SIGNED_OFF


def test_a_bulk_create_names_every_refused_record(small):
    from ducha.core.actions import BulkValidationError

    office = small.users["office"]
    good = Problem(**problem_data(small, "Q-good"))
    early = Problem(**problem_data(small, "Q-early", found_on=dt.date(2023, 12, 1)))
    late = Problem(**problem_data(small, "Q-late", deadline=dt.date(2024, 5, 1)))
    with pytest.raises(BulkValidationError) as error:
        do_bulk_create_objects([good, early, late], actor=office)
    assert [obj for obj, _error in error.value.failures] == [early, late]
    assert "Q-early" in messages(error.value) and "Q-late" in messages(error.value)
    assert not Problem.objects.filter(number__in=["Q-good", "Q-early", "Q-late"]).exists()
    with pytest.raises(ValidationError) as one:  # one refused: the shape of a single create's error
        do_bulk_create_objects([good, early], actor=office)
    assert list(one.value.message_dict) == ["found_on"]
