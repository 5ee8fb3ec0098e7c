"""Scoping: one function (`restrict`) cuts every queryset down by user and action.

    office         everything
    viewer         reads everything, changes nothing
    group member   the units assigned to its group (a league/city with its counties)
    unit reporter  its own unit (a league/city also its counties)
    no role        nothing

The matrix below is generated from tables of expectations: for every role, model and
action, the records `restrict` returns and the records `allows` accepts must be
exactly the expected ones. Records are named by the key of the project they belong
to (hohhot, xincheng, fgw, baotou, czt; see ducha/testing.py).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings

from ducha.core.access import AccessDenied, Action, allows, restrict, user_scope
from ducha.core.actions import do_create_object, do_delete_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import (
    do_attach_evidence,
    do_create_problem,
    do_record_inspection,
    do_request_extension,
    do_transition_problem,
)
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import (
    ClueTransfer,
    DeadlineExtension,
    Evidence,
    ExposedCase,
    FiledCase,
    Inspection,
    PolicyDocument,
    Problem,
    ProblemCategory,
    Project,
    RectificationStep,
    Training,
)
from ducha.ledger.tests.files import PDF
from ducha.org.models import Campaign, Domain, ProjectType, Role, SupervisionGroup, Unit

ROLES = ["office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b", "norole"]
ACTIONS = [Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE]

# ---------------------------------------------------------------------------
# The tables of expectations: role → (keys it may view, keys it may add/change/delete).

ALL = frozenset({"hohhot", "xincheng", "fgw", "baotou", "czt"})
NONE: frozenset[str] = frozenset()


def _same(keys: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(keys), frozenset(keys)


# Projects, problems and what hangs off them (inspections, steps, evidence): they
# carry a county, so a county reporter sees its county's records.
COUNTY_RECORDS = {
    "office": (ALL, ALL),
    "viewer": (ALL, NONE),
    "group_a": _same({"hohhot", "xincheng", "fgw"}),
    "group_b": _same({"baotou", "czt"}),
    "league_a": _same({"hohhot", "xincheng"}),
    "county_a": _same({"xincheng"}),
    "dept_a": _same({"fgw"}),
    "league_b": _same({"baotou"}),
    "norole": (NONE, NONE),
}

# Dispositions belong to the league/city or department (no county field): the
# xincheng problem's clue transfer is 呼和浩特市's, so the county reporter has none.
UNIT_RECORDS = {**COUNTY_RECORDS, "county_a": (NONE, NONE)}

# The Unit table itself, by division code (a league/city with its counties): seen
# by scope, changed by the office only (renaming or adding units is organisation work).
UNITS = {
    "office": _same({"150100", "150102", "150200", "150202", "fgw", "czt"}),
    "viewer": (frozenset({"150100", "150102", "150200", "150202", "fgw", "czt"}), NONE),
    "group_a": (frozenset({"150100", "150102", "fgw"}), NONE),
    "group_b": (frozenset({"150200", "150202", "czt"}), NONE),
    "league_a": (frozenset({"150100", "150102"}), NONE),
    "county_a": (frozenset({"150102"}), NONE),
    "dept_a": (frozenset({"fgw"}), NONE),
    "league_b": (frozenset({"150200", "150202"}), NONE),
    "norole": (NONE, NONE),
}
UNIT_CODES = UNITS["office"][0]

# Reference data: every role reads it, only the office writes it, no role sees nothing.
EVERY = frozenset({"*"})
REFERENCE = {role: (EVERY, EVERY if role == "office" else NONE) for role in ROLES}
REFERENCE["norole"] = (NONE, NONE)
# Undeclared models (the change log, roles, users): closed by default, the office's alone.
OFFICE_ONLY = {role: (EVERY, EVERY) if role == "office" else (NONE, NONE) for role in ROLES}


def _number(obj) -> str:
    return obj.number.split("-", 1)[1]


@dataclass(frozen=True)
class Subject:
    """One model in the matrix: how to name its records and which table applies."""

    model: type
    key: object  # record → key
    table: dict
    filter: dict | None = None  # limit big tables to the records the table names

    def keys(self, queryset) -> set[str]:
        if self.filter:
            queryset = queryset.filter(**self.filter)
        return {self.key(obj) for obj in queryset}


SUBJECTS = [
    Subject(Project, _number, COUNTY_RECORDS),
    Subject(Problem, _number, COUNTY_RECORDS),
    Subject(Inspection, lambda o: _number(o.project), COUNTY_RECORDS),
    Subject(RectificationStep, lambda o: _number(o.problem), COUNTY_RECORDS),
    Subject(Evidence, lambda o: _number(o.problem), COUNTY_RECORDS),
    Subject(ClueTransfer, lambda o: _number(o.problem), UNIT_RECORDS),
    Subject(FiledCase, lambda o: _number(o.problem), UNIT_RECORDS),
    Subject(ExposedCase, lambda o: _number(o.problem), UNIT_RECORDS),
    Subject(PolicyDocument, lambda o: o.title, UNIT_RECORDS),
    Subject(Training, lambda o: o.title, UNIT_RECORDS),
    Subject(Unit, lambda o: o.code, UNITS, filter={"code__in": UNIT_CODES}),
    Subject(DeadlineExtension, lambda o: _number(o.problem), COUNTY_RECORDS),
    Subject(Domain, lambda o: "*", REFERENCE),
    Subject(ProjectType, lambda o: "*", REFERENCE),
    Subject(ProblemCategory, lambda o: "*", REFERENCE),
    Subject(Campaign, lambda o: "*", REFERENCE),
    Subject(SupervisionGroup, lambda o: "*", REFERENCE),
    Subject(ChangeLogEntry, lambda o: "*", OFFICE_ONLY),
    Subject(Role, lambda o: "*", OFFICE_ONLY),
    Subject(get_user_model(), lambda o: "*", OFFICE_ONLY),
]


def expected(subject: Subject, role: str, action: Action) -> frozenset[str]:
    visible, editable = subject.table[role]
    return visible if action == Action.VIEW else editable


# ---------------------------------------------------------------------------
# One campaign for the whole matrix, with a record of every kind in every place.


@pytest.fixture(scope="class")
def world(small_once, django_db_blocker, tmp_path_factory):
    """The module's small campaign (see conftest.py) with a record of every kind in
    every place, added in a savepoint rolled back when the class below ends.

    The matrix tests only read; each also takes the `db` fixture, so it runs in a
    savepoint of its own and could not leak a write anyway."""
    with (
        django_db_blocker.unblock(),
        override_settings(EVIDENCE_ROOT=tmp_path_factory.mktemp("evidence")),
        transaction.atomic(),
    ):
        sc = small_once
        office = sc.users["office"]
        for key, project in sc.projects.items():
            problem = sc.problems[key]
            do_record_inspection(project, "sample", actor=office, inspected_on=dt.date(2024, 6, 1))
            do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=office, measures="整改措施")
            do_request_extension(problem, actor=office, new_deadline=dt.date(2024, 7, 20), reason=key)
            do_attach_evidence(problem, actor=office, uploads=[EvidenceUpload(f"{key}.pdf", PDF + key.encode())])
            base = {"campaign": sc.campaign, "unit": problem.unit, "problem": problem}
            do_create_object(
                ClueTransfer,
                actor=office,
                data={**base, "authority": "police", "transferred_on": dt.date(2024, 7, 1), "summary": key},
            )
            do_create_object(
                FiledCase,
                actor=office,
                data={**base, "filed_on": dt.date(2024, 7, 2), "filed_by": "公安局", "summary": key},
            )
            do_create_object(ExposedCase, actor=office, data={**base, "title": key, "exposed_on": dt.date(2024, 8, 1)})
            unit_only = {"campaign": sc.campaign, "unit": problem.unit}
            do_create_object(
                PolicyDocument,
                actor=office,
                data={**unit_only, "title": key, "action": "enacted", "issued_on": dt.date(2024, 8, 1)},
            )
            do_create_object(
                Training,
                actor=office,
                data={**unit_only, "title": key, "held_on": dt.date(2024, 8, 1), "attendees": 30},
            )
        yield sc
        transaction.set_rollback(True)


class TestMatrix:
    """Read-only tests on one shared campaign (see `world`)."""

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.model.__name__)
    def test_scoping_matrix(self, world, db, subject, role, action):
        user = world.users[role]
        want = expected(subject, role, action)

        assert subject.keys(restrict(subject.model.objects.all(), user, action)) == want
        # `allows`, which judges one object (also an unsaved one before an add), agrees with `restrict`.
        allowed = [obj for obj in subject.model.objects.all() if allows(user, obj, action)]
        assert subject.keys(subject.model.objects.filter(pk__in=[o.pk for o in allowed])) == want

    def test_matrix_covers_every_kind_of_record(self, world, db):
        # Guard against an empty table passing the matrix: each place holds one record of each kind.
        for subject in SUBJECTS:
            if subject.table is REFERENCE:
                assert subject.model.objects.exists()
            else:
                assert subject.keys(subject.model.objects.all()) == subject.table["office"][0]

    def test_office_sees_every_unit_and_the_viewer_reads_them_all(self, world, db):
        total = Unit.objects.count()
        assert restrict(Unit.objects.all(), world.users["office"], Action.CHANGE).count() == total
        assert restrict(Unit.objects.all(), world.users["viewer"], Action.VIEW).count() == total
        assert not restrict(Unit.objects.all(), world.users["viewer"], Action.CHANGE).exists()

    def test_a_league_reporter_sees_all_its_counties_and_no_other_leagues(self, world, db):
        hohhot = world.units["150100"]
        visible = restrict(Unit.objects.all(), world.users["league_a"], Action.VIEW)
        assert set(visible) == {hohhot, *hohhot.children.all()}
        assert hohhot.children.count() > 1

    def test_a_county_reporter_sees_only_its_countys_records(self, world, db):
        user = world.users["county_a"]
        county = world.units["150102"]
        projects = restrict(Project.objects.all(), user, Action.VIEW)
        problems = restrict(Problem.objects.all(), user, Action.VIEW)
        assert list(projects) == [world.projects["xincheng"]]
        assert list(problems) == [world.problems["xincheng"]]
        assert all(p.county == county for p in [*projects, *problems])
        assert list(restrict(Unit.objects.all(), user, Action.VIEW)) == [county]

    def test_a_league_reporter_sees_the_leagues_records_and_its_counties(self, world, db):
        user = world.users["league_a"]
        keys = {_number(p) for p in restrict(Problem.objects.all(), user, Action.VIEW)}
        assert keys == {"hohhot", "xincheng"}

    def test_a_user_without_a_role_anonymous_or_inactive_sees_nothing(self, world, db):
        inactive = get_user_model().objects.create_user(username="gone", is_active=False)
        do_create_object(
            Role, actor=world.system, data={"user": inactive, "kind": "unit_reporter", "unit": world.units["150100"]}
        )
        for user in (world.users["norole"], AnonymousUser(), None, inactive):
            assert user_scope(user, Action.VIEW).empty
            assert not restrict(Problem.objects.all(), user, Action.VIEW).exists()
            assert not restrict(Domain.objects.all(), user, Action.VIEW).exists()


# ---------------------------------------------------------------------------
# Another unit's object is "not found", never "forbidden": its existence does not leak.

OUT_OF_SCOPE = [
    ("league_b", "hohhot"),
    ("league_a", "baotou"),
    ("county_a", "hohhot"),
    ("dept_a", "xincheng"),
    ("group_b", "fgw"),
    ("group_a", "czt"),
    ("norole", "czt"),
]


def _snapshot(problem: Problem) -> tuple:
    problem = Problem.objects.get(pk=problem.pk)
    return (
        problem.status,
        problem.description,
        problem.steps.count(),
        problem.evidence.count(),
        ChangeLogEntry.objects.count(),
    )


@pytest.mark.parametrize(("role", "key"), OUT_OF_SCOPE)
def test_fetching_another_units_object_by_id_is_not_found(small, role, key):
    user, problem, project = small.users[role], small.problems[key], small.projects[key]
    for action in ACTIONS:
        with pytest.raises(Problem.DoesNotExist):
            restrict(Problem.objects.all(), user, action).get(pk=problem.pk)
        with pytest.raises(Project.DoesNotExist):
            restrict(Project.objects.all(), user, action).get(pk=project.pk)


@pytest.mark.parametrize(("role", "key"), [*OUT_OF_SCOPE, ("viewer", "hohhot")])
def test_actions_on_an_out_of_scope_object_are_not_found_and_change_nothing(small, role, key):
    user, problem, project = small.users[role], small.problems[key], small.projects[key]
    before = _snapshot(problem)
    project_before = Project.objects.filter(pk=project.pk).values().get()

    with pytest.raises(Problem.DoesNotExist):
        do_update_object(problem, actor=user, changes={"description": "篡改"})
    with pytest.raises(Problem.DoesNotExist):
        do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=user)
    with pytest.raises(Problem.DoesNotExist):
        do_transition_problem(problem, ProblemStatus.DISMISSED, actor=user, reason="不属实")
    with pytest.raises(Problem.DoesNotExist):
        do_attach_evidence(problem, actor=user, uploads=[EvidenceUpload("x.pdf", PDF)])
    with pytest.raises(Problem.DoesNotExist):
        do_delete_object(problem, actor=user)
    with pytest.raises(Project.DoesNotExist):
        do_update_object(project, actor=user, changes={"name": "篡改"})
    with pytest.raises(Project.DoesNotExist):
        do_record_inspection(project, "verify", actor=user)

    assert _snapshot(problem) == before
    assert Project.objects.filter(pk=project.pk).values().get() == project_before


def test_in_scope_actions_succeed_for_the_same_users(small):
    # The counterpart of the test above: the refusals are about scope, not about the actions.
    problem = small.problems["xincheng"]
    do_update_object(problem, actor=small.users["county_a"], changes={"description": "已核实"})
    do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=small.users["county_a"], measures="整改措施")
    do_record_inspection(small.projects["baotou"], "sample", actor=small.users["league_b"])
    problem.refresh_from_db()
    assert (problem.description, problem.status) == ("已核实", ProblemStatus.RECTIFYING)
    assert small.projects["baotou"].inspections.filter(kind="sample").exists()


# ---------------------------------------------------------------------------
# Adding and moving records.


def _project_data(small, key: str, unit: str, county: str | None = None) -> dict:
    return {
        "campaign": small.campaign,
        "unit": small.units[unit],
        "county": small.units[county] if county else None,
        "domain": Domain.objects.get(code="engineering"),
        "number": f"P-new-{key}",
        "name": f"新项目 {key}",
        "tenderer": "某某局",
        "amount": Decimal("100.00"),
    }


@pytest.mark.parametrize(
    ("role", "unit", "county", "may"),
    [
        ("group_a", "150100", None, True),
        ("group_a", "150100", "150102", True),
        ("group_a", "fgw", None, True),
        ("group_a", "150200", None, False),  # the other group's league
        ("group_a", "150200", "150202", False),
        ("group_a", "czt", None, False),  # the other group's department
        ("group_b", "150100", None, False),
        ("league_a", "150100", "150102", True),
        ("league_a", "fgw", None, False),
        ("county_a", "150100", "150102", True),
        ("county_a", "150100", None, False),  # its league's own level is not its own
        ("dept_a", "fgw", None, True),
        ("dept_a", "150100", None, False),
        ("viewer", "150100", None, False),
        ("norole", "150100", None, False),
        ("office", "czt", None, True),
    ],
)
def test_who_may_create_a_project_where(small, role, unit, county, may):
    data = _project_data(small, role, unit, county)
    count, log = Project.objects.count(), ChangeLogEntry.objects.count()
    if may:
        project = do_create_object(Project, actor=small.users[role], data=data)
        assert project.unit == small.units[unit]
        assert ChangeLogEntry.objects.count() == log + 1
    else:
        with pytest.raises(AccessDenied):
            do_create_object(Project, actor=small.users[role], data=data)
        assert (Project.objects.count(), ChangeLogEntry.objects.count()) == (count, log)


def test_a_group_member_cannot_create_a_problem_in_the_other_groups_unit(small):
    baotou = small.projects["baotou"]
    data = {
        "campaign": small.campaign,
        "unit": baotou.unit,
        "project": baotou,
        "number": "Q-intruder",
        "description": "越权",
        "discovery_method": "supervision",
        "found_on": dt.date(2024, 6, 2),
    }
    with pytest.raises(AccessDenied):
        do_create_problem(actor=small.users["group_a"], data=data)
    assert not Problem.objects.filter(number="Q-intruder").exists()
    assert do_create_problem(actor=small.users["group_b"], data=data).status == ProblemStatus.FOUND


@pytest.mark.parametrize(
    ("role", "key", "changes"),
    [
        ("league_a", "xincheng", {"unit": "150200", "county": None}),  # to the other league
        ("county_a", "xincheng", {"county": None}),  # up to the league's own level
        ("group_a", "fgw", {"unit": "czt"}),  # to the other group's department
    ],
)
def test_a_record_cannot_be_moved_out_of_the_actors_scope(small, role, key, changes):
    project = small.projects[key]
    before = Project.objects.filter(pk=project.pk).values().get()
    log = ChangeLogEntry.objects.count()
    changes = {field: small.units[code] if code else None for field, code in changes.items()}
    with pytest.raises(AccessDenied):
        do_update_object(project, actor=small.users[role], changes=changes)
    assert Project.objects.filter(pk=project.pk).values().get() == before
    assert ChangeLogEntry.objects.count() == log


# ---------------------------------------------------------------------------
# The viewer and reference data.


def test_the_viewer_reads_everything_and_changes_nothing(small):
    viewer = small.users["viewer"]
    assert restrict(Problem.objects.all(), viewer, Action.VIEW).count() == Problem.objects.count()
    log = ChangeLogEntry.objects.count()
    problem, project = small.problems["hohhot"], small.projects["hohhot"]

    with pytest.raises(AccessDenied):
        do_create_object(Project, actor=viewer, data=_project_data(small, "viewer", "150100"))
    with pytest.raises(Problem.DoesNotExist):
        do_update_object(problem, actor=viewer, changes={"description": "x"})
    with pytest.raises(Project.DoesNotExist):
        do_delete_object(project, actor=viewer)
    with pytest.raises(Problem.DoesNotExist):
        do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=viewer)
    with pytest.raises(Domain.DoesNotExist):
        do_update_object(Domain.objects.first(), actor=viewer, changes={"short_name": "x"})
    with pytest.raises(Unit.DoesNotExist):
        do_update_object(small.units["150100"], actor=viewer, changes={"name": "x"})

    assert ChangeLogEntry.objects.count() == log
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.FOUND


@pytest.mark.parametrize("role", [r for r in ROLES if r != "office"])
def test_only_the_office_writes_reference_data(small, role):
    user = small.users[role]
    domain = Domain.objects.get(code="engineering")
    category = ProblemCategory.objects.first()
    with pytest.raises(Domain.DoesNotExist):
        do_update_object(domain, actor=user, changes={"short_name": "改"})
    with pytest.raises(ProblemCategory.DoesNotExist):
        do_delete_object(category, actor=user)
    with pytest.raises(AccessDenied):
        do_create_object(ProblemCategory, actor=user, data={"code": "X9", "name": "新类", "kind": "domain_list"})
    assert Domain.objects.get(pk=domain.pk).short_name == domain.short_name
    assert ProblemCategory.objects.filter(pk=category.pk).exists()


def test_the_office_writes_reference_data(small):
    office = small.users["office"]
    domain = do_update_object(Domain.objects.get(code="engineering"), actor=office, changes={"short_name": "工程"})
    category = do_create_object(
        ProblemCategory, actor=office, data={"code": "X9", "name": "新类", "kind": "domain_list"}
    )
    assert domain.short_name == "工程"
    assert ProblemCategory.objects.filter(pk=category.pk).exists()
