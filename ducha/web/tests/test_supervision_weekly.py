"""The weekly scheduling and work plan pages: a unit submits its weekly report from its
dashboard, the lists and the missing reports by scope, the office's schedule, work plans
and their documents (upload and scoped download)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ducha.core.actions import do_create_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.tests.files import PDF
from ducha.supervision.actions.weekly import do_submit_unit_weekly_report
from ducha.supervision.models import ReportingSchedule, UnitWeeklyReport, WorkPlan, WorkPlanDocument
from ducha.supervision.weeks import monday_of


def this_monday() -> dt.date:
    return monday_of(timezone.localdate())


@pytest.fixture
def report(site):
    return do_submit_unit_weekly_report(
        site.units["150100"],
        this_monday(),
        narrative="本周自查推进",
        actor=site.users["league_a"],
        campaign=site.campaign,
    )


def test_the_unit_dashboard_offers_the_weekly_report_prefilled_from_the_ledger(login):
    page = login("league_a").get(reverse("home")).content.decode()
    assert 'data-testid="weekly-panel"' in page
    assert 'data-testid="submit-weekly"' in page
    assert this_monday().isoformat() in page  # the newest week first, chosen
    assert 'data-testid="figures"' in page


def test_a_county_has_no_weekly_panel(login):
    page = login("county_a").get(reverse("home")).content.decode()
    assert 'data-testid="weekly-panel"' not in page


def test_a_unit_submits_its_weekly_report(login, site):
    client = login("league_a")
    response = client.post(
        reverse("unit-weekly-reports-add"), {"week_starts": this_monday().isoformat(), "narrative": "本周完成自查"}
    )
    report = UnitWeeklyReport.objects.get(unit=site.units["150100"])
    assert response.status_code == 302 and response["Location"] == reverse(
        "unit-weekly-reports-detail", args=[report.pk]
    )
    assert report.submitted_by == site.users["league_a"] and report.group == site.groups["A"]
    assert report.figures["problems"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "本周完成自查" in page and 'data-testid="timeliness"' in page
    # The same week again: refused, on the form, and not in the offered weeks any more.
    again = client.post(
        reverse("unit-weekly-reports-add"), {"week_starts": this_monday().isoformat(), "narrative": "再报"}
    )
    assert again.status_code == 200 and 'class="error"' in again.content.decode()
    assert UnitWeeklyReport.objects.count() == 1


def test_an_empty_narrative_is_refused_at_its_field(login):
    response = login("league_a").post(
        reverse("unit-weekly-reports-add"), {"week_starts": this_monday().isoformat(), "narrative": ""}
    )
    assert 'data-testid="error-narrative"' in response.content.decode()
    assert not UnitWeeklyReport.objects.exists()


@pytest.mark.parametrize("user", ["group_a", "office", "viewer", "county_a"])
def test_only_a_unit_submits_a_unit_report(login, user):
    client = login(user)
    assert client.get(reverse("unit-weekly-reports-add")).status_code == 403
    response = client.post(reverse("unit-weekly-reports-add"), {"week_starts": this_monday(), "narrative": "x"})
    assert response.status_code == 403
    assert not UnitWeeklyReport.objects.exists()


@pytest.mark.parametrize("user", ["league_a", "office"])
def test_only_a_group_member_submits_a_group_report(login, user):
    assert login(user).get(reverse("group-weekly-reports-add")).status_code == 403


def test_a_group_submits_its_weekly_report(login, site):
    response = login("group_a").post(
        reverse("group-weekly-reports-add"), {"week_starts": this_monday().isoformat(), "narrative": "A组周报"}
    )
    assert response.status_code == 302
    page = login("office").get(response["Location"]).content.decode()
    assert "A组周报" in page
    assert login("group_b").get(response["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("user", "status"),
    [("league_a", 200), ("group_a", 200), ("office", 200), ("viewer", 200), ("league_b", 404), ("group_b", 404),
     ("dept_a", 404), ("county_a", 404), ("norole", 404)],
)  # fmt: skip
def test_a_report_is_seen_by_its_unit_its_group_and_the_office(login, report, user, status):
    assert login(user).get(reverse("unit-weekly-reports-detail", args=[report.pk])).status_code == status
    listed = login(user).get(reverse("unit-weekly-reports-list")).content.decode()
    assert ("本周自查推进" in listed) == (status == 200)


def test_a_unit_corrects_its_narrative_in_the_change_log(login, report):
    client = login("league_a")
    form = client.get(reverse("unit-weekly-reports-edit", args=[report.pk])).content.decode()
    assert 'name="narrative"' in form and 'name="figures"' not in form
    client.post(reverse("unit-weekly-reports-edit", args=[report.pk]), {"narrative": "更正后", "reason": "补充"})
    report.refresh_from_db()
    assert report.narrative == "更正后"
    assert ChangeLogEntry.objects.filter(
        object_type="supervision.unitweeklyreport", object_id=str(report.pk), action="update", reason="补充"
    ).exists()
    assert login("group_a").get(reverse("unit-weekly-reports-edit", args=[report.pk])).status_code == 404


def test_the_missing_reports_say_who_chases_whom(login, report):
    group_a = login("group_a").get(reverse("weekly-reports-missing")).content.decode()
    assert "A组" in group_a and "B组" not in group_a
    assert "呼和浩特市" in group_a and "包头市" not in group_a
    office = login("office").get(reverse("weekly-reports-missing")).content.decode()
    assert 'data-testid="missing-groups"' in office and "包头市" in office
    # This week 呼和浩特市 has reported: the week's list names only 发改委; the week before, both.
    week = login("group_a").get(reverse("weekly-reports-missing"), {"week": this_monday().isoformat()})
    assert week.context["units"] and {r.unit.code for r in week.context["units"]} == {"fgw"}
    before = (this_monday() - dt.timedelta(days=7)).isoformat()
    earlier = login("group_a").get(reverse("weekly-reports-missing"), {"week": before})
    assert {r.unit.code for r in earlier.context["units"]} == {"150100", "fgw"}
    unit = login("league_b").get(reverse("weekly-reports-missing")).content.decode()
    assert 'data-testid="missing-groups"' not in unit and "呼和浩特市" not in unit


def test_the_office_sets_the_reporting_schedule(login, site):
    data = {
        "first_week_starts": "2024-06-03",
        "unit_due_weekday": "3",
        "unit_due_time": "18:00",
        "group_due_weekday": "4",
        "group_due_time": "12:00",
    }
    assert login("league_a").get(reverse("reporting-schedules-add")).status_code == 403
    form = login("office").get(reverse("reporting-schedules-add")).content.decode()
    assert 'value="2024-01-01"' in form  # the default's first week: the campaign's first Monday
    response = login("office").post(reverse("reporting-schedules-add"), data)
    assert response.status_code == 302
    schedule = ReportingSchedule.objects.get(campaign=site.campaign)
    assert schedule.unit_due_weekday == 3 and schedule.unit_due_time == dt.time(18)
    wrong = login("office").post(
        reverse("reporting-schedules-edit", args=[schedule.pk]), {**data, "first_week_starts": "2024-06-04"}
    )
    assert "error" in wrong.content.decode()


@pytest.fixture
def plan(site):
    return do_create_object(
        WorkPlan,
        actor=site.users["group_a"],
        data={"campaign": site.campaign, "group": site.groups["A"], "title": "工程建设项目督导检查组工作方案",
              "issued_on": dt.date(2024, 5, 10)},
    )  # fmt: skip


def test_a_group_adds_a_work_plan_for_its_own_group_only(login, site):
    client = login("group_a")
    form = client.get(reverse("work-plans-add")).content.decode()
    assert "A组" in form and "B组" not in form
    data = {"group": site.groups["A"].pk, "title": "回头看工作方案", "issued_on": "2024-07-01", "summary": ""}
    assert client.post(reverse("work-plans-add"), data).status_code == 302
    refused = client.post(reverse("work-plans-add"), {**data, "group": site.groups["B"].pk})
    assert refused.status_code == 200
    assert WorkPlan.objects.filter(group=site.groups["B"]).count() == 0
    assert login("league_a").get(reverse("work-plans-add")).status_code == 403


def upload(client, plan, name="方案.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("work-plans-documents", args=[plan.pk]), {"documents": [SimpleUploadedFile(name, content)]}
    )


def test_work_plan_documents_upload_and_scoped_download(login, plan):
    response = upload(login("group_a"), plan)
    assert response.status_code == 302
    document = WorkPlanDocument.objects.get(work_plan=plan)
    assert ChangeLogEntry.objects.filter(
        object_type="supervision.workplandocument", object_id=str(document.pk)
    ).exists()
    page = login("group_a").get(reverse("work-plans-detail", args=[plan.pk])).content.decode()
    assert "方案.pdf" in page
    url = reverse("work-plan-documents-download", args=[document.pk])
    for user, status in (("group_a", 200), ("office", 200), ("viewer", 200), ("group_b", 404), ("league_a", 404)):
        response = login(user).get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF


def test_work_plan_documents_refused(login, plan):
    assert upload(login("group_b"), plan).status_code == 404  # another group's plan: not there
    assert upload(login("viewer"), plan).status_code == 403
    bad = upload(login("group_a"), plan, name="方案.pdf", content=b"<html>not a pdf</html>")
    assert bad.status_code == 200 and "方案.pdf" in bad.content.decode() and 'class="error"' in bad.content.decode()
    assert not WorkPlanDocument.objects.exists()


def test_the_list_reads_a_constant_number_of_queries(login, site, django_assert_max_num_queries):
    client = login("office")
    for n, user, unit in ((1, "league_a", "150100"), (2, "dept_a", "fgw"), (3, "league_b", "150200")):
        do_submit_unit_weekly_report(
            site.units[unit],
            this_monday() - dt.timedelta(days=7 * n),
            narrative="周报",
            actor=site.users[user],
            campaign=site.campaign,
        )
        if n == 1:
            client.get(reverse("unit-weekly-reports-list"))  # warm: the session, the role
            with django_assert_max_num_queries(30) as one:
                client.get(reverse("unit-weekly-reports-list"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "包头市" in client.get(reverse("unit-weekly-reports-list")).content.decode()


PLAN_PAGES = {  # role → (detail, edit, add) of group A's work plan
    "office": (200, 200, 200),
    "viewer": (200, 404, 403),
    "group_a": (200, 200, 200),
    "group_b": (404, 404, 200),
    "league_a": (404, 404, 403),
    "county_a": (404, 404, 403),
    "dept_a": (404, 404, 403),
    "league_b": (404, 404, 403),
    "norole": (404, 404, 403),
}


@pytest.mark.parametrize("user", PLAN_PAGES)
def test_work_plan_pages_by_role(login, plan, user):
    client = login(user)
    got = (
        client.get(reverse("work-plans-detail", args=[plan.pk])).status_code,
        client.get(reverse("work-plans-edit", args=[plan.pk])).status_code,
        client.get(reverse("work-plans-add")).status_code,
    )
    assert got == PLAN_PAGES[user]
    listed = client.get(reverse("work-plans-list"))
    assert (plan.title in listed.content.decode()) == (PLAN_PAGES[user][0] == 200)


@pytest.mark.parametrize("user", ["office", "viewer", "group_a", "league_a", "county_a"])
def test_every_role_reads_the_schedule_only_the_office_sets_it(login, user):
    client = login(user)
    assert client.get(reverse("reporting-schedules-list")).status_code == 200
    assert client.get(reverse("reporting-schedules-add")).status_code == (200 if user == "office" else 403)


def test_the_lists_filter_on_time_and_late_by_each_weeks_due_time(login, site):
    beijing = timezone.get_default_timezone()
    week = dt.date(2024, 6, 3)  # the default schedule: units by Friday 2024-06-07 12:00 Beijing time
    for user, unit, at in (
        ("league_a", "150100", dt.datetime(2024, 6, 7, 12)),
        ("dept_a", "fgw", dt.datetime(2024, 6, 7, 12, 1)),
    ):
        do_submit_unit_weekly_report(
            site.units[unit], week, narrative=f"周报 {unit}", actor=site.users[user], campaign=site.campaign,
            submitted_at=at.replace(tzinfo=beijing),
        )  # fmt: skip
    client = login("office")
    on_time = client.get(reverse("unit-weekly-reports-list"), {"timeliness": "on_time"}).content.decode()
    late = client.get(reverse("unit-weekly-reports-list"), {"timeliness": "late"}).content.decode()
    assert "周报 150100" in on_time and "周报 fgw" not in on_time
    assert "周报 fgw" in late and "周报 150100" not in late
