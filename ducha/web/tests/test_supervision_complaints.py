"""The complaint pages: a group receives a complaint and assigns it to a unit, the unit
records its handling and closes it; the group makes a complaint a problem or a clue
transfer in one step, and the problem's and the clue transfer's pages show the complaint;
each user sees only their own, and the overdue ones are listed."""

import datetime as dt
import re

from django.urls import reverse

from ducha.core.actions import do_create_object
from ducha.ledger.models import ClueTransfer, Problem
from ducha.supervision.actions.complaints import do_assign_complaint
from ducha.supervision.models import Complaint
from ducha.web.tests.helpers import list_body, page, text

RECEIVED = dt.date(2024, 6, 3)


def assigned(site, number="JB-2024-001", unit="150100", deadline=dt.date(2024, 7, 3)) -> Complaint:
    data = {"campaign": site.campaign, "number": number, "source": "forwarded", "received_on": RECEIVED,
            "summary": "反映某中学教学楼项目评标专家与投标人存在利害关系", "group": site.groups["A"]}  # fmt: skip
    complaint = do_create_object(Complaint, actor=site.users["group_a"], data=data)
    group = site.groups["A"] if unit in ("150100", "fgw") else site.groups["B"]
    return do_assign_complaint(
        complaint, actor=site.users["office"], group=group, unit=site.units[unit], deadline=deadline
    )


def test_a_group_receives_and_assigns_a_complaint_from_its_pages(site, login):
    client = login("group_a")
    post = {"number": "JB-2024-009", "source": "hotline", "received_on": "2024-06-05",
            "summary": "12345热线反映招标文件设置不合理条件", "group": site.groups["A"].pk}  # fmt: skip
    response = client.post(reverse("complaints-add"), post)
    complaint = Complaint.objects.get(number="JB-2024-009")
    assert response.status_code == 302 and complaint.group == site.groups["A"] and complaint.unit is None
    edit = {**post, "unit": site.units["fgw"].pk, "deadline": "2024-06-30", "status": "received"}
    assert client.post(reverse("complaints-edit", args=[complaint.pk]), edit).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.unit_id, complaint.deadline) == (site.units["fgw"].pk, dt.date(2024, 6, 30))
    refused = client.post(reverse("complaints-edit", args=[complaint.pk]), {**edit, "unit": site.units["150200"].pk})
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors


def test_the_unit_handles_and_closes_its_complaint(site, login):
    complaint = assigned(site)
    league = login("league_a")
    shown = page(league.get(reverse("complaints-detail", args=[complaint.pk])))
    assert 'data-testid="progress-form"' in shown and 'data-testid="to-problem-form"' not in shown
    progress = reverse("complaints-progress", args=[complaint.pk])
    assert league.post(progress, {"progress": "已约谈招标人，正在核查"}).status_code == 302
    close = reverse("complaints-close", args=[complaint.pk])
    refused = league.post(close, {"outcome": "", "closed_on": "2024-06-20"})
    assert refused.status_code == 200 and 'data-testid="error-outcome"' in page(refused)
    assert league.post(close, {"outcome": "经核查属实，已责令整改", "closed_on": "2024-06-20"}).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.progress, complaint.closed_on) == (
        "closed", "已约谈招标人，正在核查", dt.date(2024, 6, 20)
    )  # fmt: skip
    to_problem = reverse("complaints-to-problem", args=[complaint.pk])
    assert league.post(to_problem, {"number": "Q-9", "found_on": "2024-06-10"}).status_code == 403
    for user in ("league_b", "dept_a", "group_b", "norole"):
        assert login(user).get(reverse("complaints-detail", args=[complaint.pk])).status_code == 404, user
        assert login(user).post(progress, {"progress": "x"}).status_code == 404, user
    assert login("viewer").post(progress, {"progress": "x"}).status_code == 403


