"""The supervision figures: counted per group and in total, as of a day (a past one too),
on time / late / missing at Beijing-time week boundaries, scoped when a user is given,
and printed by `ducha stats --json`."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.ledger.actions import do_bulk_transition_problems, do_transition_problem
from ducha.reports.statistics import campaign_statistics
from ducha.supervision.models import (
    Complaint,
    Contact,
    GroupWeeklyReport,
    Letter,
    LetterRecipient,
    LookBackCheck,
    ReportingSchedule,
    SupervisionRound,
    UnitWeeklyReport,
    WorkPlan,
)
from ducha.testing import move

TODAY = dt.date(2024, 6, 21)  # a Friday: the third week's reports fell due today (units 12:00, groups 17:00)


def at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute)))


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def add_supervision(sc) -> dict:
    """Three reporting weeks (from Monday 2024-06-03) and one record of every kind, in both groups."""
    system, campaign, units, groups = sc.system, sc.campaign, sc.units, sc.groups
    A, B = groups["A"], groups["B"]
    do_create_object(ReportingSchedule, actor=system, data={"campaign": campaign, "first_week_starts": d("2024-06-03")})

    def unit_report(unit, group, week, when):
        return UnitWeeklyReport(campaign=campaign, unit=units[unit], group=group, week_starts=d(week),
                                submitted_at=when, narrative="本周进展")  # fmt: skip

    do_bulk_create_objects(
        [
            unit_report("150100", A, "2024-06-03", at("2024-06-07", 10)),  # on time
            unit_report("150100", A, "2024-06-10", at("2024-06-14", 15)),  # late (due 12:00)
            unit_report("fgw", A, "2024-06-03", at("2024-06-07", 12)),  # on time, at the due time
            unit_report("fgw", A, "2024-06-17", at("2024-06-21", 11)),  # on time
            unit_report("150200", B, "2024-06-03", at("2024-06-05", 9)),
            unit_report("150200", B, "2024-06-10", at("2024-06-12", 9)),
            unit_report("150200", B, "2024-06-17", at("2024-06-21", 9)),
        ],
        actor=system,
    )
    do_bulk_create_objects(
        [
            GroupWeeklyReport(campaign=campaign, group=A, week_starts=d("2024-06-03"),
                              submitted_at=at("2024-06-07", 16), narrative="A组第一周"),
            GroupWeeklyReport(campaign=campaign, group=A, week_starts=d("2024-06-10"),
                              submitted_at=at("2024-06-15", 9), narrative="A组第二周"),
        ],
        actor=system,
    )  # fmt: skip
    do_bulk_create_objects(
        [
            WorkPlan(campaign=campaign, group=A, title="A组工作方案", issued_on=d("2024-06-01")),
            WorkPlan(campaign=campaign, group=A, title="A组回头看方案", issued_on=d("2024-06-19")),
            WorkPlan(campaign=campaign, group=B, title="B组工作方案", issued_on=d("2024-06-25")),  # after TODAY
        ],
        actor=system,
    )
    rounds = {
        "A1": SupervisionRound(campaign=campaign, group=A, number=1, starts_on=d("2024-06-10"),
                               ends_on=d("2024-06-12")),
        "A2": SupervisionRound(campaign=campaign, group=A, number=2, kind="look_back", starts_on=d("2024-06-18"),
                               ends_on=d("2024-06-20")),
        "B1": SupervisionRound(campaign=campaign, group=B, number=1, starts_on=d("2024-06-24"),
                               ends_on=d("2024-06-26")),
    }  # fmt: skip
    do_bulk_create_objects(list(rounds.values()), actor=system)

    def contact(group, unit, kind, day, county=None, round=None):
        return Contact(campaign=campaign, group=group, unit=units[unit], county=units[county] if county else None,
                       kind=kind, contacted_on=d(day), supervisor="督导员", content="了解进展",
                       round=round)  # fmt: skip

    do_bulk_create_objects(
        [
            contact(A, "150100", "phone", "2024-06-05"),
            contact(A, "fgw", "phone", "2024-06-06"),
            contact(A, "150100", "on_site", "2024-06-11", county="150102", round=rounds["A1"]),
            contact(A, "150100", "on_site", "2024-06-12", county="150102", round=rounds["A1"]),  # the same county
            contact(A, "fgw", "written", "2024-06-19"),
            contact(B, "150200", "phone", "2024-06-05"),
            contact(B, "150200", "on_site", "2024-06-25", county="150202", round=rounds["B1"]),  # after TODAY
        ],
        actor=system,
    )
    letters = {
        "A": Letter(campaign=campaign, group=A, kind="reminder", title="提醒函", points="加快整改",
                    issued_on=d("2024-06-03"), respond_by=d("2024-06-10")),
        "B": Letter(campaign=campaign, group=B, kind="notice", title="提示函", points="按时报送",
                    issued_on=d("2024-06-05"), respond_by=d("2024-06-30")),
        "office": Letter(campaign=campaign, group=None, kind="bulletin", title="通报", points="通报进展",
                         issued_on=d("2024-06-12")),
    }  # fmt: skip
    for letter in letters.values():
        letter.issued_by = system
    do_bulk_create_objects(list(letters.values()), actor=system)
    do_bulk_create_objects(
        [
            LetterRecipient(letter=letters["A"], unit=units["150100"], response="已整改", responded_on=d("2024-06-08"),
                            accepted=True),
            LetterRecipient(letter=letters["A"], unit=units["fgw"], response="正在整改", responded_on=d("2024-06-13")),
            LetterRecipient(letter=letters["B"], unit=units["czt"]),
            LetterRecipient(letter=letters["office"], unit=units["150100"]),
            LetterRecipient(letter=letters["office"], unit=units["150200"]),
        ],
        actor=system,
    )  # fmt: skip

    problem = sc.problems["fgw"]
    # One by one: the bulk uniqueness check takes two complaints without a problem for duplicates.
    for complaint in [
            Complaint(campaign=campaign, number="J-1", source="hotline", received_on=d("2024-06-04"),
                      summary="举报一", group=A, unit=units["150100"], status="closed", outcome="经核查不属实",
                      closed_on=d("2024-06-15")),
            Complaint(campaign=campaign, number="J-2", source="forwarded", received_on=d("2024-06-10"),
                      summary="举报二", group=A, unit=units["fgw"], problem=problem),
            Complaint(campaign=campaign, number="J-3", source="mail", received_on=d("2024-06-12"), summary="举报三"),
            Complaint(campaign=campaign, number="J-4", source="letter", received_on=d("2024-06-22"), summary="举报四",
                      group=B, unit=units["150200"]),  # after TODAY
    ]:  # fmt: skip
        do_create_object(Complaint, actor=system, data={f.name: getattr(complaint, f.name)
                         for f in Complaint._meta.concrete_fields if f.editable and not f.primary_key})  # fmt: skip

    # The look-back round re-checks a project and two problems: one confirmed, one reopened, one new found.
    hohhot, xincheng = sc.problems["hohhot"], sc.problems["xincheng"]
    do_bulk_transition_problems(
        [move(p, "signed_off", completed_on=d("2024-06-10")) for p in (hohhot, xincheng)], actor=system
    )
    reopened = do_transition_problem(xincheng, "rectifying", actor=system, reason="整改不到位", look_back=True)
    step = reopened.steps.order_by("-pk").first()
    new = sc.add_problem("lookback", "hohhot")
    do_bulk_create_objects(
        [
            LookBackCheck(round=rounds["A2"], project=sc.projects["hohhot"], checked_on=d("2024-06-18"),
                          outcome="confirmed"),
            LookBackCheck(round=rounds["A2"], problem=hohhot, checked_on=d("2024-06-19"), outcome="confirmed"),
            LookBackCheck(round=rounds["A2"], problem=xincheng, checked_on=d("2024-06-19"), outcome="not_rectified",
                          reopening=step),
            LookBackCheck(round=rounds["A2"], project=sc.projects["xincheng"], checked_on=d("2024-06-20"),
                          outcome="new_problem", new_problem=new),
        ],
        actor=system,
    )  # fmt: skip
    return rounds


@pytest.fixture
def supervised(small):
    add_supervision(small)
    return small


def supervision(stats, group=None):
    if group is None:
        return stats["total"]["supervision"]
    return next(g for g in stats["by_group"] if g["group"] == group)["supervision"]


EXPECTED_A = {
    "work_plans": 2,
    "unit_reports_submitted": 4,
    "unit_reports_on_time": 3,
    "unit_reports_late": 1,
    "unit_reports_missing": 2,  # 150100's third week, fgw's second
    "group_reports_submitted": 2,
    "group_reports_on_time": 1,
    "group_reports_late": 1,
    "group_reports_missing": 1,  # the third week: due today 17:00, passed by the end of the day
    "site_rounds": 2,
    "look_back_rounds": 1,
    "contacts_phone": 2,
    "contacts_on_site": 2,
    "contacts_written": 1,
    "counties_visited": 1,
    "letters": 1,
    "letters_by_kind": {"reminder": 1, "notice": 0, "bulletin": 0, "urging": 0},
    "letter_responses_due": 2,
    "letter_responses_answered": 2,
    "letter_responses_accepted": 1,
    "letter_responses_overdue": 0,
    "complaints_received": 2,
    "complaints_closed": 1,
    "complaints_to_problems": 1,
    "complaints_to_clue_transfers": 0,
    "look_back_projects_rechecked": 2,
    "look_back_problems_rechecked": 2,
    "look_back_problems_found": 1,
    "look_back_problems_reopened": 1,
}
ZERO = {**{k: 0 for k in EXPECTED_A}, "letters_by_kind": {"reminder": 0, "notice": 0, "bulletin": 0, "urging": 0}}
EXPECTED_B = {
    **ZERO,
    "unit_reports_submitted": 3,
    "unit_reports_on_time": 3,
    "unit_reports_missing": 3,  # 财政厅 reported no week
    "group_reports_missing": 3,
    "contacts_phone": 1,
    "letters": 1,
    "letters_by_kind": {"reminder": 0, "notice": 1, "bulletin": 0, "urging": 0},
    "letter_responses_due": 1,
}


def test_figures_per_group_and_in_total(supervised):
    stats = campaign_statistics(supervised.campaign, today=TODAY)

    assert supervision(stats, "A") == EXPECTED_A
    assert supervision(stats, "B") == EXPECTED_B
    total = supervision(stats)
    # The office's bulletin (two recipients, no response asked) and its unassigned complaint count in the total only.
    assert total["letters"] == 3 and total["letters_by_kind"]["bulletin"] == 1
    assert total["letter_responses_due"] == 3
    assert total["complaints_received"] == 3
    for figure in set(EXPECTED_A) - {"letters", "letters_by_kind", "complaints_received", "letter_responses_due"}:
        assert total[figure] == EXPECTED_A[figure] + EXPECTED_B[figure], figure


def test_figures_as_of_a_past_day(supervised):
    stats = campaign_statistics(supervised.campaign, today=dt.date(2024, 6, 12))
    a, b = supervision(stats, "A"), supervision(stats, "B")

    # By Wednesday 06-12 one week had fallen due (Friday 06-07); the second falls due on 06-14.
    assert (a["unit_reports_submitted"], a["unit_reports_on_time"], a["unit_reports_missing"]) == (2, 2, 0)
    assert (b["unit_reports_submitted"], b["unit_reports_missing"]) == (2, 1)  # 150200 reported week 2 early
    assert (a["group_reports_on_time"], a["group_reports_missing"], b["group_reports_missing"]) == (1, 0, 1)
    assert (a["work_plans"], a["site_rounds"], a["look_back_rounds"]) == (1, 1, 0)
    assert (a["contacts_on_site"], a["contacts_written"], a["counties_visited"]) == (2, 0, 1)
    # fgw answered on 06-13: on 06-12 its response was overdue (due 06-10), 150100's answered.
    assert (a["letter_responses_answered"], a["letter_responses_overdue"]) == (1, 1)
    assert (a["complaints_received"], a["complaints_closed"]) == (2, 0)
    assert a["look_back_problems_reopened"] == 0 and a["look_back_projects_rechecked"] == 0


def test_a_week_counts_once_its_due_time_has_passed_by_the_end_of_the_day(supervised):
    before = supervision(campaign_statistics(supervised.campaign, today=dt.date(2024, 6, 20)), "A")
    # On Thursday the third week is not yet due: nobody is missing it.
    assert (before["unit_reports_missing"], before["group_reports_missing"]) == (1, 0)
    assert before["unit_reports_submitted"] == 3  # fgw's third report came on Friday


def test_each_units_own_row(supervised):
    stats = campaign_statistics(supervised.campaign, today=TODAY)
    rows = {u["unit"]: u for u in stats["supervision_by_unit"]}

    assert set(rows) == {"150100", "fgw", "150200", "czt"}  # every assigned unit, records or not
    assert rows["czt"]["unit_reports_due"] == rows["czt"]["unit_reports_missing"] == 3
    assert (rows["150100"]["unit_reports_on_time"], rows["150100"]["unit_reports_late"]) == (1, 1)
    assert (rows["150100"]["contacts_on_site"], rows["fgw"]["contacts_written"]) == (2, 1)
    assert rows["150100"]["letter_responses_accepted"] == 1 and rows["czt"]["letter_responses_due"] == 1


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("office", {"A": EXPECTED_A, "B": EXPECTED_B}),
        ("viewer", {"A": EXPECTED_A, "B": EXPECTED_B}),
        ("group_a", {"A": EXPECTED_A, "B": ZERO}),  # another group's work is none of its business
    ],
)
def test_scoped_figures_for_the_office_the_viewer_and_a_group(supervised, user, expected):
    stats = campaign_statistics(supervised.campaign, user=supervised.users[user], today=TODAY)
    for group, figures in expected.items():
        assert supervision(stats, group) == figures, group


def test_a_unit_counts_only_its_own(supervised):
    stats = campaign_statistics(supervised.campaign, user=supervised.users["league_a"], today=TODAY)
    a, total = supervision(stats, "A"), supervision(stats)

    # 呼和浩特市's own reports, contacts, letters to it and complaints; no group's own records.
    assert (a["unit_reports_submitted"], a["unit_reports_late"], a["unit_reports_missing"]) == (2, 1, 1)
    assert (a["contacts_phone"], a["contacts_on_site"], a["contacts_written"]) == (1, 2, 0)
    assert (a["letter_responses_due"], a["letter_responses_accepted"]) == (1, 1)
    assert (a["complaints_received"], a["complaints_closed"]) == (1, 1)
    assert (a["work_plans"], a["site_rounds"], a["group_reports_submitted"], a["letters"]) == (0, 0, 0, 0)
    assert total["unit_reports_missing"] == 1 and total["group_reports_missing"] == 0
    assert [u["unit"] for u in stats["supervision_by_unit"]] == ["150100"]


def test_no_records_no_figures(small):
    stats = campaign_statistics(small.campaign, today=dt.date(2024, 1, 3))
    figures = supervision(stats)
    assert figures["letters_by_kind"] == {"reminder": 0, "notice": 0, "bulletin": 0, "urging": 0}
    assert not any(v for k, v in figures.items() if k != "letters_by_kind")


def test_ducha_stats_prints_the_supervision_figures(supervised):
    out = StringIO()
    call_command("stats", "--json", "--campaign", supervised.campaign.code, "--as-of", TODAY.isoformat(), stdout=out)
    stats = json.loads(out.getvalue())

    assert supervision(stats, "A") == EXPECTED_A
    assert supervision(stats)["letters"] == 3


def test_due_times_are_beijing_time(small):
    """Due Friday 12:00 in Beijing is 04:00 UTC: a report a second later is late, whatever the server's zone."""
    utc = dt.UTC
    do_create_object(
        ReportingSchedule, actor=small.system, data={"campaign": small.campaign, "first_week_starts": d("2024-06-03")}
    )
    do_bulk_create_objects(
        [
            UnitWeeklyReport(campaign=small.campaign, unit=small.units[unit], group=small.groups["A"],
                             week_starts=d("2024-06-03"), submitted_at=when, narrative="本周进展")
            for unit, when in (("150100", dt.datetime(2024, 6, 7, 4, 0, 0, tzinfo=utc)),
                               ("fgw", dt.datetime(2024, 6, 7, 4, 0, 1, tzinfo=utc)))
        ],
        actor=small.system,
    )  # fmt: skip
    a = supervision(campaign_statistics(small.campaign, today=d("2024-06-07")), "A")
    assert (a["unit_reports_on_time"], a["unit_reports_late"], a["unit_reports_missing"]) == (1, 1, 0)
