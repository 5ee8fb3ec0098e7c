"""The pages of site rounds, contacts, contact rules, look-back checks and compliance:
scope (another group's record is not found), the round page's own forms, errors in
Chinese at their fields, and the compliance page per group and week."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ducha.core.actions import do_create_object
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.choices import DiscoveryMethod, ProblemStatus
from ducha.ledger.models import Problem
from ducha.supervision.choices import ContactKind, LookBackOutcome, RoundKind
from ducha.supervision.models import Contact, ContactRule, LookBackCheck, RoundProblem, SupervisionRound
from ducha.testing import move

JUNE = dt.date(2024, 6, 3)


def client(sc, name: str) -> Client:
    c = Client()
    c.force_login(sc.users[name])
    return c


@pytest.fixture
def pages(small):
    """Each group's look-back round with an on-site visit (group A's down to 新城区) and a
    phone contact; group A's problem of 呼和浩特市 signed off."""
    records = {}
    for key, unit, county in (("A", "150100", "150102"), ("B", "150200", None)):
        r = do_create_object(SupervisionRound, actor=small.system, data={
            "campaign": small.campaign, "group": small.groups[key], "number": 1, "kind": RoundKind.LOOK_BACK,
            "starts_on": JUNE, "ends_on": JUNE + dt.timedelta(days=4),
            "methods": ["briefing", "spot_check"]})  # fmt: skip
        base = {"campaign": small.campaign, "group": small.groups[key], "unit": small.units[unit],
                "supervisor": "王五", "contacted_on": JUNE}  # fmt: skip
        visit = do_create_object(Contact, actor=small.system, data={
            **base, "kind": ContactKind.ON_SITE, "round": r, "content": f"实地督导 {key}",
            "county": small.units[county] if county else None})  # fmt: skip
        phone = do_create_object(Contact, actor=small.system, data={**base, "kind": "phone", "content": f"电话 {key}"})
        records[key] = {"round": r, "visit": visit, "phone": phone}
    do_bulk_transition_problems([move(small.problems["hohhot"], ProblemStatus.SIGNED_OFF)], actor=small.system)
    return small, records


@pytest.mark.parametrize("key", ["site-rounds", "contacts", "contact-rules", "look-back-checks"])
@pytest.mark.parametrize("role", ["office", "viewer", "group_a", "league_a"])
def test_the_lists_open_for_every_role(pages, key, role):
    sc, _records = pages
    assert client(sc, role).get(reverse(f"{key}-list")).status_code == 200


def test_a_group_sees_its_own_rounds_and_contacts_only(pages):
    sc, rec = pages
    group_a = client(sc, "group_a")
    assert group_a.get(reverse("site-rounds-detail", args=[rec["A"]["round"].pk])).status_code == 200
    for name in ("round", "visit", "phone"):
        key = "site-rounds" if name == "round" else "contacts"
        assert group_a.get(reverse(f"{key}-detail", args=[rec["B"][name].pk])).status_code == 404
        assert group_a.get(reverse(f"{key}-edit", args=[rec["B"][name].pk])).status_code == 404
    listed = group_a.get(reverse("contacts-list")).content.decode()
    assert "电话 A" in listed and "电话 B" not in listed


def test_a_unit_sees_its_own_contacts_but_not_the_groups_rounds(pages):
    sc, rec = pages
    league_a = client(sc, "league_a")
    assert league_a.get(reverse("contacts-detail", args=[rec["A"]["phone"].pk])).status_code == 200
    assert league_a.get(reverse("contacts-detail", args=[rec["B"]["phone"].pk])).status_code == 404
    assert league_a.get(reverse("site-rounds-detail", args=[rec["A"]["round"].pk])).status_code == 404
    assert league_a.get(reverse("contacts-add")).status_code == 403


def test_the_round_page_lists_its_methods_visits_counties_and_problems(pages):
    sc, rec = pages
    do_create_object(
        RoundProblem, actor=sc.system, data={"round": rec["A"]["round"], "problem": sc.problems["xincheng"]}
    )
    page = client(sc, "group_a").get(reverse("site-rounds-detail", args=[rec["A"]["round"].pk])).content.decode()
    assert "听取汇报、随机抽查" in page
    assert "新城区" in page and reverse("contacts-detail", args=[rec["A"]["visit"].pk]) in page
    assert 'data-testid="round-checks"' in page
    assert "Q-xincheng" in page
    assert 'data-testid="look-back-form"' in page and 'data-testid="round-problem-form"' in page
    viewer = client(sc, "viewer").get(reverse("site-rounds-detail", args=[rec["A"]["round"].pk])).content.decode()
    assert "round-problem-form" not in viewer and "look-back-form" not in viewer


