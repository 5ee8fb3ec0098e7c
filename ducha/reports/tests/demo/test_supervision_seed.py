"""The demo's supervision work reproduces the seed account's supervision figures
(shared/seed), read back from `ducha stats --json` and `ducha lagging --json`, and the
same counts straight from the records. The demo is built once for the package (conftest.py)."""

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from ducha.core.changelog import verify_chain
from ducha.core.models import ChangeLogEntry
from ducha.demo.supervision_plan import LAGGING_UNITS
from ducha.demo.tests.files import assert_valid_pdf
from ducha.ledger.choices import DiscoveryMethod, ProblemStatus
from ducha.ledger.evidence import evidence_path
from ducha.org.models import SupervisionGroup
from ducha.supervision.choices import ComplaintSource, ContactKind, LetterKind, LookBackOutcome, RoundKind
from ducha.supervision.compliance import contact_shortfalls
from ducha.supervision.models import (
    Complaint,
    Contact,
    ContactRule,
    GroupWeeklyReport,
    Letter,
    LetterRecipient,
    LookBackCheck,
    RoundProblem,
    SupervisionRound,
    UnitWeeklyReport,
    WorkPlan,
    WorkPlanDocument,
)

GROUPS = ("engineering", "procurement", "natural_resources", "state_property")


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def figures(demo, db) -> dict:
    return {g["group"]: g["supervision"] for g in demo["stats"]["by_group"]}


def test_the_seed_figures_read_back_from_ducha_stats(demo, figures):
    eng, nr, proc, sp = (figures[g] for g in ("engineering", "natural_resources", "procurement", "state_property"))
    # 工程建设项目督导检查组: 25 weekly reports, on time; 4 work plans; 3 rounds; 30余次; 提醒函3份.
    assert (eng["group_reports_submitted"], eng["group_reports_on_time"], eng["group_reports_missing"]) == (25, 25, 0)
    assert eng["work_plans"] == 4
    assert eng["site_rounds"] == 3 and eng["look_back_rounds"] == 1
    assert eng["contacts_phone"] + eng["contacts_on_site"] + eng["contacts_written"] > 30
    assert eng["letters"] == eng["letters_by_kind"]["reminder"] == 3
    assert eng["look_back_problems_reopened"] == 1
    # 自然资源: 提示函、通报等10份, 周工作进展20余次, 电话调度60余回, 4 forwarded complaints, 3 rounds.
    assert nr["letters"] == nr["letters_by_kind"]["notice"] + nr["letters_by_kind"]["bulletin"] == 10
    assert 20 < nr["group_reports_submitted"] < 30
    assert 60 < nr["contacts_phone"] < 70
    assert nr["complaints_received"] == 4 and nr["complaints_to_problems"] == nr["complaints_closed"] == 3
    assert nr["site_rounds"] == 3 and nr["look_back_rounds"] == 1 and nr["look_back_projects_rechecked"] > 0
    assert nr["look_back_problems_reopened"] == 0
    # 政府采购: a round every month, down to four counties; 国有产权: three rounds.
    assert proc["site_rounds"] == 9 and proc["counties_visited"] == 4
    assert sp["site_rounds"] == 3
    for g in figures.values():
        assert g["work_plans"] >= 1 and g["unit_reports_submitted"] > 150
        assert 0 < g["unit_reports_late"] < g["unit_reports_on_time"] / 5
    total = demo["stats"]["total"]["supervision"]
    for name in ("work_plans", "site_rounds", "contacts_phone", "letters", "complaints_received", "unit_reports_late"):
        assert total[name] == sum(g[name] for g in figures.values()), name