def test_a_complaint_becomes_a_problem_and_each_page_links_the_other(site, login):
    complaint = assigned(site)
    group = login("group_a")
    post = {"number": "JB-Q-001", "found_on": "2024-06-10", "deadline": "2024-08-10",
            "description": "评标专家与投标人存在利害关系未回避"}  # fmt: skip
    assert group.post(reverse("complaints-to-problem", args=[complaint.pk]), post).status_code == 302
    problem = Problem.objects.get(unit=site.units["150100"], number="JB-Q-001")
    assert problem.discovery_method == "complaint"
    complaint_page = group.get(reverse("complaints-detail", args=[complaint.pk]))
    assert reverse("problems-detail", args=[problem.pk]) in page(complaint_page)
    assert 'data-testid="to-problem-form"' not in page(complaint_page)  # one step, once
    history = re.search(r'(?s)<table class="grid history">(.*?)</table>', page(complaint_page))
    assert history and "JB-Q-001" in text(history.group(1))  # the link in the history names the problem
    problem_page = page(login("league_a").get(reverse("problems-detail", args=[problem.pk])))
    assert reverse("complaints-detail", args=[complaint.pk]) in problem_page
    taken = group.post(reverse("complaints-to-problem", args=[complaint.pk]), {**post, "number": "JB-Q-002"})
    assert taken.status_code == 200 and 'role="alert"' in page(taken)  # it became a problem already
    assert not Problem.objects.filter(number="JB-Q-002").exists()


def test_a_complaint_becomes_a_clue_transfer_linked_back(site, login):
    complaint = assigned(site, unit="czt")
    office = login("office")
    post = {"authority": "discipline", "transferred_on": "2024-06-12", "summary": "移交纪检监察机关"}
    assert office.post(reverse("complaints-to-clue", args=[complaint.pk]), post).status_code == 302
    clue = ClueTransfer.objects.get(summary="移交纪检监察机关")
    assert clue.unit.code == "czt"
    clue_page = page(login("group_b").get(reverse("clue-transfers-detail", args=[clue.pk])))
    assert reverse("complaints-detail", args=[complaint.pk]) in clue_page


def test_a_problem_numbered_twice_comes_back_on_its_form(site, login):
    complaint = assigned(site)
    post = {"number": "Q-hohhot", "found_on": "2024-06-10", "description": "重复编号"}  # the small campaign's own
    response = login("group_a").post(reverse("complaints-to-problem", args=[complaint.pk]), post)
    assert response.status_code == 200
    form = re.search(r'(?s)data-testid="to-problem-form">(.*?)</form>', page(response))
    assert form and 'role="alert"' in form.group(1) and "Q-hohhot" in form.group(1)
    assert Complaint.objects.get(pk=complaint.pk).problem is None


def test_overdue_complaints_are_listed_for_the_group_and_the_unit(site, login):
    assigned(site, "JB-1", deadline=dt.date(2024, 6, 20))
    assigned(site, "JB-2", unit="fgw", deadline=None)
    overdue = reverse("complaints-list") + "?overdue=true"
    assert "JB-1" in list_body(login("group_a").get(overdue)) and "JB-2" not in list_body(login("group_a").get(overdue))
    assert "JB-1" in list_body(login("league_a").get(overdue))
    assert "JB-1" not in text(login("league_b").get(overdue))


def test_the_complaint_page_assigns_within_the_groups_units(site, login):
    data = {"campaign": site.campaign, "number": "JB-2024-020", "source": "mail", "received_on": RECEIVED,
            "summary": "来信反映", "group": None}  # fmt: skip
    complaint = do_create_object(Complaint, actor=site.users["office"], data=data)
    assign = reverse("complaints-assign", args=[complaint.pk])
    office = login("office")
    assert 'data-testid="assign-form"' in page(office.get(reverse("complaints-detail", args=[complaint.pk])))
    assert office.post(assign, {"group": site.groups["A"].pk}).status_code == 302  # to a group first
    group = login("group_a")
    wrong = group.post(assign, {"group": site.groups["A"].pk, "unit": site.units["150200"].pk})
    assert wrong.status_code == 200 and 'data-testid="error-unit"' in page(wrong)
    done = group.post(assign, {"group": site.groups["A"].pk, "unit": site.units["fgw"].pk, "deadline": "2024-06-30"})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.unit_id, complaint.deadline) == (site.units["fgw"].pk, dt.date(2024, 6, 30))
    assert login("dept_a").post(assign, {"group": site.groups["A"].pk}).status_code == 403
    assert login("group_b").post(assign, {"group": site.groups["B"].pk}).status_code == 404
