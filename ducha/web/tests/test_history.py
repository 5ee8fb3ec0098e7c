"""Detail pages read as text: the change history (who, what, each field's label with its
values before and after as a person reads them, in the chosen language; a problem's
steps, evidence files and deadline extensions with it; one query per model, not per
row), a save that changes nothing, and links between records (a problem's project and
its clue transfers and cases, a case's problem), only to what the user may see."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ducha.core.actions import do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import (
    do_attach_evidence,
    do_decide_extension,
    do_request_extension,
    do_transition_problem,
)
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import ClueTransfer, FiledCase, Problem, ProblemCategory
from ducha.org.models import Domain
from ducha.testing import zh
from ducha.web import history
from ducha.web.links import field_value
from ducha.web.tests.helpers import PDF, assert_no_inline_code, form_fields, links, page, text


def en(message: str) -> str:
    with translation.override("en"):
        return str(translation.gettext(message))


def history_rows(response) -> list[str]:
    """Each row of the change history, as text."""
    table = re.search(r'<table class="grid history">.*?<tbody>(.*?)</tbody>', page(response), re.S)
    assert table, "no change history on the page"
    return [text(r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]


def history_html(response) -> str:
    return re.search(r'<table class="grid history">(.*?)</table>', page(response), re.S).group(1)


def detail(client, ledger: str, pk: int):
    response = client.get(reverse(f"{ledger}-detail", args=[pk]))
    assert response.status_code == 200
    assert_no_inline_code(page(response))
    return response


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rectify_and_sign_off(site, key: str = "hohhot") -> Problem:
    """The problem's whole way: started with measures, rectified with a report, an
    extension asked and granted on the way, signed off with an opinion."""
    problem = site.problems[key]
    do_transition_problem(problem, "rectifying", actor=site.users["league_a"], measures="约谈中标单位，重新评标")
    extension = do_request_extension(
        problem, actor=site.users["league_a"], new_deadline=dt.date(2024, 9, 30), reason="需重新招标"
    )
    do_decide_extension(extension, actor=site.users["group_a"], grant=True)
    do_transition_problem(
        problem, "rectified", actor=site.users["league_a"], completed_on=dt.date(2024, 6, 20),
        evidence=[EvidenceUpload("整改报告.pdf", PDF)],
    )  # fmt: skip
    do_transition_problem(problem, "signed_off", actor=site.users["group_a"], opinion="整改到位，同意销号")
    return Problem.objects.get(pk=problem.pk)


# ---------------------------------------------------------------------------
# The history as text.


def test_a_created_problem_reads_as_names_labels_and_dates_in_chinese(site, login):
    problem = site.problems["hohhot"]

    rows = history_rows(detail(login("league_a"), "problems", problem.pk))

    [created] = rows
    assert zh("created") in created and "系统" in created  # the system actor's name, not its username
    assert "单位" in created and "呼和浩特市" in created  # unit_id → the unit's name
    assert "项目" in created and site.projects["hohhot"].name in created  # project_id → the project
    assert "整改状态" in created and "待整改" in created  # status "found" → its label
    assert "2024-06-01" in created and "2024-07-01" in created
    assert "自查" in created  # discovery method "self" → its label


def test_no_ids_no_json_no_technical_fields(site, login):
    problem = site.problems["hohhot"]
    do_update_object(problem, actor=site.users["office"], changes={"responsible": "张三"}, reason="补充责任人")

    source = history_html(detail(login("office"), "problems", problem.pk))

    shown = text(source)
    for raw in ("unit_id", "project_id", "campaign", "created_at", "updated_at", '"status"', "{", "found"):
        assert raw not in source, raw
    assert f" {site.units['150100'].pk} " not in f" {shown} "  # the unit's id
    assert "测试行动" not in shown  # the campaign: the page's own, never a change
    assert re.search(r"<pre\b", source) is None


def test_an_update_shows_the_field_before_and_after(site, login):
    problem = site.problems["hohhot"]
    category = ProblemCategory.objects.get(code="A")
    do_update_object(
        problem, actor=site.users["league_a"], changes={"responsible": "张三", "category": category},
        reason="补充责任人",
    )  # fmt: skip

    changed = history_rows(detail(login("league_a"), "problems", problem.pk))[0]

    assert zh("changed") in changed and "league_a" in changed and "补充责任人" in changed
    assert "责任人" in changed and "— → 张三" in changed
    assert f"— → {category.name}" in changed  # category_id → the category's name


def test_the_history_in_english(site, login):
    problem = site.problems["hohhot"]
    do_update_object(problem, actor=site.users["league_a"], changes={"responsible": "张三"})
    client = english(login("league_a"))

    rows = history_rows(detail(client, "problems", problem.pk))

    assert en("changed") in rows[0] and "Responsible person" in rows[0] and "— → 张三" in rows[0]
    assert "created" in rows[1] and "Unit" in rows[1] and "Status" in rows[1] and "To be rectified" in rows[1]
    assert "整改状态" not in " ".join(rows)


def test_amounts_and_yes_no(site, login):
    project = site.projects["hohhot"]  # 1,250,000.00 yuan; its self-inspection set a flag
    rows = history_rows(detail(login("office"), "projects", project.pk))

    flag = next(r for r in rows if "是否自查" in r)
    assert "否 → 是" in flag
    created = rows[-1]
    assert "1,250,000.00" in created and "2023-08-01" in created
    assert "1250000" not in " ".join(rows)

    rows = history_rows(detail(english(login("office")), "projects", project.pk))
    assert "no → yes" in next(r for r in rows if "Self-inspected" in r)


def test_a_problems_steps_evidence_and_extensions_are_in_its_history(site, login):
    problem = rectify_and_sign_off(site)

    rows = history_rows(detail(login("league_a"), "problems", problem.pk))

    shown = " ".join(rows)
    moves = [r for r in rows if zh("status changed") in r]
    assert [m for m in ("待整改 → 整改中", "整改中 → 已整改", "已整改 → 已销号") if any(m in r for r in moves)] == [
        "待整改 → 整改中", "整改中 → 已整改", "已整改 → 已销号"
    ]  # fmt: skip
    steps = [r for r in rows if zh("rectification step") in r]
    assert len(steps) == 3
    assert any("整改措施" in r and "约谈中标单位，重新评标" in r and "league_a" in r for r in steps)
    assert any("整改完成日期" in r and "2024-06-20" in r for r in steps)
    assert any("整改到位，同意销号" in r and "group_a" in r for r in steps)  # the sign-off opinion
    assert shown.count("约谈中标单位，重新评标") == 1 and shown.count("2024-06-20") == 1  # said once, by the step
    assert any(zh("evidence file added") in r and "整改报告.pdf" in r for r in rows)
    requested = next(r for r in rows if zh("deadline extension requested") in r)
    assert "2024-07-01" in requested and "2024-09-30" in requested and "需重新招标" in requested
    assert any(zh("deadline extension granted") in r and "group_a" in r for r in rows)
    assert any("2024-07-01 → 2024-09-30" in r for r in rows if zh("changed") in r)  # the deadline moved
    assert "sha256" not in shown and "%PDF" not in shown and "application/pdf" not in shown


def test_evidence_added_outside_a_step_is_a_row_of_its_own(site, login):
    problem = site.problems["hohhot"]
    do_attach_evidence(problem, actor=site.users["league_a"], uploads=[EvidenceUpload("现场照片.pdf", PDF)])

    added = history_rows(detail(login("league_a"), "problems", problem.pk))[0]

    assert zh("evidence file added") in added and "现场照片.pdf" in added and "league_a" in added


def test_the_history_of_a_step_in_english(site, login):
    problem = rectify_and_sign_off(site)

    rows = history_rows(detail(english(login("league_a")), "problems", problem.pk))

    assert any("status changed" in r and "Status To be rectified → Rectifying" in r for r in rows)
    assert any("rectification step" in r and "Rectification measures" in r for r in rows)
    assert any("evidence file added" in r and re.search(r"整改报告\.pdf \(\d+ bytes\)", r) for r in rows)
    assert any("status changed" in r and "Rectified → Signed off" in r for r in rows)
    assert any("Sign-off opinion" in r and "整改到位，同意销号" in r for r in rows)
    assert "整改状态" not in " ".join(rows) and "状态变更" not in " ".join(rows)


def test_another_problems_records_stay_out_of_the_history(site, login):
    rectify_and_sign_off(site, "hohhot")
    other = site.problems["xincheng"]

    rows = history_rows(detail(login("league_a"), "problems", other.pk))

    assert len(rows) == 1 and "整改报告.pdf" not in " ".join(rows)


def test_the_log_is_read_only_for_a_record_the_user_may_see(site):
    problem = site.problems["baotou"]
    assert history.entries(problem, site.users["league_a"]) == []  # 包头市's problem, for 呼和浩特市
    assert history.entries(problem, site.users["league_b"]) != []


def test_a_record_out_of_scope_is_not_named(site):
    """A log row naming another unit's project names it only to those who may see it."""
    other = site.projects["baotou"]
    entry = ChangeLogEntry(
        seq=1, time=timezone.now(), actor_id=site.users["office"].pk, actor_name="office", action="update",
        object_type="ledger.problem", object_id=str(site.problems["hohhot"].pk),
        before={"project_id": None}, after={"project_id": other.pk},
    )  # fmt: skip

    [hidden] = history.rows([entry], site.users["league_a"])
    [shown] = history.rows([entry], site.users["league_b"])

    assert [(line.before, line.after) for line in shown.lines] == [("—", str(other))]
    assert other.name not in str(hidden.lines) and hidden.lines[0].after == str(zh("(not available)"))