def test_the_same_counts_from_the_records(demo, db):
    groups = {g.code: g for g in SupervisionGroup.objects.all()}
    eng, nr, proc, sp = (groups[g] for g in ("engineering", "natural_resources", "procurement", "state_property"))
    assert GroupWeeklyReport.objects.filter(group=eng).count() == 25
    assert GroupWeeklyReport.objects.filter(group=nr).count() == 23
    assert sorted(WorkPlan.objects.filter(group=eng).values_list("title", flat=True)) == sorted([
        "《工程建设项目督导检查组工作方案》",
        "《专项整治自查抽查核查阶段督导检查工作实施方案》",
        "《加强督导自查抽查核查阶段“回头看”工作方案》",
        "《集中整治整改阶段督导检查工作实施方案》",
    ])  # fmt: skip
    eng_rounds = SupervisionRound.objects.filter(group=eng)
    assert eng_rounds.count() == 3
    assert all(set(r.methods) == {"briefing", "discussion", "records"} for r in eng_rounds)
    assert Letter.objects.filter(group=eng, kind=LetterKind.REMINDER).count() == 3
    assert Contact.objects.filter(group=nr, kind=ContactKind.PHONE).count() == 64
    assert Complaint.objects.filter(group=nr, source=ComplaintSource.FORWARDED).count() == 4

    def months(group, kind=None):
        rounds = SupervisionRound.objects.filter(group=group).order_by("starts_on")
        return [(r.starts_on.month, r.starts_on.day, r.kind) for r in rounds if kind in (None, r.kind)]

    # 6月下旬 自查抽查核查, 8月上旬 回头看, 9月下旬.
    (june, d1, k1), (aug, d2, k2), (sep, d3, k3) = months(nr)
    assert (june, aug, sep) == (6, 8, 9) and d1 > 20 and d2 <= 10 and d3 > 20
    assert (k1, k2, k3) == (RoundKind.REGULAR, RoundKind.LOOK_BACK, RoundKind.REGULAR)
    assert [m for m, _d, _k in months(sp)] == [5, 7, 9]
    assert [m for m, _d, _k in months(proc)] == list(range(4, 13))
    counties = Contact.objects.filter(group=proc, kind=ContactKind.ON_SITE, county__isnull=False)
    assert {(c.unit.name, c.county.name) for c in counties} == {
        ("通辽市", "科尔沁区"), ("通辽市", "奈曼旗"), ("赤峰市", "喀喇沁旗"), ("赤峰市", "宁城县"),
    }  # fmt: skip
    # Every on-site visit lies in its round; the rounds found problems by supervision.
    for visit in Contact.objects.filter(kind=ContactKind.ON_SITE).select_related("round"):
        assert visit.round.starts_on <= visit.contacted_on <= visit.round.ends_on
    linked = RoundProblem.objects.select_related("problem")
    assert linked.exists() and {rp.problem.discovery_method for rp in linked} == {DiscoveryMethod.SUPERVISION}
    # The complaints that became problems: of their unit, found by complaint, after they came.
    for complaint in Complaint.objects.filter(problem__isnull=False):
        assert complaint.problem.discovery_method == DiscoveryMethod.COMPLAINT
        assert complaint.problem.unit_id == complaint.unit_id and complaint.received_on <= complaint.problem.found_on


def test_the_look_back_reopens_one_problem_through_its_action(demo, db):
    reopened = LookBackCheck.objects.get(outcome=LookBackOutcome.NOT_RECTIFIED)
    assert reopened.round.kind == RoundKind.LOOK_BACK and reopened.round.group.code == "engineering"
    step = reopened.reopening
    assert (step.from_status, step.to_status) == (ProblemStatus.SIGNED_OFF, ProblemStatus.RECTIFYING)
    assert step.reason and reopened.problem.status == ProblemStatus.RECTIFYING
    assert not LookBackCheck.objects.filter(problem=reopened.problem).exclude(pk=reopened.pk).exists()


def test_letters_have_responses_accepted_refused_pending_and_overdue(demo, db):
    campaign = demo["campaign"]
    recipients = LetterRecipient.objects.select_related("letter")
    assert recipients.filter(accepted=True).count() > 50
    assert recipients.filter(accepted=False).exclude(decision_note="").exists()
    assert recipients.filter(responded_on__isnull=False, accepted__isnull=True).exists()
    overdue = recipients.filter(responded_on__isnull=True, letter__respond_by__lt=campaign.closes_on)
    assert overdue.exists() and {r.unit.code for r in overdue} <= set(LAGGING_UNITS)
    assert not recipients.filter(letter__kind=LetterKind.BULLETIN, letter__respond_by__isnull=False).exists()