def test_a_problem_found_by_a_round_from_its_page(pages):
    sc, rec = pages
    r = rec["A"]["round"]
    post = {"unit": sc.units["150100"].pk, "domain": sc.projects["hohhot"].domain.pk, "number": "DC-7",
            "description": "抽取专家程序不规范", "found_on": "2024-06-04", "deadline": "2024-08-01"}  # fmt: skip
    response = client(sc, "group_a").post(reverse("site-rounds-problem", args=[r.pk]), post)
    assert response.status_code == 302
    problem = Problem.objects.get(number="DC-7")
    assert problem.discovery_method == DiscoveryMethod.SUPERVISION
    assert RoundProblem.objects.get(problem=problem).round == r
    assert client(sc, "group_b").post(reverse("site-rounds-problem", args=[r.pk]), post).status_code == 404
    assert client(sc, "viewer").post(reverse("site-rounds-problem", args=[r.pk]), post).status_code == 403


def test_a_problem_before_the_round_is_refused_at_its_field_in_chinese(pages):
    sc, rec = pages
    r = rec["A"]["round"]
    post = {"unit": sc.units["150100"].pk, "domain": sc.projects["hohhot"].domain.pk, "number": "DC-8",
            "description": "x", "found_on": "2024-06-01"}  # fmt: skip
    page = client(sc, "group_a").post(reverse("site-rounds-problem", args=[r.pk]), post).content.decode()
    assert 'data-testid="error-found_on"' in page
    assert not Problem.objects.filter(number="DC-8").exists()


def test_a_look_back_check_reopens_a_signed_off_problem_from_the_round_page(pages):
    sc, rec = pages
    r = rec["A"]["round"]
    post = {"unit": sc.units["150100"].pk, "problem": "Q-hohhot", "checked_on": "2024-06-05",
            "outcome": LookBackOutcome.NOT_RECTIFIED, "reason": "整改不彻底"}  # fmt: skip
    missing_reason = client(sc, "group_a").post(reverse("site-rounds-check", args=[r.pk]), {**post, "reason": ""})
    assert 'data-testid="error-reason"' in missing_reason.content.decode()
    response = client(sc, "group_a").post(reverse("site-rounds-check", args=[r.pk]), post)
    assert response.status_code == 302
    assert Problem.objects.get(pk=sc.problems["hohhot"].pk).status == ProblemStatus.RECTIFYING
    assert LookBackCheck.objects.get(round=r).reopening.reason == "整改不彻底"


def test_a_look_back_check_names_a_record_of_the_chosen_unit(pages):
    sc, rec = pages
    post = {"unit": sc.units["150100"].pk, "problem": "Q-baotou", "checked_on": "2024-06-05", "outcome": "confirmed"}
    page = client(sc, "group_a").post(reverse("site-rounds-check", args=[rec["A"]["round"].pk]), post)
    assert 'data-testid="error-problem"' in page.content.decode()
    assert not LookBackCheck.objects.exists()


def test_the_look_back_ledgers_add_page_records_a_check_as_the_round_page_does(pages):
    sc, rec = pages
    group_a, url = client(sc, "group_a"), reverse("look-back-checks-add")
    form = group_a.get(url).content.decode()
    assert "A组 第1轮" in form and "B组 第1轮" not in form  # its own look-back rounds
    post = {"round": rec["A"]["round"].pk, "unit": sc.units["150100"].pk, "project": "P-hohhot",
            "checked_on": "2024-06-05", "outcome": "new_problem", "new_number": "Q-hohhot",
            "new_description": "合同签订不规范"}  # fmt: skip
    taken = group_a.post(url, post).content.decode()  # the unit's number Q-hohhot is taken
    assert 'aria-describedby="id_new_number_error"' in taken and not LookBackCheck.objects.exists()
    assert group_a.post(url, {**post, "new_number": "HKK-9"}).status_code == 302
    check = LookBackCheck.objects.get()
    assert (check.project, check.new_problem.number) == (sc.projects["hohhot"], "HKK-9")
    assert check.new_problem.discovery_method == DiscoveryMethod.SUPERVISION
    edit = group_a.get(reverse("look-back-checks-edit", args=[check.pk])).content.decode()
    assert 'name="note"' in edit and 'name="outcome"' not in edit  # what it found stands
    foreign = {**post, "round": rec["B"]["round"].pk, "new_number": "HKK-10"}
    assert 'aria-describedby="id_round_error"' in group_a.post(url, foreign).content.decode()


