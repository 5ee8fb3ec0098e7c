"""The supervision records under the one scoping function: who sees, changes and adds
which, for every model of the app and every role of the small campaign. Group A
supervises 呼和浩特市 (with its county 新城区) and 发改委; group B 包头市 and 财政厅.

Each place holds one record of each model: "A" (group A's, or of 呼和浩特市 / 新城区
where the record names a unit), "B" (group B's, or of 包头市); a complaint also "A0",
received and assigned to group A before any unit."""

import datetime as dt

import pytest

from ducha.core.access import Action, allows, may_add_here, restrict
from ducha.core.actions import do_create_object
from ducha.core.models import ChangeLogEntry
from ducha.org.models import Stage
from ducha.supervision import models as m
from ducha.supervision.choices import ComplaintSource, ContactKind, LetterKind, LookBackOutcome, RoundKind
from ducha.testing import rolled_back

ROLES = ("office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b", "norole")
DAY = dt.date(2024, 6, 3)
BOTH = frozenset({"A", "B"})
NONE: frozenset[str] = frozenset()


def _records(sc) -> dict[type, dict[str, object]]:
    s, c, u, g = sc.system, sc.campaign, sc.units, sc.groups

    def add(model, **data):
        return do_create_object(model, actor=s, data=data)

    stage = Stage.objects.create(campaign=c, kind="self_check", order=1, starts_on=DAY, ends_on=DAY)
    rec: dict[type, dict[str, object]] = {model: {} for model in MODELS}
    for key, group, unit, county, place in (("A", g["A"], u["150100"], u["150102"], "xincheng"),
                                            ("B", g["B"], u["150200"], None, "baotou")):  # fmt: skip
        plan = add(m.WorkPlan, campaign=c, group=group, stage=stage, title=f"方案 {key}", issued_on=DAY)
        rec[m.WorkPlan][key] = plan
        file = {"original_name": "方案.pdf", "content_type": "application/pdf", "size": 1, "sha256": "0" * 64}
        rec[m.WorkPlanDocument][key] = add(m.WorkPlanDocument, work_plan=plan, uploaded_by=s, **file)
        report = {"campaign": c, "group": group, "week_starts": DAY, "submitted_by": s,
                  "submitted_at": dt.datetime(2024, 6, 7, tzinfo=dt.UTC)}  # fmt: skip
        rec[m.UnitWeeklyReport][key] = add(m.UnitWeeklyReport, unit=unit, narrative="进展", **report)
        rec[m.GroupWeeklyReport][key] = add(m.GroupWeeklyReport, narrative="汇总", **report)
        look_back = add(m.SupervisionRound, campaign=c, group=group, number=1, kind=RoundKind.LOOK_BACK,
                        starts_on=DAY, ends_on=DAY + dt.timedelta(days=4), methods=["briefing"])  # fmt: skip
        rec[m.SupervisionRound][key] = look_back
        rec[m.Contact][key] = add(m.Contact, campaign=c, unit=unit, county=county, group=group,
                                  kind=ContactKind.ON_SITE, contacted_on=DAY, supervisor="张三", content="实地督导",
                                  round=look_back)  # fmt: skip
        rec[m.RoundProblem][key] = add(m.RoundProblem, round=look_back, problem=sc.problems[place])
        rec[m.LookBackCheck][key] = add(m.LookBackCheck, round=look_back, project=sc.projects[place.replace(
            "xincheng", "hohhot")], checked_on=DAY, outcome=LookBackOutcome.CONFIRMED)  # fmt: skip
        letter = add(m.Letter, campaign=c, group=group, kind=LetterKind.REMINDER, title=f"提醒函 {key}",
                     points="进度滞后", issued_on=DAY, respond_by=DAY + dt.timedelta(days=7), issued_by=s)  # fmt: skip
        rec[m.Letter][key] = letter
        rec[m.LetterRecipient][key] = add(m.LetterRecipient, letter=letter, unit=unit)
        rec[m.Complaint][key] = add(m.Complaint, campaign=c, number=f"JB-{key}", source=ComplaintSource.HOTLINE,
                                    received_on=DAY, summary="举报", group=group, unit=unit, county=county)  # fmt: skip
    rec[m.Complaint]["A0"] = add(m.Complaint, campaign=c, number="JB-A0", source=ComplaintSource.FORWARDED,
                                 received_on=DAY, summary="转办", group=g["A"])  # fmt: skip
    rec[m.ContactRule]["A"] = add(m.ContactRule, campaign=c, group=g["A"], kind=ContactKind.PHONE, per_week=2,
                                  starts_on=dt.date(2024, 7, 1))  # fmt: skip
    rec[m.ReportingSchedule]["A"] = add(m.ReportingSchedule, campaign=c, first_week_starts=DAY)
    return rec