def test_the_contact_rule_is_kept_except_by_the_units_built_to_lag(demo, db):
    campaign = demo["campaign"]
    rule = ContactRule.objects.get()
    assert (rule.group.code, rule.kind, rule.per_week, rule.starts_on) == (
        "engineering", ContactKind.PHONE, 2, dt.date(2024, 7, 1)
    )  # fmt: skip
    short = contact_shortfalls(campaign, as_of=campaign.closes_on)
    engineering = SupervisionGroup.objects.get(code="engineering")
    built_to_lag = engineering.assignments.filter(unit__code__in=LAGGING_UNITS).values_list("unit_id", flat=True)
    assert short and {s.unit_id for s in short} == set(built_to_lag)
    assert all(s.made == 1 and s.required == 2 for s in short)


def test_the_lagging_rule_flags_the_units_built_to_lag_and_no_average_unit(demo, db):
    built_to_lag = set(LAGGING_UNITS)
    for code in GROUPS:
        units = [u for g in demo["lagging"][code]["groups"] for u in g["units"]]
        assert len(units) == 8
        for unit in units:
            criteria = {f["criterion"] for f in unit["flags"]}
            if unit["unit"] in built_to_lag:
                assert {"discovery", "reports"} <= criteria, unit
                assert all(f["reason"] for f in unit["flags"])
            else:  # the ledger plan's open and overdue problems are not supervision's to judge here
                assert not criteria & {"discovery", "reports", "contacts"}, unit
        lagging_here = {u["unit"] for u in units} & built_to_lag
        # Ranked first: the units built to lag lead their group's list.
        assert {u["unit"] for u in units[: len(lagging_here)]} == lagging_here


def test_reports_missing_only_from_the_units_built_to_lag_and_everything_logged(demo, db):
    missing = Counter()
    for report in UnitWeeklyReport.objects.values_list("unit__code", flat=True):
        missing[report] += 1
    assert {code for code, n in missing.items() if n < 25} == set(LAGGING_UNITS)
    assert all(missing[code] == 21 for code in LAGGING_UNITS)
    for model in (UnitWeeklyReport, GroupWeeklyReport, Contact, SupervisionRound, Letter, LetterRecipient, Complaint,
                  LookBackCheck, WorkPlan, WorkPlanDocument, RoundProblem):  # fmt: skip
        logged = ChangeLogEntry.objects.filter(object_type=model._meta.label_lower, action="create").count()
        assert logged == model.objects.count() > 0, model
    assert verify_chain().ok


def test_every_work_plan_has_its_document_stored_like_evidence(demo, db, settings):
    settings.EVIDENCE_ROOT = demo["evidence"]
    for plan in WorkPlan.objects.all():
        (document,) = plan.documents.all()
        assert document.original_name == plan.title.strip("《》") + ".pdf"
        data = evidence_path(document.sha256).read_bytes()
        assert len(data) == document.size
        assert_valid_pdf(data)


def test_a_weekly_report_carries_its_submitters_figures(demo, db):
    by_unit = {u["unit"]: u for u in demo["stats"]["by_unit"]}
    for report in UnitWeeklyReport.objects.filter(unit__code__in=["150100", "nyj"]).select_related("unit"):
        row = by_unit[report.unit.code]
        assert report.figures["projects_self_inspected"] == row["projects_self_inspected"]
        assert report.figures["problems"] == row["problems"]
        assert report.figures["problems_found_this_week"] >= 0
    weekly = GroupWeeklyReport.objects.filter(group__code="procurement").first()
    assert weekly.figures["problems"] == {g["group"]: g for g in demo["stats"]["by_group"]}["procurement"]["problems"]