def test_a_group_records_a_contact_on_the_add_page_supervisor_prefilled(pages):
    sc, _rec = pages
    sc.users["group_a"].first_name = "赵六"
    sc.users["group_a"].save()
    group_a = client(sc, "group_a")
    form = group_a.get(reverse("contacts-add")).content.decode()
    assert 'value="赵六"' in form
    assert "B组" not in form  # its own group only
    post = {"group": sc.groups["A"].pk, "unit": sc.units["fgw"].pk, "kind": "phone", "contacted_on": "2024-06-10",
            "supervisor": "赵六", "content": "电话督导整改进度"}  # fmt: skip
    response = group_a.post(reverse("contacts-add"), post)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Contact.objects.filter(unit=sc.units["fgw"], supervisor="赵六").exists()
    refused = group_a.post(reverse("contacts-add"), {**post, "kind": "on_site"}).content.decode()
    assert '<span class="error">实地督导须属于某一轮次。</span>' in refused


def test_only_the_office_sets_contact_rules(pages):
    sc, _rec = pages
    post = {"kind": "phone", "per_week": 2, "starts_on": "2024-07-01"}
    assert client(sc, "group_a").get(reverse("contact-rules-add")).status_code == 403
    assert client(sc, "office").post(reverse("contact-rules-add"), post).status_code == 302
    rule = ContactRule.objects.get()
    assert rule.group is None and rule.per_week == 2
    zero = client(sc, "office").post(reverse("contact-rules-add"), {**post, "per_week": 0}).content.decode()
    assert 'aria-describedby="id_per_week_error"' in zero


def test_the_compliance_page_per_group_and_week(pages):
    sc, _rec = pages
    do_create_object(ContactRule, actor=sc.system, data={"campaign": sc.campaign, "kind": "phone", "per_week": 2,
                                                        "starts_on": JUNE})  # fmt: skip
    url = reverse("contact-compliance")
    page = client(sc, "group_a").get(url, {"week": "2024-06-03"}).content.decode()
    assert 'data-testid="shortfall-150100"' in page and 'data-testid="shortfall-fgw"' in page
    assert "week=2024-06-03" in page and "包头市" not in page
    assert "B组" not in client(sc, "group_a").get(url, {"group": "B"}).content.decode()  # its own group only
    office = client(sc, "office").get(url, {"group": "B", "week": "2024-06-03"}).content.decode()
    assert 'data-testid="shortfall-150200"' in office
    assert client(sc, "league_a").get(url).status_code == 403


def test_the_look_back_page_offers_the_signed_off_problems_not_yet_rechecked(pages):
    sc, rec = pages
    r, group_a = rec["A"]["round"], client(sc, "group_a")
    url = reverse("site-rounds-detail", args=[r.pk])
    page = group_a.get(url).content.decode()
    offer = f"?unit={sc.units['150100'].pk}&amp;problem=Q-hohhot#look-back"
    assert offer in page and "Q-baotou" not in page  # group B's problem is not offered
    filled = group_a.get(url, {"unit": sc.units["150100"].pk, "problem": "Q-hohhot"}).content.decode()
    assert 'value="Q-hohhot"' in filled
    post = {"unit": sc.units["150100"].pk, "problem": "Q-hohhot", "checked_on": "2024-06-05", "outcome": "confirmed"}
    assert group_a.post(reverse("site-rounds-check", args=[r.pk]), post).status_code == 302
    assert offer not in group_a.get(url).content.decode()


def count(response) -> int:
    return response.context["page"].paginator.count


def test_the_lists_filter_by_the_codes_the_figures_link_with(pages):
    sc, rec = pages
    office = client(sc, "office")
    contacts = reverse("contacts-list")
    assert count(office.get(contacts, {"group": "A", "kind": "phone"})) == 1
    assert count(office.get(contacts, {"unit": "150100", "week": "2024-06-09"})) == 2  # Sunday: the week of 06-03
    assert count(office.get(contacts, {"unit": "150100", "week": "2024-06-10"})) == 0
    assert count(office.get(contacts, {"county": "150102", "kind": "on_site"})) == 1
    rounds = reverse("site-rounds-list")
    assert count(office.get(rounds, {"county": "150102"})) == 1  # the rounds that went down to 新城区
    assert count(office.get(rounds, {"kind": "look_back", "group": "B"})) == 1
    checks = reverse("look-back-checks-list")
    post = {"unit": sc.units["150100"].pk, "project": "P-hohhot", "checked_on": "2024-06-05", "outcome": "confirmed"}
    client(sc, "group_a").post(reverse("site-rounds-check", args=[rec["A"]["round"].pk]), post)
    assert count(office.get(checks, {"group": "A", "target": "project"})) == 1
    assert count(office.get(checks, {"group": "A", "target": "problem"})) == 0
    assert count(office.get(checks, {"outcome": "not_rectified"})) == 0