GROUP_OWNED = {"office": BOTH, "viewer": BOTH, "group_a": {"A"}, "group_b": {"B"}}
UNIT_OWNED = {**GROUP_OWNED, "league_a": {"A"}, "league_b": {"B"}}
COUNTY_TOO = {**UNIT_OWNED, "county_a": {"A"}}
REFERENCE = {r: {"A"} for r in ROLES if r != "norole"}
# What each role sees (VIEW) of each model; unlisted roles see nothing.
SEES = {
    m.WorkPlan: GROUP_OWNED,
    m.WorkPlanDocument: GROUP_OWNED,
    m.GroupWeeklyReport: GROUP_OWNED,
    m.SupervisionRound: GROUP_OWNED,
    m.Letter: GROUP_OWNED,
    m.UnitWeeklyReport: UNIT_OWNED,
    m.LetterRecipient: UNIT_OWNED,
    m.LookBackCheck: UNIT_OWNED,  # (of a project of 呼和浩特市 itself)
    m.Contact: COUNTY_TOO,  # (on site in 新城区)
    m.RoundProblem: COUNTY_TOO,  # (a problem of 新城区)
    m.Complaint: {**COUNTY_TOO, "office": BOTH | {"A0"}, "viewer": BOTH | {"A0"}, "group_a": {"A", "A0"}},
    m.ContactRule: REFERENCE,
    m.ReportingSchedule: REFERENCE,
}
MODELS = tuple(SEES)
SUPERVISORS_CHANGE = {"office": BOTH, "group_a": {"A"}, "group_b": {"B"}}
# What each role may change (CHANGE) of each model.
CHANGES = {
    m.WorkPlan: SUPERVISORS_CHANGE,
    m.WorkPlanDocument: SUPERVISORS_CHANGE,
    m.GroupWeeklyReport: SUPERVISORS_CHANGE,  # (a group member's, or the office's)
    m.SupervisionRound: SUPERVISORS_CHANGE,
    m.Letter: SUPERVISORS_CHANGE,
    m.Contact: SUPERVISORS_CHANGE,
    m.RoundProblem: SUPERVISORS_CHANGE,
    m.LookBackCheck: SUPERVISORS_CHANGE,
    m.UnitWeeklyReport: {"office": BOTH, "league_a": {"A"}, "league_b": {"B"}},  # the unit's own report
    m.LetterRecipient: {**SUPERVISORS_CHANGE, "league_a": {"A"}, "league_b": {"B"}},  # the unit answers
    m.Complaint: {**SEES[m.Complaint], "viewer": NONE},  # the unit records its handling
    m.ContactRule: {"office": {"A"}},
    m.ReportingSchedule: {"office": {"A"}},
}
# Who may add a record of each model somewhere (may_add_here).
ADDERS = {
    m.UnitWeeklyReport: {"office", "league_a", "league_b", "dept_a"},
    m.ContactRule: {"office"},
    m.ReportingSchedule: {"office"},
}
SUPERVISORS_ADD = {"office", "group_a", "group_b"}


@pytest.fixture(scope="module")
def world(small_once, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield small_once, _records(small_once)


def _keys(records: dict, qs) -> set[str]:
    pks = set(qs.values_list("pk", flat=True))
    return {key for key, obj in records.items() if obj.pk in pks}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_changes_each_supervision_record(world, db, model, role):
    sc, rec = world
    user = sc.users[role]
    qs = model._default_manager.all()
    assert _keys(rec[model], restrict(qs, user)) == set(SEES[model].get(role, NONE))
    assert _keys(rec[model], restrict(qs, user, Action.CHANGE)) == set(CHANGES[model].get(role, NONE))
    # The check on one object agrees with the queryset's filter.
    for key, obj in rec[model].items():
        assert allows(user, obj, Action.VIEW) == (key in SEES[model].get(role, NONE)), key
        assert allows(user, obj, Action.CHANGE) == (key in CHANGES[model].get(role, NONE)), key


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_each_supervision_record(world, db, model, role):
    sc, _rec = world
    assert may_add_here(sc.users[role], model) == (role in ADDERS.get(model, SUPERVISORS_ADD))


def test_a_unit_cannot_add_what_only_a_group_issues_even_for_itself(world, db):
    sc, rec = world
    league_a = sc.users["league_a"]
    for model in (m.LetterRecipient, m.Complaint, m.Contact):
        assert not allows(league_a, rec[model]["A"], Action.ADD), model.__name__
        assert not allows(league_a, rec[model]["A"], Action.DELETE), model.__name__
    assert allows(sc.users["group_a"], rec[m.LetterRecipient]["A"], Action.ADD)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_supervision_record_was_created_with_its_change_log_row(world, db, model):
    _sc, rec = world
    for obj in rec[model].values():
        entry = ChangeLogEntry.objects.get(object_type=model._meta.label_lower, object_id=str(obj.pk), action="create")
        assert entry.after["id"] == obj.pk