def test_the_queries_do_not_grow_with_the_history(site, login):
    problem = site.problems["hohhot"]
    client = login("group_a")
    url = reverse("problems-detail", args=[problem.pk])

    def count() -> int:
        client.get(url)  # warm: session, role
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    rectify_and_sign_off(site)  # steps, evidence, an extension: rows of four more models
    few = count()
    categories = list(ProblemCategory.objects.order_by("code")[:3])
    for n in range(12):
        do_update_object(
            problem, actor=site.users[("office", "group_a")[n % 2]],
            changes={"remarks": f"第{n}次补充", "deadline": dt.date(2024, 10, 1 + n), "category": categories[n % 3]},
        )  # fmt: skip
    many = count()

    assert len(history_rows(client.get(url))) == 23  # 1 + 3 steps × 2 + 1 file + 2 extension + 1 deadline + 12
    assert many <= few + 1  # + the categories' names: one query per model named, not one per row


# ---------------------------------------------------------------------------
# A save that changes nothing.


def test_saving_the_edit_form_unchanged_writes_nothing(site, login):
    client = login("league_a")
    problem = site.problems["hohhot"]
    url = reverse("problems-edit", args=[problem.pk])
    rows_before = len(history_rows(detail(client, "problems", problem.pk)))
    seq = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()

    response = client.post(url, form_fields(client.get(url)), follow=True)

    assert response.redirect_chain[-1][0] == reverse("problems-detail", args=[problem.pk])
    assert ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == seq
    assert zh("Nothing changed.") in text(response)
    assert len(history_rows(response)) == rows_before


def test_a_reason_alone_changes_nothing(site, login):
    client = login("league_a")
    problem = site.problems["hohhot"]
    url = reverse("problems-edit", args=[problem.pk])
    count = ChangeLogEntry.objects.count()

    response = client.post(url, {**form_fields(client.get(url)), "reason": "核对"}, follow=True)

    assert ChangeLogEntry.objects.count() == count and zh("Nothing changed.") in text(response)


# ---------------------------------------------------------------------------
# Links between records.


def test_a_problem_links_its_project_and_lists_its_cases(site, login):
    problem = site.problems["hohhot"]

    response = detail(login("league_a"), "problems", problem.pk)

    found = links(page(response))
    project = site.projects["hohhot"]
    assert (reverse("projects-detail", args=[project.pk]), str(project)) in found
    for ledger, label in (("clue-transfers", "线索移交 hohhot"), ("filed-cases", "立案-hohhot"),
                          ("exposed-cases", "曝光案例 hohhot")):  # fmt: skip
        assert (reverse(f"{ledger}-detail", args=[site.pk(ledger, "hohhot")]), label) in found
    linked = text(re.search(r'data-testid="linked">(.*?)</section>', page(response), re.S).group(1))
    assert "移交问题线索" in linked and "2024-05-20" in linked
    assert "baotou" not in linked


def test_a_case_links_its_problem(site, login):
    problem = site.problems["fgw"]
    for ledger in ("clue-transfers", "filed-cases", "exposed-cases"):
        response = detail(login("dept_a"), ledger, site.pk(ledger, "fgw"))
        assert (reverse("problems-detail", args=[problem.pk]), str(problem)) in links(page(response))


def test_linked_cases_only_in_the_users_scope(site, login):
    """A clue transfer is the league's, not the county's: a county's reporter sees its
    problem but not the league's clue transfer about it."""
    problem = site.problems["xincheng"]
    clue = do_create_object(
        ClueTransfer, actor=site.users["league_a"],
        data={"campaign": site.campaign, "unit": site.units["150100"], "problem": problem, "authority": "police",
              "domain": Domain.objects.get(code="engineering"), "transferred_on": dt.date(2024, 6, 10),
              "summary": "移交公安：新城区串标线索"},
    )  # fmt: skip
    url = reverse("clue-transfers-detail", args=[clue.pk])

    assert url in page(detail(login("league_a"), "problems", problem.pk))
    county = page(detail(login("county_a"), "problems", problem.pk))
    assert url not in county and "新城区串标线索" not in county


def test_a_link_only_to_a_record_the_user_may_see(site):
    problem = Problem.objects.select_related("project").get(pk=site.problems["baotou"].pk)

    assert "<a " in str(field_value(problem, "project", site.users["league_b"]))
    assert field_value(problem, "project", site.users["league_a"]) == problem.project  # its name, no link


def test_units_are_names_without_links(site, login):
    response = detail(login("league_a"), "problems", site.problems["hohhot"].pk)
    fields = re.search(r'<dl class="fields">(.*?)</dl>', page(response), re.S).group(1)
    assert "呼和浩特市" in text(fields) and not re.search(r"<a [^>]*>呼和浩特市</a>", fields)


@pytest.mark.parametrize("role", ["office", "league_a"])
def test_filed_case_link_on_the_problem_page(site, login, role):
    problem = site.problems["hohhot"]
    case = FiledCase.objects.get(pk=site.pk("filed-cases", "hohhot"))

    response = detail(login(role), "problems", problem.pk)

    assert (reverse("filed-cases-detail", args=[case.pk]), str(case)) in links(page(response))
